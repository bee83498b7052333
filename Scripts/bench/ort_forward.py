#!/usr/bin/env python3
"""Reference forward-pass timings for the benchmark executable: ONNX Runtime (CPU), OpenVINO (CPU) and PyTorch.

Usage (from anywhere; use the reference venv):
    /work/refvenv/bin/python Scripts/bench/ort_forward.py --scale n --imgsz 640 --runs 30 --warmup 5 --out DIR

Steps:
  1. DIR/yolov8{scale}-pose.pt: created if missing as a random-init checkpoint
     (torch.manual_seed(0); YOLO('yolov8{scale}-pose.yaml').save(...)).
  2. DIR/yolov8{scale}-pose-{imgsz}.onnx: created if missing with the reference exporter
     (format='onnx', imgsz, default opset, simplify=True, batch 1, static shape).
  3. Times ONNX Runtime CPUExecutionProvider (default session options), OpenVINO's default CPU compilation of the
     same ONNX file (what a deployment user gets: bf16 where the CPU has AMX/AVX512_BF16, else fp32; skipped when
     the `openvino` package is missing) and the fused PyTorch model (torch.inference_mode, default thread count) on
     one fixed random input (seed 0, values in [0, 1)): `--warmup` untimed runs, then `--runs` timed runs; reports
     median/min/mean in milliseconds.

stdout: exactly one JSON line
  {"scale", "imgsz", "pt", "onnx", "ort_ms": {"median","min","mean"}, "torch_ms": {...},
   "openvino_ms": {...} or null, "openvino_precision", "cpu": {"model", "amx_bf16", "avx512_bf16"},
   + version/thread info}
All logging goes to stderr. Pinned: ultralytics 8.4.190, torch 2.15.0, onnxruntime 1.31.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolocfg")


def eprint(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def ensure_font() -> None:
    dst = Path(os.environ["YOLO_CONFIG_DIR"]) / "Ultralytics" / "Arial.ttf"
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    fonts = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", *map(str, Path("/usr/share/fonts").rglob("*.ttf"))]
    for f in fonts:
        if Path(f).exists():
            shutil.copy(f, dst)
            return


def timed(fn, runs: int, warmup: int) -> dict:
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000.0)
    return {"median": statistics.median(ts), "min": min(ts), "mean": statistics.fmean(ts)}


def cpu_info() -> dict:
    model, flags = "unknown", set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    return {"model": model, "amx_bf16": "amx_bf16" in flags, "avx512_bf16": "avx512_bf16" in flags}


def openvino_timing(onnx_path: Path, x_np, y_ref, runs: int, warmup: int):
    """OpenVINO's default CPU inference of the ONNX file: (timings, inference precision, max |ov - ort|)."""
    try:
        import openvino as ov
    except ImportError:
        eprint("openvino not installed: no OpenVINO column")
        return None, None, None, None
    core = ov.Core()
    compiled = core.compile_model(str(onnx_path), "CPU")
    request = compiled.create_infer_request()
    ms = timed(lambda: request.infer({0: x_np}), runs, warmup)
    y = request.infer({0: x_np})[compiled.output(0)]
    import numpy as np
    hint = compiled.get_property("INFERENCE_PRECISION_HINT")
    precision = hint.to_string() if hasattr(hint, "to_string") else str(hint)
    return ms, precision, float(np.abs(y - y_ref).max()), ov.__version__


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="n", choices=list("nslmx"))
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    ensure_font()
    out = Path(a.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    pt = out / f"yolov8{a.scale}-pose.pt"
    onnx_path = out / f"yolov8{a.scale}-pose-{a.imgsz}.onnx"

    # Everything the reference package prints (it logs to stdout) is redirected to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        import numpy as np
        import onnxruntime as ort
        import torch
        torch_default_threads = torch.get_num_threads()  # before Ultralytics' device selection changes it
        from ultralytics import YOLO

        if not pt.exists():
            eprint(f"creating {pt}")
            torch.manual_seed(0)
            YOLO(f"yolov8{a.scale}-pose.yaml").save(str(pt))
        if not onnx_path.exists():
            eprint(f"exporting {onnx_path}")
            # The exporter writes next to the .pt with the same stem; export a per-imgsz copy to keep sizes apart.
            tmp_pt = out / f"yolov8{a.scale}-pose-{a.imgsz}.pt"
            shutil.copy(pt, tmp_pt)
            try:
                f = YOLO(str(tmp_pt)).export(format="onnx", imgsz=a.imgsz, simplify=True)
                if Path(f).resolve() != onnx_path:
                    shutil.move(f, onnx_path)
            finally:
                tmp_pt.unlink(missing_ok=True)

        rng = np.random.default_rng(0)
        x_np = rng.random((1, 3, a.imgsz, a.imgsz), dtype=np.float32)

        sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        iname = sess.get_inputs()[0].name
        ort_ms = timed(lambda: sess.run(None, {iname: x_np}), a.runs, a.warmup)
        y_ort = sess.run(None, {iname: x_np})[0]

        ov_ms, ov_precision, ov_diff, ov_version = openvino_timing(onnx_path, x_np, y_ort, a.runs, a.warmup)
        if ov_ms is not None:
            eprint(f"openvino {ov_version} precision {ov_precision}, max |ov - ort| = {ov_diff:.3e}")

        model = YOLO(str(pt)).model.float().fuse(verbose=False).eval()
        torch.set_num_threads(torch_default_threads)  # export/select_device sets min(8, cpus-1) threads
        x_t = torch.from_numpy(x_np)
        with torch.inference_mode():
            torch_ms = timed(lambda: model(x_t), a.runs, a.warmup)
            y_t = model(x_t)[0].numpy()
        diff = float(np.abs(y_t - y_ort).max())
        eprint(f"ort output {y_ort.shape}, max |torch - ort| = {diff:.3e}")

    result = {
        "scale": a.scale,
        "imgsz": a.imgsz,
        "pt": str(pt),
        "onnx": str(onnx_path),
        "ort_ms": ort_ms,
        "torch_ms": torch_ms,
        "openvino_ms": ov_ms,
        "openvino_precision": ov_precision,
        "cpu": cpu_info(),
        "runs": a.runs,
        "warmup": a.warmup,
        "output_shape": list(y_ort.shape),
        "max_abs_diff_torch_vs_ort": diff,
        "torch_threads": torch.get_num_threads(),
        "versions": {"onnxruntime": ort.__version__, "torch": torch.__version__, "openvino": ov_version},
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
