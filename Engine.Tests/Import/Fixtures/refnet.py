"""Float64 reference forward passes written from Keras' and ONNX's cell equations (numpy only).

Shapes: x is (N, T, F). Keras kernels are (in, G*H), recurrent kernels (H, G*H), gate blocks along the last axis.
"""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activation(name, keras_major):
    """Keras activation by config name; hard_sigmoid is clip(0.2x+0.5) in Keras 2, clip(x/6+0.5) in Keras 3."""
    if name == "tanh":
        return np.tanh
    if name == "sigmoid":
        return sigmoid
    if name == "relu":
        return lambda x: np.maximum(x, 0.0)
    if name == "linear":
        return lambda x: x
    if name == "hard_sigmoid":
        if keras_major == 2:
            return lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0)
        return lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0)
    if name == "softmax":
        def softmax(x):
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        return softmax
    raise ValueError(name)


def keras_lstm(x, kernel, recurrent, bias, act, ract):
    """Keras LSTM, gate order i, f, c, o along the 4H axis:
    z = x_t K + h_{t-1} R + b; i = ra(z_i); f = ra(z_f); g = a(z_c); o = ra(z_o);
    c_t = f * c_{t-1} + i * g; h_t = o * a(c_t). Returns all h_t, (N, T, H)."""
    n, t_len, _ = x.shape
    hsz = recurrent.shape[0]
    h = np.zeros((n, hsz)); c = np.zeros((n, hsz))
    out = np.zeros((n, t_len, hsz))
    for t in range(t_len):
        z = x[:, t, :] @ kernel + h @ recurrent + bias
        i = ract(z[:, :hsz]); f = ract(z[:, hsz:2 * hsz])
        g = act(z[:, 2 * hsz:3 * hsz]); o = ract(z[:, 3 * hsz:])
        c = f * c + i * g
        h = o * act(c)
        out[:, t, :] = h
    return out


def keras_gru(x, kernel, recurrent, bias, act, ract, reset_after):
    """Keras GRU, gate order z, r, h along the 3H axis.
    reset_after=True (bias (2, 3H): input bias b_i = bias[0], recurrent bias b_r = bias[1]):
      xz, xr, xh = x_t K + b_i; rz, rr, rh = h R + b_r;
      z = ra(xz + rz); r = ra(xr + rr); hh = a(xh + r * rh).
    reset_after=False (bias (3H,)):
      z = ra(x K_z + h R_z + b_z); r = ra(x K_r + h R_r + b_r); hh = a(x K_h + (r * h) R_h + b_h).
    Both: h_t = z * h_{t-1} + (1 - z) * hh. Returns all h_t, (N, T, H)."""
    n, t_len, _ = x.shape
    hsz = recurrent.shape[0]
    h = np.zeros((n, hsz))
    out = np.zeros((n, t_len, hsz))
    for t in range(t_len):
        if reset_after:
            xm = x[:, t, :] @ kernel + bias[0]
            hm = h @ recurrent + bias[1]
            z = ract(xm[:, :hsz] + hm[:, :hsz])
            r = ract(xm[:, hsz:2 * hsz] + hm[:, hsz:2 * hsz])
            hh = act(xm[:, 2 * hsz:] + r * hm[:, 2 * hsz:])
        else:
            xm = x[:, t, :] @ kernel + bias
            z = ract(xm[:, :hsz] + h @ recurrent[:, :hsz])
            r = ract(xm[:, hsz:2 * hsz] + h @ recurrent[:, hsz:2 * hsz])
            hh = act(xm[:, 2 * hsz:] + (r * h) @ recurrent[:, 2 * hsz:])
        h = z * h + (1.0 - z) * hh
        out[:, t, :] = h
    return out


def merge(fwd, bwd, mode):
    """Bidirectional merge: concat [fwd, bwd] on the last axis, sum, ave (fwd + bwd) / 2, mul."""
    if mode == "concat":
        return np.concatenate([fwd, bwd], axis=-1)
    if mode == "sum":
        return fwd + bwd
    if mode == "ave":
        return (fwd + bwd) / 2.0
    if mode == "mul":
        return fwd * bwd
    raise ValueError(mode)


def onnx_lstm_dir(x, w, r, b, h0, c0):
    """ONNX LSTM one direction, x (T, N, F); W (4H, F), R (4H, H), B (8H) = [Wb, Rb]; gate order i, o, f, c:
    i = s(x W_i^T + h R_i^T + Wb_i + Rb_i) ... ; c = f*c + i*tanh(..c..); h = o * tanh(c)."""
    hsz = r.shape[1]
    h = h0.copy(); c = c0.copy()
    out = np.zeros((x.shape[0], x.shape[1], hsz))
    bias = b[:4 * hsz] + b[4 * hsz:]
    for t in range(x.shape[0]):
        z = x[t] @ w.T + h @ r.T + bias
        i = sigmoid(z[:, :hsz]); o = sigmoid(z[:, hsz:2 * hsz])
        f = sigmoid(z[:, 2 * hsz:3 * hsz]); g = np.tanh(z[:, 3 * hsz:])
        c = f * c + i * g
        h = o * np.tanh(c)
        out[t] = h
    return out, h, c


def onnx_gru_dir(x, w, r, b, h0, linear_before_reset):
    """ONNX GRU one direction, x (T, N, F); W (3H, F), R (3H, H), B (6H) = [Wb, Rb]; gate order z, r, h:
    z = s(x W_z^T + h R_z^T + Wb_z + Rb_z); r likewise;
    linear_before_reset=1: hh = tanh(x W_h^T + Wb_h + r * (h R_h^T + Rb_h)),
    else hh = tanh(x W_h^T + (r * h) R_h^T + Rb_h + Wb_h); h = (1 - z) * hh + z * h."""
    hsz = r.shape[1]
    h = h0.copy()
    out = np.zeros((x.shape[0], x.shape[1], hsz))
    wb, rb = b[:3 * hsz], b[3 * hsz:]
    for t in range(x.shape[0]):
        xm = x[t] @ w.T + wb
        z = sigmoid(xm[:, :hsz] + h @ r[:hsz].T + rb[:hsz])
        rr = sigmoid(xm[:, hsz:2 * hsz] + h @ r[hsz:2 * hsz].T + rb[hsz:2 * hsz])
        if linear_before_reset:
            hh = np.tanh(xm[:, 2 * hsz:] + rr * (h @ r[2 * hsz:].T + rb[2 * hsz:]))
        else:
            hh = np.tanh(xm[:, 2 * hsz:] + (rr * h) @ r[2 * hsz:].T + rb[2 * hsz:])
        h = (1.0 - z) * hh + z * h
        out[t] = h
    return out, h
