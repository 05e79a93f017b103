#!/usr/bin/env python3
"""Writes the crafted corpus of issue 11 (small files) next to this script from base.csv and base.safetensors
(a 12-series make-data file and a model trained on it). Run once; the files are committed. The large crafted
inputs (a 1M-column header, a 1.9 GB sparse model, a 40M-entry shape, /dev/zero) are made by the test itself."""
import json, os, struct

here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(here, "csv"), exist_ok=True)
os.makedirs(os.path.join(here, "model"), exist_ok=True)
base = open(os.path.join(here, "base.csv"), encoding="utf-8").read().splitlines()
header, rows = base[0], base[1:]


def csv(name, text, encoding="utf-8"):
    with open(os.path.join(here, "csv", name), "wb") as f:
        f.write(text.encode(encoding) if isinstance(text, str) else text)


def lines(replace=None, head=header, sep=","):
    out = [head]
    for i, r in enumerate(rows):
        cells = r.split(",")
        if replace:
            cells = replace(i, cells) or cells
        out.append(sep.join(cells))
    return "\n".join(out) + "\n"


def cell(row, col, value):
    return lambda i, c: c[:col] + [value] + c[col + 1:] if i == row else None


# Refused CSV files (exit 1): one bad thing each.
csv("nul.csv", lines(cell(3, 2, "24.5\0")))
csv("quote-in-field.csv", lines(cell(3, 2, '2"4".5')))
csv("text-after-quote.csv", lines(cell(3, 2, '"2"4')))
csv("unclosed-quote.csv", lines(cell(3, 2, '"24.5')))
csv("group-separator.csv", lines(cell(3, 2, '"1,000"')))
csv("decimal-comma-quoted.csv", lines(cell(3, 2, '"0,5"')))
csv("extra-field.csv", lines(cell(3, 2, "0,5")))
csv("first-row-text.csv", lines(cell(0, 3, "abc")))
csv("last-row-text.csv", lines(cell(len(rows) - 1, 4, "oops")))
csv("empty-cell.csv", lines(cell(5, 2, "")))
csv("nan.csv", lines(cell(5, 2, "NaN")))
csv("infinity.csv", lines(cell(5, 2, "-Infinity")))
csv("too-large.csv", lines(cell(5, 2, "1e39")))
csv("nul-terminated-number.csv", lines(cell(5, 2, "1\0")))
csv("target-text.csv", lines(cell(2, 6, "yes")))
csv("duplicate-name.csv", lines(head=header.replace("wind", "humidity")))
csv("no-name.csv", lines(head=header.replace(",wind,", ",,")))
csv("nul-in-header.csv", lines(head=header.replace("wind", "wi\0nd")))
csv("empty.csv", "")
csv("blank-lines-only.csv", "\n\n\r\n")
csv("header-only.csv", header + "\n")
csv("semicolon-decimal-comma.csv", lines(lambda i, c: [x.replace(".", ",") for x in c], header.replace(",", ";"), ";"))
csv("mixed-time.csv", lines(cell(7, 1, "2024-01-01")))
csv("repeated-time.csv", lines(cell(1, 1, "0")))
csv("unequal-series.csv", "\n".join([header] + rows[:-1]) + "\n")
csv("empty-series-id.csv", lines(cell(4, 0, "")))
csv("one-class.csv", lines(lambda i, c: c[:6] + ["0"]))
csv("all-constant-features.csv", lines(lambda i, c: c[:2] + ["1", "2", "3", "4"] + c[6:]))
csv("long-field.csv", lines(cell(3, 2, "9" * 65537)))
csv("long-text.csv", lines(cell(3, 2, "z" * 60000)))
csv("runaway-quote.csv", lines(cell(3, 0, '"s001')))
csv("invalid-utf8-cell.csv", lines(cell(3, 2, "2\udcff4")).encode("utf-8", "surrogateescape"))

# Accepted CSV files (exit 0): unusual but valid.
csv("bom-crlf.csv", "\ufeff" + lines().replace("\n", "\r\n"))
csv("utf16.csv", "\ufeff" + lines(), "utf-16-le")
csv("latin1-header.csv", lines(head=header.replace("temperature", "temp\u00e9rature")), "latin-1")
csv("semicolon.csv", lines(None, header.replace(",", ";"), ";"))
csv("multiline-quoted-id.csv", lines(lambda i, c: ['"' + c[0] + '\n(north)"'] + c[1:]))
csv("quoted-everything.csv", lines(lambda i, c: ['"' + x + '"' for x in c]))
csv("blank-lines.csv", lines().replace("\n", "\n\n"))
csv("looks-binary.csv", lines(cell(3, 6, "2")))
csv("constant-feature.csv", lines(lambda i, c: c[:5] + ["1013"] + c[6:]))
csv("iso-dates.csv", lines(lambda i, c: c[:1] + [f"2024-01-{int(c[1]) + 1:02d}T00:00:00Z"] + c[2:]))

