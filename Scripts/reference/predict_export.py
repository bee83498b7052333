"""Loads exported models with the reference's own loader (`YOLO(path)`, Ultralytics' AutoBackend) and predicts.

Usage: predict_export.py IMGSZ IMAGE MODEL [MODEL ...]
For each model (a file or an export folder) prints, in one `RESULT_JSON: {...}` line, what `predict` returns for the
image at the given size: the backend's class names, task, the boxes (xyxy), confidences, classes and keypoints.
Nothing is written (save=False); run it in a scratch folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import refenv  # noqa: F401,E402  (offline, private config dir)
from ultralytics import YOLO  # noqa: E402


def main():
    imgsz, image, models = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    out = {}
    for m in models:
        model = YOLO(m, task="pose")
        r = model.predict(image, imgsz=imgsz, verbose=False, save=False)[0]
        out[m] = {
            "names": {str(k): v for k, v in r.names.items()},
            "boxes": r.boxes.xyxy.tolist(),
            "conf": r.boxes.conf.tolist(),
            "cls": r.boxes.cls.tolist(),
            "keypoints": r.keypoints.data.tolist() if r.keypoints is not None else None,
        }
    print("RESULT_JSON: " + json.dumps(out))


if __name__ == "__main__":
    main()
