#!/usr/bin/env python3
"""The netns benchmarks, side by side with their anchors (bench/README.md).

W(N): N named namespaces, each with a veth pair whose inner end is born in
it; the host end gets 10.77.x.y/32 and is up; the inner end and lo are up;
one dump of every link and address of the root namespace, counted; every
namespace deleted. Every implementation runs once per round, rounds
interleaved, each run in a fresh scripts/sandbox.sh, with a pause between
runs until the kernel has freed the previous run's namespaces.

The dump: one sandbox holding a namespace with 10,000 links (5,000 veth
pairs), an address on each; every implementation lists every link and
address, round by round.

Latency: single adds (a namespace, a veth, an address), median per call.

Scale (--sweep N1,N2,...): W(N) at each N for netns (Rust), the floor
runner (the same messages, only the necessary syscalls) and ip -batch, each
run in a fresh sandbox, with its four phases; then (--list-names K) `netns
list`, `netns list-id`, `ip netns list` and `ip netns list-id` with K names.
Writes bench/results/scale.json, the plot bench/results/w_scale.svg
(bench/plot_scale.py, matplotlib from .venv-bench) and the scale section of
BENCHMARKS.md (between its bench-scale markers).

Usage: bench/run.py [--n N] [--rounds R] [--dump-pairs P] [--dump-rounds R]
                    [--latency K] [--only a,b] [--skip-dump] [--skip-latency]
                    [--smoke] [--no-write]
       bench/run.py --sweep 1000,2000,4000,8000 [--rounds R] [--only a,b]
                    [--list-names K] [--no-write]
Writes bench/results/{w,dump,latency}.json and the measured part of
BENCHMARKS.md (between its bench markers) unless --no-write.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_BIN = ROOT / "target/release/netns-bench"
NETNS_BIN = ROOT / "target/release/netns"
SANDBOX = ROOT / "scripts/sandbox.sh"
RUNNERS = ROOT / "bench/runners"
VENV_PY = ROOT / ".venv-bench/bin/python"
RESULTS = ROOT / "bench/results"
MARK_BEGIN = "<!-- bench:begin (written by bench/run.py; edit outside the markers) -->"
MARK_END = "<!-- bench:end -->"
SCALE_BEGIN = "<!-- bench-scale:begin (written by bench/run.py --sweep; edit outside the markers) -->"
SCALE_END = "<!-- bench-scale:end -->"
PHASES = ("create", "configure", "dump", "delete")

# The targets of issue 7: (row, anchor, max ratio of medians).
W_TARGETS = [
    ("netns (Rust)", "ip -batch", 0.25),
    ("netns (Rust)", "rtnetlink 0.24", 0.6),
    ("netns-py", "netns (Rust)", 1.2),
    ("netns-py", "pyroute2", 0.05),
    ("libnetns (C)", "netns (Rust)", 1.05),
    ("netns apply", "ip -batch", 0.3),
]
DUMP_TARGETS = [
    ("netns (Rust)", "ip -j", 0.1),
    ("netns (Rust)", "rtnetlink 0.24", 0.6),
    ("netns-py", "pyroute2", 0.02),
]


def log(*args):
    print("bench:", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- runners


def optional_runner(script, *args):
    """A runner script that exists only once its implementation has landed:
    (command, None) or (None, why not)."""
    path = RUNNERS / script
    if not path.exists():
        return None, f"no runner yet ({path.relative_to(ROOT)})"
    probe = subprocess.run([str(path), "--available"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None, (probe.stdout + probe.stderr).strip() or "not available"
    return [str(path), *args], None


def w_runners(n):
    """name -> (command, None) or (None, why it is not available)."""
    r = {}
    r["netns (Rust)"] = ([str(BENCH_BIN), "w", "netns", str(n)], None)
    r["netns apply"] = optional_runner("w_apply.sh", str(n))
    r["netns-py"] = optional_runner("netns_py.sh", "w", str(n))
    r["libnetns (C)"] = optional_runner("netns_c.sh", "w", str(n))
    r["ip -batch"] = ([str(RUNNERS / "w_ip_batch.sh"), str(n)], None)
    r["ip (one per op)"] = ([str(RUNNERS / "w_ip.sh"), str(n)], None)
    r["rtnetlink 0.24"] = ([str(BENCH_BIN), "w", "rtnetlink", str(n)], None)
    if VENV_PY.exists():
        r["pyroute2"] = ([str(VENV_PY), str(RUNNERS / "pyroute2_runner.py"), "w", str(n)], None)
    else:
        r["pyroute2"] = (None, "no .venv-bench (scripts/setup.sh bench)")
    return r


def dump_runners(ns):
    r = {}
    r["netns (Rust)"] = ([str(BENCH_BIN), "dump", "netns", ns], None)
    r["netns-py"] = optional_runner("netns_py.sh", "dump", ns)
    r["libnetns (C)"] = optional_runner("netns_c.sh", "dump", ns)
    r["ip -j"] = ([str(RUNNERS / "dump_ip.sh"), ns], None)
    r["rtnetlink 0.24"] = ([str(BENCH_BIN), "dump", "rtnetlink", ns], None)
    if VENV_PY.exists():
        r["pyroute2"] = ([str(VENV_PY), str(RUNNERS / "pyroute2_runner.py"), "dump", ns], None)
    else:
        r["pyroute2"] = (None, "no .venv-bench (scripts/setup.sh bench)")
    return r


def latency_runners(k):
    r = {}
    r["netns (Rust)"] = ([str(BENCH_BIN), "latency", str(k)], None)
    r["netns-py"] = optional_runner("netns_py.sh", "latency", str(k))
    r["libnetns (C)"] = optional_runner("netns_c.sh", "latency", str(k))
    return r


# ---------------------------------------------------------------- measuring


def measure(cmd, sandboxed, timeout=1800):
    """Runs cmd (in a fresh scripts/sandbox.sh when `sandboxed`) under
    `netns-bench measure`; returns (its JSON line, wall seconds, user
    seconds, sys seconds, peak RSS KiB) of it and every descendant it waited
    for."""
    full = [str(BENCH_BIN), "measure", *cmd]
    if sandboxed:
        full = [str(SANDBOX), *full]
    try:
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(cmd)}: no answer in {timeout} s")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or len(lines) < 2:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    result = json.loads(lines[-2])
    ru = json.loads(lines[-1])["rusage"]
    return result, ru["wall"], ru["user"], ru["sys"], ru["maxrss_kib"]


def net_namespaces_in_use():
    """Allocated objects of the kernel's net_namespace slab cache, or None."""
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                if line.startswith("net_namespace "):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def settle(baseline, pause, limit=60.0):
    """Waits `pause`, then until the kernel has freed the namespaces of the
    previous run: its net_namespace slab count is back near `baseline`, or
    has stopped falling for a second (other processes on the machine may
    hold namespaces of their own); returns the seconds waited."""
    t0 = time.monotonic()
    time.sleep(pause)
    if baseline is None:
        return time.monotonic() - t0
    recent = []
    while time.monotonic() - t0 < limit:
        now = net_namespaces_in_use()
        if now is None or now <= baseline + 8:
            break
        recent = (recent + [now])[-6:]
        if len(recent) == 6 and min(recent[1:]) >= recent[0]:
            break
        time.sleep(0.2)
    else:
        log(f"namespaces still being freed after {limit:.0f}s; going on")
    return time.monotonic() - t0


