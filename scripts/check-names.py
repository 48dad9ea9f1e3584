#!/usr/bin/env python3
"""Checks the C header and the Python stubs against docs/names.md.

For every row of the names table: each identifier of the C column must occur
in include/netns.h, each of the Python column in _native.pyi, and no retired
name may occur in either (comments and docstrings are not read: only code).
Exits 1 naming every mismatch, 0 when all agree.

Usage: scripts/check-names.py [ROOT]
"""

import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
TABLE = ROOT / "docs" / "names.md"
HEADER = ROOT / "include" / "netns.h"
STUBS = ROOT / "netns-py" / "python" / "netns" / "_native.pyi"


def table_rows(text):
    """The rows of the marked table: dicts by column name."""
    start = text.index("<!-- names-table")
    end = text.index("<!-- end of names-table")
    lines = [l for l in text[start:end].splitlines() if l.startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != len(head):
            sys.exit(f"check-names: a row of {TABLE} has {len(cells)} cells, not {len(head)}: {line}")
        rows.append(dict(zip(head, cells)))
    return rows


def idents(cell):
    """The identifiers in backticks of a cell (`A::b` gives `b`)."""
    return [w.split("::")[-1] for w in re.findall(r"`([^`]+)`", cell)]


def retired(cell):
    """The retired names of a cell, each with the languages it is checked
    in: `` `ns` (Python) `` only in the stubs, a bare `` `x` `` in both."""
    out = []
    for item in cell.split(","):
        names = idents(item)
        if not names:
            continue
        scope = re.search(r"\((C|Python)\)", item)
        out.append((names[0], (scope.group(1),) if scope else ("C", "Python")))
    return out


def c_code(text):
    """The header without its comments."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def py_code(text):
    """The stubs without docstrings and comments."""
    text = re.sub(r'"""(.*?)"""', " ", text, flags=re.S)
    return re.sub(r"#[^\n]*", " ", text)


def has_word(code, word):
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", code) is not None


def main():
    rows = table_rows(TABLE.read_text())
    code = {"C": c_code(HEADER.read_text()), "Python": py_code(STUBS.read_text())}
    where = {"C": HEADER.relative_to(ROOT), "Python": STUBS.relative_to(ROOT)}
    problems = []
    for row in rows:
        concept = row["concept"]
        for lang in ("C", "Python"):
            for word in idents(row[lang]):
                if not has_word(code[lang], word):
                    problems.append(f"{where[lang]}: no `{word}` ({concept})")
        for word, langs in retired(row["retired"]):
            for lang in langs:
                if has_word(code[lang], word):
                    problems.append(f"{where[lang]}: retired name `{word}` ({concept}: use {row['name']})")
    for p in problems:
        print(f"check-names: {p}", file=sys.stderr)
    print(f"check-names: {len(rows)} concepts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
