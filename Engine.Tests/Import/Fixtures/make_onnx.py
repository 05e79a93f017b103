#!/usr/bin/python3
"""Real ONNX exports (torch.onnx.export, opset 14) of nn.LSTM / nn.GRU models with an nn.Linear head, and their
references: torch's own float32 output and a float64 recomputation. The float64 output is computed twice, each way
independent of the other, and the two must agree within 1e-12: (a) by a small float64 interpreter of the exported
graph (the ops the exporter emits, ONNX LSTM i,o,f,c / GRU z,r,h from refnet.py) reading the file's initializers;
(b) from the torch parameters through refnet's Keras-form equations (torch i,f,g,o == Keras i,f,c,o; torch GRU
r,z,n -> Keras z,r,h with reset_after=True). Each file passes onnx.checker. Writes onnx/<name>.onnx and
onnx/<name>.onnx.expected.json. With --bad: the ONNX files to refuse, refused/onnx_* and malformed/onnx_*."""
import io
import json
import os
import sys
import warnings

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import refnet

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "onnx")
OPSET = 14
N, T, F, H, O = 4, 5, 3, 4, 2


class Net(torch.nn.Module):
    """nn.LSTM/nn.GRU then nn.Linear on the last step (head='last') or on every step (head='every')."""

    def __init__(self, cell, layers, batch_first, bidirectional, head):
        super().__init__()
        self.rnn = getattr(torch.nn, cell)(F, H, layers, batch_first=batch_first, bidirectional=bidirectional)
        self.head = torch.nn.Linear(H * (2 if bidirectional else 1), O)
        self.batch_first, self.mode = batch_first, head

    def forward(self, x):
        y, _ = self.rnn(x)
        if self.mode == "last":
            y = y[:, -1] if self.batch_first else y[-1]
        return self.head(y)


# ----------------------------------------------------------------------------------------------------------------
# (a) float64 interpreter of the exported graph.

def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model, x):
    env = {i.name: numpy_helper.to_array(i).astype(np.float64) if i.data_type == onnx.TensorProto.FLOAT
           else numpy_helper.to_array(i) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    env[""] = None
    for node in model.graph.node:
        a = attrs(node)
        ins = [env[i] for i in node.input]
        op = node.op_type
        if op == "Constant":
            v = numpy_helper.to_array(a["value"])
            out = [v.astype(np.float64) if v.dtype == np.float32 else v]
        elif op == "Shape":
            out = [np.array(ins[0].shape, dtype=np.int64)]
        elif op == "Gather":
            out = [np.take(ins[0], ins[1], axis=a.get("axis", 0))]
        elif op == "Unsqueeze":
            out = [np.expand_dims(ins[0], tuple(int(v) for v in ins[1]))]
        elif op == "Squeeze":
            out = [np.squeeze(ins[0], axis=tuple(int(v) for v in ins[1]))]
        elif op == "Concat":
            out = [np.concatenate(ins, axis=a["axis"])]
        elif op == "ConstantOfShape":
            val = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            out = [np.full(tuple(ins[0]), val.astype(np.float64 if val.dtype == np.float32 else val.dtype)[0])]
        elif op == "Expand":
            out = [ins[0] * np.ones(tuple(ins[1]), dtype=ins[0].dtype)]
        elif op == "Transpose":
            out = [np.transpose(ins[0], a["perm"])]
        elif op == "Reshape":
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(ins[1])]
            out = [ins[0].reshape(shape)]
        elif op == "Slice":
            data, starts, ends = ins[0], ins[1], ins[2]
            axes = ins[3] if len(ins) > 3 and ins[3] is not None else range(len(starts))
            steps = ins[4] if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
            sl = [slice(None)] * data.ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(s), int(e), int(st))
            out = [data[tuple(sl)]]
        elif op == "Gemm":
            b = ins[1].T if a.get("transB", 0) else ins[1]
            out = [a.get("alpha", 1.0) * (ins[0] @ b) + a.get("beta", 1.0) * ins[2]]
        elif op == "MatMul":
            out = [ins[0] @ ins[1]]
        elif op == "Add":
            out = [ins[0] + ins[1]]
        elif op in ("LSTM", "GRU"):
            out = run_rnn(op, a, ins)
        else:
            raise ValueError(f"op {op} not interpreted")
        for name, v in zip(node.output, out):
            env[name] = v
    return env[model.graph.output[0].name]


