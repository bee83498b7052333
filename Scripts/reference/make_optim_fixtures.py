#!/usr/bin/env python3
"""Make Tests/Fixtures/train/optim/: one or two optimizer steps of the reference trainer's optimizers, and EMA updates.

Run from the repository root with the reference venv (ultralytics 8.4.190, torch 2.15.0):
    /work/refvenv/bin/python Scripts/reference/make_optim_fixtures.py        (a few seconds)

For the checkpoint Tests/Fixtures/tiny-k5-pose.pt (nc=2, K=5) loaded with ultralytics.YOLO, in float32:
  * Gradients: a formula both sides can evaluate, over the parameters concatenated in `named_parameters()` order:
    g[i] = float32(0.05 * sin(0.7311 * i + 0.3)), times 400 where i % 50021 == 0 (so the total norm exceeds 10 and
    the clip engages). The DFL weight gets none, because the trainer freezes it.
  * Results are stored sampled: every SAMPLE-th element of the concatenated tensors (files would be ~4 MB each).
  * For each case, the reference's own `BaseTrainer.build_optimizer` (called on a stand-in object carrying only
    `args` and `data`) builds the parameter groups; the script then applies the warmup values the trainer loop
    would set at batch index `ni` (np.interp of lr from the bias/other start to initial_lr * lf(epoch), and of
    momentum for groups that have one), clips the total gradient norm to 10.0 with torch, steps, and repeats for
    `steps` steps (same gradients each time). It stores params after the steps (`<case>-params.npy`, sampled) and a JSON
    with the groups (sizes, lr, momentum, weight_decay, kind) after the last step.
  * ema-*.npy: ModelEMA(model) from the loaded model (params0), then the model is moved to the SGD case's result
    and `ema.update(model)` is called twice; the EMA state dict's floating entries after update 1 and 2 are stored
    (concatenated in state_dict order, num_batches_tracked excluded, sampled).
cases.json describes each case: optimizer name, lr0, momentum, decay passed, nc, iterations, epochs, nb, ni list,
warmup_bias_lr, warmup_momentum, lrf and the resulting group hyperparameters.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: F401,E402  (offline settings before ultralytics)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.engine.trainer import BaseTrainer  # noqa: E402
from ultralytics.utils.torch_utils import ModelEMA  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/Fixtures/train/optim"
torch.set_num_threads(1)
SAMPLE = 97


def load_model():
    m = YOLO(str(ROOT / "Tests/Fixtures/tiny-k5-pose.pt")).model.float()
    m.train()
    for k, p in m.named_parameters():
        p.requires_grad = ".dfl" not in k
    return m


def flat(tensors, sample=True):
    v = np.concatenate([t.detach().reshape(-1).numpy().astype(np.float32) for t in tensors])
    return v[::SAMPLE].copy() if sample else v


def set_grads(model, g):
    off = 0
    for k, p in model.named_parameters():
        n = p.numel()
        if p.requires_grad:
            p.grad = torch.from_numpy(g[off:off + n].reshape(p.shape).copy())
        else:
            p.grad = None
        off += n


def lf_linear(e, epochs, lrf):
    return max(1 - e / epochs, 0) * (1.0 - lrf) + lrf


CASES = [
    # SGD with warmup: ni 1 and 2 of nw = 4 (batch 2, 4 images, 3 epochs, warmup_epochs 3 -> min(3, 2) * 2 = 4)
    dict(name="sgd", optimizer="SGD", lr0=0.01, momentum=0.937, weight_decay=0.0005, batch=2, nbs=64, nb=2, epochs=3,
         warmup_epochs=3.0, warmup_bias_lr=0.1, warmup_momentum=0.8, lrf=0.01, ni=[1, 2]),
    # optimizer=auto with few iterations -> AdamW(lr = round(0.002*5/(4+nc), 6), momentum 0.9), warmup_bias_lr 0
    dict(name="adamw-auto", optimizer="auto", lr0=0.01, momentum=0.937, weight_decay=0.0005, batch=2, nbs=64, nb=2,
         epochs=3, warmup_epochs=3.0, warmup_bias_lr=0.1, warmup_momentum=0.8, lrf=0.01, ni=[1, 2]),
    # MuSGD (what auto picks above 10k iterations), after warmup: muon groups with Newton-Schulz in bfloat16
    dict(name="musgd", optimizer="MuSGD", lr0=0.01, momentum=0.937, weight_decay=0.0005, batch=16, nbs=64, nb=2,
         epochs=3, warmup_epochs=0.0, warmup_bias_lr=0.1, warmup_momentum=0.8, lrf=0.01, ni=[4, 5]),
    # Adam after warmup (ni beyond nw): lr = lr0 * lf(epoch)
    dict(name="adam", optimizer="Adam", lr0=0.001, momentum=0.9, weight_decay=0.0005, batch=16, nbs=64, nb=2,
         epochs=3, warmup_epochs=0.0, warmup_bias_lr=0.1, warmup_momentum=0.8, lrf=0.01, ni=[4, 5]),
]


def run_case(c, grads):
    model = load_model()
    accumulate = max(round(c["nbs"] / c["batch"]), 1)
    decay = c["weight_decay"] * c["batch"] * accumulate / c["nbs"]
    iterations = math.ceil(4 / max(c["batch"], c["nbs"])) * c["epochs"]
    stand_in = SimpleNamespace(args=SimpleNamespace(lr0=c["lr0"], warmup_bias_lr=c["warmup_bias_lr"],
                                                    optimizer=c["optimizer"]),
                               data={"nc": 2})
    opt = BaseTrainer.build_optimizer(stand_in, model, name=c["optimizer"], lr=c["lr0"], momentum=c["momentum"],
                                      decay=decay, iterations=iterations)
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    warmup_bias_lr = stand_in.args.warmup_bias_lr
    we = min(c["warmup_epochs"], max(c["epochs"] - 1, 0))
    nw = round(we * c["nb"]) if we > 0 else 0
    for ni in c["ni"]:
        epoch = ni // c["nb"]
        lf = lf_linear(epoch, c["epochs"], c["lrf"])
        for g in opt.param_groups:
            g["lr"] = g["initial_lr"] * lf
        if nw and ni <= nw:
            for g in opt.param_groups:
                start = warmup_bias_lr if g.get("param_group") == "bias" else 0.0
                g["lr"] = float(np.interp(ni, [0, nw], [start, g["initial_lr"] * lf]))
                if "momentum" in g:
                    g["momentum"] = float(np.interp(ni, [0, nw], [c["warmup_momentum"], c["momentum"]]))
        set_grads(model, grads)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=10.0)
        opt.step()
        opt.zero_grad()
    groups = [{"kind": g.get("param_group"), "size": len(g["params"]), "lr": g["lr"], "initial_lr": g["initial_lr"],
               "momentum": g.get("momentum", g.get("betas", [None])[0]), "weight_decay": g["weight_decay"]}
              for g in opt.param_groups]
    info = dict(c, optimizer_built=type(opt).__name__, decay=decay, iterations=iterations, nw=nw,
                warmup_bias_lr_used=warmup_bias_lr, groups=groups)
    return model, info


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    model = load_model()
    total = sum(p.numel() for p in model.parameters())
    i = np.arange(total, dtype=np.float64)
    grads = (0.05 * np.sin(0.7311 * i + 0.3)).astype(np.float32)
    grads[::50021] *= 400  # push the total norm above 10 so clipping is exercised
    off = 0
    for k, p in model.named_parameters():  # frozen DFL: no gradient
        if ".dfl" in k:
            grads[off:off + p.numel()] = 0
        off += p.numel()
    infos = []
    sgd_model = None
    for c in CASES:
        m, info = run_case(c, grads)
        np.save(OUT / f"{c['name']}-params.npy", flat([p for _, p in m.named_parameters()]))
        infos.append(info)
        if c["name"] == "sgd":
            sgd_model = m
    # EMA: from the loaded model, then two updates toward the SGD result.
    base = load_model()
    ema = ModelEMA(base)
    base.load_state_dict(sgd_model.state_dict())
    for u in (1, 2):
        ema.update(base)
        sd = ema.ema.state_dict()
        np.save(OUT / f"ema-{u}.npy", flat([v for k, v in sd.items() if v.dtype.is_floating_point]))
    names = [k for k, _ in load_model().named_parameters()]
    (OUT / "cases.json").write_text(json.dumps({"parameters": names, "sample": SAMPLE, "cases": infos}, indent=1))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
