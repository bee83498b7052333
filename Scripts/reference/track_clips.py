"""End-to-end tracking fixture: Ultralytics 8.4.190's `model.track` on two small clips, with each built-in tracker.

Clips (lossless FFV1 in AVI, so every decoder returns the frames exactly; the Swift test rebuilds them the same way
from the decoded JPEGs — our JPEG decoder is bit-identical to cv2.imread):
  * `shifted`: 20 windows of 360x540 (w x h) from coco8-pose val 000000000113.jpg, window origin (2t, 4t) at frame t;
  * `moving`:  20 frames of 800x480 mid-grey (114) canvas with val 000000000136.jpg (500x374) pasted at (12t, 53).
Each clip is tracked with bytetrack.yaml, botsort.yaml and tracktrack.yaml (the default) using
Tests/Fixtures/overfit-n-pose.pt and the track defaults (conf 0.1, the checkpoint's imgsz). Per frame the fixture
keeps boxes.data ([x1, y1, x2, y2, id, conf, cls], or without id when the frame has no tracks) and the keypoints.

Writes Tests/Fixtures/track/clips.json. Run: /path/to/refvenv/bin/python Scripts/reference/track_clips.py
"""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

os.environ.setdefault("YOLO_OFFLINE", "1")
from ultralytics import YOLO  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "../.."))
COCO = os.path.normpath(os.path.join(ROOT, "../shared/datasets/coco8-pose/images"))


def frames(kind):
    if kind == "shifted":
        im = cv2.imread(f"{COCO}/val/000000000113.jpg")
        return [im[4 * t : 4 * t + 540, 2 * t : 2 * t + 360].copy() for t in range(20)]
    im = cv2.imread(f"{COCO}/val/000000000136.jpg")
    out = []
    for t in range(20):
        canvas = np.full((480, 800, 3), 114, np.uint8)
        canvas[53 : 53 + im.shape[0], 12 * t : 12 * t + im.shape[1]] = im
        out.append(canvas)
    return out


def write_clip(kind, path):
    fr = frames(kind)
    h, w = fr[0].shape[:2]
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", f"{w}x{h}",
           "-framerate", "30", "-i", "pipe:0", "-c:v", "ffv1", "-pix_fmt", "bgr0", path]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in fr), check=True)
    cap = cv2.VideoCapture(path)  # the reference must read back exactly these frames
    for i, f in enumerate(fr):
        ok, g = cap.read()
        assert ok and np.array_equal(f, g), f"{kind}: frame {i} does not decode exactly"


def main():
    model_path = os.path.join(ROOT, "Tests/Fixtures/overfit-n-pose.pt")
    out = dict(generator="Scripts/reference/track_clips.py", ultralytics="8.4.190", model="overfit-n-pose.pt", clips={})
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("shifted", "moving"):
            clip = os.path.join(tmp, f"{kind}.avi")
            write_clip(kind, clip)
            runs = {}
            for tracker in ("bytetrack.yaml", "botsort.yaml", "tracktrack.yaml"):
                model = YOLO(model_path)
                per_frame = []
                for r in model.track(source=clip, tracker=tracker, verbose=False, save=False, stream=True):
                    per_frame.append(
                        dict(boxes=r.boxes.data.cpu().numpy().astype(np.float32).tolist(),
                             keypoints=r.keypoints.data.cpu().numpy().astype(np.float32).tolist())
                    )
                runs[tracker] = per_frame
                ids = sorted({int(b[4]) for f in per_frame for b in f["boxes"] if len(b) == 7})
                print(f"{kind} {tracker}: {len(per_frame)} frames, ids {ids}", file=sys.stderr)
            out["clips"][kind] = runs
    dst = os.path.join(ROOT, "Tests/Fixtures/track/clips.json")
    with open(dst, "w") as f:
        json.dump(out, f)
    print(f"-> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
