"""Exports checkpoints to ONNX with the reference exporter (the ONNX-reader tests and fixtures use its files).

Usage: export_onnx.py JOB.json
JOB.json: {"out_dir": "dir", "exports": [{"name": "n-static", "checkpoint": "a.pt", "args": {"dynamic": true}}, ...]}
Each checkpoint is copied to <out_dir>/<name>.pt, exported with YOLO(copy).export(format="onnx", **args) (so the
file is <out_dir>/<name>.onnx), and the copy is removed. Prints one `RESULT_JSON: {"files": {name: path}, "seconds": t}`
line. Nothing is written outside out_dir.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import refenv  # noqa: E402,F401  (offline settings before ultralytics)


def export_all(out_dir: str | Path, exports: list[dict]) -> dict[str, str]:
    from ultralytics import YOLO

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for e in exports:
        pt = out / f"{e['name']}.pt"
        shutil.copy(e["checkpoint"], pt)
        with contextlib.redirect_stdout(io.StringIO()):
            path = YOLO(str(pt)).export(format="onnx", **e.get("args", {}))
        pt.unlink()
        files[e["name"]] = str(Path(path).resolve())
    return files


def main():
    job = json.load(open(sys.argv[1]))
    t0 = time.time()
    files = export_all(job["out_dir"], job["exports"])
    print("RESULT_JSON: " + json.dumps({"files": files, "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
