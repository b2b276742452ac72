#!/usr/bin/env python3
"""The library never names a CLI option in a message: no string literal in a
library source (src/ outside src/cli/) may contain an option name (`--x`).
Front ends add option names and hints. Comments are not messages and are
skipped; adjacent literals are joined first, so a name split over two
literals ("-" "-x") is still found. Prints each offence; exit 1 if any.

    check_option_names.py ROOT          # check the tree
    check_option_names.py --self-test   # the checker finds what it must
"""
import os
import re
import sys

OPTION = re.compile(r"(?<![A-Za-z0-9-])--[A-Za-z][A-Za-z0-9-]*")


def literals(text):
    """(line, joined literal) for each run of adjacent C string literals,
    comments and character constants skipped."""
    out, i, n, line = [], 0, len(text), 1
    run, run_line, last_end = None, 0, 0
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            lit = text[i + 1:j]
            if run is not None and not text[last_end:i].strip():
                run += lit
            else:
                if run is not None:
                    out.append((run_line, run))
                run, run_line = lit, line
            line += text.count("\n", i, j + 1)
            i = last_end = j + 1
            continue
        if c == "\n":
            line += 1
        elif not c.isspace() and run is not None:
            out.append((run_line, run))
            run = None
        i += 1
    if run is not None:
        out.append((run_line, run))
    return out


def offences(path, text):
    for line, lit in literals(text):
        # a "%s" between two dashes and a name is still an option name
        for m in OPTION.finditer(lit.replace("\\n", " ")):
            yield "%s:%d: option name %s in a message: \"%s\"" % (
                path, line, m.group(0), lit[:120])


def check_tree(root):
    bad = []
    src = os.path.join(root, "src")
    for d, dirs, files in os.walk(src):
        rel = os.path.relpath(d, src)
        if rel == "cli" or rel.startswith("cli" + os.sep):
            continue
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                p = os.path.join(d, f)
                with open(p, encoding="utf-8", errors="replace") as fh:
                    bad += list(offences(os.path.relpath(p, root), fh.read()))
    return bad


def self_test():
    cases = {
        'og_fail(err, 1, "--tee-id: bad");': 1,
        'og_fail(err, 1, "use "\n  "--no-verify to accept");': 1,
        'og_fail(err, 1, "use -" "-x");': 1,
        '/* --not-a-message */ x = 1; // --nor-this': 0,
        'char c = \'"\'; og_fail(err, 1, "a -- b, x--y, 10--20");': 0,
        'og_fail(err, 1, "plain \\"quoted\\" --opt");': 1,
    }
    for text, want in cases.items():
        got = len(list(offences("t.c", text)))
        if got != want:
            print("self-test failed: %r: %d offences, expected %d"
                  % (text, got, want))
            return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    found = check_tree(sys.argv[1] if len(sys.argv) > 1 else ".")
    for b in found:
        print(b)
    sys.exit(1 if found else 0)
