#!/usr/bin/env python3
"""Draws the scale plot of BENCHMARKS.md: time per namespace of each W(N)
phase against N, one line per runner (netns from Rust, C and Python, netns
apply, the floor runner, ip -batch), from bench/results/scale.json
(bench/run.py --sweep). Flat lines are linear cost; rising lines grow faster
than N. `netns apply` creates and configures in one command: it appears in
the "create + configure" panel, not in "create" and "configure".

Usage: plot_scale.py SCALE.json OUT.svg   (matplotlib, from .venv-bench)
"""

import json
import math
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, FuncFormatter  # noqa: E402

PHASES = ("create", "configure", "dump", "delete")
PANELS = ("create", "configure", "create + configure", "dump", "delete", "total")
STYLE = {
    "netns (Rust)": {"color": "tab:blue", "marker": "o"},
    "floor (syscalls only)": {"color": "tab:green", "marker": "s", "linestyle": "--"},
    "libnetns (C)": {"color": "tab:purple", "marker": "D", "markersize": 4},
    "netns-py": {"color": "tab:orange", "marker": "v"},
    "netns apply": {"color": "tab:brown", "marker": "P"},
    "ip -batch": {"color": "tab:red", "marker": "^"},
}
ORDER = tuple(STYLE)


def minor_label(v, _pos):
    """Labels the minor ticks 2 and 5 of each decade only."""
    m = round(v / 10 ** math.floor(math.log10(v))) if v > 0 else 0
    return f"{v:g}" if m in (2, 5) else ""


def value(row, panel):
    """Seconds of one panel's phase(s) in a row, or None."""
    ph = row.get("phases", {})
    if panel == "total":
        return row.get("seconds", {}).get("median")
    if panel == "create + configure":
        if "apply" in ph:
            return ph["apply"]
        if "create" in ph and "configure" in ph:
            return ph["create"] + ph["configure"]
        return None
    return ph.get(panel)


def main():
    data = json.load(open(sys.argv[1]))
    w = data["w"]
    ns = sorted(w, key=int)
    seen = {name for rows in w.values() for name in rows}
    runners = [k for k in ORDER if k in seen] + sorted(seen - set(ORDER))
    plt.rcParams["svg.hashsalt"] = "netns-bench"
    fig, grid = plt.subplots(2, 3, figsize=(14, 7.5), constrained_layout=True)
    axes = grid.flatten()
    for ax, phase in zip(axes, PANELS):
        for name in runners:
            xs, ys = [], []
            for n in ns:
                v = value(w[n].get(name, {}), phase)
                if v is not None:
                    xs.append(int(n))
                    ys.append(1e3 * v / int(n))
            if xs:
                ax.plot(xs, ys, label=name, **STYLE.get(name, {}))
        ax.set_title(phase)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks([int(n) for n in ns], [f"{int(n) // 1000}k" if int(n) >= 1000 else n for n in ns])
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(FuncFormatter(minor_label))
        ax.tick_params(axis="y", which="both", labelsize="x-small")
        ax.set_xlabel("N (namespaces)")
        ax.grid(True, which="both", alpha=0.3)
    for ax in grid[:, 0]:
        ax.set_ylabel("ms per namespace")
    axes[-1].legend(fontsize="small")
    fig.suptitle("W(N): time per namespace by phase, log-log (bench/results/scale.json; last run "
                 f"{data['meta']['date']}; each row's date and load in BENCHMARKS.md)", fontsize="medium")
    fig.savefig(sys.argv[2], format="svg", metadata={"Date": None})


if __name__ == "__main__":
    main()
