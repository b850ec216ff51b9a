#!/bin/sh
# Installs what is missing, checks the formatting, builds bao-sim, and runs
# the whole test suite (CTest, every label), then the unit and integration
# tests again under ASan+UBSan. Fails if any of these fails; a formatting
# diff is reported first but fails the command only at the end, so the tests
# still run.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
format=0
./scripts/check-format.sh || format=1
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
# Sanitizer build (docs/design.md#code-standards). It excludes the labels
# qemu (the QEMU boots exercise no host code of ours), reproduce (it repeats,
# slower, simulations the suite already covers), linux (too slow under ASan:
# docs/design.md#test-tiers) and fuzz (the fuzz target carries ASan and UBSan
# itself), so it runs the labels unit and integration, and builds only what
# those need (BAO_ALL_TIERS=OFF: no benchmarks, hv images or Linux initramfs).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBAO_SANITIZE=ON -DBAO_ALL_TIERS=OFF
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "qemu|reproduce|linux|fuzz"
if [ "$format" != 0 ]; then
    echo "test.sh: the tests ran, but the formatting check failed (above)" >&2
    exit 1
fi
