#!/bin/sh
# Measures hv's trap paths on the real image: builds bao-hv.elf with one VM
# running irqlat-quick (solo-irqlat.toml), boots it in qemu-system-aarch64
# with -d in_asm,exec,nochain, and counts, per trap on CPU 0, the instructions
# hv executes and the code lines it touches (docs/timing-model.md: the source
# of hv.{sync,irq}_insns and hv.{entry,sync,irq}_code_bytes).
# With --footprint it boots it again single-stepped (-singlestep -d cpu,
# filtered to hv's .text; about 2 GB of log and a few minutes) and prints each
# path's data lines (footprint.py: the source of hv.{sync,irq}_data_bytes)
# and its cycles on the A53 core model (hv-path-cost, from BUILD_DIR/tools if
# built there, else build/tools: the source of hv.{sync,irq}_cycles).
#   tools/hv-paths/measure.sh [--footprint] [BUILD_DIR]   (default /tmp/bao-hv-paths)
set -eu
footprint=0
if [ "${1:-}" = --footprint ]; then footprint=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-/tmp/bao-hv-paths}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBAO_BUILD_TESTS=OFF \
      -DBAO_HV_IMAGE_CONFIG="$here/solo-irqlat.toml" >/dev/null
cmake --build "$build" -j"$(nproc)" --target hv_image >"$build/build.log" 2>&1 ||
    { cat "$build/build.log"; exit 1; }
elf=$build/hv-image/build/bao-hv.elf
timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a53 \
    -smp 4 -m 1G -display none -monitor none -serial stdio -nic none -kernel "$elf" \
    -d in_asm,exec,nochain -D "$build/exec.log" </dev/null | grep "irqlat: samples" || true
python3 "$here/paths.py" "$elf" "$build/exec.log"
[ $footprint = 1 ] || exit 0
set -- $(aarch64-linux-gnu-objdump -h "$elf" | awk '$2 == ".text" { print $3, $4 }')
text=$(printf '0x%s..0x%x' "$2" $((0x$2 + 0x$1)))
# One TCG thread: each instruction's register dump follows its Trace line
# (footprint.py), even while several CPUs run.
timeout 900 qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a53 \
    -accel tcg,thread=single -smp 4 -m 1G -display none -monitor none -serial stdio -nic none -kernel "$elf" \
    -singlestep -d in_asm,exec,cpu,nochain -dfilter "$text" -D "$build/step.log" </dev/null >/dev/null || true
python3 "$here/footprint.py" "$elf" "$build/step.log" "$build/stream.txt"
cost=$build/tools/hv-path-cost
[ -x "$cost" ] || cost=$src/build/tools/hv-path-cost
"$cost" "$build/stream.txt"
rm -f "$build/step.log"
