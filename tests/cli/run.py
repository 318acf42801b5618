#!/usr/bin/env python3
"""Run wormsign's CLI tests: every tests/cli/*.test file is one case.

Usage:
    run.py --wormsign BINARY [--src DIR] [--only NAME]... [--verbose] [FILE.test...]

Python 3 standard library only.  Each case runs the wormsign binary once and
checks its exit status and output.  The runner prints TAP ("ok N - NAME" /
"not ok N - NAME" with "# " diagnostic lines), then a last line exactly
"N passed, N failed", and exits 1 when any case failed (0 otherwise).

The .test format (in the spirit of pkgconf's t/*.test files)
-----------------------------------------------------------
One "key: value" per line; blank lines and lines starting with "#" are
ignored.  The value runs to the end of the line (leading and trailing blanks
are stripped).  Keys marked (repeatable) may appear more than once; every
occurrence is checked.

  args: ARGS             required; the arguments after the binary, split like
                         a POSIX shell does (Python's shlex.split), so quote
                         arguments with spaces: args: tree --why '@types/ms'
  cwd: DIR               working directory; default the source root (@SRC@)
  exit: N                expected exit status; default 0
  env: K=V               (repeatable) set K to V for the command (and for
                         setup/after); "env: K=" sets it to the empty string
  setup: SHELL           (repeatable) run with /bin/sh -c in @TMP@ before
                         the command; the case fails if it exits non-zero
  after: SHELL           (repeatable) run with /bin/sh -c in @TMP@ after the
                         command; the case fails if it exits non-zero (use
                         it to check files the command wrote)
  stdout-contains: TEXT        (repeatable) TEXT occurs in standard output
  stdout-not-contains: TEXT    (repeatable) TEXT does not occur in it
  stdout-matches: REGEX        (repeatable) re.search(REGEX, stdout, re.M)
                               finds a match (write \x1b for ESC)
  stdout-not-matches: REGEX    (repeatable) it finds none
  stderr-contains: TEXT        (repeatable) the same four for standard error
  stderr-not-contains: TEXT    (repeatable)
  stderr-matches: REGEX        (repeatable)
  stderr-not-matches: REGEX    (repeatable)
  stdout-json: EXPR      (repeatable) standard output is parsed as JSON
                         (it must be valid UTF-8) and
                         the Python expression EXPR must be truthy.  Names
                         bound while it is evaluated:
                           j            the parsed document
                           pkg(n, v=None)  the first entry of j["packages"]
                                        with name n (and version v), or None
                           pkgs(n)      all entries of j["packages"] named n
                           ids          set of "name@version" of j["packages"]
                         and Python's builtins (len, all, any, set, ...)
  stdout-empty: yes      standard output is empty
  stderr-empty: yes      standard error is empty
  stdout-to: FILE        send standard output to FILE instead of a pipe
                         (e.g. /dev/full); the stdout checks then see ""
  tty: yes               standard output is a pseudo-terminal instead of a
                         pipe (for colour tests); the terminal's "\\r\\n"
                         line ends are turned back into "\\n"
  timeout: SECONDS       default 60

Placeholders, expanded in args, cwd, env, stdout-to, setup and after:
  @SRC@    the source root (--src)
  @DATA@   @SRC@/tests/data
  @TMP@    a fresh, empty temporary directory for this case, removed after
  @WORMSIGN@  the binary under test
setup and after also see them as environment variables SRC, DATA, TMP and
WORMSIGN.

The standard output and error of a failing case are shown as diagnostics.
--only NAME (repeatable) runs only the cases whose file name without ".test"
is NAME or matches it as a shell pattern (fnmatch); FILE arguments name case
files directly.
"""

import argparse
import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

KEYS_ONCE = {"args", "cwd", "exit", "tty", "timeout", "stdout-empty",
             "stderr-empty", "stdout-to"}
