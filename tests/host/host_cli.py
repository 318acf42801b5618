#!/usr/bin/env python3
"""Integration tests of `wormsign host` against fake homes made by each test.

Usage:
    host_cli.py --wormsign BINARY [--src DIR] [NAME...]

Python 3 standard library only.  Every test builds a home directory under
a fresh temporary directory ($TMPDIR): systemd units, LaunchAgents, a
self-hosted runner, .npmrc and gh hosts.yml tokens, an npm cache holding a
payload tarball, projects with node_modules and .env files, symlinks out of
the home, unreadable files and FIFOs.  It runs BINARY host --home on it and
checks findings, exit codes, the order of the rotation checklist
(persistence removal before any revocation) and that no token value
appears in any output format.  Prints "ok N - name" / "not ok N - name"
and a last line "N passed, N failed"; exits 1 when a test failed.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import wstest  # noqa: E402
from wstest import check  # noqa: E402

NPM_TOKEN = "npm_H0stT3stT0kenNeverPrinted4c2e91"
GH_TOKEN = "gho_H0stGhT0kenNeverPrinted77ab0f"
UNIT_TOKEN = "ghp_UnitEnvT0kenNeverPrinted5150"
ENV_SECRET = "sk_live_EnvS3cretNeverPrinted0042"
GITCRED_PW = "gitCredPassw0rdNeverPrinted99"
AWS_SECRET = "wJalrXUtnFEMIAwsS3cretNeverPrinted"
WATCHED = "ghp_WatchedT0kenNeverPrinted8080"
SECRETS = [NPM_TOKEN, GH_TOKEN, UNIT_TOKEN, ENV_SECRET, GITCRED_PW, AWS_SECRET,
           WATCHED]
FORMATS = ["text", "json", "markdown", "sarif"]

PAYLOAD = b"/* router_init.js test payload */ console.log('not really');\n"
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()

UNIT = """[Unit]
Description=GitHub token monitor
[Service]
Environment=GITHUB_TOKEN=%s
ExecStart=%%h/.local/bin/gh-token-monitor.sh
[Install]
WantedBy=default.target
""" % UNIT_TOKEN

PLIST = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "x">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>com.user.gh-token-monitor</string>
  <key>ProgramArguments</key>
  <array><string>/bin/sh</string><string>-c</string>
  <string>gh-token-monitor.sh</string></array>
</dict>
</plist>
"""


def fingerprint(value):
    return hashlib.sha256(value.encode()).hexdigest()[:16]


class Home:
    """A temporary directory holding home/ and anything outside it."""

    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="host-cli-",
                                    dir=os.environ.get("TMPDIR"))
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.feed = None

    def path(self, rel):
        return os.path.join(self.home, rel)

    def write(self, rel, text, mode=None, mtime=None):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        if mode is not None:
            os.chmod(p, mode)
        if mtime is not None:
            os.utime(p, (mtime, mtime))
        return p

    def test_feed(self):
        """A feed listing PAYLOAD's hash, as --feed takes it."""
        if not self.feed:
            self.feed = os.path.join(self.tmp, "test-feed.json")
            with open(self.feed, "w") as f:
                json.dump({
                    "format": "wormsign-feed/1", "id": "host-test",
                    "title": "host test feed", "published": "2026-12-01",
                    "sources": ["tests/host"],
                    "packages": [{"name": "@evil/gone", "versions": ["4.2.0"],
                                  "source": "tests/host", "severity": "critical"}],
                    "files": [{"sha256": PAYLOAD_SHA, "names": ["router_init.js"],
                               "description": "test payload",
                               "source": "tests/host", "severity": "critical"}],
                    "artifacts": [], "network": []}, f)
        return self.feed

    def run(self, *extra, fmt="json", home=None, preexec=None, feed=False):
        argv = [self.args.wormsign, "host", "--home", home or self.home,
                "--format", fmt]
        if feed:
            argv += ["--feed", self.test_feed()]
        argv += list(extra)
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=60,
                           preexec_fn=preexec)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        wstest.sanitizer_free(err)
        rep = json.loads(out) if fmt == "json" and out.strip() else None
        return p.returncode, rep, out, err

    def all_formats(self, *extra, feed=False):
        """Runs every format; returns {fmt: stdout+stderr}."""
        outs = {}
        for fmt in FORMATS:
            code, _, out, err = self.run(*extra, fmt=fmt, feed=feed)
            outs[fmt] = out + err
        return outs

    def cleanup(self):
        for root, dirs, files in os.walk(self.tmp):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def kinds(rep):
    return sorted(f["kind"] for f in rep["findings"])


