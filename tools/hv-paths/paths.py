"""Per-trap instruction counts and code lines of hv, from a QEMU exec log.

usage: paths.py bao-hv.elf exec.log   (log of -d in_asm,exec,nochain)

A trap starts when CPU 0 enters hv's lower-EL sync (VBAR+0x400) or IRQ
(VBAR+0x480) vector and ends with the translation block holding the ERET of
restore_guest. Addresses come from the ELF's symbols, so a rebuilt image
needs no edits.
"""
import collections
import re
import subprocess
import sys


def symbols(elf):
    out = subprocess.run(["aarch64-linux-gnu-nm", elf], capture_output=True, text=True, check=True)
    return {parts[2]: int(parts[0], 16) for parts in (l.split() for l in out.stdout.splitlines()) if len(parts) == 3}


def eret_address(elf, start):
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--start-address=%#x" % start, elf],
                         capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+eret", line)
        if m:
            return int(m.group(1), 16)
    raise SystemExit("no eret after restore_guest")


def main(elf, log):
    sym = symbols(elf)
    vbar = sym["bao_hv_vectors"]
    entry = {vbar + 0x400: "sync", vbar + 0x480: "irq"}
    eret = eret_address(elf, sym["restore_guest"])
    tbs, pending, cur = {}, None, None
    paths = collections.defaultdict(list)
    for line in open(log, errors="replace"):
        if line.startswith("IN:"):
            pending = []
            continue
        m = re.match(r"0x([0-9a-f]+):\s+[0-9a-f]{8}\s", line)
        if m and pending is not None:
            pending.append(int(m.group(1), 16))
            continue
        m = re.match(r"Trace (\d+): 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/", line)
        if not m:
            continue
        cpu, pc, flags = int(m.group(1)), int(m.group(2), 16), m.group(3)
        if pending:
            tbs[(pc, flags)] = (len(pending), min(pending), max(pending) + 4)
            pending = None
        if cpu != 0:
            continue
        if pc in entry:
            cur = (entry[pc], [0], set())
        if cur is None:
            continue
        n, lo, hi = tbs.get((pc, flags), (1, pc, pc + 4))
        cur[1][0] += n
        cur[2].update(range(lo & ~63, hi, 64))
        if lo <= eret < hi:
            lines = sorted(cur[2])
            runs = 1 + sum(1 for a, b in zip(lines, lines[1:]) if b != a + 64)
            paths[cur[0]].append((cur[1][0], len(lines), runs, frozenset(lines)))
            cur = None
    for kind in ("sync", "irq"):
        v = paths[kind]
        if not v:
            print(f"{kind}: no complete trap found")
            continue
        med = lambda i: sorted(x[i] for x in v)[len(v) // 2]
        print(f"{kind}: {len(v)} traps; median {med(0)} instructions, {med(1)} code lines in {med(2)} runs")
    if paths["sync"] and paths["irq"]:
        shared = frozenset.intersection(*(x[3] for x in paths["irq"])) & frozenset.intersection(*(x[3] for x in paths["sync"]))
        print(f"lines every trap of both kinds touches (entry and restore): {len(shared)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
