#!/usr/bin/env python3
"""Generate the predict-mode reference fixtures in Tests/Fixtures/predict/ by running the reference implementation.

Pinned reference environment (the venv at /work/refvenv):
    ultralytics==8.4.190  torch==2.15.0  torchvision 0.29.2  numpy 2.4.6

How to run (from the repository root):
    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_predict_fixtures.py

    (YOLO_OFFLINE / YOLO_CONFIG_DIR are set by the script when unset, and a system .ttf is copied to
    $YOLO_CONFIG_DIR/Ultralytics/Arial.ttf when none is there, so the reference package makes no network calls.)
    Takes about 30 s on 2 CPU cores.

Also writes plot-000000000110.png / .json (results[0].plot() of overfit-n-pose) for the plotting tests.

Options:
    --dataset DIR   coco8-pose root (default /work/shared/datasets/coco8-pose; read only, never written)
    --out DIR       output directory (default Tests/Fixtures/predict)
    --skip-cli      do not make console.txt (the CLI run is the slowest step)

Inputs: the checkpoints Tests/Fixtures/{rand-n-pose,trained-n-pose,tiny-k5-pose,tiny-k12d2-pose,overfit-n-pose}.pt, made by
make_fixtures.py. Everything that writes files (save_txt runs, the CLI run) runs in a temporary cwd with an absolute
`project`, so no runs/ folder appears in the repository.

Determinism: predict has no randomness. Forwards run on one torch thread (torch.set_num_threads(1)), as in
make_fixtures.py; round-off at the 1e-6 level can otherwise depend on the thread count. Two runs gave byte-identical
predictions.json and save_txt files. console.txt differs between runs only in the timing numbers (and it contains
the absolute paths of the temporary folder / dataset).

The reference package is used only as a black box (YOLO(...).predict and the `yolo` CLI).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import refenv  # noqa: E402,F401  (offline settings and font; before ultralytics)


import numpy as np  # noqa: E402
import torch  # noqa: E402
from ultralytics import YOLO  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[2]
CHECKPOINTS = ["rand-n-pose", "trained-n-pose", "tiny-k5-pose", "tiny-k12d2-pose", "overfit-n-pose"]
IMGSZ = [640, 320]
CONFS = [0.25, 0.05]
# Extra configurations that exercise the class filter, class-agnostic NMS and max_det (tiny-k5 has nc=2).
EXTRAS = [
    ("tiny-k5-pose", 640, 0.05, {"classes": [1]}),
    ("tiny-k5-pose", 640, 0.05, {"agnostic_nms": True}),
    ("tiny-k5-pose", 640, 0.05, {"max_det": 5}),
    # trained-n-pose has no score above ~0.0123, so it gives nothing at 0.25 / 0.05. This one gives it detections.
    ("trained-n-pose", 640, 0.005, {}),
    # overfit-n-pose behaves like a real detector on these 8 images (it was trained on all of them): a few confident,
    # distinct-scored people per image plus overlapping lower-scored boxes, so max_det / iou / agnostic / classes bite.
    ("overfit-n-pose", 640, 0.25, {"max_det": 3}),
    ("overfit-n-pose", 640, 0.25, {"iou": 0.3}),
    ("overfit-n-pose", 640, 0.25, {"agnostic_nms": True}),
    ("overfit-n-pose", 640, 0.25, {"classes": [0]}),
]
ALL_IMAGES = [f"{d}/{n}.jpg" for d, ns in (("train", ("000000000036", "000000000049", "000000000077", "000000000086")),
                                         ("val", ("000000000110", "000000000113", "000000000136", "000000000151")))
              for n in ns]
# save_txt / save_conf label files (imgsz 640, conf 0.25). The tiny models: one portrait image (h640 x w416: xywhn/xyn
# divide x by 416 and y by 640, so swapped axes show up), 300 lines each. overfit-n-pose: all 8 images.
SAVE_TXT_IMAGES = {
    "tiny-k5-pose": ["val/000000000113.jpg"],
    "tiny-k12d2-pose": ["val/000000000113.jpg"],
    "overfit-n-pose": ALL_IMAGES,
}
# The annotated-image fixture: results[0].plot() for one image.
PLOT_CHECKPOINT, PLOT_IMAGE, PLOT_IMGSZ, PLOT_CONF = "overfit-n-pose", "val/000000000110.jpg", 640, 0.25
# Spec §5: pose palette (written into the BGR image as listed) and the keypoint -> palette index map for K = 17.
POSE_PALETTE = [(255, 128, 0), (255, 153, 51), (255, 178, 102), (230, 230, 0), (255, 153, 255), (153, 204, 255),
                (255, 102, 255), (255, 51, 255), (102, 178, 255), (51, 153, 255), (255, 153, 153), (255, 102, 102),
                (255, 51, 51), (153, 255, 153), (102, 255, 102), (51, 255, 51), (0, 255, 0), (0, 0, 255), (255, 0, 0),
                (255, 255, 255)]
KPT_PALETTE_INDEX = [16] * 5 + [0] * 6 + [9] * 6
KPT_CONF_THRES = 0.25
# The tiny models keep up to 300 detections per image, ~60-95 kB of JSON per image and configuration. To stay near
# ~2 MB, their detections are stored for these two images only (n / orig_shape / input_shape for all eight):
#   000000000049 (h500 x w381, scaled UP by 1.28 at 640) and 000000000113 (h640 x w416, portrait, no padding).
# (000000000077, landscape h375 x w500 padded to 480x640, was dropped when overfit-n-pose was added: that checkpoint
# stores all eight images, landscape ones included.) rand-n / trained-n / overfit-n store all eight images.
TINY_DETAIL_IMAGES = {"000000000049.jpg", "000000000113.jpg"}


def f32(x) -> float:
    """A float32 value as the shortest Python float that round-trips through float32 (repr of np.float32)."""
    return float(str(np.float32(x)))


def config_name(ck: str, imgsz: int, conf: float, extra: dict) -> str:
    name = f"{ck}_{imgsz}_conf{conf:g}"
    for k, v in extra.items():
        name += f"_{k}=" + (",".join(map(str, v)) if isinstance(v, list) else str(v))
    return name


def run_config(pt: Path, images: list[Path], imgsz: int, conf: float, extra: dict, detail: set | None) -> list[dict]:
    """Predict each image on its own (as the CLI does for a folder with batch 1); capture the letterboxed input shape."""
    model = YOLO(str(pt))
    shapes: list[tuple[int, int]] = []
    hooked = set()

    def on_start(predictor):
        if id(predictor.model) not in hooked:  # the predictor (and its AutoBackend) is reused across calls
            predictor.model.register_forward_pre_hook(lambda mod, args: shapes.append(tuple(args[0].shape)))
            hooked.add(id(predictor.model))

    model.add_callback("on_predict_start", on_start)
    out = []
    for img in images:
        n_before = len(shapes)
        r = model.predict(source=str(img), imgsz=imgsz, conf=conf, verbose=False, save=False, **extra)
        assert len(r) == 1
        r = r[0]
        assert len(shapes) == n_before + 1, "expected exactly one forward per image"
        b, c, h, w = shapes[-1]
        assert b == 1 and c == 3
        data = r.boxes.data.numpy()
        kp = r.keypoints.data.numpy() if r.keypoints is not None else np.zeros((0, 0, 0), np.float32)
        dets = []
        for i in range(len(data)):
            dets.append(
                {
                    "xyxy": [f32(v) for v in data[i, :4]],
                    "conf": f32(data[i, 4]),
                    "cls": int(data[i, 5]),
                    "keypoints": [[f32(v) for v in row] for row in kp[i]],
                }
            )
        out.append(
            {
                "file": img.name,
                "source": f"images/{img.parent.name}/{img.name}",
                "orig_shape": [int(v) for v in r.orig_shape],
                "input_shape": [int(h), int(w)],
                "n": len(dets),
                **({"detections": dets} if detail is None or img.name in detail else {}),
            }
        )
    return out


def tie_stats(per_image: list[dict]) -> dict:
    """How many detections share their exact conf with another detection of the same image (tie-order sensitive)."""
    tied = 0
    for im in per_image:
        confs = [d["conf"] for d in im.get("detections", [])]
        counts: dict[float, int] = {}
        for c in confs:
            counts[c] = counts.get(c, 0) + 1
        tied += sum(v for v in counts.values() if v > 1)
    return {"detections_with_exactly_tied_conf": tied}


def cutoff_margins(pt: Path, images: list[Path], imgsz: int, conf: float, extra: dict, per_image: list[dict]) -> list:
    """For images that hit max_det: conf of the last kept detection minus conf of the first dropped one."""
    max_det = extra.get("max_det", 300)
    if not any(im["n"] >= max_det for im in per_image):
        return []
    model = YOLO(str(pt))
    res = []
    for img, im in zip(images, per_image):
        if im["n"] < max_det:
            res.append(None)
            continue
        r = model.predict(source=str(img), imgsz=imgsz, conf=conf, verbose=False, save=False, **{**extra, "max_det": 100000})[0]
        c = r.boxes.conf.numpy()
        if "detections" in im:
            assert np.array_equal(c[:max_det], np.array([d["conf"] for d in im["detections"]], np.float32))
        res.append({"post_nms_total": int(len(c)), "margin": f32(c[max_det - 1] - c[max_det])})
    return res


def make_predictions(dataset: Path, out: Path) -> dict:
    images = sorted((dataset / "images" / "train").glob("*.jpg")) + sorted((dataset / "images" / "val").glob("*.jpg"))
    assert len(images) == 8, images
    configs = [(ck, s, c, {}) for ck in CHECKPOINTS for s in IMGSZ for c in CONFS] + EXTRAS
    result = {
        "reference": "ultralytics 8.4.190, torch 2.15.0, torchvision 0.29.2, CPU, 1 thread",
        "call": "YOLO(pt).predict(source=<one image path>, imgsz=imgsz, conf=conf, verbose=False, save=False, **extra)",
        "defaults": {"iou": 0.7, "max_det": 300, "agnostic_nms": False, "classes": None},
        "images": [f"images/{p.parent.name}/{p.name}" for p in images],
        "configurations": [],
    }
    summary = []
    seen: dict[str, str] = {}
    for ck, s, c, extra in configs:
        pt = REPO / "Tests" / "Fixtures" / f"{ck}.pt"
        name = config_name(ck, s, c, extra)
        t0 = time.time()
        detail = TINY_DETAIL_IMAGES if ck.startswith("tiny") else None  # None: every image
        per_image = run_config(pt, images, s, c, extra, detail)
        key = ck + json.dumps(per_image)  # dedupe only within one checkpoint
        entry = {
            "name": name,
            "checkpoint": f"{ck}.pt",
            "imgsz": s,
            "conf": c,
            "extra": extra,
            "total_detections": sum(im["n"] for im in per_image),
            "per_image_n": [im["n"] for im in per_image],
            **tie_stats(per_image),  # counted over the images whose detections are stored
            "max_det_cutoff": cutoff_margins(pt, images, s, c, extra, per_image),
        }
        if key in seen:
            # Bit-identical to an earlier configuration of the same checkpoint (e.g. the tiny models score everything above 0.4, so
            # conf 0.05 and 0.25 give the same output). Stored once to keep the file small.
            entry["same_as"] = seen[key]
        else:
            seen[key] = name
            entry["images"] = per_image
        result["configurations"].append(entry)
        summary.append((name, entry["total_detections"], entry["per_image_n"], time.time() - t0))
        print(f"  {name}: {entry['total_detections']} detections {entry['per_image_n']} ({time.time() - t0:.1f}s)", flush=True)
    with open(out / "predictions.json", "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")
    return {"summary": summary}


def make_save_txt(dataset: Path, out: Path, tmp: Path) -> None:
    for ck, rels in SAVE_TXT_IMAGES.items():
        for save_conf, folder in ((False, "save_txt"), (True, "save_txt_conf")):
            model = YOLO(str(REPO / "Tests" / "Fixtures" / f"{ck}.pt"))
            proj = tmp / "txt"
            name = f"{ck}-{folder}"
            for rel in rels:
                model.predict(source=str(dataset / "images" / rel), imgsz=640, conf=0.25, save=False, save_txt=True,
                              save_conf=save_conf, project=str(proj), name=name, exist_ok=True, verbose=False)
            src = proj / name / "labels"
            dst = out / folder / ck
            if dst.exists():
                shutil.rmtree(dst)
            dst.mkdir(parents=True)
            for p in sorted(src.glob("*.txt")):
                shutil.copy(p, dst / p.name)
            print(f"  {folder}/{ck}: {sorted(p.name for p in dst.iterdir())}", flush=True)


def make_plot(dataset: Path, out: Path) -> None:
    """results[0].plot() as a lossless PNG, plus the drawn keypoint centres and their expected colours (spec §5)."""
    import cv2

    model = YOLO(str(REPO / "Tests" / "Fixtures" / f"{PLOT_CHECKPOINT}.pt"))
    r = model.predict(source=str(dataset / "images" / PLOT_IMAGE), imgsz=PLOT_IMGSZ, conf=PLOT_CONF, verbose=False,
                      save=False)[0]
    im = r.plot()  # BGR uint8, all defaults (boxes, labels, conf, kpt_radius 5, kpt_line, line_width auto)
    assert im.dtype == np.uint8 and im.shape == (*r.orig_shape, 3), (im.dtype, im.shape)
    stem = Path(PLOT_IMAGE).stem
    png = out / f"plot-{stem}.png"
    assert cv2.imwrite(str(png), im, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert np.array_equal(cv2.imread(str(png), cv2.IMREAD_COLOR), im), "PNG round trip is not lossless"
    h, w = r.orig_shape
    data = r.boxes.data.numpy()
    kp = r.keypoints.data.numpy()
    persons, n_pts, n_match = [], 0, 0
    for i in range(len(data)):
        pts = []
        for j, (x, y, v) in enumerate(kp[i]):
            if v < KPT_CONF_THRES:
                continue
            px, py = int(x), int(y)
            expected = list(POSE_PALETTE[KPT_PALETTE_INDEX[j]])
            actual = im[py, px].tolist() if 0 <= px < w and 0 <= py < h else None
            pts.append({"k": j, "x": f32(x), "y": f32(y), "v": f32(v), "px": px, "py": py, "expected_bgr": expected,
                        "pixel_bgr": actual, "pixel_matches": actual == expected})
            n_pts += 1
            n_match += actual == expected
        persons.append({"index": i, "conf": f32(data[i, 4]), "cls": int(data[i, 5]),
                        "xyxy": [f32(v) for v in data[i, :4]],
                        "box_int": [int(v) for v in data[i, :4]], "drawn_keypoints": pts})
    info = {
        "checkpoint": f"{PLOT_CHECKPOINT}.pt",
        "source": f"images/{PLOT_IMAGE}",
        "call": f"YOLO(pt).predict(source=<path>, imgsz={PLOT_IMGSZ}, conf={PLOT_CONF}, verbose=False, save=False)[0].plot()",
        "png": png.name,
        "shape": list(im.shape),
        "line_width": max(round(sum(im.shape) / 2 * 0.003), 2),
        "kpt_radius": 5,
        "kpt_conf_thres": KPT_CONF_THRES,
        "note": "persons in result order (index 0 = highest conf, drawn last). For every keypoint with v >= 0.25: the "
                "circle centre (px, py) = (int(x), int(y)), the colour expected from spec §5 (pose palette, BGR as "
                "written), and the pixel actually found there in the PNG. pixel_matches is false where a limb or a "
                "later-drawn person covers the centre.",
        "persons": persons,
    }
    (out / f"plot-{stem}.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"  {png.name}: {im.shape}, {png.stat().st_size:,} bytes; {len(persons)} persons, {n_pts} drawn keypoints, "
          f"{n_match} centre pixels equal the expected colour", flush=True)


def make_console(dataset: Path, out: Path, tmp: Path) -> None:
    yolo = Path(sys.executable).parent / "yolo"
    pt = REPO / "Tests" / "Fixtures" / "tiny-k5-pose.pt"
    cwd = tmp / "cli"
    cwd.mkdir()
    # The relative model path of the brief (Tests/Fixtures/tiny-k5-pose.pt) is recreated inside the temp cwd.
    (cwd / "Tests" / "Fixtures").mkdir(parents=True)
    shutil.copy(pt, cwd / "Tests" / "Fixtures" / pt.name)
    cmd = [str(yolo), "pose", "predict", "model=Tests/Fixtures/tiny-k5-pose.pt", f"source={dataset / 'images' / 'val'}",
           "imgsz=640", "conf=0.25", "save_txt=True"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(out / "console.txt", "w") as f:
        f.write("$ cd <tmp> && yolo " + " ".join(cmd[1:]) + "\n")
        f.write(f"# cwd: {cwd}   exit code: {p.returncode}\n")
        f.write("# ---- stdout ----\n")
        f.write(p.stdout)
        f.write("# ---- stderr ----\n")
        f.write(p.stderr)
    runs = sorted(str(q.relative_to(cwd)) for q in cwd.rglob("*") if q.is_file() and "runs" in q.parts)
    print(f"  console.txt: {len(p.stdout.splitlines())} stdout / {len(p.stderr.splitlines())} stderr lines; "
          f"files written: {runs}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="/work/shared/datasets/coco8-pose")
    ap.add_argument("--out", default=str(REPO / "Tests" / "Fixtures" / "predict"))
    ap.add_argument("--skip-cli", action="store_true")
    a = ap.parse_args()
    dataset, out = Path(a.dataset), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    old_cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="predict-fixtures-") as td:
        tmp = Path(td)
        os.chdir(tmp)  # anything the reference writes by default (runs/...) lands here
        try:
            print("predictions.json", flush=True)
            info = make_predictions(dataset, out)
            print("save_txt", flush=True)
            make_save_txt(dataset, out, tmp)
            print("plot", flush=True)
            make_plot(dataset, out)
            if not a.skip_cli:
                print("console.txt", flush=True)
                make_console(dataset, out, tmp)
        finally:
            os.chdir(old_cwd)
    print("\nSummary: configuration -> total detections over the 8 images (per image)")
    w = max(len(n) for n, *_ in info["summary"])
    for name, tot, per, _ in info["summary"]:
        print(f"  {name:<{w}}  {tot:5d}  {per}")
    print(f"\ntotal runtime {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
