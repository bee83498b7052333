#!/usr/bin/env bash
# Data-parallel training throughput on this machine: one process with every core, then `mpirun -np RANKS` with the
# cores split between the ranks (issue 13). Same global batch, same data, same steps; prints seconds per step and
# images per second of each and their ratio, with the CPU model.
#
#   Scripts/bench/mpi_scaling.sh [MODEL_YAML] [IMGSZ] [BATCH] [EPOCHS] [RANKS]
#   defaults: yolov8n-pose.yaml 640 8 8 2
#
# Data: the 8 coco8-pose images (train + val of ../shared/datasets/coco8-pose) as the training split, so one epoch is
# one optimizer step of BATCH images when BATCH=8. Epoch 1 (primitive creation, warm-up) and the last (final
# validation and checkpoint) are left out of the means, so EPOCHS ≥ 3.
# Needs a release build (Scripts/setup.sh) and mpirun (openmpi-bin).
set -euo pipefail
cd "$(dirname "$0")/../.."
model="${1:-yolov8n-pose.yaml}"; imgsz="${2:-640}"; batch="${3:-8}"; epochs="${4:-8}"; ranks="${5:-2}"
bin="$PWD/.build/release/yolo"
[ -x "$bin" ] || { echo "build first: Scripts/setup.sh" >&2; exit 1; }
work="$(mktemp -d /tmp/mpi-scaling-XXXXXX)"
trap 'rm -rf "$work"' EXIT
source Scripts/lib/coco8.sh
coco8_copy "$work" "[images/train, images/val]"
export YOLO_CONFIG_DIR="$work/config"
cores=$(nproc)
args=(pose train "model=$model" "data=$work/data.yaml" "epochs=$epochs" "imgsz=$imgsz" "batch=$batch" "nbs=$batch"
      val=False save=False plots=False pretrained=False workers=2 "project=$work/runs")

# Mean seconds per epoch over epochs 2 … N-1 (the first creates primitives, the last validates and saves), from
# results.csv's cumulative time column.
per_epoch() {
    python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = [float(r["time"] if "time" in r else r[" time"]) for r in rows]
d = [b - a for a, b in zip(t, t[1:])][:-1]
print(f"{sum(d) / len(d):.3f}" if d else "nan")
PY
}

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $cores cores; model $model, imgsz $imgsz, global batch $batch, $epochs epochs"
OMP_NUM_THREADS=$cores "$bin" "${args[@]}" name=one > "$work/one.log" 2>&1 || { tail -5 "$work/one.log"; exit 1; }
threads=$(( cores / ranks )); [ "$threads" -ge 1 ] || threads=1
# Each rank bound to its own cores; unbound when Open MPI cannot place them so (fewer cores than ranks).
binding=(--map-by "slot:PE=$threads" --bind-to core)
if ! OMP_NUM_THREADS=$threads mpirun --allow-run-as-root -np "$ranks" "${binding[@]}" \
        "$bin" "${args[@]}" name=many > "$work/many.log" 2>&1; then
    binding=(--oversubscribe --bind-to none)
    rm -rf "$work/runs/many"
    OMP_NUM_THREADS=$threads mpirun --allow-run-as-root -np "$ranks" "${binding[@]}" \
        "$bin" "${args[@]}" name=many > "$work/many.log" 2>&1 || { tail -5 "$work/many.log"; exit 1; }
fi
echo "mpirun ${binding[*]}"
one=$(per_epoch "$work/runs/one/results.csv")
many=$(per_epoch "$work/runs/many/results.csv")
python3 - "$one" "$many" "$batch" "$ranks" "$threads" "$cores" <<'PY'
import sys
one, many, batch, ranks, threads, cores = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"1 process x {cores} threads: {one:.3f} s/step, {batch / one:.2f} images/s")
print(f"{ranks} ranks x {threads} threads: {many:.3f} s/step, {batch / many:.2f} images/s")
print(f"ratio (ranks/one, time): {many / one:.3f}")
PY
