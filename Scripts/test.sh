#!/usr/bin/env bash
# Installs what is missing (system packages, the reference venv), builds the package and its tests in release mode,
# and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --build-tests -Xswiftc -enable-testing
export YOLO_REF_PYTHON="${YOLO_REF_PYTHON:-$(Scripts/refvenv.sh)}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
swift test -c release --skip-build -Xswiftc -enable-testing "$@"
