#!/bin/sh
# Installs bao-sim's build and test dependencies from Debian 12 packages.
# Idempotent: when every package is already installed it does nothing
# (no apt-get update, no network), and neither does the Linux kernel fetch
# once its cache is full (scripts/linux/fetch-kernel.sh).
set -eu

PACKAGES="
cmake
g++
make
pkg-config
libunicorn-dev
libcapstone-dev
googletest
libgtest-dev
libboost-program-options-dev
libspdlog-dev
libbenchmark-dev
libtomlplusplus-dev
gcc-aarch64-linux-gnu
g++-aarch64-linux-gnu
binutils-aarch64-linux-gnu
picolibc-aarch64-linux-gnu
gcc-riscv64-unknown-elf
picolibc-riscv64-unknown-elf
libc6-dev-arm64-cross
libfdt-dev
device-tree-compiler
zlib1g-dev
cpio
qemu-system-arm
g++-riscv64-linux-gnu
qemu-system-misc
opensbi
python3
python3-matplotlib
clang
libclang-rt-14-dev
clang-format
"

# Speeds the build up but is not needed: scripts/test.sh uses Make without
# it, so failing to install it is a warning, never the end of a test run.
OPTIONAL="
ninja-build
"

missing_of() {
    out=""
    for p in $1; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            out="$out $p"
        fi
    done
    echo "$out"
}
missing=$(missing_of "$PACKAGES")
optional=$(missing_of "$OPTIONAL")

# Debian's arm64 kernel and busybox for the Linux VMs
# (docs/design.md#linux-from-debian), into a
# cache outside git; idempotent, and skipped with BAO_NO_LINUX=1. Without
# them only the tests that boot Linux are skipped, so a failed fetch (no
# network) is a warning, not the end of the install.
fetch_linux() {
    if [ "${BAO_NO_LINUX:-0}" != 1 ]; then
        "$(dirname "$0")/linux/fetch-kernel.sh" ||
            echo "install-deps: warning: Debian's arm64 kernel not fetched; the linux tests will be skipped" >&2
    fi
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing" >&2
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
if [ -n "$optional" ]; then
    echo "install-deps: installing (optional):$optional" >&2
    # shellcheck disable=SC2086
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $optional; } ||
        echo "install-deps: warning: could not install$optional; the build uses Make" >&2
fi
fetch_linux
