#!/usr/bin/env python3
"""Generate the small fixtures used by Tests/YOLOFormatsTests (written to Tests/Fixtures/formats/).

Run with the reference venv:
    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_format_fixtures.py

Outputs (all small):
  values-p{0,2,4,5}.pkl   plain pickles of every value kind (expected values are literals in the tests)
  tensors.pt              torch.save of a dict of tensors incl. strided / offset views; tensors.json = expected values
  tensors-missing-storage.pt   tensors.pt with one storage entry removed
  tensors-deflated.zip    a torch-like zip whose entries are deflate-compressed
  legacy.pt               torch.save with the legacy (non-zip) serialization
  not-checkpoint.zip      an ordinary zip with no data.pkl
  garbage.pt              random bytes
  tiny-pose.pt            Model.save of a tiny custom pose model (root folder = file stem)
  tiny-pose-trainer.pt    a trainer-style checkpoint (model None, ema set, train_args), saved through a buffer
  tiny-pose.json          expected state_dict keys/shapes/dtypes/leading values and metadata
"""
import collections
import io
import json
import os
import pickle
import random
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "formats"
OUT.mkdir(parents=True, exist_ok=True)


class Thing:
    """A plain class instance: pickled as NEWOBJ + BUILD of __main__.Thing."""

    def __init__(self):
        self.a = 1
        self.b = "two"


def values():
    shared = [1, 2]
    return {
        "none": None,
        "true": True,
        "false": False,
        "small": 7,
        "int2": 300,
        "neg": -5,
        "int32": -2_000_000,
        "big": 2**40,
        "negbig": -(2**62),
        "huge": 2**70,
        "float": 1.5,
        "negfloat": -0.25,
        "str": "héllo ✓",
        "empty_str": "",
        "bytes": b"\x00\x01\xff",
        "list": [1, "a", None],
        "tuple": (1, 2.0, "x"),
        "tuple1": (9,),
        "tuple4": (1, 2, 3, 4),
        "empty_tuple": (),
        "nested": {"k": [1, {"x": (True, False)}]},
        "intkeys": {0: "person", 1: "dog"},
        "set": {3},
        "frozenset": frozenset({4}),
        "odict": collections.OrderedDict([("b", 1), ("a", 2)]),
        "shared1": shared,
        "shared2": shared,
        "obj": Thing(),
        "long_list": list(range(1500)),
    }


def write_pickles():
    v = values()
    for proto in (0, 2, 4, 5):
        (OUT / f"values-p{proto}.pkl").write_bytes(pickle.dumps(v, protocol=proto))


def flat(t):
    return [float(x) for x in t.detach().float().reshape(-1).tolist()]


