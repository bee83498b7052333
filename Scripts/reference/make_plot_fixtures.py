#!/usr/bin/env python3
"""Makes Tests/Fixtures/plot/: reference renders of Results.plot() and the detections that were drawn.

Run from the repo root with the reference venv (see Scripts/reference/README.md):
    /work/refvenv/bin/python Scripts/reference/make_plot_fixtures.py [--checkpoint PATH]
Versions used: ultralytics 8.4.190, torch 2.15.0, opencv-python 5.0.0, numpy 2.4.6 (about 10 s on 2 CPU cores).

The reference is run as a black box: predict, then results[0].plot(). Nothing from its source is copied.

Checkpoint: --checkpoint, else Tests/Fixtures/overfit-n-pose.pt when it exists (detects people, K=17), else
Tests/Fixtures/tiny-k5-pose.pt. The K!=17 case always uses tiny-k5-pose.pt with max_det=6.
The tests draw from the stored detections, so they do not depend on which checkpoint made them.

Per case, writes <name>.png (the plot, lossless BGR->PNG) and one cases.json with:
  name, image (relative to the coco8-pose dataset), checkpoint, orig_shape [h, w], line_width (None = auto),
  lw (the resolved line width), names, detections [{xyxy, conf, cls, keypoints[K][D]}] in the returned order,
  probes: [{kind: "kpt"|"limb", det, k | pair, x, y, expected [b,g,r] (colour per spec section 5),
            reference [b,g,r] (the reference render's pixel), solid (|reference-expected| <= 2)}],
  label_boxes: the label rectangles [x1, y1, x2, y2] (inclusive) per drawn label, from cv2.getTextSize,
  crops: [class folder, file, h, w] for each file r.save_crop(tmp, "crop.jpg") wrote, sorted by path.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolocfg")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO.parent / "shared" / "datasets" / "coco8-pose"
OUT = REPO / "Tests" / "Fixtures" / "plot"

# Colours as given in the spec (section 5), BGR as written to the image.
GENERAL_RGB = ["042AFF", "0BDBEB", "F3F3F3", "00DFB7", "111F68", "FF6FDD", "FF444F", "CCED00", "00F344", "BD00FF",
               "00B4FF", "DD00BA", "00FFFF", "26C000", "01FFB3", "7D24FF", "7B0068", "FF1B6C", "FC6D2F", "A2FF0B"]
GENERAL_RGB = [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in GENERAL_RGB]
POSE = [(255, 128, 0), (255, 153, 51), (255, 178, 102), (230, 230, 0), (255, 153, 255), (153, 204, 255),
        (255, 102, 255), (255, 51, 255), (102, 178, 255), (51, 153, 255), (255, 153, 153), (255, 102, 102),
        (255, 51, 51), (153, 255, 153), (102, 255, 102), (51, 255, 51), (0, 255, 0), (0, 0, 255), (255, 0, 0),
        (255, 255, 255)]
KPT_COLOR = [16] * 5 + [0] * 6 + [9] * 6
SKELETON = [(16, 14, 9), (14, 12, 9), (17, 15, 9), (15, 13, 9), (12, 13, 7), (6, 12, 7), (7, 13, 7), (6, 7, 0),
            (6, 8, 0), (7, 9, 0), (8, 10, 0), (9, 11, 0), (2, 3, 16), (1, 2, 16), (1, 3, 16), (2, 4, 16),
            (3, 5, 16), (4, 6, 16), (5, 7, 16)]


def sha256(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def make_case(model_path, name, image_rel, line_width=None, **predict_kw):
    from ultralytics import YOLO
    model = YOLO(str(model_path))
    r = model.predict(str(DATASET / "images" / image_rel), verbose=False, **predict_kw)[0]
    plotted = r.plot(line_width=line_width)
    h, w = r.orig_shape
    lw = line_width or max(round(sum((h, w, 3)) / 2 * 0.003), 2)
    boxes = r.boxes.data.cpu().numpy().astype(np.float32)
    kpts = r.keypoints.data.cpu().numpy().astype(np.float32)
    n, K, D = kpts.shape if len(kpts.shape) == 3 else (0, 0, 0)
    dets = [{"xyxy": [float(v) for v in b[:4]], "conf": float(b[4]), "cls": int(b[5]),
             "keypoints": [[float(v) for v in kp] for kp in kpts[i]]} for i, b in enumerate(boxes)]
    # Probes at keypoint centres and limb midpoints, in drawing order (last drawn wins at a pixel).
    painted = {}
    for i in reversed(range(n)):
        pts = kpts[i]
        vis = [(pts[k][2] >= 0.25) if D == 3 else not (pts[k][0] == 0 and pts[k][1] == 0) for k in range(K)]
        for k in range(K):
            if not vis[k]:
                continue
            x, y = int(pts[k][0]), int(pts[k][1])
            col = POSE[KPT_COLOR[k]] if K == 17 else GENERAL_RGB[k % 20]
            painted[(x, y)] = {"kind": "kpt", "det": i, "k": k, "x": x, "y": y, "expected": list(col)}
        if K == 17:
            for a, b, c in SKELETON:
                a, b = a - 1, b - 1
                if not (vis[a] and vis[b]):
                    continue
                x1, y1, x2, y2 = int(pts[a][0]), int(pts[a][1]), int(pts[b][0]), int(pts[b][1])
                if min(x1, y1, x2, y2) < 0:
                    continue
                mx, my = (x1 + x2) // 2, (y1 + y2) // 2
                # Move the probe to the pixel closest to the segment (integer rounding can put it half off).
                dx, dy = x2 - x1, y2 - y1
                if abs(dx) >= abs(dy) and dx != 0:
                    my = int(round(y1 + (mx - x1) * dy / dx))
                elif dy != 0:
                    mx = int(round(x1 + (my - y1) * dx / dy))
                painted[(mx, my)] = {"kind": "limb", "det": i, "pair": [a, b], "x": mx, "y": my,
                                     "expected": list(POSE[c])}
    probes = []
    for (x, y), p in painted.items():
        if not (0 <= x < w and 0 <= y < h):
            continue
        ref = [int(v) for v in plotted[y, x]]
        p["reference"] = ref
        p["solid"] = max(abs(a - b) for a, b in zip(ref, p["expected"])) <= 2
        probes.append(p)
    # Label rectangles as the reference lays them out (for excluding text from pixel comparisons).
    tf = max(lw - 1, 1)
    sf = lw / 3
    labels = []
    for b in boxes:
        label = f"{r.names[int(b[5])]} {b[4]:.2f}"
        tw, th = cv2.getTextSize(label, 0, fontScale=sf, thickness=tf)[0]
        th += 3
        x1, y1 = int(b[0]), int(b[1])
        outside = y1 >= th
        if x1 > w - tw:
            x1 = w - tw
        y2 = y1 - th if outside else y1 + th
        labels.append([x1, min(y1, y2), x1 + tw, max(y1, y2)])
    # Crops as save_crop writes them: [folder, file, h, w] per file, sorted by folder then file name.
    import tempfile
    crops = []
    with tempfile.TemporaryDirectory() as td:
        r.save_crop(save_dir=td, file_name=Path("crop.jpg"))
        for f in sorted(Path(td).rglob("*.jpg")):
            ch, cw = cv2.imread(str(f)).shape[:2]
            crops.append([f.parent.name, f.name, int(ch), int(cw)])
    cv2.imwrite(str(OUT / f"{name}.png"), plotted, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return {"name": name, "image": image_rel, "checkpoint": Path(model_path).name, "checkpoint_sha256": sha256(model_path),
            "predict_args": predict_kw, "orig_shape": [h, w], "line_width": line_width, "lw": lw,
            "kpt_shape": [int(K), int(D)], "names": {str(k): v for k, v in r.names.items()},
            "detections": dets, "probes": probes, "label_boxes": labels,
            "crops": crops}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=None)
    args = ap.parse_args()
    fixtures = REPO / "Tests" / "Fixtures"
    ckpt = Path(args.checkpoint) if args.checkpoint else (
        fixtures / "overfit-n-pose.pt" if (fixtures / "overfit-n-pose.pt").exists() else fixtures / "tiny-k5-pose.pt")
    cfg = Path(os.environ["YOLO_CONFIG_DIR"]) / "Ultralytics"
    cfg.mkdir(parents=True, exist_ok=True)
    font = cfg / "Arial.ttf"
    if not font.exists():
        shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", font)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [
        make_case(ckpt, "val-000000000110", "val/000000000110.jpg"),
        make_case(ckpt, "train-000000000049-lw4", "train/000000000049.jpg", line_width=4),
        make_case(fixtures / "tiny-k5-pose.pt", "k5-val-000000000113", "val/000000000113.jpg", max_det=6),
    ]
    import ultralytics
    import torch
    doc = {"reference": f"ultralytics {ultralytics.__version__}, torch {torch.__version__}, opencv {cv2.__version__}",
           "call": "YOLO(checkpoint).predict(image, verbose=False, **predict_args)[0].plot(line_width=line_width)",
           "cases": cases}
    (OUT / "cases.json").write_text(json.dumps(doc, indent=1) + "\n")
    for c in cases:
        print(c["name"], c["checkpoint"], "n =", len(c["detections"]), "probes =", len(c["probes"]),
              "solid =", sum(p["solid"] for p in c["probes"]), file=sys.stderr)


if __name__ == "__main__":
    main()
