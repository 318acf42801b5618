#!/usr/bin/env python3
"""Integration tests of `wormsign certs` and `wormsign report rotate`.

Usage:
    certs_cli.py --wormsign BINARY --data DIR [--src DIR] [NAME...]

Python 3 standard library only.  Every certificate and key is made here,
in a temporary directory ($TMPDIR), with the openssl command line (a
code-signing certificate in a .p12 with and without a password, a PEM
chain, an expired certificate, a Developer ID-like certificate with
Apple's OID, an EV-like Authenticode certificate, an App Store Connect
.p8 key, an encrypted key, a provisioning profile signed with CMS),
keytool (a JKS and a PKCS#12 keystore) and ssh-keygen; repositories are
made with git, with fixed commit dates so that exposure windows are
exact.  DIR holds the hand-written sweep reports the rotation tests read.

Checks: classification, fingerprints against `openssl x509 -fingerprint
-sha256` and keytool's exported certificates, history windows, the
checklist's items, scope and order, and that no key material, password
or token value appears in any output format.  Prints "ok N - name" /
"not ok N - name" and a last line "N passed, N failed"; exits 1 when a
test failed.
"""

import base64
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import wstest  # noqa: E402

P12_PASS = "Pw-7xq-secret"
STORE_PASS = "Kt-9zz-storepass"
TOKEN_VALUE = "npm_L1teralT0kenNeverPrinted0c0ffee"
FORMATS = ["json", "text", "markdown"]
PLATFORM_ORDER = ["ios", "macos", "windows", "android", "npm", "github",
                  "cloud", "other"]

WORKFLOW = """name: release
on:
  push:
    tags: ['v*']
env:
  NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
jobs:
  mac:
    runs-on: macos-latest
    steps:
      - uses: actions/checkout@v4
      - name: Import signing certificate
        env:
          CSC_LINK: ${{ secrets.APPLE_CERTIFICATE_P12 }}
          CSC_KEY_PASSWORD: ${{ secrets.APPLE_CERTIFICATE_PASSWORD }}
        run: npm run dist:mac
  android:
    runs-on: ubuntu-latest
    steps:
      - name: Bundle
        run: ./gradlew bundleRelease -Pstorepass="${{ secrets.ANDROID_KEYSTORE_PASSWORD }}"
  publish:
    runs-on: ubuntu-latest
    steps:
      - name: Publish
        run: npm publish
        env:
          LEGACY_TOKEN: %s
""" % TOKEN_VALUE

FASTFILE = """default_platform(:ios)
platform :ios do
  lane :release do
    match(type: "appstore", readonly: true)
    app_store_connect_api_key(key_content: ENV["APP_STORE_CONNECT_API_KEY"])
  end
end
"""

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "x">
<plist version="1.0">
<dict>
  <key>AppIDName</key>
  <string>Example</string>
  <key>DeveloperCertificates</key>
  <array>
    <data>%s</data>
  </array>
  <key>ExpirationDate</key>
  <date>2027-05-01T00:00:00Z</date>
  <key>Name</key>
  <string>Example App Store &amp; Test</string>
  <key>TeamIdentifier</key>
  <array>
    <string>TEAMID1234</string>
  </array>
