#!/usr/bin/python3
"""Files the Keras readers must refuse (exit 1, one line): unsupported layers (refused/) and malformed files
(malformed/). Built with make_keras.py's writers so everything else in them is a valid Keras layout; no reference
outputs. Deterministic. Run: /usr/bin/python3 make_refused.py"""
import io
import json
import os
import struct
import zipfile

import h5py
import numpy as np

import make_keras as mk

HERE = os.path.dirname(os.path.abspath(__file__))
REFUSED = os.path.join(HERE, "refused")
MALFORMED = os.path.join(HERE, "malformed")


def parts(m, major, legacy=False):
    weights, outs, _ = mk.build(m)
    names = mk.layer_names(m["layers"])
    shapes = mk.shapes_of(m, outs)
    cfg, inp = mk.model_config(m, names, shapes, weights, major, legacy)
    return weights, names, cfg, inp


def keras_bytes(m, cfg_edit=None, store_edit=None, skip=(), meta=None):
    weights, names, cfg, inp = parts(m, 3)
    if cfg_edit:
        cfg_edit(cfg)

    def writer(h5):
        mk.k3_store(h5, m, names, weights, inp)
        if store_edit:
            store_edit(h5)
    return mk.keras_zip_bytes(cfg, writer, metadata=meta, skip=skip)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print(os.path.relpath(path, HERE), len(data))


def k2_h5(path, m, cfg_edit=None, h5_edit=None):
    weights, names, cfg, inp = parts(m, 2, legacy=True)
    if cfg_edit:
        cfg_edit(cfg)
    mk.write_legacy_h5(path, m, names, weights, inp, 2, cfg)
    if h5_edit:
        with h5py.File(path, "a") as f:
            h5_edit(f)
    print(os.path.relpath(path, HERE), os.path.getsize(path))


L, G, D = mk.L, mk.G, mk.D
CONV = dict(name="conv1d", T=5, F=3, layers=[{"kind": "conv1d", "filters": 4, "kernel_size": 2}, L(3), D(1)])
LAMBDA = dict(name="lambda", T=4, F=2, layers=[L(3, True), {"kind": "lambda"}, L(2), D(1)])
MASKING = dict(name="masking", T=4, F=2, layers=[{"kind": "masking"}, L(3), D(1)])
STATEFUL = dict(name="stateful", T=4, F=2, layers=[L(3, stateful=True), D(1)])
BACKWARDS = dict(name="go_backwards", T=4, F=2, layers=[G(3, go_backwards=True), D(1)])
CUSTOM = dict(name="custom", T=4, F=2, layers=[L(3), {"kind": "custom", "units": 2}, D(1)])
ATTENTION = dict(name="attention", T=4, F=2, functional=True, layers=[L(3, True), L(2), D(1)])


def fixed_batch(cfg, major):
    """Stateful RNNs need a fixed batch size in the input shape."""
    first = cfg["config"]["layers"][0]["config"]
    key = "batch_shape" if major == 3 else "batch_input_shape"
    first[key][0] = 4
    for layer in cfg["config"]["layers"][1:]:
        if key in layer["config"]:
            layer["config"][key][0] = 4


def add_attention(cfg):
    """Functional: input - LSTM(seq) - Attention([lstm, lstm]) - LSTM - Dense (Keras 3 node format)."""
    layers = cfg["config"]["layers"]
    lstm = layers[1]
    tensor = {"class_name": "__keras_tensor__",
              "config": {"shape": [None, 4, 3], "dtype": "float32", "keras_history": [lstm["name"], 0, 0]}}
    att = {"module": "keras.layers", "class_name": "Attention",
           "config": {"name": "attention", "trainable": True, "dtype": mk.K3_DTYPE, "use_scale": False,
                      "score_mode": "dot", "dropout": 0.0, "seed": None},
           "registered_name": None, "build_config": {"input_shape": [[None, 4, 3], [None, 4, 3]]},
           "name": "attention", "inbound_nodes": [{"args": [[tensor, tensor]], "kwargs": {"training": False}}]}
    layers.insert(2, att)
    layers[3]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["attention", 0, 0]


def attention_store(h5):
    # Attention (use_scale=False) has no variables; Keras still writes its vars group with the name.
    h5.create_group("layers/attention/vars").attrs["name"] = "attention"


