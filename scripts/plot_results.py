#!/usr/bin/env python3
"""Plots of `bao-sim reproduce`: reads DIR/results.json, writes PNG and SVG.

usage: plot_results.py RESULTS_JSON OUT_DIR

figure2.{png,svg}: runtime normalised to native per workload and scenario
(bars like the paper's Figure 2, the paper's values as markers where
published); latency.{png,svg}: interrupt latency mean with min-max range per
scenario, beside the published figures. Needs matplotlib (python3-matplotlib).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SCENARIOS = ["solo", "solo-col", "interf", "interf-col"]
COLORS = ["#4c72b0", "#55a868", "#c44e52", "#8172b2"]


def save(fig, out_dir, name):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out_dir, f"{name}.{ext}"), dpi=120, bbox_inches="tight")
    plt.close(fig)


def platform_note(res):
    """' (qemu-riscv64-virt)' for another board than the default AArch64 one."""
    platform = res.get("meta", {}).get("platform", "qemu-aarch64-virt")
    return "" if platform == "qemu-aarch64-virt" else f" ({platform})"


def figure2(res, out_dir):
    rows = res.get("figure2", [])
    if not rows:
        return
    n = len(rows)
    width = 0.8 / len(SCENARIOS)
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * n + 2), 4.5))
    for k, (sc, col) in enumerate(zip(SCENARIOS, COLORS)):
        xs = [i + (k - (len(SCENARIOS) - 1) / 2) * width for i in range(n)]
        ys = [r.get("normalised", {}).get(sc, float("nan")) for r in rows]
        ax.bar(xs, ys, width, label=sc, color=col)
        px, py = [], []
        for x, r in zip(xs, rows):
            ref = r.get("paper_slowdown_pct", {}).get(sc)
            if ref is not None:
                px.append(x)
                py.append(1 + ref / 100.0)
        if px:
            ax.scatter(px, py, marker="_", s=120, color="black", zorder=3,
                       label="paper" if k == 0 else None)
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xticks(range(n))
    ax.set_xticklabels([r["workload"] for r in rows], rotation=45, ha="right")
    ax.set_ylabel("runtime / native")
    ax.set_title("MiBench automotive under bao-sim: runtime normalised to native" +
                 platform_note(res))
    ax.legend(ncol=5, fontsize="small")
    save(fig, out_dir, "figure2")


def latency(res, out_dir):
    rows = [r for r in res.get("table5", []) if "mean_ns" in r]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = range(len(rows))
    means = [r["mean_ns"] for r in rows]
    lo = [r["mean_ns"] - r["min_ns"] for r in rows]
    hi = [r["max_ns"] - r["mean_ns"] for r in rows]
    ax.bar([x - 0.2 for x in xs], means, 0.4, yerr=[lo, hi], capsize=3, label="bao-sim",
           color="#4c72b0")
    pm = [r.get("paper_ns", {}).get("mean", float("nan")) for r in rows]
    plo = [r["paper_ns"]["mean"] - r["paper_ns"]["min"] if "paper_ns" in r else 0 for r in rows]
    phi = [r["paper_ns"]["max"] - r["paper_ns"]["mean"] if "paper_ns" in r else 0 for r in rows]
    ax.bar([x + 0.2 for x in xs], pm, 0.4, yerr=[plo, phi], capsize=3, label="paper (ZCU104)",
           color="#dd8452")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([r["scenario"] for r in rows], rotation=30, ha="right")
    ax.set_ylabel("interrupt latency, ns (mean, min-max)")
    ax.set_yscale("log")
    ax.set_title("Interrupt latency per scenario" + platform_note(res))
    ax.legend(fontsize="small")
    save(fig, out_dir, "latency")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        res = json.load(f)
    figure2(res, sys.argv[2])
    latency(res, sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
