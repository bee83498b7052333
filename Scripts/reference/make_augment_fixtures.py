#!/usr/bin/env python3
"""Generate Tests/Fixtures/augment/: the reference's training augmentation, draw by draw, on coco8-pose.

Pinned reference environment (the venv at /work/refvenv): ultralytics==8.4.190, torch 2.15.0, numpy 2.4.6,
opencv 5.0.0 (pulled in by ultralytics).

How to run (from the repository root, about 20 s):
    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg-aug /work/refvenv/bin/python Scripts/reference/make_augment_fixtures.py

Options:
    --dataset DIR   coco8-pose root (default /work/shared/datasets/coco8-pose; read only, never written)
    --out DIR       output directory (default Tests/Fixtures/augment)

The shared dataset is never written: the reference's dataset writes labels/*.cache beside the label files, so the
script builds a temporary mirror whose images/ and labels/ folders hold symlinks to the shared files (train and val
images together, 8 images). A second temporary dataset keeps only the first 5 keypoints of every label (nose, eyes,
ears; flip_idx [0, 2, 1, 4, 3]) to check keypoint bookkeeping through mosaic and flips.

How the draws are observed. The reference's augment module draws from Python's `random` and NumPy's `np.random`.
The script replaces both names inside that module with recording stand-ins that draw from seeded generators and log
every value they hand out (Python stream: uniform, random, choices picks, randint; NumPy stream: uniform, beta,
randint, choice position). Nothing else in the module changes, so the transforms compute exactly what they would
with any other draws. Each entry of the dataset's transform lists is wrapped to record the sample after that step:
the image's CRC-32 (zlib) and shape, and the objects (box format, normalised flag, boxes, keypoints, classes;
float32 arrays stored as base64 little-endian bytes; "same_labels" when a step left them as the step before). MixUp/CutMix run the same wrapped pre-transform on their
second image, so its steps appear in order too.

Output: pipelines.json — per configuration: the hyperparameters, imgsz, batch, cache, rect, kpt_shape, flip_idx,
the image files (dataset order), rect batch shapes, and per sample: the dataset index, the mosaic buffer before it,
the Python and NumPy draws, the stage records, and the final collated fields (image CRC-32 per row and overall,
channels as the tensor holds them; cls, bboxes, keypoints as float32; im_file, ori_shape, resized_shape, ratio_pad).
kernels.json — cv2.warpAffine / warpPerspective / the HSV round trip on loaded images into sizes whose widths are not
multiples of 16 or 32 (OpenCV's scalar tails), with the matrices and gains used.

The reference package is used as a black box (dataset construction, its transforms, cv2); no code is copied.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import random as pyrandom
import shutil
import tempfile
import zlib
from pathlib import Path

import refenv  # noqa: F401  (offline settings and font; before ultralytics)

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import ultralytics.data.augment as A  # noqa: E402
from ultralytics.cfg import get_cfg  # noqa: E402
from ultralytics.data.build import build_yolo_dataset  # noqa: E402
from ultralytics.data.utils import check_det_dataset  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FLIP17 = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]

# name, dataset ("coco"/"kpt5"), imgsz, batch, overrides, sample order (dataset indices), seeds
CONFIGS = [
    ("default", "coco", 160, 2, {}, [0, 5, 2, 7, 1, 4, 6, 3, 5, 0], 1),
    ("heavy", "coco", 160, 2, dict(degrees=15.0, shear=5.0, perspective=0.0005, mixup=1.0, cutmix=1.0, flipud=0.5,
                                   bgr=0.5, hsv_h=0.1, translate=0.2, scale=0.6, copy_paste=0.5),
     [3, 1, 6, 0, 4, 2], 2),
    ("cutmix", "coco", 160, 4, dict(mosaic=0.5, cutmix=1.0, mixup=0.5), [2, 6, 1, 7, 3, 5, 0, 4], 7),
    ("nomosaic", "coco", 160, 2, dict(mosaic=0.0, degrees=5.0), [4, 0, 7, 2], 3),
    ("rect", "coco", 160, 2, dict(rect=True, degrees=3.0), [0, 1, 2, 3, 4, 5, 6, 7], 4),
    ("kpt5", "kpt5", 160, 2, dict(fliplr=1.0, flipud=0.5), [1, 3, 0, 2, 5, 4], 5),
    ("ram", "coco", 160, 2, dict(cache="ram"), [6, 2, 5], 6),
    ("large", "coco", 640, 4, {}, [1, 6], 8),
]


def b64f32(a) -> str:
    return base64.b64encode(np.ascontiguousarray(np.asarray(a, dtype=np.float32)).tobytes()).decode()


def crc(b: bytes) -> str:
    return f"{zlib.crc32(b) & 0xFFFFFFFF:08x}"


class PyRec:
    """Stand-in for the `random` module inside ultralytics.data.augment."""

    def __init__(self, seed):
        self.r = pyrandom.Random(seed)
        self.log = []

    def uniform(self, a, b):
        v = self.r.uniform(a, b)
        self.log.append(["uniform", a, b, v])
        return v

    def random(self):
        v = self.r.random()
        self.log.append(["random", v])
        return v

    def choices(self, population, k=1):
        population = list(population)
        picks = [self.r.randrange(len(population)) for _ in range(k)]
        self.log.extend(["choice", len(population), p] for p in picks)
        return [population[p] for p in picks]

    def randint(self, a, b):
        v = self.r.randint(a, b)
        self.log.append(["randint", a, b, v])
        return v

    def __getattr__(self, name):
        return getattr(self.r, name)


class NpRandRec:
    """Stand-in for `np.random` inside ultralytics.data.augment."""

    def __init__(self, seed):
        self.g = np.random.RandomState(seed)
        self.log = []

    def uniform(self, a, b, size=None):
        v = self.g.uniform(a, b, size)
        for x in np.atleast_1d(v):
            self.log.append(["npUniform", a, b, float(x)])
        return v

    def beta(self, a, b):
        v = self.g.beta(a, b)
        self.log.append(["npBeta", a, b, float(v)])
        return v

    def randint(self, n):
        v = int(self.g.randint(n))
        self.log.append(["npRandint", int(n), v])
        return v

    def choice(self, arr):
        k = int(self.g.randint(len(arr)))
        self.log.append(["npChoice", len(arr), k])
        return arr[k]


class NpProxy:
    def __init__(self, rec):
        self.random = rec

    def __getattr__(self, name):
        return getattr(np, name)


def snapshot(tag, labels) -> dict:
    img = labels["img"]
    if isinstance(img, torch.Tensor):
        img = img.permute(1, 2, 0).numpy()
    img = np.ascontiguousarray(img)
    rec = {"stage": tag, "shape": list(img.shape), "crc": crc(img.tobytes())}
    ins = labels.get("instances")
    if ins is not None:
        rec.update(format=ins._bboxes.format, normalized=bool(ins.normalized), n=len(ins),
                   boxes=b64f32(ins.bboxes), keypoints=b64f32(ins.keypoints),
                   cls=[int(c) for c in np.asarray(labels["cls"]).reshape(-1)])
    return rec


class Stage:
    """Wraps one transform of a Compose list and records the sample after it."""

    def __init__(self, t, tag, stages):
        self.t, self.tag, self.stages = t, tag, stages

    def __call__(self, labels):
        out = self.t(labels)
        if self.tag != "format":
            self.stages.append(snapshot(self.tag, out))
        return out


def wrap(ds, stages):
    pre = ds.transforms.transforms[0]
    for i, t in enumerate(pre.transforms):
        tag = {"Mosaic": "mosaic", "RandomPerspective": "perspective"}.get(type(t).__name__)
        if tag:
            pre.transforms[i] = Stage(t, tag, stages)
    for i, t in enumerate(ds.transforms.transforms):
        name = type(t).__name__
        tag = {"MixUp": "mixup", "CutMix": "cutmix", "RandomHSV": "hsv", "Format": "format"}.get(name)
        if name == "RandomFlip":
            tag = "flipud" if t.direction == "vertical" else "fliplr"
        if tag:
            ds.transforms.transforms[i] = Stage(t, tag, stages)


def make_datasets(src: Path, tmp: Path) -> dict:
    coco = tmp / "coco"
    kpt5 = tmp / "kpt5"
    for split in ("train", "val"):
        for sub in ("images", "labels"):
            (coco / sub / "all").mkdir(parents=True, exist_ok=True)
            (kpt5 / sub / "all").mkdir(parents=True, exist_ok=True)
            for f in sorted((src / sub / split).iterdir()):
                if f.suffix == ".cache":
                    continue
                (coco / sub / "all" / f.name).symlink_to(f.resolve())
                if sub == "images":
                    (kpt5 / sub / "all" / f.name).symlink_to(f.resolve())
                else:
                    rows = []
                    for line in f.read_text().splitlines():
                        v = line.split()
                        rows.append(" ".join(v[:5 + 15]))
                    (kpt5 / sub / "all" / f.name).write_text("\n".join(rows) + "\n")
    ys = {}
    for name, root, k, flip in (("coco", coco, 17, FLIP17), ("kpt5", kpt5, 5, [0, 2, 1, 4, 3])):
        y = tmp / f"{name}.yaml"
        y.write_text(f"path: {root}\ntrain: images/all\nval: images/all\nkpt_shape: [{k}, 3]\nflip_idx: {flip}\n"
                     "names:\n  0: person\n")
        ys[name] = y
    return ys


def run_config(cfgdef, yamls) -> dict:
    name, dsname, imgsz, batch, over, order, seed = cfgdef
    over = dict(over)
    cache = over.pop("cache", False)
    rect = over.pop("rect", False)
    cfg = get_cfg(overrides=dict(task="pose", imgsz=imgsz, cache=cache, rect=rect, **over))
    data = check_det_dataset(str(yamls[dsname]))
    ds = build_yolo_dataset(cfg, data["train"], batch, data, mode="train", rect=rect, stride=32)
    stages = []
    wrap(ds, stages)
    py, npr = PyRec(seed), NpRandRec(seed)
    A.random, A.np = py, NpProxy(npr)
    samples = []
    try:
        for i in order:
            p0, n0, s0 = len(py.log), len(npr.log), len(stages)
            buffer = list(ds.buffer)
            out = ds[i]
            img = np.ascontiguousarray(out["img"].permute(1, 2, 0).numpy())
            recs = stages[s0:]
            for a, b in zip(recs, recs[1:]):  # labels unchanged by a step: say so instead of repeating them
                keys = ("format", "normalized", "n", "boxes", "keypoints", "cls")
                if all(k in a for k in keys) and all(b.get(k) == a[k] for k in keys):
                    for k in keys:
                        b.pop(k)
                    b["same_labels"] = True
            samples.append({
                "index": i, "buffer": buffer,
                "py": py.log[p0:], "np": npr.log[n0:], "stages": recs,
                "img_shape": list(img.shape), "img_crc": crc(img.tobytes()),
                "row_crc": [crc(r.tobytes()) for r in img],
                "cls": [int(c) for c in out["cls"].reshape(-1).tolist()],
                "bboxes": b64f32(out["bboxes"].numpy()), "keypoints": b64f32(out["keypoints"].numpy()),
                "n": int(out["bboxes"].shape[0]),
                "im_file": Path(out["im_file"]).name, "ori_shape": list(out["ori_shape"]),
                "resized_shape": [int(v) for v in out["resized_shape"]],
                "ratio_pad": [float(v) for v in out["ratio_pad"]],
            })
    finally:
        A.random, A.np = pyrandom, np
    hyp = {k: getattr(cfg, k) for k in ("mosaic", "mixup", "cutmix", "copy_paste", "degrees", "translate", "scale",
                                        "shear", "perspective", "hsv_h", "hsv_s", "hsv_v", "flipud", "fliplr", "bgr")}
    res = {"name": name, "dataset": dsname, "imgsz": imgsz, "batch": batch, "cache": str(cache).lower(),
           "rect": rect, "hyp": hyp, "kpt_shape": list(data["kpt_shape"]), "flip_idx": list(data["flip_idx"]),
           "files": [Path(f).name for f in ds.im_files], "buffer_capacity": ds.max_buffer_length,
           "samples": samples}
    if rect:
        res["rect_shapes"] = [[int(v) for v in ds.batch_shapes[b]] for b in ds.batch]
    return res


def kernels(src: Path) -> dict:
    out = {"warps": [], "hsv": []}
    rng = pyrandom.Random(11)
    for f, size in (("images/train/000000000036.jpg", 160), ("images/train/000000000077.jpg", 224)):
        im = cv2.imread(str(src / f))
        h0, w0 = im.shape[:2]
        r = size / max(h0, w0)
        im = cv2.resize(im, (min(math.ceil(w0 * r), size), min(math.ceil(h0 * r), size)), interpolation=cv2.INTER_LINEAR)
        h, w = im.shape[:2]
        for dw, dh, persp in ((100, 70, 0.0), (173, 91, 0.0), (100, 70, 0.001), (160, 160, 0.001)):
            C = np.eye(3, dtype=np.float32)
            C[0, 2], C[1, 2] = -w / 2, -h / 2
            P = np.eye(3, dtype=np.float32)
            P[2, 0], P[2, 1] = rng.uniform(-persp, persp), rng.uniform(-persp, persp)
            R = np.eye(3, dtype=np.float32)
            R[:2] = cv2.getRotationMatrix2D(angle=rng.uniform(-30, 30), center=(0, 0), scale=rng.uniform(0.5, 1.5))
            T = np.eye(3, dtype=np.float32)
            T[0, 2], T[1, 2] = rng.uniform(0.3, 0.7) * dw, rng.uniform(0.3, 0.7) * dh
            M = T @ R @ P @ C
            if persp:
                o = cv2.warpPerspective(im, M, dsize=(dw, dh), borderValue=(114, 114, 114, 114))
            else:
                o = cv2.warpAffine(im, M[:2], dsize=(dw, dh), borderValue=(114, 114, 114, 114))
            out["warps"].append({"file": f, "imgsz": size, "src_shape": [h, w], "size": [dw, dh],
                                 "perspective": bool(persp), "matrix": b64f32(M), "crc": crc(np.ascontiguousarray(o).tobytes())})
        for gains in ((0.012, -0.5, 0.3), (-0.015, 0.7, -0.4), (0.5, 0.9, 0.9)):
            img = im.copy()
            A.np = NpProxy(type("Fixed", (), {"uniform": staticmethod(lambda a, b, n, g=gains: np.array(g))})())
            try:
                A.RandomHSV(hgain=1.0, sgain=1.0, vgain=1.0).apply_image({"img": img})
            finally:
                A.np = np
            out["hsv"].append({"file": f, "imgsz": size, "gains": list(gains), "shape": list(img.shape),
                               "crc": crc(np.ascontiguousarray(img).tobytes())})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="/work/shared/datasets/coco8-pose")
    ap.add_argument("--out", default=str(REPO / "Tests/Fixtures/augment"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    src = Path(args.dataset)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        yamls = make_datasets(src, tmp)
        os.chdir(tmp)
        try:
            configs = [run_config(c, yamls) for c in CONFIGS]
        finally:
            os.chdir(cwd)
    (out / "pipelines.json").write_text(json.dumps({"configs": configs}, separators=(",", ":")))
    (out / "kernels.json").write_text(json.dumps(kernels(src), separators=(",", ":")))
    for c in configs:
        print(c["name"], [s["n"] for s in c["samples"]], sum(len(s["py"]) + len(s["np"]) for s in c["samples"]), "draws")


if __name__ == "__main__":
    main()
