#!/usr/bin/python3
"""Extra ONNX fixtures for OnnxReaderTests (the ONNX reader's own variants; the main set is the fixtures script's).

Run with Debian's python3-torch (1.13) and python3-onnx from this folder:  /usr/bin/python3 onnx_extra.py
Writes onnx_extra_<name>.onnx and onnx_extra_<name>.expected.json: {"inputs": the float32 input as given to torch
((N, T, F) when batch_first, else (T, N, F)), "outputs": torch's float32 output, "outputs64": the same model run in
float64 on the same inputs, "batch_first", "opset", "torch": the model's state_dict (torch layout and gate
order: LSTM i, f, g, o; GRU r, z, n)}. Models refused by the reader have no .json.
"""
import json
import torch
import onnx

torch.manual_seed(20261203)
F, T, N = 3, 6, 3


class Net(torch.nn.Module):
    def __init__(self, cell, hidden, layers, bidir, batch_first, head, out=2):
        super().__init__()
        rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
        self.rnn = rnn(F, hidden, num_layers=layers, bidirectional=bidir, batch_first=batch_first)
        width = hidden * (2 if bidir else 1) * (T if head in ("flatten", "reshape") else 1)
        self.head = head
        self.batch_first = batch_first
        self.fc = torch.nn.Linear(width, out)
        if head == "hn-relu":                            # keep the ReLU alive: a dead one would hide the LSTMs
            with torch.no_grad():
                self.fc.bias.fill_(0.5)
            self.fc2 = torch.nn.Linear(out, 1)

    def forward(self, x):
        y, h = self.rnn(x)
        if isinstance(h, tuple):
            h = h[0]
        if self.head == "last":                          # Linear on out[:, -1] / out[-1]
            return self.fc(y[:, -1, :] if self.batch_first else y[-1])
        if self.head == "seq":                           # Linear on every step
            return self.fc(y)
        if self.head == "seq-slice":                     # out[:, -1:, :] then Linear, squeezed
            return self.fc(y[:, -1:, :]).squeeze(1)
        if self.head == "hn-bidir":                      # cat(h_n[-2], h_n[-1]), sigmoid
            return torch.sigmoid(self.fc(torch.cat((h[-2], h[-1]), dim=1)))
        if self.head == "hn-squeeze":                    # h_n.squeeze(0) of one layer
            return self.fc(h.squeeze(0))
        if self.head == "flatten":                       # every step's features side by side, one Linear
            return self.fc(torch.flatten(y, 1))
        if self.head == "reshape":                       # the same through reshape
            return self.fc(y.reshape(y.shape[0], -1))
        if self.head == "seq-softmax":                   # Linear + softmax on every step
            return torch.softmax(self.fc(y), dim=-1)
        if self.head == "hn-relu":                       # h_n[-1] -> Linear -> ReLU -> Linear
            return self.fc2(torch.relu(self.fc(h[-1])))
        raise ValueError(self.head)


class WithH0(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(F, 4, batch_first=True)
        self.h0 = torch.nn.Parameter(torch.randn(1, 1, 4))

    def forward(self, x):
        return self.rnn(x, self.h0.expand(1, x.shape[0], 4).contiguous())[0]


class WithConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(F, F, 1)
        self.rnn = torch.nn.LSTM(F, 4, batch_first=True)

    def forward(self, x):
        return self.rnn(self.conv(x.transpose(1, 2)).transpose(1, 2))[0]


def export(name, model, batch_first=True, dynamic=False, opset=14, reference=True):
    model.eval()
    x = torch.randn(N, T, F) if batch_first else torch.randn(T, N, F)
    kw = {}
    if dynamic:
        kw["dynamic_axes"] = {"x": {0 if batch_first else 1: "batch"}}
    path = f"onnx_extra_{name}.onnx"
    torch.onnx.export(model, x, path, input_names=["x"], output_names=["y"], opset_version=opset, **kw)
    onnx.checker.check_model(onnx.load(path))
    if not reference:
        return
    with torch.no_grad():
        y = model(x)
        y64 = model.double()(x.double())
    with open(f"onnx_extra_{name}.expected.json", "w") as f:
        json.dump({"inputs": x.tolist(), "outputs": y.tolist(), "outputs64": y64.tolist(),
                   "batch_first": batch_first, "opset": opset,
                   "torch": {k: v.tolist() for k, v in model.state_dict().items()}}, f)


export("lstm_last", Net("lstm", 5, 1, False, True, "last"))
export("lstm2_bidir_seq", Net("lstm", 4, 2, True, True, "seq"), dynamic=True)
export("gru2_tm_last", Net("gru", 4, 2, False, False, "last"), batch_first=False, dynamic=True)
export("gru_bidir_hn", Net("gru", 4, 1, True, True, "hn-bidir"))
export("lstm2_hn_relu", Net("lstm", 4, 2, False, True, "hn-relu", out=6), opset=11)
export("gru_tm_seq", Net("gru", 5, 1, False, False, "seq"), batch_first=False)
export("lstm_slice", Net("lstm", 4, 1, False, True, "seq-slice"), dynamic=True)
export("lstm_bidir_last", Net("lstm", 4, 1, True, True, "last"))
export("gru_hn_squeeze", Net("gru", 4, 1, False, True, "hn-squeeze"))
export("gru_flatten", Net("gru", 3, 1, False, True, "flatten"))
export("lstm_bidir_reshape", Net("lstm", 3, 1, True, True, "reshape"))
export("gru_seq_softmax", Net("gru", 4, 1, False, True, "seq-softmax", out=3), opset=11)
# Refused by the reader (no reference):
export("refused_h0", WithH0(), reference=False)
export("refused_conv", WithConv(), reference=False)
