#!/usr/bin/env bash
# Are the demo's results bit-identical to a saved run? For refactorings that must not change a number.
#   .ci/same-results.sh save DIR      run the reference demo, `--methods all --json` and a short study; keep them in DIR
#   .ci/same-results.sh compare DIR   run them again and compare with DIR (every printed result and every JSON value,
#                                     timings aside); exit 1 on any difference
# Runs the plain (JIT) build of the demo: results do not depend on the build kind, and it builds fastest.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}" dir="${2:-}"
case "$mode" in save|compare) ;; *) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 1 ;; esac
[ -n "$dir" ] || { echo "error: give a directory" >&2; exit 1; }
[ "$mode" = compare ] && [ ! -d "$dir" ] && { echo "error: no saved run in $dir" >&2; exit 1; }
dotnet build Demo/Demo.csproj -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
demo() { dotnet Demo/bin/Release/net10.0/demo.dll "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The reference lines: epoch losses and the three perturbation effects (the times on those lines dropped).
demo | grep -E '^(Epoch|Variable)' | sed -E 's/ - [0-9.]+ s - / - /' > "$out/reference.txt"
demo --methods all --json "$out/all.json" >/dev/null
demo study --replicates 2 --train-series 20 --eval-series 20 --epochs 2 --retrain-epochs 1 --repeats 2 \
  --json "$out/study.json" >/dev/null
# JSON without the timing fields, keys sorted, numbers exactly as written.
for f in all study; do
  python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k not in ("seconds", "train_seconds")}
    if isinstance(v, list): return [strip(x) for x in v]
    return v
doc = json.load(open(sys.argv[1]), parse_float=str, parse_int=str)
print(json.dumps(strip(doc), indent=1, sort_keys=True))' "$out/$f.json" > "$out/$f.txt"
  rm "$out/$f.json"
done
if [ "$mode" = save ]; then
  mkdir -p "$dir" && cp "$out"/*.txt "$dir"/ && echo "saved to $dir" && exit 0
fi
status=0
for f in reference all study; do
  if diff -q "$dir/$f.txt" "$out/$f.txt" >/dev/null; then echo "same: $f"; else echo "DIFFERENT: $f"; diff "$dir/$f.txt" "$out/$f.txt" | head -n 20; status=1; fi
done
exit $status