def summarize(samples, key):
    vals = [s[key] for s in samples]
    med = statistics.median(vals)
    return {
        "median": med,
        "min": min(vals),
        "max": max(vals),
        "spread_pct": 100.0 * (max(vals) - min(vals)) / med if med else 0.0,
        "values": vals,
    }


def run_rounds(runners, rounds, sandboxed, pause, baseline, label):
    """Every available runner once per round, rotating the order each round.
    Returns name -> {"available": bool, ...}."""
    names = [k for k, (cmd, _) in runners.items() if cmd]
    samples = {k: [] for k in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)] if names else []
        for name in order:
            result, wall, user, sys_, rss = measure(runners[name][0], sandboxed)
            sample = {
                "seconds": float(result.get("seconds", wall)),
                "wall": wall,
                "user": user,
                "sys": sys_,
                "rss_kib": rss,
                "result": result,
            }
            samples[name].append(sample)
            log(f"{label} round {r + 1}/{rounds} {name}: {sample['seconds']:.3f} s "
                f"(process {wall:.3f} s, user {user:.3f}, sys {sys_:.3f}, {rss} KiB)")
            if sandboxed:
                settle(baseline, pause)
    out = {}
    for name, (cmd, why) in runners.items():
        if not cmd:
            out[name] = {"available": False, "why": why}
            continue
        s = samples[name]
        out[name] = {
            "available": True,
            "command": " ".join(runners[name][0]),
            "seconds": summarize(s, "seconds"),
            "wall": summarize(s, "wall"),
            "user": summarize(s, "user"),
            "sys": summarize(s, "sys"),
            "rss_kib": summarize(s, "rss_kib"),
            "last_result": s[-1]["result"],
        }
    return out


# ---------------------------------------------------------------- the dump, inside one sandbox


def dump_inner(args):
    """Runs inside scripts/sandbox.sh: sets the dump namespace up, then the
    rounds; prints the results as JSON."""
    ns = "dump"
    setup, *_ = measure([str(BENCH_BIN), "dump-setup", ns, str(args.dump_pairs)], False)
    want_links = 2 * args.dump_pairs + 1
    runners = dump_runners(ns)
    if args.only:
        runners = {k: v for k, v in runners.items() if k in args.only}
    res = run_rounds(runners, args.dump_rounds, False, 0, None, "dump")
    for name, row in res.items():
        if row["available"]:
            got = row["last_result"]
            if got.get("links") != want_links or got.get("addresses") != 2 * args.dump_pairs:
                raise RuntimeError(f"dump {name}: wrong counts {got}")
    print(json.dumps({"setup": setup, "rows": res}))


# ---------------------------------------------------------------- reporting


def ratio_table(rows, anchor):
    base = rows.get(anchor, {})
    return base["seconds"]["median"] if base.get("available") else None


