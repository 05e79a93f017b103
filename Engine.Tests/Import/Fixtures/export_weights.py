"""Writes keras/<file>.weights.json: a fixture's weights as one flat float list in the engine's parameter order.

Layer after layer (model_weights' layer_names), each layer's tensors in its weight_names order, a Bidirectional's
forward copy before its backward copy (kernel, recurrent_kernel, bias each), row-major; the values are the file's
float32 weights, printed exactly (repr of the float32 widened to double). The engine's layer tests build the same
architecture, load these parameters and compare with <file>.expected.json, without an HDF5 reader.
Run: /usr/bin/python3 export_weights.py
"""
import json
import h5py
import numpy as np

FILES = ["keras/k2_bidi_lstm_concat_sum.h5", "keras/k2_lstm_hard_sigmoid_softmax.h5"]


def names(attr):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in attr]


def order(name):
    direction = 1 if "backward" in name else 0
    leaf = name.split("/")[-1].split(":")[0]
    return direction, ["kernel", "recurrent_kernel", "bias"].index(leaf)


for path in FILES:
    with h5py.File(path, "r") as f:
        weights = f["model_weights"]
        values, tensors = [], []
        for layer in names(weights.attrs["layer_names"]):
            group = weights[layer]
            for w in sorted(names(group.attrs["weight_names"]), key=order):
                data = np.asarray(group[w], dtype=np.float32)
                tensors.append({"name": w, "shape": list(data.shape)})
                values.extend(float(v) for v in data.reshape(-1))
    with open(path + ".weights.json", "w") as out:
        json.dump({"source": path.split("/")[-1], "tensors": tensors, "parameters": values}, out, indent=1)
        out.write("\n")
    print(path, len(values))
