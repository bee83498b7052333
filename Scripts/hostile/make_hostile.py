#!/usr/bin/env python3
"""Writes the hostile-input corpus used by Tests/YOLOCLITests/HostileInputTests.swift (and the fuzzers' seeds).

    python Scripts/hostile/make_hostile.py [OUT]     (default Tests/Fixtures/hostile)

Every file is crafted here (standard library, OpenCV and numpy; torch for the checkpoint case when it is importable
— run it with the reference venv's python). `cases.json` lists, per case, the command line (with {corpus} and
{fixtures} placeholders), the exit code and a fragment of the one-line message the `yolo` binary must print.
"""
import io, json, os, struct, sys, zipfile, zlib, shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "Tests/Fixtures/hostile"


def torch_zip(path, pkl: bytes, extra=None):
    """A torch.save-style zip around a hand-written pickle."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/version", "3\n")
        z.writestr("archive/byteorder", "little")
        for k, v in (extra or {}).items():
            z.writestr(k, v)


def zip64_overflow(path):
    """An end-of-central-directory record that defers to a ZIP64 locator whose offset is near 2**63."""
    loc = b"PK\x06\x07" + struct.pack("<IQI", 0, (1 << 63) - 8, 1)
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(b"PK\x03\x04" + b"\0" * 26 + loc + eocd)


def zip_huge_entry(path):
    """A central directory entry claiming a 2**62-byte stored member at an offset past the end."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    data = bytearray(buf.getvalue())
    cd = data.index(b"PK\x01\x02")
    struct.pack_into("<II", data, cd + 20, 0xFFFFFFF0, 0xFFFFFFF0)   # compressed / uncompressed size
    struct.pack_into("<I", data, cd + 42, 0x7FFFFFF0)                # local header offset
    path.write_bytes(bytes(data))


def deep_pickle(depth):
    return b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."


def dup_bomb(levels):
    """A list doubled by DUP + TUPLE2 `levels` times: tiny on disk, 2**levels leaves if expanded as a tree."""
    return b"\x80\x02]" + b"2\x86" * levels + b"."


def jpeg_huge_header(path):
    """A real 8×8 JPEG whose SOF0 claims 65500×65500 pixels."""
    import cv2, numpy as np
    ok, enc = cv2.imencode(".jpg", np.full((8, 8, 3), 128, np.uint8))
    data = bytearray(enc.tobytes())
    i = 2
    while i < len(data):
        marker, seglen = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            struct.pack_into(">HH", data, i + 5, 65500, 65500)
            break
        i += 2 + seglen
    path.write_bytes(bytes(data))


def png_huge_header(path):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def bmp_huge_header(path):
    hdr = struct.pack("<2sIHHI", b"BM", 70, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 2000000, -2000000, 1, 24, 0,
                                                                     0, 2835, 2835, 0, 0)
    path.write_bytes(hdr + b"\0" * 16)


