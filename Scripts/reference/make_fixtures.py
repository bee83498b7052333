#!/usr/bin/env python3
"""Generate the reference fixtures in Tests/Fixtures/ by running the reference implementation.

Pinned reference environment (the venv at /work/refvenv):
    ultralytics==8.4.190  torch==2.15.0  onnxruntime==1.31.1  onnx (1.23.2)  onnxslim (0.1.98)  numpy 2.4.6

How to run (from the repository root):
    mkdir -p /tmp/yolocfg/Ultralytics && cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /tmp/yolocfg/Ultralytics/Arial.ttf
    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_fixtures.py

    (the script sets YOLO_OFFLINE / YOLO_CONFIG_DIR itself if they are unset and copies a DejaVu font to
    $YOLO_CONFIG_DIR/Ultralytics/Arial.ttf when none is there, so the reference package makes no network calls.)

Options:
    --only STEP[,STEP...]   run a subset of: inputs, rand, tiny, summaries, trained, overfit
                            (default: all, in that order; `overfit` trains for several minutes)
    --dataset DIR           coco8-pose root (default /work/shared/datasets/coco8-pose; read only, never written)
    --out DIR               output directory (default Tests/Fixtures)

Determinism: every random draw is seeded (torch.manual_seed(0) before each random-init build, a dedicated
torch.Generator seeded 1234 / 5678 / 9012 for the BN/head-bias randomization of the tiny models, and seed=0 +
deterministic=True for the short training run). Checkpoint files still differ byte-wise from run to run because
Ultralytics stores the save date in them; tensors are identical. Reference forwards run with
torch.set_num_threads(1) (round-off at the 1e-4 level otherwise depends on the thread count). The training run is deterministic on CPU with a
fixed thread count, but may differ across machines / thread counts.

The reference package is used only as a black box (build, save, load, forward, fuse, train, letterbox).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import refenv  # noqa: E402,F401  (offline settings and font; before ultralytics)


def log(*a) -> None:
    print(*a, flush=True)


import numpy as np  # noqa: E402
import torch  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.data.augment import LetterBox  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
IMAGE = "images/val/000000000110.jpg"  # 640 wide x 480 high (landscape)
TRAIN_EPOCHS = 20  # 1 batch per epoch (4 images, batch 4); ~1 min on 2 CPU cores
# `overfit` step: a yolov8n-pose trained long enough on all 8 coco8-pose images (train + val) to behave like a real
# detector on them (confident, image-dependent scores), for the predict / plotting fixtures.
OVERFIT_STAGES = [(250, 0.003, 2), (150, 0.002, 0)]  # (epochs, AdamW lr0, warmup_epochs); lr decays linearly to lr0*0.05
OVERFIT_IMGSZ = 416
OVERFIT_BATCH = int(os.environ.get("OVERFIT_BATCH", "2"))  # 4 optimizer steps per epoch (nbs = batch: no accumulation)
OVERFIT_THREADS = 2  # torch threads during training (the reference's CPU device selection would pick min(8, cpus-1))
FLIP_IDX = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]

# Tiny model definitions: the YOLOv8-pose P5 layout (spec table §1.1) with explicit depth/width multipliers
# instead of a `scales` table (the scale letter would be guessed from the file name, which "tiny-..." lacks).
TINY_BODY = """\
# backbone: [from, repeats, module, args]
backbone:
  - [-1, 1, Conv, [64, 3, 2]]      # 0  stride 2
  - [-1, 1, Conv, [128, 3, 2]]     # 1  stride 4
  - [-1, 3, C2f, [128, True]]      # 2
  - [-1, 1, Conv, [256, 3, 2]]     # 3  stride 8
  - [-1, 6, C2f, [256, True]]      # 4
  - [-1, 1, Conv, [512, 3, 2]]     # 5  stride 16
  - [-1, 6, C2f, [512, True]]      # 6
  - [-1, 1, Conv, [1024, 3, 2]]    # 7  stride 32
  - [-1, 3, C2f, [1024, True]]     # 8
  - [-1, 1, SPPF, [1024, 5]]       # 9