def fmt_row(name, row, anchor_median, seconds_label=True):
    if not row["available"]:
        return f"| {name} | not available: {row['why']} | | | | | | |"
    s, w = row["seconds"], row["wall"]
    user, sys_ = row["user"]["median"], row["sys"]["median"]
    ratio = f"{s['median'] / anchor_median:.3f}×" if anchor_median else "–"
    share = f"{100 * sys_ / w['median']:.0f}%" if w["median"] else "–"
    return (
        f"| {name} | {s['median']:.3f} s | {s['min']:.3f}–{s['max']:.3f} ({s['spread_pct']:.0f}%) "
        f"| {user:.3f} s | {sys_:.3f} s | {share} | {row['rss_kib']['median'] / 1024:.1f} MiB | {ratio} |"
    )


def targets_table(rows, targets):
    lines = ["| target | measured | status |", "|---|---|---|"]
    for name, anchor, limit in targets:
        a, b = rows.get(name, {}), rows.get(anchor, {})
        if not (a.get("available") and b.get("available")):
            missing = name if not a.get("available") else anchor
            lines.append(f"| {name} ≤ {limit}× {anchor} | – | not measured: {missing} not available |")
            continue
        r = a["seconds"]["median"] / b["seconds"]["median"]
        status = "met" if r <= limit else f"MISSED by {100 * (r / limit - 1):.0f}%"
        lines.append(f"| {name} ≤ {limit}× {anchor} | {r:.3f}× | {status} |")
    return lines


HEADER = (
    "| implementation | median | min–max (spread) | user CPU | sys CPU | kernel share (sys/wall) | peak RSS | ratio |\n"
    "|---|---|---|---|---|---|---|---|"
)


def markdown(meta, w, dump, lat):
    out = [MARK_BEGIN, ""]
    out.append(f"Measured {meta['date']} on {meta['machine']}; load average before/after: "
               f"{meta['load_before']} / {meta['load_after']}.")
    out.append("")
    if w:
        out.append(f"### W(N), N = {w['n']}, {w['rounds']} rounds (ratio to `ip -batch`)")
        out.append("")
        out.append(HEADER)
        base = ratio_table(w["rows"], "ip -batch")
        for name, row in w["rows"].items():
            out.append(fmt_row(name, row, base))
        out.append("")
        out.extend(targets_table(w["rows"], W_TARGETS))
        rust = w["rows"].get("netns (Rust)", {})
        phases = rust.get("last_result", {}).get("phases") if rust.get("available") else None
        if phases:
            out.append("")
            out.append("Phases of the last Rust run: " + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items()) + ".")
        out.append("")
    if dump:
        out.append(f"### Dump of {dump['links']} links + {dump['addresses']} addresses in one namespace, "
                   f"{dump['rounds']} rounds (ratio to `ip -j`)")
        out.append("")
        out.append(HEADER)
        base = ratio_table(dump["rows"], "ip -j")
        for name, row in dump["rows"].items():
            out.append(fmt_row(name, row, base))
        out.append("")
        out.extend(targets_table(dump["rows"], DUMP_TARGETS))
        rust = dump["rows"].get("netns (Rust)", {})
        if rust.get("available"):
            a = rust["last_result"]["alloc"]
            out.append("")
            out.append(
                f"Heap allocations of the Rust in-place iterators (second dump, buffers grown): "
                f"{a['per_link_iterated']} per link iterated, {a['per_address_iterated']} per address "
                f"iterated; {a['link_dump_request']} for the whole link dump request and "
                f"{a['addr_dump_request']} for the address dump request."
            )
        out.append("")
    if lat:
        out.append(f"### Per-call latency, {lat['k']} calls each (median / p90, µs)")
        out.append("")
        out.append("| implementation | namespace add | veth add (peer born in the namespace) | address add |")
        out.append("|---|---|---|---|")
        for name, row in lat["rows"].items():
            if not row["available"]:
                out.append(f"| {name} | not available: {row['why']} | | |")
                continue
            r = row["last_result"]
            cell = lambda k: f"{r[k]['median_us']:.0f} / {r[k]['p90_us']:.0f}"
            out.append(f"| {name} | {cell('ns_add')} | {cell('veth_add')} | {cell('addr_add')} |")
        out.append("")
    out.append(MARK_END)
    return "\n".join(out)


def write_markdown(text, begin=MARK_BEGIN, end=MARK_END):
    """Replaces the text between `begin` and `end` (markers included, as
    `text` starts and ends with them) in BENCHMARKS.md, or appends it."""
    path = ROOT / "BENCHMARKS.md"
    old = path.read_text() if path.exists() else "# Benchmarks\n\n" + begin + "\n" + end + "\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        _, tail = rest.split(end, 1)
        new = head + text + tail
    else:
        new = old.rstrip() + "\n\n" + text + "\n"
    path.write_text(new)


# ---------------------------------------------------------------- scale: W(N) against N, listings


