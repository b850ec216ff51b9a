#!/bin/sh
# Fetches Debian 12's own arm64 Linux kernel and busybox-static:arm64 through
# multiarch (docs/design.md#linux-from-debian: Linux's kernel and user space come only from Debian
# packages; nothing binary is committed) and unpacks them into a cache
# directory outside git. Opt-in: the tests labelled `linux` need it, the rest
# of the suite does not. See docs/linux.md.
#
# Usage: scripts/linux/fetch-kernel.sh [CACHE_DIR]
#   CACHE_DIR defaults to $BAO_LINUX_CACHE, else /var/cache/bao-sim/linux.
# Afterwards CACHE_DIR holds:
#   Image          the kernel (boot/vmlinuz-*: an uncompressed arm64 Image)
#   busybox        the static arm64 busybox (bin/busybox)
#   config         the kernel's build configuration (boot/config-*)
#   VERSION        the kernel package's name and version, one line
# Idempotent: a cache that already has all three is left as it is
# (no network).
set -eu

CACHE=${1:-${BAO_LINUX_CACHE:-/var/cache/bao-sim/linux}}
if [ -s "$CACHE/Image" ] && [ -s "$CACHE/busybox" ] && [ -s "$CACHE/VERSION" ]; then
    echo "fetch-kernel: $CACHE already has $(cat "$CACHE/VERSION")" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# arm64 packages become visible to apt only once the architecture is added.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "fetch-kernel: adding the arm64 architecture (multiarch)" >&2
    $SUDO dpkg --add-architecture arm64
    $SUDO apt-get update -qq
fi

# The meta package depends on exactly one versioned image package; resolve it
# so that only that one is downloaded (a wildcard would fetch every version).
resolve_image() {
    apt-cache depends linux-image-arm64:arm64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][0-9.]*-[0-9]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' |
        head -n 1
}
IMAGE_PKG=$(resolve_image)
if [ -z "$IMAGE_PKG" ]; then
    # A stale package list (architecture added elsewhere, never updated).
    $SUDO apt-get update -qq
    IMAGE_PKG=$(resolve_image)
fi
if [ -z "$IMAGE_PKG" ]; then
    echo "fetch-kernel: cannot resolve linux-image-arm64:arm64 to a versioned package" >&2
    exit 1
fi

mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo "fetch-kernel: downloading $IMAGE_PKG:arm64 and busybox-static:arm64" >&2
# apt-get download runs as the _apt user where it can; the work directory
# must be writable by it.
chmod 0777 "$WORK"
apt-get download -q "$IMAGE_PKG:arm64" busybox-static:arm64

mkdir kernel busybox
dpkg-deb -x "$IMAGE_PKG"_*_arm64.deb kernel
dpkg-deb -x busybox-static_*_arm64.deb busybox
set -- kernel/boot/vmlinuz-*
if [ ! -f "$1" ]; then
    echo "fetch-kernel: $IMAGE_PKG has no boot/vmlinuz-*" >&2
    exit 1
fi
VERSION_LINE="$IMAGE_PKG $(dpkg-deb -f "$IMAGE_PKG"_*_arm64.deb Version)"

# Install atomically: a half-written cache is never taken for a full one.
cp "$1" "$CACHE/Image.tmp" && mv "$CACHE/Image.tmp" "$CACHE/Image"
cp kernel/boot/config-* "$CACHE/config"
cp busybox/bin/busybox "$CACHE/busybox.tmp" && mv "$CACHE/busybox.tmp" "$CACHE/busybox"
chmod 0755 "$CACHE/busybox"
echo "$VERSION_LINE" >"$CACHE/VERSION.tmp" && mv "$CACHE/VERSION.tmp" "$CACHE/VERSION"
echo "fetch-kernel: $CACHE: $VERSION_LINE" >&2
