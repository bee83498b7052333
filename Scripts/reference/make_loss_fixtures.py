#!/usr/bin/env python3
"""Generate the training-loss fixtures in Tests/Fixtures/train/ by running the reference v8 pose loss.

Pinned reference environment (the venv at /work/refvenv): ultralytics==8.4.190, torch==2.15.0, numpy 2.4.6.

How to run (from the repository root; about 10 s on 2 CPU cores):
    /work/refvenv/bin/python Scripts/reference/make_loss_fixtures.py

Options:
    --dataset DIR   coco8-pose root (default /work/shared/datasets/coco8-pose; read only, never written)
    --out DIR       output directory (default Tests/Fixtures/train)

What it does (the reference package is used as a black box: dataset, collate, model forward, its loss criterion,
autograd):
  1. The fixed batch. The 4 coco8-pose train images go through the reference's own training dataset
     (`build_yolo_dataset(mode="train")`) at imgsz 320 with every augmentation off (mosaic, mixup, hsv, flips,
     degrees/translate/scale/shear/perspective all 0), which amounts to a letterbox to 320x320, and are collated with
     the dataset's collate function in index order. The dataset reads a temporary mirror of symlinks (the reference
     writes labels/*.cache next to the labels).
  2. For each case (see CASES): the checkpoint is loaded with `YOLO(pt).model.float()` (fp16 weights cast to
     float32), every parameter gets requires_grad, `model.args` is the default hyperparameters (`get_cfg()`), the
     optional `kpt_oks_sigmas` is set on the model (as the pose trainer does from the data YAML), then
     `model.train()`, `preds = model(img.float() / 255)` and `loss, items = model.loss(batch, preds)`;
     `loss.sum().backward()`. The head outputs' gradients come from `retain_grad()` on the concatenated
     boxes/scores/kpts tensors. A forward hook on the assigner records its outputs.
Determinism: 1 torch thread; no randomness is involved (augmentation off, fixed checkpoints).

Files (float32 unless noted; NHWC for image-shaped arrays):
  batch-img.npy uint8 (4,320,320,3) RGB; batch-batch_idx.npy (M,); batch-cls.npy (M,1); batch-bboxes.npy (M,4)
  normalised xywh; batch-keypoints.npy (M,17,3) normalised x, y and raw visibility.
  <model>-raw-p{3,4,5}.npy: the train-mode head outputs of level l for the full 4-image batch (or the first
  `images` images), channels [box 64 | cls nc | kpt K*D]. synthetic-{160,256}-raw-p*.npy: the synthetic head outputs
  of those cases (see run_synthetic).
  <case>.json: {model (the prefix of its raw files), images, sigmas, items [box, pose, kobj, cls, dfl] (gain-weighted,
  without x B), total (loss.sum()), n_fg, tss, zero_metric_fg (foreground anchors whose alignment metric is 0, i.e.
  top-k ties at 0), labels {batch_idx, cls, bboxes, keypoints} actually given to the loss}.
  <case>-assign.npy (B, A, 2 + nc): fg_mask, target_gt_idx, target_scores per anchor.
  <case>-grad-cls.npy (B, A, nc): d total / d class logits (dense).
  <case>-grad-rows.npy (R, 1 + 64 + K*D): [b*A + a, d total / d box logits, d total / d keypoint raw] for every
  anchor with a nonzero box or keypoint gradient (all other anchors have exactly 0 there; checked).
  <case>-pgrad-<parameter>.npy: parameter gradients after backward (cases with `params`).
  topk.json: [{n, nonzero [[index, value]...], selected}]: torch.topk(k=10) index sets (ascending) of n-vectors that
  are 0 except at `nonzero`, with many ties.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import refenv  # noqa: F401  (offline settings and font; before ultralytics)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.cfg import get_cfg  # noqa: E402
from ultralytics.data import build_yolo_dataset  # noqa: E402
from ultralytics.data.utils import check_det_dataset  # noqa: E402
from ultralytics.utils.loss import v8PoseLoss  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[2]
FLIP_IDX = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
OVERRIDE_SIGMAS = [0.05, 0.04, 0.04, 0.06, 0.06, 0.1, 0.1, 0.09, 0.09, 0.08, 0.08, 0.12, 0.12, 0.1, 0.1, 0.11, 0.11]
NO_AUG = dict(mosaic=0.0, mixup=0.0, cutmix=0.0, copy_paste=0.0, hsv_h=0.0, hsv_s=0.0, hsv_v=0.0, fliplr=0.0,
              flipud=0.0, degrees=0.0, translate=0.0, scale=0.0, shear=0.0, perspective=0.0)
PARAMS_N = ["model.0.conv.weight", "model.0.bn.weight", "model.2.m.0.cv1.conv.weight", "model.9.cv2.conv.weight",
            "model.22.cv2.0.2.weight", "model.22.cv2.0.2.bias", "model.22.cv3.1.2.weight", "model.22.cv3.1.2.bias",
            "model.22.cv4.2.2.weight", "model.22.cv4.2.2.bias",
            # P5 has no foreground anchor in this batch (the two above are exactly 0), so also the P3/P4 keypoint convs
            "model.22.cv4.0.2.weight", "model.22.cv4.0.2.bias", "model.22.cv4.1.2.weight", "model.22.cv2.1.2.weight"]
PARAMS_TINY = PARAMS_N + ["model.0.bn.bias", "model.21.cv1.conv.weight"]


def f32(x) -> float:
    return float(str(np.float32(x)))


def f32list(a):
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return f32(a)
    return [f32list(x) for x in a] if a.ndim > 1 else [f32(x) for x in a]


def small_objects(batch: dict) -> dict:
    """The real labels plus synthetic objects: boxes narrower / lower than 16 px, one overlapping a real person,
    keypoints with v = 0 (x = y = 0, COCO style) and v = 1, and one object with no labelled keypoint."""
    S = 320.0
    rows = []  # (image, cls, cx, cy, w, h) in pixels, keypoints (K, 3) in pixels
    def kp(points):
        k = np.zeros((17, 3), np.float32)
        for i, (x, y, v) in points.items():
            k[i] = (x / S, y / S, v)
        return k
    rows.append((1, 0, 100.0, 60.0, 10.0, 8.0, kp({0: (99, 58, 2), 1: (101, 59, 1), 5: (97, 62, 2)})))
    rows.append((1, 0, 250.0, 250.0, 6.0, 30.0, kp({0: (250, 240, 2), 11: (249, 255, 2), 12: (251, 256, 2)})))
    rows.append((3, 0, 150.0, 180.0, 60.0, 150.0, kp({i: (140 + i, 120 + 7 * i, 2) for i in range(0, 17, 2)})))
    rows.append((3, 0, 30.0, 300.0, 14.0, 12.0, kp({})))  # no labelled keypoint
    bi = batch["batch_idx"].numpy().tolist()
    cls = batch["cls"].numpy().tolist()
    bb = batch["bboxes"].numpy().tolist()
    kk = list(batch["keypoints"].numpy())
    for im, c, cx, cy, w, h, k in rows:
        bi.append(im); cls.append([c]); bb.append([cx / S, cy / S, w / S, h / S]); kk.append(k)
    order = np.argsort(np.asarray(bi), kind="stable")  # collated batches are grouped by image
    return {"batch_idx": torch.tensor(np.asarray(bi, np.float32)[order]),
            "cls": torch.tensor(np.asarray(cls, np.float32)[order]),
            "bboxes": torch.tensor(np.asarray(bb, np.float32)[order]),
            "keypoints": torch.tensor(np.stack(kk).astype(np.float32)[order])}


def two_class_objects(batch: dict) -> dict:
    """Synthetic 2-class, 5-keypoint labels for the first two images (tiny-k5 has nc 2, kpt_shape [5, 3])."""
    S = 320.0
    rows = [(0, 1, 160.0, 180.0, 120.0, 200.0), (0, 0, 60.0, 60.0, 12.0, 10.0), (0, 1, 170.0, 170.0, 80.0, 90.0),
            (1, 0, 200.0, 100.0, 40.0, 60.0), (1, 1, 80.0, 240.0, 15.0, 40.0)]
    bi, cls, bb, kk = [], [], [], []
    rng = np.random.default_rng(7)
    for im, c, cx, cy, w, h in rows:
        k = np.zeros((5, 3), np.float32)
        for i in range(5):
            v = [2, 1, 0][i % 3]
            if v:
                k[i] = ((cx + rng.uniform(-w / 2, w / 2)) / S, (cy + rng.uniform(-h / 2, h / 2)) / S, v)
        bi.append(im); cls.append([c]); bb.append([cx / S, cy / S, w / S, h / S]); kk.append(k)
    return {"batch_idx": torch.tensor(bi, dtype=torch.float32), "cls": torch.tensor(cls, dtype=torch.float32),
            "bboxes": torch.tensor(bb, dtype=torch.float32), "keypoints": torch.tensor(np.stack(kk))}


def drop_image(batch: dict, image: int) -> dict:
    keep = batch["batch_idx"] != image
    return {k: batch[k][keep] for k in ("batch_idx", "cls", "bboxes", "keypoints")}


def no_labels(batch: dict) -> dict:
    return {k: batch[k][:0] for k in ("batch_idx", "cls", "bboxes", "keypoints")}


def k12d2_labels(batch: dict) -> dict:
    return {"batch_idx": batch["batch_idx"], "cls": batch["cls"], "bboxes": batch["bboxes"],
            "keypoints": batch["keypoints"][:, :12, :2].contiguous()}


# (case, checkpoint, images used, labels from the batch, kpt_oks_sigmas, parameters whose gradients are stored)
CASES = [
    ("overfit", "overfit-n-pose", 4, lambda b: b, None, PARAMS_N),
    ("overfit-sigmas", "overfit-n-pose", 4, lambda b: b, OVERRIDE_SIGMAS, []),
    ("overfit-background", "overfit-n-pose", 4, lambda b: drop_image(b, 0), None, []),
    ("overfit-nolabels", "overfit-n-pose", 4, no_labels, None, []),
    ("overfit-small", "overfit-n-pose", 4, small_objects, None, []),
    ("k12d2", "tiny-k12d2-pose", 4, k12d2_labels, None, PARAMS_TINY),
    ("k5", "tiny-k5-pose", 2, two_class_objects, None, PARAMS_TINY),
]


def make_batch(dataset: Path, tmp: Path) -> dict:
    mirror = tmp / "coco8-pose"
    for sub in ("images/train", "labels/train"):  # symlinked files only; no *.cache is copied
        (mirror / sub).mkdir(parents=True)
        for f in sorted((dataset / sub).iterdir()):
            if not f.name.endswith(".cache"):
                (mirror / sub / f.name).symlink_to(f.resolve())
    data = {"path": str(mirror), "train": "images/train", "val": "images/train", "kpt_shape": [17, 3],
            "flip_idx": FLIP_IDX, "names": {0: "person"}}
    (tmp / "data.yaml").write_text(json.dumps(data))
    data = check_det_dataset(str(tmp / "data.yaml"))
    cfg = get_cfg(overrides=dict(imgsz=320, task="pose", **NO_AUG))
    ds = build_yolo_dataset(cfg, data["train"], 4, data, mode="train", rect=False, stride=32)
    return ds.collate_fn([ds[i] for i in range(len(ds))])


def split_levels(t: torch.Tensor, shapes) -> list[np.ndarray]:
    """(B, C, A) -> per level (B, H, W, C)."""
    out, a0 = [], 0
    for h, w in shapes:
        out.append(t[:, :, a0:a0 + h * w].reshape(t.shape[0], t.shape[1], h, w).permute(0, 2, 3, 1).numpy())
        a0 += h * w
    return out


def run_case(name, ck, images, label_fn, sigmas, params, batch, out: Path, raw_written: set) -> None:
    model = YOLO(str(REPO / "Tests" / "Fixtures" / f"{ck}.pt")).model.float()
    for p in model.parameters():
        p.requires_grad_(True)
    model.args = get_cfg()
    if sigmas is not None:
        model.kpt_oks_sigmas = sigmas
    model.train()
    img = batch["img"][:images]
    labels = label_fn({k: batch[k] for k in ("batch_idx", "cls", "bboxes", "keypoints")})
    keep = labels["batch_idx"] < images
    labels = {k: v[keep] for k, v in labels.items()}

    preds = model(img.float() / 255)
    for k in ("boxes", "scores", "kpts"):
        preds[k].retain_grad()
    model.criterion = model.init_criterion()
    save_case(name, ck, model.criterion, preds, lambda: model.loss({**labels, "img": img}, preds), labels, params,
              dict(model.named_parameters()), out, raw_written)


def save_case(name, raw_name, crit, preds, compute, labels, params, named_params, out: Path, raw_written: set) -> None:
    """Runs `compute()` (the loss call), back-propagates its sum and writes the case's files."""
    captured = {}
    crit.assigner.register_forward_hook(lambda m, i, o: captured.update(out=o))
    loss, items = compute()
    total = loss.sum()
    total.backward()

    shapes = [tuple(f.shape[2:]) for f in preds["feats"]]
    nc = preds["scores"].shape[1]
    B, A = preds["boxes"].shape[0], preds["boxes"].shape[2]
    if raw_name not in raw_written:
        raw = torch.cat([preds["boxes"], preds["scores"], preds["kpts"]], 1).detach()
        for lvl, arr in zip((3, 4, 5), split_levels(raw, shapes)):
            np.save(out / f"{raw_name}-raw-p{lvl}.npy", np.ascontiguousarray(arr, dtype=np.float32))
        raw_written.add(raw_name)

    gbox = preds["boxes"].grad.permute(0, 2, 1).reshape(B * A, -1)
    gkpt = preds["kpts"].grad.permute(0, 2, 1).reshape(B * A, -1)
    gcls = preds["scores"].grad.permute(0, 2, 1).contiguous()
    rows = torch.nonzero((gbox != 0).any(1) | (gkpt != 0).any(1)).flatten()
    grad_rows = torch.cat([rows[:, None].float(), gbox[rows], gkpt[rows]], 1)
    np.save(out / f"{name}-grad-rows.npy", grad_rows.numpy().astype(np.float32))
    np.save(out / f"{name}-grad-cls.npy", gcls.numpy().astype(np.float32))

    if "out" not in captured:  # with no ground truth at all the assigner is still called (all background)
        raise RuntimeError("assigner not called")
    _, _, target_scores, fg_mask, target_gt_idx = captured["out"]
    assign = torch.cat([fg_mask[..., None].float(), target_gt_idx[..., None].float(), target_scores.float()], -1)
    np.save(out / f"{name}-assign.npy", assign.numpy().astype(np.float32))
    for key in params:
        np.save(out / f"{name}-pgrad-{key}.npy", named_params[key].grad.numpy().astype(np.float32))

    zero_metric_fg = int((fg_mask & (target_scores.sum(-1) == 0)).sum())
    meta = {
        "model": raw_name, "images": B, "nc": nc, "kpt_shape": list(crit.kpt_shape),
        "sigmas": f32list(crit.keypoint_loss.sigmas.cpu().numpy()),
        "items": [f32(float(v)) for v in items.values()], "item_names": list(items.keys()),
        "total": f32(float(total.detach())), "n_fg": int(fg_mask.sum()),
        "tss": f32(float(target_scores.sum().clamp(min=1))), "zero_metric_fg": zero_metric_fg,
        "levels": [list(s) for s in shapes], "params": params,
        "labels": {"batch_idx": f32list(labels["batch_idx"]), "cls": f32list(labels["cls"].reshape(-1)),
                   "bboxes": f32list(labels["bboxes"]), "keypoints": f32list(labels["keypoints"])},
    }
    (out / f"{name}.json").write_text(json.dumps(meta, separators=(",", ":")))
    print(f"{name}: items {meta['items']} total {meta['total']} fg {meta['n_fg']} (zero metric {zero_metric_fg}) "
          f"grad rows {len(rows)}", flush=True)