def by_kind(rep, kind):
    return [f for f in rep["findings"] if f["kind"] == kind]


def ffile(f):
    locs = f.get("locations") or [{}]
    return locs[0].get("file")


def fline(f):
    locs = f.get("locations") or [{}]
    return locs[0].get("line")


def evidence(f):
    return f.get("evidence") or {}


def no_secrets(outs):
    for fmt, text in outs.items():
        for s in SECRETS:
            check(s not in text, "%s output shows a secret value %s..." % (fmt, s[:6]))
            # not even the secret part after its well-known prefix
            check(s[4:] not in text, "%s output shows part of %s..." % (fmt, s[:6]))


def rotation_phases_ordered(rep):
    phases = [it["phase"] for it in rep["rotation"]]
    check(phases, "no rotation items")
    first_revoke = next((i for i, p in enumerate(phases) if p == "revoke-reissue"),
                        len(phases))
    check(all(p == "remove-persistence" for p in phases[:first_revoke]) and
          all(p == "revoke-reissue" for p in phases[first_revoke:]),
          "rotation items not ordered persistence first: %s" % phases)
    check([it["order"] for it in rep["rotation"]] ==
          list(range(1, len(phases) + 1)), "rotation order numbers")
    return phases


def make_persistence(h):
    h.write(".config/systemd/user/gh-token-monitor.service", UNIT)
    h.write(".local/bin/gh-token-monitor.sh", "#!/bin/sh\nexit 0\n")
    os.makedirs(h.path(".config/systemd/user/default.target.wants"))
    os.symlink("../gh-token-monitor.service",
               h.path(".config/systemd/user/default.target.wants/gh-token-monitor.service"))
    h.write("Library/LaunchAgents/com.user.gh-token-monitor.plist", PLIST)


def make_tokens(h):
    h.write(".npmrc", "registry=https://registry.npm.test/\n"
            "//registry.npm.test/:_authToken=%s\n" % NPM_TOKEN)
    h.write(".config/gh/hosts.yml", "github.com:\n"
            "    oauth_token: %s\n    user: dev\n    git_protocol: https\n" % GH_TOKEN)


