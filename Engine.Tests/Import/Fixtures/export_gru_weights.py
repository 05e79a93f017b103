"""Copies the weights and layer configs of GRU fixtures (Keras 2.14 and 3) into small JSON files next to them
(<file>.weights.json), so the GRU layer's prediction tests read them without an HDF5 reader.
Run with Debian's /usr/bin/python3 (python3-h5py); deterministic: rerunning rewrites identical files."""
import json
import h5py

FILES = ["k2_gru_relu_reset_before.h5", "k2_gru_hard_sigmoid.h5", "k2_gru_stack_tanh.h5", "k3_gru_hard_sigmoid.h5"]
KEYS = ["units", "activation", "recurrent_activation", "return_sequences", "reset_after"]

for name in FILES:
    path = "keras/" + name
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        weights = f["model_weights"]
        layers = []
        for layer in config["config"]["layers"]:
            cls, cfg = layer["class_name"], layer["config"]
            if cls in ("InputLayer", "Dropout"):
                continue  # Dropout is the identity at inference
            group = weights[cfg["name"]]
            tensors = []
            for wname in group.attrs["weight_names"]:
                data = group[wname][()]
                tensors.append({"name": wname.decode(), "shape": list(data.shape),
                                "values": [float(v) for v in data.astype("float32").ravel()]})
            layers.append({"class_name": cls, "config": {k: cfg[k] for k in KEYS if k in cfg}, "weights": tensors})
    with open(path + ".weights.json", "w") as out:
        json.dump({"source": name, "layers": layers}, out, indent=1)
        out.write("\n")
