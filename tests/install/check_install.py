#!/usr/bin/env python3
"""`meson install` puts everything where a user looks for it.

Usage:
    check_install.py --meson MESON --build DIR --src DIR

Installs the build into a temporary DESTDIR (meson install --destdir,
--no-rebuild), then checks that the binary, every man page in man/, the
bundled feeds and rules, and the README are in the standard places under
the prefix, and that the INSTALLED binary finds its data on its own (next
to itself, ../share/wormsign) with WORMSIGN_DATA unset and the source tree
out of reach: --version names the installed data directory and the feeds,
and a scan of the bundled example finds the five critical findings.
Prints "ok"/"not ok" lines and exits 1 on a failure.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", required=True)
    a = ap.parse_args()
    failures = []

    def check(cond, what):
        print(("ok - " if cond else "not ok - ") + what)
        if not cond:
            failures.append(what)

    tmp = tempfile.mkdtemp(prefix="install-", dir=os.environ.get("TMPDIR"))
    try:
        dest = os.path.join(tmp, "dest")
        p = subprocess.run([a.meson, "install", "-C", a.build, "--destdir", dest,
                            "--no-rebuild", "--quiet"], capture_output=True, text=True)
        check(p.returncode == 0, "meson install: " + p.stderr[-500:])
        intro = json.loads(subprocess.run(
            [a.meson, "introspect", "--buildoptions", a.build],
            capture_output=True, text=True, check=True).stdout)
        opts = {o["name"]: o["value"] for o in intro}
        prefix = dest + opts["prefix"]
        share = os.path.join(prefix, opts["datadir"])
        exe = os.path.join(prefix, opts["bindir"], "wormsign")
        check(os.access(exe, os.X_OK), "binary at %s" % exe)
        for page in sorted(glob.glob(os.path.join(a.src, "man", "wormsign*.[1-8]"))):
            name = os.path.basename(page)
            path = os.path.join(prefix, opts["mandir"], "man" + name[-1], name)
            check(os.path.isfile(path), "man page %s" % name)
        feeds = sorted(os.path.basename(f) for f in glob.glob(os.path.join(a.src, "feeds", "*.json")))
        got = sorted(os.path.basename(f) for f in glob.glob(os.path.join(share, "wormsign", "feeds", "*.json")))
        check(feeds and got == feeds, "feeds installed: %r" % got)
        rules = len(glob.glob(os.path.join(a.src, "rules", "*.yar")))
        got = len(glob.glob(os.path.join(share, "wormsign", "rules", "*.yar")))
        check(rules and got == rules, "rules installed: %d of %d" % (got, rules))
        check(not os.path.exists(os.path.join(share, "wormsign", "feeds", "build.py")),
              "the feed builder is not installed")
        check(os.path.isfile(os.path.join(share, "doc", "wormsign", "README.md")), "README installed")

        # The installed binary, moved away from the build and the sources.
        env = {k: v for k, v in os.environ.items() if k != "WORMSIGN_DATA"}
        env["NO_COLOR"] = "1"
        p = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, cwd=tmp)
        data = [l[len("data: "):] for l in p.stdout.splitlines() if l.startswith("data: ")]
        check(p.returncode == 0 and len(data) == 1 and
              os.path.realpath(data[0]) == os.path.realpath(os.path.join(share, "wormsign", "feeds")),
              "installed --version finds the installed data: %r" % data)
        check("feed mini-shai-hulud: published" in p.stdout, "installed --version names the feeds")
        example = os.path.join(tmp, "example")
        shutil.copytree(os.path.join(a.src, "examples", "tanstack-incident"), example)
        p = subprocess.run([exe, "scan", "--format", "json", example], capture_output=True,
                           text=True, env=env, cwd=tmp)
        ok = p.returncode == 1
        if ok:
            doc = json.loads(p.stdout)
            ok = doc["summary"]["by_severity"]["critical"] == 5
        check(ok, "installed binary scans the example (exit %d): %s" % (p.returncode, p.stderr[-300:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
