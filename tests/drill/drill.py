#!/usr/bin/env python3
"""The incident drill: the TanStack-like compromise end to end (issue 9).

Usage:
    drill.py --wormsign BINARY --mkpki MKPKI [--src DIR] [--keep]

Python 3 standard library only; everything happens in one temporary
directory, on 127.0.0.1, with HOME pointing into it.  The scenario:

- a loopback registry (tests/registry/server.py) with a test PKI
  (tests/prov/pki/mkpki.c): @drill/router 1.0.0 to 1.4.0 with provenance
  from release.yml on push, then 1.5.0, published two hours before --now,
  whose provenance comes from a pull_request_target workflow; and
  @drill/devtools 2.0.0, which depends on the router;
- a feed (wormsign-feed/1) that lists @drill/router@1.5.0 and the SHA-256
  of the payload file 1.5.0 installs;
- an application (app -> @drill/devtools -> @drill/router@1.5.0) locked
  with npm, pnpm, yarn and bun, with an installed node_modules whose router
  carries a git optionalDependencies pin and the payload;
- a fleet of 30 git repositories with fixed dates: four locked 1.5.0 at
  some point (one removed it since), one has the worm's branch and
  workflow, several hold signing certificates (made with the openssl CLI)
  and CI signing secrets.

It asserts that gate refuses to run the command and reports every signal
with each lockfile, that sweep finds exactly the affected repositories with
their exposure windows, that report rotate lists exactly their
certificates and secrets by platform (the rest under not_in_scope) and
renders the Markdown checklist, that no key material or secret value is in
any output, and that nothing outside the temporary directory changed.
Prints "ok N - name" / "not ok N - name" and "N passed, N failed".
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "prov"))
import verify_cli  # noqa: E402  (the loopback registry with the test PKI)

DAY = 86400
NOW = "2026-05-11T23:00:00Z"
NOW_T = 1778540400  # NOW as epoch seconds
ROUTER = "@drill/router"
DEVTOOLS = "@drill/devtools"
BAD = "1.5.0"
GOOD = "1.4.0"
PIN_SHA = "d1e110d1e110d1e110d1e110d1e110d1e110d1e1"
PIN = "github:drill-org/router#" + PIN_SHA
PAYLOAD = b"/* drill payload: a stand-in for the worm's router_init.js */\n" \
          b"require('child_process').exec('true');\n"
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()
SECRET_VALUE = "npm_DrillSecretValue0123456789abcdefABCDEF"


def spec_pkg(name, version, t, **kw):
    d = {"name": name, "version": version, "time": t, "repo": "drill-org/router",
         "ref": "refs/tags/v" + version, "workflow": ".github/workflows/release.yml",
         "trigger": "push"}
    d.update(kw)
    return d


SPEC = [spec_pkg(ROUTER, "1.%d.0" % i, NOW_T - (60 - 10 * i) * DAY) for i in range(5)] + [
    spec_pkg(ROUTER, BAD, NOW_T - 2 * 3600, variant="drift"),
    spec_pkg(DEVTOOLS, "2.0.0", NOW_T - 30 * DAY, repo="drill-org/devtools"),
]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Drill:
    def __init__(self, wormsign, mkpki, src):
        self.wormsign = wormsign
        self.src = src
        verify_cli.SPEC = SPEC
        # the registry's Env makes its directory in $TMPDIR: our own one
        self.outer = tempfile.mkdtemp(prefix="drill-", dir=os.environ.get("TMPDIR"))
        saved = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = self.outer
        try:
            self.reg = verify_cli.Env(wormsign, mkpki, src)  # mkpki, packuments
        finally:
            if saved is None:
                del os.environ["TMPDIR"]
            else:
                os.environ["TMPDIR"] = saved
        self.tmp = self.reg.tmp
        self.home = self.reg.home
        self.outputs = []      # every output, for the no-secret check
        self.key_lines = []    # base64 lines of every private key made
        self.add_manifests()
        self.reg.start()
        TARBALL_BASE[0] = self.reg.base

    # ---- registry ----

    def integrity(self, name, version):
        return self.reg.pkgs[(name, version)]["integrity"]

    def add_manifests(self):
        """The bad version's manifest in its packument carries the pin too."""
        path = os.path.join(self.reg.root, ROUTER.replace("/", "%2f") + ".json")
        with open(path) as f:
            doc = json.load(f)
        doc["versions"][BAD]["optionalDependencies"] = {"@drill/setup": PIN}
        with open(path, "w") as f:
            json.dump(doc, f)
        path = os.path.join(self.reg.root, DEVTOOLS.replace("/", "%2f") + ".json")
        with open(path) as f:
            doc = json.load(f)
        doc["versions"]["2.0.0"]["dependencies"] = {ROUTER: "^1.4.0"}
        with open(path, "w") as f:
            json.dump(doc, f)

    # ---- running wormsign ----

    def env(self):
        e = {k: v for k, v in os.environ.items()
             if not k.lower().startswith(("npm_config_", "git_"))
             and k.lower() not in ("http_proxy", "https_proxy", "all_proxy",
                                   "xdg_cache_home", "xdg_config_home", "prefix")}
        e["HOME"] = self.home
        e["no_proxy"] = "127.0.0.1"
        e["NO_COLOR"] = "1"
        e["GIT_CONFIG_NOSYSTEM"] = "1"
        return e

    def run(self, *args, timeout=180):
        p = subprocess.run([self.wormsign] + list(args), env=self.env(),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, cwd=self.tmp)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.outputs += [out, err]
        # under the sanitizers an expected exit 1 could hide a report
        for mark in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            check(mark not in err, "%s %s: %s" % (args[0], mark, err))
        return p.returncode, out, err

    def read_output(self, path):
        with open(path) as f:
            text = f.read()
        self.outputs.append(text)
        return text

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text if isinstance(text, str) else json.dumps(text, indent=2) + "\n")

    # ---- the feed ----

    def write_feed(self):
        self.feed = self.path("drill-feed.json")
        self.write(self.feed, {
            "format": "wormsign-feed/1", "id": "drill",
            "title": "The incident drill's feed (made up by tests/drill/drill.py)",
            "published": "2026-05-11", "first_seen": "2026-05-11",
            "sources": ["tests/drill/drill.py"],
            "packages": [{"name": ROUTER, "versions": [BAD], "source": "drill",
                          "severity": "critical", "advisory": "DRILL-2026-0001"}],
            "files": [{"sha256": PAYLOAD_SHA, "names": ["router_init.js"],
                       "description": "the drill's payload", "source": "drill"}],
        })


