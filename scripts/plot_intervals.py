#!/usr/bin/env python3
"""Plots an interval series of `bao-sim --stats-interval` (docs/observability.md).

usage: plot_intervals.py SERIES_CSV OUT_BASE [--metrics l2_miss_rate,ipc] [--scope vm|core]

Writes OUT_BASE.png and OUT_BASE.svg: one panel per metric, one line per VM
(or per core with --scope core), simulated time in ms on the x axis. Rates
(ipc, l2_miss_rate, l2_mpki) are the file's per-interval values; counts are
shown per interval. Needs matplotlib (python3-matplotlib).
"""
import argparse
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "l2_miss_rate": "L2 miss rate (per access)",
    "ipc": "IPC",
    "l2_mpki": "L2 MPKI",
    "mem_queue_cycles": "memory-queue cycles",
    "dtlb_misses": "DTLB misses",
    "interrupts": "interrupts",
    "hv_traps": "hv traps",
}


def read_series(path, scope):
    series = defaultdict(list)  # name -> rows in order
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["scope"] == scope:
                series[row["name"]].append(row)
    return series


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv")
    p.add_argument("out_base")
    p.add_argument("--metrics", default="l2_miss_rate,ipc")
    p.add_argument("--scope", choices=["vm", "core"], default="vm")
    p.add_argument("--title", default=None)
    a = p.parse_args(argv)
    metrics = [m for m in a.metrics.split(",") if m]
    series = read_series(a.csv, a.scope)
    if not series:
        sys.exit(f"plot_intervals: no {a.scope} rows in {a.csv}")
    fig, axes = plt.subplots(len(metrics), 1, figsize=(9, 2.8 * len(metrics)), sharex=True,
                             squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics):
        for name, rows in series.items():
            if metric not in rows[0]:
                sys.exit(f"plot_intervals: no column '{metric}' in {a.csv}")
            xs = [float(r["end_ms"]) for r in rows]  # each value holds up to its end
            ys = [float(r[metric]) for r in rows]
            # Intervals where the scope ran nothing carry no rate: leave gaps.
            if metric in ("ipc", "l2_miss_rate", "l2_mpki"):
                ys = [y if float(r["cycles"]) > 0 else float("nan") for y, r in zip(ys, rows)]
            label = name if a.scope == "vm" else f"core {name}"
            ax.step(xs, ys, where="pre", label=label, linewidth=1.2)
        ax.set_ylabel(LABELS.get(metric, metric))
        ax.grid(alpha=0.3)
    axes[0, 0].legend(ncol=4, fontsize="small")
    axes[-1, 0].set_xlabel("simulated time (ms)")
    axes[0, 0].set_title(a.title or f"bao-sim interval statistics: {a.csv}")
    for ext in ("png", "svg"):
        fig.savefig(f"{a.out_base}.{ext}", dpi=120, bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    main(sys.argv[1:])
