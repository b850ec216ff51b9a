#!/usr/bin/env python3
"""Where a measured process's cycles go, per scenario, from interval statistics.

    breakdown.py RUN.json [RUN.json ...] [--markdown]

Each RUN.json is a bao-sim stats file written with --stats-interval (its series
beside it as RUN.intervals.csv). For every measured run (a start mark and the
end mark after it, docs/stats.md "marks") the rows of the measured core that
overlap the run are summed, the two at its ends in proportion to their
overlap (so keep --stats-interval short against a process: 1 % of it or less). The first file is the reference
(native): the second table gives each scenario's extra cycles over it per
cause, in % of the reference's cycles. docs/timing-model.md, "Linux".
"""
import csv
import json
import os
import sys

COLS = ["instructions", "cycles", "stall_cycles", "stall_cycles_mem", "walk_cycles", "walks",
        "walk_reads", "walk_cache_hits", "dtlb_misses", "itlb_misses", "l2_accesses", "l2_misses",
        "mem_reads", "mem_queue_cycles", "mshr_stall_cycles", "l2_queue_cycles", "charged_cycles",
        "hv_memory_cycles", "hv_traps", "hv_irqs", "interrupts", "l1d_misses", "l1i_misses"]


def signed(text):
    """A column's value: the memory controller's per-core queueing is a
    balance that corrections can lower, so an interval's difference may be
    negative, written as its unsigned 64-bit wrap."""
    v = int(text or 0)
    return v - (1 << 64) if v >= 1 << 63 else v


def runs_of(stats):
    """(start, end) cycles of each measured run of the measured VM (or core 0)."""
    out, start = [], None
    vm = stats.get("workload", {}).get("vm", "")
    for m in stats.get("marks", []):
        if "vm" in m and vms_index(stats, vm) not in (None, m["vm"]):
            continue
        if m["kind"] == "start":
            start = m["cycle"]
        elif start is not None:
            out.append((start, m["cycle"]))
            start = None
    return out


def vms_index(stats, name):
    for i, v in enumerate(stats.get("vms", [])):
        if v.get("name") == name:
            return i
    return None


def measured_core(stats):
    name = stats.get("workload", {}).get("vm", "")
    for v in stats.get("vms", []):
        if v.get("name") == name:
            cores = v.get("cores", 1)
            return (cores & -cores).bit_length() - 1 if isinstance(cores, int) else 0
    return 0


def sums(path):
    stats = json.load(open(path))
    series = path[:-5] + ".intervals.csv" if path.endswith(".json") else path + ".intervals.csv"
    core = str(measured_core(stats))
    runs = runs_of(stats)
    acc = [dict.fromkeys(COLS, 0) for _ in runs]
    with open(series) as f:
        for row in csv.DictReader(f):
            if row["scope"] != "core" or row["name"] != core:
                continue
            lo, hi = int(row["start_cycle"]), int(row["end_cycle"])
            for k, (a, b) in enumerate(runs):
                share = (min(hi, b) - max(lo, a)) / (hi - lo) if hi > lo else 0
                if share > 0:
                    for c in COLS:
                        acc[k][c] += share * signed(row.get(c, 0))
    n = max(len(acc), 1)
    mean = {c: sum(a[c] for a in acc) / n for c in COLS}
    mean["runs"] = len(acc)
    mean["marked_cycles"] = sum(b - a for a, b in runs) / n
    return stats, mean


def causes(m):
    """Cycles of a process by cause (they add up to its cycles)."""
    micro = m["dtlb_misses"] + m["itlb_misses"]
    l2tlb_hits = max(micro - m["walks"], 0) * 2  # tlb.l2.latency (default 2)
    guest_mem = m["stall_cycles_mem"] - m["hv_memory_cycles"] - m["walk_cycles"] - l2tlb_hits
    c = {
        "instructions (1 cycle each)": m["instructions"],
        "hv: fixed path cost": m["charged_cycles"] - m["hv_memory_cycles"],
        "hv: its memory accesses": m["hv_memory_cycles"],
        "TLB: walks (main-TLB misses)": m["walk_cycles"],
        "TLB: main-TLB hits": l2tlb_hits,
        "caches and memory (guest)": guest_mem,
    }
    c["other"] = m["cycles"] - sum(c.values())
    return c


def main(argv):
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        print(__doc__)
        return 2
    rows = []
    for p in files:
        stats, m = sums(p)
        label = os.path.basename(p)[:-5]
        rows.append((label, m, causes(m)))
    ref = rows[0]
    print("| run | processes | cycles | instructions | walks | walk reads (wc hits) | "
          "walk cycles/walk | L2 misses | mem reads | mem queue | hv traps / IRQs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, m, _ in rows:
        w = m["walks"] or 1
        print(f"| {label} | {m['runs']} | {m['cycles']:.0f} | {m['instructions']:.0f} | "
              f"{m['walks']:.0f} | {m['walk_reads']:.0f} ({m['walk_cache_hits']:.0f}) | "
              f"{m['walk_cycles'] / w:.1f} | {m['l2_misses']:.0f} | {m['mem_reads']:.0f} | "
              f"{m['mem_queue_cycles']:.0f} | {m['hv_traps']:.0f} / {m['hv_irqs']:.0f} |")
    print()
    names = list(ref[2].keys())
    print("| cause | " + " | ".join(r[0] for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    base = ref[1]["cycles"] or 1
    for n in names:
        cells = []
        for i, (_, _, c) in enumerate(rows):
            if i == 0:
                cells.append(f"{c[n]:.0f} ({100 * c[n] / base:.2f} %)")
            else:
                d = c[n] - ref[2][n]
                cells.append(f"{d:+.0f} ({100 * d / base:+.2f} %)")
        print(f"| {n} | " + " | ".join(cells) + " |")
    cells = []
    for i, (_, m, _) in enumerate(rows):
        d = m["cycles"] - (0 if i == 0 else ref[1]["cycles"])
        cells.append(f"{d:+.0f} ({100 * d / base:+.2f} %)" if i else f"{d:.0f}")
    print("| **total** | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