# ---- lockfiles of app -> @drill/devtools -> @drill/router@VERSION ----

def tarball(name, version):
    return "%s%s/-/%s-%s.tgz" % (TARBALL_BASE[0], name, name.split("/")[-1], version)


TARBALL_BASE = ["https://registry.npm.test/"]  # the loopback registry once started


def lock_npm(d, app, version):
    router = {"version": version, "resolved": tarball(ROUTER, version),
              "integrity": d.integrity(ROUTER, version)}
    if version == BAD:
        router["optionalDependencies"] = {"@drill/setup": PIN}
    return json.dumps({
        "name": app, "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {
            "": {"name": app, "version": "1.0.0", "dependencies": {DEVTOOLS: "^2.0.0"}},
            "node_modules/" + DEVTOOLS: {
                "version": "2.0.0", "resolved": tarball(DEVTOOLS, "2.0.0"),
                "integrity": d.integrity(DEVTOOLS, "2.0.0"),
                "dependencies": {ROUTER: "^1.4.0"}},
            "node_modules/" + ROUTER: router}}, indent=2) + "\n"


def lock_pnpm(d, app, version):
    opt = ("    optionalDependencies:\n      '@drill/setup': %s\n" % PIN
           if version == BAD else "")
    return ("lockfileVersion: '9.0'\n\n"
            "settings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\n"
            "importers:\n\n  .:\n    dependencies:\n"
            "      '%(dt)s':\n        specifier: ^2.0.0\n        version: 2.0.0\n\n"
            "packages:\n\n"
            "  '%(dt)s@2.0.0':\n    resolution: {integrity: %(dti)s}\n\n"
            "  '%(r)s@%(v)s':\n    resolution: {integrity: %(ri)s}\n\n"
            "snapshots:\n\n"
            "  '%(dt)s@2.0.0':\n    dependencies:\n      '%(r)s': %(v)s\n\n"
            "  '%(r)s@%(v)s':%(body)s\n") % {
                "dt": DEVTOOLS, "r": ROUTER, "v": version,
                "dti": d.integrity(DEVTOOLS, "2.0.0"), "ri": d.integrity(ROUTER, version),
                "body": "\n" + opt.rstrip("\n") if opt else " {}"}