def billion_laughs(levels=9, width=9):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def dataset(root: Path, label_text: str, yaml_extra: str = "", nc_line="names:\n  0: a\n  1: b\n"):
    """One val image from coco8-pose with the given label text; returns the data YAML path."""
    (root / "images/val").mkdir(parents=True, exist_ok=True)
    (root / "labels/val").mkdir(parents=True, exist_ok=True)
    shutil.copy(OUT / "tiny.jpg", root / "images/val/a.jpg")   # synthetic: no dataset image is committed
    (root / "labels/val/a.txt").write_text(label_text)
    y = root / "data.yaml"
    y.write_text(f"{yaml_extra}train: images/val\nval: images/val\nkpt_shape: [5, 3]\n{nc_line}")
    return y


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    cases = []

    def case(name, args, code, fragment):
        cases.append({"name": name, "args": args, "exit": code, "message": fragment})

    # --- containers ---------------------------------------------------------------------------------------------
    zip64_overflow(OUT / "zip64-offset.pt")
    case("zip64 locator offset near 2^63", ["pose", "predict", "model={corpus}/zip64-offset.pt",
                                            "source={corpus}/tiny.jpg"], 1, "zip64-offset.pt")
    zip_huge_entry(OUT / "zip-huge-entry.pt")
    case("zip entry with huge size/offset", ["pose", "predict", "model={corpus}/zip-huge-entry.pt",
                                             "source={corpus}/tiny.jpg"], 1, "zip-huge-entry.pt")
    torch_zip(OUT / "deep-pickle.pt", deep_pickle(50000))
    case("pickle nested 50k deep", ["pose", "predict", "model={corpus}/deep-pickle.pt",
                                    "source={corpus}/tiny.jpg"], 1, "deep-pickle.pt")
    torch_zip(OUT / "dup-bomb.pt", dup_bomb(200))
    case("pickle DUP/TUPLE2 bomb", ["pose", "predict", "model={corpus}/dup-bomb.pt",
                                    "source={corpus}/tiny.jpg"], 1, "dup-bomb.pt")
    (OUT / "truncated.pt").write_bytes((ROOT / "Tests/Fixtures/tiny-k5-pose.pt").read_bytes()[:4000])
    case("truncated checkpoint", ["pose", "predict", "model={corpus}/truncated.pt",
                                  "source={corpus}/tiny.jpg"], 1, "truncated.pt")

    # --- images -------------------------------------------------------------------------------------------------
    import cv2, numpy as np
    cv2.imwrite(str(OUT / "tiny.jpg"), np.full((48, 64, 3), 90, np.uint8))
    jpeg_huge_header(OUT / "huge-header.jpg")
    png_huge_header(OUT / "huge-header.png")
    bmp_huge_header(OUT / "huge-header.bmp")
    (OUT / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    for n in ["huge-header.jpg", "huge-header.png", "huge-header.bmp", "corrupt.jpg"]:
        case(f"image {n} alone", ["pose", "predict", "model={fixtures}/tiny-k5-pose.pt", f"source={{corpus}}/{n}",
                                  "save=False"], 1, n)
    bad = OUT / "bad-images"
    bad.mkdir()
    for n in ["huge-header.jpg", "huge-header.png", "corrupt.jpg"]:
        shutil.copy(OUT / n, bad / n)
    case("folder where every image is bad", ["pose", "predict", "model={fixtures}/tiny-k5-pose.pt",
                                             "source={corpus}/bad-images", "save=False"], 1, "bad-images")

    # --- model YAMLs --------------------------------------------------------------------------------------------
    base = (ROOT / "Tests/Fixtures/tiny-pose.yaml").read_text()
    variants = {
        "conv-k0": base.replace("[64, 3, 2]]      # 0", "[64, 0, 2]]      # 0"),
        "conv-s0": base.replace("[64, 3, 2]]      # 0", "[64, 3, 0]]      # 0"),
        "nc-negative": base.replace("nc: 2", "nc: -3"),
        "kpt-huge": base.replace("kpt_shape: [5, 3]", "kpt_shape: [100000000, 3]"),
        "width-huge": base.replace("width_multiple: 0.125", "width_multiple: 1.0e+12"),
        "depth-nan": base.replace("depth_multiple: 0.33", "depth_multiple: .nan"),
        "repeats-huge": base.replace("[-1, 3, C2f, [128, True]]", "[-1, 300000000, C2f, [128, True]]"),
        "from-out-of-range": base.replace("[[-1, 6], 1, Concat, [1]]", "[[-1, 60], 1, Concat, [1]]"),
    }
    for k, text in variants.items():
        (OUT / f"model-{k}.yaml").write_text(text)
        case(f"model YAML {k}", ["pose", "predict", f"model={{corpus}}/model-{k}.yaml", "source={corpus}/tiny.jpg",
                                 "imgsz=64", "save=False"], 1, f"model-{k}.yaml")
    # Training overrides the YAML's nc/kpt_shape with the dataset's (as the reference does), so these train.
    case("train from a YAML whose nc the data overrides", ["pose", "train", "model={corpus}/model-nc-negative.yaml",
         "data={corpus}/ds-ok/data.yaml", "epochs=1", "imgsz=64", "batch=2", "workers=0", "project={tmp}",
         "plots=False"], 0, "modes/train")
    (OUT / "model-laughs.yaml").write_text(billion_laughs() + base)
    case("model YAML billion laughs", ["pose", "train", "model={corpus}/model-laughs.yaml",
                                       "data={corpus}/ds-ok/data.yaml", "epochs=1", "imgsz=64", "project={tmp}"], 1,
         "model-laughs.yaml")
    # The first mapping key is a flow list holding the laughs' anchors (43 million values once expanded): Python's
    # loader refuses list keys ("unhashable"); a parser that turned the key into text would expand it all.
    levels = ["&a0 [" + ", ".join(["lol"] * 9) + "]"] + ["&a%d [" % i + ", ".join(["*a%d" % (i - 1)] * 9) + "]"
                                                        for i in range(1, 9)]
    (OUT / "model-alias-key.yaml").write_text("? [" + ", ".join(levels) + "]\n: 1\n" + base)
    case("model YAML alias as a mapping key", ["pose", "train", "model={corpus}/model-alias-key.yaml",
                                              "data={corpus}/ds-ok/data.yaml", "epochs=1", "imgsz=64",
                                              "project={tmp}"], 1, "mapping key is a list")
    (OUT / "model-deep.yaml").write_text("nc: " + "[" * 100000 + "]" * 100000 + "\n")
    case("model YAML 100k deep", ["pose", "train", "model={corpus}/model-deep.yaml", "data={corpus}/ds-ok/data.yaml",
                                  "epochs=1", "imgsz=64", "project={tmp}"], 1, "model-deep.yaml")

    # --- data YAMLs and labels ----------------------------------------------------------------------------------
    kp = " 0.5 0.5 2 0.6 0.6 2 0.5 0.6 2 0.6 0.5 2 0.55 0.55 2"
    dataset(OUT / "ds-ok", "0 0.5 0.5 0.2 0.2" + kp + "\n")
    dataset(OUT / "ds-class-huge", "1e30 0.5 0.5 0.2 0.2" + kp + "\n")
    dataset(OUT / "ds-nan", "0 nan 0.5 0.2 0.2" + kp + "\n")
    dataset(OUT / "ds-inf", "0 0.5 0.5 inf 0.2" + kp + "\n")
    dataset(OUT / "ds-nc-huge", "0 0.5 0.5 0.2 0.2" + kp + "\n", nc_line="nc: 1000000000\n")
    dataset(OUT / "ds-laughs", "0 0.5 0.5 0.2 0.2" + kp + "\n", yaml_extra=billion_laughs())
    (OUT / "data-deep.yaml").write_text("names: " + "[" * 100000 + "]" * 100000 + "\n")
    for ds, frag in [("ds-class-huge", "exceeds dataset class count"), ("ds-nan", "negative label values []"),
                     ("ds-inf", "non-finite label values [inf]"),
                     ("ds-nc-huge", "data.yaml"), ("ds-laughs", "data.yaml")]:
        case(f"val on {ds}", ["pose", "val", "model={fixtures}/tiny-k5-pose.pt", f"data={{corpus}}/{ds}/data.yaml",
                              "imgsz=64", "project={tmp}", "plots=False"], 1, frag)
    case("data YAML 100k deep", ["pose", "val", "model={fixtures}/tiny-k5-pose.pt", "data={corpus}/data-deep.yaml",
                                 "imgsz=64", "project={tmp}"], 1, "data-deep.yaml")

    # --- arguments ----------------------------------------------------------------------------------------------
    case("imgsz=0 is rounded up to the stride", ["pose", "predict", "model={fixtures}/tiny-k5-pose.pt",
         "source={corpus}/tiny.jpg", "imgsz=0", "save=False"], 0, "updating to [32, 32]")
    for args, frag in [
        (["pose", "val", "model={fixtures}/tiny-k5-pose.pt", "data={corpus}/ds-ok/data.yaml", "batch=0",
          "project={tmp}"], "batch"),
        (["pose", "predict", "model={fixtures}/tiny-k5-pose.pt", "source={corpus}/tiny.jpg",
          "imgsz=" + "[" * 60000 + "]" * 60000], "imgsz"),
        (["pose", "predict", "model={fixtures}/tiny-k5-pose.pt", "source={corpus}/tiny.jpg", "imgsz=1e30"], "imgsz"),
        (["pose", "predict", "model={fixtures}/tiny-k5-pose.pt", "source={corpus}/tiny.jpg", "conf=nan"], "conf"),
        (["pose", "predict", "model={fixtures}/tiny-k5-pose.pt", "source={corpus}/tiny.jpg", "max_det=-5"], "max_det"),
    ]:
        shown = [a for a in args if a.split("=")[0] in ("imgsz", "batch", "conf", "max_det")][0]
        case("argument " + shown[:40], args, 1, frag)

    # --- checkpoints with hostile fields (need torch) ---------------------------------------------------------------
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        zs = torch.zeros(1).as_strided((1 << 20, 1 << 20), (0, 0))
        torch.save({"model": None, "ema": None, "train_args": {}, "x": zs}, OUT / "zero-stride.pt")
        case("checkpoint of zero-stride tensors", ["pose", "predict", "model={corpus}/zero-stride.pt",
                                                   "source={corpus}/tiny.jpg"], 1, "zero-stride.pt")

    (OUT / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    print(f"{len(cases)} cases in {OUT}")


if __name__ == "__main__":
    main()
