#!/usr/bin/env python3
"""Run every EXAMPLES entry of wormsign's man pages as a test (as jq does).

Usage:
    man_examples.py --wormsign BINARY [--src DIR] [PAGE...]

Python 3 standard library only.  PAGE defaults to man/wormsign.1 and
man/wormsign*.[1-8] under DIR (the source root, by default two levels above
this script).

From each page, the lines between `.Sh EXAMPLES` and the next `.Sh` are
read.  An example command is
  * the argument of a `.Dl` line, or
  * a line inside a `.Bd -literal` ... `.Ed` block,
that starts with `wormsign ` or `$ wormsign ` (after the roff escapes \\-,
\\e, \\&, \\(aq, \\*(Gt, \\*(Lt, ... are undone).  Other lines are prose or
output and are ignored.

Each command runs from the source root through /bin/sh -c, with every
`wormsign` at the start of a command (also after `|`, `;`, `&&`, `||`)
replaced by the quoted path of BINARY; stdin is /dev/null.  It must exit 0,
unless the page documents another status with a roff comment line
`.\\" exit: N` placed after the command and before the next one.

Prints "ok N - PAGE: COMMAND" or "not ok ..." (TAP, with the output of a
failing command as "# " lines), then a last line exactly
"N passed, N failed"; exits 1 when a command failed or no example was
found at all.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys

ESCAPES = [
    ("\\&", ""), ("\\-", "-"), ("\\(aq", "'"), ("\\(dq", '"'),
    ("\\(ga", "`"), ("\\*(Gt", ">"), ("\\*(Lt", "<"), ("\\*(Ba", "|"),
    ("\\(ba", "|"), ("\\(ti", "~"), ("\\(ha", "^"), ("\\ ", " "),
    ("\\~", " "), ("\\e", "\\"),
]

EXIT_RE = re.compile(r'^\.\\"\s*exit:?\s*(\d+)\s*$')
START_RE = re.compile(r'(^|\|\||&&|[|;(])(\s*)wormsign(?=\s|$)')


def unescape(s):
    out = []
    i = 0
    while i < len(s):
        for esc, rep in ESCAPES:
            if s.startswith(esc, i):
                out.append(rep)
                i += len(esc)
                break
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def extract(page):
    """Return [(command, expected_exit)] from the EXAMPLES section of page."""
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    examples = []
    in_section = in_literal = False
    for raw in lines:
        line = raw.rstrip()
        if line.startswith(".Sh "):
            in_section = line.split(None, 1)[1].strip() == "EXAMPLES"
            in_literal = False
            continue
        if not in_section:
            continue
        m = EXIT_RE.match(line)
        if m:
            if examples:
                examples[-1] = (examples[-1][0], int(m.group(1)))
            continue
        if line.startswith(".Bd") and "-literal" in line.split():
            in_literal = True
            continue
        if line.startswith(".Ed"):
            in_literal = False
            continue
        if line.startswith(".Dl "):
            text = line[len(".Dl "):]
        elif in_literal and not line.startswith("."):
            text = line
        else:
            continue
        text = unescape(text).strip()
        if text.startswith("$ "):
            text = text[2:].lstrip()
        if text == "wormsign" or text.startswith("wormsign "):
            examples.append((text, 0))
    return examples


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Run the EXAMPLES of the man pages.")
    ap.add_argument("--wormsign", required=True, help="the binary to test")
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("pages", nargs="*", metavar="PAGE")
    opts = ap.parse_args(argv)
    src = os.path.abspath(opts.src)
    binary = shlex.quote(os.path.abspath(opts.wormsign))
    pages = opts.pages or sorted(
        os.path.join(src, "man", p) for p in os.listdir(os.path.join(src, "man"))
        if re.match(r"wormsign.*\.[1-8]$", p))

    cases = []
    for page in pages:
        for cmd, want in extract(page):
            cases.append((os.path.basename(page), cmd, want))
    print("1..%d" % len(cases))
    passed = failed = 0
    for n, (page, cmd, want) in enumerate(cases, 1):
        shell_cmd = START_RE.sub(lambda m: m.group(1) + m.group(2) + binary, cmd)
        try:
            p = subprocess.run(["/bin/sh", "-c", shell_cmd], cwd=src,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=opts.timeout)
            status, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            status, out, err = "timeout", b"", b""
        if status == want:
            passed += 1
            print("ok %d - %s: %s" % (n, page, cmd))
        else:
            failed += 1
            print("not ok %d - %s: %s" % (n, page, cmd))
            print("#   exit status %s, expected %d" % (status, want))
            for name, data in (("stdout", out), ("stderr", err)):
                text = data.decode("utf-8", "replace")[-2000:]
                print("#   %s:" % name)
                for line in text.rstrip("\n").split("\n"):
                    print("#   " + line)
    if not cases:
        print("# no examples found in %s" % ", ".join(pages))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
