"""What wormsign's Python integration tests share.

Python 3 standard library only.  A test script puts this directory on its
path (sys.path.insert(0, <the script's dir>/../lib)) and imports it:

    check, eq          raise AssertionError with a message
    findings           a report's findings by id
    sanitizer_free     fails when stderr holds an ASan/UBSan report
    npm_env            os.environ without npm's or proxies' settings
    RegistryEnv        a base class: tests/registry/server.py on 127.0.0.1
    parse_args         --wormsign BINARY, --src DIR, NAME... and the script's own
    main_loop          runs (name, fn) tests and prints their TAP lines
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import traceback
import urllib.request


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def findings(doc, kind=None):
    """A report's findings by id, only those of kind when given."""
    return {f["id"]: f for f in doc["findings"] if kind is None or f["kind"] == kind}


def sanitizer_free(stderr):
    """Under -Db_sanitize a report fails the test even when the exit
    status happens to be the one expected (a leak exits 1)."""
    check("Sanitizer" not in stderr and "runtime error:" not in stderr,
          "sanitizer report:\n" + stderr)


def default_src(script):
    """The source tree of a script in tests/<dir>/."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(script))))


def npm_env(home, extra=None):
    """The environment for a wormsign run: no npm_config_*, proxy, PREFIX
    or XDG cache setting of the caller, HOME=home, the loopback address
    not proxied, no colour; then extra."""
    e = {k: v for k, v in os.environ.items()
         if not k.lower().startswith("npm_config_")
         and k.lower() not in ("http_proxy", "https_proxy", "all_proxy",
                               "xdg_cache_home", "prefix")}
    e["HOME"] = home
    e["no_proxy"] = "127.0.0.1"
    e["NO_COLOR"] = "1"
    e.update(extra or {})
    return e


class RegistryEnv:
    """A test environment in the temporary directory self.tmp whose
    registry files are in self.root, served by tests/registry/server.py
    (from the source tree self.src) on 127.0.0.1 at self.base once
    started.  Subclasses set tmp, root and src, and define run(*args)
    returning (exit status, stdout, stderr)."""

    server = None
    port = None
    base = None

    def start(self):
        self.server = subprocess.Popen(
            [sys.executable, os.path.join(self.src, "tests", "registry", "server.py"),
             "--port", "0", "--root", self.root, "--idle-timeout", "120"],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.port = int(self.server.stdout.readline())
        self.base = "http://127.0.0.1:%d/" % self.port

    def stop(self):
        if self.server:
            self.server.terminate()
            self.server.wait()
            self.server = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def get(self, what):
        """The server's own /-/<what> endpoint (stats, reset), as JSON."""
        with urllib.request.urlopen("%s-/%s" % (self.base, what), timeout=10) as r:
            return json.loads(r.read())

    def stats(self):
        return self.get("stats")

    def reset(self):
        self.get("reset")

    def run_json(self, *args, **kw):
        rc, out, err = self.run("--format", "json", *args, **kw)
        try:
            doc = json.loads(out)
        except ValueError:
            raise AssertionError("not JSON (rc %d): %s\n%s" % (rc, out, err))
        return rc, doc, err


def parse_args(script, *paths):
    """The command line of a test script: --wormsign BINARY, --src DIR
    (default: the source tree of script), each of paths (an option such as
    "--mkpki", required) and NAME... (the tests to run: those whose name
    contains one; all by default).  wormsign and the paths are made
    absolute."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--wormsign", required=True)
    for p in paths:
        ap.add_argument(p, required=True)
    ap.add_argument("--src", default=default_src(script))
    ap.add_argument("only", nargs="*", metavar="NAME")
    a = ap.parse_args()
    a.wormsign = os.path.abspath(a.wormsign)
    for p in paths:
        name = p.lstrip("-").replace("-", "_")
        setattr(a, name, os.path.abspath(getattr(a, name)))
    return a


def main_loop(tests, call, only=()):
    """Runs each (name, fn) of tests whose name contains one of only (all
    when only is empty) as call(fn); prints "ok N - name" or "not ok N -
    name" and the traceback as "# " lines, then "N passed, N failed".
    Returns the exit status: 1 when a test failed or none ran."""
    passed = failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        if only and not any(o in name for o in only):
            continue
        try:
            call(fn)
            print("ok %d - %s" % (i, name))
            passed += 1
        except Exception:
            print("not ok %d - %s" % (i, name))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            failed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0
