#!/usr/bin/env python3
"""Make Tests/Fixtures/track/gmc-warps.json: the reference's global motion compensation warps on known frames.

Run from the repository root (about 10 s on 2 CPU cores):
    /work/refvenv/bin/python Scripts/reference/gmc_warps.py

Runs ultralytics.trackers.utils.gmc.GMC (Ultralytics 8.4.190, its pip opencv-python) as a black box. Frames are
integer-offset windows cut from coco8-pose JPEGs decoded with cv2.imread (BGR), or uniform frames, so a test can
rebuild every frame exactly from the decoded JPEG without OpenCV. Each sequence lists its frames as
{"x": left, "y": top} (window of the sequence's width x height at that offset), {"fill": value} (every byte) or
{"fill": value, "square": [left, top, side, value]} (a filled square on it; such sequences have "image": null), the
method, the downscale, and per frame the warp (2x3 row-major, as float64) and the warnings the reference logged
(with the logger's "WARNING ⚠️ " prefix; ECC's include the OpenCV error text).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolocfg")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from ultralytics.trackers.utils.gmc import GMC  # noqa: E402
from ultralytics.utils import LOGGER  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT.parent / "shared" / "datasets" / "coco8-pose"
OUT = ROOT / "Tests" / "Fixtures" / "track" / "gmc-warps.json"

# A wandering camera: steps of up to 8 px, one still frame, a return close to the start.
WANDER = [(40, 40), (42, 40), (46, 41), (46, 41), (43, 44), (37, 47), (30, 45), (31, 38), (36, 33), (44, 30),
          (48, 34), (41, 39)]

SEQUENCES = [
    # name, image, window (width, height), frames, methods, downscale
    ("wander-110", "images/val/000000000110.jpg", (561, 401), [{"x": x, "y": y} for x, y in WANDER], 2),
    ("wander-136", "images/val/000000000136.jpg", (420, 300), [{"x": x, "y": y} for x, y in WANDER[:8]], 2),
    ("wander-077-downscale1", "images/train/000000000077.jpg", (400, 300),
     [{"x": x, "y": y} for x, y in WANDER[:6]], 1),
    ("wander-036-downscale3", "images/train/000000000036.jpg", (401, 560),
     [{"x": x, "y": y} for x, y in WANDER[:6]], 3),
    # Uniform frames first: no corners (sparseOptFlow starts over on the next textured frame), NaN in ECC.
    # One white square on black: 4 corners, so sparseOptFlow warns "not enough matching points"; ECC follows it.
    ("square", None, (200, 160),
     [{"fill": 0, "square": [x, y, 20, 255]} for x, y in [(50, 50), (54, 52), (58, 50), (58, 50)]], 2),
    ("blank-then-110", "images/val/000000000110.jpg", (561, 401),
     [{"fill": 0}, {"fill": 128}, {"x": 40, "y": 40}, {"x": 44, "y": 42}, {"x": 47, "y": 45}], 2),
]
METHODS = ["sparseOptFlow", "ecc"]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def frames_of(image: np.ndarray, size: tuple[int, int], frames: list[dict]) -> list[np.ndarray]:
    w, h = size
    out = []
    for f in frames:
        if "fill" in f:
            frame = np.full((h, w, 3), f["fill"], np.uint8)
            if "square" in f:
                x, y, side, value = f["square"]
                frame[y : y + side, x : x + side] = value
            out.append(frame)
        else:
            x, y = f["x"], f["y"]
            crop = image[y : y + h, x : x + w]
            assert crop.shape == (h, w, 3), (f, crop.shape, image.shape)
            out.append(np.ascontiguousarray(crop))
    return out


def main() -> None:
    capture = Capture()
    LOGGER.addHandler(capture)
    cv2.setNumThreads(1)
    sequences = []
    for name, rel, size, frames, downscale in SEQUENCES:
        image = cv2.imread(str(DATASET / rel)) if rel else None
        images = frames_of(image, size, frames)
        for method in METHODS:
            gmc = GMC(method=method, downscale=downscale)
            warps, warnings = [], []
            for frame in images:
                capture.messages.clear()
                warp = gmc.apply(frame)
                warps.append([float(v) for v in np.asarray(warp, np.float64).ravel()])
                warnings.append(list(capture.messages))
            sequences.append({"name": name, "image": rel, "width": size[0], "height": size[1], "frames": frames,
                              "method": method, "downscale": downscale, "warps": warps, "warnings": warnings})
            print(f"{name} {method}: {len(warps)} frames", file=sys.stderr)
    doc = {
        "made_by": "Scripts/reference/gmc_warps.py",
        "reference": "ultralytics.trackers.utils.gmc.GMC",
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "sequences": sequences,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
