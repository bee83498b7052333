"""Tracker-level parity fixture: synthetic detection streams run through Ultralytics 8.4.190's own trackers.

Writes Tests/Fixtures/track/streams.json. Each case is a tracker configuration (the built-in YAML values, with GMC off
so no image is needed, plus a few variations) and a stream of frames; each frame lists the detections fed in
(x1 y1 x2 y2 conf cls as float32) and the rows the tracker returned (x1 y1 x2 y2 id score cls idx, float32).
The streams are made from seeded random walkers: people moving at constant velocity with noise, entering and
leaving, occluded for a few frames, with scores that sometimes drop into the low band, plus spurious detections.

Run: /path/to/refvenv/bin/python Scripts/reference/tracker_streams.py
"""
import json
import os
import sys

import numpy as np

os.environ.setdefault("YOLO_OFFLINE", "1")
from ultralytics.engine.results import Boxes  # noqa: E402
from ultralytics.trackers.track import TRACKER_MAP  # noqa: E402
from ultralytics.utils import YAML, IterableSimpleNamespace  # noqa: E402
from ultralytics.utils.checks import check_yaml  # noqa: E402

H, W = 480, 640


def stream(seed, frames=40, people=6):
    rng = np.random.default_rng(seed)
    walkers = []
    for _ in range(people):
        w, h = rng.uniform(30, 120), rng.uniform(80, 260)
        walkers.append(
            dict(
                x=rng.uniform(0, W - w), y=rng.uniform(0, H - h), w=w, h=h,
                vx=rng.uniform(-8, 8), vy=rng.uniform(-4, 4),
                start=int(rng.integers(0, frames // 2)), end=int(rng.integers(frames // 2, frames + 10)),
                gap=(int(rng.integers(5, frames)), int(rng.integers(1, 5))),
            )
        )
    out = []
    for f in range(frames):
        dets = []
        for p in walkers:
            if not (p["start"] <= f < p["end"]):
                continue
            g0, glen = p["gap"]
            if g0 <= f < g0 + glen:  # occluded
                continue
            t = f - p["start"]
            x = p["x"] + p["vx"] * t + rng.normal(0, 1.5)
            y = p["y"] + p["vy"] * t + rng.normal(0, 1.5)
            w = p["w"] * (1 + rng.normal(0, 0.03))
            h = p["h"] * (1 + rng.normal(0, 0.03))
            x1, y1, x2, y2 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
            if x2 - x1 < 4 or y2 - y1 < 4:
                continue
            conf = rng.uniform(0.5, 0.95) if rng.random() > 0.2 else rng.uniform(0.1, 0.3)
            dets.append([x1, y1, x2, y2, conf, 0])
        for _ in range(int(rng.integers(0, 3))):  # spurious
            x, y = rng.uniform(0, W - 60), rng.uniform(0, H - 60)
            dets.append([x, y, x + rng.uniform(10, 60), y + rng.uniform(10, 60), rng.uniform(0.1, 0.4), 0])
        if f == frames // 3:  # a duplicate box
            if dets:
                d = list(dets[0])
                d[0] += 0.5
                d[4] = 0.9
                dets.append(d)
        order = rng.permutation(len(dets))
        out.append(np.asarray([dets[i] for i in order], dtype=np.float32).reshape(-1, 6))
    return out


def run(cfg, frames):
    args = IterableSimpleNamespace(**cfg)
    tracker = TRACKER_MAP[args.tracker_type](args=args)
    rows = []
    for dets in frames:
        tracks = tracker.update(Boxes(dets, (H, W)), None)
        rows.append(np.asarray(tracks, dtype=np.float32).reshape(-1, 8))
    return rows


def main():
    base = {name: YAML.load(check_yaml(f"{name}.yaml")) for name in ("bytetrack", "botsort", "tracktrack")}
    for name in ("botsort", "tracktrack"):
        base[name]["gmc_method"] = "none"
    variants = [
        ("bytetrack", {}), ("botsort", {}), ("tracktrack", {}),
        ("bytetrack", {"track_buffer": 3, "fuse_score": False}),
        ("botsort", {"match_thresh": 0.6, "track_buffer": 5}),
        ("tracktrack", {"min_track_len": 1, "lost_match_thr": 0.9, "track_high_thresh": 0.4, "new_track_thresh": 0.5}),
    ]
    cases = []
    for k, (name, changes) in enumerate(variants):
        cfg = dict(base[name], **changes)
        for seed in (k * 10 + 1, k * 10 + 2):
            frames = stream(seed)
            rows = run(cfg, frames)
            cases.append(
                dict(
                    config=cfg, seed=seed,
                    frames=[dict(dets=d.tolist(), tracks=r.tolist()) for d, r in zip(frames, rows)],
                )
            )
    dst = os.path.join(os.path.dirname(__file__), "../../Tests/Fixtures/track/streams.json")
    with open(dst, "w") as f:
        json.dump(dict(generator="Scripts/reference/tracker_streams.py", ultralytics="8.4.190", size=[H, W], cases=cases), f)
    n = sum(len(c["frames"]) for c in cases)
    print(f"{len(cases)} cases, {n} frames -> {os.path.normpath(dst)}", file=sys.stderr)


if __name__ == "__main__":
    main()
