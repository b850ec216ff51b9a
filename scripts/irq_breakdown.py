#!/usr/bin/env python3
"""Per-sample attribution of irqlat's latency from a stats file written with
`--irq-breakdown --raw-samples` (docs/observability.md, "Where an interrupt's
latency goes").

usage: scripts/irq_breakdown.py STATS.json [STATS.json ...] [--split NS]

For each file: the mean latency, and per sample the means of each phase
(hv's code fetches, hv's data and GIC accesses, the guest up to its next
trap): cycles, L1 I / L1 D / L2 misses, DRAM reads and the queueing a read
waited. With --split NS (default: the midpoint between the fastest and the
slowest sample's latency when they differ by more than 1.5x, else no split)
the samples above and below are reported apart (bimodality).
"""
import json
import statistics
import sys


def phase_rows(bd, idx):
    rows = {}
    for phase in ("hv_code", "hv_rest", "guest"):
        p = bd[phase]
        n = len(idx) or 1
        row = {k: sum(p[k][i] for i in idx) / n
               for k in ("cycles", "l1i_misses", "l1d_misses", "l2_misses", "mem_reads", "mem_queue_cycles")}
        reads = sum(p["mem_reads"][i] for i in idx)
        row["queue_per_read"] = sum(p["mem_queue_cycles"][i] for i in idx) / reads if reads else 0.0
        rows[phase] = row
    return rows


def report(path, split):
    s = json.load(open(path))
    lat = s["irq_latency_ns"]["raw"]
    bd = s["irq_breakdown"]
    # records whose closing trap reported a sample: record k <-> sample bd.sample[k]
    pairs = [(k, bd["sample"][k]) for k in range(bd["irqs"]) if bd["sample"][k] < len(lat)]
    print(f"{path}: {len(lat)} samples, mean {statistics.mean(lat):.0f} ns, "
          f"min {min(lat):.0f}, max {max(lat):.0f}; {len(pairs)} IRQs paired")
    groups = [("all", [k for k, _ in pairs])]
    if split is None and max(lat) > 1.5 * min(lat):
        split = (max(lat) + min(lat)) / 2
    if split is not None:
        hi = [k for k, i in pairs if lat[i] > split]
        lo = [k for k, i in pairs if lat[i] <= split]
        if hi and lo:
            groups += [(f"> {split:.0f} ns", hi), (f"<= {split:.0f} ns", lo)]
    for name, idx in groups:
        if not idx:
            continue
        mean_lat = statistics.mean(lat[bd["sample"][k]] for k in idx)
        print(f"  {name}: {len(idx)} samples, mean {mean_lat:.0f} ns")
        for phase, r in phase_rows(bd, idx).items():
            print(f"    {phase:8s} cycles {r['cycles']:7.0f}  L1I miss {r['l1i_misses']:5.1f}  "
                  f"L1D miss {r['l1d_misses']:5.1f}  L2 miss {r['l2_misses']:5.1f}  "
                  f"DRAM reads {r['mem_reads']:5.1f}  queue/read {r['queue_per_read']:6.1f}")


def main(argv):
    split = None
    files = []
    it = iter(argv)
    for a in it:
        if a == "--split":
            split = float(next(it))
        else:
            files.append(a)
    if not files:
        raise SystemExit(__doc__)
    for f in files:
        report(f, split)


if __name__ == "__main__":
    main(sys.argv[1:])
