#!/usr/bin/env python3
"""Writes a gzip'd newc cpio archive (a Linux initramfs) from a list of
entries, in the format of the kernel's usr/gen_init_cpio:

    dir   NAME MODE UID GID
    file  NAME SOURCE MODE UID GID
    nod   NAME MODE UID GID c|b MAJOR MINOR
    slink NAME TARGET MODE UID GID

Lines starting with '#' and blank lines are ignored. Device nodes need no
root privileges here (unlike cpio from a staging directory). The output is
deterministic: entries in list order, mtime 0, inode numbers by position,
gzip header without name or time. See docs/linux.md.

Usage: mkinitramfs.py LIST OUTPUT.cpio.gz
"""
import gzip
import os
import stat
import sys


def header(ino, mode, uid, gid, nlink, size, rdev_major, rdev_minor, name):
    fields = [ino, mode, uid, gid, nlink, 0, size, 0, 0, rdev_major, rdev_minor, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad4(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(ino, name, mode, uid, gid, data=b"", rdev=(0, 0), nlink=1):
    name_b = name.lstrip("/").encode() or b"."
    h = header(ino, mode, uid, gid, nlink, len(data), rdev[0], rdev[1], name_b)
    out = h + name_b + b"\0"
    out += pad4(len(out))
    out += data + pad4(len(data))
    return out


def build(lines):
    out = bytearray()
    for ino, line in enumerate(lines, start=1):
        w = line.split()
        kind = w[0]
        if kind == "dir" and len(w) == 5:
            out += entry(ino, w[1], stat.S_IFDIR | int(w[2], 8), int(w[3]), int(w[4]), nlink=2)
        elif kind == "file" and len(w) == 6:
            with open(w[2], "rb") as f:
                data = f.read()
            out += entry(ino, w[1], stat.S_IFREG | int(w[3], 8), int(w[4]), int(w[5]), data)
        elif kind == "nod" and len(w) == 8 and w[5] in ("c", "b"):
            t = stat.S_IFCHR if w[5] == "c" else stat.S_IFBLK
            out += entry(ino, w[1], t | int(w[2], 8), int(w[3]), int(w[4]),
                         rdev=(int(w[6]), int(w[7])))
        elif kind == "slink" and len(w) == 6:
            out += entry(ino, w[1], stat.S_IFLNK | int(w[3], 8), int(w[4]), int(w[5]),
                         w[2].encode())
        else:
            raise ValueError("bad initramfs list line: " + line)
    out += entry(0, "TRAILER!!!", 0, 0, 0)
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        lines = [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
    try:
        archive = build(lines)
    except (OSError, ValueError) as e:
        sys.exit("mkinitramfs: " + str(e))
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(archive)
    os.replace(tmp, sys.argv[2])


if __name__ == "__main__":
    main()
