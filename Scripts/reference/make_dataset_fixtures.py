#!/usr/bin/env python3
"""Validation-dataset reference fixtures for the YOLOData Dataset tests.

Run from the repository root:

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_dataset_fixtures.py

Pinned reference environment: ultralytics 8.4.190, torch 2.15.0, opencv-python 5.0.0, numpy 2.4.6, Pillow 13.0.0,
Python 3.11.

The reference is used as a black box: the script builds its validation dataset / dataloader and records what comes out.
Everything runs on temporary copies; /work/shared/datasets/coco8-pose is only read (the images are symlinked into a
temp tree so that the reference's label cache lands in the temp dir, not in the read-only shared folder).

Writes into Tests/Fixtures/dataset/:
  * val-batches.json: for coco8-pose val (and, as a list entry, train+val) at imgsz 640 / 320 with batch 16 / 2 / 3,
    rect=True, stride 32, pad 0.5: per batch the image order (file names), the batch image shape (H, W), and per image
    ori_shape, resized_shape, ratio_pad ((gain_h, gain_w), (left, top)), the labels as the collated batch has them
    (cls, bboxes = normalised xywh relative to the final W, H, keypoints (K, 3) with x/W, y/H and visibility) and the
    FNV-1a 64 hash of the letterboxed image as **BGR, HWC, uint8** bytes (the batch tensor is RGB CHW; it is converted
    back before hashing).
  * broken/ and d2/: tiny image/label trees with deliberately broken label files (16x16 JPEGs) and
    scan-reference.json: the reference's counts (found, missing, empty, corrupt, total), its messages (with the
    dataset root replaced by "<root>" and the coloured prefix removed) and the labels it keeps per image.

FNV-1a 64: h = 0xcbf29ce484222325; for each byte b: h = (h ^ b) * 0x100000001b3 mod 2^64. Stored as 16 hex digits.
Output is deterministic; rerunning gives identical files.
"""
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolocfg")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from ultralytics.cfg import get_cfg  # noqa: E402
from ultralytics.data.build import build_dataloader, build_yolo_dataset  # noqa: E402
from ultralytics.data.utils import check_det_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "dataset"
COCO = Path("/work/shared/datasets/coco8-pose")
MASK64 = 0xFFFFFFFFFFFFFFFF
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return f"{h:016x}"


def f32list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def coco_tree(tmp: Path) -> Path:
    """A writable coco8-pose copy: labels copied, images symlinked."""
    root = tmp / "coco8-pose"
    for split in ("train", "val"):
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
        for f in sorted((COCO / "images" / split).iterdir()):
            os.symlink(f, root / "images" / split / f.name)
        for f in sorted((COCO / "labels" / split).glob("*.txt")):
            shutil.copy(f, root / "labels" / split / f.name)
    return root


def write_yaml(tmp: Path, root: Path, val) -> Path:
    y = tmp / "data.yaml"
    val_s = val if isinstance(val, str) else "[" + ", ".join(val) + "]"
    y.write_text(
        f"path: {root}\ntrain: images/train\nval: {val_s}\nkpt_shape: [17, 3]\n"
        "flip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]\nnames:\n  0: person\n"
    )
    return y


def val_batches(data, root: Path, imgsz: int, batch: int):
    cfg = get_cfg(overrides={"task": "pose", "mode": "val", "imgsz": imgsz, "batch": batch, "rect": True})
    ds = build_yolo_dataset(cfg, data["val"], batch, data, mode="val", rect=True, stride=32)
    dl = build_dataloader(ds, batch, 0, shuffle=False, rank=-1, drop_last=False, pin_memory=False, device="cpu")
    out = []
    for b in dl:
        imgs = b["img"]  # (B, 3, H, W) uint8 RGB
        entry = {"shape": list(imgs.shape[2:]), "images": []}
        for i in range(imgs.shape[0]):
            bgr = np.ascontiguousarray(imgs[i].permute(1, 2, 0).numpy()[..., ::-1])
            sel = (b["batch_idx"] == i).numpy()
            (gh, gw), (pl, pt) = b["ratio_pad"][i]
            entry["images"].append({
                "file": str(Path(b["im_file"][i]).relative_to(root)),
                "ori_shape": [int(x) for x in b["ori_shape"][i]],
                "resized_shape": [int(x) for x in b["resized_shape"][i]],
                "ratio_pad": [[float(gh), float(gw)], [int(pl), int(pt)]],
                "fnv1a64": fnv1a64(bgr.tobytes()),
                "cls": f32list(b["cls"][sel]),
                "bboxes": f32list(b["bboxes"][sel]),
                "keypoints": f32list(b["keypoints"][sel]),
            })
        out.append(entry)
    return out


def make_batches():
    runs = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        root = coco_tree(tmp)
        for name, val in (("val", "images/val"), ("train+val", ["images/train", "images/val"])):
            data = check_det_dataset(str(write_yaml(tmp, root, val)))
            for imgsz, batch in ((640, 16), (640, 2), (320, 16), (320, 2), (320, 3)):
                if name == "train+val" and batch == 2:
                    continue
                runs.append({"split": name, "val": val, "imgsz": imgsz, "batch": batch,
                             "batches": val_batches(data, root, imgsz, batch)})
            # Clear caches between list/single runs so each builds its own.
            for c in (root / "labels").glob("*.cache"):
                c.unlink()
    (OUT / "val-batches.json").write_text(json.dumps({"note": "image hashes are of BGR HWC uint8 bytes",
                                                      "runs": runs}, indent=1) + "\n")


# ----------------------------------------------------------------------------------------------------------------
# Broken labels. Rows for kpt_shape [2, 3] (11 columns) and [2, 2] (9 columns).

