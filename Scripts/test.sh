#!/usr/bin/env bash
# Installs what is missing (system packages, the reference venv), builds the package and its tests in release mode,
# and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --build-tests -Xswiftc -enable-testing
export YOLO_REF_PYTHON="${YOLO_REF_PYTHON:-$(Scripts/refvenv.sh)}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
# setup.sh installed Open MPI: the mpirun tests run instead of skipping.
export YOLO_REQUIRE_MPI="${YOLO_REQUIRE_MPI:-1}"
# ../shared must come out of the suite byte-identical (CI's copy is read-only, a newcomer's is writable).
shared_listing() {
    [ -d ../shared ] || return 0
    find -L ../shared/ -printf '%P %s %T@ %m\n' | sort | sha256sum
}
before="$(shared_listing)"
# Nor may it add or change files of the checkout's fixtures (an export writes beside its model, for one).
fixtures_before="$(git status --porcelain -- Tests/Fixtures 2>/dev/null || true)"
status=0
swift test -c release --skip-build -Xswiftc -enable-testing "$@" || status=$?
if [ "$(shared_listing)" != "$before" ]; then
    echo "error: the test suite changed ../shared (tests must work on temporary copies)" >&2
    status=1
fi
if [ "$(git status --porcelain -- Tests/Fixtures 2>/dev/null || true)" != "$fixtures_before" ]; then
    echo "error: the test suite wrote into Tests/Fixtures:" >&2
    git status --porcelain -- Tests/Fixtures >&2
    status=1
fi
exit $status
