#!/usr/bin/env python3
"""Generate the validation-metrics fixtures in Tests/Fixtures/val/ by running the reference PoseValidator.

Pinned reference environment (the venv at /work/refvenv):
    ultralytics==8.4.190  torch==2.15.0  numpy 2.4.6

How to run (from the repository root):
    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_val_fixtures.py

    (YOLO_OFFLINE / YOLO_CONFIG_DIR are set by the script when unset, and a system .ttf is copied to
    $YOLO_CONFIG_DIR/Ultralytics/Arial.ttf when none is there, so the reference package makes no network calls.)
    Takes about a minute on 2 CPU cores.

Options:
    --dataset DIR   coco8-pose root (default /work/shared/datasets/coco8-pose; read only, never written)
    --out DIR       output directory (default Tests/Fixtures/val)

The shared dataset is never written: the reference rebuilds labels/val.cache next to the label files whenever the
stored cache's hash (which covers the file paths) does not match, so the script first makes a temporary mirror of the
dataset whose images/ and labels/ folders hold symlinks to the shared files; the cache is then written in the mirror.

What it does. For each configuration it writes a data YAML into a temporary folder (path: the mirror root, val:
images/val, kpt_shape [17, 3], flip_idx, names {0: person}, plus kpt_oks_sigmas for the override case) and runs
`YOLO(checkpoint).val(data=..., imgsz=..., batch=16, plots=False, project=<tmp>)` in a temporary cwd.
It observes the run from outside, without changing what the validator computes:
  * the per-image matching inputs and outputs, by wrapping the validator's per-image batch-processing method
    (inputs: GT boxes xyxy / keypoints / classes in letterboxed input pixels, predictions straight from NMS;
    outputs: tp and tp_p);
  * the per-image stats dicts passed to the metrics object's stats update (tp, tp_p, conf, pred_cls, target_cls,
    target_img), concatenated in order;
  * after the run: the per-class p, r, ap50, all_ap (nc x 10) of box and pose, ap_class_index, the 8 mean metrics,
    fitness and results_dict;
  * the printed lines: the table header (the validator's description string, which the progress bar shows) and the
    "all" row (captured from the package logger).

Output: matching.json (random GT x pred similarity matrices on a 0.05 grid with classes, and the tp matrix the
validator's matching method returns for them), format.json (Python's "%11.3g" / "%11i" / "%22s" of a few values; nan and inf are given as strings), and
one JSON per configuration (see CONFIGS):
  {config: {...}, header, row, results_dict, fitness, box: {p, r, ap50, ap, all_ap, ap_class_index},
   pose: {...}, seen, nt_per_class, nt_per_image, sigmas,
   stats: {tp: ["1110000000", ...], tp_p: [...], conf: [...], pred_cls: [...], target_cls: [...], ref_order: [...]},
   images: [{name, imgsz, gt_boxes, gt_cls, gt_kpts, pred_boxes, pred_conf, pred_cls, pred_kpts, tp, tp_p,
             n_pred_total, iou, oks}]}
  iou / oks are the GT x pred similarity matrices from the reference's box-IoU and keypoint-OKS functions applied to
  the stored inputs (area = GT w*h*0.53, the run's sigmas), before the class mask.
  ref_order is np.argsort(-conf) (numpy's default, unstable sort) of the concatenated stats, i.e. the order the
  reference's AP code visits predictions in; ties among equal confidences are ordered by that sort, not by position.
  Float32 values are written as the shortest decimal that round-trips through float32. Per-image inputs keep at most
  MAX_IMAGE_PREDS predictions per image (the first ones, i.e. the most confident: greedy matching of a prefix does
  not depend on the predictions after it, so their tp rows are exact), and only the images listed per configuration.

Determinism: validation has no randomness; forwards run on one torch thread.
The reference package is used only as a black box (YOLO(...).val plus observing method calls).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import refenv  # noqa: E402,F401  (offline settings and font; before ultralytics)


import numpy as np  # noqa: E402
import torch  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.models.yolo.pose.val import PoseValidator  # noqa: E402
from ultralytics.utils import LOGGER  # noqa: E402
from ultralytics.utils.metrics import PoseMetrics, box_iou, kpt_iou  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[2]
FLIP_IDX = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
# A non-COCO sigma set (17 positive values) for the kpt_oks_sigmas override case.
OVERRIDE_SIGMAS = [0.05, 0.04, 0.04, 0.06, 0.06, 0.1, 0.1, 0.09, 0.09, 0.08, 0.08, 0.12, 0.12, 0.1, 0.1, 0.11, 0.11]
ALL_VAL = ["000000000110.jpg", "000000000113.jpg", "000000000136.jpg", "000000000151.jpg"]
MAX_IMAGE_PREDS = 60
# (name, checkpoint, imgsz, sigmas override, images whose matching inputs are stored)
CONFIGS = [
    ("overfit-640", "overfit-n-pose", 640, None, ALL_VAL),
    ("overfit-320", "overfit-n-pose", 320, None, ["000000000110.jpg", "000000000136.jpg"]),
    ("overfit-640-sigmas", "overfit-n-pose", 640, OVERRIDE_SIGMAS, ALL_VAL),
    ("trained-640", "trained-n-pose", 640, None, ["000000000110.jpg", "000000000151.jpg"]),
    ("trained-320", "trained-n-pose", 320, None, []),
]


def f32(x) -> float:
    """A float32 value as the shortest Python float that round-trips through float32."""
    return float(str(np.float32(x)))


def f32list(a) -> list:
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return f32(a)
    return [f32list(x) for x in a] if a.ndim > 1 else [f32(x) for x in a]


def bits(a) -> list[str]:
    return ["".join("1" if v else "0" for v in row) for row in np.asarray(a, dtype=bool)]


def to_np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def run_config(name, ck, imgsz, sigmas, detail_images, dataset: Path, tmp: Path) -> dict:
    data = {"path": str(dataset), "train": "images/val", "val": "images/val", "kpt_shape": [17, 3],
            "flip_idx": FLIP_IDX, "names": {0: "person"}}
    if sigmas is not None:
        data["kpt_oks_sigmas"] = sigmas
    yaml_path = tmp / f"{name}.yaml"
    yaml_path.write_text(json.dumps(data))  # JSON is valid YAML

    per_image: list[dict] = []
    stats: list[dict] = []
    captured: dict = {}

    orig_process = PoseValidator._process_batch
    orig_update = PoseMetrics.update_stats
    orig_get_desc = PoseValidator.get_desc
    orig_finalize = PoseValidator.finalize_metrics

    def process_batch(self, preds, batch):
        out = orig_process(self, preds, batch)
        per_image.append({
            "name": Path(batch["im_file"]).name,
            "imgsz": [int(v) for v in batch["imgsz"]],
            "gt_boxes": to_np(batch["bboxes"]), "gt_cls": to_np(batch["cls"]), "gt_kpts": to_np(batch["keypoints"]),
            "pred_boxes": to_np(preds["bboxes"]), "pred_conf": to_np(preds["conf"]), "pred_cls": to_np(preds["cls"]),
            "pred_kpts": to_np(preds["keypoints"]), "tp": out["tp"], "tp_p": out["tp_p"],
        })
        captured["sigma"] = np.asarray(self.sigma, dtype=np.float32)
        return out

    def update_stats(self, stat):
        stats.append({k: np.asarray(stat[k]) for k in ("tp", "tp_p", "conf", "pred_cls", "target_cls", "target_img")})
        return orig_update(self, stat)

    def get_desc(self):
        s = orig_get_desc(self)
        captured["header"] = s
        return s

    def finalize(self):
        captured["validator"] = self
        return orig_finalize(self)

    rec = Recorder()
    LOGGER.addHandler(rec)
    PoseValidator._process_batch = process_batch
    PoseMetrics.update_stats = update_stats
    PoseValidator.get_desc = get_desc
    PoseValidator.finalize_metrics = finalize
    try:
        metrics = YOLO(str(REPO / "Tests" / "Fixtures" / f"{ck}.pt")).val(
            data=str(yaml_path), imgsz=imgsz, batch=16, plots=False, project=str(tmp / "runs"), name=name,
            verbose=True)
    finally:
        PoseValidator._process_batch = orig_process
        PoseMetrics.update_stats = orig_update
        PoseValidator.get_desc = orig_get_desc
        PoseValidator.finalize_metrics = orig_finalize
        LOGGER.removeHandler(rec)

    v = captured["validator"]
    rows = [ln for ln in rec.lines if ln.startswith(" " * 10) and ln.strip().startswith("all")]
    assert len(rows) == 1, rec.lines

    cat = {k: np.concatenate([s[k] for s in stats], 0) for k in stats[0]}
    assert len(per_image) == len(stats)
    for im, s in zip(per_image, stats):  # the matching outputs are exactly what reached the stats
        assert np.array_equal(im["tp"], s["tp"]) and np.array_equal(im["tp_p"], s["tp_p"])

    def metric(m) -> dict:
        return {"p": [float(x) for x in m.p], "r": [float(x) for x in m.r], "ap50": [float(x) for x in m.ap50],
                "ap": [float(x) for x in m.ap], "all_ap": [[float(x) for x in row] for row in m.all_ap],
                "ap_class_index": [int(x) for x in m.ap_class_index],
                "mp": float(m.mp), "mr": float(m.mr), "map50": float(m.map50), "map": float(m.map)}

    # The order in which the reference's AP code visits predictions: numpy's default (unstable) argsort of -conf.
    # Equal confidences are common for the trained-n-pose runs, and their relative order changes the curves.
    neg = -cat["conf"]
    ref_order = [int(i) for i in np.argsort(neg)]
    assert ref_order == [int(i) for i in np.argsort(neg)]  # deterministic on this machine

    images = []
    for im in per_image:
        if im["name"] not in detail_images:
            continue
        n = min(MAX_IMAGE_PREDS, len(im["pred_conf"]))
        # The similarity matrices (GT x pred) from the reference's own IoU / OKS functions on the same inputs.
        gtb, gtk = torch.from_numpy(im["gt_boxes"]), torch.from_numpy(im["gt_kpts"])
        ref_iou = box_iou(gtb, torch.from_numpy(im["pred_boxes"])).numpy()
        area = (gtb[:, 2] - gtb[:, 0]) * (gtb[:, 3] - gtb[:, 1]) * 0.53
        ref_oks = kpt_iou(gtk, torch.from_numpy(im["pred_kpts"]), sigma=captured["sigma"], area=area).numpy()
        images.append({
            "name": im["name"], "imgsz": im["imgsz"], "n_pred_total": int(len(im["pred_conf"])),
            "gt_boxes": f32list(im["gt_boxes"]), "gt_cls": [int(c) for c in im["gt_cls"]],
            "gt_kpts": f32list(im["gt_kpts"]),
            "pred_boxes": f32list(im["pred_boxes"][:n]), "pred_conf": f32list(im["pred_conf"][:n]),
            "pred_cls": [int(c) for c in im["pred_cls"][:n]], "pred_kpts": f32list(im["pred_kpts"][:n]),
            "tp": bits(im["tp"][:n]), "tp_p": bits(im["tp_p"][:n]),
            "iou": f32list(ref_iou[:, :n]), "oks": f32list(ref_oks[:, :n]),
        })

    return {
        "config": {"name": name, "checkpoint": f"{ck}.pt", "imgsz": imgsz, "batch": 16,
                   "kpt_oks_sigmas": sigmas, "max_image_preds": MAX_IMAGE_PREDS},
        "sigmas": f32list(captured["sigma"]),
        "header": captured["header"], "row": rows[0],
        "seen": int(v.seen), "nt_per_class": [int(x) for x in v.metrics.nt_per_class],
        "nt_per_image": [int(x) for x in v.metrics.nt_per_image],
        "results_dict": {k: float(x) for k, x in metrics.results_dict.items()},
        "fitness": float(metrics.fitness),
        "mean_results": [float(x) for x in metrics.mean_results()],
        "box": metric(metrics.box), "pose": metric(metrics.pose),
        "stats": {"tp": bits(cat["tp"]), "tp_p": bits(cat["tp_p"]), "conf": f32list(cat["conf"]),
                  "pred_cls": [int(c) for c in cat["pred_cls"]], "target_cls": [int(c) for c in cat["target_cls"]],
                  "conf_dtype": str(cat["conf"].dtype), "ref_order": ref_order},
        "images": images,
    }


# Values for the %11.3g / %11i / %22s formatting test (format.json): the printed row uses Python's %-formatting.
FORMAT_VALUES = [0.0, 1.0, 0.995, 0.9995, 0.99949, 0.5, 0.1, 0.123456, 0.0757, 0.07575, 0.00624, 0.000248, 0.000126,
                 0.0001, 0.00009999, 0.00001234, 1.5e-05, 1e-07, 2.5e-10, 0.0025, 0.00247, 0.2856285222330971,
                 0.5714285714285714, 10.0, 99.95, 123.4, 999.4, 999.5, 1234.5, 0.30649999999999999, 0.0014999,
                 0.00015, 0.0004995, 1e-16, float("nan"), float("inf"), -0.25]
FORMAT_INTS = [0, 4, 14, 123, 99999999999]
FORMAT_NAMES = ["all", "person", "a-very-long-class-name-longer-than-22"]


def matching_cases() -> list[dict]:
    """Greedy matching of random GT x pred similarity matrices by the validator's matching method (no model run).
    Values are drawn on a 0.05 grid (float32) so ties and similarities exactly at a threshold are common."""
    v = PoseValidator()
    rng = np.random.default_rng(0)
    cases = []
    for n_gt, n_pred, nc in [(2, 3, 1), (3, 5, 1), (4, 4, 2), (5, 12, 1), (6, 10, 2), (8, 30, 1), (3, 20, 3),
                             (10, 25, 2), (1, 6, 1), (7, 7, 1)]:
        for _ in range(3):
            sim = (rng.integers(0, 21, size=(n_gt, n_pred)) * 0.05).astype(np.float32)
            sim[rng.random((n_gt, n_pred)) < 0.3] = 0
            gt_cls = rng.integers(0, nc, size=n_gt)
            pred_cls = rng.integers(0, nc, size=n_pred)
            tp = v.match_predictions(torch.from_numpy(pred_cls.astype(np.float32)),
                                     torch.from_numpy(gt_cls.astype(np.float32)), torch.from_numpy(sim.copy()))
            cases.append({"similarity": f32list(sim), "gt_cls": gt_cls.tolist(), "pred_cls": pred_cls.tolist(),
                          "tp": bits(tp.cpu().numpy())})
    return cases


def format_cases() -> dict:
    return {"g": [[v if np.isfinite(v) else str(v), "%11.3g" % v] for v in FORMAT_VALUES],
            "i": [[v, "%11i" % v] for v in FORMAT_INTS],
            "s": [[v, "%22s" % v] for v in FORMAT_NAMES]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="/work/shared/datasets/coco8-pose")
    ap.add_argument("--out", default=str(REPO / "Tests" / "Fixtures" / "val"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "format.json").write_text(json.dumps(format_cases(), indent=0))
    (out / "matching.json").write_text(json.dumps(matching_cases(), separators=(",", ":")))
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        mirror = tmp / "coco8-pose"
        src = Path(args.dataset)
        for sub in ("images/val", "labels/val"):  # symlinked files only; no *.cache is copied
            (mirror / sub).mkdir(parents=True)
            for f in sorted((src / sub).iterdir()):
                (mirror / sub / f.name).symlink_to(f.resolve())
        os.chdir(tmp)
        try:
            for name, ck, imgsz, sigmas, detail in CONFIGS:
                res = run_config(name, ck, imgsz, sigmas, set(detail), mirror, tmp)
                (out / f"{name}.json").write_text(json.dumps(res, separators=(",", ":")))
                print(f"{name}: {len(res['stats']['conf'])} preds, {res['row']}")
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    main()
