#!/usr/bin/env bash
# Installs the system libraries the package links and the ffmpeg tools video predict runs (Debian) when missing,
# then builds in release mode.
# Usage: Scripts/setup.sh [extra swift build args]
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in pkg-config libdnnl-dev libturbojpeg0-dev libpng-dev libwebp-dev ffmpeg libfreetype-dev fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# OpenCV 4.6 for the trackers' motion compensation (core, imgproc, video headers; calib3d runtime). Without
# --no-install-recommends it would pull in about 110 more packages.
# Open MPI's runtime (mpirun, libmpi) for data-parallel training and sharded predict/val; loaded at run time, so
# nothing needs it to build.
lean=()
dpkg -s libopencv-video-dev >/dev/null 2>&1 || lean+=(libopencv-video-dev)
dpkg -s openmpi-bin >/dev/null 2>&1 || lean+=(openmpi-bin)
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  echo "installing ${need[*]} ${lean[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  if [ ${#need[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
  fi
  if [ ${#lean[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${lean[@]}" >&2
  fi
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release "$@" >&2
