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
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release "$@" >&2