def write_tensors(torch):
    g = torch.Generator().manual_seed(0)
    base = torch.randn(3, 4, generator=g)
    big = torch.arange(20, dtype=torch.float32)
    tensors = {
        "f16": torch.randn(2, 3, generator=g).half(),
        "f32": torch.randn(3, generator=g),
        "i64": torch.tensor([[1, -2], [3, 2**40]], dtype=torch.int64),
        "bf16": torch.tensor([1.0, -2.5, 3.140625], dtype=torch.bfloat16),
        "f64": torch.tensor([0.1, -1e10], dtype=torch.float64),
        "i32": torch.tensor([-7, 8], dtype=torch.int32),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(5, dtype=torch.int64),
        "empty": torch.zeros(0, 3),
        "transposed": base.t(),  # non-contiguous view [4, 3], strides (1, 4)
        "offset": big[5:11].view(2, 3),  # storage offset 5
        "strided": big[1::3],  # offset 1, stride 3
        "param": torch.nn.Parameter(torch.tensor([1.0, 2.0]).half()),
    }
    obj = {"tensors": tensors, "same": tensors["f32"], "meta": {"version": 3, "name": "x"}}
    path = OUT / "tensors.pt"
    torch.save(obj, path)
    expected = {
        k: {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": flat(t)}
        for k, t in tensors.items()
    }
    (OUT / "tensors.json").write_text(json.dumps(expected, indent=1) + "\n")

    # Same archive with the storage of "f16" removed.
    with zipfile.ZipFile(path) as src:
        names = src.namelist()
        root = names[0].split("/")[0]
        pkl = src.read(f"{root}/data.pkl")
        f16_key = None
        # find the storage key of the f16 tensor: it is the first HalfStorage referenced
        import pickletools
        for op, arg, _ in pickletools.genops(pkl):
            if op.name == "BINUNICODE" and arg.isdigit() and f16_key is None:
                f16_key = arg
        with zipfile.ZipFile(OUT / "tensors-missing-storage.pt", "w", zipfile.ZIP_STORED) as dst:
            for n in names:
                if n != f"{root}/data/{f16_key}":
                    dst.writestr(n.replace(root + "/", "tensors-missing-storage/", 1), src.read(n))
        with zipfile.ZipFile(OUT / "tensors-deflated.zip", "w", zipfile.ZIP_DEFLATED) as dst:
            for n in names:
                dst.writestr(n.replace(root + "/", "tensors-deflated/", 1), src.read(n))
    print("f16 storage key", f16_key)

    buf = io.BytesIO()
    torch.save({"a": torch.ones(2)}, buf, _use_new_zipfile_serialization=False)
    (OUT / "legacy.pt").write_bytes(buf.getvalue())


def write_misc():
    with zipfile.ZipFile(OUT / "not-checkpoint.zip", "w", zipfile.ZIP_STORED) as z:
        z.writestr("readme/hello.txt", "hello")
    rnd = random.Random(1)
    (OUT / "garbage.pt").write_bytes(bytes(rnd.randrange(256) for _ in range(200)))


TINY_YAML = """# Tiny pose model for format tests: all v8 module kinds, two detection levels
nc: 2
kpt_shape: [3, 3]
scales:
  t: [0.33, 0.0625, 1024]
backbone:
  - [-1, 1, Conv, [64, 3, 2]]
  - [-1, 1, Conv, [128, 3, 2]]
  - [-1, 3, C2f, [128, True]]
  - [-1, 1, Conv, [256, 3, 2]]
  - [-1, 1, SPPF, [256, 5]]
head:
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]
  - [[-1, 2], 1, Concat, [1]]
  - [-1, 1, C2f, [128]]
  - [-1, 1, Conv, [128, 3, 2]]
  - [[-1, 4], 1, Concat, [1]]
  - [-1, 1, C2f, [256]]
  - [[6, 9], 1, Pose, [nc, kpt_shape]]
"""


def write_tiny_pose(torch):
    from ultralytics import YOLO

    torch.manual_seed(0)
    yaml_path = Path("/tmp/format-fixtures/tiny-fmt-pose-t.yaml")
    yaml_path.parent.mkdir(parents=True, exist_ok=True)
    yaml_path.write_text(TINY_YAML)
    model = YOLO(str(yaml_path), task="pose")
    path = OUT / "tiny-pose.pt"
    model.save(str(path))

    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    m = ckpt["model"]
    sd = m.state_dict()
    # Trainer-style variant: model None, ema holds the network, train_args present; saved through a buffer.
    trainer = {
        "epoch": 0,
        "best_fitness": 0.5,
        "model": None,
        "ema": m,
        "updates": 3,
        "optimizer": None,
        "train_args": {"imgsz": 320, "task": "pose", "data": "x.yaml", "single_cls": False},
        "date": "2024-01-01T00:00:00",
        "version": "8.4.190",
    }
    buf = io.BytesIO()
    torch.save(trainer, buf)
    (OUT / "tiny-pose-trainer.pt").write_bytes(buf.getvalue())

    expected = {
        "modelClass": type(m).__name__,
        "task": getattr(m, "task", None),
        "names": {str(k): v for k, v in m.names.items()},
        "kpt_shape": list(m.kpt_shape),
        "stride": [float(s) for s in m.stride],
        "version": ckpt.get("version"),
        "date": ckpt.get("date"),
        "yaml_nc": m.yaml.get("nc"),
        "yaml_scale": m.yaml.get("scale"),
        "args_task": (m.args or {}).get("task") if isinstance(m.args, dict) else None,
        "entries": [
            {"key": k, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "head": flat(t)[:4]}
            for k, t in sd.items()
        ],
    }
    (OUT / "tiny-pose.json").write_text(json.dumps(expected, indent=1) + "\n")


def main():
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolocfg")
    import torch

    write_pickles()
    write_misc()
    write_tensors(torch)
    write_tiny_pose(torch)
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>9}  {p.name}")


if __name__ == "__main__":
    sys.exit(main())
