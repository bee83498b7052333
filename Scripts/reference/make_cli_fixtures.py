"""Writes Tests/Fixtures/cli/reference.json from the reference package (run with the reference venv):

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/yolocfg /work/refvenv/bin/python Scripts/reference/make_cli_fixtures.py

* values: how the grammar types each command-line value (type name and Python repr; tuples are reported as lists
  with "tuple": true, since our parser has no tuple type).
* similar: the "Similar arguments" suggestions for misspelled keys, computed by running the reference's alignment
  check on a one-key override and capturing its message.
"""
import json
import sys
from pathlib import Path

from ultralytics import cfg as ycfg

values = ["42", "-3", "+7", "0x1f", "0o17", "0b101", "1_000", "007", "3.14", ".5", "5.", "1e2", "1E-3", "-2.5e+3",
          "1e-05", "1e16", "1e15", "123456789.125", "True", "false", "NONE", "none", "abc", "'quoted'", '"dq"',
          "'a' 'b'", "[640, 480]", "[640,480]", "640,480", "(1,)", "(5)", "()", "[]", "[1, [2, 3.5], 'x']",
          "[None, True]", "[none]", "yolov8n-pose.pt", "0", "0,1", "cuda:0", "1/2", "1+2", "inf", "nan", "1__0",
          "path/to/dir", "x.y", "[1,2,]", "'it''s'", "-0.0", "0.0005", "100.0", "1e400"]


def plain(v):
    if isinstance(v, tuple):
        return [plain(x) for x in v]
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def describe(v):
    out = {"type": type(v).__name__, "repr": repr(plain(v))}
    if isinstance(v, tuple):
        out["type"], out["tuple"] = "list", True
    return out


words = ["posee", "confidence", "imgsize", "epoch", "lr", "devic", "sav", "show_label", "halff", "predct", "expor",
         "valid", "modle", "bach", "iuo", "conff", "hide", "save-txt", "classs", "Predict", "cfgg", "versio",
         "copy_cfg", "settngs", "imgsz=", "sourc", "max-det", "vid_strid", "linewidth", "agnostic", "retina",
         "stream", "classes_", "embeds", "exists_ok", "projct", "nme", "tsk", "pos", "trian", "benchmarks"]
special = ["checks", "version", "settings", "cfg", "login", "logout", "copy-cfg", "solutions", "help"]
base = {**ycfg.DEFAULT_CFG_DICT, **dict.fromkeys((*ycfg.TASKS, *ycfg.MODES, *special))}
similar = {}
for w in words:
    try:
        ycfg.check_dict_alignment(base, {w: ""})
        similar[w] = None
    except SyntaxError as e:
        similar[w] = str(e).strip()

result = {"values": {v: describe(ycfg.smart_value(v)) for v in values}, "similar": similar}
out = Path(__file__).resolve().parents[2] / "Tests/Fixtures/cli/reference.json"
out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
print(f"wrote {out}", file=sys.stderr)
