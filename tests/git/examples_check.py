#!/usr/bin/env python3
"""Checks examples/distributed/: the shard expressions agree with the jobs.

Usage:
    examples_check.py SRC [--wormsign BINARY]

Python 3 standard library only (the YAML is read as text: the lines this
checks are plain `key: value` lines).  For the Kubernetes Indexed Job:
completionMode Indexed, the SHARDS value equals completions, and the
command passes --shard "${JOB_COMPLETION_INDEX}/${SHARDS}".  For the GitHub
Actions matrix: matrix.shard is [0 .. N-1], SHARDS is N, and every wormsign
sweep passes --shard "${{ matrix.shard }}/$SHARDS".  With --wormsign, each
expression is expanded for every index and run with --list over a list of
repositories: the shards must be disjoint and cover it.  Prints
"ok N - ..." lines and "N passed, N failed".
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

RESULTS = []


def check(cond, what):
    RESULTS.append((bool(cond), what))


def value(text, key):
    m = re.search(r"^\s*-?\s*%s:\s*\"?([^\"\n]+?)\"?\s*$" % re.escape(key), text, re.M)
    return m.group(1) if m else None


def k8s(path):
    text = open(path).read()
    check(value(text, "completionMode") == "Indexed", "k8s: completionMode Indexed")
    n = int(value(text, "completions"))
    check(value(text, "parallelism") is not None, "k8s: parallelism set")
    m = re.search(r"- name: SHARDS\s*\n\s*value:\s*\"(\d+)\"", text)
    check(m and int(m.group(1)) == n, "k8s: SHARDS equals completions (%d)" % n)
    exprs = re.findall(r'--shard\s+("[^"]*"|\S+)', text)
    check(exprs == ['"${JOB_COMPLETION_INDEX}/${SHARDS}"'],
          "k8s: --shard takes JOB_COMPLETION_INDEX/SHARDS: %s" % exprs)
    check("[ \"$rc\" -le 1 ]" in text, "k8s: exit 1 (affected) is not a pod failure")
    expr = exprs[0] if exprs else ""
    return n, [lambda k: expr.strip('"').replace("${JOB_COMPLETION_INDEX}", str(k))
               .replace("${SHARDS}", str(n))]


def actions(path):
    text = open(path).read()
    m = re.search(r"shard:\s*\[([0-9,\s]+)\]", text)
    shards = [int(x) for x in m.group(1).split(",")] if m else []
    n = len(shards)
    check(shards == list(range(n)) and n > 0, "actions: matrix.shard is 0..N-1")
    check(value(text, "SHARDS") == str(n), "actions: SHARDS equals the matrix size")
    exprs = re.findall(r'--shard\s+("[^"]*"|\S+)', text)
    check(exprs and all(e == '"${{ matrix.shard }}/$SHARDS"' for e in exprs),
          "actions: every --shard is matrix.shard/SHARDS: %s" % exprs)
    check("report merge" in text and "needs: sweep" in text, "actions: a merge job")
    expr = exprs[0] if exprs else ""
    return n, [lambda k: expr.strip('"').replace("${{ matrix.shard }}", str(k))
               .replace("$SHARDS", str(n))]


def partition(wormsign, n, expand, label):
    repos = ["org-%d/repo-%d" % (i % 5, i) for i in range(60)]
    with tempfile.TemporaryDirectory() as d:
        lst = os.path.join(d, "fleet.txt")
        with open(lst, "w") as f:
            f.write("# fleet\n" + "\n".join(repos) + "\n")
        seen = []
        for k in range(n):
            r = subprocess.run([wormsign, "sweep", "--from", lst, "--shard", expand(k),
                                "--list"], capture_output=True, text=True)
            check(r.returncode == 0, "%s: shard %s runs: %s" % (label, expand(k), r.stderr))
            seen += r.stdout.split()
        check(sorted(seen) == sorted(repos), "%s: the %d shards cover the list" % (label, n))
        check(len(seen) == len(set(seen)), "%s: the shards are disjoint" % label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("--wormsign")
    a = ap.parse_args()
    d = os.path.join(a.src, "examples", "distributed")
    for name, fn in (("k8s-indexed-job.yaml", k8s), ("github-actions-matrix.yml", actions)):
        n, (expand,) = fn(os.path.join(d, name))
        if a.wormsign:
            partition(os.path.abspath(a.wormsign), n, expand, name)
    failed = 0
    for i, (ok, what) in enumerate(RESULTS, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
        failed += not ok
    print("%d passed, %d failed" % (len(RESULTS) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
