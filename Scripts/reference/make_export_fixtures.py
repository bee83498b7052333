"""Makes Tests/Fixtures/export/: what the reference ONNX exporter produces for the fixture checkpoints.

Run from the repository root: /work/refvenv/bin/python Scripts/reference/make_export_fixtures.py  (about 1.5 min)

Writes
* reference.json: per export case {"checkpoint", "args", "describe"} where describe is run_onnx.describe() of the
  reference's .onnx (I/O names and dims, opset, IR, metadata with the date blanked, op histogram, counts), plus
  "console" for the CLI case (stdout lines of `yolo export …`, timings replaced by <t>, the temp folder by <dir>).
* ref-<case>.npy: float32 output of the reference's .onnx under ONNX Runtime (CPU) on Tests/Fixtures/input-320x320.npy
  (coco8-pose val 000000000110.jpg letterboxed to 320, uint8 NHWC → NCHW float /255), for the numeric cases.
Everything runs in a temporary folder with copies of the checkpoints; nothing is written elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import refenv  # noqa: E402,F401  (offline settings before ultralytics)

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

from run_onnx import describe  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "Tests" / "Fixtures"
OUT = FIX / "export"

# name: (checkpoint, export kwargs, save reference output on input-320x320?)
CASES = {
    "overfit-default": ("overfit-n-pose.pt", {}, False),
    "overfit-320": ("overfit-n-pose.pt", {"imgsz": 320}, True),
    "tiny-k12d2-320": ("tiny-k12d2-pose.pt", {"imgsz": 320}, True),
    "tiny-k5-320-fp16": ("tiny-k5-pose.pt", {"imgsz": 320, "quantize": 16}, True),
    "tiny-k5-dynamic": ("tiny-k5-pose.pt", {"imgsz": 320, "dynamic": True}, False),
    "tiny-k5-nms": ("tiny-k5-pose.pt", {"imgsz": 320, "nms": True}, False),
    "tiny-k5-opset12": ("tiny-k5-pose.pt", {"imgsz": 320, "opset": 12}, False),
    "tiny-k5-rect-b2": ("tiny-k5-pose.pt", {"imgsz": [256, 320], "batch": 2}, False),
    "tiny-detect-320": ("tiny-detect.pt", {"imgsz": 320}, False),
}


def main():
    from ultralytics import YOLO

    OUT.mkdir(parents=True, exist_ok=True)
    x = np.load(FIX / "input-320x320.npy").transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    result = {"reference": "ultralytics 8.4.190, torch 2.15.0, onnx 1.23.2, onnxslim 0.1.98, onnxruntime " + ort.__version__,
              "input": "input-320x320.npy", "exports": {}}
    with tempfile.TemporaryDirectory(prefix="export-fixtures-") as tmp:
        os.chdir(tmp)
        for name, (ckpt, kwargs, save) in CASES.items():
            work = Path(tmp) / name
            work.mkdir()
            shutil.copy(FIX / ckpt, work / ckpt)
            f = YOLO(str(work / ckpt)).export(format="onnx", **kwargs)
            d = describe(f)
            d["metadata"] = [[k, "<date>" if k == "date" else v] for k, v in d["metadata"]]
            result["exports"][name] = {"checkpoint": ckpt, "args": kwargs, "describe": d}
            if save:
                sess = ort.InferenceSession(f, providers=["CPUExecutionProvider"])
                y = sess.run(None, {"images": x})[0]
                np.save(OUT / f"ref-{name}.npy", y.astype(np.float32))
        # The CLI's console for one plain export.
        cli = Path(tmp) / "cli"
        cli.mkdir()
        shutil.copy(FIX / "tiny-k12d2-pose.pt", cli / "tiny-k12d2-pose.pt")
        yolo = str(Path(sys.executable).parent / "yolo")
        p = subprocess.run([yolo, "export", "model=tiny-k12d2-pose.pt", "format=onnx", "imgsz=320"], cwd=cli,
                           capture_output=True, text=True, env=os.environ.copy())
        lines = []
        for line in p.stdout.splitlines():
            line = re.sub(r"\d+\.\d+s", "<t>s", line).replace(str(cli.resolve()), "<dir>")
            lines.append(line)
        result["exports"]["cli-tiny-k12d2"] = {"checkpoint": "tiny-k12d2-pose.pt", "args": {"imgsz": 320},
                                               "exit": p.returncode, "console": lines}
    (OUT / "reference.json").write_text(json.dumps(result, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
