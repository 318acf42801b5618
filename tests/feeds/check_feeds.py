#!/usr/bin/env python3
"""Validate the bundled feeds (feeds/*.json, "wormsign-feed/1").

    python3 tests/feeds/check_feeds.py [FEEDS_DIR]

Checks the format of every feed, that every entry carries a known source,
that nothing is listed twice, that no every-version range slipped in, that
hashes are well formed, that no public registry host name appears, and that
sentinel entries known from the incident data are present (and known
non-entries absent). Prints one line per problem and exits 1 if there is
any; prints a summary and exits 0 otherwise. Python 3 standard library
only; reads nothing but FEEDS_DIR (default: feeds/ next to tests/).
"""

import json
import os
import re
import sys

FORMAT = "wormsign-feed/1"
FEED_MAX = 64 << 20             # src/feed/feed.h FEED_MAX
FEED_ENTRIES_MAX = 2 << 20      # src/feed/feed.h FEED_ENTRIES_MAX
TOTAL_MAX = 8 << 20             # keep the bundle small
EXPECTED_FEEDS = ("shai-hulud-1", "shai-hulud-2", "mini-shai-hulud")

TOP_KEYS = ("format", "id", "title", "published", "first_seen", "sources", "packages",
            "files", "artifacts", "network")
PACKAGE_KEYS = {"name", "versions", "ranges", "source", "advisory", "severity"}
FILE_KEYS = {"sha256", "sha1", "names", "description", "source", "advisory",
             "severity"}
ARTIFACT_KEYS = {"kind", "value", "description", "source", "advisory",
                 "severity"}
NETWORK_KEYS = ARTIFACT_KEYS
SEVERITIES = ("info", "low", "medium", "high", "critical")
ARTIFACT_KINDS = ("workflow", "branch", "repo-description", "runner", "file",
                  "package-json", "string", "process")
NETWORK_KINDS = ("domain", "url")

# Source tokens (feeds/SOURCES.md); bracketed ones carry a sub-attribution.
SOURCES = {"cobenian", "safedep", "datadog", "ossf-malicious-packages",
           "ghsa", "tanstack-postmortem", "wiz", "jfrog", "splunk",
           "gensecaihq"}
BRACKETED = {
    "datadog-consolidated": {"datadog", "helixguard", "koi",
                             "reversinglabs", "socketdev", "stepsecurity",
                             "wiz"},
    "copyleftdev-dragnet": {"stepsecurity", "aikido", "kraven-security",
                            "github_search", "whois", "ipapi"},
}
TOKEN_RE = re.compile(r"\A([a-z0-9-]+)(?:\[([a-z0-9_,-]+)\])?\Z")

_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_ID = r"[0-9A-Za-z-]+"
SEMVER = (r"%s\.%s\.%s(?:-%s(?:\.%s)*)?(?:\+%s(?:\.%s)*)?"
          % (_NUM, _NUM, _NUM, _PRE_ID, _PRE_ID, _BUILD_ID, _BUILD_ID))
