#!/usr/bin/python3
"""Merges a BenchmarkDotNet run (JSON full reports) and a peer.py run into docs/PERFORMANCE.md.

Replaces the text between '<!-- compare:begin -->' and '<!-- compare:end -->' with: the date, the machine
line, the commands, the side-by-side table W1..W4 + sgemm with ratios and targets, the W5 scaling table
with fitted exponents, and an SVG plot of W5 (docs/perf-w5.svg).
"""
import argparse, datetime, glob, json, math, os, platform, re, subprocess


def engine_figures(bdn_dir):
    figs, alloc = {}, {}
    for path in glob.glob(os.path.join(bdn_dir, "**", "*-report-full.json"), recursive=True):
        for b in json.load(open(path))["Benchmarks"]:
            stats = b.get("Statistics")
            if not stats:
                continue
            key = f"{b['Type']}.{b['Method']}" + (f"({b['Parameters']})" if b.get("Parameters") else "")
            figs[key] = stats["Median"] / 1e3  # ns -> us
            alloc[key] = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
    return figs, alloc


def fmt_us(us):
    if us is None:
        return "-"
    return f"{us / 1e3:,.2f} ms" if us >= 1000 else f"{us:,.2f} µs"


def fit_exponent(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / den if den else float("nan")


def svg_plot(series, path, xlabel):
    """A small log-log line plot: series = {name: [(x, y_us), ...]}."""
    pts = [p for s in series.values() for p in s]
    if not pts:
        return
    lx = [math.log10(x) for x, _ in pts]
    ly = [math.log10(y) for _, y in pts]
    x0, x1, y0, y1 = min(lx), max(lx), min(ly), max(ly)
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1
    W, H, M = 560, 360, 60
    sx = lambda v: M + (math.log10(v) - x0) / (x1 - x0) * (W - 2 * M)
    sy = lambda v: H - M - (math.log10(v) - y0) / (y1 - y0) * (H - 2 * M)
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<line x1="{M}" y1="{H - M}" x2="{W - M}" y2="{H - M}" stroke="black"/><line x1="{M}" y1="{M}" x2="{M}" y2="{H - M}" stroke="black"/>',
           f'<text x="{W / 2}" y="{H - 15}" text-anchor="middle">{xlabel} (log)</text>',
           f'<text x="15" y="{H / 2}" transform="rotate(-90 15 {H / 2})" text-anchor="middle">train step time (log)</text>']
    for i, (name, s) in enumerate(series.items()):
        s = sorted(s)
        c = colors[i % len(colors)]
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="' + " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s) + '"/>')
        for x, y in s:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{c}"/><text x="{sx(x) + 4:.1f}" y="{sy(y) - 6:.1f}" fill="{c}">{fmt_us(y)}</text>')
        out.append(f'<text x="{M + 10}" y="{M + 15 * i}" fill="{c}">{name}</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bdn", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--peer-w6", default=None, help="w6_peer.py's JSON (W6 rows get a peer column)")
    ap.add_argument("--doc", required=True)
    ap.add_argument("--engine-command", required=True)
    ap.add_argument("--peer-command", required=True)
    a = ap.parse_args()
    eng, alloc = engine_figures(a.bdn)
    peer = json.load(open(a.peer))
    pf, info = peer["figures"], peer["peer"]

    def e(key):
        return eng.get(key)

    def row(name, ekey, pkey, target=None, target_us=None, note=""):
        ev, pv = e(ekey), pf.get(pkey) if pkey else None
        ratio = f"{pv / ev:,.1f}x" if ev and pv else "-"
        met = "" if target_us is None or ev is None else ("met" if ev <= target_us else f"not met ({ev / target_us:.2f}x the target)")
        al = alloc.get(ekey)
        return f"| {name} | {fmt_us(ev)} | {'-' if al is None else f'{al:,} B'} | {fmt_us(pv)} | {ratio} | {target or '-'} {met} | {note} |"

    mm = lambda n: f"MatMulBenchmarks.MatMulAB(N={n})"
    lines = []
    cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"], capture_output=True, text=True).stdout.strip()
    lines += [f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on `{cpu}`, {os.cpu_count()} cores, {platform.system()} {platform.release()};"
              f" peer: PyTorch {info['torch']}, NumPy {info['numpy']}, Python {info['python']}, OpenBLAS kernel **{info['openblas']['core']}**"
              f" (`{info['openblas']['library']}`, OPENBLAS_CORETYPE={info['OPENBLAS_CORETYPE']}).", "",
              f"- engine: `{a.engine_command}`", f"- peer: `{a.peer_command}`", "",
              "| workload | engine median | engine alloc/op | PyTorch peer | peer / engine | target | note |",
              "|---|---:|---:|---:|---:|---|---|"]
    lines.append(row("W1 train step, 1 thread", "W1ReferenceTrainStep.TrainStep", "W1 train step (exact relu model, cell loop) 1t", "≤ 8 µs", 8, "peer: exact relu model, Python cell loop"))
    lines.append(row("W1 train step, 1 thread (peer nn.LSTM tanh)", "W1ReferenceTrainStep.TrainStep", "W1 train step (nn.LSTM tanh) 1t", "", None, "peer: PyTorch's built-in nn.LSTM (tanh instead of relu)"))
    lines.append(row("W2 train step, 1 thread", "W2LargeTrainStep.TrainStep(Threads=1)", "W2 train step 1t", "≤ 150 ms", 150e3))
    lines.append(row("W2 train step, 2 threads", "W2LargeTrainStep.TrainStep(Threads=2)", "W2 train step 2t", "≤ 90 ms", 90e3))
    lines.append(row("W3 forward, batch 1, 1 thread", "W3LatencyForward.Forward(Threads=1)", "W3 forward 1t", "≤ 0.5 ms", 500))
    lines.append(row("W3 forward, batch 1, 2 threads", "W3LatencyForward.Forward(Threads=2)", "W3 forward 2t", "≤ 0.5 ms", 500,
                     "engine: each layer's units split between the two cores, a barrier per step; peer: torch.set_num_threads(2)"))
    lines.append(row("W4 noise perturbation, 250 series", "W4Importance.NoisePerturbationScores", "W4 noise perturbation 1t", "", None, "the demo's reference method (the peer implements only this one)"))
    for key in sorted(k for k in eng if k.startswith("W4ImportanceMethods")):
        method = re.search(r"Method=([\w-]+)", key).group(1)
        lines.append(row(f"W4 {method}, 250 series, 1 thread", key, None, "", None, "no peer implementation"))
    for n in (512, 1024):
        pkey = f"sgemm {n} 1t"
        ev, pv = e(mm(n)), pf.get(pkey)
        gf = lambda us: 2 * n ** 3 / us / 1e3 if us else None
        share = f"{gf(ev) / gf(pv) * 100:.0f}% of OpenBLAS" if ev and pv else "-"
        met = "" if not (ev and pv) else (" met" if gf(ev) >= 0.85 * gf(pv) else " not met")
        lines.append(row(f"sgemm {n} (C += AB), 1 core", mm(n), pkey, "≥ 85% of OpenBLAS" + met, None,
                         f"engine {gf(ev) or 0:.0f} GFLOP/s, peer {gf(pv) or 0:.0f} GFLOP/s: {share}"))
    ort = [(f"W3 forward, batch 1, {t} thread{'s' if t > 1 else ''}", f"W3LatencyForward.Forward(Threads={t})",
            f"W3LatencyForward.OnnxRuntime(Threads={t})") for t in (1, 2)]
    ort += [(f"W7 forward, batch 256, {t} thread{'s' if t > 1 else ''}", f"W7BatchInference.Forward(Threads={t})",
             f"W7BatchInference.OnnxRuntime(Threads={t})") for t in (1, 2)]
    if any(e(k) for _, _, k in ort):
        lines += ["", "Inference peer: ONNX Runtime (Microsoft.ML.OnnxRuntime, in the same BenchmarkDotNet run), the same "
                  "network exported to ONNX by Engine.Bench/Peers/OnnxExport.cs and checked against the engine's output "
                  "(max |difference| <= 1e-4) before timing; input and output bound once.", "",
                  "| workload | engine | ONNX Runtime | ONNX Runtime / engine | goal |", "|---|---:|---:|---:|---|"]
        for name, ekey, okey in ort:
            ev, ov = e(ekey), e(okey)
            ratio = f"{ov / ev:,.2f}x" if ev and ov else "-"
            met = "" if not (ev and ov) else (" met" if ev < ov else " not met")
            lines.append(f"| {name} | {fmt_us(ev)} | {fmt_us(ov)} | {ratio} | faster than ONNX Runtime{met} |")
    w6 = sorted((re.search(r"Method=([^,)]+)", k).group(1), k) for k in eng if k.startswith("W6UserScaleImportance"))
    if any(not re.fullmatch(r"[\w-]+", m) for m, _ in w6):  # BenchmarkDotNet shortens long parameters with "..."
        raise SystemExit(f"compare.py: a W6 method name came back shortened: {[m for m, _ in w6]}; widen MaxParameterColumnWidth")
    if w6:
        p6 = json.load(open(a.peer_w6)) if a.peer_w6 and os.path.exists(a.peer_w6) else {"figures": {}, "notes": {}}
        lines += ["", "W6, user scale (issue 15): 3000 series x 48 steps x 12 features, LSTM 32 -> 16 -> dense sigmoid per step, "
                  "trained 40 epochs; each method with its defaults, every core. Peer: the same work written by hand in PyTorch "
                  "(w6_peer.py) on the same weights and data.", "",
                  "| method | engine | engine allocated | PyTorch peer | peer / engine | note |", "|---|---:|---:|---:|---:|---|"]
        for method, key in w6:
            ev, al = eng[key] / 1e6, alloc.get(key)  # us -> s
            pkey = next((k for k in p6["figures"] if k.startswith(f"W6 {method} ")), None)
            pv = p6["figures"].get(pkey) if pkey else None
            lines.append(f"| {method} | {ev:,.2f} s | {'-' if al is None else f'{al:,} B'} | {'-' if pv is None else f'{pv:,.1f} s'} | "
                         f"{'-' if pv is None else f'{pv / ev:,.1f}x'} | {p6['notes'].get(pkey, '') if pkey else 'no peer implementation'} |")
    lines += ["", "W5 scaling (W2's model and batch, one thread):", "", "| units | steps | engine | PyTorch peer | peer / engine |", "|---:|---:|---:|---:|---:|"]
    units_series, steps_series = {"engine": [], "PyTorch": []}, {"engine": [], "PyTorch": []}
    w5 = [(tuple(map(int, re.search(r"Shape=\((\d+), (\d+)\)", k).groups())), k) for k in eng if k.startswith("W5Scaling")]
    for (u, s), key in sorted(w5):
        pv = pf.get(f"W5 train step units {u} steps {s} 1t")
        lines.append(f"| {u} | {s} | {fmt_us(eng[key])} | {fmt_us(pv)} | {f'{pv / eng[key]:.1f}x' if pv else '-'} |")
        if s == 50:
            units_series["engine"].append((u, eng[key]))
            if pv: units_series["PyTorch"].append((u, pv))
        if u == 256:
            steps_series["engine"].append((s, eng[key]))
            if pv: steps_series["PyTorch"].append((s, pv))
    for label, series, var in (("units (steps 50)", units_series, "units"), ("steps (units 256)", steps_series, "steps")):
        parts = [f"{name} ∝ {var}^{fit_exponent(*zip(*pts)):.2f}" for name, pts in series.items() if len(pts) >= 2]
        if parts:
            lines.append(f"\nFitted exponent over {label}: " + ", ".join(parts) + ".")
    docdir = os.path.dirname(os.path.abspath(a.doc))
    svg_plot({f"{k} vs units": v for k, v in units_series.items() if v} | {f"{k} vs steps": v for k, v in steps_series.items() if v},
             os.path.join(docdir, "perf-w5.svg"), "units (steps 50) / steps (units 256)")
    lines.append("\n![W5 scaling](perf-w5.svg)")
    text = open(a.doc).read() if os.path.exists(a.doc) else "# Performance\n\n<!-- compare:begin -->\n<!-- compare:end -->\n"
    begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    open(a.doc, "w").write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