# Model files: base.safetensors with one thing changed.
raw = open(os.path.join(here, "base.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
data = raw[8 + n:]


def model(name, header=None, body=None, size=None, text=None):
    h = (text if text is not None else json.dumps(header if header is not None else head)).encode("utf-8") \
        if not isinstance(text, bytes) else text
    b = data if body is None else body
    with open(os.path.join(here, "model", name), "wb") as f:
        f.write(struct.pack("<Q", len(h) if size is None else size) + h + b)


def meta(key, change):
    h = json.loads(json.dumps(head))
    record = json.loads(h["__metadata__"][key])
    change(record)
    h["__metadata__"][key] = json.dumps(record)
    return h


def training(field, value):
    return meta("data", lambda r: r["training"].__setitem__(field, value))


model("invalid-utf8-header.safetensors", text=json.dumps(head).replace("alarm", "al\udcffrm").encode("utf-8", "surrogateescape"))
model("duplicate-key.safetensors", text=json.dumps(head)[:-1] + ', "layers.1.bias": ' + json.dumps(head["layers.1.bias"]) + "}")
model("missing-features.safetensors", meta("data", lambda r: r.pop("features")))
model("null-steps.safetensors", meta("data", lambda r: r.__setitem__("steps", None)))
model("null-mean.safetensors", meta("data", lambda r: r["normalisation"]["mean"].__setitem__(0, None)))
model("null-held-out.safetensors", training("held_out", [None]))
model("null-loss.safetensors", training("loss", None))
model("text-epochs.safetensors", training("epochs", "ten"))
model("steps-zero.safetensors", meta("data", lambda r: r.__setitem__("steps", 0)))
model("sd-zero.safetensors", meta("data", lambda r: r["normalisation"]["sd"].__setitem__(1, 0)))
model("sd-negative.safetensors", meta("data", lambda r: r["normalisation"]["sd"].__setitem__(1, -2.5)))
model("sd-nan.safetensors", meta("data", lambda r: r["normalisation"]["sd"].__setitem__(1, "NaN")))
model("mean-infinity.safetensors", meta("data", lambda r: r["normalisation"]["mean"].__setitem__(0, "Infinity")))
model("unknown-loss.safetensors", training("loss", "hinge"))
model("window-zero.safetensors", training("window", 0))
model("missing-architecture-field.safetensors", meta("model", lambda r: r["layers"][0].pop("units")))
model("units-30000.safetensors", meta("model", lambda r: r["layers"][0].__setitem__("units", 30000)))
model("unknown-activation.safetensors", meta("model", lambda r: r["layers"][1].__setitem__("activation", "swish2")))
model("bce-linear-head.safetensors", meta("model", lambda r: r["layers"][1].__setitem__("activation", "linear")))
two = meta("model", lambda r: r["layers"][1].__setitem__("units", 2))
two["layers.1.kernel"] = {"dtype": "F32", "shape": [2, 2], "data_offsets": [224, 240]}
two["layers.1.bias"] = {"dtype": "F32", "shape": [2], "data_offsets": [240, 248]}
model("two-outputs.safetensors", two, data[:224] + bytes(24))
model("nan-weights.safetensors", body=struct.pack("<f", float("nan")) * 32 + data[128:])
model("huge-weights.safetensors", body=struct.pack("<f", 3.4e38) * 32 + data[128:])
model("truncated.safetensors", body=data[:-5])
model("trailing-bytes.safetensors", body=data + b"\0" * 16)
model("header-size-beyond-file.safetensors", size=10_000_000)
model("header-size-over-cap.safetensors", size=1 << 40)
model("empty-header.safetensors", text="{}", body=b"")
model("not-json.safetensors", text="series,time,x\n", body=b"")
with open(os.path.join(here, "model", "empty.safetensors"), "wb") as f:
    pass
with open(os.path.join(here, "model", "seven-bytes.safetensors"), "wb") as f:
    f.write(b"\x10\0\0\0\0\0\0")
with open(os.path.join(here, "model", "csv-as-model.safetensors"), "wb") as f:
    f.write(open(os.path.join(here, "base.csv"), "rb").read())