SEMVER_RE = re.compile(r"\A" + SEMVER + r"\Z")
COMPARATOR_RE = re.compile(r"\A(>=|<=|>|<|=)(" + SEMVER + r")\Z")
NAME_RE = re.compile(r"\A(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*\Z")
DATE_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?\Z")
SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
SHA1_RE = re.compile(r"\A[0-9a-f]{40}\Z")
DOMAIN_RE = re.compile(r"\A(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
URL_RE = re.compile(r"\Ahttps?://[a-z0-9.-]+(?::\d+)?(?:/[^\s]*)?\Z")
REGISTRY_HOST_RE = re.compile(r"npm[j]s[.](org|com)|yarn[p]kg[.]com", re.I)

# ---- sentinels: (feed, what, key) that must be present.
SENTINEL_VERSIONS = [
    # Mini Shai-Hulud, TanStack wave 2026-05-11 (GHSA-g7cv-rxg3-hmpx)
    ("mini-shai-hulud", "@tanstack/react-router", "1.169.5"),
    ("mini-shai-hulud", "@tanstack/react-router", "1.169.8"),
    ("mini-shai-hulud", "@tanstack/router-core", "1.169.5"),
    ("mini-shai-hulud", "@tanstack/router-core", "1.169.8"),
    ("mini-shai-hulud", "@tanstack/history", "1.161.9"),
    ("mini-shai-hulud", "@tanstack/history", "1.161.12"),
    ("mini-shai-hulud", "@tanstack/react-start", "1.167.68"),
    ("mini-shai-hulud", "@tanstack/zod-adapter", "1.166.15"),
    # ... the spread, and the SAP wave 2026-04-29
    ("mini-shai-hulud", "@mistralai/mistralai", "2.2.2"),
    ("mini-shai-hulud", "@opensearch-project/opensearch", "3.5.3"),
    ("mini-shai-hulud", "mbt", "1.2.48"),
    ("mini-shai-hulud", "@cap-js/sqlite", "2.2.2"),
    ("mini-shai-hulud", "@cap-js/postgres", "2.2.2"),
    ("mini-shai-hulud", "@cap-js/db-service", "2.10.1"),
    # ... the AntV/atool wave 2026-05-19
    ("mini-shai-hulud", "@antv/scale", "0.6.2"),
    ("mini-shai-hulud", "size-sensor", "1.0.4"),
    # Shai-Hulud, September 2025
    ("shai-hulud-1", "@ctrl/tinycolor", "4.1.1"),
    ("shai-hulud-1", "@ctrl/tinycolor", "4.1.2"),
    ("shai-hulud-1", "@ctrl/deluge", "7.2.1"),
    ("shai-hulud-1", "@crowdstrike/logscale-dashboard", "1.205.2"),
    ("shai-hulud-1", "@teriyakibomb/ember-velcro", "2.2.1"),
    # Shai-Hulud 2.0, November 2025
    ("shai-hulud-2", "02-echo", "0.0.7"),
    ("shai-hulud-2", "@postman/tunnel-agent", "0.6.5"),
    ("shai-hulud-2", "@postman/tunnel-agent", "0.6.7"),
    ("shai-hulud-2", "@zapier/zapier-sdk", "0.15.5"),
    ("shai-hulud-2", "@asyncapi/cli", "4.1.2"),
    ("shai-hulud-2", "posthog-js", "1.297.3"),
    ("shai-hulud-2", "@vietmoney/react-big-calendar", "0.26.0"),
]
# A version must be attributed to at least these sources.
SENTINEL_SOURCES = [
    ("mini-shai-hulud", "@tanstack/react-router", "1.169.5",
     {"cobenian", "ghsa", "ossf-malicious-packages"}),
    ("mini-shai-hulud", "mbt", "1.2.48", {"cobenian", "copyleftdev-dragnet"}),
    ("shai-hulud-1", "@ctrl/tinycolor", "4.1.1", {"cobenian", "safedep"}),
    ("shai-hulud-2", "02-echo", "0.0.7",
     {"cobenian", "datadog", "datadog-consolidated"}),
]
SENTINEL_FILES = [
    ("shai-hulud-1", "46faab8ab153fae6e80e7cca38eab363075bb524edd79e42269217a083628f09", "bundle.js"),
    ("shai-hulud-1", "bc18414929992e8e8d2211f9c51ebc7241294a1af3cfdbdd5ca417974b2dac0b", "bundle.js"),
    ("shai-hulud-2", "a3894003ad1d293ba96d77881ccd2071446dc3f65f434669b49b3da92421901a", "setup_bun.js"),
    ("shai-hulud-2", "62ee164b9b306250c1172583f138c9614139264f889fa99614903c12755468d0", "bun_environment.js"),
    ("mini-shai-hulud", "ab4fcadaec49c03278063dd269ea5eef82d24f2124a8e15d7b90f2fa8601266c", "router_init.js"),
    ("mini-shai-hulud", "2ec78d556d696e208927cc503d48e4b5eb56b31abc2870c2ed2e98d6be27fc96", "tanstack_runner.js"),
    ("mini-shai-hulud", "4066781fa830224c8bbcc3aa005a396657f9c8f9016f9a64ad44a9d7f5f45e34", "setup.mjs"),
]
SENTINEL_ARTIFACTS = [
    ("shai-hulud-1", "workflow", ".github/workflows/shai-hulud-workflow.yml"),
    ("shai-hulud-1", "branch", "shai-hulud"),
    ("shai-hulud-1", "repo-description", "Shai-Hulud Migration"),
    ("shai-hulud-1", "package-json", "node bundle.js"),
    ("shai-hulud-2", "runner", "SHA1HULUD"),
    ("shai-hulud-2", "repo-description", "Sha1-Hulud: The Second Coming."),
    ("shai-hulud-2", "workflow", ".github/workflows/discussion.yaml"),
    ("shai-hulud-2", "workflow", ".github/workflows/formatter_*.yml"),
    ("shai-hulud-2", "package-json", "node setup_bun.js"),
    ("shai-hulud-2", "file", "truffleSecrets.json"),
    ("shai-hulud-2", "file", "~/.dev-env"),
    ("mini-shai-hulud", "package-json",
     "github:tanstack/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c"),
    ("mini-shai-hulud", "process", "gh-token-monitor"),
    ("mini-shai-hulud", "string", "IfYouRevokeThisTokenItWillWipeTheComputerOfTheOwner"),
    ("mini-shai-hulud", "repo-description", "A Mini Shai-Hulud has Appeared"),
    ("mini-shai-hulud", "repo-description", "Shai-Hulud: Here We Go Again"),
]
SENTINEL_NETWORK = [
    ("shai-hulud-1", "url", "https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7"),
    ("mini-shai-hulud", "domain", "git-tanstack.com"),
    ("mini-shai-hulud", "domain", "filev2.getsession.org"),
    ("mini-shai-hulud", "domain", "api.masscan.cloud"),
    ("mini-shai-hulud", "url", "https://litter.catbox.moe/h8nc9u.js"),
]
# Must NOT be listed anywhere: the last good TanStack version, the
# chalk/debug drainer (not Shai-Hulud), Datadog's removed false positives.
ABSENT_VERSIONS = [
    ("@tanstack/react-router", "1.169.4"),
    ("@tanstack/react-router", "1.169.6"),
    ("chalk", "5.6.1"),
    ("debug", "4.4.2"),
    ("cbre-flow-common", "99.2.0"),
    ("@elsedev/react-csr-sdk", "1.0.17"),
    ("utilitas", "2000.3.10"),
]


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))


