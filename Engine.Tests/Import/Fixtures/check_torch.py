#!/usr/bin/python3
"""Cross-checks refnet's Keras LSTM/GRU equations against torch.nn.LSTM / nn.GRU in float64 with converted weights
(Keras i,f,c,o == torch i,f,g,o; Keras GRU z,r,h -> torch r,z,n; torch's GRU is Keras reset_after=True), also
bidirectional; GRU reset_after=False against refnet's ONNX GRU (linear_before_reset=0). Prints max |diff|;
exits 1 when any exceeds 1e-12."""
import sys

import numpy as np
import torch

import refnet

rng = np.random.default_rng(7)
worst = 0.0


def report(label, a, b):
    global worst
    d = float(np.max(np.abs(a - b)))
    worst = max(worst, d)
    print(f"{label}: max |diff| = {d:.3e}")


def u(*s):
    return rng.uniform(-0.8, 0.8, size=s)


N, T, F, H = 4, 6, 3, 5
x = rng.standard_normal((N, T, F))
xt = torch.tensor(x)
for bidi in (False, True):
    dirs = 2 if bidi else 1
    kw = [(u(F, 4 * H), u(H, 4 * H), u(4 * H)) for _ in range(dirs)]
    lstm = torch.nn.LSTM(F, H, batch_first=True, bidirectional=bidi).double()
    gw = [(u(F, 3 * H), u(H, 3 * H), u(2, 3 * H)) for _ in range(dirs)]
    gru = torch.nn.GRU(F, H, batch_first=True, bidirectional=bidi).double()
    perm = np.r_[H:2 * H, 0:H, 2 * H:3 * H]  # torch r,z,n from Keras z,r,h
    with torch.no_grad():
        for d, suffix in enumerate(["", "_reverse"][:dirs]):
            k, r, b = kw[d]
            getattr(lstm, "weight_ih_l0" + suffix).copy_(torch.tensor(k.T))
            getattr(lstm, "weight_hh_l0" + suffix).copy_(torch.tensor(r.T))
            getattr(lstm, "bias_ih_l0" + suffix).copy_(torch.tensor(b))
            getattr(lstm, "bias_hh_l0" + suffix).zero_()
            k, r, b = gw[d]
            getattr(gru, "weight_ih_l0" + suffix).copy_(torch.tensor(k.T[perm]))
            getattr(gru, "weight_hh_l0" + suffix).copy_(torch.tensor(r.T[perm]))
            getattr(gru, "bias_ih_l0" + suffix).copy_(torch.tensor(b[0][perm]))
            getattr(gru, "bias_hh_l0" + suffix).copy_(torch.tensor(b[1][perm]))
        tl = lstm(xt)[0].numpy()
        tg = gru(xt)[0].numpy()
    th, sg = np.tanh, refnet.sigmoid
    fl = refnet.keras_lstm(x, *kw[0], th, sg)
    fg = refnet.keras_gru(x, *gw[0], th, sg, True)
    if bidi:
        bl = refnet.keras_lstm(x[:, ::-1], *kw[1], th, sg)[:, ::-1]
        bg = refnet.keras_gru(x[:, ::-1], *gw[1], th, sg, True)[:, ::-1]
        fl, fg = refnet.merge(fl, bl, "concat"), refnet.merge(fg, bg, "concat")
    report(f"LSTM bidirectional={bidi} vs torch", fl, tl)
    report(f"GRU reset_after=True bidirectional={bidi} vs torch", fg, tg)

# GRU reset_after=False against the ONNX-form GRU with linear_before_reset=0 (W (3H,F), R (3H,H), B = [Wb, Rb]).
k, r, b = u(F, 3 * H), u(H, 3 * H), u(3 * H)
keras = refnet.keras_gru(x, k, r, b, np.tanh, refnet.sigmoid, False)
onnx, _ = refnet.onnx_gru_dir(x.transpose(1, 0, 2), k.T, r.T, np.r_[b, np.zeros(3 * H)], np.zeros((N, H)), False)
report("GRU reset_after=False vs ONNX form", keras, onnx.transpose(1, 0, 2))
sys.exit(0 if worst < 1e-12 else 1)