def main():
    os.makedirs(REFUSED, exist_ok=True)
    os.makedirs(MALFORMED, exist_ok=True)
    r = lambda n: os.path.join(REFUSED, n)
    write(r("k3_refused_conv1d.keras"), keras_bytes(CONV))
    k2_h5(r("k2_refused_conv1d.h5"), CONV)
    write(r("k3_refused_lambda.keras"), keras_bytes(LAMBDA))
    k2_h5(r("k2_refused_lambda.h5"), LAMBDA)
    write(r("k3_refused_masking.keras"), keras_bytes(MASKING))
    write(r("k3_refused_attention.keras"), keras_bytes(ATTENTION, add_attention, attention_store))
    write(r("k3_refused_stateful_lstm.keras"), keras_bytes(STATEFUL, lambda c: fixed_batch(c, 3)))
    k2_h5(r("k2_refused_stateful_lstm.h5"), STATEFUL, lambda c: fixed_batch(c, 2))
    write(r("k3_refused_go_backwards_gru.keras"), keras_bytes(BACKWARDS))
    k2_h5(r("k2_refused_go_backwards_gru.h5"), BACKWARDS)
    write(r("k3_refused_custom_layer.keras"), keras_bytes(CUSTOM))
    k2_h5(r("k2_refused_custom_layer.h5"), CUSTOM)

    base = next(m for m in mk.VALID if m["name"] == "lstm_stack_tanh")
    good = keras_bytes(base)
    p = lambda n: os.path.join(MALFORMED, n)
    write(p("k3_truncated.keras"), good[: len(good) * 6 // 10])
    write(p("k3_no_config_json.keras"), keras_bytes(base, skip=("config.json",)))
    write(p("k3_huge_declared_size.keras"), huge_declared_size(good))
    write(p("k3_config_not_json.keras"), replace_entry(good, "config.json", b'{"module": "keras", "class_name":\n'))
    write(p("k3_external_link_weight.keras"), keras_bytes(base, store_edit=external_link("layers/dense/vars/0")))
    write(p("k3_weight_shape_mismatch.keras"), keras_bytes(base, store_edit=wrong_shape("layers/dense/vars/0")))
    write(p("k3_nan_weights.keras"), keras_bytes(base, store_edit=nan_in("layers/lstm/cell/vars/1")))
    write(p("k3_missing_layer_weights.keras"), keras_bytes(base, store_edit=lambda h5: h5.__delitem__(
        "layers/lstm_1/cell/vars/2")))
    k2_h5(p("k2_external_link_weight.h5"), base, h5_edit=external_link("model_weights/dense/dense/kernel:0"))
    k2_h5(p("k2_weight_shape_mismatch.h5"), base, h5_edit=wrong_shape("model_weights/lstm/lstm/lstm_cell/kernel:0"))
    k2_h5(p("k2_no_weight_names.h5"), base, h5_edit=lambda f: f["model_weights/lstm_1"].attrs.__delitem__(
        "weight_names"))
    k2_h5(p("k2_nan_weights.h5"), base, h5_edit=nan_in("model_weights/dense_1/dense_1/bias:0"))
    k2_h5(p("k2_no_model_config.h5"), base, h5_edit=lambda f: f.attrs.__delitem__("model_config"))


def external_link(path):
    """Replace a weight dataset by an HDF5 external link (must not be followed)."""
    def edit(h5):
        del h5[path]
        h5[path] = h5py.ExternalLink("/etc/keras_secrets.h5", "/weights/kernel")
    return edit


def wrong_shape(path):
    """Replace a weight by one with an extra column (shape no longer matches the config)."""
    def edit(h5):
        a = h5[path][()]
        del h5[path]
        h5.create_dataset(path, data=np.concatenate([a, a[:, :1]], axis=1))
    return edit


def nan_in(path):
    def edit(h5):
        a = h5[path][()]
        a.flat[len(a.flat) // 2] = np.nan
        h5[path][...] = a
    return edit


def replace_entry(zip_bytes, name, data):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == name else zin.read(info.filename))
    return out.getvalue()


def huge_declared_size(zip_bytes):
    """Deflate config.json and patch its declared uncompressed size (local header and central directory) to
    3,000,000,000 bytes; the compressed data is the real, small config."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            ni = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            ni.compress_type = zipfile.ZIP_DEFLATED if info.filename == "config.json" else zipfile.ZIP_STORED
            zout.writestr(ni, zin.read(info.filename))
    b = bytearray(out.getvalue())
    # (signature, offset of the name length, offset of the name, offset of the uncompressed size)
    for sig, len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        i = b.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", b, i + len_at)[0]
            if bytes(b[i + name_at:i + name_at + n]) == b"config.json":
                struct.pack_into("<I", b, i + size_at, 3_000_000_000)
            i = b.find(sig, i + 4)
    return bytes(b)


if __name__ == "__main__":
    main()
