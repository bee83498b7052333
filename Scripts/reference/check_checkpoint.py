#!/usr/bin/env python3
"""Load a checkpoint written by this project with the reference (Ultralytics 8.4.190 / torch) and report what it sees.

Usage (the Swift tests run it; any cwd works, it never writes outside temporary folders):
    /work/refvenv/bin/python Scripts/reference/check_checkpoint.py <checkpoint.pt> <request.json>

request.json (every part optional):
  {"expect":     {"class": "PoseModel", "task": "pose", "names": {"0": "person"}, "kpt_shape": [17, 3],
                  "stride": [8, 16, 32], "top_keys": [...]},            # checked here; a mismatch exits with status 1
   "predict":    [{"imgsz": 640, "conf": 0.25, "images": ["/abs/img.jpg", ...]}],
   "val":        {"dataset": "/abs/coco8-pose", "imgsz": 640, "batch": 16},
   "forward":    {"input": "/abs/input-320x320.npy", "output": "/abs/out.npy"},   # NHWC uint8 in, eval model(x)[0] out
   "torch_load": true,                                                   # plain torch.load(weights_only=False)
   "safe_load":  true}                                                   # Ultralytics' restricted weights_only load

Prints one line "RESULT_JSON: {...}" with:
  "model":      class, task, names, kpt_shape, stride, nc, yaml_file, training flag of the loaded checkpoint model
  "predict":    per request, {image file name: [{"xyxy", "conf", "cls", "keypoints"}]} from YOLO(path).predict
  "forward":    the output's shape (the values are saved to forward.output as float32 .npy)
  "val":        YOLO(path).val(...).results_dict (the dataset is mirrored with symlinks in a temporary folder,
                because the validator writes labels/*.cache next to the labels)
  "torch_load": top-level keys and value types, optimizer state size and tensor dtypes
  "safe_load":  true when the restricted load succeeded
"""
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: E402,F401  (offline settings before ultralytics)

import torch  # noqa: E402
from ultralytics import YOLO  # noqa: E402


def fail(message: str) -> None:
    print(f"CHECK FAILED: {message}", flush=True)
    sys.exit(1)


def describe(model) -> dict:
    inner = model.model
    return {
        "class": type(inner).__name__,
        "task": model.task,
        "names": {str(k): v for k, v in model.names.items()},
        "kpt_shape": list(getattr(inner, "kpt_shape", None) or []) or None,
        "stride": [float(s) for s in inner.stride],
        "nc": int(inner.model[-1].nc),
        "yaml_file": inner.yaml.get("yaml_file"),
        "ckpt_model_training": bool(model.ckpt["model"].training) if model.ckpt.get("model") is not None else None,
    }


def check_expectations(seen: dict, expect: dict, ckpt: dict) -> None:
    for key in ("class", "task", "names", "kpt_shape", "stride"):
        if key in expect and seen[key] != expect[key]:
            fail(f"{key}: expected {expect[key]!r}, found {seen[key]!r}")
    if "top_keys" in expect and list(ckpt.keys()) != expect["top_keys"]:
        fail(f"top-level keys: expected {expect['top_keys']}, found {list(ckpt.keys())}")


def predictions(model, req: dict) -> dict:
    out = {}
    for path in req["images"]:  # one at a time: a batch of differently shaped images is letterboxed to a square
        r = model.predict(source=path, imgsz=req["imgsz"], conf=req["conf"], save=False, verbose=False)[0]
        dets = []
        kpts = r.keypoints.data.tolist() if r.keypoints is not None else None
        for j in range(len(r.boxes)):
            dets.append({"xyxy": r.boxes.xyxy[j].tolist(), "conf": float(r.boxes.conf[j]), "cls": int(r.boxes.cls[j]),
                         "keypoints": kpts[j] if kpts is not None else []})
        out[Path(path).name] = dets
    return out


def forward(model, req: dict) -> dict:
    import numpy as np

    x = torch.from_numpy(np.load(req["input"])).permute(0, 3, 1, 2).float() / 255
    net = model.model.eval()
    with torch.no_grad():
        y = net(x)[0]
    np.save(req["output"], y.numpy().astype(np.float32))
    return {"shape": list(y.shape)}


def validate(path: str, req: dict, tmp: Path) -> dict:
    src = Path(req["dataset"])
    mirror = tmp / "dataset"
    for sub in ("images/val", "labels/val"):
        (mirror / sub).mkdir(parents=True)
        for f in sorted((src / sub).iterdir()):
            (mirror / sub / f.name).symlink_to(f.resolve())
    data = {"path": str(mirror), "train": "images/val", "val": "images/val", "kpt_shape": [17, 3],
            "flip_idx": [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15], "names": {0: "person"}}
    yaml_path = tmp / "data.yaml"
    yaml_path.write_text(json.dumps(data))
    metrics = YOLO(path).val(data=str(yaml_path), imgsz=req["imgsz"], batch=req.get("batch", 16), plots=False,
                             project=str(tmp / "runs"), name="val", verbose=False)
    return {k: float(v) for k, v in metrics.results_dict.items()}


def torch_load_summary(path: str) -> dict:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    summary = {"keys": list(ck.keys()), "types": {k: type(v).__name__ for k, v in ck.items()}}
    opt = ck.get("optimizer")
    if isinstance(opt, dict):
        state = opt.get("state", {})
        dtypes = sorted({str(t.dtype) for s in state.values() for t in s.values() if torch.is_tensor(t)})
        summary["optimizer"] = {"state": len(state), "param_groups": len(opt.get("param_groups", [])),
                                "dtypes": dtypes,
                                "params": [list(g.get("params", [])) for g in opt.get("param_groups", [])]}
    for key in ("model", "ema"):
        m = ck.get(key)
        if isinstance(m, torch.nn.Module):
            sd = m.state_dict()
            summary[key] = {"class": type(m).__name__, "training": m.training, "tensors": len(sd),
                            "dtypes": sorted({str(v.dtype) for v in sd.values()}),
                            "args_type": type(getattr(m, "args", None)).__name__,
                            "requires_grad": sorted({p.requires_grad for p in m.parameters()})}
    for key in ("epoch", "best_fitness", "updates", "date", "version", "stopper", "scaler", "train_metrics", "git"):
        if key in ck:
            summary.setdefault("values", {})[key] = ck[key]
    return summary


def main() -> None:
    path, request = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
    result = {}
    model = YOLO(path)
    result["model"] = describe(model)
    check_expectations(result["model"], request.get("expect", {}), model.ckpt)
    if request.get("predict"):
        result["predict"] = [predictions(model, req) for req in request["predict"]]
    if request.get("forward"):
        result["forward"] = forward(model, request["forward"])
    if request.get("val"):
        with tempfile.TemporaryDirectory() as td:
            result["val"] = validate(path, request["val"], Path(td))
    if request.get("torch_load"):
        result["torch_load"] = torch_load_summary(path)
    if request.get("safe_load"):
        from ultralytics.nn.tasks import torch_safe_load

        ckpt, _ = torch_safe_load(path, safe_only=True)
        result["safe_load"] = isinstance(ckpt, dict) and isinstance(ckpt.get("ema") or ckpt.get("model"), torch.nn.Module)
    print("RESULT_JSON: " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
