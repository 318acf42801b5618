#!/usr/bin/env python3
"""Integration tests of `wormsign sweep` and `wormsign report merge`.

Usage:
    sweep_cli.py --wormsign BINARY [--src DIR] [NAME...]

Python 3 standard library and the git command only.  Every repository is
made by the test with git (fixed author and committer dates, HOME and the
git configuration pointed into a temporary directory) and swept with the
made-up feed tests/data/git/test-feed.json (and, in one case, the bundled
feeds).  Prints "ok N - name" / "not ok N - name" and a last line
"N passed, N failed"; exits 1 when a test failed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import wstest  # noqa: E402
from wstest import check, eq  # noqa: E402

FEED = None
WORMSIGN = None
TMP = None
BASE_ENV = None

T0 = 1780000000          # 2026-05-28T20:26:40Z, after the test feed's date - 30 days
DAY = 86400


def git(repo, *args, date=None, input=None):
    env = dict(BASE_ENV)
    if date is not None:
        env["GIT_AUTHOR_DATE"] = "@%d +0000" % date
        env["GIT_COMMITTER_DATE"] = "@%d +0000" % date
    r = subprocess.run(["git", "-C", repo] + list(args), env=env,
                       input=input, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args), r.stderr))
    return r.stdout.strip()


def lockfile(pkgs, name="app"):
    """A package-lock.json v3 locking pkgs {name: version}."""
    packages = {"": {"name": name, "version": "1.0.0",
                     "dependencies": {n: v for n, v in pkgs.items()}}}
    for n, v in pkgs.items():
        base = n.split("/")[-1]
        packages["node_modules/" + n] = {
            "version": v,
            "resolved": "https://registry.npm.test/%s/-/%s-%s.tgz" % (n, base, v),
            "integrity": "sha512-" + "A" * 86 + "==",
        }
    return json.dumps({"name": name, "version": "1.0.0", "lockfileVersion": 3,
                       "requires": True, "packages": packages}, indent=2) + "\n"


def new_repo(name, bare=False):
    path = os.path.join(TMP, name)
    os.makedirs(path)
    git(path, "init", "-q", "-b", "main")
    return path


def commit(repo, files, date, msg="change", remove=()):
    for rel, text in files.items():
        p = os.path.join(repo, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        git(repo, "add", rel)
    for rel in remove:
        git(repo, "rm", "-q", rel)
    git(repo, "commit", "-q", "--allow-empty", "-m", msg, date=date)
    return git(repo, "rev-parse", "HEAD")


def run(*args, feeds=True):
    cmd = [WORMSIGN] + list(args)
    if feeds:
        cmd[2:2] = ["--no-bundled-feeds", "--feed", FEED]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=TMP,
                       env=BASE_ENV, stdin=subprocess.DEVNULL)
    wstest.sanitizer_free(r.stderr)
    return r


def sweep_json(*args, code=None, feeds=True):
    r = run("sweep", "--format", "json", *args, feeds=feeds)
    if code is not None and r.returncode != code:
        raise AssertionError("exit %d, expected %d\nstdout: %s\nstderr: %s" %
                             (r.returncode, code, r.stdout[:2000], r.stderr))
    return json.loads(r.stdout), r


def repo_of(doc, path):
    for r in doc["repos"]:
        if r["repo"] == path:
            return r
    raise AssertionError("no repo %s in %s" % (path, [r["repo"] for r in doc["repos"]]))


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


# ---- fixtures made once ----

FIX = {}


def exposure_repo():
    """main: c1 clean, c2 locks evil-pkg@1.0.1, c3 keeps it, c4 drops it."""
    if "exposed" in FIX:
        return FIX["exposed"]
    r = new_repo("exposed")
    c1 = commit(r, {"package-lock.json": lockfile({"good": "1.0.0"})}, T0 + 1 * DAY)
    c2 = commit(r, {"package-lock.json": lockfile({"good": "1.0.0", "evil-pkg": "1.0.1"})},
                T0 + 2 * DAY, "add evil")
    c3 = commit(r, {"README": "x\n", "package-lock.json":
                    lockfile({"good": "1.0.1", "evil-pkg": "1.0.1"})}, T0 + 3 * DAY)
    c4 = commit(r, {"package-lock.json": lockfile({"good": "1.0.1", "evil-pkg": "1.0.2"})},
                T0 + 4 * DAY, "fix")
    c5 = commit(r, {"README": "y\n"}, T0 + 5 * DAY)
    git(r, "tag", "v1", c3)
    FIX["exposed"] = (r, [c1, c2, c3, c4, c5])
    return FIX["exposed"]


def clean_repo(name="clean"):
    r = new_repo(name)
    commit(r, {"package-lock.json": lockfile({"good": "1.0.0"}),
               "package.json": '{"name":"app","dependencies":{"good":"1.0.0"}}\n'},
           T0 + DAY)
    return r


# ---- tests ----

def t_clean(env):
    r = clean_repo()
    doc, _ = sweep_json("clean", code=0)
    rep = repo_of(doc, "clean")
    eq(rep["affected"], False, "affected")
    eq(rep["findings"], [], "findings")
    eq(rep["exposure"], [], "exposure")
    eq(rep["errors"], [], "errors")
    eq(rep["head"], git(r, "rev-parse", "HEAD"), "head")
    eq(doc["schema"], "wormsign-report/1", "schema")
    eq(doc["command"], "sweep", "command")


def t_exposure_window(env):
    r, (c1, c2, c3, c4, c5) = exposure_repo()
    doc, _ = sweep_json("exposed", code=1)
    rep = repo_of(doc, "exposed")
    eq(rep["affected"], True, "affected")
    eq(len(rep["exposure"]), 1, "one exposure")
    e = rep["exposure"][0]
    eq((e["package"], e["version"]), ("evil-pkg", "1.0.1"), "package")
    eq(e["first_commit"], c2, "first commit")
    eq(e["last_commit"], c3, "last commit")
    eq(e["first_date"], "2026-05-30T20:26:40Z", "first date")
    eq(e["last_date"], "2026-05-31T20:26:40Z", "last date")
    eq(sorted(e["refs"]), ["HEAD", "refs/heads/main", "refs/tags/v1"], "refs")
    eq(e["files"], ["package-lock.json"], "files")
    eq(e["still_locked"], True, "v1 still locks it")
    # the tag v1 still locks it: the tip scan reports it with the tag
    tip = [f for f in doc["findings"] if f["kind"] == "ioc-package"]
    eq(len(tip), 1, "one package finding")
    eq(tip[0]["target"], "exposed", "target is the repository")
    eq(tip[0]["evidence"]["refs"], "refs/tags/v1", "found at the tag")
    eq(tip[0]["evidence"]["commit"], c3, "at its commit")


def t_removed_everywhere(env):
    r, (c1, c2, c3, c4, c5) = exposure_repo()
    # without the tag, nothing locks it any more: the history finding
    doc, _ = sweep_json("--refs", "main", "exposed", code=1)
    rep = repo_of(doc, "exposed")
    e = rep["exposure"][0]
    eq((e["first_commit"], e["last_commit"]), (c2, c3), "window")
    eq(e["still_locked"], False, "removed")
    eq(sorted(e["refs"]), ["HEAD", "refs/heads/main"], "refs")
    f = [f for f in rep["findings"] if f["id"].startswith("ioc-history:")]
    eq(len(f), 1, "one history finding")
    eq(f[0]["severity"], "critical", "severity from the feed")
    eq(f[0]["evidence"]["first_commit"], c2, "evidence first")
    eq(f[0]["evidence"]["last_commit"], c3, "evidence last")
    # --since after the window: the history is not read
    doc, _ = sweep_json("--refs", "main", "--since", "2026-06-03", "exposed", code=0)
    eq(repo_of(doc, "exposed")["exposure"], [], "--since skips old commits")


def t_bundled_feed(env):
    r = new_repo("tanstack")
    c1 = commit(r, {"package-lock.json": lockfile({"@tanstack/arktype-adapter": "1.166.12"})},
                1790000000)
    c2 = commit(r, {"package-lock.json": lockfile({"@tanstack/arktype-adapter": "1.166.11"})},
                1790000000 + DAY)
    doc, _ = sweep_json("tanstack", code=1, feeds=False)
    e = repo_of(doc, "tanstack")["exposure"]
    eq([(x["package"], x["version"], x["first_commit"], x["last_commit"]) for x in e],
       [("@tanstack/arktype-adapter", "1.166.12", c1, c1)], "bundled feed exposure")


def t_artifacts(env):
    r = new_repo("artifacts")
    wf = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n"
    disc = ("name: Discussion Create\non:\n  discussion:\njobs:\n  process:\n"
            "    runs-on: self-hosted\n    steps:\n      - run: echo ${{ github.event.discussion.body }}\n")
    commit(r, {".github/workflows/shai-hulud-workflow.yml": wf,
               ".github/workflows/formatter_123456.yml": wf,
               ".github/workflows/discussion.yaml": disc,
               ".github/workflows/evil-x.yml": wf,
               ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    runs-on: EVILRUNNER\n",
               ".evil/setup.mjs": "x\n",
               "package.json": json.dumps({"name": "a", "optionalDependencies": {
                   "p": "github:evil/payload#0123456789abcdef0123456789abcdef01234567"}})},
           T0 + DAY)
    git(r, "branch", "shai-hulud")
    git(r, "branch", "evil-exfil")
    doc, _ = sweep_json("artifacts", code=1)
    rep = repo_of(doc, "artifacts")
    ids = sorted(f["id"] for f in rep["findings"])
    for want in ["ioc-artifact:branch:refs/heads/shai-hulud",
                 "ioc-artifact:branch:refs/heads/evil-exfil",
                 "ioc-artifact:file:.github/workflows/shai-hulud-workflow.yml",
                 "ioc-artifact:file:.github/workflows/formatter_123456.yml",
                 "ioc-artifact:file:.github/workflows/discussion.yaml",
                 "ioc-artifact:file:.github/workflows/evil-x.yml",
                 "ioc-artifact:file:.github/workflows/ci.yml",
                 "ioc-artifact:file:.evil/setup.mjs"]:
        check(want in ids, "%s missing from %s" % (want, ids))
    check(any(i.startswith("ioc-artifact:sweep-test:package.json:") for i in ids),
          "package.json string: %s" % ids)
    # every artifact is seen at HEAD, main, shai-hulud and evil-exfil
    wf_f = [f for f in rep["findings"]
            if f["id"] == "ioc-artifact:file:.github/workflows/shai-hulud-workflow.yml"][0]
    eq(sorted(wf_f["evidence"]["refs"].split()),
       ["HEAD", "refs/heads/evil-exfil", "refs/heads/main", "refs/heads/shai-hulud"], "refs")


def t_benign_discussion(env):
    r = new_repo("benign")
    commit(r, {".github/workflows/discussion.yaml":
               "on:\n  discussion:\njobs:\n  a:\n    runs-on: ubuntu-latest\n"}, T0 + DAY)
    doc, _ = sweep_json("benign", code=0)
    eq(repo_of(doc, "benign")["findings"], [], "a discussion trigger on a hosted runner")


def t_git_pin(env):
    r = new_repo("pin")
    lock = json.loads(lockfile({"evil-dep": "1.0.0"}))
    lock["packages"]["node_modules/evil-dep"]["optionalDependencies"] = {
        "router": "github:someone/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c"}
    commit(r, {"package-lock.json": json.dumps(lock, indent=2)}, T0 + DAY)
    doc, _ = sweep_json("pin", code=1)
    kinds = [(f["kind"], f["evidence"].get("rule")) for f in repo_of(doc, "pin")["findings"]]
    check(("ioc-artifact", "git-commit-pin") in kinds, "git pin: %s" % kinds)


def t_bare(env):
    r, cs = exposure_repo()
    dst = os.path.join(TMP, "exposed-bare.git")
    if not os.path.isdir(dst):
        subprocess.run(["git", "clone", "-q", "--bare", r, dst], check=True,
                       env=BASE_ENV, capture_output=True)
    doc, _ = sweep_json("exposed-bare.git", code=1)
    rep = repo_of(doc, "exposed-bare.git")
    e = rep["exposure"][0]
    eq((e["first_commit"], e["last_commit"]), (cs[1], cs[2]), "bare window")
    eq(rep["head"], cs[4], "bare head")


def t_corrupt(env):
    r = new_repo("corrupt")
    commit(r, {"package-lock.json": lockfile({"good": "1.0.0"})}, T0 + DAY)
    c2 = commit(r, {"package-lock.json": lockfile({"evil-pkg": "1.0.1"})}, T0 + 2 * DAY)
    commit(r, {"README": "z\n"}, T0 + 3 * DAY)
    # drop the tree object of the middle commit
    tree = git(r, "rev-parse", c2 + "^{tree}")
    os.remove(os.path.join(r, ".git", "objects", tree[:2], tree[2:]))
    # a damaged object (one flipped byte) in another repository
    flip = clean_repo("flipped")
    blob = git(flip, "rev-parse", "HEAD:package-lock.json")
    obj = os.path.join(flip, ".git", "objects", blob[:2], blob[2:])
    os.chmod(obj, 0o644)
    data = bytearray(open(obj, "rb").read())
    data[len(data) // 2] ^= 0x40
    open(obj, "wb").write(bytes(data))
    clean_repo("clean2")
    notrepo = os.path.join(TMP, "not-a-repo")
    os.makedirs(notrepo, exist_ok=True)
    doc, res = sweep_json("corrupt", "flipped", "clean2", "not-a-repo", code=3)
    check(any(blob in e for e in repo_of(doc, "flipped")["errors"]),
          "a damaged object is an error: %s" % repo_of(doc, "flipped")["errors"])
    rep = repo_of(doc, "corrupt")
    check(rep["errors"], "corrupt repo has errors")
    check(any(tree in e for e in rep["errors"]), "error names the object: %s" % rep["errors"])
    eq(repo_of(doc, "clean2")["errors"], [], "the clean one is still swept")
    eq(repo_of(doc, "clean2")["head"], git(os.path.join(TMP, "clean2"), "rev-parse", "HEAD"), "")
    nr = repo_of(doc, "not-a-repo")
    check(nr["errors"] and "not-a-repo" in nr["errors"][0], "not a repository: %s" % nr["errors"])
    eq(nr["head"], None, "no head")
    check(any(e["target"] == "corrupt" for e in doc["errors"]), "report errors")
    check("corrupt" in res.stderr, "errors printed")


def t_monorepo(env):
    r = new_repo("mono")
    yarn = ('# yarn lockfile v1\n\n\n"@scope/bad@^2.0.0":\n  version "2.0.0"\n'
            '  resolved "https://registry.npm.test/@scope/bad/-/bad-2.0.0.tgz"\n'
            '  integrity sha512-' + "B" * 86 + '==\n')
    commit(r, {"package.json": '{"name":"root","private":true}\n',
               "packages/a/package-lock.json": lockfile({"evil-pkg": "1.0.1"}, "a"),
               "packages/b/package.json": '{"name":"b","dependencies":{"@scope/bad":"^2.0.0"}}\n',
               "packages/b/yarn.lock": yarn,
               "node_modules/x/package-lock.json": lockfile({"evil-pkg": "1.0.1"}, "x"),
               "deep/er/still/c/package-lock.json": lockfile({"good": "1.0.0"}, "c")},
           T0 + DAY)
    doc, _ = sweep_json("mono", code=1)
    rep = repo_of(doc, "mono")
    files = sorted((f["locations"][0]["file"], f["package"]["name"])
                   for f in rep["findings"] if f["kind"] == "ioc-package")
    eq(files, [("packages/a/package-lock.json", "evil-pkg"),
               ("packages/b/yarn.lock", "@scope/bad")], "nested lockfiles, node_modules skipped")
    eq(sorted((e["package"], e["files"][0]) for e in rep["exposure"]),
       [("@scope/bad", "packages/b/yarn.lock"), ("evil-pkg", "packages/a/package-lock.json")],
       "exposures")


def t_hooks_never_run(env):
    r = new_repo("hooks")
    commit(r, {"package-lock.json": lockfile({"good": "1.0.0"}),
               ".gitattributes": "* filter=evil\n"}, T0 + DAY)
    marker = os.path.join(TMP, "hook-ran")
    for hook in ("post-checkout", "pre-commit", "post-merge", "reference-transaction",
                 "pre-auto-gc"):
        p = os.path.join(r, ".git", "hooks", hook)
        with open(p, "w") as f:
            f.write("#!/bin/sh\ntouch %s\n" % marker)
        os.chmod(p, 0o755)
    git(r, "config", "filter.evil.smudge", "touch %s; cat" % marker)
    git(r, "config", "filter.evil.clean", "touch %s; cat" % marker)
    git(r, "config", "core.fsmonitor", "touch %s" % marker)
    git(r, "config", "core.hooksPath", os.path.join(r, ".git", "hooks"))
    doc, _ = sweep_json("hooks", code=0)
    eq(repo_of(doc, "hooks")["errors"], [], "no errors")
    check(not os.path.exists(marker), "a hook, filter or fsmonitor ran")
    eq(git(r, "status", "--porcelain", "--untracked-files=no"), "", "work tree untouched")


def fleet():
    if "fleet" in FIX:
        return FIX["fleet"]
    names = []
    for i in range(12):
        n = "fleet/r%02d" % i
        r = new_repo(n)
        pk = {"good": "1.0.%d" % i}
        if i % 4 == 1:
            pk["evil-pkg"] = "1.0.1"
        commit(r, {"package-lock.json": lockfile(pk)}, T0 + DAY + i)
        names.append(n)
    FIX["fleet"] = names
    return names


def t_under_and_from(env):
    names = fleet()
    # a symlink out of the tree and a bare repo below it
    link = os.path.join(TMP, "fleet", "link-out")
    if not os.path.islink(link):
        os.symlink(os.path.join(TMP, "exposed"), link)
    doc, _ = sweep_json("--under", "fleet", code=1)
    eq(sorted(r["repo"] for r in doc["repos"]), names, "--under finds each once, no symlink")
    doc, _ = sweep_json("--under", "fleet", "--depth", "0", code=0)
    eq(doc["repos"], [], "--depth 0 looks at fleet only")
    lst = os.path.join(TMP, "list.txt")
    with open(lst, "w") as f:
        f.write("# the fleet\n\n  %s  \n%s\n# %s\n%s\n" % (names[0], names[1], names[2], names[0]))
    doc, _ = sweep_json("--from", "list.txt", code=1)
    eq(sorted(r["repo"] for r in doc["repos"]), [names[0], names[1]], "--from")


def t_shard_property(env):
    names = fleet()
    full, _ = sweep_json("--under", "fleet", code=1)
    seen = []
    for k in range(3):
        doc, r = sweep_json("--under", "fleet", "--shard", "%d/3" % k)
        got = [x["repo"] for x in doc["repos"]]
        eq(sorted(got), sorted(n for n in names if fnv1a64(n) % 3 == k), "shard %d = FNV-1a" % k)
        seen += got
    eq(sorted(seen), sorted(r["repo"] for r in full["repos"]), "union equals the unsharded sweep")
    eq(len(seen), len(set(seen)), "no overlap")
    r = run("sweep", "--shard", "3/3", "fleet/r00")
    eq(r.returncode, 2, "K must be below N")
    r = run("sweep", "--shard", "x", "fleet/r00")
    eq(r.returncode, 2, "bad shard")


def norm_repos(doc_repos):
    out = []
    for r in sorted(doc_repos, key=lambda x: x["repo"]):
        r = dict(r)
        r.pop("commits", None)
        out.append(r)
    return out


def t_jsonl_and_merge(env):
    names = fleet()
    r = run("sweep", "--under", "fleet", "--format", "json", "-o", "full.json")
    eq(r.returncode, 1, "fleet is affected: " + r.stderr)
    with open(os.path.join(TMP, "full.json")) as f:
        full = json.load(f)
    shards = []
    for k in range(3):
        out = "shard-%d.jsonl" % k
        r = run("sweep", "--under", "fleet", "--shard", "%d/3" % k, "--jsonl", out,
                "--format", "json", "-o", "shard-%d.json" % k, "-j", "2")
        check(r.returncode in (0, 1), r.stderr)
        with open(os.path.join(TMP, out)) as f:
            lines = [l for l in f.read().split("\n") if l]
        for l in lines:
            obj = json.loads(l)
            for key in ("repo", "head", "affected", "findings", "exposure", "errors"):
                check(key in obj, "JSON line has %s" % key)
        shards.append(out)
    r = run("report", "merge", "--format", "json", *shards, feeds=False)
    eq(r.returncode, 1, "merge exits 1 when a repo is affected: " + r.stderr)
    merged = json.loads(r.stdout)
    eq(norm_repos(merged["repos"]), norm_repos(full["repos"]), "merged JSONL = unsharded")
    eq(sorted(json.dumps(f, sort_keys=True) for f in merged["findings"]),
       sorted(json.dumps(f, sort_keys=True) for f in full["findings"]), "findings")
    eq(merged["summary"], full["summary"], "summary")
    # reports merge too, and a repository twice is kept once
    r = run("report", "merge", "--format", "json", "shard-0.json", "shard-1.json",
            "shard-2.json", "shard-0.jsonl", feeds=False)
    merged = json.loads(r.stdout)
    eq(norm_repos(merged["repos"]), norm_repos(full["repos"]), "merged reports = unsharded")
    # errors name the file
    with open(os.path.join(TMP, "broken.jsonl"), "w") as f:
        f.write(open(os.path.join(TMP, shards[0])).read().split("\n")[0] + "\n{\"repo\": 1}\n")
    r = run("report", "merge", "broken.jsonl", feeds=False)
    eq(r.returncode, 2, "bad input")
    check("broken.jsonl:2:" in r.stderr, "names file and line: " + r.stderr)
    r = run("report", "merge", "missing.jsonl", feeds=False)
    eq(r.returncode, 2, "missing input")
    check("missing.jsonl" in r.stderr, "names the file: " + r.stderr)
    r = run("report", "merge", "--format", "markdown", *shards, feeds=False)
    check("## Repositories" in r.stdout, "markdown section")


def t_resume(env):
    names = fleet()
    db = os.path.join(TMP, "state.db")
    if os.path.exists(db):
        os.remove(db)
    r1 = run("sweep", "--under", "fleet", "--resume", db, "-v", "--format", "json")
    check("12 swept, 0 resumed" in r1.stderr, r1.stderr)
    r2 = run("sweep", "--under", "fleet", "--resume", db, "-v", "--format", "json")
    check("0 swept, 12 resumed" in r2.stderr, r2.stderr)
    eq(norm_repos(json.loads(r2.stdout)["repos"]), norm_repos(json.loads(r1.stdout)["repos"]),
       "resumed results are in the report")
    eq(r2.returncode, r1.returncode, "same exit")
    commit(os.path.join(TMP, names[3]), {"README": "moved\n"}, T0 + 9 * DAY)
    r3 = run("sweep", "--under", "fleet", "--resume", db, "-v", "--format", "json")
    check("1 swept, 11 resumed" in r3.stderr, r3.stderr)


def t_usage(env):
    r = run("sweep")
    eq(r.returncode, 2, "no repositories")
    r = run("sweep", "--jobs", "0", "x")
    eq(r.returncode, 2, "bad jobs")
    r = run("sweep", "--since", "yesterday", "x")
    eq(r.returncode, 2, "bad since")
    r = run("sweep", "--help", feeds=False)
    eq(r.returncode, 0, "help")
    check("--shard K/N" in r.stdout, "help names --shard")
    r = run("report", "merge", "--help", feeds=False)
    eq(r.returncode, 0, "merge help")
    r = run("report", "merge", feeds=False)
    eq(r.returncode, 2, "merge without shards")


def t_formats(env):
    exposure_repo()
    r = run("sweep", "--format", "markdown", "exposed")
    eq(r.returncode, 1, r.stderr)
    check("| exposed |" in r.stdout, "markdown table row")
    r = run("sweep", "exposed")
    check("AFFECTED exposed" in r.stdout, "text: " + r.stdout)
    r = run("sweep", "--fail-on", "none", "exposed")
    eq(r.returncode, 0, "--fail-on none")


def t_empty_repo(env):
    new_repo("empty")
    doc, _ = sweep_json("empty", code=0)
    rep = repo_of(doc, "empty")
    eq((rep["head"], rep["errors"], rep["findings"]), (None, [], []), "an unborn HEAD is no error")


def t_progress_on_a_tty(env):
    import pty
    names = fleet()
    master, slave = pty.openpty()
    cmd = [WORMSIGN, "sweep", "--no-bundled-feeds", "--feed", FEED, "--format", "json",
           "-o", os.path.join(TMP, "tty.json")] + names[:3]
    p = subprocess.Popen(cmd, cwd=TMP, env=BASE_ENV, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    p.wait()
    os.close(master)
    check(b"sweep: 3/3 repositories, 1 affected" in err, "progress line: %r" % err[-300:])
    r = run("sweep", *names[:3])
    check("repositories," not in r.stderr, "no progress line without a terminal")


def t_baseline(env):
    exposure_repo()
    with open(os.path.join(TMP, "accept.json"), "w") as f:
        json.dump({"ignore": [{"id": "ioc-history:evil-pkg@1.0.1:sweep-test",
                               "reason": "rotated on 2026-06-02"}]}, f)
    doc, _ = sweep_json("--refs", "main", "--ignore", "accept.json", "exposed", code=0)
    eq(doc["summary"]["suppressed"], 1, "counted as suppressed")
    eq(repo_of(doc, "exposed")["affected"], False, "accepted: not affected")
    eq(len(repo_of(doc, "exposed")["exposure"]), 1, "the window is still listed")


def t_workflow_history(env):
    r = new_repo("wf-history")
    wf = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
    commit(r, {"README": "a\n"}, T0 + DAY)
    c2 = commit(r, {".github/workflows/shai-hulud-workflow.yml": wf,
                    ".github/workflows/discussion.yaml": "on:\n  discussion:\n"
                    "jobs:\n  a:\n    runs-on: ubuntu-latest\n"}, T0 + 2 * DAY)
    c3 = commit(r, {"README": "b\n"}, T0 + 3 * DAY)
    commit(r, {}, T0 + 4 * DAY, remove=[".github/workflows/shai-hulud-workflow.yml"])
    doc, _ = sweep_json("wf-history", code=1)
    f = [x for x in repo_of(doc, "wf-history")["findings"]]
    eq([x["id"] for x in f], ["ioc-artifact:history:.github/workflows/shai-hulud-workflow.yml"],
       "only the removed worm workflow")
    eq((f[0]["evidence"]["first_commit"], f[0]["evidence"]["last_commit"]), (c2, c3), "its window")


def t_missing_ref(env):
    r = clean_repo("dangling")
    with open(os.path.join(r, ".git", "refs", "heads", "broken"), "w") as f:
        f.write("0123456789abcdef0123456789abcdef01234567\n")
    doc, _ = sweep_json("dangling", code=3)
    rep = repo_of(doc, "dangling")
    check(any("refs/heads/broken" in e for e in rep["errors"]), "names the ref: %s" % rep["errors"])
    eq(rep["head"], git(r, "rev-parse", "HEAD"), "the rest is swept")


def t_tree_bomb(env):
    # one lockfile, then 16 copies of the tree per level: 16^5 paths from
    # a few objects; the listing must stop at its limit, not list them all
    r = new_repo("bomb")
    blob = git(r, "hash-object", "-w", "--stdin", input=lockfile({"good": "1.0.0"}))
    tree = git(r, "mktree", input="100644 blob %s\tpackage-lock.json\n" % blob)
    for _ in range(5):
        tree = git(r, "mktree", input="".join("040000 tree %s\td%02d\n" % (tree, i)
                                              for i in range(16)))
    c = git(r, "commit-tree", tree, "-m", "bomb", date=T0 + DAY)
    git(r, "update-ref", "refs/heads/main", c)
    cmd = [WORMSIGN, "sweep", "--no-bundled-feeds", "--feed", FEED, "--format", "json",
           "bomb"]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=TMP, env=BASE_ENV,
                       stdin=subprocess.DEVNULL, timeout=240)
    wstest.sanitizer_free(p.stderr)
    eq(p.returncode, 3, "an incomplete sweep: " + p.stderr[:500])
    rep = repo_of(json.loads(p.stdout), "bomb")
    check(any("more than 65536 lockfiles" in e for e in rep["errors"]),
          "the limit is named: %s" % rep["errors"])


TESTS = [
    ("a clean repository", t_clean),
    ("a compromised version locked and later removed, with its window", t_exposure_window),
    ("removed from every swept ref: a history finding", t_removed_everywhere),
    ("the bundled feeds: a TanStack version", t_bundled_feed),
    ("worm workflows, branches, files and package.json strings", t_artifacts),
    ("a discussion trigger without a self-hosted runner", t_benign_discussion),
    ("the git optionalDependencies pin", t_git_pin),
    ("a bare repository", t_bare),
    ("a corrupt repository is an error, the others are swept", t_corrupt),
    ("a monorepo with nested lockfiles", t_monorepo),
    ("hooks, filters and fsmonitor never run", t_hooks_never_run),
    ("--under and --from", t_under_and_from),
    ("shards are disjoint and cover the sweep", t_shard_property),
    ("JSON Lines parse and merged shards equal the unsharded sweep", t_jsonl_and_merge),
    ("--resume skips repositories at the same refs", t_resume),
    ("usage errors", t_usage),
    ("an empty repository", t_empty_repo),
    ("a ref to a missing object is an error, the rest is swept", t_missing_ref),
    ("a tree repeated at every level stops at the listing limit", t_tree_bomb),
    ("a worm workflow committed and later removed", t_workflow_history),
    ("--ignore accepts a finding", t_baseline),
    ("a progress line only on a terminal", t_progress_on_a_tty),
    ("text and markdown", t_formats),
]


def main():
    global FEED, WORMSIGN, TMP, BASE_ENV
    a = wstest.parse_args(__file__)
    WORMSIGN = a.wormsign
    FEED = os.path.join(a.src, "tests", "data", "git", "test-feed.json")
    TMP = tempfile.mkdtemp(prefix="sweep-cli-", dir=os.environ.get("TMPDIR"))
    home = os.path.join(TMP, ".home")
    os.makedirs(home)
    BASE_ENV = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.path.join(home, "gitconfig"),
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.test",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.test",
        "TZ": "UTC", "LC_ALL": "C",
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "WORMSIGN_DATA"):
        if k in os.environ:
            BASE_ENV[k] = os.environ[k]
    try:
        return wstest.main_loop(TESTS, lambda fn: fn(None), a.only)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
