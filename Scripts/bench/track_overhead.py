"""Per-frame cost of Ultralytics 8.4.190's trackers next to its predict, for yolo-bench --track.

Builds the `shifted` clip frames of Scripts/reference/track_clips.py (repeated `--loops` times, forward then back so
the motion stays smooth), predicts each frame with the model (timed), then feeds the stored results to each tracker
(bytetrack, botsort and tracktrack with their default GMC) and times `tracker.update` per frame. Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("YOLO_OFFLINE", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../reference"))
from track_clips import frames  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.trackers.track import TRACKER_MAP  # noqa: E402
from ultralytics.utils import YAML, IterableSimpleNamespace  # noqa: E402
from ultralytics.utils.checks import check_yaml  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--loops", type=int, default=3)
    a = ap.parse_args()
    base = frames("shifted")
    clip = []
    for k in range(a.loops):
        clip += base if k % 2 == 0 else base[::-1]
    model = YOLO(a.model)
    model.predict(clip[0], conf=0.1, verbose=False)  # warm-up
    results, predict_ms = [], []
    for f in clip:
        t = time.perf_counter()
        r = model.predict(f, conf=0.1, verbose=False)[0]
        predict_ms.append((time.perf_counter() - t) * 1e3)
        results.append(r)
    out = {"frames": len(clip), "predict_ms": float(np.median(predict_ms)), "trackers": {}}
    for name in ("bytetrack", "botsort", "tracktrack"):
        cfg = IterableSimpleNamespace(**YAML.load(check_yaml(f"{name}.yaml")))
        tracker = TRACKER_MAP[name](args=cfg)
        ms = []
        for r, f in zip(results, clip):
            det = r.boxes.cpu().numpy()
            t = time.perf_counter()
            tracker.update(det, f)
            ms.append((time.perf_counter() - t) * 1e3)
        out["trackers"][name] = float(np.median(ms))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