</dict>
</plist>
"""

CA_CONF = """[ca]
default_ca = ca_default
[ca_default]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
copy_extensions = copy
[policy_any]
commonName = supplied
"""


def run(cmd, cwd=None, env=None, check=True, stdin=None):
    p = subprocess.run(cmd, cwd=cwd, env=env, stdin=stdin or subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s" % (
            " ".join(cmd), p.returncode, p.stderr.decode(errors="replace")))
    return p


def openssl(*args, cwd):
    return run(["openssl"] + list(args), cwd=cwd)


def fingerprint(path, cwd, der=False):
    out = openssl("x509", "-in", path, "-inform", "DER" if der else "PEM",
                  "-noout", "-fingerprint", "-sha256", cwd=cwd).stdout.decode()
    return out.strip().split("=", 1)[1].replace(":", "").lower()


class Fixture:
    """Every certificate and key, made once in a temporary directory."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "material")
        os.makedirs(self.dir)
        d = self.dir
        self.key_files = []
        self.p12_files = []

        def req(name, subj, *ext, key="rsa:2048"):
            args = ["req", "-x509", "-newkey", key, "-nodes"]
            if key == "ec":
                args += ["-pkeyopt", "ec_paramgen_curve:P-256"]
            args += [
                    "-keyout", name + ".key", "-out", name + ".crt",
                    "-days", "365", "-subj", subj]
            for e in ext:
                args += ["-addext", e]
            openssl(*args, cwd=d)
            self.key_files.append(name + ".key")

        req("cs", "/CN=Example Code Signing/O=Example",
            "extendedKeyUsage=codeSigning")
        openssl("pkcs12", "-export", "-in", "cs.crt", "-inkey", "cs.key",
                "-out", "nopass.p12", "-passout", "pass:", cwd=d)
        openssl("pkcs12", "-export", "-in", "cs.crt", "-inkey", "cs.key",
                "-out", "pass.p12", "-passout", "pass:" + P12_PASS, cwd=d)
        self.p12_files += ["nopass.p12", "pass.p12"]
        req("devid", "/CN=Developer ID Application: Example (TEAMID1234)"
            "/OU=TEAMID1234/O=Example/C=US",
            "extendedKeyUsage=critical,codeSigning",
            "1.2.840.113635.100.6.1.13=critical,DER:0500")
        openssl("pkcs12", "-export", "-in", "devid.crt", "-inkey",
                "devid.key", "-out", "devid.p12", "-passout", "pass:", cwd=d)
        self.p12_files.append("devid.p12")
        req("ev", "/CN=Example EV Code Signing/O=Example/C=US",
            "extendedKeyUsage=codeSigning",
            "certificatePolicies=2.23.140.1.3", key="ec")
        # a CA and a TLS leaf it signed: the chain
        req("ca", "/CN=Example Test CA", "basicConstraints=critical,CA:true",
            "keyUsage=keyCertSign")
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                "leaf.key", "-out", "leaf.csr", "-subj",
                "/CN=www.example.test", "-addext",
                "extendedKeyUsage=serverAuth", cwd=d)
        self.key_files.append("leaf.key")
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey",
                "ca.key", "-CAcreateserial", "-days", "30", "-out",
                "leaf.crt", "-copy_extensions", "copy", cwd=d)
        with open(os.path.join(d, "chain.pem"), "w") as out:
            for f in ("leaf.crt", "ca.crt"):
                out.write(open(os.path.join(d, f)).read())
        # the chain as PKCS#7 bundles, DER and PEM
        openssl("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform",
                "DER", "-out", "bundle.p7b", cwd=d)
        openssl("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out",
                "bundle-pem.p7b", cwd=d)
        # an expired one: openssl ca takes explicit dates
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write(CA_CONF)
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                "old.key", "-out", "old.csr", "-subj", "/CN=Expired Signing",
                "-addext", "extendedKeyUsage=codeSigning", cwd=d)
        self.key_files.append("old.key")
        openssl("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile",
                "old.key", "-in", "old.csr", "-startdate", "20200101000000Z",
                "-enddate", "20210101000000Z", "-out", "expired.crt",
                "-notext", cwd=d)
        # keys
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-out", "AuthKey_ABCDE12345.p8",
                cwd=d)
        openssl("genpkey", "-algorithm", "RSA", "-aes256", "-pass",
                "pass:" + P12_PASS, "-out", "enc.key", cwd=d)
        self.key_files += ["AuthKey_ABCDE12345.p8", "enc.key"]
        der = openssl("pkey", "-in", "AuthKey_ABCDE12345.p8", "-pubout",
                      "-outform", "DER", cwd=d).stdout
        self.p8_fingerprint = hashlib.sha256(der).hexdigest()
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ci",
             "-f", os.path.join(d, "deploy_key")])
        self.key_files.append("deploy_key")
        line = run(["ssh-keygen", "-l", "-E", "sha256", "-f",
                    os.path.join(d, "deploy_key.pub")]).stdout.decode()
        b64 = line.split()[1].split(":", 1)[1]
        self.ssh_fingerprint = base64.b64decode(b64 + "=" * (-len(b64) % 4)).hex()
        # keystores
        self.keytool("upload.jks", "upload", "JKS")
        self.keytool("release.keystore", "release", "PKCS12")
        run(["keytool", "-exportcert", "-keystore", "upload.jks",
             "-storepass", STORE_PASS, "-alias", "upload", "-file",
             "upload.der"], cwd=d)
        self.upload_fingerprint = fingerprint("upload.der", d, der=True)
        # a provisioning profile embedding the Developer ID certificate
        devid_der = openssl("x509", "-in", "devid.crt", "-outform", "DER",
                            cwd=d).stdout
        with open(os.path.join(d, "profile.plist"), "w") as f:
            f.write(PROFILE % base64.b64encode(devid_der).decode())
        openssl("cms", "-sign", "-binary", "-nodetach", "-outform", "DER",
                "-in", "profile.plist", "-signer", "cs.crt", "-inkey",
                "cs.key", "-out", "Example.mobileprovision", cwd=d)
        self.fp = {n: fingerprint(n + ".crt", d)
                   for n in ("cs", "devid", "ev", "ca", "leaf")}
        self.fp["expired"] = fingerprint("expired.crt", d)
        self.secret_chunks = self.collect_secret_chunks()

    def keytool(self, name, alias, storetype):
        run(["keytool", "-genkeypair", "-keystore", name, "-storetype",
             storetype, "-storepass", STORE_PASS, "-keypass", STORE_PASS,
             "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
             "-validity", "10000", "-dname",
             "CN=%s key, O=Example" % alias.capitalize()], cwd=self.dir)
        self.p12_files.append(name)

    def collect_secret_chunks(self):
        """Pieces of every key and container that must never be printed."""
        chunks = {P12_PASS, STORE_PASS, TOKEN_VALUE}
        for f in self.key_files:
            text = open(os.path.join(self.dir, f), errors="replace").read()
            for line in text.splitlines():
                if len(line) >= 40 and not line.startswith("-----"):
                    chunks.add(line[:40])
        for f in self.p12_files:
            raw = open(os.path.join(self.dir, f), "rb").read()
            b64 = base64.b64encode(raw).decode()
            for i in range(0, len(b64) - 40, 400):
                chunks.add(b64[i:i + 40])
            chunks.add(raw[-64:].hex())
        return chunks

    def copy(self, name, dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(os.path.join(self.dir, name), dest)


class Ctx:
    def __init__(self, wormsign, data, fx, tmp):
        self.wormsign = wormsign
        self.data = data
        self.fx = fx
        self.tmp = tmp

    def run(self, *args, cwd=None, expect=0):
        p = run([self.wormsign] + list(args), cwd=cwd or self.tmp,
                env=dict(os.environ, NO_COLOR="1"), check=False)
        if p.returncode != expect:
            raise AssertionError("wormsign %s: exit %d, expected %d\n%s" % (
                " ".join(args), p.returncode, expect,
                p.stderr.decode(errors="replace")))
        return p.stdout.decode(), p.stderr.decode()

    def all_formats(self, *args, cwd=None, expect=0):
        outs = {}
        for fmt in FORMATS:
            outs[fmt], _ = self.run(*(list(args) + ["--format", fmt]),
                                    cwd=cwd, expect=expect)
        return outs

    def assert_nothing_secret(self, outs):
        for fmt, text in outs.items():
            assert "PRIVATE KEY" not in text, fmt + ": a PEM key header"
            for chunk in self.fx.secret_chunks:
                assert chunk not in text, "%s: %r printed" % (fmt, chunk)


def git(repo, *args, date=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.test",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.test",
               GIT_CONFIG_NOSYSTEM="1", HOME=repo)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return run(["git"] + list(args), cwd=repo, env=env).stdout.decode().strip()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_app_repo(ctx, path):
    """Three commits: old material added, removed, new material added."""
    fx = ctx.fx
    os.makedirs(path)
    git(path, "init", "-q", "-b", "main")
    fx.copy("cs.crt", os.path.join(path, "certs/old.crt"))
    fx.copy("nopass.p12", os.path.join(path, "sign/old.p12"))
    git(path, "add", "-A")
    git(path, "commit", "-qm", "old", date="2026-03-01T12:00:00Z")
    c1 = git(path, "rev-parse", "HEAD")
    git(path, "rm", "-rq", "certs", "sign")
    git(path, "commit", "-qm", "drop", date="2026-04-01T12:00:00Z")
    fx.copy("devid.p12", os.path.join(path, "sign/devid.p12"))
    fx.copy("upload.jks", os.path.join(path, "android/app/upload.jks"))
    write(os.path.join(path, ".github/workflows/release.yml"), WORKFLOW)
    write(os.path.join(path, "fastlane/Fastfile"), FASTFILE)
    write(os.path.join(path, "fastlane/Matchfile"), 'git_url("x")\n')
    git(path, "add", "-A")
    git(path, "commit", "-qm", "new", date="2026-05-01T12:00:00Z")
    c3 = git(path, "rev-parse", "HEAD")
    return c1, c3


def by_path(report, path):
    return [c for c in report["certificates"] if c["path"] == path]


# ---- tests ----

def test_directory_classification_and_fingerprints(ctx):
    fx = ctx.fx
    proj = os.path.join(ctx.tmp, "proj")
    for name in ("cs.crt", "nopass.p12", "pass.p12", "chain.pem",
                 "expired.crt", "devid.p12", "ev.crt",
                 "AuthKey_ABCDE12345.p8", "enc.key", "upload.jks",
                 "release.keystore", "Example.mobileprovision",
                 "deploy_key", "bundle.p7b", "bundle-pem.p7b"):
        fx.copy(name, os.path.join(proj, "sub", name))
    out, _ = ctx.run("certs", "--format", "json", "proj")
    r = json.loads(out)
    assert r["schema"] == "wormsign-report/1" and r["command"] == "certs"

    (cs,) = by_path(r, "sub/cs.crt")
    assert cs["platform"] == "windows-authenticode", cs
    assert cs["sha256_fingerprint"] == fx.fp["cs"]
    assert cs["eku"] == ["codeSigning"] and cs["protected"] is False
    assert cs["key_type"] == "RSA" and cs["key_bits"] == 2048
    assert cs["subject"] == "O=Example,CN=Example Code Signing", cs["subject"]
    assert cs["repo"] == "proj" and cs["commit"] is None

    (nopass,) = by_path(r, "sub/nopass.p12")
    assert nopass["kind"] == "pkcs12"
    assert nopass["sha256_fingerprint"] == fx.fp["cs"]
    assert nopass["has_private_key"] is True and nopass["protected"] is False

    (locked,) = by_path(r, "sub/pass.p12")
    assert locked["protected"] is True and locked["sha256_fingerprint"] is None
    assert locked["file_sha256"] == hashlib.sha256(
        open(os.path.join(fx.dir, "pass.p12"), "rb").read()).hexdigest()

    chain = by_path(r, "sub/chain.pem")
    assert [c["sha256_fingerprint"] for c in chain] == [fx.fp["leaf"],
                                                       fx.fp["ca"]]
    assert chain[0]["platform"] == "tls"
    assert chain[0]["issuer"] == "CN=Example Test CA"

    for bundle in ("sub/bundle.p7b", "sub/bundle-pem.p7b"):
        got = sorted(c["sha256_fingerprint"] for c in by_path(r, bundle))
        assert got == sorted([fx.fp["leaf"], fx.fp["ca"]]), (bundle, got)

    (old,) = by_path(r, "sub/expired.crt")
    assert old["not_before"] == "2020-01-01T00:00:00Z"
    assert old["not_after"] == "2021-01-01T00:00:00Z"
    assert old["expired"] is True and cs["expired"] is False
    assert old["sha256_fingerprint"] == fx.fp["expired"]

    (devid,) = by_path(r, "sub/devid.p12")
    assert devid["platform"] == "apple-developer-id-application", devid
    assert devid["team_id"] == "TEAMID1234"
    assert devid["sha256_fingerprint"] == fx.fp["devid"]

    (ev,) = by_path(r, "sub/ev.crt")
    assert ev["platform"] == "windows-authenticode-ev" and ev["ev"] is True
    assert ev["key_type"] == "EC"

    (p8,) = by_path(r, "sub/AuthKey_ABCDE12345.p8")
    assert p8["kind"] == "apple-p8-key" and p8["alias"] == "ABCDE12345"
    assert p8["sha256_fingerprint"] == fx.p8_fingerprint
    assert p8["protected"] is False and p8["has_private_key"] is True

    (enc,) = by_path(r, "sub/enc.key")
    assert enc["kind"] == "private-key" and enc["protected"] is True

    (jks,) = by_path(r, "sub/upload.jks")
    assert jks["kind"] == "jks" and jks["alias"] == "upload"
    assert jks["platform"] == "android"
    assert jks["sha256_fingerprint"] == fx.upload_fingerprint
    assert jks["protected"] is True and jks["subject"] == "CN=Upload key,O=Example"

    (ks,) = by_path(r, "sub/release.keystore")
    assert ks["kind"] == "keystore-pkcs12" and ks["platform"] == "android"
    assert ks["protected"] is True

    (prof,) = by_path(r, "sub/Example.mobileprovision")
    assert prof["kind"] == "provisioning-profile"
    assert prof["team_id"] == "TEAMID1234"
    assert prof["profile_name"] == "Example App Store &amp; Test"
    assert prof["profile_expires"] == "2027-05-01T00:00:00Z"
    assert prof["sha256_fingerprint"] == fx.fp["devid"]

    (ssh,) = by_path(r, "sub/deploy_key")
    assert ssh["key_type"] == "ssh-ed25519" and ssh["protected"] is False
    assert ssh["sha256_fingerprint"] == fx.ssh_fingerprint
    assert not by_path(r, "sub/deploy_key.pub")

    ctx.assert_nothing_secret(ctx.all_formats("certs", "proj"))


def test_symlinks_out_of_the_root_are_not_followed(ctx):
    fx = ctx.fx
    outside = os.path.join(ctx.tmp, "outside")
    fx.copy("cs.crt", os.path.join(outside, "secret.crt"))
    root = os.path.join(ctx.tmp, "linked")
    fx.copy("ev.crt", os.path.join(root, "own.crt"))
    os.symlink(os.path.join(outside, "secret.crt"),
               os.path.join(root, "link.crt"))
    os.symlink(outside, os.path.join(root, "linkdir"))
    out, _ = ctx.run("certs", "--format", "json", "linked")
    paths = sorted(c["path"] for c in json.loads(out)["certificates"])
    assert paths == ["own.crt"], paths


def test_git_head_history_and_bare(ctx):
    app = os.path.join(ctx.tmp, "git-app")
    c1, c3 = make_app_repo(ctx, app)
    out, _ = ctx.run("certs", "--format", "json", "git-app")
    r = json.loads(out)
    assert not by_path(r, "sign/old.p12"), "history read without --history"
    (devid,) = by_path(r, "sign/devid.p12")
    assert devid["commit"] == c3 and devid["in_head"] is True
    assert devid["first_date"] is None
    assert devid["last_date"] == "2026-05-01T12:00:00Z"
    (jks,) = by_path(r, "android/app/upload.jks")
    assert jks["alias"] == "upload"
    # the working tree is never read: a file only there is not listed
    ctx.fx.copy("ev.crt", os.path.join(app, "untracked.crt"))
    out, _ = ctx.run("certs", "--format", "json", "git-app")
    assert not by_path(json.loads(out), "untracked.crt")

    out, _ = ctx.run("certs", "--history", "--format", "json", "git-app")
    r = json.loads(out)
    (old,) = by_path(r, "sign/old.p12")
    assert old["in_head"] is False
    assert old["first_commit"] == c1 and old["last_commit"] == c1
    assert old["first_date"] == "2026-03-01T12:00:00Z"
    assert old["sha256_fingerprint"] == ctx.fx.fp["cs"]
    (oldcrt,) = by_path(r, "certs/old.crt")
    assert oldcrt["commit"] == c1
    (devid,) = by_path(r, "sign/devid.p12")
    assert devid["in_head"] is True and devid["first_commit"] == c3

    run(["git", "clone", "-q", "--bare", app,
         os.path.join(ctx.tmp, "git-app.git")])
    out, _ = ctx.run("certs", "--format", "json", "git-app.git")
    paths = sorted(c["path"] for c in json.loads(out)["certificates"])
    assert paths == ["android/app/upload.jks", "sign/devid.p12"], paths
    ctx.assert_nothing_secret(ctx.all_formats("certs", "--history", "git-app"))


def test_ci_secrets(ctx):
    out, _ = ctx.run("certs", "--format", "json", "git-app")
    secrets = {(s["file"], s["name"]): s for s in json.loads(out)["secrets"]}
    wf = ".github/workflows/release.yml"
    npm = secrets[(wf, "NPM_TOKEN")]
    assert npm["category"] == "npm-token" and npm["used_in"] == ["(top level)"]
    assert secrets[(wf, "NODE_AUTH_TOKEN")]["category"] == "npm-token"
    assert secrets[(wf, "APPLE_CERTIFICATE_P12")]["used_in"] == [
        "mac/Import signing certificate"]
    assert secrets[(wf, "CSC_LINK")]["category"] == "apple-signing"
    assert secrets[(wf, "ANDROID_KEYSTORE_PASSWORD")]["used_in"] == [
        "android/Bundle"]
    assert secrets[(wf, "LEGACY_TOKEN")]["used_in"] == ["publish/Publish"]
    assert secrets[("fastlane/Fastfile", "APP_STORE_CONNECT_API_KEY")][
        "used_in"] == ["lane release"]
    assert secrets[("fastlane/Matchfile", "MATCH_PASSWORD")]
    for fmt, text in ctx.all_formats("certs", "git-app").items():
        assert TOKEN_VALUE not in text, fmt
        assert "LEGACY_TOKEN" in text, fmt


def test_errors(ctx):
    _, err = ctx.run("certs", "no-such-dir", expect=2)
    assert "no-such-dir" in err
    _, err = ctx.run("certs", "--format", "sarif", expect=2)
    _, err = ctx.run("certs", "--bogus", expect=2)
    out, _ = ctx.run("certs", "--help")
    assert "--history" in out
    # a repository with a missing blob: listed as an error, exit 3
    broken = os.path.join(ctx.tmp, "broken")
    os.makedirs(broken)
    git(broken, "init", "-q")
    ctx.fx.copy("cs.crt", os.path.join(broken, "a.crt"))
    ctx.fx.copy("ev.crt", os.path.join(broken, "b.crt"))
    git(broken, "add", "-A")
    git(broken, "commit", "-qm", "x")
    blob = git(broken, "rev-parse", "HEAD:a.crt")
    os.unlink(os.path.join(broken, ".git/objects", blob[:2], blob[2:]))
    out, err = ctx.run("certs", "--format", "json", "broken", expect=3)
    r = json.loads(out)
    assert [c["path"] for c in r["certificates"]] == ["b.crt"]
    assert r["errors"] and "a.crt" in r["errors"][0]["message"], r["errors"]
    assert "a.crt" in err


def test_tree_bomb_is_bounded(ctx):
    # 16 copies of one tree per level, 6 levels: 16^6 paths from a few
    # objects; the walk stops at the entry limit and says so (exit 3)
    bomb = os.path.join(ctx.tmp, "bomb")
    os.makedirs(bomb)
    git(bomb, "init", "-q")

    def obj(*cmd, data):
        return subprocess.run(["git"] + list(cmd), cwd=bomb, input=data.encode(),
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()

    blob = obj("hash-object", "-w", "--stdin", data="not a certificate\n")
    tree = obj("mktree", data="100644 blob %s\tnotes.txt\n" % blob)
    for _ in range(6):
        tree = obj("mktree", data="".join("040000 tree %s\td%02d\n" % (tree, i)
                                          for i in range(16)))
    git(bomb, "update-ref", "HEAD", git(bomb, "commit-tree", tree, "-m", "bomb"))
    out, err = ctx.run("certs", "--format", "json", "bomb", expect=3)
    r = json.loads(out)
    assert any("tree entries" in e["message"] for e in r["errors"]), r["errors"]
    assert "tree entries" in err


def test_pkcs12_mac_iterations_are_bounded(ctx):
    # the MAC's iteration count is not covered by the MAC: raised to
    # 0x7fffff it costs seconds per try; 0x7fffffff would be minutes
    d = os.path.join(ctx.tmp, "slowp12")
    os.makedirs(d)
    p12 = os.path.join(d, "slow.p12")
    openssl("pkcs12", "-export", "-in", "cs.crt", "-inkey", "cs.key", "-out", p12,
            "-passout", "pass:", "-iter", "65536", "-maciter", cwd=ctx.fx.dir)
    data = open(p12, "rb").read()
    at = data.rfind(b"\x02\x03\x01\x00\x00")
    assert at > 0, "the MAC iteration count 65536 is where it is expected"
    open(p12, "wb").write(data[:at] + b"\x02\x03\x7f\xff\xff" + data[at + 5:])
    out, _ = ctx.run("certs", "--format", "json", "slowp12")
    [e] = json.loads(out)["certificates"]
    assert e["protected"] is True and "iteration count" in e["note"], e
    # a valid MAC for the empty password over safes whose key derivation
    # asks for more iterations than are ever tried
    os.unlink(p12)
    openssl("pkcs12", "-export", "-in", "cs.crt", "-inkey", "cs.key", "-out", p12,
            "-passout", "pass:", "-iter", "1100000", "-nomaciter", cwd=ctx.fx.dir)
    out, _ = ctx.run("certs", "--format", "json", "slowp12")
    [e] = json.loads(out)["certificates"]
    assert e["protected"] is True and "iteration count" in e["note"], e


def test_unopened_directory_is_an_error(ctx):
    # 40 levels with one descriptor held per level: under a limit of 16
    # open files a directory cannot be opened; the inventory must say it
    # is incomplete (exit 3), not report a clean tree
    deep = os.path.join(ctx.tmp, "deep")
    leaf = os.path.join(deep, *["d%d" % i for i in range(40)])
    os.makedirs(leaf)
    ctx.fx.copy("cs.crt", os.path.join(leaf, "a.crt"))
    p = subprocess.run(
        [ctx.wormsign, "certs", "--format", "json", "deep"], cwd=ctx.tmp,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, NO_COLOR="1"),
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16)))
    assert p.returncode == 3, (p.returncode, p.stderr.decode(errors="replace"))
    r = json.loads(p.stdout)
    assert any("Too many open files" in e["message"] for e in r["errors"]), r["errors"]