def semver_key(v):
    core, _, build = v.partition("+")
    main, dash, pre = core.partition("-")
    nums = tuple(int(x) for x in main.split("."))
    if dash:
        pk = (0, tuple((0, int(i), "") if i.isdigit() else (1, 0, i)
                       for i in pre.split(".")))
    else:
        pk = (1, ())
    return nums + (pk, build)


def check_source(c, where, src):
    if not isinstance(src, str) or not src.strip():
        c.err(where, "entry has no source")
        return set()
    tokens = src.split(", ")
    if tokens != sorted(set(tokens)):
        c.err(where, "source tokens not sorted/unique: %r" % src)
    bases = set()
    for t in tokens:
        m = TOKEN_RE.match(t)
        if not m:
            c.err(where, "malformed source token %r" % t)
            continue
        base, sub = m.group(1), m.group(2)
        if sub is None:
            if base not in SOURCES:
                c.err(where, "unknown source %r" % t)
        else:
            allowed = BRACKETED.get(base)
            if allowed is None:
                c.err(where, "unknown source %r" % t)
            else:
                for s in sub.split(","):
                    if s not in allowed:
                        c.err(where, "unknown attribution %r in %r" % (s, t))
        bases.add(base)
    return bases


def check_common(c, where, e, keys, sev_required=True):
    if not isinstance(e, dict):
        c.err(where, "entry is not an object")
        return False
    extra = set(e) - keys
    if extra:
        c.err(where, "unknown key(s) %s" % ", ".join(sorted(extra)))
    if "severity" in e and e["severity"] not in SEVERITIES:
        c.err(where, "bad severity %r" % e.get("severity"))
    elif sev_required and "severity" not in e:
        c.err(where, "no severity")
    if "advisory" in e and (not isinstance(e["advisory"], str) or not e["advisory"]):
        c.err(where, "bad advisory %r" % e["advisory"])
    return True


