"""Loads exported models with the reference's own loader (`YOLO(path)`, Ultralytics' AutoBackend) and predicts.

Usage: predict_export.py IMGSZ IMAGE MODEL [MODEL ...]
For each model (a file or an export folder) prints, in one `RESULT_JSON: {...}` line, what `predict` returns for the
image at the given size: the backend's class names, task, the boxes (xyxy), confidences, classes and keypoints.
Nothing is written (save=False); run it in a scratch folder.

OpenVINO compiles at float32 here: on CPUs with AVX512_BF16 or AMX its default precision (what Ultralytics' loader
gets) is bf16, whose results differ from ONNX Runtime's float32 by up to ~1 px, while the callers compare the
backends at float32 tolerances to check the binding of inputs, outputs and metadata.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import refenv  # noqa: F401,E402  (offline, private config dir)
from ultralytics import YOLO  # noqa: E402


def pin_openvino_f32():
    """Makes every OpenVINO compilation in this process float32 (see the module docstring)."""
    try:
        import openvino as ov
    except ImportError:
        return
    compile_model = ov.Core.compile_model

    def compile_f32(self, *args, **kwargs):
        config = dict(kwargs.get("config") or {})
        config.setdefault("INFERENCE_PRECISION_HINT", ov.Type.f32)
        kwargs["config"] = config
        return compile_model(self, *args, **kwargs)

    ov.Core.compile_model = compile_f32


def main():
    imgsz, image, models = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pin_openvino_f32()
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