GOOD3 = "0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1"
GOOD3B = "1 0.3 0.2 0.2 0.2 0.25 0.15 2 0.35 0.25 0"
BROKEN = {  # name: (image size or None for not-an-image, label text or None for missing)
    "a_good": (16, GOOD3 + "\n" + GOOD3B + "\n"),
    "b_columns": (16, GOOD3 + "\n0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6\n"),
    "b_columns_all": (16, "0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6\n0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.7\n"),
    "b_box_only": (16, "0 0.5 0.5 0.4 0.6\n"),
    "c_kpt_oob": (16, "0 0.5 0.5 0.4 0.6 1.05 0.4 2 0.6 0.6 1\n"),
    "c_kpt_oob_many": (16, "0 0.5 0.5 0.4 0.6 1.05 0.4 2 1.25 0.6 1\n0 0.5 0.5 0.4 0.6 0.5 3 2 0.6 0.6 1\n"),
    "c_kpt_edge_box_oob": (16, "0 1.5 0.5 0.4 0.6 1.005 0.4 2 0.6 0.6 1\n"),
    "d_negative": (16, "0 0.5 0.5 0.4 0.6 0.4 -0.5 2 0.6 0.6 1\n"),
    "d_negative_many": (16, "0 0.5 0.5 0.4 0.6 0.4 -0.5 2 -0.25 0.6 1\n"),
    "d_negative_small": (16, "0 0.5 0.5 0.4 0.6 -0.005 0.4 2 0.6 0.6 1\n"),
    "d_negative_wh": (16, "0 0.5 0.5 -0.005 0.6 0.4 0.4 2 0.6 0.6 1\n"),
    "e_nonint_class": (16, "0.5 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1\n"),
    "e_float_class": (16, "1.0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1\n"),
    "f_class_ge_nc": (16, GOOD3 + "\n3 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1\n"),
    "g_duplicates": (16, GOOD3B + "\n" + GOOD3 + "\n" + GOOD3B + "\n" + GOOD3B + "\n"),
    "h_empty": (16, ""),
    "h_blank_lines": (16, "\n\n"),
    "i_missing": (16, None),
    "j_bom_blank": (16, "\ufeff" + GOOD3 + "\n\n" + GOOD3B + "\n\n"),
    "k_small": (8, GOOD3 + "\n"),
    "l_not_image": (None, GOOD3 + "\n"),
    "m_visibility7": (16, "0 0.5 0.5 0.4 0.6 0.4 0.4 7 0.6 0.6 0\n"),
    "n_wide": ((12, 24), GOOD3 + "\n"),
}
D2 = {
    "a_good": (16, "0 0.5 0.5 0.4 0.6 0.4 0.4 0.6 0.6\n"),
    "b_negative_small": (16, "0 0.5 0.5 0.4 0.6 -0.005 0.4 0.6 -0.001\n0 0.5 0.5 0.4 0.6 0 0 0.6 0.6\n"),
    "c_columns": (16, "0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1\n"),
}


def make_tree(dest: Path, spec):
    (dest / "images").mkdir(parents=True)
    (dest / "labels").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, (size, text) in spec.items():
        img = dest / "images" / f"{name}.jpg"
        if size is None:
            img.write_text("not an image\n")
        else:
            h, w = (size, size) if isinstance(size, int) else size
            cv2.imwrite(str(img), rng.integers(0, 256, (h, w, 3), dtype=np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 75])
        if text is not None:
            (dest / "labels" / f"{name}.txt").write_bytes(text.encode("utf-8"))


def scan(tree: Path, kpt_shape, names):
    data = {"names": names, "nc": len(names), "kpt_shape": kpt_shape, "channels": 3}
    cfg = get_cfg(overrides={"task": "pose", "mode": "val", "imgsz": 32, "batch": 4, "rect": True})
    ds = build_yolo_dataset(cfg, str(tree / "images"), 4, data, mode="val", rect=True, stride=32)
    cache = np.load(str(tree / "labels.cache"), allow_pickle=True).item()
    root = str(tree)
    msgs = [ANSI.sub("", m).split(": ", 1)[1].replace(root, "<root>") if m.startswith(("\x1b", "val")) else
            ANSI.sub("", m).replace(root, "<root>") for m in cache["msgs"]]
    labels = []
    for lb in cache["labels"]:
        labels.append({"file": str(Path(lb["im_file"]).relative_to(tree)), "shape": [int(x) for x in lb["shape"]],
                       "cls": f32list(lb["cls"]), "bboxes": f32list(lb["bboxes"]),
                       "keypoints": f32list(lb["keypoints"])})
    f, m, e, c, n = cache["results"]
    return {"kpt_shape": kpt_shape, "nc": len(names), "found": f, "missing": m, "empty": e, "corrupt": c,
            "total": n, "messages": msgs, "labels": labels}


def make_broken():
    for d in ("broken", "d2"):
        shutil.rmtree(OUT / d, ignore_errors=True)
    make_tree(OUT / "broken", BROKEN)
    make_tree(OUT / "d2", D2)
    res = {}
    with tempfile.TemporaryDirectory() as t:
        for d, ks, names in (("broken", [2, 3], {0: "a", 1: "b", 2: "c"}), ("d2", [2, 2], {0: "a"})):
            tree = Path(t) / d
            shutil.copytree(OUT / d, tree)
            res[d] = scan(tree, ks, names)
    (OUT / "scan-reference.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    os.chdir(tempfile.mkdtemp())
    make_broken()
    make_batches()
    print("wrote", OUT, file=sys.stderr)
