#!/usr/bin/env python3
"""Integration tests of `wormsign age` against the loopback test registry.

Usage:
    age_cli.py --wormsign BINARY [--src DIR] [NAME...]

Python 3 standard library only.  Starts tests/registry/server.py on
127.0.0.1 (random port) with a temporary root, writes packuments with
`time` maps and small projects (package-lock.json, bun.lock) with each
package manager's policy file, runs BINARY age with --now fixed and checks
findings, exit codes and JSON fields; that a token in .npmrc is sent but
never printed; and that --offline with a warm cache makes no request.
Everything lives in a temporary directory under $TMPDIR; HOME points into
it.  Prints "ok N - name" / "not ok N - name" and a last line
"N passed, N failed"; exits 1 when a test failed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import wstest  # noqa: E402
from wstest import check, eq, findings  # noqa: E402

NOW = "2026-12-04T12:00:00Z"
NOW_DT = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)
TOKEN = "npm_AgeT0kenNeverPrinted9f3c"


def iso(delta):
    """The RFC 3339 time `delta` before NOW."""
    return (NOW_DT - delta).strftime("%Y-%m-%dT%H:%M:%S.000Z")


DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


class Env(wstest.RegistryEnv):
    def __init__(self, wormsign, src):
        self.wormsign = wormsign
        self.src = src
        self.tmp = tempfile.mkdtemp(prefix="age-cli-", dir=os.environ.get("TMPDIR"))
        self.root = os.path.join(self.tmp, "registry")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.root)
        os.makedirs(self.home)
        self.nproj = 0

    def requests(self):
        return self.stats()["requests"]

    def packument(self, name, times):
        doc = {"name": name,
               "time": dict({"created": "2019-01-01T00:00:00.000Z"}, **times),
               "versions": {v: {"name": name, "version": v} for v in times}}
        path = os.path.join(self.root, name.replace("/", "%2f") + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)

    def project(self, deps, files=None, registry=True, lock=True):
        """A project with a package-lock.json locking deps {name: version}."""
        self.nproj += 1
        d = os.path.join(self.tmp, "p%d" % self.nproj)
        os.makedirs(d)
        if lock:
            pkgs = {"": {"name": "app", "version": "1.0.0",
                         "dependencies": {n: v for n, v in deps.items()}}}
            for n, v in deps.items():
                pkgs["node_modules/" + n] = {
                    "version": v,
                    "resolved": "https://registry.npm.test/%s/-/x-%s.tgz" % (n, v)}
            with open(os.path.join(d, "package-lock.json"), "w") as f:
                json.dump({"name": "app", "version": "1.0.0", "lockfileVersion": 3,
                           "requires": True, "packages": pkgs}, f)
            with open(os.path.join(d, "package.json"), "w") as f:
                json.dump({"name": "app", "version": "1.0.0", "dependencies": deps}, f)
        npmrc = ""
        if registry:
            npmrc += "registry=%s\n" % self.base
        files = dict(files or {})
        if ".npmrc" in files:
            npmrc += files.pop(".npmrc")
        if npmrc:
            with open(os.path.join(d, ".npmrc"), "w") as f:
                f.write(npmrc)
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        return d

    def run(self, *args, env=None, now=True, cache=True):
        e = wstest.npm_env(self.home, env)
        argv = [self.wormsign, "age"]
        if now:
            argv += ["--now", NOW]
        if cache:
            argv += ["--cache", os.path.join(self.tmp, "cache")]
        argv += list(args)
        p = subprocess.run(argv, env=e, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()


# ---- tests ----

def t_npmrc_days(env):
    env.packument("young", {"1.0.0": iso(400 * DAY), "1.0.1": iso(DAY + 2 * HOUR)})
    env.packument("old", {"1.0.0": iso(400 * DAY)})
    d = env.project({"young": "1.0.1", "old": "1.0.0"},
                    {".npmrc": "min-release-age=3\n"})
    rc, doc, err = env.run_json(d)
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["release-age:young@1.0.1"], "ids")
    f = fs["release-age:young@1.0.1"]
    eq(f["severity"], "high", "severity")
    eq(f["package"]["name"], "young", "name")
    eq(f["package"]["paths"], [["app@1.0.0", "young@1.0.1"]], "paths")
    ev = f["evidence"]
    eq(ev["published"], "2026-12-03T10:00:00Z", "published")
    eq(ev["age"], "1d 2h", "age")
    eq(ev["min_age"], "3d 0h", "min_age")
    check(ev["policy_source"].endswith(".npmrc:2 min-release-age = 3"),
          "policy_source " + ev["policy_source"])
    eq(ev["registry"], env.base, "registry")
    check("2026-12-03T10:00:00Z" in f["message"] and "1d 2h" in f["message"],
          "message " + f["message"])
    check("npm policy" in err and "min-release-age = 3" in err, "stderr names the policy: " + err)
    eq(doc["generated"], NOW, "generated")


def t_npmrc_excludes(env):
    env.packument("fresh-a", {"1.0.0": iso(HOUR)})
    env.packument("@ok/fresh-b", {"1.0.0": iso(HOUR)})
    env.packument("fresh-c", {"1.0.0": iso(HOUR)})
    d = env.project({"fresh-a": "1.0.0", "@ok/fresh-b": "1.0.0", "fresh-c": "1.0.0"},
                    {".npmrc": "min-release-age=1\nmin-release-age-exclude=fresh-a, @ok/*\n"})
    rc, doc, err = env.run_json(d)
    eq(rc, 1, "exit")
    eq(sorted(findings(doc)), ["release-age:fresh-c@1.0.0"], "ids")


def t_pnpm_minutes(env):
    env.packument("pn-young", {"2.0.0": iso(12 * HOUR)})
    env.packument("pn-old", {"2.0.0": iso(2 * DAY)})
    env.packument("pn-skip", {"2.0.0": iso(HOUR)})
    d = env.project({"pn-young": "2.0.0", "pn-old": "2.0.0", "pn-skip": "2.0.0"},
                    {"pnpm-workspace.yaml":
                     "minimumReleaseAge: 1440\nminimumReleaseAgeExclude:\n  - pn-skip\n"})
    rc, doc, err = env.run_json(d)
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["release-age:pn-young@2.0.0"], "ids")
    ev = fs["release-age:pn-young@2.0.0"]["evidence"]
    eq(ev["min_age"], "1d 0h", "min_age")
    check("pnpm-workspace.yaml" in ev["policy_source"]
          and "minimumReleaseAge" in ev["policy_source"], ev["policy_source"])


def t_yarn_duration(env):
    env.packument("y-young", {"1.0.0": iso(36 * HOUR)})
    env.packument("@corp/y-pre", {"1.0.0": iso(HOUR)})
    d = env.project({"y-young": "1.0.0", "@corp/y-pre": "1.0.0"},
                    {".yarnrc.yml":
                     'npmMinimalAgeGate: "2d"\nnpmPreapprovedPackages:\n  - "@corp/*"\n'})
    rc, doc, err = env.run_json(d)
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["release-age:y-young@1.0.0"], "ids")
    check("npmMinimalAgeGate" in fs["release-age:y-young@1.0.0"]["evidence"]["policy_source"],
          "yarn key")


def t_bun_seconds_bun_lock(env):
    """bun.lock from tests/data/bun/basic with a bunfig.toml policy."""
    d = env.project({}, lock=False,
                    files={"bunfig.toml": "[install]\nminimumReleaseAge = 259200\n"
                           'minimumReleaseAgeExcludes = ["ms"]\n'})
    src = os.path.join(env.src, "tests", "data", "bun", "basic")
    for name in ("bun.lock", "package.json"):
        shutil.copy(os.path.join(src, name), d)
    p = subprocess.run([env.wormsign, "tree", "--format", "json", d],
                       stdout=subprocess.PIPE, check=True)
    pkgs = [(x["name"], x["version"]) for x in json.loads(p.stdout)["packages"]
            if x["source"] == "registry"]
    check(len(pkgs) > 5, "bun fixture packages")
    byname = {}
    for n, v in pkgs:
        byname.setdefault(n, {})[v] = iso(100 * DAY)
    young = [n for n, _ in pkgs if n == "chalk"][0]
    v = list(byname[young])[0]
    byname[young][v] = iso(2 * DAY)          # under 3 days: reported
    msv = list(byname["ms"])
    for x in msv:
        byname["ms"][x] = iso(HOUR)          # excluded
    for n, times in byname.items():
        env.packument(n, times)
    rc, doc, err = env.run_json(d)
    eq(rc, 1, "exit")
    eq(sorted(findings(doc)), ["release-age:chalk@%s" % v], "ids")
    check("bunfig.toml" in findings(doc)["release-age:chalk@%s" % v]["evidence"]["policy_source"],
          "bun source")
    check("bun policy" in err, "stderr: " + err)


def t_min_age_overrides_and_exclude(env):
    env.packument("ov", {"1.0.0": iso(5 * DAY)})
    env.packument("ov-ex", {"1.0.0": iso(HOUR)})
    d = env.project({"ov": "1.0.0", "ov-ex": "1.0.0"},
                    {".npmrc": "min-release-age=1\n"})
    rc, doc, err = env.run_json("--min-age", "1w", "--exclude", "ov-ex", d)
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["release-age:ov@1.0.0"], "ids")
    eq(fs["release-age:ov@1.0.0"]["evidence"]["policy_source"],
       "--min-age 1w", "source")
    rc, doc, err = env.run_json("--min-age", "36h", "--exclude", "ov-ex", d)
    eq(rc, 0, "old enough for 36h")
    eq(doc["findings"], [], "no findings")


def t_no_policy(env):
    env.packument("np", {"1.0.0": iso(HOUR)})
    d = env.project({"np": "1.0.0"})
    rc, out, err = env.run(d)
    eq(rc, 2, "exit")
    check("no minimum release age is configured" in err and "--min-age" in err, err)


def t_no_registry(env):
    d = env.project({"np": "1.0.0"}, registry=False)
    rc, out, err = env.run("--min-age", "1d", d)
    eq(rc, 2, "exit")
    check("set registry= in .npmrc, npm_config_registry, or pass --registry" in err, err)
    rc, doc, err = env.run_json("--min-age", "1d", d,
                                env={"npm_config_registry": env.base})
    eq(rc, 1, "npm_config_registry works")
    rc, doc, err = env.run_json("--min-age", "1d", "--registry", env.base, d)
    eq(rc, 1, "--registry works")


def t_token_sent_never_printed(env):
    env.packument("tok", {"1.0.0": iso(HOUR)})
    env.packument("tok-gone", {"1.0.0": iso(HOUR)})
    d = env.project({"tok": "1.0.0", "tok-gone": "9.9.9", "tok-404": "1.0.0"},
                    {".npmrc": "//127.0.0.1:%d/:_authToken=%s\nmin-release-age=1\n"
                     % (env.port, TOKEN)})
    env.reset()
    for fmt in ("text", "json", "sarif", "markdown"):
        rc, out, err = env.run("--format", fmt, "--refresh", "-v", d)
        eq(rc, 1, "exit " + fmt)
        check(TOKEN not in out and TOKEN not in err, "token printed in " + fmt)
        check("AgeT0ken" not in out + err, "token part printed in " + fmt)
    log = env.get("stats")["log"]
    check(log, "requests made")
    for entry in log:
        eq(entry["authorization"], "Bearer " + TOKEN, "auth sent for " + entry["path"])


def t_offline_warm_cache(env):
    env.packument("warm", {"1.0.0": iso(HOUR)})
    d = env.project({"warm": "1.0.0"}, {".npmrc": "min-release-age=1\n"})
    rc, doc1, err = env.run_json(d)
    eq(rc, 1, "online")
    env.reset()
    rc, doc2, err = env.run_json("--offline", d)
    eq(rc, 1, "offline")
    eq(env.requests(), 0, "requests offline")
    eq(sorted(findings(doc2)), sorted(findings(doc1)), "same findings")
    # a second online run is covered by the cache as well
    rc, doc3, err = env.run_json(d)
    eq(env.requests(), 0, "requests with a warm cache")


def t_offline_cold_cache(env):
    env.packument("cold", {"1.0.0": iso(HOUR)})
    d = env.project({"cold": "1.0.0"}, {".npmrc": "min-release-age=1\n"})
    env.reset()
    rc, doc, err = env.run_json("--offline", "--cache", os.path.join(env.tmp, "cold-cache"), d,
                                cache=False)
    eq(rc, 0, "exit")
    eq(env.requests(), 0, "requests")
    f = findings(doc)["release-unchecked:cold@1.0.0"]
    eq(f["severity"], "info", "severity")
    check("offline" in f["message"], f["message"])
    check("offline" in err, err)
    rc, doc, err = env.run_json("--offline", "--fail-on", "info", "--cache",
                                os.path.join(env.tmp, "cold-cache"), d, cache=False)
    eq(rc, 1, "fail-on info")


def t_missing_and_out_of_order(env):
    env.packument("rm", {"1.0.0": iso(400 * DAY)})
    env.packument("ooo", {"1.0.1": iso(300 * DAY), "1.0.2": iso(700 * DAY)})
    d = env.project({"rm": "1.0.1", "ooo": "1.0.2", "unknown-pkg": "1.0.0"},
                    {".npmrc": "min-release-age=1\n"})
    rc, doc, err = env.run_json(d)
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(fs["release-missing:rm@1.0.1"]["severity"], "high", "missing")
    eq(fs["release-missing:unknown-pkg@1.0.0"]["severity"], "high", "404")
    f = fs["release-out-of-order:ooo@1.0.2"]
    eq(f["severity"], "medium", "out of order")
    eq(f["evidence"]["predecessor"], "1.0.1", "predecessor")
    d2 = env.project({"ooo": "1.0.2"}, {".npmrc": "min-release-age=1\n"})
    rc, doc, err = env.run_json(d2)
    eq(rc, 0, "medium under the default --fail-on")
    rc, doc, err = env.run_json("--fail-on", "medium", d2)
    eq(rc, 1, "--fail-on medium")
    rc, doc, err = env.run_json("--fail-on", "none", d)
    eq(rc, 0, "--fail-on none")


def t_bad_arguments(env):
    d = env.project({"x": "1.0.0"}, {".npmrc": "min-release-age=1\n"})
    for args in (["--min-age", "7"], ["--min-age", "-1d"], ["--now", "yesterday"],
                 ["--jobs", "0"], ["--format", "xml"], ["--offline", "--refresh"]):
        rc, out, err = env.run(*args, d)
        eq(rc, 2, "exit for %s" % args)
        check(err.startswith("wormsign: "), err)


def t_unreachable_registry(env):
    d = env.project({"x": "1.0.0"}, {".npmrc": "min-release-age=1\n"}, registry=False)
    rc, out, err = env.run("--registry", "http://127.0.0.1:9/", "--jobs", "1",
                           "--cache", os.path.join(env.tmp, "unreach"), d, cache=False)
    eq(rc, 3, "exit")


def t_output_file(env):
    env.packument("outp", {"1.0.0": iso(HOUR)})
    d = env.project({"outp": "1.0.0"}, {".npmrc": "min-release-age=1\n"})
    out = os.path.join(env.tmp, "report.sarif")
    rc, stdout, err = env.run("--format", "sarif", "-o", out, d)
    eq(rc, 1, "exit")
    eq(stdout, "", "stdout")
    with open(out) as f:
        doc = json.load(f)
    results = doc["runs"][0]["results"]
    check(any("release-age" in json.dumps(r) for r in results), "sarif results")


def t_registry_from_npm(env):
    """--registry-from-npm runs `npm config get registry` (a fake npm here)."""
    env.packument("fromnpm", {"1.0.0": iso(HOUR)})
    d = env.project({"fromnpm": "1.0.0"}, {".npmrc": "min-release-age=1\n"},
                    registry=False)
    bindir = os.path.join(env.tmp, "fakebin")
    os.makedirs(bindir, exist_ok=True)
    npm = os.path.join(bindir, "npm")
    with open(npm, "w") as f:
        f.write("#!/bin/sh\n[ \"$*\" = \"config get registry\" ] || exit 9\n"
                "echo %s\n" % env.base.rstrip("/"))
    os.chmod(npm, 0o755)
    path = bindir + os.pathsep + os.environ.get("PATH", "")
    rc, doc, err = env.run_json("--registry-from-npm", d, env={"PATH": path})
    eq(rc, 1, "exit")
    eq(sorted(findings(doc)), ["release-age:fromnpm@1.0.0"], "ids")
    rc, out, err = env.run(d, env={"PATH": path})
    eq(rc, 2, "npm is not asked without the flag")
    with open(npm, "w") as f:
        f.write("#!/bin/sh\necho undefined\n")
    rc, out, err = env.run("--registry-from-npm", d, env={"PATH": path})
    eq(rc, 2, "no URL from npm")
    check("npm config get registry" in err, err)


def t_scoped_registry(env):
    """@scope:registry= sends that scope elsewhere (an unreachable port)."""
    env.packument("plain", {"1.0.0": iso(HOUR)})
    d = env.project({"plain": "1.0.0", "@else/pkg": "1.0.0"},
                    {".npmrc": "min-release-age=1\n@else:registry=http://127.0.0.1:9/\n"})
    env.reset()
    rc, doc, err = env.run_json("--jobs", "2", d)
    fs = findings(doc)
    check("release-age:plain@1.0.0" in fs, "plain checked")
    check("release-unchecked:@else/pkg@1.0.0" in fs, "scoped failed: %s" % sorted(fs))
    paths = [e["path"] for e in env.get("stats")["log"]]
    eq(paths, ["/plain"], "only the default registry asked here")


TESTS = [
    ("npm .npmrc min-release-age in days", t_npmrc_days),
    ("npm min-release-age-exclude", t_npmrc_excludes),
    ("pnpm minimumReleaseAge in minutes and excludes", t_pnpm_minutes),
    ("yarn npmMinimalAgeGate and npmPreapprovedPackages", t_yarn_duration),
    ("bun minimumReleaseAge in seconds on a bun.lock", t_bun_seconds_bun_lock),
    ("--min-age overrides the project; --exclude", t_min_age_overrides_and_exclude),
    ("no policy exits 2", t_no_policy),
    ("no registry exits 2 saying how to set one", t_no_registry),
    ("a token is sent and never printed", t_token_sent_never_printed),
    ("offline with a warm cache makes no request", t_offline_warm_cache),
    ("offline with a cold cache reports unchecked", t_offline_cold_cache),
    ("missing, unknown and out-of-order versions", t_missing_and_out_of_order),
    ("bad arguments exit 2", t_bad_arguments),
    ("an unreachable registry exits 3", t_unreachable_registry),
    ("-o writes the report", t_output_file),
    ("--registry-from-npm asks npm", t_registry_from_npm),
    ("scoped registries", t_scoped_registry),
]


def main():
    a = wstest.parse_args(__file__)
    env = Env(a.wormsign, a.src)
    try:
        env.start()
        return wstest.main_loop(TESTS, lambda fn: fn(env), a.only)
    finally:
        env.cleanup()


if __name__ == "__main__":
    sys.exit(main())
