#!/usr/bin/env python3
"""Compares two replay.sh logs of the same calls (real ip, then netns).

A call behaves the same when its exit status and its standard output are
equal, MAC addresses (but 00:…:00 and ff:…:ff) and IPv6 link-local
addresses masked (random per run), and the `tentative` flag of an
address masked (IPv6 duplicate address detection ends after a second or so,
so whether an address still has it depends on when the call ran). stderr is shown for the calls that
differ, not compared (netns words its errors in its own way, prefixed
`netns: `). Prints each differing call, then `same N of M`.
"""
import re
import sys

MAC = re.compile(r"\b(?!00(:00){5}\b)(?!ff(:ff){5}\b)[0-9a-f]{2}(:[0-9a-f]{2}){5}\b")
LL = re.compile(r"fe80::[0-9a-f:]+")
TENTATIVE = re.compile(r"tentative ?|\"tentative\":true,")


def records(path):
    out, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("### "):
                cur = {"call": line[4:], "rc": None, "out": [], "err": []}
                out.append(cur)
            elif cur is None:
                continue
            elif cur["rc"] is None and line.startswith("rc="):
                cur["rc"] = line[3:]
            elif line.startswith("stderr: "):
                cur["err"].append(line[8:])
            else:
                cur["out"].append(TENTATIVE.sub("", LL.sub("fe80::LL", MAC.sub("MAC", line))))
    return out


def main():
    ip, netns = records(sys.argv[1]), records(sys.argv[2])
    same = 0
    for a, b in zip(ip, netns):
        if a["rc"] == b["rc"] and a["out"] == b["out"]:
            same += 1
            continue
        print(f"  DIFF {a['call']}")
        print(f"    ip:    rc={a['rc']} " + " | ".join(a["out"] + a["err"])[:300])
        print(f"    netns: rc={b['rc']} " + " | ".join(b["out"] + b["err"])[:300])
    print(f"same {same} of {len(ip)}")


main()
