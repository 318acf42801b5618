#!/usr/bin/env python3
"""Integration tests of `wormsign verify` against the loopback test registry.

Usage:
    verify_cli.py --wormsign BINARY --mkpki MKPKI [--src DIR] [NAME...]

Python 3 standard library only.  MKPKI (tests/prov/pki/mkpki.c) makes a
fresh Sigstore-like PKI with OpenSSL: a Fulcio-like CA, a CT log key, a
Rekor key, a registry key, and for every package of SPEC below its
registry signature and attestations (valid ones, and the bad variants).
tests/registry/server.py serves them on 127.0.0.1 with packuments whose
dist carries the signatures and an attestations URL on another host (only
its path may be used).  Each test writes a project locking some versions,
runs BINARY verify and checks findings, the failing step, exit codes, the
"verify" section and the registry's request log (--offline and a warm
cache make no request; a cached verdict is not verified again).  --bundle
runs on the real fixtures of tests/data/sigstore and on the PKI's bundles.
Prints "ok N - name" / "not ok N - name" and "N passed, N failed"; exits 1
when a test failed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import wstest  # noqa: E402
from wstest import check, eq, findings  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01T00:00:00Z


def pkg(name, version, day, **kw):
    d = {"name": name, "version": version, "time": T0 + day * DAY,
         "repo": kw.pop("repo", "acme/" + name.split("/")[-1]),
         "ref": "refs/tags/v" + version}
    d.update(kw)
    return d


SPEC = [
    pkg("good", "1.0.0", 0), pkg("good", "1.1.0", 1), pkg("good", "1.2.0", 2),
    # the TanStack pattern: valid provenance from pull_request_target
    pkg("@acme/tan", "1.0.0", 0, trigger="release"),
    pkg("@acme/tan", "1.1.0", 1), pkg("@acme/tan", "1.2.0", 2),
    pkg("@acme/tan", "1.3.0", 3), pkg("@acme/tan", "1.4.0", 4, variant="drift"),
    pkg("firstprov", "1.0.0", 0, provenance=False),
    pkg("firstprov", "1.1.0", 1, workflow=".github/workflows/new.yml"),
    pkg("dropped", "1.0.0", 0), pkg("dropped", "1.1.0", 1),
    pkg("dropped", "2.0.0", 2, provenance=False),
    pkg("selfhost", "1.0.0", 0), pkg("selfhost", "1.1.0", 1, variant="self-hosted"),
    pkg("expired", "1.0.0", 0, variant="expired"),
    pkg("badset", "1.0.0", 0, variant="bad-set"),
    pkg("badproof", "1.0.0", 0, variant="bad-proof"),
    pkg("tampered", "1.0.0", 0, variant="tampered"),
    pkg("mismatch", "1.0.0", 0, variant="subject"),
    pkg("rogue", "1.0.0", 0, variant="rogue-ca"),
    pkg("badsig", "1.0.0", 0, signature="bad"),
    pkg("unknownkey", "1.0.0", 0, signature="unknown-key"),
    pkg("oldkey", "1.0.0", 0, signature="expired-key"),
    pkg("nosig", "1.0.0", 0, signature="none"),
    pkg("noprov", "1.0.0", 0, provenance=False),
]

INVALID_STEPS = {
    "expired": "certificate validity",
    "badset": "SET",
    "badproof": "inclusion proof",
    "tampered": "dsse signature",
    "mismatch": "subject digest",
    "rogue": "certificate chain",
}


class Env(wstest.RegistryEnv):
    def __init__(self, wormsign, mkpki, src):
        self.wormsign = wormsign
        self.src = src
        self.tmp = tempfile.mkdtemp(prefix="verify-cli-", dir=os.environ.get("TMPDIR"))
        self.root = os.path.join(self.tmp, "registry")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        spec = os.path.join(self.tmp, "spec.json")
        with open(spec, "w") as f:
            json.dump({"packages": SPEC}, f)
        subprocess.run([mkpki, spec, self.root], check=True)
        self.trusted_root = os.path.join(self.root, "trusted_root.json")
        with open(os.path.join(self.root, "packages.json")) as f:
            self.pkgs = {(p["name"], p["version"]): p for p in json.load(f)}
        self.write_packuments()
        self.nproj = 0
        self.ncache = 0

    def write_packuments(self):
        docs = {}
        for (name, version), p in self.pkgs.items():
            doc = docs.setdefault(name, {"name": name, "versions": {},
                                         "time": {"created": "2025-12-01T00:00:00.000Z"}})
            dist = {"integrity": p["integrity"],
                    "tarball": "https://registry.npm.test/%s/-/x-%s.tgz" % (name, version)}
            if p["signatures"]:
                dist["signatures"] = p["signatures"]
            if p["attestations"]:
                # another host: verify must take only the path
                dist["attestations"] = {
                    "url": "https://registry.npm.test" + p["attestations"],
                    "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}
            doc["versions"][version] = {"name": name, "version": version, "dist": dist}
            doc["time"][version] = p["time"]
        for name, doc in docs.items():
            with open(os.path.join(self.root, name.replace("/", "%2f") + ".json"), "w") as f:
                json.dump(doc, f)

    def project(self, *ids):
        """A project whose package-lock.json locks ids ("name@version")."""
        self.nproj += 1
        d = os.path.join(self.tmp, "p%d" % self.nproj)
        os.makedirs(d)
        deps = {}
        pkgs = {}
        for i in ids:
            name, version = i.rsplit("@", 1)
            p = self.pkgs[(name, version)]
            deps[name] = version
            pkgs["node_modules/" + name] = {
                "version": version, "integrity": p["integrity"],
                "resolved": "https://registry.npm.test/%s/-/x-%s.tgz" % (name, version)}
        pkgs[""] = {"name": "app", "version": "1.0.0", "dependencies": deps}
        with open(os.path.join(d, "package-lock.json"), "w") as f:
            json.dump({"name": "app", "version": "1.0.0", "lockfileVersion": 3,
                       "requires": True, "packages": pkgs}, f)
        with open(os.path.join(d, ".npmrc"), "w") as f:
            f.write("registry=%s\n" % self.base)
        return d

    def new_cache(self):
        self.ncache += 1
        return os.path.join(self.tmp, "cache%d" % self.ncache)

    def run(self, *args, cache=None, root=True, cmd="verify"):
        e = wstest.npm_env(self.home)
        argv = [self.wormsign, cmd, "--cache", cache or self.new_cache()]
        if root:
            argv += ["--trusted-root", self.trusted_root]
        argv += list(args)
        p = subprocess.run(argv, env=e, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def bundle(self, *args, root=None):
        argv = [self.wormsign, "verify", "--bundle"] + list(args)
        if root:
            argv += ["--trusted-root", root]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, cwd=self.src)
        return p.returncode, p.stdout.decode(), p.stderr.decode()


# ---- tests ----

def t_valid(env):
    rc, doc, err = env.run_json(env.project("good@1.2.0"))
    eq(rc, 0, "exit: " + err)
    eq(doc["findings"], [], "findings")
    v = doc["verify"]
    eq(v["verified_signatures"], 1, "signatures")
    eq(v["verified_attestations"], 1, "attestations")
    eq(v["missing"], 0, "missing")
    eq(v["invalid"], 0, "invalid")
    eq(v["history"]["versions"], 2, "earlier versions looked at")
    eq(v["bundles"]["verified"], 6, "two bundles for each of three versions")
    eq(v["keys"]["source"], "registry", "keys source")


def t_drift(env):
    rc, doc, err = env.run_json(env.project("@acme/tan@1.4.0"))
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["provenance-drift:@acme/tan@1.4.0"], "ids")
    f = fs["provenance-drift:@acme/tan@1.4.0"]
    eq(f["severity"], "high", "severity")
    ev = f["evidence"]
    eq(ev["trigger"], "pull_request_target", "trigger")
    eq(ev["workflow"], ".github/workflows/pr.yml", "workflow")
    eq(ev["earlier_workflow"], ".github/workflows/release.yml", "earlier workflow")
    check("pull_request_target" in f["message"] and "workflow" in f["message"],
          "message " + f["message"])
    eq(doc["verify"]["history"]["drift"], 1, "section drift")


def t_history_off(env):
    rc, doc, err = env.run_json("--history", "0", env.project("@acme/tan@1.4.0"))
    eq(rc, 0, "exit: " + err)
    eq(doc["findings"], [], "no history, no drift")


def t_first_provenance(env):
    rc, doc, err = env.run_json(env.project("firstprov@1.1.0"))
    eq(rc, 0, "exit: " + err)
    eq(doc["findings"], [], "a first provenance is recorded, not flagged")
    eq(doc["verify"]["verified_attestations"], 1, "verified")


def t_dropped(env):
    rc, doc, err = env.run_json(env.project("dropped@2.0.0"))
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["provenance-dropped:dropped@2.0.0"], "ids")
    f = fs["provenance-dropped:dropped@2.0.0"]
    eq(f["severity"], "high", "severity")
    eq(f["evidence"]["earlier_version"], "1.1.0", "earlier")
    eq(f["evidence"]["source_repository"], "https://github.com/acme/dropped", "repo")


def t_self_hosted(env):
    rc, doc, err = env.run_json(env.project("selfhost@1.1.0"))
    eq(rc, 1, "exit")
    f = findings(doc)["provenance-drift:selfhost@1.1.0"]
    eq(f["evidence"]["runner_environment"], "self-hosted", "runner")
    check("runner environment self-hosted" in f["message"], f["message"])


def t_invalid_steps(env):
    ids = ["%s@1.0.0" % n for n in INVALID_STEPS]
    rc, doc, err = env.run_json(env.project(*ids))
    eq(rc, 1, "exit")
    fs = findings(doc, "provenance-invalid")
    eq(len(fs), len(INVALID_STEPS), "one finding each: %s" % sorted(fs))
    for name, step in INVALID_STEPS.items():
        f = fs["provenance-invalid:%s@1.0.0" % name]
        eq(f["severity"], "high", name)
        eq(f["evidence"]["step"], step, name + " step")
        check(step in f["message"], f["message"])
    eq(doc["verify"]["invalid"], len(INVALID_STEPS), "section invalid")
    eq(doc["verify"]["verified_signatures"], len(INVALID_STEPS), "their signatures are fine")


def t_signatures(env):
    rc, doc, err = env.run_json(env.project("badsig@1.0.0", "unknownkey@1.0.0",
                                            "oldkey@1.0.0", "nosig@1.0.0"))
    eq(rc, 1, "exit")
    fs = findings(doc)
    want = {"badsig": "signature", "unknownkey": "registry key", "oldkey": "key expired"}
    for name, step in want.items():
        f = fs["signature-invalid:%s@1.0.0" % name]
        eq(f["severity"], "high", name)
        eq(f["evidence"]["step"], step, name + " step")
    f = fs["signature-missing:nosig@1.0.0"]
    eq(f["severity"], "medium", "missing severity")
    eq(len(findings(doc, "signature-invalid")), 3, "invalid count")
    eq(doc["verify"]["signatures"]["invalid"], 3, "section")
    eq(doc["verify"]["signatures"]["missing"], 1, "section missing")


def t_missing_without_keys(env):
    keys = os.path.join(env.root, "_keys.json")
    os.rename(keys, keys + ".off")
    try:
        rc, doc, err = env.run_json(env.project("nosig@1.0.0", "noprov@1.0.0"))
    finally:
        os.rename(keys + ".off", keys)
    eq(findings(doc, "signature-missing"), {}, "no keys: a missing signature is not reported")
    eq(doc["verify"]["keys"]["source"], "none", "keys")
    f = findings(doc)["provenance-missing:noprov@1.0.0"]
    eq(f["severity"], "info", "missing provenance is info")
    # the publish attestation is signed by a registry key nobody publishes
    f = findings(doc)["provenance-invalid:nosig@1.0.0"]
    eq(f["evidence"]["step"], "registry key", "publish attestation without keys")
    eq(rc, 1, "exit")


def t_registry_keys_tuf(env):
    rc, doc, err = env.run_json("--registry-keys", os.path.join(env.root, "keys.tuf.json"),
                                env.project("good@1.2.0", "oldkey@1.0.0"))
    eq(doc["verify"]["keys"]["source"], "file", "keys from the file")
    eq(doc["verify"]["verified_signatures"], 1, "verified with the TUF shape")
    eq(sorted(findings(doc)), ["signature-invalid:oldkey@1.0.0"], "ids")
    eq(rc, 1, "exit")


def t_bundled_root_rejects_test_ca(env):
    rc, doc, err = env.run_json(env.project("good@1.2.0"), root=False)
    f = findings(doc)["provenance-invalid:good@1.2.0"]
    check(f["evidence"]["step"] in ("SET", "certificate chain"),
          "the test log and CA are not Sigstore's: " + f["evidence"]["step"])
    check("trust/trusted_root.json" in doc["verify"]["trusted_root"], doc["verify"]["trusted_root"])
    eq(rc, 1, "exit")


def t_paths_only(env):
    env.reset()
    rc, doc, err = env.run_json(env.project("@acme/tan@1.2.0"))
    eq(rc, 0, "exit: " + err)
    paths = sorted(e["path"] for e in env.stats()["log"] if e.get("kind") == "attestations")
    eq(paths, ["/-/npm/v1/attestations/@acme%2ftan@1.0.0",
               "/-/npm/v1/attestations/@acme%2ftan@1.1.0",
               "/-/npm/v1/attestations/@acme%2ftan@1.2.0"],
       "the path of dist.attestations.url, on the configured registry")


def t_warm_cache(env):
    """A second run: nothing fetched, nothing verified again."""
    cache = env.new_cache()
    d = env.project("good@1.2.0", "@acme/tan@1.4.0", "badset@1.0.0")
    rc1, doc1, _ = env.run_json(d, cache=cache)
    check(doc1["verify"]["bundles"]["verified"] > 0, "first run verifies")
    env.reset()
    rc2, doc2, err = env.run_json(d, cache=cache)
    eq(env.stats()["requests"], 0, "a warm cache makes no request")
    eq(doc2["verify"]["bundles"]["verified"], 0, "cached verdicts are not verified again")
    eq(doc2["verify"]["bundles"]["cached"], doc1["verify"]["bundles"]["verified"], "all cached")
    eq(sorted(findings(doc2)), sorted(findings(doc1)), "same findings")
    eq(rc2, rc1, "same exit")


def t_offline(env):
    cache = env.new_cache()
    d = env.project("good@1.2.0", "dropped@2.0.0", "nosig@1.0.0")
    rc1, doc1, _ = env.run_json(d, cache=cache)
    env.reset()
    rc2, doc2, err = env.run_json("--offline", d, cache=cache)
    eq(env.stats()["requests"], 0, "--offline makes no request")
    eq(sorted(findings(doc2)), sorted(findings(doc1)), "same findings offline")
    eq(doc2["verify"]["keys"]["source"], "cache", "keys from the cache")
    eq(rc2, 1, "exit")
    # nothing cached: nothing checked, nothing claimed
    rc3, doc3, err3 = env.run_json("--offline", d)
    eq(env.stats()["requests"], 0, "still no request")
    eq(doc3["findings"], [], "offline without a cache claims nothing")
    eq(doc3["verify"]["attestations"]["unchecked"], 3, "unchecked")


def t_policy(env):
    pol = os.path.join(env.tmp, "policy.json")
    with open(pol, "w") as f:
        json.dump({"rules": [
            {"match": "noprov", "require_provenance": True},
            {"match": "good", "workflow": ".github/workflows/other.yml"},
            {"match": "@acme/*", "repository": "https://github.com/acme/tan",
             "trigger": ["push", "release"]},
        ]}, f)
    rc, doc, err = env.run_json("--policy", pol, env.project("noprov@1.0.0", "good@1.2.0",
                                                             "@acme/tan@1.3.0"))
    eq(rc, 1, "exit")
    fs = findings(doc)
    eq(sorted(fs), ["provenance-missing:noprov@1.0.0", "provenance-policy:good@1.2.0"], "ids")
    eq(fs["provenance-missing:noprov@1.0.0"]["severity"], "high", "required")
    f = fs["provenance-policy:good@1.2.0"]
    eq(f["evidence"]["expected"], ".github/workflows/other.yml", "pin")
    eq(f["evidence"]["workflow"], ".github/workflows/release.yml", "actual")
    with open(pol, "w") as f:
        f.write('{"rules": [{"match": "x", "wrokflow": "a"}]}')
    rc, out, err = env.run("--policy", pol, env.project("good@1.2.0"))
    eq(rc, 2, "bad policy exit")
    check("policy.json:1:" in err and "wrokflow" in err, err)


def t_text_and_sarif(env):
    d = env.project("@acme/tan@1.4.0")
    rc, out, err = env.run(d)
    eq(rc, 1, "exit")
    check("provenance-drift" in out and "verify: 1 package" in out, out)
    rc, out, err = env.run("--format", "sarif", d)
    doc = json.loads(out)
    check(any(r["ruleId"].startswith("provenance-drift") for r in doc["runs"][0]["results"]),
          "sarif result")


def t_fail_on(env):
    rc, doc, err = env.run_json("--fail-on", "medium", env.project("nosig@1.0.0"))
    eq(rc, 1, "medium blocks")
    rc, doc, err = env.run_json(env.project("nosig@1.0.0"))
    eq(rc, 0, "default high does not")


def t_gate(env):
    d = env.project("@acme/tan@1.4.0")
    ran = os.path.join(env.tmp, "ran")
    rc, out, err = env.run("--no-scan", "--no-age", d, "--", "touch", ran,
                           root=False, cmd="gate")
    eq(rc, 1, "gate blocks on verify's findings: " + err)
    check(not os.path.exists(ran), "command not run")
    check("provenance" in err, err)
    # with the test PKI's root, the same drift verify reports
    rc, doc, err = env.run_json("--no-scan", "--no-age", d, cmd="gate")
    eq(rc, 1, "gate --trusted-root: " + err)
    eq(sorted(findings(doc)), ["provenance-drift:@acme/tan@1.4.0"], "gate --trusted-root ids")
    rc, out, err = env.run("--no-scan", "--no-age", "--no-verify", d, "--", "touch", ran,
                           root=False, cmd="gate")
    eq(rc, 2, "nothing left to check")
    rc, out, err = env.run("--no-age", "--no-verify", d, "--", "touch", ran,
                           root=False, cmd="gate")
    eq(rc, 0, "--no-verify: " + err)
    check(os.path.exists(ran), "command ran")


def expected_fixtures(env):
    with open(os.path.join(env.src, "tests", "data", "sigstore", "expected.json")) as f:
        return json.load(f)["fixtures"]


def t_bundle_real(env):
    data = os.path.join("tests", "data", "sigstore")
    keys = os.path.join(data, "trust", "npm-registry-keys.tuf-target.json")
    n = 0
    for fx in expected_fixtures(env):
        path = os.path.join(data, fx["file"])
        if not os.path.exists(os.path.join(env.src, path)):
            continue
        rc, out, err = env.bundle(path, "--registry-keys", keys)
        n += 1
        if fx["expected"] == "pass":
            eq(rc, 0, "%s: %s%s" % (fx["file"], out, err))
        else:
            eq(rc, 1, "%s must fail: %s%s" % (fx["file"], out, err))
            check("fails at " in out, out)
    check(n >= 10, "fixtures found: %d" % n)
    pw = os.path.join(data, "attestations", "sigstore-dotnet",
                      "playwright-cli-0.1.1-provenance.sigstore.json")
    fx = [x for x in expected_fixtures(env) if "playwright" in x["file"]][0]
    rc, out, err = env.bundle(pw, "--digest", "sha512:" + fx["sha512_hex"])
    eq(rc, 0, "matching digest: " + out + err)
    rc, out, err = env.bundle(pw, "--digest", "sha512:" + "0" * 128)
    eq(rc, 1, "other digest")
    check("fails at subject digest" in out, out)
    rc, out, err = env.bundle(pw, "--format", "json")
    eq(json.loads(out)["verified"], True, "json")
    rc, out, err = env.bundle(pw, "--digest", "md5:00")
    eq(rc, 2, "bad --digest")


def t_bundle_pki(env):
    b = os.path.join(env.root, "bundles")
    rc, out, err = env.bundle(os.path.join(b, "good@1.2.0.provenance.sigstore.json"),
                              root=env.trusted_root)
    eq(rc, 0, out + err)
    check("acme/good" in out, out)
    for name, step in INVALID_STEPS.items():
        if name == "mismatch":
            continue  # only wrong against the locked integrity
        rc, out, err = env.bundle(os.path.join(b, "%s@1.0.0.provenance.sigstore.json" % name),
                                  root=env.trusted_root)
        eq(rc, 1, name)
        check("fails at %s:" % step, out)


def t_real_registry_data(env):
    """The real fixtures, served by the loopback registry as npm serves them
    (the mirror this machine reaches strips signatures and attestations):
    every passing attestation verifies against the bundled Sigstore root,
    every real registry signature against npm's real keys at its publish
    time, and the fabricated one fails."""
    data = os.path.join(env.src, "tests", "data", "sigstore")
    pkgs = {}
    for fx in expected_fixtures(env):
        if fx["expected"] != "pass":
            continue
        key = (fx["package"], fx["version"])
        t = fx["bundles"][0]["tlog"]["integratedTime_iso"].replace("+00:00", ".000Z")
        pkgs[key] = {"integrity": fx["integrity"], "time": t, "att": fx["file"]}
    with open(os.path.join(data, "registry-signatures", "signatures.json")) as f:
        sigs = json.load(f)["signatures"]
    bad_sigs = set()
    for r in sigs:
        key = (r["name"], r["version"])
        if r["sig"] == "bogus":
            continue  # the same version as a valid row
        old = r["keyid"].startswith("SHA256:jl3b")
        p = pkgs.setdefault(key, {"integrity": r["integrity"],
                                  "time": "2023-02-09T12:00:00.000Z" if old
                                  else "2025-06-01T00:00:00.000Z"})
        eq(p["integrity"], r["integrity"], "same integrity for %s@%s" % key)
        p["sig"] = {"keyid": r["keyid"], "sig": r["sig"]}
        if not r["expected_valid"]:
            bad_sigs.add("%s@%s" % key)
    docs = {}
    for (name, version), p in pkgs.items():
        doc = docs.setdefault(name, {"name": name, "versions": {}, "time": {}})
        dist = {"integrity": p["integrity"]}
        if "sig" in p:
            dist["signatures"] = [p["sig"]]
        if "att" in p:
            enc = "%s@%s" % (name.replace("/", "%2f"), version)
            dist["attestations"] = {"url": "https://registry.npm.test/-/npm/v1/attestations/"
                                    + enc.replace("%2f", "%2F")}
            shutil.copy(os.path.join(data, p["att"]),
                        os.path.join(env.root, "_attestations", enc + ".json"))
        doc["versions"][version] = {"name": name, "version": version, "dist": dist}
        doc["time"][version] = p["time"]
    for name, doc in docs.items():
        with open(os.path.join(env.root, name.replace("/", "%2f") + ".json"), "w") as f:
            json.dump(doc, f)
    # one version of each name per project
    projects = []
    for key in sorted(pkgs):
        for proj in projects:
            if all(k[0] != key[0] for k in proj):
                proj.append(key)
                break
        else:
            projects.append([key])
    keys = os.path.join(data, "trust", "npm-registry-keys.tuf-target.json")
    natt = nsig = 0
    for proj in projects:
        for name, version in proj:
            env.pkgs[(name, version)] = {"integrity": pkgs[(name, version)]["integrity"]}
        d = env.project(*["%s@%s" % k for k in proj])
        rc, doc, err = env.run_json("--registry-keys", keys, "--history", "0", d, root=False)
        fs = findings(doc)
        bad = [f for f in fs.values() if f["kind"] in ("provenance-invalid", "signature-invalid")]
        want_bad = ["signature-invalid:" + k for k in sorted(bad_sigs)
                    if tuple(k.rsplit("@", 1)) in proj]
        eq(sorted(f["id"] for f in bad), want_bad, "only the fabricated signature fails")
        natt += doc["verify"]["verified_attestations"]
        nsig += doc["verify"]["verified_signatures"]
        if ("sigstore", "2.3.1") in proj:
            # real history: sigstore-js moved from publish.yml (on release)
            # to release.yml (on push) between 1.0.0 and 2.3.1; a migration
            # looks like drift until someone confirms it (--ignore)
            rc, doc, err = env.run_json("--registry-keys", keys, d, root=False)
            f = findings(doc)["provenance-drift:sigstore@2.3.1"]
            eq(f["evidence"]["workflow"], ".github/workflows/release.yml", "2.3.1 workflow")
            eq(f["evidence"]["earlier_workflow"], ".github/workflows/publish.yml", "earlier")
            eq(f["evidence"]["trigger"], "push", "2.3.1 trigger")
            eq(f["evidence"]["earlier_trigger"], "release", "earlier trigger")
            # the migration, confirmed and pinned: no drift any more
            pol = os.path.join(env.tmp, "sigstore-policy.json")
            with open(pol, "w") as pf:
                json.dump({"rules": [{"match": "sigstore",
                                      "workflow": [".github/workflows/publish.yml",
                                                   ".github/workflows/release.yml"],
                                      "trigger": ["release", "push"]}]}, pf)
            rc, doc, err = env.run_json("--registry-keys", keys, "--policy", pol, d,
                                        root=False)
            eq([i for i in findings(doc) if i.startswith("provenance-")], [],
               "pinned values are not drift")
    eq(natt, sum(1 for p in pkgs.values() if "att" in p), "every real attestation verified")
    eq(nsig, sum(1 for k, p in pkgs.items() if "sig" in p and "%s@%s" % k not in bad_sigs),
       "every real signature verified")


TESTS = [
    ("valid signature and provenance", t_valid),
    ("provenance drift: pull_request_target from another workflow", t_drift),
    ("--history 0 compares nothing", t_history_off),
    ("a first provenance is recorded", t_first_provenance),
    ("provenance dropped", t_dropped),
    ("runner self-hosted is drift", t_self_hosted),
    ("invalid bundles name the failing step", t_invalid_steps),
    ("registry signatures: invalid, unknown key, expired key, missing", t_signatures),
    ("no registry keys: no signature-missing", t_missing_without_keys),
    ("--registry-keys in the TUF shape", t_registry_keys_tuf),
    ("the bundled root does not trust the test CA", t_bundled_root_rejects_test_ca),
    ("attestations: only the URL's path", t_paths_only),
    ("a warm cache: no request, no verification again", t_warm_cache),
    ("--offline from the cache", t_offline),
    ("identity policy", t_policy),
    ("text and SARIF", t_text_and_sarif),
    ("--fail-on", t_fail_on),
    ("gate includes verify", t_gate),
    ("--bundle on the real fixtures", t_bundle_real),
    ("--bundle on the test PKI", t_bundle_pki),
    ("real signatures and attestations through the registry", t_real_registry_data),
]


def main():
    a = wstest.parse_args(__file__, "--mkpki")
    env = Env(a.wormsign, a.mkpki, a.src)
    try:
        env.start()
        return wstest.main_loop(TESTS, lambda fn: fn(env), a.only)
    finally:
        env.cleanup()


if __name__ == "__main__":
    sys.exit(main())