def lock_yarn(d, app, version):
    opt = ('  optionalDependencies:\n    "@drill/setup" "%s"\n' % PIN
           if version == BAD else "")
    return ("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
            "# yarn lockfile v1\n\n\n"
            '"%(dt)s@^2.0.0":\n  version "2.0.0"\n  resolved "%(dtt)s"\n'
            '  integrity %(dti)s\n  dependencies:\n    "%(r)s" "^1.4.0"\n\n'
            '"%(r)s@^1.4.0":\n  version "%(v)s"\n  resolved "%(rt)s"\n'
            '  integrity %(ri)s\n%(opt)s') % {
                "dt": DEVTOOLS, "r": ROUTER, "v": version, "opt": opt,
                "dtt": tarball(DEVTOOLS, "2.0.0"), "rt": tarball(ROUTER, version),
                "dti": d.integrity(DEVTOOLS, "2.0.0"), "ri": d.integrity(ROUTER, version)}


def lock_bun(d, app, version):
    meta = '{ "optionalDependencies": { "@drill/setup": "%s" } }' % PIN \
        if version == BAD else "{}"
    return ('{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": {\n'
            '      "name": "%(app)s",\n      "dependencies": {\n'
            '        "%(dt)s": "^2.0.0",\n      },\n    },\n  },\n'
            '  "packages": {\n'
            '    "%(dt)s": ["%(dt)s@2.0.0", "", { "dependencies": { "%(r)s": "^1.4.0" } }, "%(dti)s"],\n\n'
            '    "%(r)s": ["%(r)s@%(v)s", "", %(meta)s, "%(ri)s"],\n  }\n}\n') % {
                "app": app, "dt": DEVTOOLS, "r": ROUTER, "v": version, "meta": meta,
                "dti": d.integrity(DEVTOOLS, "2.0.0"), "ri": d.integrity(ROUTER, version)}


LOCKS = {"package-lock.json": lock_npm, "pnpm-lock.yaml": lock_pnpm,
         "yarn.lock": lock_yarn, "bun.lock": lock_bun}


def app_manifest(app):
    return {"name": app, "version": "1.0.0", "private": True,
            "dependencies": {DEVTOOLS: "^2.0.0"}}


def write_app(d, lockname):
    """The application with one lockfile and the installed node_modules."""
    app = d.path("app-" + lockname.split(".")[0])
    d.write(os.path.join(app, "package.json"), app_manifest("drill-app"))
    d.write(os.path.join(app, lockname), LOCKS[lockname](d, "drill-app", BAD))
    nm = os.path.join(app, "node_modules")
    d.write(os.path.join(nm, DEVTOOLS, "package.json"),
            {"name": DEVTOOLS, "version": "2.0.0", "dependencies": {ROUTER: "^1.4.0"}})
    d.write(os.path.join(nm, ROUTER, "package.json"),
            {"name": ROUTER, "version": BAD, "main": "dist/index.js",
             "optionalDependencies": {"@drill/setup": PIN}})
    d.write(os.path.join(nm, ROUTER, "dist", "index.js"), "module.exports = {};\n")
    with open(os.path.join(nm, ROUTER, "router_init.js"), "wb") as f:
        f.write(PAYLOAD)
    return app


# ---- the fleet ----

