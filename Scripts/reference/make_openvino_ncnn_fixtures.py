"""Records what the reference's OpenVINO and NCNN exports of the test checkpoints contain, for the structure tests.

Needs the reference venv plus openvino, ncnn (Scripts/refvenv.sh installs both) and PNNX (`pip install --no-deps
pnnx==20260526`, which the reference's NCNN export runs; keep it in a separate venv that sees the reference's
site-packages). Run from the repository root:

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg-fixtures <venv>/bin/python Scripts/reference/make_openvino_ncnn_fixtures.py

Writes Tests/Fixtures/export/openvino-ncnn-reference.json: per checkpoint and variant (format, quantize) the folder
name, its files and sizes, metadata.yaml (the date replaced by <date>), the runtime's description of the model (as
Scripts/reference/run_openvino_ncnn.py describes ours), the export time and the CPU. Exports run in a temporary
folder on copies of the checkpoints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import refenv  # noqa: F401,E402  (offline, private config dir)
import run_openvino_ncnn  # noqa: E402
from ultralytics import YOLO  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINTS = ["overfit-n-pose.pt", "tiny-k12d2-pose.pt"]
VARIANTS = [("openvino", None), ("openvino", 16), ("ncnn", None), ("ncnn", 16)]


def cpu():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "?")


def main():
    result = {"cpu": cpu(), "checkpoints": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for ckpt in CHECKPOINTS:
            entry = {}
            for fmt, quantize in VARIANTS:
                work = Path(tmp) / f"{fmt}-{quantize}"
                work.mkdir(exist_ok=True)
                src = work / ckpt
                shutil.copy(ROOT / "Tests/Fixtures" / ckpt, src)
                t = time.time()
                path = YOLO(str(src)).export(format=fmt, quantize=quantize)
                seconds = time.time() - t
                folder = Path(path)
                files = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
                meta = (folder / "metadata.yaml").read_text()
                meta = re.sub(r"^date: .*$", "date: <date>", meta, flags=re.M)
                run = {"format": fmt, "model": str(folder), "inputs": [], "out_dir": str(work)}
                describe, _ = (run_openvino_ncnn.run_openvino if fmt == "openvino" else run_openvino_ncnn.run_ncnn)(run)
                entry[f"{fmt}-{quantize or 32}"] = {
                    "folder": folder.name, "files": files, "metadata": meta, "describe": describe,
                    "seconds": round(seconds, 2),
                }
            result["checkpoints"][ckpt] = entry
    out = ROOT / "Tests/Fixtures/export/openvino-ncnn-reference.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