def scale_runners(n):
    """The W(N) runners of the sweep: name -> command. The C, Python and
    apply runners are those of `make bench` (each prints its phases too);
    one whose implementation is not built is left out, with a note."""
    r = {
        "netns (Rust)": [str(BENCH_BIN), "w", "netns", str(n)],
        "floor (syscalls only)": [str(BENCH_BIN), "w", "floor", str(n)],
        "libnetns (C)": optional_runner("netns_c.sh", "w", str(n)),
        "netns-py": optional_runner("netns_py.sh", "w", str(n)),
        "netns apply": optional_runner("w_apply.sh", str(n)),
        "ip -batch": [str(RUNNERS / "w_ip_batch.sh"), str(n)],
    }
    out = {}
    for name, cmd in r.items():
        if isinstance(cmd, tuple):
            cmd, why = cmd
            if not cmd:
                if n:
                    log(f"sweep: {name}: not available: {why}")
                continue
        out[name] = cmd
    return out


def one_run(n, name, cmd, label, timeout=3600):
    """One W(n) run of a scale runner in a fresh sandbox: a sample with its
    phases, or {"ok": False, "error": ...}; either way with the load average
    before and after it, and its date."""
    load = loadavg()
    date = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    try:
        result, wall, user, sys_, rss = measure(cmd, True, timeout=timeout)
        sample = {"ok": True, "seconds": float(result["seconds"]),
                  "phases": result.get("phases", {}),
                  "phases_cpu": result.get("phases_cpu", {}),
                  "consistent": result.get("consistent", True),
                  "recv_buffer": result.get("recv_buffer"),
                  "wall": wall, "user": user, "sys": sys_, "rss_kib": rss,
                  "load": load, "load_after": loadavg(), "date": date}
        log(f"W({n}) {label} {name}: {result['seconds']:.3f} s "
            f"{result.get('phases', {})} (user {user:.2f}, sys {sys_:.2f}, {rss} KiB, "
            f"load {load} -> {sample['load_after']})")
    except RuntimeError as e:
        sample = {"ok": False, "error": str(e)[-500:], "load": load, "load_after": loadavg(), "date": date}
        log(f"W({n}) {label} {name}: FAILED: {str(e)[-300:]}")
    return sample


def summarize_runs(samples):
    """The row of one runner at one N from its samples (failed ones counted)."""
    good = [x for x in samples if x["ok"]]
    row = {"runs": len(samples), "failed": len(samples) - len(good),
           "inconsistent": sum(1 for x in good if not x["consistent"]), "samples": samples}
    if good:
        row["seconds"] = summarize(good, "seconds")
        row["rss_kib"] = summarize(good, "rss_kib")
        row["user"] = summarize(good, "user")
        row["sys"] = summarize(good, "sys")
        row["phases"] = {p: statistics.median(x["phases"][p] for x in good)
                         for p in PHASES + ("apply",) if all(p in x["phases"] for x in good)}
        cpu = {p: statistics.median(x["phases_cpu"][p] for x in good)
               for p in PHASES if all(p in x.get("phases_cpu", {}) for x in good)}
        if cpu:
            row["phases_cpu"] = cpu
    return row


def sweep(ns, rounds, only, pause, baseline):
    """W(n) for every n of `ns`, every runner `rounds` times, rounds
    interleaved, each run in a fresh sandbox. A failed run is recorded (with
    its error) and the sweep goes on. Returns {n: {name: row}}."""
    out = {}
    for n in ns:
        runners = scale_runners(n)
        if only:
            runners = {k: v for k, v in runners.items() if k in only}
        names = list(runners)
        runs = {k: [] for k in names}
        for r in range(rounds):
            for name in names[r % len(names):] + names[: r % len(names)]:
                runs[name].append(one_run(n, name, runners[name], f"round {r + 1}/{rounds}"))
                settle(baseline, pause, limit=300.0)
        out[str(n)] = {name: summarize_runs(samples) for name, samples in runs.items()}
    return out


SAME_RUN = ("netns (Rust)", "ip -batch")


def same_run(n, rounds, pause, baseline):
    """netns (Rust) and ip -batch at N in one invocation, back to back, each in
    a fresh sandbox: netns, ip -batch, netns again (per round), so that the
    load during the long ip -batch run is bracketed by two netns runs.
    Returns (the record with both rows and the ratio of medians, {n: rows})."""
    runners = scale_runners(n)
    runs = {k: [] for k in SAME_RUN}
    order = []
    for r in range(rounds):
        for name in ("netns (Rust)", "ip -batch", "netns (Rust)"):
            sample = one_run(n, name, runners[name], f"same run {r + 1}/{rounds}", timeout=3 * 3600)
            runs[name].append(sample)
            order.append({"runner": name, "date": sample["date"], "ok": sample["ok"], "seconds": sample.get("seconds"),
                          "cpu": sample["user"] + sample["sys"] if sample["ok"] else None,
                          "phases": sample.get("phases"), "rss_kib": sample.get("rss_kib"),
                          "load": sample["load"], "load_after": sample["load_after"],
                          "uptime": uptime()})
            settle(baseline, pause, limit=300.0)
    rows = {name: summarize_runs(samples) for name, samples in runs.items()}
    record = {"n": n, "order": order}
    a, b = rows["netns (Rust)"], rows["ip -batch"]
    if "seconds" in a and "seconds" in b:
        record["ratio"] = a["seconds"]["median"] / b["seconds"]["median"]
        record["netns_median"] = a["seconds"]["median"]
        record["ip_batch_median"] = b["seconds"]["median"]
    return record, {str(n): rows}


