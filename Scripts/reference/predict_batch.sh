#!/usr/bin/env bash
# Tests/Fixtures/predict/batch4/*.txt: the reference's labels for `batch=4` on the four coco8-pose val images (mixed
# shapes, so every image is letterboxed to the full 416 square). `rect=False` writes the same files.
# Usage: Scripts/reference/predict_batch.sh [/path/to/refvenv/bin/yolo]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
yolo=${1:-$root/../refvenv/bin/yolo}
tmp=$(mktemp -d)
(cd "$tmp" && YOLO_OFFLINE=1 YOLO_CONFIG_DIR="$tmp/cfg" "$yolo" pose predict model="$root/Tests/Fixtures/overfit-n-pose.pt" \
  source="$root/../shared/datasets/coco8-pose/images/val" batch=4 save_txt=True save=False name=b4 >/dev/null)
mkdir -p Tests/Fixtures/predict/batch4
cp "$tmp"/runs/pose/b4/labels/*.txt Tests/Fixtures/predict/batch4/
rm -rf "$tmp"
