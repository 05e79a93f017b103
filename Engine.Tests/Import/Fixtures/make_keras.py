#!/usr/bin/python3
"""Writes Keras-layout fixtures (.keras zip, Keras 3 legacy .h5, Keras 2.14 .h5) with h5py + zipfile, and float64
reference outputs computed from Keras' cell equations (refnet.py). Layouts follow Keras' own saving code:
keras/src/saving/saving_lib.py (.keras), keras/src/legacy/saving/legacy_h5_format.py (Keras 3 .h5) and
tf_keras/saving/legacy/hdf5_format.py + saving_utils.py (Keras 2.x .h5). Deterministic: rerunning rewrites the same
files. Run from anywhere: /usr/bin/python3 make_keras.py (Debian python3-h5py, python3-numpy)."""
import base64
import copy
import io
import json
import marshal
import os
import zipfile
import zlib

import h5py
import numpy as np

import refnet

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras")
K3_VERSION = "3.10.0"
K2_VERSION = "2.14.0"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
N_SERIES = 4

# ----------------------------------------------------------------------------------------------------------------
# Layer specs: dicts with "kind" in lstm, gru, bidi, dense, td_dense, dropout, sdrop, flatten (+ refused kinds).

CLASS = {"lstm": "LSTM", "gru": "GRU", "bidi": "Bidirectional", "dense": "Dense", "td_dense": "TimeDistributed",
         "dropout": "Dropout", "sdrop": "SpatialDropout1D", "flatten": "Flatten", "conv1d": "Conv1D",
         "lambda": "Lambda", "masking": "Masking", "custom": "MyCustomLayer"}
AUTONAME = {"lstm": "lstm", "gru": "gru", "bidi": "bidirectional", "dense": "dense", "td_dense": "time_distributed",
            "dropout": "dropout", "sdrop": "spatial_dropout1d", "flatten": "flatten", "conv1d": "conv1d",
            "lambda": "lambda", "masking": "masking", "custom": "my_custom_layer"}


