#!/usr/bin/env python3
"""Writes the seeds of the cli_words fuzz target: every `netns` command line
of the walk-through in REFERENCE.md (given as an argument, optional), of
tests/shell/*.sh and of the cli rows of tests/reliability/bad_inputs.tsv, as
argv words without `netns` separated by NUL bytes (the encoding cli_words
decodes), one file per distinct line: fuzz/seeds/cli_words/SOURCE-NNN.

    fuzz/seeds/cli_seeds.py [/work/shared/REFERENCE.md]

Shell variables become a plausible value ("$pid" -> 4242); a command ends at
a shell operator, a comment, or the `-- ip …` half of an assert_same_run.
The hand-written seeds (hand-*) are kept; the generated ones are replaced.
"""
import glob
import os
import re
import shlex
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "fuzz", "seeds", "cli_words")
STOP = {";", "|", "||", "&&", "&", ")", "2>/dev/null", ">/dev/null", "2>&1"}


def words_after_netns(line):
    """Each `netns …` command on a shell line, as a list of words."""
    try:
        lex = shlex.shlex(line, posix=True, punctuation_chars=";|&()")
        lex.whitespace_split = True
        lex.commenters = "#"
        tokens = list(lex)
    except ValueError:
        return []
    found = []
    i = 0
    while i < len(tokens):
        if tokens[i] != "netns" or (i > 0 and tokens[i - 1] in ("ip", "function")):
            i += 1
            continue
        words = []
        i += 1
        while i < len(tokens):
            w = tokens[i]
            if w in STOP or set(w) <= set(";|&()") or w.startswith(">") or w.startswith("2>") or w.startswith("$("):
                break
            if w == "--" and i + 1 < len(tokens) and tokens[i + 1] == "ip":
                break
            words.append(re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9$])\}?", "4242", w))
            i += 1
        found.append(words)
    return found


def decode_tsv(word):
    m = re.fullmatch(r"\{(\d+)\}", word)
    if m:
        return b"a" * int(m.group(1))
    word = word.replace("\\s", " ")
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), word.encode())


def main():
    seeds = {}  # bytes -> source

    def add(source, words):
        data = b"\0".join(w if isinstance(w, bytes) else w.encode() for w in words)
        seeds.setdefault(data, source)

    if len(sys.argv) > 1:
        for line in open(sys.argv[1], encoding="utf-8"):
            if line.startswith("netns ") or line.startswith("ping "):
                for cmd in line.split(" ; "):
                    for words in words_after_netns(cmd.split("#")[0]):
                        add("reference", words)
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "shell", "*.sh"))):
        name = os.path.basename(path)[:-3]
        for line in open(path, encoding="utf-8"):
            for words in words_after_netns(line):
                add(name, words)
    tsv = os.path.join(ROOT, "tests", "reliability", "bad_inputs.tsv")
    for line in open(tsv, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if line.startswith("#") or len(cols) < 4 or cols[1] != "cli":
            continue
        words = [] if cols[2] == "-" else [cols[2].encode()]
        if cols[3] != "-":
            words += [decode_tsv(w) for w in cols[3].split(" ")]
        add("bad_inputs", words)

    for old in glob.glob(os.path.join(OUT, "*")):
        if not os.path.basename(old).startswith("hand-"):
            os.remove(old)
    counts = {}
    for data, source in seeds.items():
        n = counts.get(source, 0)
        counts[source] = n + 1
        with open(os.path.join(OUT, f"{source}-{n:03d}"), "wb") as f:
            f.write(data)
    print(", ".join(f"{s}: {n}" for s, n in counts.items()), f"({len(seeds)} seeds)")


if __name__ == "__main__":
    main()
