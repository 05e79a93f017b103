#!/usr/bin/env bash
# ./build.sh bench --compare [--quick]: runs the engine's workload benchmarks (BenchmarkDotNet) and the PyTorch
# peer (peer.py) on the same machine, then writes the side-by-side table into docs/PERFORMANCE.md (compare.py).
# Needs Debian's python3-torch, python3-numpy and libopenblas0-openmp; installs them with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3   # Debian's interpreter: a version-managed python3 earlier on PATH does not see Debian's packages
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"
missing=()
for p in python3 python3-torch python3-numpy libopenblas0-openmp; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing the peer's packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" \
    || { echo "error: could not install ${missing[*]} (needed for --compare only; plain ./build.sh bench needs no Python)" >&2; exit 1; }
fi
out=BenchmarkDotNet.Artifacts/compare   # raw results kept (git-ignored), so compare.py can be re-run on them
rm -rf "$out"; mkdir -p "$out"
engine_cmd=(dotnet Engine.Bench/bin/Release/net10.0/Engine.Bench.dll $quick --filter '*W1*' '*W2*' '*W3*' '*W4*' '*W5*' '*W6*' '*W7*' '*MatMulBenchmarks.MatMulAB*' --artifacts "$out/bdn")
peer_cmd=(env OPENBLAS_CORETYPE=SkylakeX "$PY" Engine.Bench/peer/peer.py $quick --out "$out/peer.json")
# W6's peer runs on the engine's trained weights and data (same seed, series and epochs as the W6 benchmark).
if [ -n "$quick" ]; then w6_size=(--series 200 --epochs 2); else w6_size=(--series 3000 --epochs 40); fi
w6_save=(dotnet Engine.Bench/bin/Release/net10.0/Engine.Bench.dll --w6 permutation "${w6_size[@]}" --save "$out/w6")
w6_peer_cmd=(env OPENBLAS_CORETYPE=SkylakeX "$PY" Engine.Bench/peer/w6_peer.py --dir "$out/w6" --out "$out/peer-w6.json")
echo "== engine: ${engine_cmd[*]}"
"${engine_cmd[@]}" | grep -E '^\|' || true
echo "== peer: ${peer_cmd[*]}"
"${peer_cmd[@]}"
echo "== W6 peer: ${w6_save[*]}; ${w6_peer_cmd[*]}"
DOTNET_TieredCompilation=0 "${w6_save[@]}" | grep -v '^W6 '
"${w6_peer_cmd[@]}"
"$PY" Engine.Bench/peer/compare.py --bdn "$out/bdn" --peer "$out/peer.json" --peer-w6 "$out/peer-w6.json" --doc docs/PERFORMANCE.md \
  --engine-command "./build.sh bench --compare $quick (engine part: ${engine_cmd[*]})" \
  --peer-command "${peer_cmd[*]}; W6: ${w6_save[*]} then ${w6_peer_cmd[*]}"
