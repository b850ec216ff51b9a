"""Per-trap instruction counts and code lines of hv, from a QEMU exec log.

usage: paths.py bao-hv.elf exec.log [--lines]   (log of -d in_asm,exec,nochain)

With --lines it also prints the code lines (addresses) of each kind's median
trap (by line count): the line set sim/hv_code.cpp's measured layout holds.

A trap starts when CPU 0 enters hv's lower-EL sync (VBAR+0x400) or IRQ
(VBAR+0x480) vector and ends with the translation block holding the ERET of
restore_guest (qemu_log.py reads the ELF and the log).
"""
import collections
import sys

from qemu_log import events, trap_bounds


def main(elf, log, lines_too=False):
    entry, eret = trap_bounds(elf)
    tbs, cur = {}, None
    paths = collections.defaultdict(list)
    for ev in events(log):
        if ev[0] != "exec":
            continue
        _, cpu, pc, flags, block = ev
        if block:
            addrs = [b[0] for b in block]
            tbs[(pc, flags)] = (len(addrs), min(addrs), max(addrs) + 4)
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
        if lines_too:
            median_trap = sorted(v, key=lambda x: x[1])[len(v) // 2]
            print(f"{kind} lines:", " ".join(hex(a) for a in sorted(median_trap[3])))
    if paths["sync"] and paths["irq"]:
        shared = frozenset.intersection(*(x[3] for x in paths["irq"])) & frozenset.intersection(*(x[3] for x in paths["sync"]))
        print(f"lines every trap of both kinds touches (entry and restore): {len(shared)}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--lines"):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], len(sys.argv) == 4)
