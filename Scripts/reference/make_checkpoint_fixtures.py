#!/usr/bin/env python3
"""Generate Tests/Fixtures/checkpoint/: what torch.save writes, for the checkpoint-writer tests.

Run from the repo root with the reference venv:
    /work/refvenv/bin/python Scripts/reference/make_checkpoint_fixtures.py

Outputs:
  torch-save-values.pt   torch.save (to a file, so the root folder is the stem) of a dict holding every value kind
                         the checkpoint writer produces: ints at the opcode boundaries, floats, str (repeated, to
                         exercise the memo), None/bools, list/tuple/dict/OrderedDict/empty set, a SimpleNamespace
                         shared twice, fp16/fp32/int64 tensors (scalar, empty, 2-D) and a Parameter. The Swift test
                         builds the same object as a PickleTerm and compares the archive byte for byte.
"""
import collections
import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: E402,F401  (offline settings before torch/ultralytics)

import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "checkpoint"


def values():
    ns = types.SimpleNamespace(task="pose", imgsz=640)
    return {
        "ints": [0, 255, 256, 65535, 65536, -1, -(2**31), 2**31 - 1, 2**31, -(2**31) - 1, 2**40, -(2**63), 2**63 - 1],
        "floats": [0.0, -1.5, 0.001, 1e300, float("inf")],
        "none": None,
        "flags": (True, False),
        "text": "héllo ✓",
        "repeat": ["text", "text"],
        "tuples": ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)),
        "names": {0: "person", 1: "dog"},
        "ordered": collections.OrderedDict([("a", 1), ("b", [2])]),
        "empty_set": set(),
        "ns": ns,
        "ns_again": ns,
        "t16": torch.tensor([[1.5, -2.0, 3.25], [0.0, 65504.0, -0.5]], dtype=torch.float16),
        "t32": torch.arange(4, dtype=torch.float32),
        "scalar": torch.tensor(7, dtype=torch.int64),
        "empty": torch.zeros(0, dtype=torch.float16),
        "param": torch.nn.Parameter(torch.ones(2, 1, 1, 2, dtype=torch.float16), requires_grad=False),
        "param_grad": torch.nn.Parameter(torch.full((3,), 0.25, dtype=torch.float32)),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "torch-save-values.pt"
    torch.save(values(), path)
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
