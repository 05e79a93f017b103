#!/usr/bin/env bash
# Build, test, run the demo and the benchmarks. Usage:
#   ./build.sh demo [ARGS...]    restore, publish in Release (Linux x64: NativeAOT), run the demo with ARGS
#   ./build.sh test              build and run every test (and the kernel tests under forced vector widths)
#   ./build.sh bench [ARGS...]   the BenchmarkDotNet suite (--quick: a smoke run of every benchmark;
#                                --compare [--quick]: side by side with PyTorch into docs/PERFORMANCE.md)
#   ./build.sh mutate [--since[:REF]] [--all-tests] [FOLDER...]
#                                Stryker.NET mutation testing (not part of CI; slow): every folder given, default
#                                Engine/Importance Engine/Losses Engine/Optimizers Engine/Layers Demo/Data; HTML and
#                                JSON reports in StrykerOutput/<folder>/, the score per folder printed
#   ./build.sh pack              the NuGet packages into artifacts/: the library LstmEngine (+ .snupkg symbols) and
#                                the .NET tool rnn-importance (docs/PACKAGING.md; .ci/install-check.sh installs them)
#   ./build.sh docs              the API reference (docfx, from the XML docs) with README.md and docs/ into artifacts/docs
set -euo pipefail
# The demo's arguments are the caller's: relative paths in them mean the folder ./build.sh was called from.
caller=$PWD
cd "$(dirname "$0")"
root=$PWD
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
  local label="$1" project="$2"; shift 2
  local log; log=$(mktemp)
  echo "== tests: $label"
  set +e
  dotnet test "$project" -c Release --no-build --nologo "$@" 2>&1 | tee "$log" | grep -vE '^\s*$' | tail -n 40
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

# NativeAOT links the demo with the platform's C toolchain: clang (the SDK's first choice) or gcc (its fallback).
# Without either, installs gcc with apt when this user may (root or password-less sudo). Prints why not on failure.
aot_toolchain() {
  if { command -v clang || command -v gcc; } >/dev/null 2>&1 && command -v objcopy >/dev/null 2>&1; then return 0; fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else echo "no C compiler (clang or gcc) and no permission to install one"; return 1; fi
  fi
  command -v apt-get >/dev/null 2>&1 || { echo "no C compiler (clang or gcc), and no apt-get to install gcc"; return 1; }
  echo "note: installing gcc with apt-get for the NativeAOT build of the demo" >&2
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcc libc6-dev; } >/dev/null 2>&1 \
    || { echo "installing gcc with apt-get failed"; return 1; }
}

# Publishes the demo with NativeAOT into $1, compiled for this machine's CPU (IlcInstructionSet=native: AVX-512 here;
# the binary refuses to start on a CPU without the instruction sets it was built for). On failure sets why and
# keeps the log in Demo/obj/.
aot_publish() {
  local log=Demo/obj/aot-publish.log
  mkdir -p Demo/obj
  if dotnet publish Demo/Demo.csproj -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native \
       -o "$1" --nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then
    return 0
  fi
  why="the NativeAOT publish failed, see $log"
  return 1
}

# True when the file $1 exists and is newer than every source it is built from (the engine's and the demo's files
# outside bin/ and obj/, and the build settings): then the publish is skipped. A find over ~250 files, a few ms.
fresh() {
  [ -f "$1" ] || return 1
  [ -z "$(find Engine Demo Directory.Build.props global.json \( -name bin -o -name obj \) -prune -o -type f -newer "$1" -print -quit)" ]
}

