#!/usr/bin/env bash
# Tests/Fixtures/predict/layercam/*_cam.jpg: the reference's `visualize=True` LayerCAM overlays for two coco8-pose val
# images (000000000110: 63 candidate predictions, the 16 strongest explained; 000000000136) with the overfit fixture.
# Usage: Scripts/reference/predict_layercam.sh [/path/to/refvenv/bin/yolo]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
yolo=${1:-$root/../refvenv/bin/yolo}
tmp=$(mktemp -d)
for img in 000000000110 000000000136; do
  (cd "$tmp" && YOLO_OFFLINE=1 YOLO_CONFIG_DIR="$tmp/cfg" "$yolo" pose predict model="$root/Tests/Fixtures/overfit-n-pose.pt" \
    source="$root/../shared/datasets/coco8-pose/images/val/$img.jpg" visualize=True save=False name=cam exist_ok=True >/dev/null)
done
mkdir -p Tests/Fixtures/predict/layercam
cp "$tmp"/runs/pose/cam/*_cam.jpg Tests/Fixtures/predict/layercam/
rm -rf "$tmp"
