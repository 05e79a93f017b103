#!/usr/bin/python3
"""Float64 reference predictions for the two real Keras 3 files in real/ (written by Keras 3.10.0 itself).
Reads config.json and model.weights.h5 from each zip (weights at layers/<snake_case>/cell/vars/0..2 and
layers/<snake_case>/vars/0..1) and runs refnet's Keras equations; N=4 standard-normal series of 72 x 18
(numpy default_rng(20260101), rounded to float32). Writes real/<file>.expected.json."""
import io
import json
import os
import zipfile

import h5py
import numpy as np

import refnet
from make_keras import snake, unique, write_expected

HERE = os.path.dirname(os.path.abspath(__file__))


def predict(path, x):
    with zipfile.ZipFile(path) as zf:
        cfg = json.loads(zf.read("config.json"))
        meta = json.loads(zf.read("metadata.json"))
        h5 = h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")
    major = int(meta["keras_version"].split(".")[0])
    used = {}
    y = x
    for layer in cfg["config"]["layers"]:
        cls, c = layer["class_name"], layer["config"]
        if cls == "InputLayer":
            continue
        p = "layers/" + unique(snake(cls), used)
        if cls in ("LSTM", "GRU"):
            k, r, b = (h5[f"{p}/cell/vars/{i}"][()].astype(np.float64) for i in range(3))
            act = refnet.activation(c["activation"], major)
            ract = refnet.activation(c["recurrent_activation"], major)
            if cls == "LSTM":
                seq = refnet.keras_lstm(y, k, r, b, act, ract)
            else:
                seq = refnet.keras_gru(y, k, r, b, act, ract, c["reset_after"])
            y = seq if c["return_sequences"] else seq[:, -1, :]
        elif cls == "Dense":
            k, b = (h5[f"{p}/vars/{i}"][()].astype(np.float64) for i in range(2))
            y = refnet.activation(c["activation"], major)(y @ k + b)
        elif cls == "Dropout":
            pass
        else:
            raise ValueError(cls)
    return y, meta["keras_version"]


if __name__ == "__main__":
    for name in ("air_quality_lstm.keras", "air_quality_gru.keras"):
        x = np.random.default_rng(20260101).standard_normal((4, 72, 18)).astype(np.float32)
        p = os.path.join(HERE, "real", name)
        y, version = predict(p, x.astype(np.float64))
        write_expected(p, x, y, version, {"description": "real Keras 3.10.0 file; inputs standard normal"})
        print(name, y.ravel())
