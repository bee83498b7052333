#!/usr/bin/env python3
"""Generate Tests/Fixtures/val_outputs/: the reference's val save_json / save_txt output, pycocotools scores of the
reference's and our predictions.json, and a 5-keypoint dataset derived from coco8-pose with reference metrics.

Pinned reference environment (the venv at /work/refvenv):
    ultralytics==8.4.190  torch==2.15.0  numpy 2.4.6  pycocotools 2.0.11 (`/work/refvenv/bin/pip install pycocotools`)

How to run (from the repository root, after `swift build -c release --product yolo`):
    /work/refvenv/bin/python Scripts/reference/make_val_output_fixtures.py

Options:
    --dataset DIR   coco8-pose root (default /work/shared/datasets/coco8-pose; read only, never written)
    --out DIR       output directory (default Tests/Fixtures/val_outputs)
    --yolo PATH     our CLI binary (default .build/release/yolo); when missing, the "ours" COCO scores are skipped

The shared dataset is never written: the reference writes labels/val.cache next to the label files, so every run
points at a temporary mirror whose images/ and labels/ folders hold symlinks (or generated label files).

Runs (all batch=16, plots=False, one torch thread, in a temporary cwd):
  1. overfit-n-pose.pt on coco8-pose val, imgsz 640, save_json=True, save_txt=True, save_conf=True.
     Stored: predictions.json (as written) and labels/<stem>.txt (as written; with save_conf the confidence is the
     last field, so the save_conf=False lines are these lines without their last field).
  2. Our CLI on the same data: `yolo pose val model=… data=… imgsz=640 batch=16 save_json=True project=<tmp>`.
  3. pycocotools: a COCO GT json rebuilt from the YOLO labels (original pixels; area = w·h·0.53; keypoints with
     their 0/1/2 visibility; num_keypoints = count of v > 0), then COCOeval 'bbox' and 'keypoints' on both
     predictions.json files. coco_scores.json holds stats[0..11] per iou type for "reference" and "ours", and the
     reference run's internal metrics for comparison.
  4. coco8-kpt5: the coco8-pose val labels with class 0 only and the first 5 keypoints (nose, eyes, ears) written to
     coco8-kpt5/labels/val/*.txt; kpt_shape [5, 3], flip_idx [0, 2, 1, 4, 3], kpt_oks_sigmas = the COCO sigmas of
     those 5 keypoints, names {0: person, 1: other}. tiny-k5-pose.pt validated at imgsz 320 and 640:
     kpt5_metrics.json = {imgsz: {results_dict, seen, instances, n_pred, n_conf_ties, ...}}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import refenv  # noqa: E402,F401  (offline settings and font; before ultralytics)


import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from ultralytics import YOLO  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[2]
FLIP17 = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
COCO_SIGMAS = [.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89]
KPT5_SIGMAS = [s / 10.0 for s in COCO_SIGMAS[:5]]
KPT5_FLIP = [0, 2, 1, 4, 3]
METRIC_KEYS = ["metrics/precision(B)", "metrics/recall(B)", "metrics/mAP50(B)", "metrics/mAP50-95(B)",
               "metrics/precision(P)", "metrics/recall(P)", "metrics/mAP50(P)", "metrics/mAP50-95(P)"]
STAT_NAMES = ["AP", "AP50", "AP75", "APs|APm", "APm|APl", "APl|AR", "AR1|AR50", "AR10|AR75", "AR100|ARm", "ARs|ARl",
              "ARm", "ARl"]


def write_yaml(path: Path, root: Path, kpt_shape, flip_idx, names: dict, sigmas=None) -> None:
    text = f"path: {root}\ntrain: images/val\nval: images/val\nkpt_shape: {list(kpt_shape)}\nflip_idx: {list(flip_idx)}\n"
    text += "names:\n" + "".join(f"  {k}: {v}\n" for k, v in names.items())
    if sigmas is not None:
        text += f"kpt_oks_sigmas: {[float(s) for s in sigmas]}\n"
    path.write_text(text)


def mirror(src: Path, dst: Path, labels_from: Path | None = None) -> None:
    """images/val (symlinks) and labels/val (symlinks to labels_from or the source labels)."""
    for sub in ("images/val", "labels/val"):
        (dst / sub).mkdir(parents=True)
    for f in sorted((src / "images/val").iterdir()):
        (dst / "images/val" / f.name).symlink_to(f.resolve())
    lab = labels_from or (src / "labels/val")
    for f in sorted(lab.glob("*.txt")):
        (dst / "labels/val" / f.name).symlink_to(f.resolve())


def coco_gt(root: Path, out: Path) -> None:
    """COCO keypoint GT from YOLO labels (original pixels, area = w*h*0.53)."""
    images, anns = [], []
    for im in sorted((root / "images/val").iterdir()):
        w, h = Image.open(im).size
        iid = int(im.stem)
        images.append({"id": iid, "file_name": im.name, "width": w, "height": h})
        lab = root / "labels/val" / (im.stem + ".txt")
        for line in lab.read_text().splitlines():
            v = [float(x) for x in line.split()]
            cx, cy, bw, bh = v[1] * w, v[2] * h, v[3] * w, v[4] * h
            k = np.array(v[5:]).reshape(-1, 3)
            kp = []
            for x, y, s in k:
                kp += [x * w, y * h, int(s)]
            anns.append({"id": len(anns) + 1, "image_id": iid, "category_id": int(v[0]) + 1,
                         "bbox": [cx - bw / 2, cy - bh / 2, bw, bh], "area": bw * bh * 0.53, "iscrowd": 0,
                         "keypoints": kp, "num_keypoints": int((k[:, 2] > 0).sum())})
    cats = [{"id": 1, "name": "person", "supercategory": "person",
             "keypoints": [str(i) for i in range(17)], "skeleton": []}]
    out.write_text(json.dumps({"images": images, "annotations": anns, "categories": cats}))


def coco_score(gt_json: Path, pred_json: Path) -> dict:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt = COCO(str(gt_json))
    dt = gt.loadRes(str(pred_json))
    res = {}
    for t in ("bbox", "keypoints"):
        e = COCOeval(gt, dt, t)
        e.evaluate()
        e.accumulate()
        e.summarize()
        res[t] = [float(x) for x in e.stats]
    return res


def ref_val(ck: str, yaml: Path, imgsz: int, project: Path, name: str, **kw):
    m = YOLO(str(REPO / "Tests/Fixtures" / ck))
    return m.val(data=str(yaml), imgsz=imgsz, batch=16, plots=False, project=str(project), name=name,
                 exist_ok=True, **kw)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="/work/shared/datasets/coco8-pose")
    ap.add_argument("--out", default=str(REPO / "Tests/Fixtures/val_outputs"))
    ap.add_argument("--yolo", default=str(REPO / ".build/release/yolo"))
    args = ap.parse_args()
    src, out = Path(args.dataset), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        os.chdir(tmp)
        # 1. reference save_json + save_txt
        ds = tmp / "coco8-pose"
        mirror(src, ds)
        yaml = tmp / "coco8-pose.yaml"
        write_yaml(yaml, ds, [17, 3], FLIP17, {0: "person"})
        r = ref_val("overfit-n-pose.pt", yaml, 640, tmp / "runs", "ref", save_json=True, save_txt=True, save_conf=True)
        ref_dir = tmp / "runs/ref"
        shutil.copy(ref_dir / "predictions.json", out / "predictions.json")
        if (out / "labels").exists():
            shutil.rmtree(out / "labels")
        shutil.copytree(ref_dir / "labels", out / "labels")
        internal = {k: float(r.results_dict[k]) for k in METRIC_KEYS}

        # 2. our CLI
        ours = None
        if Path(args.yolo).exists():
            cmd = [args.yolo, "pose", "val", f"model={REPO / 'Tests/Fixtures/overfit-n-pose.pt'}", f"data={yaml}",
                   "imgsz=640", "batch=16", "save_json=True", f"project={tmp / 'runs'}", "name=ours", "exist_ok=True"]
            subprocess.run(cmd, check=True)
            ours = tmp / "runs/ours/predictions.json"
        else:
            print(f"WARNING: {args.yolo} not found; skipping the 'ours' COCO scores")

        # 3. pycocotools
        gt = tmp / "gt.json"
        coco_gt(ds, gt)
        scores = {"stat_names_bbox": ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm",
                                      "ARl"],
                  "stat_names_keypoints": ["AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl"],
                  "internal": internal, "reference": coco_score(gt, ref_dir / "predictions.json")}
        if ours is not None:
            scores["ours"] = coco_score(gt, ours)
        (out / "coco_scores.json").write_text(json.dumps(scores, indent=1))

        # 4. coco8-kpt5
        lab_out = out / "coco8-kpt5/labels/val"
        if lab_out.exists():
            shutil.rmtree(lab_out)
        lab_out.mkdir(parents=True)
        for f in sorted((src / "labels/val").glob("*.txt")):
            lines = []
            for line in f.read_text().splitlines():
                v = line.split()
                if v and v[0] == "0":
                    lines.append(" ".join(v[:5 + 5 * 3]))
            (lab_out / f.name).write_text("".join(x + "\n" for x in lines))
        ds5 = tmp / "coco8-kpt5"
        mirror(src, ds5, labels_from=lab_out)
        yaml5 = tmp / "coco8-kpt5.yaml"
        write_yaml(yaml5, ds5, [5, 3], KPT5_FLIP, {0: "person", 1: "other"}, KPT5_SIGMAS)
        res5 = {"config": {"checkpoint": "tiny-k5-pose.pt", "batch": 16, "kpt_shape": [5, 3], "flip_idx": KPT5_FLIP,
                           "kpt_oks_sigmas": KPT5_SIGMAS, "names": {"0": "person", "1": "other"}}}
        for imgsz in (320, 640):
            name = f"k5-{imgsz}"
            v = ref_val("tiny-k5-pose.pt", yaml5, imgsz, tmp / "runs", name, save_json=True)
            preds = json.loads((tmp / "runs" / name / "predictions.json").read_text())
            conf = np.array([p["score"] for p in preds])
            _, counts = np.unique(conf, return_counts=True)
            res5[str(imgsz)] = {
                "results_dict": {k: float(v.results_dict[k]) for k in METRIC_KEYS},
                "fitness": float(v.fitness),
                "seen": int(v.seen) if hasattr(v, "seen") else None,
                "nt_per_class": [int(x) for x in v.nt_per_class] if hasattr(v, "nt_per_class") else None,
                "n_pred": len(preds),
                "n_pred_per_class": [int((np.array([p["category_id"] for p in preds]) == c + 1).sum()) for c in range(2)],
                "max_score": float(conf.max()) if len(conf) else None,
                "n_scores_shared_5dp": int(counts[counts > 1].sum()),
            }
        (out / "kpt5_metrics.json").write_text(json.dumps(res5, indent=1))
    print(json.dumps(scores, indent=1))
    print(json.dumps(res5, indent=1))


if __name__ == "__main__":
    main()
