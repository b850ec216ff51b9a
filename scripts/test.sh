#!/bin/sh
# Installs what is missing, builds bao-sim, and runs the whole test suite
# (CTest), then the unit and simulator tests again under ASan+UBSan.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
# Sanitizer build (decision 28): the QEMU boots exercise no host code of ours,
# the reproduce run repeats, slower, simulations the suite already covers, the
# Linux tier (decision 36) is too slow under ASan, and the fuzz target carries
# ASan and UBSan itself.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBAO_SANITIZE=ON
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "qemu|reproduce|linux|fuzz"