def snake(cls):
    """keras.src.utils.naming.to_snake_case."""
    import re
    name = re.sub(r"\W+", "", cls)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique(base, used):
    """saving_lib._get_unique_name / Keras auto naming: base, base_1, base_2, ..."""
    n = used.get(base, 0)
    used[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


# ----------------------------------------------------------------------------------------------------------------
# Weights and the float64 reference.

def init_weights(spec, in_dim, rng):
    """Random float32 weights in Keras shapes; returns (weights list, out_dim)."""
    def u(*shape):
        return rng.uniform(-0.7, 0.7, size=shape).astype(np.float32)
    k = spec["kind"]
    if k == "lstm":
        h = spec["units"]
        return [u(in_dim, 4 * h), u(h, 4 * h), u(4 * h)], h
    if k == "gru":
        h = spec["units"]
        bias = u(2, 3 * h) if spec.get("reset_after", True) else u(3 * h)
        return [u(in_dim, 3 * h), u(h, 3 * h), bias], h
    if k == "bidi":
        fw, h = init_weights(spec["layer"], in_dim, rng)
        bw, _ = init_weights(spec["layer"], in_dim, rng)
        return fw + bw, 2 * h if spec["merge"] == "concat" else h
    if k in ("dense", "td_dense"):
        return [u(in_dim, spec["units"]), u(spec["units"])], spec["units"]
    if k == "conv1d":
        return [u(spec["kernel_size"], in_dim, spec["filters"]), u(spec["filters"])], spec["filters"]
    if k == "custom":
        return [u(in_dim, spec["units"])], spec["units"]
    return [], in_dim


def returns_sequences(spec):
    if spec["kind"] in ("lstm", "gru"):
        return spec.get("seq", False)
    if spec["kind"] == "bidi":
        return spec["layer"].get("seq", False)
    return None  # unchanged rank


def run_rnn(spec, x, w, major):
    act = refnet.activation(spec.get("act", "tanh"), major)
    ract = refnet.activation(spec.get("ract", "sigmoid"), major)
    w64 = [a.astype(np.float64) for a in w]
    if spec["kind"] == "lstm":
        y = refnet.keras_lstm(x, w64[0], w64[1], w64[2], act, ract)
    else:
        y = refnet.keras_gru(x, w64[0], w64[1], w64[2], act, ract, spec.get("reset_after", True))
    return y


def forward(layers, weights, x, major):
    """Float64 forward pass of the layer stack; Dropout/SpatialDropout1D are identity at inference."""
    for spec, w in zip(layers, weights):
        k = spec["kind"]
        if k in ("lstm", "gru"):
            y = run_rnn(spec, x, w, major)
            x = y if spec.get("seq", False) else y[:, -1, :]
        elif k == "bidi":
            inner = spec["layer"]
            half = len(w) // 2
            fwd = run_rnn(inner, x, w[:half], major)
            bwd = run_rnn(inner, x[:, ::-1, :], w[half:], major)  # go_backwards: reversed input
            if inner.get("seq", False):
                x = refnet.merge(fwd, bwd[:, ::-1, :], spec["merge"])  # reversed back before merging
            else:
                x = refnet.merge(fwd[:, -1, :], bwd[:, -1, :], spec["merge"])
        elif k in ("dense", "td_dense"):
            x = refnet.activation(spec.get("act", "linear"), major)(
                x @ w[0].astype(np.float64) + w[1].astype(np.float64))
        elif k == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif k in ("dropout", "sdrop"):
            pass
        else:
            raise ValueError(k)
    return x


# ----------------------------------------------------------------------------------------------------------------
# Configs. Keras 3 (new serialization: module/class_name/config/registered_name) and Keras 2.14 (legacy).

K3_DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def k3_obj(module, cls, config):
    return {"module": module, "class_name": cls, "config": config, "registered_name": None}


K3_COMPILE = {"optimizer": k3_obj("keras.optimizers", "Adam", {
    "name": "adam", "learning_rate": 0.001, "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
    "epsilon": 1e-07, "amsgrad": False}), "loss": "mse", "loss_weights": None, "metrics": ["mae"],
    "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def k3_init(cls, config):
    return k3_obj("keras.initializers", cls, config)


def k2_init(cls, config):
    # tf.keras 2.13+ serializes initializers with module/registered_name inside layer configs.
    return {"module": "keras.initializers", "class_name": cls, "config": config, "registered_name": None}


def rnn_config(spec, name, major, go_backwards=False):
    k = spec["kind"]
    init = k3_init if major == 3 else k2_init
    c = {"name": name, "trainable": True, "dtype": copy.deepcopy(K3_DTYPE) if major == 3 else "float32",
         "return_sequences": spec.get("seq", False), "return_state": False,
         "go_backwards": spec.get("go_backwards", go_backwards), "stateful": spec.get("stateful", False),
         "unroll": False}
    if major == 3:
        c["zero_output_for_mask"] = False
    else:
        c["time_major"] = False
    c.update({"units": spec["units"], "activation": spec.get("act", "tanh"),
              "recurrent_activation": spec.get("ract", "sigmoid"), "use_bias": True,
              "kernel_initializer": init("GlorotUniform", {"seed": None}),
              "recurrent_initializer": init("Orthogonal", {"seed": None, "gain": 1.0}),
              "bias_initializer": init("Zeros", {})})
    if k == "lstm":
        c["unit_forget_bias"] = True
    c.update({"kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
              "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0})
    if k == "gru":
        c["reset_after"] = spec.get("reset_after", True)
    if major == 3:
        c["seed"] = None
    else:
        c["implementation"] = 2
    return c


def dense_config(spec, name, major):
    init = k3_init if major == 3 else k2_init
    return {"name": name, "trainable": True, "dtype": copy.deepcopy(K3_DTYPE) if major == 3 else "float32",
            "units": spec["units"], "activation": spec.get("act", "linear"), "use_bias": True,
            "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros", {}),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}


def wrap(cls, config, major, legacy, module="keras.layers"):
    """Keras 3 .keras: new-style entry; Keras 3 .h5 and Keras 2: legacy {class_name, config}."""
    if major == 3 and not legacy:
        return k3_obj(module, cls, config)
    return {"class_name": cls, "config": config}


def layer_config(spec, name, major, legacy):
    """Inner config dict of a layer (the 'config' member)."""
    k = spec["kind"]
    dt = copy.deepcopy(K3_DTYPE) if major == 3 else "float32"
    if k in ("lstm", "gru"):
        return rnn_config(spec, name, major)
    if k == "dense":
        return dense_config(spec, name, major)
    if k == "td_dense":
        inner = dense_config(spec, spec.get("inner_name", "dense"), major)
        return {"name": name, "trainable": True, "dtype": dt, "layer": wrap("Dense", inner, major, legacy)}
    if k == "bidi":
        inner = spec["layer"]
        base = spec.get("inner_name", AUTONAME[inner["kind"]])
        c = {"name": name, "trainable": True, "dtype": dt}
        if major == 3:
            # Keras 3 Bidirectional.get_config: the forward layer (renamed forward_X) and backward layer.
            c["merge_mode"] = spec["merge"]
            c["layer"] = wrap(CLASS[inner["kind"]], rnn_config(inner, "forward_" + base, 3), 3, legacy)
            c["backward_layer"] = wrap(CLASS[inner["kind"]],
                                       rnn_config(inner, "backward_" + base, 3, go_backwards=True), 3, legacy)
        else:
            # tf.keras Wrapper.get_config: the original layer; backward_layer only when the user gave one.
            c["layer"] = wrap(CLASS[inner["kind"]], rnn_config(inner, base, 2), 2, legacy)
            c["merge_mode"] = spec["merge"]
        return c
    if k == "dropout":
        c = {"name": name, "trainable": True, "dtype": dt, "rate": spec["rate"], "noise_shape": None, "seed": None}
        return c
    if k == "sdrop":
        c = {"name": name, "trainable": True, "dtype": dt, "rate": spec["rate"]}
        if major == 2:
            c.update({"noise_shape": None, "seed": None})
        else:
            c["seed"] = None
        return c
    if k == "flatten":
        return {"name": name, "trainable": True, "dtype": dt, "data_format": "channels_last"}
    if k == "conv1d":
        init = k3_init if major == 3 else k2_init
        return {"name": name, "trainable": True, "dtype": dt, "filters": spec["filters"],
                "kernel_size": [spec["kernel_size"]], "strides": [1], "padding": "valid",
                "data_format": "channels_last", "dilation_rate": [1], "groups": 1, "activation": "linear",
                "use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                "bias_initializer": init("Zeros", {}), "kernel_regularizer": None, "bias_regularizer": None,
                "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if k == "lambda":
        # Marshalled bytecode of `lambda x: x * 2.0`, as Keras stores a Lambda's function (readers must not run it).
        lam = next(c for c in compile("lambda x: x * 2.0", "<keras-lambda>", "eval").co_consts if hasattr(c, "co_code"))
        code = base64.b64encode(marshal.dumps(lam)).decode("ascii")
        if major == 3:
            fn = {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}
            return {"name": name, "trainable": True, "dtype": dt, "function": fn, "arguments": {}}
        return {"name": name, "trainable": True, "dtype": dt, "function": [code, None, None],
                "function_type": "lambda", "module": "__main__", "output_shape": None,
                "output_shape_type": "raw", "output_shape_module": None, "arguments": {}}
    if k == "masking":
        return {"name": name, "trainable": True, "dtype": dt, "mask_value": 0.0}
    if k == "custom":
        return {"name": name, "trainable": True, "dtype": dt, "units": spec["units"]}
    raise ValueError(k)


def layer_entry(spec, name, major, legacy, in_shape, weights):
    cls = CLASS[spec["kind"]]
    cfg = layer_config(spec, name, major, legacy)
    if major == 3 and not legacy:
        module = "keras.layers"
        if spec["kind"] == "custom":
            e = {"module": None, "class_name": cls, "config": cfg, "registered_name": "Custom>MyCustomLayer"}
        else:
            e = k3_obj(module, cls, cfg)
        if weights or spec["kind"] in ("lstm", "gru", "bidi", "dense", "td_dense", "conv1d"):
            e["build_config"] = {"input_shape": list(in_shape)}
        return e
    return {"class_name": cls, "config": cfg}


def model_config(m, names, shapes, weights, major, legacy):
    t, f = m["T"], m["F"]
    layers = m["layers"]
    functional = m.get("functional", False)
    if major == 3:
        input_name = "input_layer"
        in_cfg = {"batch_shape": [None, t, f], "dtype": "float32", "sparse": False, "ragged": False,
                  "name": input_name}
    else:
        explicit = m.get("explicit_input", False) or functional
        input_name = "input_1" if explicit else names[0] + "_input"
        in_cfg = {"batch_input_shape": [None, t, f], "dtype": "float32", "sparse": False, "ragged": False,
                  "name": input_name}
    input_entry = wrap("InputLayer", in_cfg, major, legacy)
    entries = [layer_entry(s, n, major, legacy, shapes[i], weights[i]) for i, (s, n) in enumerate(zip(layers, names))]
    if major == 2 and not functional and not m.get("explicit_input", False):
        entries[0]["config"] = {"name": entries[0]["config"]["name"], "trainable": True,
                                "batch_input_shape": [None, t, f],
                                **{k: v for k, v in entries[0]["config"].items() if k not in ("name", "trainable")}}
    if not functional:
        cfg = {"name": "sequential", "layers": [input_entry] + entries}
        if major == 3:
            cfg = {"name": "sequential", "trainable": True, "dtype": copy.deepcopy(K3_DTYPE),
                   "layers": [input_entry] + entries, "build_input_shape": [None, t, f]}
        if major == 3 and not legacy:
            top = {"module": "keras", "class_name": "Sequential", "config": cfg, "registered_name": None,
                   "build_config": {"input_shape": [None, t, f]}}
            if m.get("compiled"):
                top["compile_config"] = K3_COMPILE
        else:
            top = {"class_name": "Sequential", "config": cfg}
        return top, input_name
    # Functional chain.
    prev = input_name
    input_entry["name"] = input_name
    input_entry["inbound_nodes"] = []
    for i, (e, n) in enumerate(zip(entries, names)):
        e["name"] = n
        if major == 3:
            kwargs = {}
            if layers[i]["kind"] in ("lstm", "gru", "bidi"):
                kwargs = {"training": False, "mask": None}
            elif layers[i]["kind"] in ("dropout", "sdrop"):
                kwargs = {"training": False}
            tensor = {"class_name": "__keras_tensor__",
                      "config": {"shape": list(shapes[i]), "dtype": "float32", "keras_history": [prev, 0, 0]}}
            e["inbound_nodes"] = [{"args": [tensor], "kwargs": kwargs}]
        else:
            e["inbound_nodes"] = [[[prev, 0, 0, {}]]]
        prev = n
    if major == 3:
        cfg = {"name": "functional", "trainable": True, "layers": [input_entry] + entries,
               "input_layers": [input_name, 0, 0], "output_layers": [prev, 0, 0]}
        if legacy:
            return {"class_name": "Functional", "config": cfg}, input_name
        return {"module": "keras.src.models.functional", "class_name": "Functional", "config": cfg,
                "registered_name": "Functional", "build_config": {"input_shape": None}}, input_name
    cfg = {"name": "model", "trainable": True, "layers": [input_entry] + entries,
           "input_layers": [[input_name, 0, 0]], "output_layers": [[prev, 0, 0]]}
    return {"class_name": "Functional", "config": cfg}, input_name


# ----------------------------------------------------------------------------------------------------------------
# Weight stores.

def k3_store(h5, m, names, weights, input_name):
    """saving_lib._save_state: root vars/, then layers/<snake_case class, deduplicated>/vars/ (attr name),
    RNN cells at .../cell/vars/0..2, Bidirectional at .../backward_layer|forward_layer/..., TimeDistributed at
    .../layer/vars/0..1, Dense at .../vars/0..1. Every saveable with a name gets its vars group (even empty)."""
    h5.create_group("vars").attrs["name"] = "functional" if m.get("functional") else "sequential"
    used = {}
    items = []
    if m.get("functional"):
        items.append(("InputLayer", input_name, None, []))
    for spec, n, w in zip(m["layers"], names, weights):
        items.append((CLASS[spec["kind"]], n, spec, w))
    for cls, n, spec, w in items:
        p = "layers/" + unique(snake(cls), used)
        h5.create_group(p + "/vars").attrs["name"] = n
        if spec is None:
            continue
        k = spec["kind"]
        if k in ("lstm", "gru"):
            rnn_vars(h5, p, k, w)
        elif k == "bidi":
            inner = spec["layer"]["kind"]
            base = spec.get("inner_name", AUTONAME[inner])
            half = len(w) // 2
            for side, ws in (("backward", w[half:]), ("forward", w[:half])):
                q = f"{p}/{side}_layer"
                h5.create_group(q + "/vars").attrs["name"] = f"{side}_{base}"
                rnn_vars(h5, q, inner, ws)
        elif k == "td_dense":
            g = h5.create_group(p + "/layer/vars")
            g.attrs["name"] = spec.get("inner_name", "dense")
            for i, a in enumerate(w):
                g[str(i)] = a
        else:
            g = h5[p + "/vars"]
            for i, a in enumerate(w):
                g[str(i)] = a
    if m.get("compiled"):
        # The optimizer's own variables: iteration, learning_rate, then (momentum, velocity) per trainable variable.
        g = h5.create_group("optimizer/vars")
        g.attrs["name"] = "adam"
        values = [np.array(120, np.int64), np.array(0.001, np.float32)] + [
            np.zeros_like(a) for w in weights for a in w for _ in (0, 1)]
        for i, v in enumerate(values):
            g[str(i)] = v


def rnn_vars(h5, p, kind, w):
    g = h5.create_group(p + "/cell/vars")
    g.attrs["name"] = kind + "_cell"
    for i, a in enumerate(w):
        g[str(i)] = a


def save_attr_list(group, name, data):
    """legacy save_attributes_to_hdf5_group for small lists (one chunk): np.asarray(list of bytes)."""
    group.attrs[name] = np.asarray(data)


def legacy_weight_names(spec, name, major, sequential, cell_suffix=""):
    """Variable names: Keras 2 'lstm/lstm_cell/kernel:0'; Keras 3 variable.path ('sequential/lstm/lstm_cell/kernel'
    when built inside Sequential.build, 'lstm/lstm_cell/kernel' in a functional model)."""
    k = spec["kind"]
    pre = "sequential/" if (major == 3 and sequential) else ""
    tail = ":0" if major == 2 else ""

    def rnn(prefix, kind, suffix):
        cell = kind + "_cell" + suffix
        return [f"{prefix}/{cell}/{v}{tail}" for v in ("kernel", "recurrent_kernel", "bias")]
    if k in ("lstm", "gru"):
        return rnn(pre + name, k, cell_suffix)
    if k == "bidi":
        inner = spec["layer"]["kind"]
        base = spec.get("inner_name", AUTONAME[inner])
        return (rnn(f"{pre}{name}/forward_{base}", inner, cell_suffix)
                + rnn(f"{pre}{name}/backward_{base}", inner, cell_suffix))
    if k == "dense" or k == "conv1d":
        return [f"{pre}{name}/kernel{tail}", f"{pre}{name}/bias{tail}"]
    if k == "custom":
        return [f"{pre}{name}/kernel{tail}"]
    if k == "td_dense":
        if major == 2:
            return [f"{name}/kernel:0", f"{name}/bias:0"]
        inner = spec.get("inner_name", "dense")
        return [f"{pre}{name}/{inner}/kernel", f"{pre}{name}/{inner}/bias"]
    return []


def write_legacy_h5(path, m, names, weights, input_name, major, cfg):
    """legacy save_model_to_hdf5 (include_optimizer with an uncompiled model: no training_config)."""
    version = K3_VERSION if major == 3 else K2_VERSION
    sequential = not m.get("functional", False)
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(cfg).encode("utf8")
        g = f.create_group("model_weights")
        layer_list = [(input_name, None, [])] if not sequential else []
        layer_list += list(zip(names, m["layers"], weights))
        save_attr_list(g, "layer_names", [n.encode("utf8") for n, _, _ in layer_list])
        g.attrs["backend"] = "tensorflow".encode("utf8")
        g.attrs["keras_version"] = version.encode("utf8")
        counter = {}
        suffix_of = {}
        for n, spec, w in layer_list:
            if spec is not None and spec["kind"] in ("lstm", "gru") and m.get("k2_unique_cells") and major == 2:
                i = counter.get(spec["kind"], 0)
                counter[spec["kind"]] = i + 1
                suffix_of[n] = "" if i == 0 else f"_{i}"
        for n, spec, w in sorted(layer_list, key=lambda e: e[0]):
            lg = g.create_group(n)
            wn = [] if spec is None else legacy_weight_names(spec, n, major, sequential, suffix_of.get(n, ""))
            save_attr_list(lg, "weight_names", [s.encode("utf8") for s in wn])
            for s, a in zip(wn, w):
                d = lg.create_dataset(s, a.shape, dtype=a.dtype)
                d[...] = a
        tg = g.create_group("top_level_model_weights")
        save_attr_list(tg, "weight_names", [])
        if m.get("compiled"):
            write_training_state(f, major, [(s, a) for n, spec, w in layer_list if spec is not None
                                            for s, a in zip(legacy_weight_names(spec, n, major, sequential,
                                                                                suffix_of.get(n, "")), w)])


def write_training_state(f, major, variables):
    """A compiled model (Adam, mse, mae): training_config attribute and optimizer_weights group (iteration, then
    first and second moments of every trainable variable) as save_optimizer_weights_to_hdf5_group writes them.
    Readers must ignore both."""
    adam = {"name": "Adam" if major == 2 else "adam", "learning_rate": 0.001, "weight_decay": None,
            "clipnorm": None, "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
            "ema_overwrite_frequency": None, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}
    if major == 2:
        adam.update({"jit_compile": False, "is_legacy_optimizer": False})
        metrics = [[{"class_name": "MeanMetricWrapper",
                     "config": {"name": "mae", "dtype": "float32", "fn": "mean_absolute_error"}}]]
        opt = {"class_name": "Custom>Adam", "config": adam}
    else:
        metrics = ["mae"]
        opt = {"class_name": "Adam", "config": adam}
    tc = {"loss": "mse", "metrics": metrics, "weighted_metrics": None, "loss_weights": None,
          "optimizer_config": opt}
    f.attrs["training_config"] = json.dumps(tc).encode("utf8")
    og = f.create_group("optimizer_weights")
    if major == 2:
        names = ["iteration:0"] + [f"Adam/{mv}/{s}" for mv in ("m", "v") for s, _ in variables]
    else:
        names = ["adam/iteration", "adam/learning_rate"] + [
            f"adam/{s.replace('/', '_')}_{mv}" for s, _ in variables for mv in ("momentum", "velocity")]
    save_attr_list(og, "weight_names", [n.encode("utf8") for n in names])
    shapes = [a for _, a in variables]
    if major == 2:
        values = [np.array(120, np.int64)] + [np.zeros_like(a) for _ in (0, 1) for a in shapes]
    else:
        values = [np.array(120, np.int64), np.array(0.001, np.float32)] + [
            np.zeros_like(a) for a in shapes for _ in (0, 1)]
    for n, v in zip(names, values):
        d = og.create_dataset(n, v.shape, dtype=v.dtype)
        d[()] = v


def keras_zip_bytes(cfg, weights_writer, metadata=None, skip=(), entry_order=None):
    bio = io.BytesIO()
    with h5py.File(bio, "w") as h5:
        weights_writer(h5)
    h5_bytes = bio.getvalue()
    meta = metadata or {"keras_version": K3_VERSION, "date_saved": "2026-01-01@00:00:00"}
    entries = [("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(cfg).encode()),
               ("model.weights.h5", h5_bytes)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries:
            if name in skip:
                continue
            zf.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------------------------
# The model catalogue.

def L(units, seq=False, act="tanh", ract="sigmoid", **kw):
    return {"kind": "lstm", "units": units, "seq": seq, "act": act, "ract": ract, **kw}


def G(units, seq=False, act="tanh", ract="sigmoid", reset_after=True, **kw):
    return {"kind": "gru", "units": units, "seq": seq, "act": act, "ract": ract, "reset_after": reset_after, **kw}


def D(units, act="linear"):
    return {"kind": "dense", "units": units, "act": act}


def DO(rate=0.3):
    return {"kind": "dropout", "rate": rate}


def B(layer, merge="concat"):
    return {"kind": "bidi", "layer": layer, "merge": merge}


VALID = [
    dict(name="lstm_stack_tanh", T=5, F=3, layers=[L(4, True), DO(), L(3), DO(0.5), D(4, "relu"), D(1)],
         what="LSTM(seq)-Dropout-LSTM-Dropout-Dense(relu)-Dense(1), tanh cells; compiled (Adam state in .h5)",
         k2_unique_cells=True, compiled=True),
    dict(name="gru_stack_tanh", T=5, F=3, layers=[G(4, True), DO(), G(3), DO(), D(3, "relu"), D(1)],
         what="GRU(seq, reset_after)-Dropout-GRU-Dropout-Dense(relu)-Dense(1), tanh cells; compiled",
         compiled=True),
    dict(name="lstm_relu", T=4, F=2, layers=[L(3, act="relu"), D(1)], what="LSTM(relu), last step, Dense(1)"),
    dict(name="gru_relu_reset_before", T=4, F=3, layers=[G(3, act="relu", reset_after=False), D(1, "sigmoid")],
         what="GRU(relu, reset_after=False) - Dense(sigmoid)"),
    dict(name="gru_hard_sigmoid", T=6, F=2,
         layers=[G(4, True, ract="hard_sigmoid"), G(2, ract="hard_sigmoid", reset_after=False), D(3, "softmax")],
         what="GRU stacks with recurrent_activation hard_sigmoid (both reset_after), Dense(3, softmax)"),
    dict(name="lstm_hard_sigmoid_softmax", T=5, F=4, layers=[L(5, ract="hard_sigmoid"), D(4, "softmax")],
         what="LSTM with recurrent_activation hard_sigmoid, Dense(4, softmax)"),
    dict(name="bidi_lstm_concat_sum", T=5, F=3,
         layers=[B(L(3, True), "concat"), B(L(2), "sum"), D(1)],
         what="Bidirectional(LSTM seq, concat) - Bidirectional(LSTM last, sum) - Dense"),
    dict(name="bidi_gru_ave_mul", T=4, F=2,
         layers=[B(G(3, True), "ave"), B(G(2, reset_after=False), "mul"), D(2, "tanh")],
         what="Bidirectional(GRU seq, ave) - Bidirectional(GRU reset_after=False last, mul) - Dense(tanh)"),
    dict(name="bidi_lstm_seq_out", T=4, F=3, layers=[B(L(2, True), "mul"), B(G(2, True), "sum")],
         what="Bidirectional(LSTM seq, mul) - Bidirectional(GRU seq, sum): sequence output"),
    dict(name="timedistributed_dense", T=5, F=3, layers=[L(4, True), {"kind": "td_dense", "units": 2, "act": "tanh"}],
         what="LSTM(seq) - TimeDistributed(Dense(2, tanh)): sequence output"),
    dict(name="dense_between_rnn", T=5, F=3, layers=[G(4, True), D(3, "relu"), L(2), D(1)],
         what="GRU(seq) - Dense(relu) on every step - LSTM - Dense"),
    dict(name="flatten_head", T=3, F=2, layers=[L(3, True), {"kind": "flatten"}, D(2)],
         what="LSTM(seq) - Flatten - Dense(2)"),
    dict(name="spatial_dropout", T=4, F=3, layers=[{"kind": "sdrop", "rate": 0.2}, G(3), D(1)],
         what="SpatialDropout1D - GRU - Dense"),
    dict(name="lstm_seq_dense", T=4, F=2, layers=[L(3, True), D(1)],
         what="LSTM(seq) - Dense(1) on every step: sequence output"),
    dict(name="functional_chain", T=5, F=3, functional=True, layers=[L(4, True), DO(), G(3), D(2, "sigmoid")],
         what="Functional model: Input - LSTM(seq) - Dropout - GRU - Dense(2, sigmoid)"),
    dict(name="explicit_input", T=4, F=2, explicit_input=True, layers=[G(3), D(1)],
         what="Sequential with an explicit InputLayer (Keras 2: input_1, no batch_input_shape on the GRU)"),
]


def layer_names(layers):
    used = {}
    return [unique(AUTONAME[s["kind"]], used) for s in layers]


def shapes_of(m, weights_out):
    """Input shape of each layer (with None batch), for build_config and functional nodes."""
    shapes = []
    shape = [None, m["T"], m["F"]]
    for spec, out_dim in zip(m["layers"], weights_out):
        shapes.append(list(shape))
        k = spec["kind"]
        if k in ("lstm", "gru", "bidi"):
            shape = [None, m["T"], out_dim] if returns_sequences(spec) else [None, out_dim]
        elif k in ("dense", "td_dense"):
            shape = shape[:-1] + [out_dim]
        elif k == "conv1d":
            shape = [None, shape[1] - spec["kernel_size"] + 1, out_dim]
        elif k == "custom":
            shape = [None, out_dim]
        elif k == "flatten":
            shape = [None, int(np.prod(shape[1:]))]
    return shapes


def build(m):
    """Random weights (fixed seed from the model's name), each layer's output width, and the input batch."""
    rng = np.random.default_rng(zlib.crc32(m["name"].encode()))
    weights, outs, d = [], [], m["F"]
    for spec in m["layers"]:
        w, d = init_weights(spec, d, rng)
        if spec["kind"] == "flatten":
            d = m["T"] * d  # Flatten after a sequence-returning layer
        weights.append(w)
        outs.append(d)
    x = rng.standard_normal((N_SERIES, m["T"], m["F"])).astype(np.float32)
    return weights, outs, x


def write_expected(path, x, y, version, extra=None):
    doc = {"inputs": x.astype(np.float64).tolist(), "outputs": y.tolist(), "keras_version": version}
    if extra:
        doc.update(extra)
    with open(path + ".expected.json", "w") as f:
        json.dump(doc, f)
        f.write("\n")


def write_valid(m):
    weights, outs, x = build(m)
    names = layer_names(m["layers"])
    shapes = shapes_of(m, outs)
    x64 = x.astype(np.float64)
    written = []
    for major in (3, 2):
        y = forward(m["layers"], weights, x64, major)
        hs = "keras3 clip(x/6+0.5)" if major == 3 else "keras2 clip(0.2x+0.5)"
        extra = {"hard_sigmoid": hs, "description": m["what"]}
        version = K3_VERSION if major == 3 else K2_VERSION
        if major == 3:
            cfg, inp = model_config(m, names, shapes, weights, 3, legacy=False)
            p = os.path.join(OUT, f"k3_{m['name']}.keras")
            with open(p, "wb") as f:
                f.write(keras_zip_bytes(cfg, lambda h5: k3_store(h5, m, names, weights, inp)))
            write_expected(p, x, y, version, extra)
            written.append(p)
            cfg, inp = model_config(m, names, shapes, weights, 3, legacy=True)
            p = os.path.join(OUT, f"k3_{m['name']}.h5")
        else:
            cfg, inp = model_config(m, names, shapes, weights, 2, legacy=True)
            p = os.path.join(OUT, f"k2_{m['name']}.h5")
        write_legacy_h5(p, m, names, weights, inp, major, cfg)
        write_expected(p, x, y, version, extra)
        written.append(p)
    return written


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for m in VALID:
        for p in write_valid(m):
            print(os.path.relpath(p, HERE), os.path.getsize(p))
