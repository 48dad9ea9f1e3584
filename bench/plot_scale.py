#!/usr/bin/env python3
"""Draws the scale plot of BENCHMARKS.md: time per namespace of each W(N)
phase against N, one line per runner (netns, the floor runner, ip -batch),
from bench/results/scale.json (bench/run.py --sweep). Flat lines are linear
cost; rising lines grow faster than N.

Usage: plot_scale.py SCALE.json OUT.svg   (matplotlib, from .venv-bench)
"""

import json
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FormatStrFormatter  # noqa: E402

PHASES = ("create", "configure", "dump", "delete")
STYLE = {
    "netns (Rust)": {"color": "tab:blue", "marker": "o"},
    "floor (syscalls only)": {"color": "tab:green", "marker": "s", "linestyle": "--"},
    "ip -batch": {"color": "tab:red", "marker": "^"},
}


def main():
    data = json.load(open(sys.argv[1]))
    w = data["w"]
    ns = sorted(w, key=int)
    runners = list(next(iter(w.values())))
    plt.rcParams["svg.hashsalt"] = "netns-bench"
    fig, axes = plt.subplots(1, len(PHASES) + 1, figsize=(15, 3.6), constrained_layout=True)
    for ax, phase in zip(axes, PHASES + ("total",)):
        for name in runners:
            xs, ys = [], []
            for n in ns:
                row = w[n].get(name, {})
                value = row.get("seconds", {}).get("median") if phase == "total" else row.get("phases", {}).get(phase)
                if value is not None:
                    xs.append(int(n))
                    ys.append(1e3 * value / int(n))
            if xs:
                ax.plot(xs, ys, label=name, **STYLE.get(name, {}))
        ax.set_title(phase)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks([int(n) for n in ns], [f"{int(n) // 1000}k" if int(n) >= 1000 else n for n in ns])
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
        ax.tick_params(axis="y", which="both", labelsize="x-small")
        ax.set_xlabel("N (namespaces)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ms per namespace")
    axes[-1].legend(fontsize="small")
    fig.suptitle(f"W(N): time per namespace by phase ({data['meta']['date']}, load {data['meta']['load_before']})",
                 fontsize="medium")
    fig.savefig(sys.argv[2], format="svg", metadata={"Date": None})


if __name__ == "__main__":
    main()
