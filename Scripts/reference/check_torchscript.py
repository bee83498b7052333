#!/usr/bin/env python3
"""Run a TorchScript file written by this project with torch.jit.load, and compare it with our own forward and with
the reference's own `yolo export format=torchscript` of the same checkpoint, on the same input.

Usage (run by the Swift tests; any cwd works, it writes only into temporary folders):
    /work/refvenv/bin/python Scripts/reference/check_torchscript.py <request.json>

request.json: {"cases": [{
    "name":        "overfit",
    "torchscript": "/abs/ours.torchscript",
    "input":       "/abs/input.npy",       # float32 NHWC RGB in [0, 1] (our letterboxed images)
    "ours":        "/abs/ours-output.npy", # optional: our Swift forward on that input, compared with the file's output
    "reference":   {"checkpoint": "/abs/x.pt", "args": {"dynamic": false, "nms": true, ...},   # optional
                    "per_image": true},  # run the reference's file one image at a time (a traced NMS loop covers
                                         # only the export batch) and concatenate
    "predict":     {"imgsz": 416, "images": ["/abs/a.jpg", ...]}   # optional: YOLO(file).predict with both files
}]}

Prints one line "RESULT_JSON: {...}" with, per case name:
  "shape":            output shape of our file
  "config":           extra/config.txt of our file, parsed
  "parameters":       [[name, shape], ...] of our file's named_parameters()
  "detections":       with "torchvision": true (embedded NMS), the number of non-empty output rows
  "vs_swift":         max |our file − our Swift forward|
  "reference_shape", "reference_config", "reference_parameters": the same for the reference's file
  "vs_reference":     max |our file − reference file| on the input; "reference_vs_swift" likewise
  "reference_seconds": wall time of the reference's export call
  "predict":          {"ours": [detections per image], "reference": [...], "max_diff": max |Δ| of boxes, confidences
                      and keypoints between the two files' Results (null when the counts differ)}
"""
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: E402,F401  (offline settings before ultralytics)

import numpy as np  # noqa: E402
import torch  # noqa: E402


def load(path):
    extra = {"config.txt": ""}
    module = torch.jit.load(path, _extra_files=extra, map_location="cpu")
    return module, json.loads(extra["config.txt"])


def run(module, x):
    with torch.no_grad():
        return module(x)


def max_diff(a, b):
    if a.shape != b.shape:
        return f"shape {list(a.shape)} vs {list(b.shape)}"
    return float((a - b).abs().max()) if a.numel() else 0.0


def predictions(path, req):
    from ultralytics import YOLO

    model = YOLO(path, task=load(path)[1]["task"])
    out = []
    for r in model.predict(req["images"], imgsz=req["imgsz"], verbose=False):
        parts = [r.boxes.xyxy, r.boxes.conf[:, None], r.boxes.cls[:, None]]
        if r.keypoints is not None:
            parts.append(r.keypoints.data.flatten(1))
        out.append(torch.cat(parts, 1))
    return out


def compare_predictions(ours, theirs):
    if [len(o) for o in ours] != [len(t) for t in theirs]:
        return None
    return max((float((o - t).abs().max()) if len(o) else 0.0) for o, t in zip(ours, theirs))


def parameters(module):
    return [[name, list(p.shape)] for name, p in module.named_parameters()]


def main():
    request = json.loads(Path(sys.argv[1]).read_text())
    if any(c.get("reference", {}).get("args", {}).get("nms") for c in request["cases"]) or any(
            c.get("torchvision") for c in request["cases"]):
        import torchvision  # noqa: F401  (registers torchvision::nms for files with embedded NMS)
    # One thread, as the fixtures' reference forwards: runs are reproducible, and our file and the reference's then
    # agree bit for bit (with more threads torch's convolutions differ by a few ulps between the two graphs).
    torch.set_num_threads(1)
    report = {}
    for case in request["cases"]:
        x = torch.from_numpy(np.load(case["input"])).permute(0, 3, 1, 2).contiguous().float()
        ours, config = load(case["torchscript"])
        y = run(ours, x)
        entry = {"shape": list(y.shape), "config": config, "parameters": parameters(ours)}
        if case.get("torchvision"):  # embedded NMS: count the non-empty rows
            entry["detections"] = int((y[..., 4] > 0).sum())
        swift = torch.from_numpy(np.load(case["ours"])) if case.get("ours") else None
        if swift is not None:
            entry["vs_swift"] = max_diff(y, swift)
        ref = case.get("reference")
        if ref:
            with tempfile.TemporaryDirectory() as tmp:
                ckpt = Path(tmp) / Path(ref["checkpoint"]).name
                shutil.copy(ref["checkpoint"], ckpt)
                from ultralytics import YOLO

                t0 = time.perf_counter()
                path = YOLO(str(ckpt)).export(format="torchscript", **ref.get("args", {}))
                entry["reference_seconds"] = time.perf_counter() - t0
                theirs, their_config = load(path)
                if ref.get("per_image"):
                    z = torch.cat([run(theirs, x[i:i + 1]) for i in range(x.shape[0])])
                else:
                    z = run(theirs, x)
                entry["reference_shape"] = list(z.shape)
                entry["reference_config"] = their_config
                entry["reference_parameters"] = parameters(theirs)
                entry["vs_reference"] = max_diff(y, z)
                if swift is not None:
                    entry["reference_vs_swift"] = max_diff(z, swift)
                if case.get("predict"):
                    mine, theirs = predictions(case["torchscript"], case["predict"]), predictions(path, case["predict"])
                    entry["predict"] = {"ours": [len(p) for p in mine], "reference": [len(p) for p in theirs],
                                        "max_diff": compare_predictions(mine, theirs)}
        report[case["name"]] = entry
    print("RESULT_JSON: " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
