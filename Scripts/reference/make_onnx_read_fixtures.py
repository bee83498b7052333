#!/usr/bin/env python3
"""Makes Tests/Fixtures/onnx/: ONNX exports and what Ultralytics predicts and validates with them (ONNX-reader tests).

Run from the repository root:  /work/refvenv/bin/python Scripts/reference/make_onnx_read_fixtures.py  (~2 min)

Writes (Tests/Fixtures/onnx/)
* tiny-k5-dynamic.onnx   tiny-k5-pose.pt,   imgsz 320, dynamic=True          (committed; small)
* tiny-k12d2-320.onnx    tiny-k12d2-pose.pt, imgsz 320 (custom kpt_shape [12, 2])
* reference.json:
  {"reference", "exports": {name: {checkpoint, args}},  — n-static and n-nms (overfit-n-pose.pt, default imgsz 416,
                                                          nms=True for n-nms) are ~13 MB each, so they are not
                                                          committed: the tests re-export them with export_onnx.py
   "predict": {name: {conf, images: [{file, orig_shape, input_shape, n, detections: [{xyxy, conf, cls, keypoints}]}],
               (tiny-k5-dynamic: input_shape and n only)}},
   "val": {name: {console: [lines], results_dict, seen, row}}}
  predict = YOLO(file.onnx).predict(<image>, conf=0.25, verbose=False, save=False) per coco8-pose val image, with the
  letterboxed input shape captured from the ONNX Runtime session's input; val = YOLO(file.onnx).val(data=<mirror yaml>,
  plots=False) (batch and imgsz left to the backend rules) with the logger's lines captured.
Everything runs in a temporary folder: exports from copies of the checkpoints, val on a symlinked mirror of the shared
dataset (the validator writes labels/*.cache next to the labels), so nothing is written to /work/shared.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import refenv  # noqa: E402,F401  (offline settings before ultralytics)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from export_onnx import export_all  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "Tests" / "Fixtures"
OUT = FIX / "onnx"
DATASET = Path("/work/shared/datasets/coco8-pose")
FLIP_IDX = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]

EXPORTS = [
    {"name": "n-static", "checkpoint": "overfit-n-pose.pt", "args": {}},
    {"name": "n-nms", "checkpoint": "overfit-n-pose.pt", "args": {"nms": True}},
    {"name": "tiny-k5-dynamic", "checkpoint": "tiny-k5-pose.pt", "args": {"imgsz": 320, "dynamic": True}},
    {"name": "tiny-k12d2-320", "checkpoint": "tiny-k12d2-pose.pt", "args": {"imgsz": 320}},
]
COMMITTED = {"tiny-k5-dynamic", "tiny-k12d2-320"}
# Keep detections only where they mean something (the random tiny model yields 300 near-identical boxes per image).
SHAPES_ONLY = {"tiny-k5-dynamic"}
PREDICT = ["n-static", "n-nms", "tiny-k5-dynamic"]
VAL = ["n-static", "n-nms"]


def f32(x) -> float:
    return float(np.float32(x))


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def predict(model_path: str, images: list[Path]) -> dict:
    from ultralytics import YOLO

    model = YOLO(model_path, task="pose")
    out = []
    for img in images:
        res = model.predict(str(img), conf=0.25, verbose=False, save=False)[0]
        # The backend session's last input: the letterboxed tensor actually fed.
        shape = list(getattr(model.predictor.model.backend, "_last_shape", []))
        kp = res.keypoints.data.numpy() if res.keypoints is not None else np.zeros((0, 0, 0))
        dets = [{"xyxy": [f32(v) for v in res.boxes.xyxy[i].tolist()], "conf": f32(res.boxes.conf[i]),
                 "cls": int(res.boxes.cls[i]), "keypoints": [[f32(v) for v in p] for p in kp[i].tolist()]}
                for i in range(len(res.boxes))]
        out.append({"file": img.name, "orig_shape": list(res.orig_shape), "input_shape": shape, "n": len(dets), "detections": dets})
    return {"conf": 0.25, "images": out}


def capture_input_shapes():
    """Wraps the ONNX backend's forward to record the input shape (observation only)."""
    from ultralytics.nn.backends import onnx as onnx_backend

    cls = onnx_backend.ONNXBackend
    original = cls.forward

    def forward(self, im, *a, **k):
        self._last_shape = list(im.shape[2:])
        return original(self, im, *a, **k)

    cls.forward = forward


def validate(model_path: str, yaml: Path, tmp: Path) -> dict:
    from ultralytics import YOLO
    from ultralytics.utils import LOGGER

    handler = Lines()
    LOGGER.addHandler(handler)
    try:
        m = YOLO(model_path, task="pose").val(data=str(yaml), plots=False, project=str(tmp / "runs"), name="val",
                                                exist_ok=True)
    finally:
        LOGGER.removeHandler(handler)
    return {"results_dict": {k: float(v) for k, v in m.results_dict.items()},
            "console": [line for line in handler.lines if "Setting batch" in line or line.strip().startswith("all")]}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    capture_input_shapes()
    result = {"reference": "ultralytics 8.4.190, torch 2.15.0, onnxruntime 1.31.1, CPU",
              "exports": {e["name"]: {"checkpoint": e["checkpoint"], "args": e["args"]} for e in EXPORTS},
              "predict": {}, "val": {}}
    with tempfile.TemporaryDirectory(prefix="onnx-read-fixtures-") as t:
        tmp = Path(t)
        files = export_all(tmp / "exports", [{**e, "checkpoint": str(FIX / e["checkpoint"])} for e in EXPORTS])
        for name in COMMITTED:
            shutil.copy(files[name], OUT / f"{name}.onnx")
        mirror = tmp / "coco8-pose"
        for sub in ("images/val", "labels/val"):
            (mirror / sub).mkdir(parents=True)
            for f in sorted((DATASET / sub).iterdir()):
                (mirror / sub / f.name).symlink_to(f.resolve())
        yaml = tmp / "coco8-pose.yaml"
        yaml.write_text(f"path: {mirror}\ntrain: images/val\nval: images/val\nkpt_shape: [17, 3]\n"
                        f"flip_idx: {FLIP_IDX}\nnames:\n  0: person\n")
        images = sorted((DATASET / "images/val").glob("*.jpg"))
        for name in PREDICT:
            result["predict"][name] = predict(files[name], images)
            if name in SHAPES_ONLY:
                for img in result["predict"][name]["images"]:
                    img.pop("detections")
        for name in VAL:
            result["val"][name] = validate(files[name], yaml, tmp)
    (OUT / "reference.json").write_text(json.dumps(result, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