def every_version(rng):
    """True if a range has a comparator set without both bounds, or a
    lower bound at 0.0.0: the shape of OSV's "introduced: 0"."""
    for cset in rng.split("||"):
        comps = cset.split()
        if not comps:
            return True
        lower = upper = False
        for comp in comps:
            m = COMPARATOR_RE.match(comp)
            if not m:
                return True
            op, v = m.group(1), m.group(2)
            if op in (">", ">="):
                lower = not v.startswith("0.0.0")
            elif op in ("<", "<="):
                upper = True
            elif op == "=":
                lower = upper = True
        if not (lower and upper):
            return True
    return False


def check_feed(c, path, text, seen_global):
    where = os.path.basename(path)
    stem = where[:-len(".json")]
    if len(text.encode("utf-8")) > FEED_MAX:
        c.err(where, "larger than FEED_MAX")
    if REGISTRY_HOST_RE.search(text):
        c.err(where, "contains a public registry host name")
    try:
        feed = json.loads(text)
    except ValueError as e:
        c.err(where, "not JSON: %s" % e)
        return None
    if not isinstance(feed, dict):
        c.err(where, "top level is not an object")
        return None
    if tuple(feed.keys()) != TOP_KEYS:
        c.err(where, "top-level keys %r, expected %r" % (tuple(feed.keys()), TOP_KEYS))
    if feed.get("format") != FORMAT:
        c.err(where, "format is %r" % feed.get("format"))
    if feed.get("id") != stem:
        c.err(where, "id %r does not match the file name" % feed.get("id"))
    for k in ("title",):
        if not isinstance(feed.get(k), str) or not feed.get(k):
            c.err(where, "no %s" % k)
    if not isinstance(feed.get("published"), str) or not DATE_RE.match(feed["published"]):
        c.err(where, "published is not an RFC 3339 date: %r" % feed.get("published"))
    srcs = feed.get("sources")
    if not isinstance(srcs, list) or not srcs or not all(isinstance(s, str) and s for s in srcs):
        c.err(where, "sources must be a non-empty list of strings")
    for k in ("packages", "files", "artifacts", "network"):
        if not isinstance(feed.get(k), list):
            c.err(where, "%s is not a list" % k)
            feed[k] = []
    total = sum(len(feed[k]) for k in ("packages", "files", "artifacts", "network"))
    if total > FEED_ENTRIES_MAX:
        c.err(where, "more than FEED_ENTRIES_MAX entries")

    # packages
    versions = {}        # (name, version) -> set of source bases
    entry_keys = set()
    for i, e in enumerate(feed["packages"]):
        w = "%s: packages[%d]" % (where, i)
        if not check_common(c, w, e, PACKAGE_KEYS):
            continue
        name = e.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            c.err(w, "bad package name %r" % name)
            continue
        w = "%s (%s)" % (w, name)
        if e.get("severity") != "critical":
            c.err(w, "package entries are confirmed malicious: severity "
                     "must be critical, not %r" % e.get("severity"))
        bases = check_source(c, w, e.get("source"))
        key = (name, e.get("source"))
        if key in entry_keys:
            c.err(w, "second entry with the same name and source")
        entry_keys.add(key)
        vs = e.get("versions")
        if not isinstance(vs, list):
            c.err(w, "versions is not a list")
            vs = []
        rs = e.get("ranges", [])
        if "ranges" in e and (not isinstance(rs, list) or not rs):
            c.err(w, "ranges must be a non-empty list when present")
            rs = rs if isinstance(rs, list) else []
        if not vs and not rs:
            c.err(w, "no versions and no ranges")
        good = []
        for v in vs:
            if not isinstance(v, str) or not SEMVER_RE.match(v):
                c.err(w, "not a semver version: %r" % (v,))
                continue
            good.append(v)
            if (name, v) in versions:
                c.err(w, "%s@%s listed twice" % (name, v))
            versions.setdefault((name, v), set()).update(bases)
            other = seen_global.get((name, v))
            if other and other != stem:
                c.err(w, "%s@%s also in %s" % (name, v, other))
            seen_global[(name, v)] = stem
        if good != sorted(good, key=semver_key) or len(set(good)) != len(good):
            c.err(w, "versions not sorted by semver or repeated")
        for r in rs:
            if not isinstance(r, str):
                c.err(w, "range is not a string: %r" % (r,))
                continue
            if r.strip() in ("*", "", "x", "X", "latest"):
                c.err(w, "every-version range %r" % r)
                continue
            for cset in r.split("||"):
                for comp in cset.split():
                    if not COMPARATOR_RE.match(comp):
                        c.err(w, "range %r: bad comparator %r" % (r, comp))
            if every_version(r):
                c.err(w, "range %r is unbounded (every version): do not ingest" % r)

    # files
    hashes = set()
    for i, e in enumerate(feed["files"]):
        w = "%s: files[%d]" % (where, i)
        if not check_common(c, w, e, FILE_KEYS):
            continue
        h256, h1 = e.get("sha256"), e.get("sha1")
        if h256 is None and h1 is None:
            c.err(w, "no sha256 and no sha1")
        if h256 is not None and (not isinstance(h256, str) or not SHA256_RE.match(h256)):
            c.err(w, "sha256 is not 64 lowercase hex digits: %r" % (h256,))
        if h1 is not None and (not isinstance(h1, str) or not SHA1_RE.match(h1)):
            c.err(w, "sha1 is not 40 lowercase hex digits: %r" % (h1,))
        for h in (h256, h1):
            if isinstance(h, str):
                if h in hashes or h in seen_global:
                    c.err(w, "hash %s listed twice" % h)
                hashes.add(h)
                seen_global[h] = stem
        names = e.get("names")
        if not isinstance(names, list) or not all(isinstance(n, str) and n and "/" not in n for n in names):
            c.err(w, "names must be a list of file names")
        if not isinstance(e.get("description"), str) or not e.get("description"):
            c.err(w, "no description")
        check_source(c, w, e.get("source"))

    # artifacts and network
    for k, keys, kinds in (("artifacts", ARTIFACT_KEYS, ARTIFACT_KINDS),
                           ("network", NETWORK_KEYS, NETWORK_KINDS)):
        seen = set()
        for i, e in enumerate(feed[k]):
            w = "%s: %s[%d]" % (where, k, i)
            if not check_common(c, w, e, keys):
                continue
            kind, value = e.get("kind"), e.get("value")
            if kind not in kinds:
                c.err(w, "unknown kind %r" % kind)
            if not isinstance(value, str) or not value.strip() or value != value.strip():
                c.err(w, "bad value %r" % (value,))
                continue
            if (kind, value) in seen:
                c.err(w, "%s %r listed twice" % (kind, value))
            seen.add((kind, value))
            if kind == "domain" and not DOMAIN_RE.match(value):
                c.err(w, "not a domain name: %r" % value)
            if kind == "url" and not URL_RE.match(value):
                c.err(w, "not an http(s) URL: %r" % value)
            if kind == "workflow" and not value.startswith(".github/workflows/"):
                c.err(w, "workflow not under .github/workflows/: %r" % value)
            if not isinstance(e.get("description"), str) or not e.get("description"):
                c.err(w, "no description")
            check_source(c, w, e.get("source"))
    feed["_versions"] = versions
    return feed


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    fdir = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "feeds")
    c = Checker()
    try:
        names = sorted(n for n in os.listdir(fdir) if n.endswith(".json"))
    except OSError as e:
        print("check_feeds: %s: %s" % (fdir, e.strerror))
        return 1
    feeds = {}
    seen_global = {}
    total = 0
    for n in names:
        path = os.path.join(fdir, n)
        with open(path, "rb") as fp:
            raw = fp.read()
        total += len(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            c.err(n, "not UTF-8: %s" % e)
            continue
        f = check_feed(c, path, text, seen_global)
        if f is not None:
            feeds[f.get("id")] = f
    if total > TOTAL_MAX:
        c.err(fdir, "bundled feeds total %d bytes, over %d" % (total, TOTAL_MAX))
    for fid in EXPECTED_FEEDS:
        if fid not in feeds:
            c.err(fdir, "feed %s missing" % fid)

    def vset(fid):
        return feeds[fid]["_versions"] if fid in feeds else {}

    for (fid, name, v) in SENTINEL_VERSIONS:
        if (name, v) not in vset(fid):
            c.err(fid, "sentinel %s@%s missing" % (name, v))
    for (fid, name, v, want) in SENTINEL_SOURCES:
        got = vset(fid).get((name, v), set())
        if not want <= got:
            c.err(fid, "sentinel %s@%s: sources %s, expected at least %s" % (
                name, v, ", ".join(sorted(got)) or "none", ", ".join(sorted(want))))
    for (fid, h, fname) in SENTINEL_FILES:
        hit = [e for e in (feeds.get(fid, {}).get("files") or [])
               if isinstance(e, dict) and e.get("sha256") == h]
        if not hit:
            c.err(fid, "sentinel payload hash %s (%s) missing" % (h, fname))
        elif fname not in hit[0].get("names", []):
            c.err(fid, "sentinel payload hash %s: name %s not listed" % (h, fname))
    for (fid, kind, value) in SENTINEL_ARTIFACTS:
        if not any(isinstance(e, dict) and e.get("kind") == kind and e.get("value") == value
                   for e in feeds.get(fid, {}).get("artifacts") or []):
            c.err(fid, "sentinel artifact %s %r missing" % (kind, value))
    for (fid, kind, value) in SENTINEL_NETWORK:
        if not any(isinstance(e, dict) and e.get("kind") == kind and e.get("value") == value
                   for e in feeds.get(fid, {}).get("network") or []):
            c.err(fid, "sentinel network %s %r missing" % (kind, value))
    for (name, v) in ABSENT_VERSIONS:
        for fid, f in feeds.items():
            if (name, v) in f["_versions"]:
                c.err(fid, "%s@%s must not be listed" % (name, v))
    # The TanStack wave: 42 packages x 2 versions.
    tan = [k for k in vset("mini-shai-hulud") if k[0].startswith("@tanstack/")]
    if len(tan) != 84 or len({n for n, _ in tan}) != 42:
        c.err("mini-shai-hulud", "expected 84 @tanstack versions of 42 packages, "
              "found %d of %d" % (len(tan), len({n for n, _ in tan})))

    for e in c.errors:
        print("check_feeds: " + e)
    if c.errors:
        print("check_feeds: %d problem(s)" % len(c.errors))
        return 1
    for fid in sorted(feeds):
        f = feeds[fid]
        print("%s: %d package entries (%d names, %d versions, %d ranges), "
              "%d files, %d artifacts, %d network" % (
                  fid, len(f["packages"]), len({e["name"] for e in f["packages"]}),
                  len(f["_versions"]),
                  sum(len(e.get("ranges", [])) for e in f["packages"]),
                  len(f["files"]), len(f["artifacts"]), len(f["network"])))
    print("check_feeds: %d feeds, %d bytes, ok" % (len(feeds), total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