def certs_json(ctx, name, *roots, history=True):
    out, _ = ctx.run("certs", *((["--history"] if history else []) +
                                ["--format", "json", "--output", name] +
                                list(roots)))
    assert out == ""
    return os.path.join(ctx.tmp, name)


def rotation_setup(ctx):
    repos = os.path.join(ctx.tmp, "repos")
    if not os.path.isdir(repos):
        make_app_repo(ctx, os.path.join(repos, "app"))
        lib = os.path.join(repos, "lib")
        ctx.fx.copy("chain.pem", os.path.join(lib, "tls/chain.pem"))
        other = os.path.join(repos, "other")
        ctx.fx.copy("ev.crt", os.path.join(other, "ev.crt"))
    return certs_json(ctx, "certs-rot.json", "repos/app", "repos/lib",
                      "repos/other")


def test_rotate_scope_order_and_actions(ctx):
    certs = rotation_setup(ctx)
    sweep = os.path.join(ctx.data, "sweep-window.json")
    out, _ = ctx.run("report", "rotate", "--sweep", sweep, "--certs", certs,
                     "--deadline", "2026-06-15", "--format", "json")
    r = json.loads(out)
    rot, out_of = r["rotation"], r["not_in_scope"]
    for it in rot + out_of:
        for key in ("order", "phase", "platform", "kind", "item",
                    "sha256_fingerprint", "secret", "repo", "where", "why",
                    "action", "deadline"):
            assert key in it, (key, it)
    assert [it["order"] for it in rot] == list(range(1, len(rot) + 1))
    # persistence first, then grouped by platform in the documented order
    assert rot[0]["kind"] == "persistence" and rot[0]["platform"] == "github"
    assert "shai-hulud" in rot[0]["where"]
    rest = rot[1:]
    assert all(it["phase"] == "revoke-reissue" for it in rest)
    idx = [PLATFORM_ORDER.index(it["platform"]) for it in rest]
    assert idx == sorted(idx), [it["platform"] for it in rest]
    assert all(it["deadline"] == "2026-06-15" for it in rot)
    assert all(it["deadline"] is None for it in out_of)

    def find(items, **kw):
        return [it for it in items
                if all(it.get(k) == v for k, v in kw.items())]

    (devid,) = find(rot, sha256_fingerprint=ctx.fx.fp["devid"])
    assert devid["platform"] == "macos" and devid["kind"] == "certificate"
    assert "re-notarize" in devid["action"]
    assert "Developer ID Application" in devid["item"]
    assert devid["where"].startswith("sign/devid.p12 at ")
    assert "@tanstack/react-router@1.169.5" in devid["why"]
    (upload,) = find(rot, sha256_fingerprint=ctx.fx.upload_fingerprint)
    assert upload["platform"] == "android"
    assert "Play App Signing" in upload["action"]
    assert "cannot simply be replaced" in upload["action"]
    npm = find(rot, secret="NPM_TOKEN")
    assert npm and npm[0]["platform"] == "npm" and npm[0]["kind"] == "token"
    assert "trusted publishing" in npm[0]["action"]
    assert find(rot, secret="MATCH_PASSWORD", platform="ios")
    assert find(rot, secret="APPLE_CERTIFICATE_P12", platform="macos")
    assert find(rot, secret="ANDROID_KEYSTORE_PASSWORD", platform="android")
    # before the window: listed, not in scope, with the reason
    old_items = [it for it in out_of if it["repo"] == "repos/app"]
    assert {it["where"].split(" ")[0] for it in old_items} == {
        "sign/old.p12", "certs/old.crt"}, old_items
    assert all("exposure window" in it["why"] for it in old_items)
    lib = find(out_of, repo="repos/lib")
    assert len(lib) == 2 and all("not affected" in it["why"] for it in lib)
    (other,) = find(out_of, repo="repos/other")
    assert "not in the sweep report" in other["why"]
    assert other["platform"] == "windows"
    # nothing dropped: every certificate of the inventory is somewhere
    inventory = json.load(open(certs))
    assert len(inventory["certificates"]) + len(inventory["secrets"]) + 1 == \
        len(rot) + len(out_of)

    outs = ctx.all_formats("report", "rotate", "--sweep", sweep, "--certs",
                           certs, "--deadline", "2026-06-15")
    md = outs["markdown"]
    assert md.count("\n- [ ] ") == len(rot), md
    assert "### Remove persistence first" in md and "### macOS" in md
    assert md.index("### Remove persistence first") < md.index("### macOS") \
        < md.index("### Android") < md.index("### npm") \
        < md.index("### Not in scope")
    assert "1. [github] persistence (remove first)" in outs["text"]
    ctx.assert_nothing_secret(outs)


