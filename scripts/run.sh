#!/bin/sh
# Installs what is missing, builds bao-sim and runs the main job. Arguments
# are passed to bao-sim (default: --config interf-col, the paper's main scenario).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
if [ "$#" -eq 0 ]; then
    set -- --config interf-col
fi
exec build/bao-sim "$@"
