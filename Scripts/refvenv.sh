#!/usr/bin/env bash
# Creates the reference Python environment (Ultralytics 8.4.190 and the runtimes it is checked with) when missing,
# outside the repository, and prints its interpreter path. Tests that compare against the reference run it.
# Usage: Scripts/refvenv.sh            (venv at $YOLO_REF_VENV, default: ../refvenv beside this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${YOLO_REF_VENV:-$(cd .. && pwd)/refvenv}"
# openvino and ncnn: the runtimes the OpenVINO IR and ncnn exports are checked with (Python 3.11, numpy 2.x wheels).
PKGS=(ultralytics==8.4.190 torch==2.15.0 onnx onnxruntime==1.31.1 onnxslim pycocotools lap openvino==2026.4.1 ncnn==1.0.20261020)
if ! "$VENV/bin/python" -c "import ultralytics, torch, onnxruntime, openvino, ncnn" >/dev/null 2>&1; then
  echo "creating the reference venv at $VENV (about 2 minutes)" >&2
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q "${PKGS[@]}" >&2
fi
echo "$VENV/bin/python"
