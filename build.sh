#!/usr/bin/env bash
# Build, test, run the demo and the benchmarks. Usage:
#   ./build.sh demo [ARGS...]    restore, build in Release (x86-64: publish with ReadyToRun), run the demo with ARGS
#   ./build.sh test              build and run every test (and the kernel tests under forced vector widths)
#   ./build.sh bench [ARGS...]   the BenchmarkDotNet suite (--quick: a smoke run of every benchmark;
#                                --compare [--quick]: side by side with PyTorch into docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK (10.0) is not on PATH; install it from your distribution or https://dot.net and retry" >&2
    exit 1
  fi
}

build() { dotnet build "$1" -c Release --nologo -v quiet -clp:ErrorsOnly "${@:2}"; }

# Runs dotnet test on the built test project; prints its output and adds its counts to the totals.
passed=0 failed=0 skipped=0
run_tests() {
  local label="$1"; shift
  local log; log=$(mktemp)
  echo "== tests: $label"
  set +e
  dotnet test Engine.Tests/Engine.Tests.csproj -c Release --no-build --nologo "$@" 2>&1 | tee "$log" | grep -vE '^\s*$' | tail -n 40
  local rc=${PIPESTATUS[0]}
  set -e
  local line; line=$(grep -E '(Passed|Failed)!\s+-\s+Failed:' "$log" | tail -n 1 || true)
  rm -f "$log"
  if [ -z "$line" ]; then echo "error: no test summary from '$label' (exit code $rc)" >&2; failed=$((failed + 1)); return; fi
  local f p s
  f=$(sed -E 's/.*Failed:\s*([0-9]+).*/\1/' <<<"$line")
  p=$(sed -E 's/.*Passed:\s*([0-9]+).*/\1/' <<<"$line")
  s=$(sed -E 's/.*Skipped:\s*([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    need_dotnet
    if [ "$(uname -m)" = x86_64 ]; then
      # ReadyToRun publish (see Demo.csproj and docs/PERFORMANCE.md): a cold run JITs far less.
      dotnet publish Demo/Demo.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
        -o Demo/bin/Release/net10.0/r2r --nologo -v quiet -clp:ErrorsOnly >/dev/null
      exec dotnet Demo/bin/Release/net10.0/r2r/demo.dll "$@"
    fi
    build Demo/Demo.csproj
    exec dotnet Demo/bin/Release/net10.0/demo.dll "$@"
    ;;
  test)
    need_dotnet
    build LstmEngine.slnx
    run_tests "all"
    # The kernels again with 512-bit vectors off, then with no hardware intrinsics at all (the scalar paths).
    DOTNET_PreferredVectorBitWidth=256 run_tests "kernels, 256-bit vectors" --filter "Category=Kernels"
    DOTNET_EnableHWIntrinsic=0 run_tests "kernels, scalar (no intrinsics)" --filter "Category=Kernels"
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    ;;
  bench)
    need_dotnet
    build Engine.Bench/Engine.Bench.csproj
    # --compare: the workloads side by side with the PyTorch peer, written into docs/PERFORMANCE.md (needs Debian's python3-torch).
    if [ "${1:-}" = "--compare" ]; then shift; exec Engine.Bench/peer/compare.sh "$@"; fi
    exec dotnet Engine.Bench/bin/Release/net10.0/Engine.Bench.dll "$@"
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 1
    ;;
esac