def run_synthetic(name, imgsz, seed, out: Path, raw_written: set) -> None:
    """The tiny-k5 criterion (nc 2, 5x3 keypoints) on synthetic head outputs: each side's distribution peaked at a
    random bin, and half the anchors (at random) predicting a needle box (left/right ~0, top/bottom ~15 cells), whose
    CIoU with a GT is <= 0 (alignment metric 0). Small objects have fewer than 10 candidates, so their top-k runs into
    ties at 0 and torch's tie order decides which needle anchors become positives. imgsz 160 gives 525 anchors
    (torch's introselect path), 256 gives 1344 (heap selection)."""
    model = YOLO(str(REPO / "Tests" / "Fixtures" / "tiny-k5-pose.pt")).model.float()
    model.args = get_cfg()
    crit = v8PoseLoss(model)
    g = torch.Generator().manual_seed(seed)
    B = 2
    shapes = [(imgsz // s, imgsz // s) for s in (8, 16, 32)]
    A = sum(h * w for h, w in shapes)
    box = torch.randn(B, 4, 16, A, generator=g) * 0.3
    bins = torch.randint(0, 16, (B, 4, 1, A), generator=g)
    needle = torch.rand(B, 1, 1, A, generator=g) < 0.5
    bins = torch.where(needle, torch.tensor([0, 15, 0, 15]).view(1, 4, 1, 1), bins)
    box.scatter_add_(2, bins, torch.where(needle, 12.0, 5.0).expand(B, 4, 1, A).contiguous())
    preds = {"boxes": box.reshape(B, 64, A).requires_grad_(),
             "scores": (torch.randn(B, 2, A, generator=g) - 2).requires_grad_(),
             "kpts": torch.randn(B, 15, A, generator=g).requires_grad_(),
             "feats": [torch.zeros(B, 1, h, w) for h, w in shapes]}
    S = float(imgsz)
    objs = [(0, 0, 40, 40, 8, 6), (0, 1, 44, 42, 12, 10), (0, 1, 100, 60, 30, 50), (0, 0, 120, 120, 14, 40),
            (1, 1, 30, 100, 6, 6), (1, 0, 80, 80, 60, 70), (1, 0, 90, 85, 10, 12), (1, 1, 140, 20, 24, 16),
            # along the top edge: their candidates include anchors 0-9, the ones torch's heap selection starts from
            (0, 1, 22, 4, 10, 6), (1, 0, 60, 5, 12, 8),
            # at 160, on anchors 347 and 351 (P3 row 17), which torch's introselect tends to keep among 525 zeros
            (0, 0, 60, 140, 10, 8), (1, 1, 92, 140, 10, 8)]
    bi, cls, bb, kk = [], [], [], []
    for im, c, cx, cy, w, h in sorted(objs, key=lambda o: o[0]):  # collated batches are grouped by image
        k = np.zeros((5, 3), np.float32)
        for i in range(5):
            v = [2, 0, 1, 2, 2][i]
            if v:
                k[i] = ((cx - w / 2 + w * (i + 0.5) / 5) / S, (cy + h * (0.4 - 0.2 * i)) / S, v)
        bi.append(im); cls.append([c]); bb.append([cx / S, cy / S, w / S, h / S]); kk.append(k)
    labels = {"batch_idx": torch.tensor(bi, dtype=torch.float32), "cls": torch.tensor(cls, dtype=torch.float32),
              "bboxes": torch.tensor(bb, dtype=torch.float32), "keypoints": torch.tensor(np.stack(kk))}
    for k in ("boxes", "scores", "kpts"):
        preds[k].retain_grad()
    save_case(name, name, crit, preds, lambda: crit(preds, labels), labels, [], {}, out, raw_written)


def topk_cases() -> list[dict]:
    """torch.topk(k=10) index sets of vectors with many equal values (mostly zeros, a few repeated positives), on
    both of torch's CPU selection paths (heap selection when k*64 <= n, introselect otherwise)."""
    rng = np.random.default_rng(0)
    cases = []
    for n in (12, 50, 300, 639, 640, 700, 2100, 8400):
        for _ in range(6):
            v = np.zeros(n, np.float32)
            m = int(rng.integers(0, min(n, 40)))
            idx = rng.choice(n, m, replace=False)
            v[idx] = rng.choice(np.array([0.0, 0.125, 0.25, 0.5, 0.75], np.float32), m)
            sel = sorted(torch.topk(torch.from_numpy(v), 10).indices.tolist())
            cases.append({"n": n, "nonzero": [[int(i), f32(v[i])] for i in np.flatnonzero(v)], "selected": sel})
    return cases


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="/work/shared/datasets/coco8-pose")
    ap.add_argument("--out", default=str(REPO / "Tests" / "Fixtures" / "train"))
    a = ap.parse_args()
    out = Path(a.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="loss-fixtures-") as td:
        os.chdir(td)
        try:
            batch = make_batch(Path(a.dataset).resolve(), Path(td))
            np.save(out / "batch-img.npy", np.ascontiguousarray(batch["img"].permute(0, 2, 3, 1).numpy()))
            for k in ("batch_idx", "cls", "bboxes", "keypoints"):
                np.save(out / f"batch-{k}.npy", batch[k].numpy().astype(np.float32))
            (out / "topk.json").write_text(json.dumps(topk_cases(), separators=(",", ":")))
            raw_written: set = set()
            for case in CASES:
                run_case(*case, batch, out, raw_written)
            run_synthetic("synthetic-160", 160, 1, out, raw_written)
            run_synthetic("synthetic-256", 256, 2, out, raw_written)
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    main()