def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def make_cert(d, kind, cn, name):
    """A self-signed certificate (EC P-256) in d.tmp/certs/NAME.*; returns
    the file to commit (a PKCS#12 with an empty password for code signing,
    a PEM certificate for TLS)."""
    work = d.path("certs")
    os.makedirs(work, exist_ok=True)
    eku = {"apple": "codeSigning", "authenticode": "codeSigning", "tls": "serverAuth"}[kind]
    subj = "/CN=%s/O=Drill Corp/C=US" % cn
    if kind == "apple":
        subj = "/UID=DRILLTEAM1/CN=%s/OU=DRILLTEAM1/O=Drill Corp/C=US" % cn
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "3650",
            "-subj", subj, "-addext", "extendedKeyUsage=" + eku,
            "-addext", "keyUsage=critical,digitalSignature", cwd=work)
    with open(os.path.join(work, name + ".key")) as f:
        d.key_lines += [ln.strip() for ln in f if ln.strip() and not ln.startswith("-----")]
    if kind == "tls":
        return os.path.join(work, name + ".pem")
    openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key",
            "-out", name + ".p12", "-passout", "pass:", cwd=work)
    return os.path.join(work, name + ".p12")


def workflow(secrets, literal=None):
    env = "".join("          %s: ${{ secrets.%s }}\n" % (s, s) for s in secrets)
    if literal:
        env += "          NODE_AUTH_TOKEN: %s\n" % literal
    return ("name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  build:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - name: build and sign\n        run: npm ci && npm run dist\n"
            "        env:\n" + env)


WORM_WORKFLOW = ("on: push\njobs:\n  shai-hulud:\n    runs-on: ubuntu-latest\n"
                 "    steps:\n      - run: echo \"${{ toJSON(secrets) }}\" > /dev/null\n")


