#!/usr/bin/python3
"""PyTorch peer of W6 (issue 15): the importance methods PyTorch users write by hand, on the engine's trained weights
and data, the same work (series, steps, repeats, integration points) as the engine's defaults.

    dotnet Engine.Bench/bin/Release/net10.0/Engine.Bench.dll --w6 partial-derivatives --save DIR   # weights + data
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 Engine.Bench/peer/w6_peer.py --dir DIR [--out peer-w6.json] [--full]

Reads DIR/model.safetensors (the engine's model file: LSTM 32 -> LSTM 16 -> Dense 1 sigmoid, Keras layouts) and
DIR/data.safetensors (x (N, T, F), y (N, T)). Keras' gate order i, f, c, o is nn.LSTM's i, f, g, o, so the kernels go
in transposed and the bias into bias_ih (bias_hh = 0). Methods, as a user writes them (torch.set_num_threads(2)):
- partial-derivatives: one forward with autograd, one backward per output step (retain_graph), sum of dy/dx squared;
- permutation: F x 10 permutations (--full; else F x 1, scaled) of a feature's series index, rise in BCE;
- integrated-gradients: 33 points (trapezoid, 32 intervals) x 48 output steps, baseline = feature means, autograd;
- occlusion: T x F cells set to the feature mean in every series, change in per-series BCE;
- input-perturbation: F x 10 noise draws (sd 0.2) on a whole feature, then the time map: T x F x 10 single-cell draws.
Without --full the long ones run a fixed share of their work items (all items cost the same) and the time is scaled
to the whole: the figure's note says so. Prints one line per method and writes the figures (seconds) as JSON.
"""
import argparse, json, struct, sys, time

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as fh:
        n = struct.unpack("<Q", fh.read(8))[0]
        header = json.loads(fh.read(n))
        data = fh.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        b, e = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").reshape(meta["shape"]).copy())
    return out


