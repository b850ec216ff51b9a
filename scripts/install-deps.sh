#!/bin/sh
# Installs bao-sim's build and test dependencies from Debian 12 packages.
# Idempotent: when every package is already installed it does nothing
# (no apt-get update, no network).
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
qemu-system-arm
python3
python3-matplotlib
clang
libclang-rt-14-dev
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
