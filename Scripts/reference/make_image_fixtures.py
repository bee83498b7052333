#!/usr/bin/env python3
"""Image decode / letterbox reference fixtures for the YOLOData tests.

Run from the repository root:

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_image_fixtures.py

Pinned reference environment: ultralytics 8.4.190, opencv-python 5.0.0 (bundled libjpeg-turbo 3.1.2, libpng 1.6.58),
numpy 2.4.6, Pillow 13.0.0.

Writes into Tests/Fixtures/images/:
  * small synthetic images made with cv2 / PIL / by hand (PNG RGBA, 16-bit, gray, gray+alpha, palette; BMP 24-bit
    bottom-up and top-down, 32-bit, 8-bit palette; JPEGs with EXIF orientations 2..8; a truncated JPEG; a text file
    named .jpg; WebP lossy q80 / lossless, with and without alpha, animated, a truncated WebP);
  * reference.json: for every coco8-pose image (train + val) and every synthetic image, the shape and the FNV-1a 64-bit
    hash of the BGR bytes as decoded by cv2.imread (IMREAD_COLOR), and for the coco8 images the output shape, pads and
    hash of ultralytics' LetterBox for several targets; and hashes of cv2.resize (INTER_LINEAR) of noise.png to
    several sizes.

FNV-1a 64: h = 0xcbf29ce484222325; for each byte b: h = (h ^ b) * 0x100000001b3 mod 2^64. Stored as 16 hex digits.
Output is deterministic (fixed seeds); rerunning gives byte-identical files.
"""
import json
import os
import struct
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ultralytics.data.augment import LetterBox

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "images"
COCO = ROOT.parent / "shared" / "datasets" / "coco8-pose" / "images"

MASK64 = 0xFFFFFFFFFFFFFFFF


def fnv1a64(arr: np.ndarray) -> str:
    data = np.ascontiguousarray(arr).tobytes()
    h = 0xCBF29CE484222325
    p = 0x100000001B3
    for b in data:
        h = ((h ^ b) * p) & MASK64
    return f"{h:016x}"


def pads_for(h0, w0, target, auto, stride):
    """Pads as described in the spec (section 3.3); checked against LetterBox's output shape below."""
    th, tw = target
    r = min(th / h0, tw / w0)
    wn, hn = max(round(w0 * r), 1), max(round(h0 * r), 1)
    dw, dh = tw - wn, th - hn
    if auto:
        dw, dh = dw % stride, dh % stride
    dw, dh = dw / 2, dh / 2
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    return r, (hn, wn), dict(top=top, bottom=bottom, left=left, right=right)


LETTERBOX_TARGETS = [
    # name, (h, w), auto
    ("640", (640, 640), False),
    ("640-rect", (640, 640), True),
    ("320", (320, 320), False),
    ("1280", (1280, 1280), False),
    ("480x320", (480, 320), False),
]


def gradient(h, w, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)), ((x + y) * 7) % 256], -1)
    noise = rng.integers(0, 24, (h, w, 3))
    return ((base + noise) % 256).astype(np.uint8)


def write_bmp(path, bgr, bits, top_down):
    """Uncompressed BI_RGB BMP with a BITMAPINFOHEADER, written by hand (cv2 only writes bottom-up 24-bit)."""
    h, w, _ = bgr.shape
    bpp = bits // 8
    row = (w * bpp + 3) & ~3
    body = bytearray()
    rows = range(h) if top_down else range(h - 1, -1, -1)
    for y in rows:
        line = bgr[y]
        if bits == 32:
            alpha = np.full((w, 1), 200, np.uint8)
            line = np.concatenate([line, alpha], 1)
        data = line.tobytes()
        body += data + b"\0" * (row - len(data))
    header = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bits, 0, len(body), 2835, 2835, 0, 0)
    off = 14 + len(header)
    path.write_bytes(b"BM" + struct.pack("<IHHI", off + len(body), 0, 0, off) + header + bytes(body))