KEYS_MULTI = {"env", "setup", "after", "stdout-json"} | {
    stream + check for stream in ("stdout", "stderr")
    for check in ("-contains", "-not-contains", "-matches", "-not-matches")}


class CaseError(Exception):
    """A .test file that cannot be understood."""


def parse_case(path):
    case = {k: [] for k in KEYS_MULTI}
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or (key not in KEYS_ONCE and key not in KEYS_MULTI):
                raise CaseError("%s:%d: unknown line %r" % (path, lineno, line))
            value = value.strip()
            if key in KEYS_MULTI:
                case[key].append(value)
            elif key in case:
                raise CaseError("%s:%d: %s given twice" % (path, lineno, key))
            else:
                case[key] = value
    if "args" not in case:
        raise CaseError("%s: no args line" % path)
    return case


def run_pty(argv, cwd, env, timeout):
    """Run with stdout on a pseudo-terminal; return (status, stdout, stderr)."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
    out = bytearray()
    err = bytearray()
    deadline = time.monotonic() + timeout
    fds = {master: out, proc.stderr.fileno(): err}
    while fds:
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            proc.wait()
            os.close(master)
            raise subprocess.TimeoutExpired(argv, timeout)
        ready, _, _ = select.select(list(fds), [], [], left)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                chunk = b""
            if chunk:
                fds[fd].extend(chunk)
            else:
                del fds[fd]
    os.close(master)
    proc.stderr.close()
    status = proc.wait()
    return status, bytes(out).replace(b"\r\n", b"\n"), bytes(err)


def json_env(stdout):
    j = json.loads(stdout)
    packages = j.get("packages", []) if isinstance(j, dict) else []

    def pkgs(name):
        return [p for p in packages if p.get("name") == name]

    def pkg(name, version=None):
        for p in pkgs(name):
            if version is None or p.get("version") == version:
                return p
        return None

    ids = {"%s@%s" % (p.get("name"), p.get("version")) for p in packages}
    return {"j": j, "pkg": pkg, "pkgs": pkgs, "ids": ids}


def run_case(path, opts):
    """Run one case; return a list of failure messages (empty: passed)."""
    case = parse_case(path)
    failures = []
    tmp = tempfile.mkdtemp(prefix="wormsign-cli-")
    try:
        subst = {
            "@SRC@": opts.src,
            "@DATA@": os.path.join(opts.src, "tests", "data"),
            "@TMP@": tmp,
            "@WORMSIGN@": opts.wormsign,
        }

        def expand(s):
            for k, v in subst.items():
                s = s.replace(k, v)
            return s

        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        env["LC_ALL"] = "C"
        for kv in case["env"]:
            k, sep, v = kv.partition("=")
            if not sep:
                raise CaseError("%s: env needs K=V, not %r" % (path, kv))
            env[k.strip()] = expand(v)
        shell_env = dict(env, SRC=opts.src, DATA=subst["@DATA@"], TMP=tmp,
                         WORMSIGN=opts.wormsign)

        for cmd in case["setup"]:
            p = subprocess.run(["/bin/sh", "-c", expand(cmd)], cwd=tmp,
                               env=shell_env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            if p.returncode != 0:
                return ["setup failed (status %d): %s\n%s" % (
                    p.returncode, cmd, p.stdout.decode("utf-8", "replace"))]

        argv = [opts.wormsign] + [expand(a) for a in shlex.split(case["args"])]
        cwd = expand(case.get("cwd", "@SRC@"))
        timeout = float(case.get("timeout", "60"))
        try:
            if case.get("tty") == "yes":
                status, out, err = run_pty(argv, cwd, env, timeout)
            elif "stdout-to" in case:
                with open(expand(case["stdout-to"]), "wb") as f:
                    p = subprocess.run(argv, cwd=cwd, env=env,
                                       stdin=subprocess.DEVNULL, stdout=f,
                                       stderr=subprocess.PIPE, timeout=timeout)
                status, out, err = p.returncode, b"", p.stderr
            else:
                p = subprocess.run(argv, cwd=cwd, env=env,
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=timeout)
                status, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return ["timed out after %gs: %s" % (timeout, shlex.join(argv))]
        except OSError as e:
            return ["cannot run %s: %s" % (shlex.join(argv), e)]
        stdout = out.decode("utf-8", "replace")
        stderr = err.decode("utf-8", "replace")

        want = int(case.get("exit", "0"))
        if status != want:
            failures.append("exit status %d, expected %d" % (status, want))
        for name, text in (("stdout", stdout), ("stderr", stderr)):
            for s in case[name + "-contains"]:
                if s not in text:
                    failures.append("%s does not contain %r" % (name, s))
            for s in case[name + "-not-contains"]:
                if s in text:
                    failures.append("%s contains %r" % (name, s))
            for rx in case[name + "-matches"]:
                if not re.search(rx, text, re.M):
                    failures.append("%s does not match /%s/" % (name, rx))
            for rx in case[name + "-not-matches"]:
                if re.search(rx, text, re.M):
                    failures.append("%s matches /%s/" % (name, rx))
            if case.get(name + "-empty") == "yes" and text:
                failures.append("%s is not empty" % name)
        if case["stdout-json"]:
            try:  # strictly: a JSON document must be valid UTF-8
                names = json_env(out.decode("utf-8"))
            except ValueError as e:
                failures.append("stdout is not JSON: %s" % e)
            else:
                for expr in case["stdout-json"]:
                    try:
                        ok = eval(expr, dict(names))  # noqa: S307 (test input)
                    except Exception as e:  # a failed lookup is a failure
                        failures.append("stdout-json %s raised %s: %s"
                                        % (expr, type(e).__name__, e))
                        continue
                    if not ok:
                        failures.append("stdout-json is false: %s" % expr)

        for cmd in case["after"]:
            p = subprocess.run(["/bin/sh", "-c", expand(cmd)], cwd=tmp,
                               env=shell_env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            if p.returncode != 0:
                failures.append("after failed (status %d): %s\n%s" % (
                    p.returncode, cmd, p.stdout.decode("utf-8", "replace")))

        if failures:
            failures.append("command: %s (in %s)" % (shlex.join(argv), cwd))
            failures.append("stdout:\n" + _clip(stdout))
            failures.append("stderr:\n" + _clip(stderr))
        return failures
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clip(text, limit=4000):
    """Output for a diagnostic: shortened, control characters made visible."""
    if len(text) > limit:
        text = text[:limit] + "\n... (%d more characters)" % (len(text) - limit)
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()), text)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Run wormsign's CLI tests.")
    ap.add_argument("--wormsign", required=True, help="the binary to test")
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(here)),
                    help="source root (default: two levels above run.py)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this case (file name without .test; "
                    "shell patterns allowed); repeatable")
    ap.add_argument("files", nargs="*", metavar="FILE.test")
    opts = ap.parse_args(argv)
    opts.wormsign = os.path.abspath(opts.wormsign)
    opts.src = os.path.abspath(opts.src)

    files = opts.files or sorted(glob.glob(os.path.join(here, "*.test")))
    if opts.only:
        files = [f for f in files
                 if any(fnmatch.fnmatchcase(
                     os.path.basename(f)[:-len(".test")], pat)
                        for pat in opts.only)]
    if not files:
        print("no test cases selected", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    print("1..%d" % len(files))
    passed = failed = 0
    for n, path in enumerate(files, 1):
        name = os.path.basename(path)
        if name.endswith(".test"):
            name = name[:-len(".test")]
        try:
            failures = run_case(path, opts)
        except CaseError as e:
            failures = [str(e)]
        if failures:
            failed += 1
            print("not ok %d - %s" % (n, name))
            for msg in failures:
                for line in msg.rstrip("\n").split("\n"):
                    print("#   " + line)
        else:
            passed += 1
            print("ok %d - %s" % (n, name))
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
