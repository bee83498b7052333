#!/usr/bin/env python3
"""Make the video fixtures in Tests/Fixtures/video/ by running the reference implementation as a black box.

Run from the repository root (about 15 s on 2 CPU cores):
    /work/refvenv/bin/python Scripts/reference/make_video_fixtures.py

Needs the reference venv (ultralytics==8.4.190, its bundled opencv-python with the FFmpeg backend), the system
`ffmpeg` (Debian package; used only to add rotation metadata by stream copy and to probe outputs), the shared
coco8-pose images and Tests/Fixtures/tiny-k5-pose.pt.

Writes:
  clip.mp4        12 frames, 256x192, 10 fps, cv2.VideoWriter 'mp4v'. Frames 0-7 are the 8 coco8-pose images
                  (sorted train then val) resized with INTER_AREA; frames 8-11 are images 0-3 flipped left-right.
  (predict_overfit in reference.json: the same runs with Tests/Fixtures/overfit-n-pose.pt, when it exists, for
  vid_stride 1 and 3 with every detection stored, plus the checkpoint's sha256.)
  clip_rot90.mp4  4 frames, 160x96 coded, mp4v, then `ffmpeg -c copy -metadata:s:v:0 rotate=90`: the container
                  carries a display matrix (ffprobe rotation 90) and OpenCV returns 96x160 frames.
  reference.json  cv2 decode facts and per-frame FNV-1a 64 hashes of the BGR bytes (clip, clip_rot90, and the
                  frame count OpenCV reports for clip.mp4 remuxed to .mkv, which has no nb_frames), the reference's
                  error for a truncated .mp4, and predict runs with tiny-k5-pose.pt, imgsz 320, conf 0.25 and
                  vid_stride 1, 3, 5, 13 (stream=True, save=True, save_txt=True). Per run: per kept frame the 0-based
                  source frame (found by hash), n, class counts, exactly_tied_conf, first_tied_index (index of the
                  first detection whose float32 conf equals another's) and the first 5 detections in returned order;
                  the console lines (path -> <clip>, time -> <ms>); label file names with line counts; and ffprobe
                  facts of the saved clip.avi (null when none was written).

Everything that writes runs in a temporary folder with an absolute `project`; nothing appears in the repo but
the three files above.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import refenv  # noqa: E402,F401  (offline settings and font; before ultralytics)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/Fixtures/video"
DATASET = Path("/work/shared/datasets/coco8-pose")
CKPT = ROOT / "Tests/Fixtures/tiny-k5-pose.pt"


import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import ultralytics  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.utils import LOGGER  # noqa: E402

torch.set_num_threads(1)


def fnv1a64(b: bytes) -> str:
    """FNV-1a 64 as 16 hex digits (same as make_image_fixtures.py / Tests/YOLODataTests/Reference.swift)."""
    a = np.frombuffer(b, dtype=np.uint8)
    h = 0xCBF29CE484222325
    for x in a.tolist():
        h = ((h ^ x) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def decode(path: Path) -> dict:
    cap = cv2.VideoCapture(str(path))
    info = {
        "frame_count": int(cap.get(cv2.CAP_PROP_FRAME_COUNT)),
        "fps": cap.get(cv2.CAP_PROP_FPS),
        "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        "orientation_meta": cap.get(cv2.CAP_PROP_ORIENTATION_META),
        "orientation_auto": cap.get(cv2.CAP_PROP_ORIENTATION_AUTO),
    }
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    cap.release()
    info["decoded_frames"] = len(frames)
    info["shape"] = list(frames[0].shape) if frames else None
    info["fnv1a64"] = [fnv1a64(f.tobytes()) for f in frames]
    return info, frames


def make_clips(tmp: Path) -> None:
    files = sorted(DATASET.glob("images/train/*.jpg")) + sorted(DATASET.glob("images/val/*.jpg"))
    imgs = [cv2.imread(str(f)) for f in files]
    w = cv2.VideoWriter(str(OUT / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (256, 192))
    for i in range(12):
        im = imgs[i] if i < 8 else cv2.flip(imgs[i - 8], 1)
        w.write(cv2.resize(im, (256, 192), interpolation=cv2.INTER_AREA))
    w.release()
    raw = tmp / "rot_src.mp4"
    w = cv2.VideoWriter(str(raw), cv2.VideoWriter_fourcc(*"mp4v"), 5, (160, 96))
    for i in range(4):
        w.write(cv2.resize(imgs[i], (160, 96), interpolation=cv2.INTER_AREA))
    w.release()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), "-c", "copy", "-metadata:s:v:0", "rotate=90",
                    str(OUT / "clip_rot90.mp4")], check=True)


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,codec_tag_string,width,height,r_frame_rate,nb_frames,pix_fmt", "-of", "json",
                          str(path)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["streams"][0]


class Capture:
    """Collects the reference's per-frame console lines (LOGGER.info)."""

    def __init__(self):
        self.lines = []

    def __enter__(self):
        import logging

        class H(logging.Handler):
            def emit(h, record):
                self.lines.append(record.getMessage())

        self.h = H()
        LOGGER.addHandler(self.h)
        return self

    def __exit__(self, *a):
        LOGGER.removeHandler(self.h)


