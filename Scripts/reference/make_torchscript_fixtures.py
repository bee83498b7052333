#!/usr/bin/env python3
"""Write Tests/Fixtures/torchscript/reference.json: what Ultralytics 8.4.190's `export(format="torchscript")` writes
for the test checkpoints, for the archive tests that run without torch.

Run from the repository root: /work/refvenv/bin/python Scripts/reference/make_torchscript_fixtures.py
Each export runs on a copy of the checkpoint in a temporary folder. Per checkpoint and variant the JSON holds:
  "args":       the export arguments
  "config":     the archive's extra/config.txt, verbatim (its "date" is the export time)
  "parameters": ["name [shape]", ...] of torch.jit.load(file).named_parameters() (default variant only)
  "version":    the archive's `version` record
  "output":     the output shape on a zero input of the export size (batch 1)
"""
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: E402,F401  (offline settings before ultralytics)

import torch  # noqa: E402
import torchvision  # noqa: E402,F401  (registers torchvision::nms for nms=True files)
from ultralytics import YOLO  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
VARIANTS = {
    "tiny-k5-pose.pt": {"default": {}, "dynamic": {"dynamic": True}, "nms": {"nms": True}, "batch2": {"batch": 2},
                        "imgsz320": {"imgsz": 320}},
    "overfit-n-pose.pt": {"default": {}},
}


def main():
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, variants in VARIANTS.items():
            out[name] = {}
            for variant, args in variants.items():
                folder = Path(tmp) / f"{Path(name).stem}-{variant}"
                folder.mkdir()
                ckpt = folder / name
                shutil.copy(FIXTURES / name, ckpt)
                path = YOLO(str(ckpt)).export(format="torchscript", **args)
                with zipfile.ZipFile(path) as z:
                    stem = Path(path).stem
                    entry = {"args": args, "config": z.read(f"{stem}/extra/config.txt").decode(),
                             "version": z.read(f"{stem}/version").decode()}
                module = torch.jit.load(path)
                if variant == "default":
                    entry["parameters"] = [f"{k} {list(v.shape)}" for k, v in module.named_parameters()]
                size = json.loads(entry["config"])["imgsz"]
                with torch.no_grad():
                    entry["output"] = list(module(torch.zeros(1, 3, *size)).shape)
                out[name][variant] = entry
    dst = FIXTURES / "torchscript"
    dst.mkdir(exist_ok=True)
    (dst / "reference.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {dst / 'reference.json'}")


if __name__ == "__main__":
    main()
