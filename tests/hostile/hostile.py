#!/usr/bin/env python3
"""Hostile inputs, end to end: what an attacker can put in front of wormsign.

Usage:
    hostile.py --wormsign BINARY --src DIR [NAME...]

Python 3 standard library only. Each case builds its input in a temporary
directory under $TMPDIR, runs the built binary and checks that the run ends
with a clear error or warning naming the input, within a time bound, and
that everything else in the same run is still reported correctly (a second,
well-formed target next to the hostile one keeps its findings).

Cases: a 1 GiB lockfile (sparse: refused by its size before any read), JSON
and YAML nested 200,000 deep, symlink loops and symlinks out of the project
root, a node_modules directory of 100,000 entries, a tarball that unpacks to
1 GiB, against the loopback registry a 200 MB packument and a packument
that stalls mid-body, and git repositories holding a 1 GiB blob.

Prints "ok N - name" / "not ok N - name" and a last line
"N passed, N failed"; exits 1 when a case failed.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from wstest import check, eq, main_loop, parse_args, sanitizer_free  # noqa: E402

# Seconds a refusal may take: the caps are checked before the work, so a
# hostile input must not cost more than a normal one (sanitizer builds run
# several times slower; meson's timeout multiplier is not visible here).
QUICK = 20.0


class Case:
    def __init__(self, args):
        self.wormsign = args.wormsign
        self.src = args.src
        self.tmp = tempfile.mkdtemp(prefix="hostile-", dir=os.environ.get("TMPDIR"))

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return p

    def run(self, *argv, timeout=300, env=None):
        """Runs wormsign; sets elapsed, stdout, stderr and peak_rss (bytes,
        from wait4: this run only, not the test's other children)."""
        e = dict(os.environ)
        e["NO_COLOR"] = "1"
        e["HOME"] = self.path("home")
        e.update(env or {})
        t = time.monotonic()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen([self.wormsign] + list(argv), cwd=self.tmp,
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=e)
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() - t > timeout:
                    p.kill()
                    os.wait4(p.pid, 0)
                    raise subprocess.TimeoutExpired(argv, timeout)
                time.sleep(0.02)
            p.returncode = os.waitstatus_to_exitcode(status)
            self.elapsed = time.monotonic() - t
            self.peak_rss = ru.ru_maxrss * 1024
            out.seek(0)
            err.seek(0)
            self.stdout = out.read().decode("utf-8", "replace")
            self.stderr = err.read().decode("utf-8", "replace")
        sanitizer_free(self.stderr)
        return p.returncode

    def json(self):
        return json.loads(self.stdout)

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def incident_example(c):
    return os.path.join(c.src, "examples", "tanstack-incident")


def t_gigabyte_lockfile(c):
    os.makedirs(c.path("big"))
    with open(c.path("big", "package-lock.json"), "wb") as f:
        f.truncate(1 << 30)	# sparse: no disk, no page cache
    code = c.run("scan", "--format", "json", "big", incident_example(c))
    eq(code, 2, "exit code")
    check(c.elapsed < QUICK, "refusal took %.1f s" % c.elapsed)
    check("big/package-lock.json: file is 1073741824 bytes, over the limit" in c.stderr,
          "stderr names the file and the limit: " + c.stderr)
    doc = c.json()
    eq([e["target"] for e in doc["errors"]], ["big/package-lock.json"],
       "report errors: %r" % doc["errors"])
    # The other target is still scanned in full.
    eq(doc["summary"]["by_severity"]["critical"], 5, "critical findings of the example")


def t_deep_json(c):
    depth = 200000
    c.write("deep/package-lock.json",
            '{"lockfileVersion":3,"packages":{"":{"x":' + "[" * depth + "]" * depth + "}}}")
    code = c.run("tree", "deep")
    eq(code, 2, "exit code")
    check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
    check("deep/package-lock.json:1:" in c.stderr and "nesting deeper than" in c.stderr,
          "stderr: " + c.stderr)


def t_deep_yaml(c):
    depth = 200000
    c.write("deepy/pnpm-lock.yaml",
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    x: " + "[" * depth + "]" * depth + "\n")
    c.write("deepy2/pnpm-lock.yaml",
            "lockfileVersion: '9.0'\nimporters:\n  .:\n" +
            "".join("  " * (i + 2) + "k%d:\n" % i for i in range(5000)) + "\n")
    for d in ("deepy", "deepy2"):
        code = c.run("tree", d)
        eq(code, 2, d + " exit code")
        check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
        check(d + "/pnpm-lock.yaml:" in c.stderr and "too deep" in c.stderr,
              d + " stderr: " + c.stderr)


def t_symlinks(c):
    root = c.path("loop")
    nm = os.path.join(root, "node_modules")
    c.write("loop/package.json", json.dumps(
        {"name": "app", "version": "1.0.0", "dependencies": {"a": "1", "b": "1"}}))
    c.write("loop/node_modules/a/package.json", json.dumps({"name": "a", "version": "1.0.0"}))
    # A secret outside the root that a followed link would expose.
    c.write("outside/package.json", json.dumps({"name": "b", "version": "6.6.6"}))
    c.write("outside/.npmrc", "//registry.npm.test/:_authToken=npm_OutsideSecret1234\n")
    os.symlink("..", os.path.join(nm, "self"))			# loop to the root
    os.symlink("../..", os.path.join(nm, "a", "up"))		# loop again
    os.makedirs(os.path.join(nm, "a", "node_modules"))
    os.symlink("../../../node_modules", os.path.join(nm, "a", "node_modules", "cycle"))
    os.symlink(c.path("outside"), os.path.join(nm, "b"))	# out of the root
    os.symlink("c", os.path.join(nm, "c"))			# a link to itself
    code = c.run("tree", "--source", "node_modules", "--format", "json", "loop")
    check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
    eq(code, 0, "exit code")
    doc = c.json()
    names = sorted(p["name"] + "@" + p["version"] for p in doc["packages"])
    eq(names, ["a@1.0.0"], "packages")
    check(any("node_modules/b: symlink points outside the project root" in w
              for w in doc["warnings"]), "warning for the outside link: %r" % doc["warnings"])
    check("6.6.6" not in c.stdout and "OutsideSecret" not in c.stdout + c.stderr,
          "nothing from outside the root")
    # scan over the same tree: the same answer, the files under the links unread
    code = c.run("scan", "--source", "node_modules", "--files", "--format", "json", "loop")
    check(code in (0, 1), "scan exit %d: %s" % (code, c.stderr))
    check("6.6.6" not in c.stdout and "OutsideSecret" not in c.stdout + c.stderr,
          "scan read nothing outside the root")


def t_wide_directory(c):
    c.write("wide/package.json", json.dumps(
        {"name": "w", "version": "1.0.0", "dependencies": {"real": "1"}}))
    c.write("wide/node_modules/real/package.json", json.dumps({"name": "real", "version": "1.0.0"}))
    nm = c.path("wide", "node_modules")
    for i in range(100000):
        open(os.path.join(nm, "f%06d" % i), "w").close()
    code = c.run("tree", "--source", "node_modules", "--format", "json", "wide")
    eq(code, 0, "exit code")
    check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
    doc = c.json()
    eq([p["name"] for p in doc["packages"]], ["real"], "packages")
    # warnings are kept, bounded, and the count of the rest is said
    check("more warnings (use --verbose to see them)" in c.stderr, "stderr: " + c.stderr[-300:])
    check(len(c.stderr) < 64 * 1024, "stderr is bounded: %d bytes" % len(c.stderr))


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.n = n

    def readable(self):
        return True

    def readinto(self, b):
        k = min(len(b), self.n)
        b[:k] = bytes(k)
        self.n -= k
        return k


def t_tarball_bomb(c):
    payload = b"/* worm */ require('child_process');\n"
    sha = hashlib.sha256(payload).hexdigest()
    c.write("feed.json", json.dumps({
        "format": "wormsign-feed/1", "id": "hostile-test", "published": "2026-12-01",
        "files": [{"sha256": sha, "names": ["payload.js"], "source": "hostile.py"}]}))

    def entry(tf, name, data=None, size=None):
        ti = tarfile.TarInfo("package/" + name)
        if data is not None:
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        else:
            ti.size = size
            tf.addfile(ti, io.BufferedReader(Zeros(size), 1 << 20))

    with gzip.open(c.path("bomb.tgz"), "wb", compresslevel=1) as g:
        with tarfile.open(fileobj=g, mode="w") as tf:
            entry(tf, "package.json", b'{"name":"bomb","version":"1.0.0"}')
            entry(tf, "payload.js", payload)
            entry(tf, "big.js", size=1 << 30)
    check(os.path.getsize(c.path("bomb.tgz")) < 8 << 20, "the bomb is small")
    # A well-formed second tarball holding the same payload.
    with gzip.open(c.path("good.tgz"), "wb") as g:
        with tarfile.open(fileobj=g, mode="w") as tf:
            entry(tf, "package.json", b'{"name":"good","version":"1.0.0"}')
            entry(tf, "lib/payload.js", payload)
    code = c.run("scan", "--no-bundled-feeds", "--feed", "feed.json", "--format", "json",
                 "--tarball", "bomb.tgz", "--tarball", "good.tgz", "--source", "lockfile",
                 os.path.join(c.src, "examples", "webapp"))
    check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
    eq(code, 1, "exit code (the payload is critical): " + c.stderr)
    doc = c.json()
    files = sorted(f.get("file") or "" for f in doc["findings"] if f["kind"] == "ioc-file")
    eq(len(files), 2, "the payload is found in both tarballs: %r" % files)
    msgs = [e["message"] for e in doc["errors"]]
    check(any("decompression bomb" in m or "larger than" in m for m in msgs),
          "the bomb is named in the errors: %r" % msgs)


def age_against_bad_registry(c, bad, behaviour, npmrc=None, packument_extra=None):
    """`wormsign age` on a project locking `bad` and `fine`, against the
    loopback registry serving `bad` with `behaviour` (_control.json). One
    name that could not be checked is a finding and an error, not a failed
    run (wormsign-age(1)); the rest of the tree is still checked. Returns
    the report."""
    root = c.path("registry")
    os.makedirs(root)
    for name in (bad, "fine"):
        doc = {"name": name, "versions": {"1.0.0": {}},
               "time": {"created": "2026-01-01T00:00:00Z", "1.0.0": "2026-01-01T00:00:00Z"}}
        doc.update(packument_extra or {})
        with open(os.path.join(root, name + ".json"), "w") as f:
            json.dump(doc, f)
    with open(os.path.join(root, "_control.json"), "w") as f:
        json.dump({"packages": {bad: behaviour}}, f)
    server = subprocess.Popen(
        [sys.executable, os.path.join(c.src, "tests", "registry", "server.py"),
         "--port", "0", "--root", root, "--idle-timeout", "120"],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        port = int(server.stdout.readline())
        lock = {"name": "p", "version": "1.0.0", "lockfileVersion": 3, "packages": {
            "": {"name": "p", "version": "1.0.0", "dependencies": {bad: "1", "fine": "1"}}}}
        for name in (bad, "fine"):
            lock["packages"]["node_modules/" + name] = {
                "version": "1.0.0",
                "resolved": "https://registry.npm.test/%s/-/%s-1.0.0.tgz" % (name, name)}
        c.write("proj/package-lock.json", json.dumps(lock))
        if npmrc:
            c.write("proj/.npmrc", npmrc)
        code = c.run("age", "--registry", "http://127.0.0.1:%d/" % port,
                     "--cache", c.path("cache"), "--min-age", "1d",
                     "--now", "2026-12-04T12:00:00Z", "--format", "json", "proj",
                     timeout=600)
    finally:
        server.terminate()
        server.wait()
    check(code in (0, 1), "exit code %d: %s" % (code, c.stderr))
    doc = c.json()
    check(any(bad in (e["target"] + e["message"]) for e in doc["errors"]),
          "report errors: %r" % doc["errors"])
    eq([f for f in doc["findings"] if f.get("package", {}).get("name") == "fine"], [],
       "fine@1.0.0 (old enough) is checked and clean")
    check([f for f in doc["findings"] if f.get("package", {}).get("name") == bad
           and f["kind"] == "release-unchecked"], bad + " is reported as unchecked")
    return doc


def t_huge_packument(c):
    age_against_bad_registry(c, "huge", {"oversize": 200 * 1000 * 1000})
    check("huge" in c.stderr and ("limit" in c.stderr or "larger" in c.stderr),
          "stderr names the package and the cap: " + c.stderr)


def t_stalled_registry(c):
    # Headers with the full Content-Length, 100 bytes, then nothing; npm's
    # own settings, read from the project's .npmrc as npm does.
    age_against_bad_registry(c, "stuck", {"stall": 100},
                             npmrc="fetch-timeout=3000\nfetch-retries=1\n",
                             packument_extra={"description": "x" * 4000})
    # Two attempts of 3 s each: without the settings, a stall would cost
    # 30 s per attempt and five attempts.
    check(c.elapsed < 20.0, "took %.1f s" % c.elapsed)
    check("'stuck'" in c.stderr and ("timed out after 3000 ms" in c.stderr or
                                    "stalled" in c.stderr) and
          "100 of " in c.stderr and "2 attempts" in c.stderr,
          "stderr names the package and says it stalled: " + c.stderr)


# ---- a repository with a 1 GiB blob ----

GIB = 1 << 30


def git(c, repo, *args):
    env = dict(os.environ)
    env.update({"HOME": c.path("home"), "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.test",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.test",
                "GIT_AUTHOR_DATE": "@1780000000 +0000",
                "GIT_COMMITTER_DATE": "@1780000000 +0000"})
    r = subprocess.run(["git", "-C", repo] + list(args), env=env,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode:
        raise RuntimeError("git %s: %s" % (" ".join(args), r.stderr))
    return r.stdout.strip()


def zero_blob(repo, size):
    """Writes a loose blob of size zero bytes into repo, about 1 MB on disk
    per GiB, without the data ever being in memory or on disk: after a full
    flush, deflate makes the same bytes for every identical chunk, so one
    compressed chunk is repeated and the Adler-32 trailer patched."""
    chunk = 1 << 20
    head = b"blob %d\0" % size
    sha = hashlib.sha1(head)
    adler = zlib.adler32(head)
    zero = bytes(chunk)
    for _ in range(size // chunk):
        sha.update(zero)
        adler = zlib.adler32(zero, adler)
    oid = sha.hexdigest()
    z = zlib.compressobj(9)
    first = z.compress(head + zero) + z.flush(zlib.Z_FULL_FLUSH)
    rest = z.compress(zero) + z.flush(zlib.Z_FULL_FLUSH)
    tail = z.flush(zlib.Z_FINISH)[:-4] + adler.to_bytes(4, "big")
    d = os.path.join(repo, ".git", "objects", oid[:2])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, oid[2:]), "wb") as f:
        f.write(first)
        for _ in range(size // chunk - 1):
            f.write(rest)
        f.write(tail)
    return oid


def lock_text(pkgs):
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": dict(pkgs)}}
    for n, v in pkgs.items():
        packages["node_modules/" + n] = {
            "version": v, "resolved": "https://registry.npm.test/%s/-/%s-%s.tgz" % (n, n, v)}
    return json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3,
                       "packages": packages}, indent=2) + "\n"


def sanitized(c):
    """An ASan build maps shadow memory: its RSS bound is looser."""
    with open(c.wormsign, "rb") as f:
        return b"AddressSanitizer" in f.read()


def t_gigabyte_blob(c):
    feed = os.path.join(c.src, "tests", "data", "git", "test-feed.json")
    oid = None
    for name, big_path in (("unrelated", "assets/disk.img"),
                           ("lockpath", "tools/package-lock.json")):
        repo = c.path(name)
        os.makedirs(repo)
        git(c, repo, "init", "-q", "-b", "main")
        t = time.monotonic()
        if oid is None:
            oid = zero_blob(repo, GIB)
        else:	# the same object, copied: no second gigabyte to hash
            src = c.path("unrelated", ".git", "objects", oid[:2], oid[2:])
            os.makedirs(os.path.join(repo, ".git", "objects", oid[:2]))
            shutil.copyfile(src, os.path.join(repo, ".git", "objects", oid[:2], oid[2:]))
        c.write(name + "/package-lock.json", lock_text({"evil-pkg": "1.0.1", "good": "1.0.0"}))
        git(c, repo, "add", "package-lock.json")
        git(c, repo, "update-index", "--add", "--cacheinfo", "100644,%s,%s" % (oid, big_path))
        git(c, repo, "commit", "-q", "-m", "a gigabyte")
        eq(git(c, repo, "cat-file", "-s", "HEAD:" + big_path), str(GIB), "blob size")
    # A third repository had the blob as its lockfile in an older commit
    # only: the history walk meets it and refuses it the same way.
    repo = c.path("history")
    os.makedirs(os.path.join(repo, ".git", "objects", oid[:2]))
    git(c, repo, "init", "-q", "-b", "main")
    shutil.copyfile(c.path("unrelated", ".git", "objects", oid[:2], oid[2:]),
                    os.path.join(repo, ".git", "objects", oid[:2], oid[2:]))
    git(c, repo, "update-index", "--add", "--cacheinfo", "100644,%s,package-lock.json" % oid)
    git(c, repo, "commit", "-q", "-m", "a gigabyte lockfile")
    git(c, repo, "rm", "-q", "--cached", "package-lock.json")
    c.write("history/package-lock.json", lock_text({"evil-pkg": "1.0.1"}))
    git(c, repo, "add", "package-lock.json")
    git(c, repo, "commit", "-q", "-m", "a real one")
    du = sum(os.path.getsize(os.path.join(d, f))
             for d, _, fs in os.walk(c.tmp) for f in fs)
    check(du < 16 << 20, "the repositories are small on disk: %d bytes" % du)
    rss_max = (600 if sanitized(c) else 300) << 20

    # At a path that is neither a lockfile, a package.json nor a workflow,
    # the blob is never read: a clean, quick sweep of the rest.
    code = c.run("sweep", "--no-bundled-feeds", "--feed", feed, "--format", "json",
                 "unrelated")
    eq(code, 1, "exit code (evil-pkg is critical): " + c.stderr)
    check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
    check(c.peak_rss < rss_max, "peak RSS %d MB" % (c.peak_rss >> 20))
    rep = c.json()["repos"][0]
    eq(rep["errors"], [], "errors")
    eq([(f["package"]["name"], f["package"]["version"]) for f in rep["findings"]
        if f["kind"] == "ioc-package"], [("evil-pkg", "1.0.1")], "findings")

    # At a lockfile path it is refused by its size before any read: an
    # error naming the repository, the path and the cap; the other
    # lockfile is still swept and its finding reported; exit 3 (a
    # repository not swept completely, wormsign-sweep(1)).
    code = c.run("sweep", "--no-bundled-feeds", "--feed", feed, "--format", "json",
                 "lockpath", "history")
    eq(code, 3, "exit code: " + c.stderr)
    check(c.elapsed < QUICK, "took %.1f s" % c.elapsed)
    check(c.peak_rss < rss_max, "peak RSS %d MB" % (c.peak_rss >> 20))
    doc = c.json()
    repos = {r["repo"]: r for r in doc["repos"]}
    for name, path in (("lockpath", "tools/package-lock.json"), ("history", "package-lock.json")):
        rep = repos[name]
        eq(len(rep["errors"]), 1, "one error, once per blob: %r" % rep["errors"])
        err = rep["errors"][0]
        check(err.startswith("%s: %s: blob %s is %d bytes, over the limit of %d" %
                             (rep["repo"], path, oid, GIB, 64 << 20)),
              "the error names the repository, the path, the size and the cap: " + err)
        eq([(f["package"]["name"], f["package"]["version"]) for f in rep["findings"]
            if f["kind"] == "ioc-package"], [("evil-pkg", "1.0.1")], "findings")
        eq(rep["affected"], True, "affected")
    check("lockpath: tools/package-lock.json: blob" in c.stderr, "stderr: " + c.stderr)


CASES = [
    ("gigabyte-lockfile", t_gigabyte_lockfile),
    ("deep-json", t_deep_json),
    ("deep-yaml", t_deep_yaml),
    ("symlink-loops-and-escapes", t_symlinks),
    ("wide-directory", t_wide_directory),
    ("tarball-bomb", t_tarball_bomb),
    ("huge-packument", t_huge_packument),
    ("stalled-registry", t_stalled_registry),
    ("gigabyte-blob", t_gigabyte_blob),
]


def main():
    args = parse_args(__file__)

    def call(fn):
        c = Case(args)
        try:
            fn(c)
        finally:
            c.cleanup()

    return main_loop(CASES, call, args.only)


if __name__ == "__main__":
    sys.exit(main())