def make_synthetic():
    """Writes the synthetic images; returns [(file, note)]."""
    files = []
    OUT.mkdir(parents=True, exist_ok=True)

    rgba = np.concatenate([gradient(23, 37, 1), np.random.default_rng(2).integers(0, 256, (23, 37, 1), np.uint8)], 2)
    cv2.imwrite(str(OUT / "rgba.png"), rgba)  # BGRA in, colour type 6
    files.append(("rgba.png", "8-bit RGBA (cv2)"))

    g16 = (gradient(19, 29, 3).astype(np.uint16) * 257 + np.random.default_rng(4).integers(0, 257, (19, 29, 3))).astype(
        np.uint16)
    cv2.imwrite(str(OUT / "rgb16.png"), g16)
    files.append(("rgb16.png", "16-bit RGB (cv2)"))

    gray = gradient(21, 31, 5)[..., 0]
    cv2.imwrite(str(OUT / "gray.png"), gray)
    files.append(("gray.png", "8-bit gray (cv2)"))

    gray16 = (gray.astype(np.uint16) * 256 + 255 - gray).astype(np.uint16)
    cv2.imwrite(str(OUT / "gray16.png"), gray16)
    files.append(("gray16.png", "16-bit gray (cv2)"))

    la = Image.fromarray(np.stack([gray, 255 - gray], -1), "LA")
    la.save(OUT / "gray-alpha.png")
    files.append(("gray-alpha.png", "8-bit gray+alpha (PIL LA)"))

    pal = Image.fromarray(gradient(17, 27, 6)[..., ::-1].copy(), "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT)
    pal.save(OUT / "palette.png", transparency=0)
    files.append(("palette.png", "4-bit palette with tRNS (PIL P)"))

    pal8 = Image.fromarray(gradient(15, 33, 7)[..., ::-1].copy(), "RGB").quantize(colors=200, method=Image.Quantize.MEDIANCUT)
    pal8.save(OUT / "palette8.png")
    files.append(("palette8.png", "8-bit palette (PIL P)"))

    bmp = gradient(13, 37, 8)
    cv2.imwrite(str(OUT / "bgr24.bmp"), bmp)
    files.append(("bgr24.bmp", "24-bit bottom-up BMP (cv2)"))
    write_bmp(OUT / "bgr24-topdown.bmp", gradient(11, 21, 9), 24, True)
    files.append(("bgr24-topdown.bmp", "24-bit top-down BMP (by hand)"))
    write_bmp(OUT / "bgra32.bmp", gradient(9, 14, 10), 32, False)
    files.append(("bgra32.bmp", "32-bit BI_RGB BMP (by hand)"))
    cv2.imwrite(str(OUT / "gray8.bmp"), gradient(10, 19, 11)[..., 1])
    files.append(("gray8.bmp", "8-bit palette (grey) BMP (cv2)"))

    base = Image.fromarray(gradient(24, 40, 12)[..., ::-1].copy(), "RGB")
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        name = f"exif-orient{o}.jpg"
        base.save(OUT / name, quality=90, exif=exif.tobytes())
        files.append((name, f"JPEG 40x24 with EXIF orientation {o} (PIL)"))

    gray_jpg = gradient(16, 24, 13)[..., 2]
    cv2.imwrite(str(OUT / "gray.jpg"), gray_jpg)
    files.append(("gray.jpg", "grayscale JPEG (cv2)"))

    full = gradient(48, 64, 14)
    ok, enc = cv2.imencode(".jpg", full)
    enc = enc.tobytes()
    (OUT / "truncated.jpg").write_bytes(enc[: len(enc) // 2])
    files.append(("truncated.jpg", "JPEG cut to half its length"))
    (OUT / "header-only.jpg").write_bytes(enc[:300])
    files.append(("header-only.jpg", "JPEG cut inside its headers"))
    (OUT / "not-an-image.jpg").write_text("this is a text file, not a JPEG\n")
    files.append(("not-an-image.jpg", "text named .jpg"))
    (OUT / "png-as.jpg").write_bytes((OUT / "gray.png").read_bytes())
    files.append(("png-as.jpg", "a PNG named .jpg (dispatch on magic bytes)"))
    noise = np.random.default_rng(15).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    cv2.imwrite(str(OUT / "noise.png"), noise)
    files.append(("noise.png", "53x37 uniform noise, source of the resize cases"))

    # WebP (cv2 and PIL both write through libwebp). Odd sizes exercise the chroma upsampling edges.
    cv2.imwrite(str(OUT / "lossy-q80.webp"), gradient(29, 41, 16), [cv2.IMWRITE_WEBP_QUALITY, 80])
    files.append(("lossy-q80.webp", "lossy WebP q80, VP8 (cv2)"))
    cv2.imwrite(str(OUT / "lossless.webp"), gradient(27, 35, 17), [cv2.IMWRITE_WEBP_QUALITY, 101])
    files.append(("lossless.webp", "lossless WebP, VP8L (cv2, quality > 100)"))
    bgra = np.concatenate([gradient(25, 31, 18), np.random.default_rng(19).integers(0, 256, (25, 31, 1), np.uint8)], 2)
    cv2.imwrite(str(OUT / "lossless-alpha.webp"), bgra, [cv2.IMWRITE_WEBP_QUALITY, 101])
    files.append(("lossless-alpha.webp", "lossless WebP with alpha, VP8L (cv2 BGRA)"))
    alpha = (np.arange(23 * 37).reshape(23, 37, 1) * 11 % 256).astype(np.uint8)
    rgba_pil = Image.fromarray(np.concatenate([gradient(23, 37, 20)[..., ::-1], alpha], 2), "RGBA")
    rgba_pil.save(OUT / "lossy-alpha.webp", quality=80, lossless=False)
    files.append(("lossy-alpha.webp", "lossy WebP with alpha, VP8X + ALPH + VP8 (PIL q80)"))
    Image.fromarray(gradient(21, 33, 21)[..., ::-1].copy(), "RGB").save(OUT / "lossy-pil.webp", quality=80)
    files.append(("lossy-pil.webp", "lossy WebP q80 without alpha (PIL)"))
    frames = [Image.fromarray(gradient(19, 27, 22 + i)[..., ::-1].copy(), "RGB") for i in range(2)]
    frames[0].save(OUT / "animated.webp", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    files.append(("animated.webp", "animated lossless WebP, 2 frames (PIL); cv2.imread gives the first"))
    enc = (OUT / "lossy-q80.webp").read_bytes()
    (OUT / "truncated.webp").write_bytes(enc[: len(enc) // 2])
    files.append(("truncated.webp", "lossy WebP cut to half its length"))
    (OUT / "webp-as.jpg").write_bytes((OUT / "lossless.webp").read_bytes())
    files.append(("webp-as.jpg", "a WebP named .jpg (dispatch on magic bytes)"))
    return files


# (width, height) for cv2.resize(noise.png, (w, h), interpolation=cv2.INTER_LINEAR)
RESIZE_SIZES = [(1, 1), (1, 37), (53, 1), (7, 5), (100, 80), (106, 74), (26, 18), (200, 13), (13, 200), (53, 90),
                (120, 37), (211, 149), (52, 36), (54, 38)]


def main():
    os.chdir(ROOT)
    files = make_synthetic()
    ref = {"generator": "Scripts/reference/make_image_fixtures.py",
           "versions": {"opencv": cv2.__version__, "numpy": np.__version__},
           "hash": "fnv1a64 of the C-order uint8 BGR bytes (H, W, 3), hex",
           "letterbox_targets": [{"name": n, "target": list(t), "auto": a, "stride": 32} for n, t, a in LETTERBOX_TARGETS],
           "coco8": [], "synthetic": [], "resize": []}
    for path in sorted(COCO.glob("*/*.jpg")):
        im = cv2.imread(str(path), cv2.IMREAD_COLOR)
        h0, w0 = im.shape[:2]
        entry = {"file": f"{path.parent.name}/{path.name}", "shape": list(im.shape), "fnv1a64": fnv1a64(im),
                 "letterbox": []}
        for name, target, auto in LETTERBOX_TARGETS:
            out = LetterBox(new_shape=target, auto=auto, stride=32)(image=im)
            r, (hn, wn), pad = pads_for(h0, w0, target, auto, 32)
            assert out.shape == (hn + pad["top"] + pad["bottom"], wn + pad["left"] + pad["right"], 3), (path, name)
            entry["letterbox"].append({"name": name, "shape": list(out.shape), "ratio": r, "new_size": [hn, wn],
                                       "pad": pad, "fnv1a64": fnv1a64(out)})
        ref["coco8"].append(entry)
        print(entry["file"], entry["shape"], file=sys.stderr)
    for name, note in files:
        im = cv2.imread(str(OUT / name), cv2.IMREAD_COLOR)
        e = {"file": name, "note": note}
        if im is None:
            e["decodes"] = False
        else:
            e.update(decodes=True, shape=list(im.shape), fnv1a64=fnv1a64(im))
        ref["synthetic"].append(e)
    noise = cv2.imread(str(OUT / "noise.png"), cv2.IMREAD_COLOR)
    for w, h in RESIZE_SIZES:
        out = cv2.resize(noise, (w, h), interpolation=cv2.INTER_LINEAR)
        ref["resize"].append({"source": "noise.png", "width": w, "height": h, "fnv1a64": fnv1a64(out)})
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {OUT} ({total} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