class W6Model(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.l1 = nn.LSTM(12, 32, batch_first=True)
        self.l2 = nn.LSTM(32, 16, batch_first=True)
        self.head = nn.Linear(16, 1)
        with torch.no_grad():
            for lstm, k in ((self.l1, 0), (self.l2, 1)):
                lstm.weight_ih_l0.copy_(w[f"layers.{k}.kernel"].T)
                lstm.weight_hh_l0.copy_(w[f"layers.{k}.recurrent_kernel"].T)
                lstm.bias_ih_l0.copy_(w[f"layers.{k}.bias"])
                lstm.bias_hh_l0.zero_()
            self.head.weight.copy_(w["layers.2.kernel"].T)
            self.head.bias.copy_(w["layers.2.bias"])

    def forward(self, x):  # (N, T, F) -> (N, T)
        return torch.sigmoid(self.head(self.l2(self.l1(x)[0])[0])).squeeze(-1)


def bce(p, y):  # Keras' BCE on probabilities: clipped to [1e-7, 1 - 1e-7]; per element
    p = p.clamp(1e-7, 1 - 1e-7)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--full", action="store_true", help="run every work item instead of a share scaled to the whole")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(15)
    m = W6Model(read_safetensors(f"{a.dir}/model.safetensors")).eval()
    d = read_safetensors(f"{a.dir}/data.safetensors")
    x, y = d["x"], d["y"]
    n, steps, feats = x.shape
    repeats, intervals = 10, 32
    figs, notes = {}, {}
    tag = f"{a.threads}t"

    def record(name, seconds, share=1.0, extra=""):
        full = seconds / share
        figs[f"W6 {name} {tag}"] = full
        notes[f"W6 {name} {tag}"] = "" if share == 1.0 else f"{share:.3g} of the work timed, scaled"
        print(f"W6 {name}: {full:,.2f} s" + ("" if share == 1.0 else f" (scaled from {seconds:.2f} s for {share:.3g} of the work)") + extra, flush=True)

    # partial-derivatives: one forward, T backward passes (one per output step), sum over series of (dy_tau/dx)^2.
    t0 = time.perf_counter()
    xg = x.clone().requires_grad_(True)
    out = m(xg)
    ssd = torch.zeros(feats, dtype=torch.float64)
    for tau in range(steps):
        (g,) = torch.autograd.grad(out[:, tau].sum(), xg, retain_graph=tau < steps - 1)
        ssd += (g.double() ** 2).sum(dim=(0, 1))
    record("partial-derivatives", time.perf_counter() - t0, extra=f"; shares {' '.join(f'{v:.6g}' for v in (ssd / ssd.sum()).tolist())}")

    # permutation: F x R permutations of one feature's series index, rise in mean BCE.
    perm_repeats = repeats if a.full else 1
    t0 = time.perf_counter()
    with torch.no_grad():
        ref = bce(m(x), y).mean()
        rises = torch.zeros(feats, perm_repeats)
        for i in range(feats):
            for r in range(perm_repeats):
                xp = x.clone()
                xp[:, :, i] = x[torch.randperm(n), :, i]
                rises[i, r] = bce(m(xp), y).mean() - ref
    record("permutation", time.perf_counter() - t0, perm_repeats / repeats, extra=f"; rises {' '.join(f'{v:.4g}' for v in rises.mean(1).tolist())}")

    # integrated-gradients: per output step tau, 33 points from the mean baseline, autograd at each point.
    means = x.mean(dim=(0, 1))
    base = means.expand_as(x)
    taus = steps if a.full else 1
    t0 = time.perf_counter()
    total = torch.zeros_like(x, dtype=torch.float64)
    for tau in range(taus):
        grads = torch.zeros_like(x, dtype=torch.float64)
        for k in range(intervals + 1):
            xa = (base + k / intervals * (x - base)).requires_grad_(True)
            (g,) = torch.autograd.grad(m(xa)[:, tau].sum(), xa)
            grads += (0.5 if k in (0, intervals) else 1.0) / intervals * g.double()
        total += grads * (x - base).double()
    record("integrated-gradients", time.perf_counter() - t0, taus / steps)

    # occlusion: each (t, i) cell set to the feature mean in every series; mean over series of |change in its mean BCE|.
    cells = steps * feats if a.full else feats
    t0 = time.perf_counter()
    with torch.no_grad():
        ref = bce(m(x), y).mean(dim=1)
        for c in range(cells):
            t, i = divmod(c, feats)
            xo = x.clone()
            xo[:, t, i] = means[i]
            (bce(m(xo), y).mean(dim=1) - ref).abs().mean()
    record("occlusion", time.perf_counter() - t0, cells / (steps * feats))

    # input-perturbation: F x R whole-feature noise draws (all run), then the time map's T x F x R single-cell draws
    # (a share unless --full); RMS change of every output.
    t0 = time.perf_counter()
    with torch.no_grad():
        base_y = m(x)
        for i in range(feats):
            for r in range(perm_repeats):
                xp = x.clone()
                xp[:, :, i] += 0.2 * torch.randn(n, steps)
                ((m(xp) - base_y) ** 2).mean().sqrt()
    scores_seconds = (time.perf_counter() - t0) * repeats / perm_repeats
    items = steps * feats * repeats if a.full else feats
    t0 = time.perf_counter()
    with torch.no_grad():
        for c in range(items):
            t, i = divmod(c // repeats if a.full else c, feats)
            xp = x.clone()
            xp[:, t, i] += 0.2 * torch.randn(n)
            ((m(xp) - base_y) ** 2).mean(dim=0).sqrt()
    timed = scores_seconds * perm_repeats / repeats + time.perf_counter() - t0
    whole = scores_seconds + (time.perf_counter() - t0) * steps * feats * repeats / items
    record("input-perturbation", timed, timed / whole)

    result = {"peer": {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__, "threads": a.threads,
                       "series": n, "full": a.full}, "figures": figs, "notes": notes}
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