def test_rotate_without_window_or_dates(ctx):
    certs = rotation_setup(ctx)
    out, _ = ctx.run("report", "rotate", "--sweep",
                     os.path.join(ctx.data, "sweep-no-window.json"),
                     "--certs", certs, "--format", "json")
    r = json.loads(out)
    # affected without an exposure window: everything of the repo, the
    # removed material too; the sweep's unrelated repos stay out
    where = [it["where"] for it in r["rotation"] if it["repo"] == "repos/app"]
    assert any(w.startswith("sign/old.p12") for w in where), where
    assert all(it["repo"] == "repos/app" for it in r["rotation"])
    assert all(it["deadline"] is None for it in r["rotation"])
    # HEAD-only inventory: nothing says when it was added, so in scope
    certs2 = certs_json(ctx, "certs-head.json", "repos/app", history=False)
    out, _ = ctx.run("report", "rotate", "--sweep",
                     os.path.join(ctx.data, "sweep-window.json"), "--certs",
                     certs2, "--format", "json")
    r = json.loads(out)
    devid = [it for it in r["rotation"]
             if it["sha256_fingerprint"] == ctx.fx.fp["devid"]]
    assert devid and "not known" in devid[0]["why"], devid


def test_rotate_errors(ctx):
    certs = rotation_setup(ctx)
    sweep = os.path.join(ctx.data, "sweep-window.json")
    _, err = ctx.run("report", "rotate", "--sweep", certs, "--certs", certs,
                     expect=2)
    assert "certs-rot.json" in err and "not a sweep report" in err, err
    _, err = ctx.run("report", "rotate", "--sweep", sweep, "--certs", sweep,
                     expect=2)
    assert "not a certs report" in err, err
    _, err = ctx.run("report", "rotate", "--sweep", sweep, "--certs", certs,
                     "--deadline", "2026-13-01", expect=2)
    assert "--deadline" in err
    ctx.run("report", "rotate", "--certs", certs, expect=2)
    _, err = ctx.run("report", "rotate", "--sweep", "missing.json",
                     "--certs", certs, expect=2)
    assert "missing.json" in err
    bad = os.path.join(ctx.tmp, "bad.json")
    write(bad, '{"repos": [')
    _, err = ctx.run("report", "rotate", "--sweep", bad, "--certs", certs,
                     expect=2)
    assert "bad.json:1:" in err, err
    out, _ = ctx.run("report", "rotate", "--help")
    assert "--deadline" in out
    ctx.run("report", "rotate", "--sweep", sweep, "--certs", certs,
            "--output", os.path.join(ctx.tmp, "out.md"), "--format",
            "markdown")
    assert "- [ ]" in open(os.path.join(ctx.tmp, "out.md")).read()


TESTS = [
    test_directory_classification_and_fingerprints,
    test_symlinks_out_of_the_root_are_not_followed,
    test_git_head_history_and_bare,
    test_ci_secrets,
    test_errors,
    test_tree_bomb_is_bounded,
    test_pkcs12_mac_iterations_are_bounded,
    test_unopened_directory_is_an_error,
    test_rotate_scope_order_and_actions,
    test_rotate_without_window_or_dates,
    test_rotate_errors,
]


def main():
    a = wstest.parse_args(__file__, "--data")
    with tempfile.TemporaryDirectory(prefix="certs-cli-") as tmp:
        ctx = Ctx(a.wormsign, a.data, Fixture(tmp), tmp)
        return wstest.main_loop([(t.__name__, t) for t in TESTS],
                                lambda t: t(ctx), a.only)


if __name__ == "__main__":
    sys.exit(main())
