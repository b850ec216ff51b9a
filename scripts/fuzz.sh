#!/bin/sh
# Long fuzzing runs of hv's guest-facing surface with the isolation oracle
# (docs/fuzzing.md). The short fixed-seed runs are CTest tests (fuzz.hv_short,
# fuzz.hv_riscv64_short); this is for the long ones whose figures
# docs/fuzzing.md records.
#
# usage: scripts/fuzz.sh [-a arm64|riscv64] [-n RUNS | -t SECONDS] [-s SEED]
#                        [-c all|fixed|fuzzed] [-b BUILD_DIR] [-o OUT_DIR]
#   -a ARCH     which hv: arm64 (fuzz/hv_fuzz, default) or riscv64 (fuzz/hv_fuzz_riscv64)
#   -n RUNS     stop after RUNS executions (default 1000000)
#   -t SECONDS  stop after SECONDS instead
#   -s SEED     libFuzzer's -seed (default 1)
#   -c CONFIGS  arm64: which configurations inputs use (HV_FUZZ_CONFIGS; default all)
#   -b DIR      the CMake build directory holding the targets (default build)
#   -o DIR      working corpus, artifacts, log and summary
#               (default BUILD_DIR/fuzz/long, BUILD_DIR/fuzz/long-riscv64)
# The working corpus persists between runs (it starts from fuzz/corpus or
# fuzz/corpus-riscv64, which are only read). libFuzzer stops at the first crash, sanitizer report or
# oracle violation and saves the input under OUT_DIR/artifacts; the summary
# counts this run's, so "0 crashes" means the run reached its end.
set -eu
cd "$(dirname "$0")/.."
# libFuzzer's status lines carry raw dictionary bytes: match them as bytes.
export LC_ALL=C

runs=1000000
secs=""
seed=1
configs=all
build=build
out=""
arch=arm64
while getopts "a:n:t:s:c:b:o:" opt; do
    case $opt in
    a) arch=$OPTARG ;;
    n) runs=$OPTARG ;;
    t) secs=$OPTARG ;;
    s) seed=$OPTARG ;;
    c) configs=$OPTARG ;;
    b) build=$OPTARG ;;
    o) out=$OPTARG ;;
    *) sed -n '7,16p' "$0" >&2; exit 2 ;;
    esac
done
case $arch in
arm64) name=hv_fuzz dict=fuzz/hv.dict seeds=fuzz/corpus long=long ;;
riscv64) # its configurations are chosen (and varied) by the input alone
    name=hv_fuzz_riscv64 dict=fuzz/hv_riscv64.dict seeds=fuzz/corpus-riscv64 long=long-riscv64
    [ "$configs" = all ] || { echo "fuzz.sh: -c applies to arm64 only" >&2; exit 2; } ;;
*) echo "fuzz.sh: -a takes arm64 or riscv64, not '$arch'" >&2; exit 2 ;;
esac
out=${out:-$build/fuzz/$long}

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target hv_fuzz_build
bin=$build/fuzz/$name

mkdir -p "$out/corpus" "$out/artifacts"
log=$out/fuzz.log
if [ -n "$secs" ]; then
    limit="-max_total_time=$secs"
else
    limit="-runs=$runs"
fi
env=""
[ "$arch" = arm64 ] && env="HV_FUZZ_CONFIGS=$configs "
echo "fuzz: $env$bin $limit -seed=$seed -> $out" >&2
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
stamp=$out/.started
touch "$stamp"
status=0
HV_FUZZ_CONFIGS=$configs "$bin" "$limit" -seed="$seed" -timeout=10 -print_final_stats=1 \
    -dict="$dict" -artifact_prefix="$out/artifacts/" \
    "$out/corpus" "$seeds" >"$log" 2>&1 || status=$?

# Figures: libFuzzer's final statistics, its last status line (cov = edges
# covered in hv, ft = features, corp = corpus entries/bytes) and what the
# log and the artifacts hold.
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
edges=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
features=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corpus=$(find "$out/corpus" -type f | wc -l)
corpus_kb=$(du -sk "$out/corpus" | cut -f1)
crashes=$(find "$out/artifacts" -type f -newer "$stamp" | wc -l)
violations=$(grep -c 'ISOLATION VIOLATION' "$log" || true)
sanitizer=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" || true)
{
    echo "started:            $started, ended $(date -u '+%H:%M UTC')"
    echo "commit:             $commit"
    echo "command:            $env$bin $limit -seed=$seed"
    echo "libFuzzer exit:     $status"
    echo "executions:         ${execs:-?} (${rate:-?}/s)"
    echo "edges (cov):        ${edges:-?}"
    echo "features (ft):      ${features:-?}"
    echo "corpus:             $corpus inputs, $corpus_kb KiB"
    echo "crashes (artifacts): $crashes"
    echo "oracle violations:  $violations"
    echo "sanitizer reports:  $sanitizer"
} | tee "$out/summary.txt"
[ "$status" -eq 0 ] && [ "$crashes" -eq 0 ]
