#!/usr/bin/env python3
"""`wormsign feeds update` against an HTTPS server on 127.0.0.1.

Usage:
    update.py --wormsign BINARY --src DIR

Python 3 standard library and the openssl command. Makes a CA and a server
certificate for 127.0.0.1 with openssl, serves bundles (tar.gz and zip)
over TLS from a thread, and checks: a good bundle replaces the feeds
directory (the old file is gone, --version with WORMSIGN_DATA names the new
feed); a wrong SHA-256, a bundle with a path that climbs out, a symlink
entry, an invalid feed, and an untrusted certificate each refuse and leave
the old feeds in place; http:// and a malformed checksum are usage errors.
Prints "ok N - name" / "not ok N - name"; exits 1 when one failed.
"""

import argparse
import hashlib
import http.server
import io
import json
import os
import shutil
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading
import traceback
import zipfile


def feed(fid, published="2026-12-01"):
    return json.dumps({"format": "wormsign-feed/1", "id": fid, "title": "test " + fid,
                       "published": published, "first_seen": "2026-11-30",
                       "packages": [{"name": "evil-" + fid, "versions": ["6.6.6"],
                                     "source": "update.py"}]}).encode()


def tgz(entries):
    """entries: (name, bytes) regular files, or (name, ("symlink", target))."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                ti.type = tarfile.SYMTYPE
                ti.linkname = data[1]
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


class Handler(http.server.BaseHTTPRequestHandler):
    files = {}

    def log_message(self, *a):
        pass

    def do_GET(self):
        body = self.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=wormsign test CA", cwd=d)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    # A second CA the client is not told about.
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2",
            "-subj", "/CN=someone else", cwd=d)


class Env:
    def __init__(self, wormsign):
        self.wormsign = wormsign
        self.tmp = tempfile.mkdtemp(prefix="feeds-update-", dir=os.environ.get("TMPDIR"))
        make_pki(self.tmp)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.tmp, "srv.pem"), os.path.join(self.tmp, "srv.key"))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.data = os.path.join(self.tmp, "share")
        self.feeds = os.path.join(self.data, "feeds")

    def reset_feeds(self):
        shutil.rmtree(self.data, ignore_errors=True)
        os.makedirs(self.feeds)
        with open(os.path.join(self.feeds, "old.json"), "wb") as f:
            f.write(feed("old-feed", "2026-01-01"))

    def serve(self, path, body):
        Handler.files[path] = body
        return "https://127.0.0.1:%d%s" % (self.port, path)

    def run(self, *args, cacert=True):
        argv = [self.wormsign, "feeds", "update"] + list(args) + ["--dest", self.feeds]
        if cacert:
            argv += ["--cacert", os.path.join(self.tmp, "ca.pem")]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, NO_COLOR="1"))
        self.stdout, self.stderr = p.stdout, p.stderr
        return p.returncode

    def listing(self):
        return sorted(os.listdir(self.feeds))

    def untouched(self):
        eq(self.listing(), ["old.json"], "the old feeds stay")
        leftovers = [n for n in os.listdir(self.data) if n != "feeds"]
        eq(leftovers, [], "no temporary directory is left behind")

    def close(self):
        self.httpd.shutdown()
        shutil.rmtree(self.tmp, ignore_errors=True)


def eq(a, b, what):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def check(c, what):
    if not c:
        raise AssertionError(what)


def t_good_tgz(env):
    body = tgz([("feeds/new-a.json", feed("new-a")), ("feeds/new-b.json", feed("new-b")),
                ("feeds/SOURCES.md", b"# where these come from\n")])
    url = env.serve("/bundle.tgz", body)
    code = env.run(url, "--sha256", hashlib.sha256(body).hexdigest())
    eq(code, 0, "exit: " + env.stderr)
    eq(env.listing(), ["SOURCES.md", "new-a.json", "new-b.json"], "the new feeds replace the old")
    check("SHA-256 %s verified" % hashlib.sha256(body).hexdigest() in env.stdout, env.stdout)
    check("2 feeds installed" in env.stdout, env.stdout)
    eq([n for n in os.listdir(env.data) if n != "feeds"], [], "nothing left beside")
    p = subprocess.run([env.wormsign, "--version"], capture_output=True, text=True,
                       env=dict(os.environ, WORMSIGN_DATA=env.data))
    check("feed new-a: published 2026-12-01, first seen 2026-11-30" in p.stdout, p.stdout)
    check("old-feed" not in p.stdout, p.stdout)


def t_good_zip(env):
    body = zipped([("only.json", feed("zipped"))])
    code = env.run(env.serve("/bundle.zip", body), "--sha256", hashlib.sha256(body).hexdigest())
    eq(code, 0, "exit: " + env.stderr)
    eq(env.listing(), ["only.json"], "zip bundle installed")


def t_wrong_sha(env):
    body = tgz([("new.json", feed("new"))])
    code = env.run(env.serve("/b1.tgz", body), "--sha256", "0" * 64)
    eq(code, 3, "exit")
    check("SHA-256 mismatch: expected " + "0" * 64 + ", got " + hashlib.sha256(body).hexdigest()
          in env.stderr, env.stderr)
    env.untouched()


def t_path_escape(env):
    body = tgz([("new.json", feed("new")), ("../evil.json", feed("evil"))])
    code = env.run(env.serve("/b2.tgz", body), "--sha256", hashlib.sha256(body).hexdigest())
    eq(code, 2, "exit")
    check('entry "../evil.json" is not a feed file' in env.stderr, env.stderr)
    env.untouched()
    check(not os.path.exists(os.path.join(env.data, "evil.json")), "nothing written outside")


def t_symlink(env):
    body = tgz([("new.json", ("symlink", "/etc/passwd"))])
    code = env.run(env.serve("/b3.tgz", body), "--sha256", hashlib.sha256(body).hexdigest())
    eq(code, 2, "exit")
    check('entry "new.json" is not a feed file' in env.stderr, env.stderr)
    env.untouched()


def t_invalid_feed(env):
    body = tgz([("good.json", feed("good")), ("bad.json", b'{"format": "wormsign-feed/1"}')])
    code = env.run(env.serve("/b4.tgz", body), "--sha256", hashlib.sha256(body).hexdigest())
    eq(code, 2, "exit")
    check("bad.json" in env.stderr and 'missing "id"' in env.stderr, env.stderr)
    env.untouched()


def t_untrusted_certificate(env):
    body = tgz([("new.json", feed("new"))])
    url = env.serve("/b5.tgz", body)
    argv_sha = hashlib.sha256(body).hexdigest()
    # The system store does not know the test CA; another CA file neither.
    code = env.run(url, "--sha256", argv_sha, "--cacert", os.path.join(env.tmp, "other.pem"),
                   cacert=False)
    eq(code, 3, "exit: " + env.stderr)
    check("certificate" in env.stderr.lower(), env.stderr)
    env.untouched()


def t_usage(env):
    eq(env.run("http://127.0.0.1:1/x.tgz", "--sha256", "0" * 64), 2, "http refused")
    check("only https:// addresses" in env.stderr, env.stderr)
    eq(env.run(env.serve("/x", b""), "--sha256", "xyz"), 2, "bad checksum")
    check("expected 64 hex digits" in env.stderr, env.stderr)
    eq(env.run(env.serve("/y", b"")), 2, "missing checksum")
    check("--sha256 HEX is required" in env.stderr, env.stderr)
    eq(env.run("https://127.0.0.1:%d/nothing-here" % env.port, "--sha256", "0" * 64), 3, "404")
    check("HTTP status 404" in env.stderr, env.stderr)
    env.untouched()


def t_credentials_not_shown(env):
    body = tgz([("new.json", feed("new-c"))])
    url = env.serve("/c.tgz", body).replace("https://", "https://ci:pa55-S3CRET@")
    seen = ""
    eq(env.run(url, "--sha256", "0" * 64), 3, "mismatch")
    check("SHA-256 mismatch" in env.stderr, env.stderr)
    seen += env.stdout + env.stderr
    eq(env.run(url.replace("/c.tgz", "/nothing-here"), "--sha256", "0" * 64), 3, "404")
    check("HTTP status 404" in env.stderr, env.stderr)
    seen += env.stdout + env.stderr
    eq(env.run(url, "--sha256", hashlib.sha256(body).hexdigest()), 0, "good")
    seen += env.stdout + env.stderr
    check("pa55-S3CRET" not in seen, seen)


CASES = [t_good_tgz, t_good_zip, t_wrong_sha, t_path_escape, t_symlink, t_invalid_feed,
         t_untrusted_certificate, t_usage, t_credentials_not_shown]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wormsign", required=True)
    ap.add_argument("--src")
    a = ap.parse_args()
    env = Env(os.path.abspath(a.wormsign))
    failed = 0
    try:
        for i, fn in enumerate(CASES, 1):
            env.reset_feeds()
            try:
                fn(env)
                print("ok %d - %s" % (i, fn.__name__[2:]))
            except Exception:
                failed += 1
                print("not ok %d - %s" % (i, fn.__name__[2:]))
                for line in traceback.format_exc().splitlines():
                    print("#   " + line)
    finally:
        env.close()
    print("%d passed, %d failed" % (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