def run_rnn(op, a, ins):
    """ONNX LSTM/GRU: X (T, N, F), W (D, GH, F), R (D, GH, H), B (D, 2GH), [seq_lens], h0 (D, N, H)[, c0].
    Outputs Y (T, D, N, H), Y_h (D, N, H)[, Y_c]. Direction 'reverse' runs on the reversed sequence and stores Y
    in original time order."""
    x, w, r, b = ins[0], ins[1], ins[2], ins[3]
    dirs = 2 if a.get("direction", b"forward") == b"bidirectional" else 1
    hsz = a["hidden_size"]
    assert ins[4] is None
    h0 = ins[5] if len(ins) > 5 and ins[5] is not None else np.zeros((dirs, x.shape[1], hsz))
    c0 = ins[6] if len(ins) > 6 and ins[6] is not None else np.zeros((dirs, x.shape[1], hsz))
    ys, hs, cs = [], [], []
    for d in range(dirs):
        xd = x if d == 0 else x[::-1]
        if op == "LSTM":
            y, h, c = refnet.onnx_lstm_dir(xd, w[d], r[d], b[d], h0[d], c0[d])
            cs.append(c)
        else:
            y, h = refnet.onnx_gru_dir(xd, w[d], r[d], b[d], h0[d], a.get("linear_before_reset", 0))
        ys.append(y if d == 0 else y[::-1])
        hs.append(h)
    out = [np.stack(ys, axis=1), np.stack(hs)]
    if op == "LSTM":
        out.append(np.stack(cs))
    return out


# ----------------------------------------------------------------------------------------------------------------
# (b) float64 from the torch parameters, Keras-form equations.

def torch_params_forward(net, x_ntf):
    """x (N, T, F) float64 -> output in (N, O) or (N, T, O)."""
    p = {k: v.detach().double().numpy() for k, v in net.state_dict().items()}
    rnn = net.rnn
    dirs = 2 if rnn.bidirectional else 1
    hsz = rnn.hidden_size
    perm = np.r_[hsz:2 * hsz, 0:hsz, 2 * hsz:3 * hsz]
    y = x_ntf
    for layer in range(rnn.num_layers):
        outs = []
        for d in range(dirs):
            s = f"_l{layer}" + ("_reverse" if d else "")
            wi, wh, bi, bh = p["rnn.weight_ih" + s], p["rnn.weight_hh" + s], p["rnn.bias_ih" + s], p["rnn.bias_hh" + s]
            xin = y if d == 0 else y[:, ::-1]
            if isinstance(rnn, torch.nn.LSTM):
                o = refnet.keras_lstm(xin, wi.T, wh.T, bi + bh, np.tanh, refnet.sigmoid)
            else:
                o = refnet.keras_gru(xin, wi[perm].T, wh[perm].T, np.stack([bi[perm], bh[perm]]), np.tanh,
                                     refnet.sigmoid, True)
            outs.append(o if d == 0 else o[:, ::-1])
        y = np.concatenate(outs, axis=-1)
    if net.mode == "last":
        y = y[:, -1]
    return y @ p["head.weight"].T + p["head.bias"]


CASES = []
for cell in ("LSTM", "GRU"):
    for bidi in (False, True):
        for layers in (1, 2):
            for bf in (True, False):
                CASES.append((cell, layers, bf, bidi, "last"))
CASES += [("LSTM", 1, True, False, "every"), ("GRU", 2, False, True, "every")]


def case_name(cell, layers, bf, bidi, head):
    return (f"torch_{cell.lower()}_{'bi' if bidi else 'uni'}_l{layers}_"
            f"{'batchfirst' if bf else 'timefirst'}_{head}")


