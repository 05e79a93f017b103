"""Integrated gradients of a hand-sized model in float64, for IntegratedGradientsConvergenceTests.

Model: y = sigmoid(w . x + b), w = (3, -2), b = 0.5 (a Dense(1, sigmoid) on one step of two features).
Series a = (1.5, -1), b = (-0.5, 0.25); baseline zero. Along the straight path z(alpha) = z0 + alpha (z1 - z0), so
dF/dx_i = w_i sigmoid'(z) and the trapezoid rule on m intervals gives A_i = w_i (x_i - x'_i) T_m with
T_m = (1/m) sum_k c_k sigmoid'(z0 + k/m (z1 - z0)), c_0 = c_m = 1/2, else 1.
The gap is sum_n |sum_i A_ni - (F(x_n) - F(x'_n))| / sum_n |F(x_n) - F(x'_n)|; from m = 1 the step count grows to
m * 2^ceil(log2(gap / 0.01) / 2) (at least 2m) until the gap is at most 1% (or the
tolerance and cap below). Run: python3 ig_convergence.py
"""
import math

w, bias = (3.0, -2.0), 0.5
series = [(1.5, -1.0), (-0.5, 0.25)]


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def dsig(z):
    s = sig(z)
    return s * (1.0 - s)


def attributions(m):
    result = []
    for x in series:
        z1 = w[0] * x[0] + w[1] * x[1] + bias
        z0 = bias
        t = sum((0.5 if k in (0, m) else 1.0) * dsig(z0 + k / m * (z1 - z0)) for k in range(m + 1)) / m
        result.append([w[i] * x[i] * t for i in range(2)])
    return result


def gap(a):
    num = den = 0.0
    for x, an in zip(series, a):
        delta = sig(w[0] * x[0] + w[1] * x[1] + bias) - sig(bias)
        num += abs(sum(an) - delta)
        den += abs(delta)
    return num / den



def run(m, tolerance, cap):
    """The step counts tried and their gaps, from m intervals, until the gap is within tolerance or m reaches cap."""
    while True:
        a = attributions(m)
        g = gap(a)
        print(f"  m = {m}: gap = {g!r}")
        if g <= tolerance or m >= cap:
            return m, a
        m = min(cap, m * 2 ** max(1, math.ceil(math.log2(g / tolerance) / 2)))


for start, tolerance, cap in [(1, 0.01, 512), (2, 1e-3, 512), (4, 0.01, 4), (8, 1e-9, 100)]:
    print(f"start {start}, tolerance {tolerance}, cap {cap}:")
    m, a = run(start, tolerance, cap)
    print("  final m", m)
    print("  A", [[repr(v) for v in an] for an in a])
    print("  scores", [repr((abs(a[0][i]) + abs(a[1][i])) / 2) for i in range(2)])