# Runs the demo binary $1 (with dotnet when it is a .dll) from the caller's folder, with the remaining arguments.
run_demo() {
  local program="$root/$1"; shift
  cd "$caller"
  if [[ "$program" == *.dll ]]; then exec dotnet "$program" "$@"; fi
  exec "$program" "$@"
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    # DEMO_BUILD picks the build: aot (NativeAOT, required: an error if it cannot be built), r2r (ReadyToRun), jit
    # (plain build); unset: NativeAOT on Linux x64, else ReadyToRun on x86-64, else the plain build.
    mode="${DEMO_BUILD:-auto}"
    case "$mode" in auto|aot|r2r|jit) ;; *) echo "error: DEMO_BUILD must be aot, r2r or jit, not '$mode'" >&2; exit 1 ;; esac
    out=Demo/bin/Release/net10.0
    if [ "$mode" = auto ] || [ "$mode" = aot ]; then
      if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ]; then
        # NativeAOT (see Demo.csproj, docs/DESIGN.md): nothing is JIT-compiled when the demo runs. The binary is
        # touched after a publish, which leaves it as it was when nothing changed, so that it stays fresh.
        if fresh "$out/aot/demo"; then run_demo "$out/aot/demo" "$@"; fi
        need_dotnet
        if why=$(aot_toolchain) && aot_publish "$out/aot"; then touch "$out/aot/demo"; run_demo "$out/aot/demo" "$@"; fi
        if [ "$mode" = aot ]; then
          { grep -E 'error' Demo/obj/aot-publish.log 2>/dev/null || true; } | cut -c1-400 | head -n 10 >&2
          echo "error: DEMO_BUILD=aot: $why" >&2; exit 1
        fi
        echo "note: no NativeAOT build ($why); running the ReadyToRun build instead" >&2
      elif [ "$mode" = aot ]; then
        echo "error: DEMO_BUILD=aot: ./build.sh publishes NativeAOT for Linux x64 only" >&2; exit 1
      fi
      mode=r2r
    fi
    need_dotnet
    if [ "$mode" = r2r ] && [ "$(uname -m)" = x86_64 ]; then
      # ReadyToRun publish (see Demo.csproj and docs/PERFORMANCE.md): a cold run JITs far less.
      if ! fresh "$out/r2r/demo.dll"; then
        log=$(dotnet publish Demo/Demo.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
          -o "$out/r2r" --nologo -v quiet -clp:ErrorsOnly 2>&1) || { echo "$log" >&2; exit 1; }
        touch "$out/r2r/demo.dll"
      fi
      run_demo "$out/r2r/demo.dll" "$@"
    fi
    if ! fresh "$out/demo.dll"; then build Demo/Demo.csproj; touch "$out/demo.dll"; fi
    run_demo "$out/demo.dll" "$@"
    ;;
  test)
    need_dotnet
    build LstmEngine.slnx
    run_tests "engine" Engine.Tests/Engine.Tests.csproj
    run_tests "command line" Demo.Tests/Demo.Tests.csproj
    # The kernels again with 512-bit vectors off, with 256-bit ones off too (the runtime then reports Vector256 as not
    # accelerated: the 128-bit paths of SSE and ARM64's NEON), then with no hardware intrinsics at all (the scalar
    # paths). VectorPathTests fails if a setting does not select the path it asks for.
    DOTNET_PreferredVectorBitWidth=256 run_tests "kernels, 256-bit vectors" Engine.Tests/Engine.Tests.csproj --filter "Category=Kernels"
    DOTNET_PreferredVectorBitWidth=128 run_tests "kernels, 128-bit vectors" Engine.Tests/Engine.Tests.csproj --filter "Category=Kernels"
    DOTNET_EnableHWIntrinsic=0 run_tests "kernels, scalar (no intrinsics)" Engine.Tests/Engine.Tests.csproj --filter "Category=Kernels"
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
  mutate)
    need_dotnet
    # Stryker.NET from the local tool manifest (.config/dotnet-tools.json); settings in stryker-config.json (Release,
    # per-test coverage, tests of Category=Slow left out). One run per folder: the project that holds it, its tests.
    since=() folders=() tests=""
    for a in "$@"; do
      case "$a" in
        --since|--since:*) since=("$a") ;;
        --all-tests) tests=all ;;
        -*) echo "error: mutate takes --since[:REF], --all-tests and folders, not '$a'" >&2; exit 1 ;;
        *) folders+=("${a%/}") ;;
      esac
    done
    [ ${#folders[@]} -gt 0 ] || folders=(Engine/Importance Engine/Losses Engine/Optimizers Engine/Layers Demo/Data)
    for f in "${folders[@]}"; do
      case "$f" in Engine/*|Demo/*) ;; *) echo "error: mutate: '$f' is not a folder under Engine/ or Demo/" >&2; exit 1 ;; esac
      [ -d "$f" ] || { echo "error: mutate: no folder '$f'" >&2; exit 1; }
    done
    dotnet tool restore >/dev/null
    summary=()
    for f in "${folders[@]}"; do
      project=${f%%/*}
      out="StrykerOutput/${f//\//-}"
      rm -rf "$out"; mkdir -p "$out"
      echo "== mutate: $f"
      start=$(date +%s)
      # The tests that run: the folder's own (its namespace in the test project; Engine/Layers' LSTM tests are under
      # Models), or with --all-tests every test but the slow ones. Mutants only the other tests kill count as
      # survivors: a folder's tests should pin its code.
      case "$f" in
        Engine/Layers) filter="FullyQualifiedName~Engine.Tests.Layers.|FullyQualifiedName~Engine.Tests.Models." ;;
        *) sub=${f#*/}; filter="FullyQualifiedName~$project.Tests.${sub//\//.}." ;;
      esac
      [ "$tests" = all ] && filter="Category!=Slow" || filter="(Category!=Slow)&($filter)"
      echo "tests: $filter"
      (cd "$project" && dotnet tool run dotnet-stryker -- -f ../stryker-config.json -p "$project.csproj" \
        -tp "../$project.Tests/$project.Tests.csproj" -m "**/${f#*/}/**/*.cs" --test-case-filter "$filter" \
        "${since[@]}") | tee "$out/log.txt" \
        || { echo "error: Stryker failed on $f (log: $out/log.txt)" >&2; exit 1; }
      report=$(ls -td "$project"/StrykerOutput/*/reports 2>/dev/null | head -n 1)
      [ -n "$report" ] || { echo "error: Stryker wrote no report for $f" >&2; exit 1; }
      cp "$report"/* "$out/"
      rm -rf "$project/StrykerOutput"
      # Score = killed (with timeouts) / (killed + survived + no coverage), compile errors and ignored ones left out.
      count() { grep -o "\"status\": *\"$1\"" "$out/mutation-report.json" | wc -l; }
      k=$(count Killed) t=$(count Timeout) s=$(count Survived) n=$(count NoCoverage)
      total=$((k + t + s + n))
      score=$(awk -v a=$((k + t)) -v b=$total 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')
      summary+=("$f: $score% ($((k + t)) killed, $s survived, $n not covered) in $(( $(date +%s) - start )) s; report $out/mutation-report.html")
    done
    echo "== mutation scores"
    printf '%s\n' "${summary[@]}"
    ;;
  pack)
    need_dotnet
    # ContinuousIntegrationBuild: reproducible binaries (the build machine's paths map to /_/ in the pdbs, SourceLink
    # reads the commit). Old packages go first so that artifacts/ holds exactly this version's.
    rm -f artifacts/*.nupkg artifacts/*.snupkg
    for project in Engine/Engine.csproj Demo/Demo.csproj; do
      dotnet pack "$project" -c Release -o artifacts -p:ContinuousIntegrationBuild=true --nologo -v quiet -clp:ErrorsOnly
    done
    ls artifacts/*.nupkg artifacts/*.snupkg | sed 's/^/packed: /'
    ;;
  docs)
    need_dotnet
    # docfx is a local tool (.config/dotnet-tools.json); it reads Engine.dll and Engine.xml, and docfx.json lists the
    # pages. --warningsAsErrors: a broken link or cross-reference fails the build.
    build Engine/Engine.csproj
    dotnet tool restore >/dev/null
    rm -rf artifacts/docs artifacts/obj/api
    dotnet docfx docfx.json --warningsAsErrors --logLevel warning
    echo "API reference and guide: artifacts/docs/index.html"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 1
    ;;
esac