# neck + head
head:
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]   # 10
  - [[-1, 6], 1, Concat, [1]]                    # 11
  - [-1, 3, C2f, [512]]                          # 12
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]   # 13
  - [[-1, 4], 1, Concat, [1]]                    # 14
  - [-1, 3, C2f, [256]]                          # 15 (P3 out)
  - [-1, 1, Conv, [256, 3, 2]]                   # 16
  - [[-1, 12], 1, Concat, [1]]                   # 17
  - [-1, 3, C2f, [512]]                          # 18 (P4 out)
  - [-1, 1, Conv, [512, 3, 2]]                   # 19
  - [[-1, 9], 1, Concat, [1]]                    # 20
  - [-1, 3, C2f, [1024]]                         # 21 (P5 out)
  - [[15, 18, 21], 1, {head}]                    # 22
"""


def tiny_yaml(title: str, nc: int, kpt_shape: list[int] | None, head: str) -> str:
    lines = [
        f"# {title}",
        "# Test-only model: YOLOv8 P5 layout with explicit multipliers (no `scales` table), written for this project.",
        "# Channels resolve to 8/16/32/64/128 for yaml values 64/128/256/512/1024; C2f repeats 3->1, 6->2.",
        f"nc: {nc}",
    ]
    if kpt_shape is not None:
        lines.append(f"kpt_shape: [{kpt_shape[0]}, {kpt_shape[1]}]")
    lines += ["depth_multiple: 0.33", "width_multiple: 0.125", ""]
    head_args = "Pose, [nc, kpt_shape]" if head == "Pose" else "Detect, [nc]"
    return "\n".join(lines) + "\n" + TINY_BODY.replace("{head}", head_args)


TINY_YAMLS = {
    # file name -> (nc, kpt_shape, head)
    "tiny-pose.yaml": (2, [5, 3], "Pose"),
    "tiny-k12d2-pose.yaml": (1, [12, 2], "Pose"),
    "tiny-detect.yaml": (3, None, "Detect"),
}
TINY_CKPTS = {  # checkpoint stem -> (yaml, randomization seed)
    "tiny-k5-pose": ("tiny-pose.yaml", 1234),
    "tiny-k12d2-pose": ("tiny-k12d2-pose.yaml", 5678),
    "tiny-detect": ("tiny-detect.yaml", 9012),
}


# ----------------------------------------------------------------------------------------------------------------------
def save_npy(path: Path, arr: np.ndarray) -> None:
    arr = np.ascontiguousarray(arr)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    np.save(path, arr, allow_pickle=False)
    log(f"  wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}  {arr.dtype} {arr.shape}")


def load_input(out: Path, hw: str) -> torch.Tensor:
    u8 = np.load(out / f"input-{hw}.npy")
    return torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 255


def reference_outputs(out: Path, name: str, sizes: list[str]) -> None:
    """Raw head output (B, 4+nc+K*D, A) of the checkpoint as loaded by the reference, unfused and fused."""
    # One intra-op thread: the reference's device selection silently switches torch to min(8, cpus-1) threads,
    # and the conv kernels' float round-off depends on the thread count. Pinning it keeps the .npy files stable.
    torch.set_num_threads(1)
    model = YOLO(str(out / f"{name}.pt")).model.float().eval()
    fused = copy.deepcopy(model).fuse(verbose=False).eval()
    with torch.no_grad():
        for hw in sizes:
            x = load_input(out, hw)
            yu = model(x)[0].float().numpy()
            yf = fused(x)[0].float().numpy()
            save_npy(out / f"out-{name}-{hw}-unfused.npy", yu.astype("<f4"))
            save_npy(out / f"out-{name}-{hw}-fused.npy", yf.astype("<f4"))
            d = np.abs(yf - yu)
            log(f"  {name} {hw}: max|fused-unfused| = {d.max():.3e} (max |value| {np.abs(yu).max():.1f})")


# ----------------------------------------------------------------------------------------------------------------------
def step_inputs(out: Path, dataset: Path) -> None:
    """Letterboxed uint8 RGB NHWC inputs, produced by the reference's own loader + LetterBox."""
    log("[inputs]")
    torch.manual_seed(0)
    yolo = YOLO("yolov8n-pose.yaml")
    captured = {}
    orig_pre = None

    def grab(pred):
        nonlocal orig_pre
        orig_pre = pred.pre_transform

        def pre_transform(im):
            captured["orig"] = [x.copy() for x in im]
            res = orig_pre(im)
            captured["boxed"] = [x.copy() for x in res]
            return res

        pred.pre_transform = pre_transform

    yolo.add_callback("on_predict_start", grab)
    src = str(dataset / IMAGE)
    yolo.predict(src, imgsz=640, save=False, verbose=False)
    bgr = captured["orig"][0]
    h0, w0 = bgr.shape[:2]
    rect_bgr = captured["boxed"][0]  # predictor's rect-mode letterbox (auto=True, stride 32) for a .pt model
    log(f"  source {IMAGE}: h={h0} w={w0}; predictor rect letterbox at imgsz 640 -> {rect_bgr.shape[:2]}")
    rect_mine = LetterBox((640, 640), auto=True, stride=32)(image=bgr)
    assert np.array_equal(rect_bgr, rect_mine), "LetterBox(auto=True) differs from predictor pre_transform"
    assert rect_bgr.shape[:2] == (480, 640), rect_bgr.shape
    sq640 = LetterBox((640, 640), auto=False, stride=32)(image=bgr)
    sq320 = LetterBox((320, 320), auto=False, stride=32)(image=bgr)
    for hw, im in (("640x640", sq640), ("480x640", rect_bgr), ("320x320", sq320)):
        rgb = np.ascontiguousarray(im[..., ::-1])[None]  # BGR -> RGB, NHWC
        save_npy(out / f"input-{hw}.npy", rgb.astype(np.uint8))
    # sanity: rows of pad value 114 at top/bottom of the square inputs
    log(f"  640x640 row0 unique={np.unique(sq640[0])} row80={sq640[80, :3, ::-1].tolist()}")


