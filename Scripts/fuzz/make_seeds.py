#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora to Fuzz/corpus/<harness>/ (small valid inputs of each format, plus the hostile
corpus's cases). Run with the reference venv's python (torch and ultralytics build the tiny checkpoint):

    python Scripts/fuzz/make_seeds.py
"""
import io, os, pickle, shutil, struct, sys, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Fuzz/corpus"
FIX = ROOT / "Tests/Fixtures"
HOSTILE = FIX / "hostile"


def put(harness, name, data):
    d = OUT / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    import numpy as np, cv2, torch
    os.environ.setdefault("YOLO_OFFLINE", "1")

    # zip / checkpoint: a one-conv pose model (a few KB) saved as Ultralytics does, and small torch archives.
    from ultralytics.nn.tasks import PoseModel
    cfg = {"nc": 1, "kpt_shape": [2, 3], "backbone": [[-1, 1, "Conv", [8, 3, 2]]],
           "head": [[[0], 1, "Pose", ["nc", "kpt_shape"]]]}
    model = PoseModel(cfg, ch=3, nc=1, verbose=False).half()
    for p in model.parameters():
        p.requires_grad = False
    buf = io.BytesIO()
    torch.save({"epoch": -1, "model": model, "ema": None, "train_args": {"imgsz": 64, "task": "pose"},
                "date": "2026-11-27", "version": "8.4.190"}, buf)
    put("checkpoint", "one-conv-pose.pt", buf.getvalue())
    put("zip", "one-conv-pose.pt", buf.getvalue())
    buf = io.BytesIO()
    torch.save({"a": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.ones(3).half()[::2],
                "c": [1, 2.5, "x", None, True]}, buf)
    put("zip", "tensors.pt", buf.getvalue())
    for f in ["tensors.pt", "garbage.pt", "not-checkpoint.zip", "tensors-missing-storage.pt"]:
        put("zip", f, (FIX / "formats" / f).read_bytes())
    for f in ["zip64-offset.pt", "zip-huge-entry.pt", "dup-bomb.pt", "zero-stride.pt"]:
        put("zip", f, (HOSTILE / f).read_bytes())

    # pickle: protocol 0-5 value pickles and the data.pkl of the small checkpoint.
    for f in ["values-p0.pkl", "values-p2.pkl", "values-p4.pkl", "values-p5.pkl"]:
        put("pickle", f, (FIX / "formats" / f).read_bytes())
    with zipfile.ZipFile(OUT / "zip/one-conv-pose.pt") as z:
        put("pickle", "one-conv-pose-data.pkl", z.read([n for n in z.namelist() if n.endswith("data.pkl")][0]))
    put("pickle", "nested.pkl", pickle.dumps({"k": [(1, 2), {"x": b"\x00\x01", "y": 1e300}], "s": {1, 2}}, protocol=2))

    # safetensors: one written by the format's rules (8-byte header length, JSON header, data).
    header = b'{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"__metadata__":{"task":"pose"}}'
    put("safetensors", "small.safetensors", struct.pack("<Q", len(header)) + header + np.arange(4, dtype="<f4").tobytes())

    # model YAMLs: the test-only definitions and the hostile variants (cut to 4 KB each).
    for f in ["tiny-pose.yaml", "tiny-detect.yaml", "tiny-k12d2-pose.yaml"]:
        put("model-yaml", f, (FIX / f).read_bytes())
    for f in sorted(HOSTILE.glob("model-*.yaml")):
        put("model-yaml", f.name, f.read_bytes()[:4096])

    # data YAMLs.
    put("data-yaml", "coco8-pose.yaml", "path: ../datasets/coco8-pose\ntrain: images/train\nval: images/val\n"
        "kpt_shape: [17, 3]\nflip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]\nnames:\n  0: person\n")
    put("data-yaml", "list-names.yaml", "train: [a/images, b/images]\nval: v.txt\nkpt_shape: [5, 2]\nnames: [x, y]\n"
        "kpt_oks_sigmas: [0.1, 0.1, 0.1, 0.1, 0.1]\n")
    for d in sorted(HOSTILE.glob("ds-*/data.yaml")):
        put("data-yaml", d.parent.name + ".yaml", d.read_bytes())

    # labels (kpt_shape [5, 3], 3 classes in the harness).
    kp = " 0.5 0.5 2 0.6 0.6 2 0.5 0.6 1 0.6 0.5 0 0.55 0.55 2"
    put("labels", "two.txt", "0 0.5 0.5 0.2 0.2" + kp + "\n2 0.3 0.3 0.1 0.1" + kp + "\n")
    put("labels", "dup.txt", ("1 0.5 0.5 0.2 0.2" + kp + "\n") * 2)
    put("labels", "neg.txt", "0 -0.005 0.5 0.2 0.2" + kp + "\n")
    for d in sorted(HOSTILE.glob("ds-*/labels/val/a.txt")):
        put("labels", d.parts[-4] + ".txt", d.read_bytes())

    # images: each format, small.
    img = np.zeros((12, 20, 3), np.uint8)
    img[:, :, 0] = np.arange(20, dtype=np.uint8) * 12
    img[:, :, 2] = np.arange(12, dtype=np.uint8)[:, None] * 20
    for ext in [".jpg", ".png", ".bmp", ".webp"]:
        ok, enc = cv2.imencode(ext, img)
        put("image", "small" + ext, enc.tobytes())
    ok, enc = cv2.imencode(".png", np.dstack([img, np.full((12, 20), 200, np.uint8)]))
    put("image", "rgba.png", enc.tobytes())
    ok, enc = cv2.imencode(".jpg", img[:, :, 0])
    put("image", "grey.jpg", enc.tobytes())
    for f in ["huge-header.jpg", "huge-header.png", "huge-header.bmp", "corrupt.jpg"]:
        put("image", f, (HOSTILE / f).read_bytes())

    # CLI: NUL-separated argument vectors.
    for i, argv in enumerate([
        ["pose", "predict", "model=yolov8n-pose.pt", "source=a.jpg", "imgsz=[480,640]", "conf=0.3", "max_det=5"],
        ["pose", "val", "data=coco8-pose.yaml", "batch=4", "iou=0.6", "plots=False", "save_json"],
        ["train", "epochs=3", "lr0=0.01", "mosaic=0.5", "optimizer=AdamW", "close_mosaic=1", "imgsz=320"],
        ["export", "format=onnx", "dynamic=True", "opset=17", "quantize=fp16"],
        ["pose", "track", "tracker=bytetrack.yaml", "source=v.mp4", "vid_stride=2", "classes=[0,1]"],
        ["checks"], ["settings", "runs_dir=/tmp/r"], ["help"], ["cfg"],
        ["predict", "imgsz=" + "[" * 30 + "]" * 30, "boxs=True", "conf=abc"],
    ]):
        put("cli", f"argv{i}", b"\x00".join(a.encode() for a in argv))
    print("seeds:", {d.name: len(list(d.iterdir())) for d in sorted(OUT.iterdir())})


if __name__ == "__main__":
    main()
