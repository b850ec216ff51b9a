#!/bin/sh
# Installs what is missing, checks the formatting, builds bao-sim, and runs
# the whole test suite (CTest, every label), then the unit and integration
# tests again under ASan+UBSan. Fails if any of these fails; a formatting
# diff is reported first but fails the command only at the end, so the tests
# still run. Each step ends with a line giving its wall time and its CPU
# time (user+sys of what it ran): decision 36's budget, docs/design.md#test-tiers.
set -eu
cd "$(dirname "$0")/.."

cpu_file=$(mktemp)
trap 'rm -f "$cpu_file"' EXIT
# Sets cpu to the CPU seconds this shell's finished children used so far
# (`times` run here: in a command substitution it would count only that
# subshell's children).
children_cpu() {
    times >"$cpu_file"
    cpu=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
                         printf "%.1f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$cpu_file")
}
step() {
    name=$1
    shift
    wall0=$(date +%s)
    children_cpu
    cpu0=$cpu
    rc=0
    "$@" || rc=$?
    wall1=$(date +%s)
    children_cpu
    echo "test.sh: $name: $((wall1 - wall0)) s wall, $(awk "BEGIN { printf \"%.0f\", $cpu - $cpu0 }") CPU-s"
    return "$rc"
}

step install-deps ./scripts/install-deps.sh
format=0
step check-format ./scripts/check-format.sh || format=1
jobs=$(nproc)
# Ninja when it is installed (scripts/install-deps.sh installs ninja-build),
# Make otherwise; a tree configured before keeps its generator. Ninja starts
# a program's compiles while the libraries it links are still being built,
# and runs no make process per target (docs/design.md#test-tiers).
generator() {
    if [ ! -f "$1/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
        echo "-G Ninja"
    fi
}
# shellcheck disable=SC2086 # $gen is empty or two words
gen=$(generator build)
step configure cmake -S . -B build $gen -DCMAKE_BUILD_TYPE=RelWithDebInfo
step build cmake --build build -j"$jobs"
# The longest tests carry a COST (tests/costs.cmake), so they start first.
step ctest ctest --test-dir build --output-on-failure -j"$jobs"
# Sanitizer build (docs/design.md#code-standards). It excludes the labels
# qemu (the QEMU boots exercise no host code of ours), reproduce (it repeats,
# slower, simulations the suite already covers), linux (too slow under ASan:
# docs/design.md#test-tiers) and fuzz (the fuzz target carries ASan and UBSan
# itself), so it runs the labels unit and integration, and builds only what
# those need (BAO_ALL_TIERS=OFF: no benchmarks, hv images or Linux initramfs).
gen=$(generator build-asan)
step configure-asan cmake -S . -B build-asan $gen -DCMAKE_BUILD_TYPE=Debug -DBAO_SANITIZE=ON -DBAO_ALL_TIERS=OFF
step build-asan cmake --build build-asan -j"$jobs"
step ctest-asan ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "qemu|reproduce|linux|fuzz"
if [ "$format" != 0 ]; then
    echo "test.sh: the tests ran, but the formatting check failed (above)" >&2
    exit 1
fi