def step_rand(out: Path) -> None:
    log("[rand] rand-n-pose.pt")
    torch.manual_seed(0)
    YOLO("yolov8n-pose.yaml").save(str(out / "rand-n-pose.pt"))
    reference_outputs(out, "rand-n-pose", ["640x640", "480x640"])


def randomize(model: torch.nn.Module, seed: int) -> None:
    """Random BN stats/affine and head final-conv biases so that Conv+BN fusion is exercised."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(n, generator=g) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_(torch.randn(n, generator=g) * 0.2)
        head = model.model[-1]
        for attr in ("cv2", "cv3", "cv4"):
            for seq in getattr(head, attr, []):
                last = seq[-1]
                if isinstance(last, torch.nn.Conv2d) and last.bias is not None:
                    last.bias.copy_(torch.randn(last.bias.shape, generator=g) * 0.5)


def step_tiny(out: Path) -> None:
    log("[tiny]")
    for fname, (nc, kpt, head) in TINY_YAMLS.items():
        (out / fname).write_text(tiny_yaml(fname, nc, kpt, head))
        log(f"  wrote {fname}")
    cwd = os.getcwd()
    os.chdir(out)  # build from the bare file name so the pickled model.yaml['yaml_file'] holds no machine path
    try:
        for stem, (yml, seed) in TINY_CKPTS.items():
            torch.manual_seed(0)
            y = YOLO(yml)
            randomize(y.model, seed)
            y.save(f"{stem}.pt")
            log(f"  wrote {stem}.pt  task={y.task} stride={y.model.stride.tolist()} yaml_file={y.model.yaml['yaml_file']}")
    finally:
        os.chdir(cwd)
    for stem in ("tiny-k5-pose", "tiny-k12d2-pose"):
        reference_outputs(out, stem, ["640x640", "320x320"])


def describe(name: str, model: torch.nn.Module) -> dict:
    sd = model.state_dict()
    fused = copy.deepcopy(model).fuse(verbose=False)
    return {
        "name": name,
        "parameters": sum(p.numel() for p in model.parameters()),
        "fused_parameters": sum(p.numel() for p in fused.parameters()),
        "state_dict": [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in sd.items()],
        "fused_state_dict": [[k, list(v.shape)] for k, v in fused.state_dict().items()],
        "stride": [float(s) for s in model.stride],
        "save": list(model.save),
        "nc": int(model.model[-1].nc),
        "kpt_shape": list(getattr(model.model[-1], "kpt_shape", [])) or None,
    }


def step_summaries(out: Path) -> None:
    log("[summaries]")
    from ultralytics.nn.tasks import PoseModel

    entries = []
    with torch.no_grad():
        specs = [(f"yolov8{s}-pose.yaml", {}) for s in "nslmx"]
        specs += [(f"yolov8{s}-pose-p6.yaml", {}) for s in "ns"]
        specs += [("yolov8n-pose.yaml", {"nc": 3, "data_kpt_shape": (21, 3)})]
        specs += [(str(out / f), {}) for f in ("tiny-pose.yaml", "tiny-k12d2-pose.yaml")]
        for cfg, kw in specs:
            t = time.time()
            torch.manual_seed(0)
            model = PoseModel(cfg, verbose=False, **kw)
            name = Path(cfg).name + ("" if not kw else f" nc={kw['nc']} kpt_shape={list(kw['data_kpt_shape'])}")
            entries.append(describe(name, model))
            log(f"  {name}: {entries[-1]['parameters']:,} params, fused {entries[-1]['fused_parameters']:,} "
                f"({time.time() - t:.1f}s)")
            del model
    path = out / "model-summaries.json"
    path.write_text(json.dumps(entries, separators=(",", ":")) + "\n")
    log(f"  wrote {path.name}")


def step_trained(out: Path, dataset: Path) -> None:
    log("[trained] training yolov8n-pose.yaml from scratch on coco8-pose (cpu)")
    with tempfile.TemporaryDirectory(prefix="fixtures-train-") as tmp:
        tmp = Path(tmp)
        data_root = tmp / "coco8-pose"  # private copy: the trainer writes label caches next to the labels
        shutil.copytree(dataset, data_root, ignore=shutil.ignore_patterns("*.cache"))
        data_yaml = tmp / "coco8-pose.yaml"
        data_yaml.write_text(
            f"path: {data_root}\ntrain: images/train\nval: images/val\n"
            f"kpt_shape: [17, 3]\nflip_idx: {FLIP_IDX}\nnames:\n  0: person\n"
        )
        torch.manual_seed(0)
        model = YOLO("yolov8n-pose.yaml")
        t = time.time()
        model.train(
            data=str(data_yaml), epochs=TRAIN_EPOCHS, imgsz=320, batch=4, device="cpu", workers=0, seed=0,
            deterministic=True, plots=False, project=str(tmp / "runs"), name="train", exist_ok=True,
            amp=False, verbose=False, val=True,
        )
        log(f"  training took {time.time() - t:.1f}s")
        last = tmp / "runs" / "train" / "weights" / "last.pt"
        shutil.copy(last, out / "trained-n-pose.pt")
        log("  wrote trained-n-pose.pt")
    reference_outputs(out, "trained-n-pose", ["640x640", "480x640"])


def step_overfit(out: Path, dataset: Path) -> None:
    """yolov8n-pose.yaml from scratch, deliberately over-fitted on all 8 coco8-pose images (train AND val folders)."""
    log(f"[overfit] training yolov8n-pose.yaml from scratch on all 8 coco8-pose images (cpu, stages {OVERFIT_STAGES})")
    with tempfile.TemporaryDirectory(prefix="fixtures-overfit-") as tmp:
        tmp = Path(tmp)
        data_root = tmp / "coco8-pose"  # private copy: the trainer writes label caches next to the labels
        shutil.copytree(dataset, data_root, ignore=shutil.ignore_patterns("*.cache"))
        data_yaml = tmp / "coco8-pose-all.yaml"
        data_yaml.write_text(
            f"path: {data_root}\ntrain: [images/train, images/val]\nval: images/val\n"
            f"kpt_shape: [17, 3]\nflip_idx: {FLIP_IDX}\nnames:\n  0: person\n"
        )
        # Stage 1 from scratch; stage 2 continues from stage 1's stripped last.pt (fresh optimizer / EMA, lower lr, no
        # warm-up). OVERFIT_STAGE1=<last.pt> skips stage 1 (development shortcut only; fixtures use the full run).
        t = time.time()
        stage1 = os.environ.get("OVERFIT_STAGE1")
        for stage, (epochs, lr0, warmup) in enumerate(OVERFIT_STAGES, 1):
            if stage == 1 and stage1:
                log(f"  stage 1 skipped: using {stage1}")
                continue
            torch.manual_seed(0)
            src = "yolov8n-pose.yaml" if stage == 1 else str(stage1 or tmp / "runs" / "stage1" / "weights" / "last.pt")
            model = YOLO(src)
            # select_device() resets the thread count; set ours again once training starts. Training round-off (and
            # so the exact weights) depends on it.
            model.add_callback("on_pretrain_routine_end", lambda trainer: torch.set_num_threads(OVERFIT_THREADS))
            model.train(
                data=str(data_yaml), epochs=epochs, imgsz=OVERFIT_IMGSZ, batch=OVERFIT_BATCH, nbs=OVERFIT_BATCH,
                device="cpu", workers=0, seed=0, deterministic=True, amp=False, plots=False, val=False,
                # Memorization, not generalization: no mosaic, default flip / HSV / translate, scale 0.5 kept so that
                # the people are also found at imgsz 640 (objects ~1.5x the training size there).
                optimizer="AdamW", lr0=lr0, lrf=0.05, warmup_epochs=warmup, mosaic=0.0, close_mosaic=0,
                project=str(tmp / "runs"), name=f"stage{stage}", exist_ok=True, verbose=False,
            )
            log(f"  stage {stage} ({epochs} epochs from {Path(src).name}) done after {time.time() - t:.1f}s")
        log(f"  training took {time.time() - t:.1f}s")
        last = tmp / "runs" / f"stage{len(OVERFIT_STAGES)}" / "weights" / "last.pt"
        shutil.copy(last, out / "overfit-n-pose.pt")
        log(f"  wrote overfit-n-pose.pt ({(out / 'overfit-n-pose.pt').stat().st_size:,} bytes)")
    torch.set_num_threads(1)
    yolo = YOLO(str(out / "overfit-n-pose.pt"))
    for img in sorted((dataset / "images").glob("*/*.jpg")):
        n_lab = len((dataset / "labels" / img.parent.name / (img.stem + ".txt")).read_text().splitlines())
        for s in (640, 320):
            c = yolo.predict(str(img), imgsz=s, conf=0.25, verbose=False, save=False)[0].boxes.conf.numpy()
            log(f"  {img.parent.name}/{img.name} imgsz {s}: {len(c)} det at conf 0.25 ({n_lab} labelled), "
                f"confs {np.round(c, 3).tolist()}")


# ----------------------------------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="inputs,rand,tiny,summaries,trained,overfit")
    ap.add_argument("--dataset", default="/work/shared/datasets/coco8-pose")
    ap.add_argument("--out", default=str(REPO / "Tests" / "Fixtures"))
    a = ap.parse_args()
    out, dataset = Path(a.out).resolve(), Path(a.dataset).resolve()
    out.mkdir(parents=True, exist_ok=True)
    steps = a.only.split(",")
    t0 = time.time()
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="fixtures-cwd-") as work:
        os.chdir(work)  # the reference package may drop files (e.g. runs/) into the cwd
        try:
            for s in steps:
                t = time.time()
                {"inputs": lambda: step_inputs(out, dataset), "rand": lambda: step_rand(out),
                 "tiny": lambda: step_tiny(out), "summaries": lambda: step_summaries(out),
                 "trained": lambda: step_trained(out, dataset),
                 "overfit": lambda: step_overfit(out, dataset)}[s]()
                log(f"  step {s}: {time.time() - t:.1f}s")
        finally:
            os.chdir(cwd)
    log("[files]")
    total = 0
    for p in sorted(out.iterdir()):
        if p.is_file() and p.name != "README.md":
            total += p.stat().st_size
            log(f"  {p.stat().st_size:>10,}  {p.name}")
    log(f"  total {total / 1e6:.2f} MB; elapsed {time.time() - t0:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