def tarball(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in files.items():
            info = tarfile.TarInfo("package/" + name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ---- the tests ----

def t_clean(h):
    h.write(".bashrc", "export PATH=$HOME/bin:$PATH\nalias ll='ls -l'\n")
    h.write(".npmrc", "registry=https://registry.npm.test/\n")
    h.write(".config/systemd/user/backup.service",
            "[Service]\nExecStart=/usr/bin/rsync -a /home/x /backup\n")
    code, rep, _, err = h.run()
    check(code == 0, "exit %d, want 0: %s" % (code, err))
    check(rep["findings"] == [], "findings in a clean home: %s" % kinds(rep))
    check(rep["rotation"] == [], "rotation items in a clean home")
    check(rep["host"]["errors"] == [], "errors in a clean home")
    paths = [c["path"] for c in rep["host"]["checked"]]
    check("~/.bashrc" in paths and "~/.npmrc" in paths, "checked paths: %s" % paths)


def t_persistence(h):
    make_persistence(h)
    code, rep, _, err = h.run()
    check(code == 1, "exit %d, want 1" % code)
    pers = by_kind(rep, "host-persistence")
    files = {ffile(f) for f in pers}
    check(h.path(".config/systemd/user/gh-token-monitor.service") in files,
          "systemd unit not reported: %s" % files)
    check(h.path("Library/LaunchAgents/com.user.gh-token-monitor.plist") in files,
          "LaunchAgent not reported: %s" % files)
    check(all(f["severity"] == "critical" for f in pers), "severity")
    rot = rep["rotation"]
    check(all(it["phase"] == "remove-persistence" for it in rot), "phases")
    actions = " ".join(it["action"] for it in rot)
    check("systemctl --user disable --now 'gh-token-monitor.service'" in actions,
          "no systemctl action: %s" % actions)
    check("launchctl bootout gui/$(id -u) " in actions, "no launchctl action")
    units = [it for it in rot if "gh-token-monitor.service" in it["item"]]
    check(len(units) == 1, "one removal item for the unit and its link: %d" % len(units))
    # the script the unit starts: a feed artifact, and one removal item
    scripts = [it for it in rot if it["where"] == "~/.local/bin/gh-token-monitor.sh"]
    check(len(scripts) == 1 and "rm " in scripts[0]["action"],
          "one removal item for the started script: %s" % scripts)
    check(any(ffile(f) == h.path(".local/bin/gh-token-monitor.sh") for f in pers),
          "the script itself is a finding")
    no_secrets(h.all_formats())


def t_runner(h):
    h.write(".dev-env/.runner",
            b'\xef\xbb\xbf{"agentId": 7, "agentName": "SHA1HULUD", "poolName": "Default",'
            b' "gitHubUrl": "https://github.test/victim/app", "workFolder": "_work"}')
    h.write(".dev-env/.credentials", '{"scheme": "OAuth", "data": {"clientId": "x"}}')
    h.write("actions-runner/.runner",
            '{"agentName": "build-01", "gitHubUrl": "https://github.test/corp"}')
    code, rep, _, _ = h.run()
    check(code == 1, "exit %d" % code)
    runners = {ffile(f): f for f in by_kind(rep, "host-runner")}
    worm = runners.get(h.path(".dev-env"))
    check(worm and worm["severity"] == "critical", "SHA1HULUD runner: %s" % runners)
    ev = evidence(worm)
    check(ev.get("agentName") == "SHA1HULUD", "evidence %s" % ev)
    other = runners.get(h.path("actions-runner"))
    check(other and other["severity"] == "medium", "unknown runner is medium")
    rot = [it for it in rep["rotation"] if it["item"] == "self-hosted runner SHA1HULUD"]
    check(rot and rot[0]["phase"] == "remove-persistence" and
          "rm -rf" in rot[0]["action"], "runner removal item")
    # --since: the unknown runner is a soft signal, the worm's is not
    code, rep, _, _ = h.run("--since", "2999-01-01")
    files = {ffile(f) for f in by_kind(rep, "host-runner")}
    check(files == {h.path(".dev-env")}, "--since kept soft runner: %s" % files)


def t_tokens(h):
    make_tokens(h)
    code, rep, _, _ = h.run()
    check(code == 0, "credentials alone are low: exit %d" % code)
    creds = by_kind(rep, "host-credential")
    fps = {evidence(f).get("fingerprint") for f in creds}
    check(fingerprint(NPM_TOKEN) in fps, "npm fingerprint missing: %s" % fps)
    check(fingerprint(GH_TOKEN) in fps, "gh fingerprint missing: %s" % fps)
    check(all(f["severity"] == "low" for f in creds), "severity")
    check(any(fline(f) == 2 and ffile(f) == h.path(".npmrc") for f in creds),
          "npmrc line")
    plats = [it["platform"] for it in rep["rotation"]]
    check(plats == ["npm", "github"], "rotation platforms %s" % plats)
    check(all("wipe" in it["action"] for it in rep["rotation"]),
          "credential actions must warn about the wipe")
    code, _, _, _ = h.run("--fail-on", "low")
    check(code == 1, "--fail-on low: exit %d" % code)
    no_secrets(h.all_formats())


def t_order(h):
    make_tokens(h)
    make_persistence(h)
    h.write(".git-credentials", "https://dev:%s@github.test\n" % GITCRED_PW)
    h.write(".aws/credentials", "[default]\naws_access_key_id = AKIAEXAMPLEKEYID0000\n"
            "aws_secret_access_key = %s\n" % AWS_SECRET)
    h.write(".config/gh-token-monitor/token", WATCHED + "\n")
    h.write(".bashrc", "# IfYouRevokeThisTokenItWillWipeTheComputerOfTheOwner token=%s\n"
            % UNIT_TOKEN)
    code, rep, _, _ = h.run()
    check(code == 1, "exit %d" % code)
    phases = rotation_phases_ordered(rep)
    check(phases.count("remove-persistence") >= 4, "removals: %s" % phases)
    check(phases.count("revoke-reissue") >= 5, "revocations: %s" % phases)
    watched = [it for it in rep["rotation"] if "watched" in it["item"]]
    check(watched and watched[0]["sha256_fingerprint"] == fingerprint(WATCHED),
          "watched token item: %s" % watched)
    bashrc = [f for f in by_kind(rep, "host-persistence")
              if ffile(f) == h.path(".bashrc")]
    check(bashrc and fline(bashrc[0]) == 1, "wipe string in .bashrc")
    no_secrets(h.all_formats())
    # the Markdown checklist puts the removals first too
    md = h.run(fmt="markdown")[2]
    items = [l for l in md[md.find("## Rotation checklist"):].splitlines()
             if l.startswith("- [ ]")]
    kinds_md = ["persistence" in l.split(":")[0] for l in items]
    check(items and kinds_md == sorted(kinds_md, reverse=True),
          "markdown checklist order: %s" % items)


def t_payload(h):
    content = h.path(".npm/_cacache/content-v2/sha512/1f/2e/3d4c5b")
    os.makedirs(os.path.dirname(content))
    with open(content, "wb") as f:
        f.write(tarball({"package.json": b'{"name":"evil-pkg","version":"1.0.0"}',
                         "router_init.js": PAYLOAD}))
    h.write(".npm-global/lib/node_modules/evil-global/package.json",
            '{"name":"evil-global","version":"2.0.0"}')
    h.write(".npm-global/lib/node_modules/evil-global/router_init.js", PAYLOAD)
    h.write(".bun/install/cache/evil-bun@3.0.0@@@1/package.json",
            '{"name":"evil-bun","version":"3.0.0"}')
    h.write(".bun/install/cache/evil-bun@3.0.0@@@1/dist/x.js", PAYLOAD)
    proj = os.path.join(h.tmp, "project")
    os.makedirs(os.path.join(proj, "node_modules", "evil-dep"))
    with open(os.path.join(proj, "package.json"), "w") as f:
        f.write('{"name":"app","version":"1.0.0","dependencies":{"evil-dep":"1"}}')
    with open(os.path.join(proj, "node_modules", "evil-dep", "package.json"), "w") as f:
        f.write('{"name":"evil-dep","version":"1.0.1"}')
    with open(os.path.join(proj, "node_modules", "evil-dep", "router_init.js"), "wb") as f:
        f.write(PAYLOAD)
    with open(os.path.join(proj, ".env"), "w") as f:
        f.write("PORT=3000\nSTRIPE_SECRET_KEY=%s\n" % ENV_SECRET)
    with open(os.path.join(proj, ".env.example"), "w") as f:
        f.write("STRIPE_SECRET_KEY=changeme\n")
    # without the feed the hash is unknown: no payload finding
    code, rep, _, _ = h.run(proj)
    check(not by_kind(rep, "host-payload"), "payload found without its feed")
    code, rep, _, err = h.run(proj, feed=True)
    check(code == 1, "exit %d: %s" % (code, err))
    pay = by_kind(rep, "host-payload")
    names = {(f.get("package") or {}).get("name") for f in pay}
    files = " ".join(ffile(f) or "" for f in pay)
    check(len(pay) == 4, "4 payload findings, got %d: %s" % (len(pay), files))
    check("_cacache" in files and ".npm-global" in files and ".bun" in files and
          "project/node_modules" in files, "payload places: %s" % files)
    check(all(f["severity"] == "critical" for f in pay), "severity")
    check(all(evidence(f).get("sha256") == PAYLOAD_SHA for f in pay),
          "sha256 evidence")
    env = [f for f in by_kind(rep, "host-credential")
           if ffile(f) == os.path.join(os.path.realpath(proj), ".env")]
    check(len(env) == 1, "one .env secret (not the example): %d" % len(env))
    ev = evidence(env[0])
    check(ev["name"] == "STRIPE_SECRET_KEY" and ev["fingerprint"] == fingerprint(ENV_SECRET),
          ".env evidence %s" % ev)
    rotation_phases_ordered(rep)
    check({"evil-pkg", "evil-global", "evil-bun", "evil-dep"} <= names,
          "package names %s" % names)
    outs = {}
    for fmt in FORMATS:
        c, _, out, err = h.run(proj, fmt=fmt, feed=True)
        outs[fmt] = out + err
    no_secrets(outs)


def t_npm_index(h):
    """npm's index remembers a download after the content is gone."""
    key = ("make-fetch-happen:request-cache:"
           "https://registry.npm.test/@evil%2fgone/-/gone-4.2.0.tgz")
    other = ("make-fetch-happen:request-cache:"
             "https://registry.npm.test/left-pad/-/left-pad-1.3.0.tgz")
    def line(k, seps=(",", ":")):	# npm writes JSON.stringify's compact form
        return hashlib.sha1(k.encode()).hexdigest() + "\t" + json.dumps(
            {"key": k, "integrity": "sha512-AAAA", "time": 1, "size": 10,
             "metadata": {"url": k.split(":", 2)[2]}}, separators=seps)
    h.write(".npm/_cacache/index-v5/3f/9a/0b1c2d",
            line(key) + "\n" + line(key, (", ", ": ")) + "\n")
    h.write(".npm/_cacache/index-v5/aa/bb/ccdd", line(other) + "\nnot json\n")
    code, rep, _, _ = h.run()
    check(not by_kind(rep, "host-package"), "matched without the feed")
    code, rep, _, _ = h.run(feed=True)
    pk = by_kind(rep, "host-package")
    check(len(pk) == 1, "one finding for a version fetched twice: %d" % len(pk))
    check(pk[0]["package"]["name"] == "@evil/gone" and
          pk[0]["package"]["version"] == "4.2.0", "package %s" % pk[0]["package"])
    check(code == 1, "exit %d" % code)
    rot = [it for it in rep["rotation"] if "npm cache clean" in it["action"]]
    check(len(rot) == 1 and rot[0]["phase"] == "remove-persistence", "cache item")


SSH_PUB = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILE+5aQU7ahQstzg+BdlsudNQB2P80lQqSvij4mitZa9"
           " test@host\n")
SSH_FP = "SHA256:h2IixOXMdcpj4lpN7DIP6s8+Lm1zvLbnfTOjWvr/djU"	# ssh-keygen -l


def openssh_key(cipher):
    """The header of an OpenSSH private key file (the rest is filler)."""
    import base64
    raw = b"openssh-key-v1\0" + len(cipher).to_bytes(4, "big") + cipher.encode()
    raw += b"\0" * (96 - len(raw))
    b64 = base64.b64encode(raw).decode()
    return ("-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n%s\n"
            "-----END OPENSSH PRIVATE KEY-----\n" % (b64[:70], b64[70:]))


def t_cloud_ssh(h):
    h.write(".ssh/id_ed25519", openssh_key("none"), mode=0o600)
    h.write(".ssh/id_ed25519.pub", SSH_PUB)
    h.write(".ssh/id_rsa_work", openssh_key("aes256-ctr"), mode=0o600)
    h.write(".ssh/known_hosts", "github.test ssh-ed25519 AAAA\n")
    h.write(".aws/credentials", "[default]\naws_access_key_id = AKIAEXAMPLEKEYID0000\n"
            "aws_secret_access_key = %s\n[readonly]\nregion = eu-west-1\n" % AWS_SECRET)
    h.write(".config/gcloud/application_default_credentials.json",
            '{"type": "authorized_user", "refresh_token": "%s"}' % GITCRED_PW)
    h.write(".azure/msal_token_cache.json", '{"AccessToken": {}}')
    h.write(".git-credentials", "https://dev:%s@github.test\n" % GITCRED_PW)
    code, rep, _, _ = h.run()
    check(code == 0, "exit %d" % code)
    creds = {ffile(f): f for f in by_kind(rep, "host-credential")}
    key = creds.get(h.path(".ssh/id_ed25519"))
    check(key and key["severity"] == "low" and evidence(key)["fingerprint"] == SSH_FP,
          "unencrypted SSH key: %s" % key)
    enc = creds.get(h.path(".ssh/id_rsa_work"))
    check(enc and enc["severity"] == "info", "encrypted SSH key is info")
    check(h.path(".ssh/known_hosts") not in creds, "known_hosts is no key")
    aws = creds.get(h.path(".aws/credentials"))
    check(aws and evidence(aws)["scope"] == "default" and
          evidence(aws)["fingerprint"] == fingerprint(AWS_SECRET), "aws %s" % aws)
    for rel in (".config/gcloud/application_default_credentials.json",
                ".azure/msal_token_cache.json", ".git-credentials"):
        check(h.path(rel) in creds, "%s not reported" % rel)
    plats = {it["where"]: it["platform"] for it in rep["rotation"]}
    check(plats.get("~/.git-credentials:1") == "github", "git credential platform %s" % plats)
    check(plats.get("~/.aws/credentials:3") == "cloud", "aws platform %s" % plats)
    ssh = [it for it in rep["rotation"] if it["where"] == "~/.ssh/id_ed25519"]
    check(ssh and ssh[0]["sha256_fingerprint"] == SSH_FP, "ssh rotation item")
    no_secrets(h.all_formats())
    # a project that is not there makes the check incomplete
    code, _, _, err = h.run(os.path.join(h.tmp, "no-such-project"))
    check(code == 2 and "no-such-project" in err, "missing project: exit %d" % code)
    code, _, _, err = h.run(h.path(".git-credentials"))
    check(code == 2 and "not a project directory" in err, "file as project: %d" % code)


def t_symlink_out(h):
    outside = os.path.join(h.tmp, "outside")
    os.makedirs(outside)
    with open(os.path.join(outside, "evil.service"), "w") as f:
        f.write("[Service]\nExecStart=/usr/bin/gh-token-monitor\n")
    with open(os.path.join(outside, "npmrc"), "w") as f:
        f.write("//registry.npm.test/:_authToken=%s\n" % NPM_TOKEN)
    os.makedirs(h.path(".config/systemd/user"))
    os.symlink(os.path.join(outside, "evil.service"),
               h.path(".config/systemd/user/evil.service"))
    os.symlink(os.path.join(outside, "npmrc"), h.path(".npmrc"))
    # a link inside the home is fine (dotfile managers)
    h.write("dotfiles/bashrc", "echo IfYouRevokeThisTokenItWillWipeTheComputerOfTheOwner\n")
    os.symlink(h.path("dotfiles/bashrc"), h.path(".bashrc"))
    code, rep, _, _ = h.run()
    files = {ffile(f) for f in rep["findings"]}
    check(h.path(".config/systemd/user/evil.service") not in files,
          "followed a unit link out of the home")
    check(not by_kind(rep, "host-credential"), "followed .npmrc out of the home")
    skipped = {s["path"]: s["reason"] for s in rep["host"]["skipped"]}
    check("out of the home" in skipped.get("~/.config/systemd/user/evil.service", ""),
          "unit link not listed as skipped: %s" % skipped)
    check("out of the home" in skipped.get("~/.npmrc", ""), ".npmrc not listed")
    check(h.path(".bashrc") in files, "link inside the home not read")
    check(code == 1, "exit %d" % code)


def t_unreadable(h):
    make_tokens(h)
    os.mkfifo(h.path(".zshrc"))	# never opened for reading: it would block
    p = h.write(".aws/credentials", "[default]\naws_secret_access_key = %s\n" % AWS_SECRET,
                mode=0o600)
    preexec = None
    if os.geteuid() == 0:
        # root reads everything: run as nobody, with the home readable
        # by others except the one file
        for root, dirs, files in os.walk(h.tmp):
            os.chmod(root, 0o755)
            for f in files:
                q = os.path.join(root, f)
                if q != p and not stat.S_ISFIFO(os.lstat(q).st_mode):
                    os.chmod(q, 0o644)

        def preexec():
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
    else:
        os.chmod(p, 0)
    code, rep, _, err = h.run(preexec=preexec)
    check(rep is not None, "no report: %s" % err)
    errors = {e["path"]: e["error"] for e in rep["host"]["errors"]}
    check("~/.aws/credentials" in errors and "ermission" in errors["~/.aws/credentials"],
          "permission error not listed: %s" % errors)
    skipped = {s["path"]: s["reason"] for s in rep["host"]["skipped"]}
    check("not a regular file" in skipped.get("~/.zshrc", ""), "FIFO: %s" % skipped)
    check("could not be read" in err and "~/.aws/credentials" in err,
          "no warning on stderr: %s" % err)
    check(len(by_kind(rep, "host-credential")) == 2, "the readable tokens still found")


def t_since(h):
    old = 1577836800	# 2020-01-01
    h.write(".config/systemd/user/helper.service",
            "[Service]\nExecStart=/usr/local/bin/bun run /opt/helper/index.js\n", mtime=old)
    code, rep, _, _ = h.run("--fail-on", "medium")
    sus = by_kind(rep, "host-suspect")
    check(len(sus) == 1 and sus[0]["severity"] == "medium", "suspect: %s" % kinds(rep))
    check(code == 1, "exit %d" % code)
    code, rep, _, _ = h.run("--since", "2025-01-01", "--fail-on", "medium")
    check(not by_kind(rep, "host-suspect"), "--since kept an old soft signal")
    check(rep["host"]["since"] == "2025-01-01T00:00:00Z", "since in the section")
    check(code == 0, "exit %d" % code)
    # a feed match is reported whatever its age
    h.write(".config/systemd/user/kitty-monitor.service",
            "[Service]\nExecStart=%h/.local/bin/kitty-monitor.sh\n", mtime=old)
    code, rep, _, _ = h.run("--since", "2025-01-01")
    check(by_kind(rep, "host-persistence"), "--since hid a feed match")


def t_renamed_switch(h):
    """A unit no feed names, starting a script in the home: the unit is
    a soft signal, and its script is listed for removal too."""
    h.write(".config/systemd/user/update-helper.service",
            "[Service]\nExecStart=%h/.cache/helper/bun run.js\n")
    h.write(".cache/helper/bun", "#!/bin/sh\n")
    h.write(".config/autostart/sync.desktop",
            "[Desktop Entry]\nType=Application\nExec=bun run /opt/sync/index.js\n")
    code, rep, _, _ = h.run("--fail-on", "medium")
    sus = {ffile(f) for f in by_kind(rep, "host-suspect")}
    check(h.path(".config/systemd/user/update-helper.service") in sus and
          h.path(".config/autostart/sync.desktop") in sus, "suspects: %s" % sus)
    wheres = [it["where"] for it in rep["rotation"]]
    check("~/.cache/helper/bun" in wheres, "started file not listed: %s" % wheres)
    check(code == 1, "exit %d" % code)


def t_binary_plist(h):
    h.write("Library/LaunchAgents/com.apple.helper.plist",
            b"bplist00\xd1\x01\x02ULabel_\x10\x19com.user.kitty-monitor\x08\x0b\x11\x00")
    code, rep, _, _ = h.run()
    pers = by_kind(rep, "host-persistence")
    check(pers and ffile(pers[0]).endswith("com.apple.helper.plist"), "binary plist")
    skipped = {s["path"]: s["reason"] for s in rep["host"]["skipped"]}
    check("binary plist" in skipped.get("~/Library/LaunchAgents/com.apple.helper.plist", ""),
          "binary plist note")


def t_system_cron(h):
    sysroot = os.path.join(h.tmp, "sysroot")
    tab = os.path.join(sysroot, "var/spool/cron/crontabs/dev")
    os.makedirs(os.path.dirname(tab))
    with open(tab, "w") as f:
        f.write("# m h dom mon dow command\n*/5 * * * * /home/dev/.local/bin/gh-token-monitor.sh\n")
    code, rep, _, _ = h.run()
    check(not by_kind(rep, "host-persistence"), "read system paths without --system")
    code, rep, _, _ = h.run("--system-root", sysroot, "--user", "dev")
    cron = [f for f in by_kind(rep, "host-persistence") if ffile(f) == tab]
    check(cron and fline(cron[0]) == 2, "crontab line: %s" % rep["findings"])
    rot = [it for it in rep["rotation"] if it["where"].endswith("dev:2")]
    check(rot and "crontab -e" in rot[0]["action"], "crontab action")
    # a global package of a system-wide Node.js install
    mod = os.path.join(sysroot, "usr/local/lib/node_modules/evil-sys")
    os.makedirs(mod)
    with open(os.path.join(mod, "package.json"), "w") as f:
        f.write('{"name":"evil-sys","version":"9.9.9"}')
    with open(os.path.join(mod, "router_init.js"), "wb") as f:
        f.write(PAYLOAD)
    code, rep, _, _ = h.run(feed=True)
    check(not by_kind(rep, "host-payload"), "system prefix read without --system")
    code, rep, _, _ = h.run("--system-root", sysroot, "--user", "dev", feed=True)
    pay = [f for f in by_kind(rep, "host-payload")
           if (f.get("package") or {}).get("name") == "evil-sys"]
    check(len(pay) == 1, "system node_modules payload: %s" % kinds(rep))


def t_usage(h):
    code, _, _, err = h.run("--since", "yesterday")
    check(code == 2 and "--since" in err, "bad --since: %d %s" % (code, err))
    code, _, _, err = h.run(home=os.path.join(h.tmp, "missing"))
    check(code == 2 and "missing" in err, "missing home: %d %s" % (code, err))
    p = subprocess.run([h.args.wormsign, "host", "--help"], stdout=subprocess.PIPE)
    check(p.returncode == 0 and b"--home" in p.stdout, "--help")


TESTS = [
    ("clean home: no findings, exit 0", t_clean),
    ("gh-token-monitor systemd unit and LaunchAgent", t_persistence),
    ("SHA1HULUD runner under ~/.dev-env", t_runner),
    ("tokens in .npmrc and hosts.yml: fingerprints, never values", t_tokens),
    ("rotation: persistence removal before every revocation", t_order),
    ("payloads in _cacache, global modules, Bun cache and a project", t_payload),
    ("npm cache index records a listed version", t_npm_index),
    ("cloud credentials, git store and SSH keys", t_cloud_ssh),
    ("symlinks out of the home are not followed", t_symlink_out),
    ("unreadable file and FIFO listed, not fatal", t_unreadable),
    ("--since limits the soft signals only", t_since),
    ("a renamed switch: unit, its script and an autostart entry", t_renamed_switch),
    ("binary LaunchAgent plist", t_binary_plist),
    ("crontab and system node_modules only with --system-root", t_system_cron),
    ("usage errors", t_usage),
]


def main():
    args = wstest.parse_args(__file__)

    def in_a_new_home(fn):
        h = Home(args)
        try:
            fn(h)
        finally:
            h.cleanup()

    return wstest.main_loop(TESTS, in_a_new_home, args.only)


if __name__ == "__main__":
    sys.exit(main())
