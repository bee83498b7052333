#!/usr/bin/env bash
# Installs what is missing, builds the package and its tests in release mode, and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --build-tests -Xswiftc -enable-testing
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
swift test -c release --skip-build -Xswiftc -enable-testing "$@"