LIST_COMMANDS = {
    "netns list": [str(NETNS_BIN), "list"],
    "netns list-id": [str(NETNS_BIN), "list-id"],
    "ip netns list": ["ip", "netns", "list"],
    "ip netns list-id": ["ip", "netns", "list-id"],
}


def list_inner(args):
    """Runs inside scripts/sandbox.sh: K named namespaces with nsids, then
    each listing command, round by round; prints the results as JSON."""
    setup, *_ = measure([str(BENCH_BIN), "names", str(args.list_names)], False, timeout=3600)
    rows = {}
    for name, cmd in LIST_COMMANDS.items():
        samples = []
        for _ in range(args.list_rounds):
            full = [str(BENCH_BIN), "measure", *cmd]
            proc = subprocess.run(full, capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"{name} failed: {proc.stderr.strip()[-500:]}")
            lines = proc.stdout.splitlines()
            ru = json.loads(lines[-1])["rusage"]
            listed = len(lines) - 1
            samples.append({"wall": ru["wall"], "user": ru["user"], "sys": ru["sys"],
                            "rss_kib": ru["maxrss_kib"], "lines": listed})
        # `ip netns list-id` shows what the kernel's one RTM_GETNSID dump
        # buffer holds (Registry::list_ids): recorded, not required.
        if name != "ip netns list-id" and any(x["lines"] != args.list_names for x in samples):
            raise RuntimeError(f"{name}: listed {[x['lines'] for x in samples]}, want {args.list_names}")
        rows[name] = {"wall": summarize(samples, "wall"), "user": summarize(samples, "user"),
                      "sys": summarize(samples, "sys"), "rss_kib": summarize(samples, "rss_kib"),
                      "lines": samples[-1]["lines"]}
    print(json.dumps({"setup": setup, "rows": rows}))


# The scale section's runners, in the order of its tables.
SCALE_ORDER = ("netns (Rust)", "floor (syscalls only)", "libnetns (C)", "netns-py", "netns apply", "ip -batch")


def runner_order(w):
    """The runners of a sweep's results, in SCALE_ORDER."""
    seen = {name for rows in w.values() for name in rows}
    return [k for k in SCALE_ORDER if k in seen] + sorted(seen - set(SCALE_ORDER))


def phase_cells(ph):
    """The create/configure/dump/delete cells of a row; `netns apply` does
    create and configure in one command (its "apply" phase)."""
    cells = []
    for p in PHASES:
        if p in ph:
            cells.append(f"{ph[p]:.3f}")
        elif p == "create" and "apply" in ph:
            cells.append(f"{ph['apply']:.3f} (apply)")
        elif p == "configure" and "apply" in ph:
            cells.append("in apply")
        else:
            cells.append("–")
    return cells


def growth(a, b, phase, key="phases"):
    """b's phase (or total) over a's, or None; key "phases_cpu" for CPU time."""
    if phase == "total" and key == "phases":
        x, y = a.get("seconds", {}).get("median"), b.get("seconds", {}).get("median")
    elif phase == "total":
        x, y = sum(a.get(key, {}).values()), sum(b.get(key, {}).values())
    else:
        pa, pb = a.get(key, {}), b.get(key, {})
        if phase == "create" and "create" not in pa:
            phase = "apply"
        x, y = pa.get(phase), pb.get(phase)
    return y / x if x and y else None


def growth_ns(ns):
    """The N range the growth tables compare: 1000 to 8000 (issue 17's
    criterion) when both were measured, else the smallest to the largest."""
    if "1000" in ns and "8000" in ns:
        return "1000", "8000"
    return ns[0], ns[-1]


def when(row):
    """The date of a row's runs, and the range of the 1-minute load average
    at their start."""
    samples = row.get("samples", [])
    dates = sorted(x["date"] for x in samples if x.get("date"))
    loads = [float(x["load"].split()[0]) for x in samples if x.get("load")]
    date = f"{dates[0][5:16]}" if dates else "earlier (time not recorded)"
    load = (f"{min(loads):.1f}" if min(loads) == max(loads) else f"{min(loads):.1f}–{max(loads):.1f}") if loads else "–"
    return date, load


