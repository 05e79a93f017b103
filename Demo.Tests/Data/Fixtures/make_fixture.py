#!/usr/bin/python3
"""Writes tiny.safetensors and tiny_expected.json, the fixture that proves the model file is standard safetensors.

The file is assembled by hand from numpy's raw little-endian bytes (no safetensors library): an 8-byte
little-endian header size, the JSON header (dtype, shape, data_offsets per tensor, __metadata__), then the data.
Tensors are written in alphabetical order (as the Python safetensors library writes them), not the engine's order.
tiny_expected.json holds an input batch and the outputs of a plain numpy forward pass of the same model
(Keras LSTM: z = x W + h U + b, gates i, f, c, o; sigmoid gates, tanh cell; dense sigmoid head per step).

Run from this directory: /usr/bin/python3 make_fixture.py   (needs numpy; CI only reads the committed files)
"""
import json
import struct

import numpy as np

F, H, O, T, N = 2, 3, 1, 4, 2
rng = np.random.default_rng(7)


def uniform(*shape):
    return rng.uniform(-0.6, 0.6, size=shape).astype(np.float32)


tensors = {
    "layers.0.kernel": uniform(F, 4 * H),
    "layers.0.recurrent_kernel": uniform(H, 4 * H),
    "layers.0.bias": uniform(4 * H),
    "head.kernel": uniform(H, O),
    "head.bias": uniform(O),
}

mean = np.array([10.0, -2.0], dtype=np.float32)
sd = np.array([2.0, 0.5], dtype=np.float32)
architecture = {
    "features": ["flow", "level"],
    "layers": [{"units": H, "activation": "tanh", "recurrent_activation": "sigmoid"}],
    "head": {"units": O, "activation": "sigmoid"},
    "output": "sequence",
    "output_activation": "sigmoid",
    "steps": T,
    "normalisation": {"mean": mean.tolist(), "sd": sd.tolist()},
    "training": {"loss": "bce", "epochs": 1, "batch_size": 2, "learning_rate": 0.01, "validation": 0.0, "seed": 7,
                 "target": "event", "series_column": "series", "time_column": "time", "history": []},
}

header = {"__metadata__": {"format": "lstm-engine/1", "architecture": json.dumps(architecture)}}
data = b""
for name in sorted(tensors):
    raw = tensors[name].astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
header_bytes = json.dumps(header).encode("utf-8")
header_bytes += b" " * (-len(header_bytes) % 8)
with open("tiny.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(header_bytes)))
    f.write(header_bytes)
    f.write(data)


# The same model's forward pass in float64 numpy, on standardised inputs.
def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


x = rng.normal(size=(N, T, F)).astype(np.float32)
W, U, b = (tensors[k].astype(np.float64) for k in ("layers.0.kernel", "layers.0.recurrent_kernel", "layers.0.bias"))
K, kb = tensors["head.kernel"].astype(np.float64), tensors["head.bias"].astype(np.float64)
y = np.zeros((N, T * O))
for n in range(N):
    h = np.zeros(H)
    c = np.zeros(H)
    for t in range(T):
        z = x[n, t].astype(np.float64) @ W + h @ U + b
        i, f, g, o = sigmoid(z[:H]), sigmoid(z[H:2 * H]), np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        y[n, t * O:(t + 1) * O] = sigmoid(h @ K + kb)

with open("tiny_expected.json", "w") as f:
    json.dump({"batch": N, "steps": T, "features": F,
               "tensors": {k: v.reshape(-1).tolist() for k, v in tensors.items()},
               "inputs": x.reshape(-1).tolist(), "outputs": y.reshape(-1).tolist()}, f, indent=1)
print("wrote tiny.safetensors and tiny_expected.json")
