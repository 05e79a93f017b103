#!/usr/bin/python3
"""PyTorch peer of Engine.Bench: the issue-5 workloads W1..W5 and sgemm, timed the same way.

Run with Debian's interpreter (/usr/bin/python3, which sees python3-torch) and OPENBLAS_CORETYPE=SkylakeX
(OpenBLAS 0.3.21 does not recognise this CPU and would fall back to an SSE3 kernel):
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 Engine.Bench/peer/peer.py --out peer.json [--quick]
Prints one line per figure and writes all of them as JSON (medians in microseconds).
"""
import argparse, ctypes, json, os, platform, statistics, sys, time

import numpy as np
import torch
from torch import nn


def median_us(fn, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(times)


def openblas_info():
    """The OpenBLAS library loaded into this process and the kernel (core) it chose."""
    for line in open("/proc/self/maps"):
        path = line.split()[-1] if len(line.split()) >= 6 else ""
        if "openblas" in path and path.endswith(tuple(".so" + s for s in ("", ".0"))) or "libopenblas" in path:
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                return {"library": path, "core": lib.openblas_get_corename().decode(), "config": lib.openblas_get_config().decode()}
            except (OSError, AttributeError):
                continue
    return {"library": None, "core": "unknown", "config": ""}


class ExactCellLstm(nn.Module):
    """Keras-semantics LSTM with any activation (nn.LSTM is tanh-only): a Python loop over steps."""

    def __init__(self, inputs, units, act, ract):
        super().__init__()
        self.units, self.act, self.ract = units, act, ract
        self.w = nn.Linear(inputs, 4 * units)
        self.u = nn.Linear(units, 4 * units, bias=False)

    def forward(self, x):  # x (N, T, F) -> (N, T, H)
        n, t, _ = x.shape
        h = x.new_zeros(n, self.units)
        c = x.new_zeros(n, self.units)
        zx = self.w(x)
        out = []
        for s in range(t):
            z = zx[:, s] + self.u(h)
            i, f, g, o = z.chunk(4, dim=1)
            i, f, o = self.ract(i), self.ract(f), self.ract(o)
            c = f * c + i * self.act(g)
            h = o * self.act(c)
            out.append(h)
        return torch.stack(out, dim=1)


def reference_model(exact=True):
    if exact:
        return nn.Sequential(ExactCellLstm(3, 10, torch.relu, torch.sigmoid), ExactCellLstm(10, 5, torch.relu, torch.sigmoid),
                             ExactCellLstm(5, 1, torch.sigmoid, torch.sigmoid), nn.Flatten())

    class TanhStack(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = nn.LSTM(3, 10, batch_first=True), nn.LSTM(10, 5, batch_first=True), nn.LSTM(5, 1, batch_first=True)

        def forward(self, x):
            return torch.sigmoid(self.c(self.b(self.a(x)[0])[0])[0]).flatten(1)
    return TanhStack()


class Large(nn.Module):
    """W2/W3/W5: input F -> LSTM H -> LSTM H (tanh, sigmoid gates) -> Linear 1 on every step (logits)."""

    def __init__(self, features, units):
        super().__init__()
        self.l1 = nn.LSTM(features, units, batch_first=True)
        self.l2 = nn.LSTM(units, units, batch_first=True)
        self.head = nn.Linear(units, 1)

    def forward(self, x):
        return self.head(self.l2(self.l1(x)[0])[0]).squeeze(-1)


def train_step_fn(model, x, y, loss_fn, opt):
    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--quick", action="store_true", help="small repeat counts and sizes (a smoke run)")
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    torch.manual_seed(0)
    q = args.quick
    results = {"peer": {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__,
                        "openblas": openblas_info(), "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
                        "machine": platform.processor() or platform.machine()}, "figures": {}}
    figs = results["figures"]

    def record(name, us):
        figs[name] = us
        print(f"{name}: {us:,.1f} us", flush=True)

    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        tag = f"{threads}t"
        # W1: the reference model, batch 5 x 10 steps x 3 features, BCE on probabilities, Adam.
        x = torch.rand(5, 10, 3)
        y = (x[:, :, 0] * x[:, :, 1] < 0.25).float()
        for exact in (True, False):
            m = reference_model(exact)
            step = train_step_fn(m, x, y, nn.BCELoss(), torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7))
            record(f"W1 train step ({'exact relu model, cell loop' if exact else 'nn.LSTM tanh'}) {tag}", median_us(step, 20 if q else 300, 10))
        # W2: batch 64, 50 steps, 32 features -> 256 -> 256 -> 1 per step, BCE on logits.
        for units, steps, name in ([(32, 10, "W2")] if q else [(256, 50, "W2")]):
            m = Large(32, units)
            x = torch.rand(64, steps, 32)
            y = (torch.rand(64, steps) < 0.5).float()
            step = train_step_fn(m, x, y, nn.BCEWithLogitsLoss(), torch.optim.Adam(m.parameters(), eps=1e-7))
            record(f"{name} train step {tag}", median_us(step, 3 if q else 10, 2))
        # W3: two 128-unit layers, batch 1, 100 steps, forward only.
        m = Large(32, 128).eval()
        x = torch.rand(1, 100, 32)
        with torch.no_grad():
            record(f"W3 forward {tag}", median_us(lambda: m(x), 20 if q else 200, 10))
        # W4: noise perturbation on the reference model, 250 series: a baseline prediction and one per feature.
        m = reference_model(True).eval()
        x = torch.rand(250, 10, 3)

        def perturb():
            with torch.no_grad():
                base = m(x)
                for f in range(3):
                    xp = x.clone()
                    xp[:, :, f] += 0.2 * torch.randn(250, 10)
                    ((m(xp) - base) ** 2).mean().sqrt()
        record(f"W4 noise perturbation {tag}", median_us(perturb, 5 if q else 50, 3))
        # sgemm on one or two cores: torch.mm (the same OpenBLAS).
        for n in ([64] if q else [512, 1024]):
            a, b = torch.rand(n, n), torch.rand(n, n)
            us = median_us(lambda: torch.mm(a, b), 5 if q else 30, 3)
            record(f"sgemm {n} {tag}", us)
            figs[f"sgemm {n} {tag} GFLOP/s"] = 2 * n ** 3 / us / 1e3
    # W5 scaling on one thread.
    torch.set_num_threads(1)
    shapes = [(16, 10), (64, 10)] if q else [(16, 50), (64, 50), (256, 50), (1024, 50), (256, 10), (256, 100), (256, 1000)]
    for units, steps in shapes:
        m = Large(32, units)
        x = torch.rand(64, steps, 32)
        y = (torch.rand(64, steps) < 0.5).float()
        step = train_step_fn(m, x, y, nn.BCEWithLogitsLoss(), torch.optim.Adam(m.parameters(), eps=1e-7))
        reps = 1 if units * steps >= 51200 else 3
        record(f"W5 train step units {units} steps {steps} 1t", median_us(step, reps, 1))
    print(f"OpenBLAS: {results['peer']['openblas']['core']} ({results['peer']['openblas']['library']})")
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