def scale_markdown(meta, data):
    out = [SCALE_BEGIN, ""]
    out.append(f"Last run {meta['date']} on {meta['machine']}, commit {meta.get('commit', '?')}; load average "
               f"before/after it: {meta['load_before']} / {meta['load_after']}. Rows not measured in that run keep "
               f"their earlier results (the \"measured\" column: UTC date and time, and the 1-minute load "
               f"average at the start of each run; every run is in `bench/results/scale.json`).")
    out.append("")
    same = data.get("same_run")
    if same:
        out.append(f"### W({same['n']}): netns (Rust) and `ip -batch` in the same run")
        out.append("")
        out.append(f"`bench/run.py --same-run {same['n']}` ({same['date']}, commit {same.get('commit', '?')}): "
                   f"netns, `ip -batch`, netns again, back to back, each in a fresh sandbox.")
        out.append("")
        out.append("| # | runner | started | W(N) | create | configure | dump | delete | CPU (user + sys) "
                   "| load average before → after |")
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for i, x in enumerate(same["order"], 1):
            sec = f"{x['seconds']:.3f} s" if x.get("ok") else "failed"
            cells = " | ".join(phase_cells(x.get("phases") or {}))
            cpu = f"{x['cpu']:.2f} s" if x.get("cpu") is not None else "–"
            out.append(f"| {i} | {x['runner']} | {x.get('date', '–')[11:19]} | {sec} | {cells} | {cpu} "
                       f"| {x['load']} → {x['load_after']} |")
        out.append("")
        if "ratio" in same:
            out.append(f"netns (Rust) / `ip -batch` (medians): {same['netns_median']:.3f} s / "
                       f"{same['ip_batch_median']:.3f} s = **{same['ratio']:.4f}×** (target ≤ 0.15×: "
                       f"{'met' if same['ratio'] <= 0.15 else 'missed'}).")
            cpu = {k: [x["cpu"] for x in same["order"] if x["runner"] == k and x.get("cpu") is not None]
                   for k in SAME_RUN}
            if all(cpu.values()):
                a, b = statistics.median(cpu["netns (Rust)"]), statistics.median(cpu["ip -batch"])
                out.append(f"Their CPU time (user + sys, medians): {a:.2f} s / {b:.2f} s = {a / b:.4f}×.")
            out.append("")
        for old in reversed(data.get("same_run_earlier", [])):
            ratio = f"{old['netns_median']:.3f} s / {old['ip_batch_median']:.3f} s = {old['ratio']:.4f}×" \
                if "ratio" in old else "failed"
            loads = ", ".join(x["load"].split()[0] for x in old["order"])
            out.append(f"- earlier same run, {old['date']} (commit {old.get('commit', '?')}, 1-minute load at "
                       f"the start of each run {loads}): {ratio}")
        if data.get("same_run_earlier"):
            out.append("")
    w = data.get("w")
    if w:
        ns = sorted(w, key=int)
        out.append("### W(N) against N (medians of the runs counted in the table)")
        out.append("")
        out.append("![time per namespace per phase against N](bench/results/w_scale.svg)")
        out.append("")
        out.append("| runner | N | runs (failed, inconsistent dump) | total | create | configure | dump | delete "
                   "| total per ns | CPU (user + sys) | peak RSS (dump buffer) | measured (load) |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name in runner_order(w):
            for n in ns:
                row = w[n].get(name)
                if not row:
                    continue
                runs = f"{row['runs']} ({row['failed']}, {row['inconsistent']})"
                date, load = when(row)
                if "seconds" not in row:
                    out.append(f"| {name} | {n} | {runs} | failed | | | | | | | | {date} ({load}) |")
                    continue
                cells = " | ".join(phase_cells(row.get("phases", {})))
                med = row["seconds"]["median"]
                bufs = [x["recv_buffer"] for x in row["samples"] if x.get("ok") and x.get("recv_buffer")]
                buf = f" ({max(bufs) / 2**20:.1f} MiB)" if bufs else ""
                cpu = row["user"]["median"] + row["sys"]["median"]
                out.append(f"| {name} | {n} | {runs} | {med:.3f} s | {cells} | {1e3 * med / int(n):.3f} ms "
                           f"| {cpu:.2f} s | {row['rss_kib']['median'] / 1024:.1f} MiB{buf} | {date} ({load}) |")
        out.append("")
        cpu_rows = [(name, n, w[n][name]["phases_cpu"]) for name in runner_order(w) for n in ns
                    if w[n].get(name, {}).get("phases_cpu")]
        if cpu_rows:
            out.append("CPU time of each phase (user + sys of the runner process, every thread; medians, s):")
            out.append("")
            out.append("| runner | N | " + " | ".join(PHASES) + " | per namespace |")
            out.append("|---|---|" + "---|" * len(PHASES) + "---|")
            for name, n, cpu in cpu_rows:
                total = sum(cpu.get(p, 0) for p in PHASES)
                out.append(f"| {name} | {n} | " + " | ".join(f"{cpu[p]:.3f}" if p in cpu else "–" for p in PHASES)
                           + f" | {1e3 * total / int(n):.3f} ms |")
            out.append("")
        lo, hi = growth_ns(ns)
        out.append(f"Growth of each phase from N = {lo} to {hi} (×; linear would be {int(hi) / int(lo):.0f}×), "
                   f"and each runner's growth over the floor runner's (issue 17: within 1.2×):")
        out.append("")
        cols = ("total",) + PHASES
        floor = (w[lo].get("floor (syscalls only)", {}), w[hi].get("floor (syscalls only)", {}))
        for key, what in (("phases", "wall time"), ("phases_cpu", "CPU time (user + sys of the runner)")):
            rows = []
            for name in runner_order(w):
                a, b = w[lo].get(name, {}), w[hi].get(name, {})
                if "seconds" not in a or "seconds" not in b or (key != "phases" and not (a.get(key) and b.get(key))):
                    continue
                g = [growth(a, b, c, key) for c in cols]
                f = [growth(*floor, c, key) for c in cols]
                cells = [f"{x:.1f}" if x else "–" for x in g]
                rel = [f"{x / y:.2f}" if x and y else "–" for x, y in zip(g, f)]
                rows.append(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(rel) + " |")
            if not rows:
                continue
            out.append(f"{what[0].upper()}{what[1:]}:")
            out.append("")
            out.append("| runner | " + " | ".join(cols) + " | " + " | ".join(f"{c} ÷ floor" for c in cols) + " |")
            out.append("|---|" + "---|" * (2 * len(cols)))
            out.extend(rows)
            out.append("")
    lst = data.get("list")
    if lst:
        out.append(f"### Listing {lst['names']} names, {lst['rounds']} rounds (medians)")
        out.append("")
        out.append("| command | lines | wall | user CPU | sys CPU | peak RSS |")
        out.append("|---|---|---|---|---|---|")
        for name, row in lst["rows"].items():
            out.append(f"| `{name}` | {row.get('lines', '–')} | {row['wall']['median']:.3f} s "
                       f"| {row['user']['median']:.3f} s "
                       f"| {row['sys']['median']:.3f} s | {row['rss_kib']['median'] / 1024:.1f} MiB |")
        out.append("")
    out.append(SCALE_END)
    return "\n".join(out)


def plot_scale():
    """Draws bench/results/w_scale.svg from bench/results/scale.json with
    bench/plot_scale.py in .venv-bench (matplotlib); False if either is missing."""
    data = RESULTS / "scale.json"
    if not (data.exists() and VENV_PY.exists()):
        return False
    proc = subprocess.run([str(VENV_PY), str(ROOT / "bench/plot_scale.py"), str(data),
                           str(RESULTS / "w_scale.svg")], capture_output=True, text=True)
    if proc.returncode != 0:
        log(f"plot failed: {proc.stderr.strip()[-500:]}")
        return False
    return True


def scale_main(args, baseline):
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs",
        "ip": subprocess.run(["ip", "-V"], capture_output=True, text=True).stdout.strip(),
        "load_before": loadavg(),
        "uptime_before": uptime(),
        "commit": commit(),
    }
    data = {"rounds": args.rounds}
    if args.same_run:
        record, rows = same_run(args.same_run, args.rounds, args.pause, baseline)
        # Kept apart from the sweep's rows ("w"), which only sweeps write.
        data["same_run"] = {"date": meta["date"], "commit": meta["commit"],
                            "uptime_before": meta["uptime_before"], "uptime_after": uptime(), **record,
                            "rows": rows}
    if args.sweep:
        data.setdefault("w", {}).update(sweep(args.sweep, args.rounds, args.only, args.pause, baseline))
    if args.list_names:
        if not NETNS_BIN.exists():
            sys.exit(f"bench: build {NETNS_BIN} first (make release)")
        inner = [str(SANDBOX), sys.executable, str(Path(__file__).resolve()), "--list-inner",
                 "--bench-bin", str(BENCH_BIN), "--list-names", str(args.list_names),
                 "--list-rounds", str(args.list_rounds)]
        log(f"listing {args.list_names} names, {args.list_rounds} rounds")
        proc = subprocess.run(inner, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.exit("bench: the listing benchmark failed")
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        data["list"] = {"names": args.list_names, "rounds": args.list_rounds, **d}
        settle(baseline, args.pause, limit=300.0)
    meta["load_after"] = loadavg()
    meta["uptime_after"] = uptime()
    if args.no_write:
        print(json.dumps({"meta": meta, **data}, indent=1))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "scale.json"
    # A sweep keeps the last results of the (N, runner) pairs it did not
    # run, and the last listings if it ran none (and the other way round).
    if path.exists():
        old = json.loads(path.read_text())
        if "list" not in data and "list" in old:
            data["list"] = old["list"]
        if "same_run" not in data and "same_run" in old:
            data["same_run"] = old["same_run"]
        elif "same_run" in old:
            # Every same-run result is kept: the earlier ones in a list.
            data["same_run_earlier"] = old.get("same_run_earlier", []) + [old["same_run"]]
        if "same_run_earlier" in old:
            data.setdefault("same_run_earlier", old["same_run_earlier"])
        for n, rows in old.get("w", {}).items():
            merged = data.setdefault("w", {}).setdefault(n, {})
            for name, row in rows.items():
                merged.setdefault(name, row)
        if "w" in data:
            data["w"] = {n: data["w"][n] for n in sorted(data["w"], key=int)}
    path.write_text(json.dumps({"meta": meta, **data}, indent=1) + "\n")
    plot_scale()
    text = scale_markdown(meta, data)
    print(text)
    write_markdown(text, SCALE_BEGIN, SCALE_END)
    log("wrote bench/results/scale.json, w_scale.svg and BENCHMARKS.md")


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def commit():
    """The checked-out commit, "+dirty" when the tree has changes."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return head + ("+dirty" if dirty else "")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--dump-pairs", type=int, default=5000)
    p.add_argument("--dump-rounds", type=int, default=5)
    p.add_argument("--latency", type=int, default=200, metavar="K")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between W runs, at least")
    p.add_argument("--only", type=lambda s: s.split(","), default=None)
    p.add_argument("--skip-w", action="store_true")
    p.add_argument("--skip-dump", action="store_true")
    p.add_argument("--skip-latency", action="store_true")
    p.add_argument("--smoke", action="store_true",
                   help="W(20) with the Rust runner only, counts checked; writes nothing")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--bench-bin", type=Path, default=None,
                   help="the netns-bench binary (default target/release/netns-bench)")
    p.add_argument("--sweep", type=lambda s: [int(x) for x in s.replace(",", " ").split()], default=None,
                   metavar="N1,N2,...", help="W(N) at each N (netns, floor, ip -batch) and the scale section")
    p.add_argument("--list-names", type=int, default=0, metavar="K",
                   help="with --sweep (or alone with --scale): listing K names")
    p.add_argument("--list-rounds", type=int, default=3)
    p.add_argument("--same-run", type=int, default=0, metavar="N",
                   help="netns (Rust), ip -batch, netns (Rust) at N back to back (the ratio of one run)")
    p.add_argument("--scale", action="store_true", help="the scale mode without a sweep (e.g. listings only)")
    p.add_argument("--plot", action="store_true",
                   help="only redraw the scale plot and section from bench/results/scale.json")
    p.add_argument("--dump-inner", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--list-inner", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    global BENCH_BIN
    if args.bench_bin:
        BENCH_BIN = args.bench_bin.resolve()
    if args.dump_inner:
        return dump_inner(args)
    if args.list_inner:
        return list_inner(args)
    if args.plot:
        path = RESULTS / "scale.json"
        if path.exists():
            saved = json.loads(path.read_text())
            plot_scale()
            write_markdown(scale_markdown(saved["meta"], saved), SCALE_BEGIN, SCALE_END)
        return
    if os.geteuid() != 0:
        sys.exit("bench: needs root (scripts/sandbox.sh)")
    if not BENCH_BIN.exists():
        sys.exit(f"bench: build {BENCH_BIN} first (make bench does)")

    if args.sweep or args.scale or args.same_run:
        return scale_main(args, net_namespaces_in_use())

    if args.smoke:
        result, *_ = measure([str(BENCH_BIN), "w", "netns", "20"], True, timeout=120)
        if result.get("links") != 21 or result.get("ipv4") != 20:
            sys.exit(f"bench smoke: wrong counts {result}")
        print(f"bench smoke: W(20) with netns-core: {result['links']} links, "
              f"{result['ipv4']} IPv4 addresses, {result['seconds']:.3f} s")
        # The sweep's code with tiny N: every runner, phases, the section.
        w = sweep([5, 10], 1, None, 0, net_namespaces_in_use())
        for n, rows in w.items():
            for name, row in rows.items():
                # `netns apply` creates and configures in one command.
                want = {"apply", "dump", "delete"} if name == "netns apply" else set(PHASES)
                if row["failed"] or set(row.get("phases", {})) != want:
                    sys.exit(f"bench smoke: sweep W({n}) {name}: {row}")
        meta = {"date": "smoke", "machine": "", "load_before": "", "load_after": ""}
        text = scale_markdown(meta, {"rounds": 1, "w": w})
        if text.count("| ip -batch | 10 |") != 1:
            sys.exit(f"bench smoke: scale section:\n{text}")
        print(f"bench smoke: sweep W(5), W(10) with {', '.join(w['10'])}")
        return

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs",
        "ip": subprocess.run(["ip", "-V"], capture_output=True, text=True).stdout.strip(),
        "load_before": loadavg(),
    }
    baseline = net_namespaces_in_use()
    w = dump = lat = None
    if not args.skip_w:
        runners = w_runners(args.n)
        if args.only:
            runners = {k: v for k, v in runners.items() if k in args.only}
        for name, (cmd, why) in runners.items():
            if not cmd:
                log(f"W: {name}: not available: {why}")
        settle(baseline, 0)
        rows = run_rounds(runners, args.rounds, True, args.pause, baseline, f"W({args.n})")
        w = {"n": args.n, "rounds": args.rounds, "rows": rows}
    if not args.skip_dump:
        inner = [str(SANDBOX), sys.executable, str(Path(__file__).resolve()), "--dump-inner",
                 "--bench-bin", str(BENCH_BIN),
                 "--dump-pairs", str(args.dump_pairs), "--dump-rounds", str(args.dump_rounds)]
        if args.only:
            inner += ["--only", ",".join(args.only)]
        log(f"dump: {2 * args.dump_pairs} links in one namespace, {args.dump_rounds} rounds")
        proc = subprocess.run(inner, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.exit("bench: the dump benchmark failed")
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        dump = {"links": 2 * args.dump_pairs + 1, "addresses": 2 * args.dump_pairs,
                "rounds": args.dump_rounds, **d}
        settle(baseline, args.pause)
    if not args.skip_latency:
        rows = run_rounds(latency_runners(args.latency), 1, True, args.pause, baseline, "latency")
        lat = {"k": args.latency, "rows": rows}
    meta["load_after"] = loadavg()

    text = markdown(meta, w, dump, lat)
    print(text)
    if args.no_write:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, data in (("w", w), ("dump", dump), ("latency", lat)):
        if data:
            (RESULTS / f"{name}.json").write_text(json.dumps({"meta": meta, **data}, indent=1) + "\n")
    write_markdown(text)
    log("wrote bench/results/*.json and BENCHMARKS.md")


if __name__ == "__main__":
    main()