def main():
    os.makedirs(OUT, exist_ok=True)
    warnings.filterwarnings("ignore")
    worst_ab, worst_t32 = 0.0, 0.0
    for idx, (cell, layers, bf, bidi, head) in enumerate(CASES):
        name = case_name(cell, layers, bf, bidi, head)
        torch.manual_seed(1000 + idx)
        net = Net(cell, layers, bf, bidi, head).eval()
        rng = np.random.default_rng(2000 + idx)
        x_ntf = rng.standard_normal((N, T, F)).astype(np.float32)
        x_in = x_ntf if bf else x_ntf.transpose(1, 0, 2).copy()
        dynamic = bf  # batch-first exports get dynamic batch/time axes; time-first ones static shapes
        axes = None
        if dynamic:
            axes = {"input": {0: "batch", 1: "time"}, "output": {0: "batch"} if head == "last"
                    else {0: "batch", 1: "time"}}
        buf = io.BytesIO()
        with torch.no_grad():
            y32 = net(torch.tensor(x_in)).numpy()
            torch.onnx.export(net, torch.tensor(x_in), buf, opset_version=OPSET, input_names=["input"],
                              output_names=["output"], dynamic_axes=axes)
        model = onnx.load_from_string(buf.getvalue())
        onnx.checker.check_model(model, full_check=True)
        ya = run_graph(model, x_in.astype(np.float64))
        yb = torch_params_forward(net, x_ntf.astype(np.float64))
        if head == "every" and not bf:
            ya, y32 = ya.transpose(1, 0, 2), y32.transpose(1, 0, 2)
        d_ab = float(np.max(np.abs(ya - yb)))
        d_32 = float(np.max(np.abs(ya - y32)))
        worst_ab, worst_t32 = max(worst_ab, d_ab), max(worst_t32, d_32)
        path = os.path.join(OUT, name + ".onnx")
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        doc = {"inputs": x_ntf.astype(np.float64).tolist(), "outputs": ya.tolist(),
               "outputs_torch_float32": y32.astype(np.float64).tolist(),
               "graph_input_layout": "NTF" if bf else "TNF",
               "graph_output_layout": ("NO" if head == "last" else ("NTO" if bf else "TNO")),
               "dynamic_axes": dynamic, "opset": OPSET, "torch_version": torch.__version__,
               "description": f"torch.nn.{cell}(F={F}, H={H}, num_layers={layers}, batch_first={bf}, "
                              f"bidirectional={bidi}) + nn.Linear({H * (2 if bidi else 1)}, {O}) on "
                              f"{'the last step' if head == 'last' else 'every step'}"}
        with open(path + ".expected.json", "w") as f:
            json.dump(doc, f)
            f.write("\n")
        ops = sorted({n.op_type for n in model.graph.node})
        print(f"{name}.onnx {len(buf.getvalue())} B  graph-vs-params {d_ab:.1e}  float64-vs-torch32 {d_32:.1e}"
              f"  ops {','.join(ops)}")
    print(f"worst: graph vs params {worst_ab:.3e}, float64 vs torch float32 {worst_t32:.3e}")
    if worst_ab > 1e-12 or worst_t32 > 1e-5:
        sys.exit(1)


if __name__ == "__main__" and "--bad" not in sys.argv:
    main()


# ----------------------------------------------------------------------------------------------------------------
# ONNX files the reader must refuse (exit 1, one line): refused/onnx_*.onnx, malformed/onnx_*.onnx.

class ConvNet(torch.nn.Module):
    """nn.Conv1d over time, then nn.LSTM and nn.Linear: the Conv node is unsupported."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(F, 4, 2)
        self.rnn = torch.nn.LSTM(4, H, batch_first=True)
        self.head = torch.nn.Linear(H, O)

    def forward(self, x):
        y = self.conv(x.transpose(1, 2)).transpose(1, 2)
        y, _ = self.rnn(y)
        return self.head(y[:, -1])


def export_bytes(net, x):
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(net, x, buf, opset_version=OPSET, input_names=["input"], output_names=["output"])
    return buf.getvalue()


def write_bad(folder, name, data):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    path = os.path.join(HERE, folder, name)
    with open(path, "wb") as f:
        f.write(data)
    print(os.path.relpath(path, HERE), len(data))


def bad_files():
    torch.manual_seed(3000)
    x = torch.tensor(np.random.default_rng(3000).standard_normal((N, T, F)).astype(np.float32))
    write_bad("refused", "onnx_refused_conv1d.onnx", export_bytes(ConvNet().eval(), x))
    good = export_bytes(Net("LSTM", 1, True, False, "last").eval(), x)
    write_bad("malformed", "onnx_truncated.onnx", good[: len(good) * 6 // 10])
    # The LSTM's W initializer claims dims (2^31, 2^31, 3): 2^62 * 3 floats, while its raw_data stays small.
    model = onnx.load_from_string(good)
    lstm = next(n for n in model.graph.node if n.op_type == "LSTM")
    w = next(i for i in model.graph.initializer if i.name == lstm.input[1])
    del w.dims[:]
    w.dims.extend([2 ** 31, 2 ** 31, F])
    write_bad("malformed", "onnx_huge_tensor_dims.onnx", model.SerializeToString())
    # The LSTM's R initializer keeps its data in an external file (must not be opened).
    model = onnx.load_from_string(good)
    r = next(i for i in model.graph.initializer if i.name == lstm.input[2])
    r.ClearField("raw_data")
    r.data_location = onnx.TensorProto.EXTERNAL
    for k, v in (("location", "../../../../etc/passwd"), ("offset", "0"), ("length", str(4 * H * 4 * H))):
        e = r.external_data.add()
        e.key, e.value = k, v
    write_bad("malformed", "onnx_external_data.onnx", model.SerializeToString())
    write_bad("malformed", "onnx_not_protobuf.onnx", b"\x08\x07\x12\x07pytorch" + b"\xff" * 64)


if __name__ == "__main__" and "--bad" in sys.argv:
    bad_files()