class Repo:
    def __init__(self, d, name):
        self.d = d
        self.name = name
        self.dir = d.path("fleet", name)
        self.commits = []
        os.makedirs(self.dir)
        self.git("init", "-q", "-b", "main")

    def git(self, *args, date=None):
        e = self.d.env()
        if date:
            e["GIT_AUTHOR_DATE"] = e["GIT_COMMITTER_DATE"] = date
        p = subprocess.run(["git", "-c", "user.name=Drill", "-c", "user.email=drill@example.test",
                            "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
                           + list(args), cwd=self.dir, env=e, check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        return p.stdout.decode().strip()

    def put(self, rel, text=None, src=None):
        path = os.path.join(self.dir, rel)
        if src:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copy(src, path)
        else:
            self.d.write(path, text)

    def commit(self, day, msg):
        """Commits everything at NOW + day days; returns the commit id."""
        date = iso(NOW_T + int(day * DAY))
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", msg, date=date)
        sha = self.git("rev-parse", "HEAD")
        self.commits.append(sha)
        return sha

    def lock(self, lockname, version):
        self.put("package.json", app_manifest(self.name))
        self.put(lockname, LOCKS[lockname](self.d, self.name, version))


def make_fleet(d):
    """30 repositories; returns what the assertions need."""
    f = {"repos": {}, "exposure": {}, "certs": {}, "secrets": {}, "late": {}}
    names = ["r%02d" % i for i in range(30)]
    repos = {}
    for n in names:
        repos[n] = Repo(d, n)
        f["repos"][n] = repos[n].dir

    def cert(n, rel, kind, cn):
        src = make_cert(d, kind, cn, n + "-" + os.path.basename(rel).split(".")[0])
        repos[n].put(rel, src=src)
        f["certs"][(n, rel)] = kind

    def ci(n, secrets, literal=None):
        repos[n].put(".github/workflows/release.yml", workflow(secrets, literal))
        for s in secrets + (["NODE_AUTH_TOKEN"] if literal else []):
            f["secrets"][(n, s)] = True

    # four repositories that locked the bad version, one lockfile each
    for n, lockname, certs_ci in (
            ("r03", "package-lock.json", "apple"), ("r07", "pnpm-lock.yaml", "npm"),
            ("r12", "yarn.lock", "tls"), ("r18", "bun.lock", "authenticode")):
        r = repos[n]
        if certs_ci == "apple":
            cert(n, "signing/developer-id.p12", "apple",
                 "Developer ID Application: Drill Corp (DRILLTEAM1)")
            ci(n, ["CSC_LINK", "CSC_KEY_PASSWORD", "APPLE_CERTIFICATE"])
        elif certs_ci == "npm":
            ci(n, ["NPM_TOKEN"], literal=SECRET_VALUE)
        elif certs_ci == "tls":
            cert(n, "deploy/tls/server.crt", "tls", "docs.drill.test")
        else:
            cert(n, "build/codesign.pfx", "authenticode", "Drill Corp Code Signing")
            ci(n, ["WIN_CSC_LINK", "WIN_CSC_KEY_PASSWORD"])
        r.lock(lockname, GOOD)
        r.commit(-20, "app on router " + GOOD)
        r.lock(lockname, BAD)
        first = r.commit(-0.05, "bump @drill/router to " + BAD)
        r.put("README.md", "# %s\n" % n)
        last = r.commit(0.5, "docs")
        if n == "r12":
            r.lock(lockname, GOOD)
            r.commit(2, "back to router " + GOOD)
            # a certificate added after the window closed: not in scope
            cert(n, "deploy/tls/late.crt", "tls", "late.drill.test")
            f["late"][(n, "deploy/tls/late.crt")] = True
            r.commit(3, "new TLS certificate")
        f["exposure"][n] = (first, last, lockname, n != "r12")

    # the worm's branch and workflow, in a repository that locked nothing bad
    r = repos["r22"]
    r.put("README.md", "# infra\n")
    ci("r22", ["NPM_TOKEN", "GH_PAT"])
    r.commit(-40, "infra")
    r.git("checkout", "-q", "-b", "shai-hulud")
    r.put(".github/workflows/shai-hulud-workflow.yml", WORM_WORKFLOW)
    r.commit(0.2, "Add workflow")
    r.git("checkout", "-q", "main")

    # unaffected repositories holding certificates and secrets
    cert("r01", "signing/developer-id.p12", "apple",
         "Developer ID Application: Drill Other (DRILLTEAM2)")
    ci("r01", ["CSC_LINK", "APPLE_CERTIFICATE"])
    cert("r05", "build/codesign.pfx", "authenticode", "Drill Other Code Signing")
    ci("r09", ["NPM_TOKEN"])
    cert("r15", "tls/api.crt", "tls", "api.drill.test")
    # one locked only the good version
    repos["r25"].lock("package-lock.json", GOOD)
    for i, n in enumerate(names):
        if not repos[n].commits:
            repos[n].put("README.md", "# %s\n" % n)
            repos[n].commit(-30 + i * 0.5, "initial")
    return f


# ---- the assertions ----


def t_gate(d, lockname):
    app = write_app(d, lockname)
    marker = d.path("ran-" + lockname)
    report = d.path("gate-" + lockname + ".json")
    rc, out, err = d.run("gate", "--now", NOW, "--min-age", "1d",
                         "--registry", d.reg.base, "--cache", d.path("cache"),
                         "--trusted-root", d.reg.trusted_root, "--feed", d.feed,
                         "--source", "all", "--format", "json", "-o", report,
                         app, "--", "touch", marker)
    eq(rc, 1, "gate blocks: " + err)
    check(not os.path.exists(marker), "the command must not run")
    doc = json.loads(d.read_output(report))
    lock = os.path.join(app, lockname)
    eq(sorted(t["file"] for t in doc["targets"]), sorted([app, lock]),
       "the targets, each once although scan, age and verify all read them")
    chain = [["drill-app@1.0.0", DEVTOOLS + "@2.0.0", ROUTER + "@" + BAD]]

    def one(prefix, what, target):
        got = [f for f in doc["findings"] if f["id"].startswith(prefix)
               and f["target"] == target]
        check(got, "%s: no %s finding for %s in %s" % (
            lockname, what, target, [(f["id"], f["target"]) for f in doc["findings"]]))
        eq(got[0]["package"]["paths"], chain, "%s: %s dependency path" % (lockname, what))
        return got[0]

    # from the lockfile: the feed's version, its age, its provenance, its pin
    f = one("ioc-package:%s@%s:drill" % (ROUTER, BAD), "IOC package", lock)
    eq(f["severity"], "critical", "ioc-package severity")
    f = one("release-age:%s@%s" % (ROUTER, BAD), "release age", lock)
    check("2h 0m ago" in f["message"], f["message"])
    f = one("provenance-drift:%s@%s" % (ROUTER, BAD), "provenance drift", lock)
    eq(f["evidence"]["trigger"], "pull_request_target", "drift trigger")
    eq(f["evidence"]["earlier_workflow"], ".github/workflows/release.yml", "earlier workflow")
    f = one("ioc-artifact:git-pin:%s@%s" % (ROUTER, BAD), "git-pin artifact", lock)
    eq(f["evidence"]["commit"], PIN_SHA, "pinned commit")
    # from node_modules: the pin in package.json and the payload's hash
    one("ioc-artifact:git-pin:%s@%s" % (ROUTER, BAD), "installed git-pin artifact", app)
    f = one("ioc-file:" + PAYLOAD_SHA, "payload hash", app)
    eq(f["locations"][0]["file"].endswith("node_modules/%s/router_init.js" % ROUTER), True,
       "payload location " + json.dumps(f["locations"]))
    # what blocks is about the bad version only (a plain-http resolved URL
    # of the loopback registry is a low lockfile finding, and may stay)
    others = sorted({f["id"] for f in doc["findings"] if f["severity"] in ("critical", "high")
                     and (f["package"] is None or (f["package"]["name"],
                                                   f["package"]["version"]) != (ROUTER, BAD))})
    eq(others, [], "%s: blocking findings only for the bad version" % lockname)
    check("not run" in err or "blocked" in err, "stderr says why: " + err)


def sweep(d, fleet):
    out = d.path("sweep.json")
    rc, _, err = d.run("sweep", "--feed", d.feed, "--since", "2026-01-01", "--jobs", "2",
                       "--format", "json", "-o", out, "--under", d.path("fleet"))
    eq(rc, 1, "sweep exit: " + err)
    return out, json.loads(d.read_output(out))


def t_sweep(d, fleet, doc):
    repos = {os.path.basename(r["repo"]): r for r in doc["repos"]}
    eq(len(repos), 30, "repositories swept")
    for n, r in repos.items():
        eq(r["errors"], [], n + " errors")
    affected = sorted(n for n, r in repos.items() if r["affected"])
    # the four that locked it, and the one with the worm's branch (sweep
    # marks a repository affected by any finding at or above --fail-on)
    eq(affected, ["r03", "r07", "r12", "r18", "r22"], "affected repositories")
    for n, (first, last, lockname, still) in fleet["exposure"].items():
        ex = repos[n]["exposure"]
        eq(len(ex), 1, n + " exposure windows")
        e = ex[0]
        eq((e["package"], e["version"], e["feed"]), (ROUTER, BAD, "drill"), n + " exposure")
        eq(e["first_commit"], first, n + " first commit")
        eq(e["last_commit"], last, n + " last commit")
        eq(e["still_locked"], still, n + " still locked")
        eq(e["files"], [lockname], n + " files")
        check("refs/heads/main" in e["refs"], "%s refs %s" % (n, e["refs"]))
    ids = {f["id"] for f in repos["r12"]["findings"]}
    check(any(i.startswith("ioc-history:%s@%s" % (ROUTER, BAD)) for i in ids),
          "the removed version is a history finding: %s" % ids)
    eq(repos["r22"]["exposure"], [], "the worm repository locked nothing")
    text = json.dumps(repos["r22"]["findings"])
    check("shai-hulud" in text, "the worm branch/workflow: " + text)
    for n in ("r25", "r01"):
        eq(repos[n]["findings"], [], n + " is clean")


def rotate(d, fleet, sweep_path):
    certs = d.path("certs.json")
    rc, _, err = d.run("certs", "--history", "--format", "json", "-o", certs,
                       *[fleet["repos"][n] for n in sorted(fleet["repos"])])
    eq(rc, 0, "certs exit: " + err)
    cdoc = json.loads(d.read_output(certs))
    rot = d.path("rotate.json")
    rc, _, err = d.run("report", "rotate", "--sweep", sweep_path, "--certs", certs,
                       "--deadline", "2026-12-11", "--format", "json", "-o", rot)
    eq(rc, 0, "rotate exit: " + err)
    md = d.path("rotate.md")
    rc, _, err = d.run("report", "rotate", "--sweep", sweep_path, "--certs", certs,
                       "--deadline", "2026-12-11", "--format", "markdown", "-o", md)
    eq(rc, 0, "rotate markdown exit: " + err)
    return cdoc, json.loads(d.read_output(rot)), d.read_output(md)


PLATFORM = {"apple": "macos", "authenticode": "windows", "tls": "other"}
AFFECTED = {"r03", "r07", "r12", "r18", "r22"}


def secret_platform(name):
    if "NPM" in name or name == "NODE_AUTH_TOKEN":
        return "npm"
    if name.startswith("WIN_"):
        return "windows"
    if name.startswith(("CSC_", "APPLE_")):
        return "macos"
    return "github"


def item_key(it):
    repo = os.path.basename(it["repo"].rstrip("/"))
    if it.get("secret"):
        return (repo, it["secret"])
    where = json.dumps(it.get("where"))
    for rel in ("signing/developer-id.p12", "build/codesign.pfx", "deploy/tls/server.crt",
                "deploy/tls/late.crt", "tls/api.crt"):
        if rel in where:
            return (repo, rel)
    return (repo, "?" + where)


def t_certs(d, fleet, cdoc):
    found = {(os.path.basename(c["repo"]), c["path"]): c for c in cdoc["certificates"]}
    for (n, rel), kind in fleet["certs"].items():
        c = found.get((n, rel))
        check(c, "certs found %s/%s: %s" % (n, rel, sorted(found)))
        want = {"apple": "apple-developer-id-application",
                "authenticode": "windows-authenticode", "tls": "tls"}[kind]
        eq(c["platform"], want, "%s/%s platform" % (n, rel))
    secrets = {(os.path.basename(s["repo"]), s["name"]) for s in cdoc["secrets"]}
    for key in fleet["secrets"]:
        check(key in secrets, "secret %s in %s" % (key, sorted(secrets)))


def t_rotate(d, fleet, rdoc, md):
    everything = set(fleet["certs"]) | set(fleet["secrets"])
    late = set(fleet["late"])
    in_scope = {k for k in everything if k[0] in AFFECTED and k not in late}
    got = {}
    for it in rdoc["rotation"]:
        if it["phase"] == "remove-persistence":
            continue
        k = item_key(it)
        check(k not in got, "listed twice: %s" % (k,))
        got[k] = it
    eq(sorted(got), sorted(in_scope), "rotation items")
    for k, it in got.items():
        want = secret_platform(k[1]) if k in fleet["secrets"] else PLATFORM[fleet["certs"][k]]
        eq(it["platform"], want, "%s platform" % (k,))
        eq(it["deadline"], "2026-12-11", "%s deadline" % (k,))
        if k in fleet["certs"]:
            check(it["sha256_fingerprint"], "%s fingerprint" % (k,))
    persist = [it for it in rdoc["rotation"] if it["phase"] == "remove-persistence"]
    check(persist and all(os.path.basename(it["repo"]) == "r22" for it in persist)
          and "shai-hulud" in json.dumps(persist), "persistence first: %s" % persist)
    check(rdoc["rotation"][0]["phase"] == "remove-persistence", "persistence comes first")
    out = {item_key(it): it for it in rdoc["not_in_scope"]}
    eq(sorted(out), sorted(everything - in_scope), "not in scope")
    for k, it in out.items():
        why = "not in it during any exposure window" if k in late else "not affected"
        check(why in it["why"], "%s: %s" % (k, it["why"]))
        eq(it["deadline"], None, "%s: no deadline out of scope" % (k,))
    # the Markdown checklist
    lines = md.splitlines()
    heads = [ln.lstrip("#").strip() for ln in lines if ln.startswith("### ")]
    for h in ("Remove persistence first", "macOS", "Windows", "npm", "GitHub", "Other"):
        check(h in heads, "%s heading in %s" % (h, heads))
    check(heads.index("Remove persistence first") < heads.index("macOS")
          < heads.index("Windows") < heads.index("npm"), "headings in order: %s" % heads)
    check(any("Not in scope" in ln for ln in lines if ln.startswith("#")),
          "a not-in-scope section")
    boxes = [ln for ln in lines if ln.startswith("- [ ] ")]
    eq(len(boxes), len(rdoc["rotation"]), "one box per item")
    for it in rdoc["rotation"]:
        if it.get("secret"):
            check(any(it["secret"] in ln for ln in boxes), "%s in a box" % it["secret"])
        elif it.get("sha256_fingerprint"):
            check(any(it["sha256_fingerprint"][:16] in ln for ln in lines),
                  "fingerprint of %s in the Markdown" % it["item"])


def t_no_secrets(d):
    text = "\n".join(d.outputs)
    check(SECRET_VALUE not in text, "a secret value was printed")
    check("-----BEGIN" not in text, "PEM material was printed")
    check(len(d.key_lines) > 10, "keys made")
    leaked = [ln for ln in d.key_lines if len(ln) >= 16 and ln in text]
    eq(leaked, [], "private key material in the outputs")


def git_status(src):
    p = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=src,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout.decode() if p.returncode == 0 else None


def home_state():
    """What wormsign could write in the real HOME: its cache and config."""
    home = os.path.expanduser("~")
    out = []
    for sub in (".cache/wormsign", ".config/wormsign", ".npmrc"):
        p = os.path.join(home, sub)
        for root, dirs, files in os.walk(p):
            for f in files:
                st = os.stat(os.path.join(root, f))
                out.append((os.path.join(root, f), st.st_size, st.st_mtime_ns))
        if os.path.isfile(p):
            out.append((p, os.stat(p).st_mtime_ns))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wormsign", required=True)
    ap.add_argument("--mkpki", required=True)
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(HERE)))
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    t0 = time.time()
    before = (git_status(a.src), home_state())
    d = Drill(os.path.abspath(a.wormsign), os.path.abspath(a.mkpki), a.src)
    passed = failed = 0
    state = {}

    def step(name, fn):
        nonlocal passed, failed
        try:
            fn()
            print("ok %d - %s" % (passed + failed + 1, name))
            passed += 1
        except Exception:
            print("not ok %d - %s" % (passed + failed + 1, name))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            failed += 1
        sys.stdout.flush()

    try:
        d.write_feed()
        for lockname in LOCKS:
            step("gate blocks with every signal (%s)" % lockname,
                 lambda ln=lockname: t_gate(d, ln))
        step("build the fleet", lambda: state.update(fleet=make_fleet(d)))
        if "fleet" in state:
            def do_sweep():
                state["sweep_path"], state["sweep"] = sweep(d, state["fleet"])
                t_sweep(d, state["fleet"], state["sweep"])
            step("sweep: exactly the affected repositories and windows", do_sweep)

            def do_rotate():
                state["certs"], state["rotate"], state["md"] = rotate(
                    d, state["fleet"], d.path("sweep.json"))
            step("certs and report rotate run", do_rotate)
            if "rotate" in state:
                step("certs: every certificate and secret",
                     lambda: t_certs(d, state["fleet"], state["certs"]))
                step("rotate: exactly the affected repositories' items, by platform",
                     lambda: t_rotate(d, state["fleet"], state["rotate"], state["md"]))
        step("no key material or secret value in any output", lambda: t_no_secrets(d))
    finally:
        if a.keep:
            d.reg.server.terminate()
            d.reg.server.wait()
            print("# kept " + d.tmp)
        else:
            d.reg.cleanup()
            shutil.rmtree(d.outer, ignore_errors=True)

    def untouched():
        after = (git_status(a.src), home_state())
        eq(after[0], before[0], "the source tree's git status")
        eq(after[1], before[1], "wormsign's files in the real HOME")
    step("nothing outside the temporary directory changed", untouched)
    print("# %.1f s" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
