"""Shared preamble of the fixture generators: import this before ultralytics.

It keeps the reference package off the network: YOLO_OFFLINE=1, a private YOLO_CONFIG_DIR (default /tmp/yolocfg),
and a system TrueType font copied to $YOLO_CONFIG_DIR/Ultralytics/Arial.ttf so the package does not download one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolocfg")


def ensure_font() -> None:
    dst = Path(os.environ["YOLO_CONFIG_DIR"]) / "Ultralytics" / "Arial.ttf"
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    for cand in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", *sorted(map(str, Path("/usr/share/fonts").rglob("*.ttf")))):
        if Path(cand).exists():
            shutil.copy(cand, dst)
            return
    print("WARNING: no .ttf font found; the reference package may try to download Arial.ttf", flush=True)


ensure_font()