def predict_runs(tmp: Path, frames: list, ckpt: Path = CKPT, strides=(1, 3, 5, 13), keep: int = 5) -> list:
    hashes = [fnv1a64(f.tobytes()) for f in frames]
    model = YOLO(str(ckpt))
    clip = tmp / "clip.mp4"
    shutil.copy(OUT / "clip.mp4", clip)
    runs = []
    for stride in strides:
        name = f"{ckpt.stem}-vs{stride}"
        with Capture() as cap:
            results = []
            for r in model.predict(str(clip), imgsz=320, conf=0.25, vid_stride=stride, stream=True, save=True,
                                   save_txt=True, project=str(tmp / "runs"), name=name, exist_ok=True, verbose=True):
                confs = r.boxes.conf.numpy()
                kp = r.keypoints.data.numpy()
                xyxy = r.boxes.xyxy.numpy()
                cls = r.boxes.cls.numpy().astype(int)
                results.append({
                    "source_frame": hashes.index(fnv1a64(r.orig_img.tobytes())),
                    "n": len(r),
                    "classes": {str(c): int((cls == c).sum()) for c in sorted(set(cls.tolist()))},
                    "exactly_tied_conf": int(sum((confs == c).sum() > 1 for c in confs)),
                    "first_tied_index": next((i for i, c in enumerate(confs) if (confs == c).sum() > 1), len(confs)),
                    "detections": [{"xyxy": [float(v) for v in xyxy[i]], "conf": float(confs[i]), "cls": int(cls[i]),
                                    "keypoints": [[float(v) for v in p] for p in kp[i]]} for i in range(min(keep, len(r)))],
                })
        save_dir = tmp / "runs" / name
        avi = save_dir / "clip.avi"
        labels = sorted((save_dir / "labels").glob("*.txt")) if (save_dir / "labels").exists() else []
        video_lines = [l.replace(str(clip), "<clip>") for l in cap.lines if l.startswith("video ")]
        runs.append({
            "vid_stride": stride,
            "results": results,
            "console": [l.rsplit(", ", 1)[0] + ", <ms>" for l in video_lines],
            "labels": {p.name: sum(1 for _ in open(p)) for p in labels},
            "avi": ffprobe(avi) if avi.exists() else None,
        })
    return runs


def main() -> None:
    if shutil.which("ffmpeg") is None:
        sys.exit("needs the system ffmpeg (apt-get install ffmpeg)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        make_clips(tmp)
        clip_info, frames = decode(OUT / "clip.mp4")
        rot_info, _ = decode(OUT / "clip_rot90.mp4")
        mkv = tmp / "clip.mkv"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(OUT / "clip.mp4"), "-c", "copy", str(mkv)], check=True)
        mkv_info, _ = decode(mkv)
        bad = tmp / "bad.mp4"
        bad.write_bytes((OUT / "clip.mp4").read_bytes()[:5000])
        try:
            list(YOLO(str(CKPT)).predict(str(bad), imgsz=320, stream=True, verbose=False))
            bad_error = None
        except Exception as e:  # the reference raises and ends the run
            bad_error = f"{type(e).__name__}: {str(e).replace(str(bad), '<bad>')}"
        runs = predict_runs(tmp, frames)
        overfit = ROOT / "Tests/Fixtures/overfit-n-pose.pt"
        overfit_runs = predict_runs(tmp, frames, overfit, (1, 3), keep=1000) if overfit.exists() else None
    doc = {
        "reference": f"ultralytics {ultralytics.__version__}, opencv {cv2.__version__}, torch {torch.__version__}",
        "clip": {"file": "clip.mp4", **clip_info},
        "clip_rot90": {"file": "clip_rot90.mp4", **rot_info},
        "clip_mkv_remux": {"note": "clip.mp4 remuxed with `ffmpeg -c copy` to .mkv (no nb_frames in the container)",
                           "frame_count": mkv_info["frame_count"], "decoded_frames": mkv_info["decoded_frames"]},
        "truncated_mp4_error": bad_error,
        "predict": {"checkpoint": "tiny-k5-pose.pt", "imgsz": 320, "conf": 0.25,
                    "call": "YOLO(pt).predict(clip, imgsz=320, conf=0.25, vid_stride=S, stream=True, save=True, save_txt=True)",
                    "runs": runs},
    }
    if overfit_runs is not None:
        doc["predict_overfit"] = {"checkpoint": "overfit-n-pose.pt", "sha256": hashlib.sha256(overfit.read_bytes()).hexdigest(),
                                  "imgsz": 320, "conf": 0.25, "note": "all detections stored; no exactly tied scores",
                                  "runs": overfit_runs}
    (OUT / "reference.json").write_text(json.dumps(doc, indent=1) + "\n")
    print("wrote", OUT, {p.name: p.stat().st_size for p in OUT.iterdir()})


if __name__ == "__main__":
    main()
