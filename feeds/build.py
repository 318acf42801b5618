#!/usr/bin/env python3
"""Rebuild the bundled wormsign feeds from the incident data.

    python3 feeds/build.py                 # write feeds/*.json and the
                                           # cross-check block of README.md
    python3 feeds/build.py --check         # rebuild in memory, compare with
                                           # the committed files, exit 1 if
                                           # they differ
    python3 feeds/build.py --data DIR --out DIR

The input is the IOC folder shared by the project (default:
../shared/data/iocs next to the repository root; see its INCIDENTS.md and
SOURCES.md). The output is deterministic: the same input gives the same
bytes. Only the Python 3 standard library is used, and nothing at build or
test time runs this script: the JSON it writes is committed.

Rules (explained at length in feeds/README.md):
  * a package version belongs to exactly one wave, decided by the date or
    label the data itself gives it;
  * every claim keeps its source; versions claimed by the same set of
    sources form one entry, so a version only one source lists is kept with
    that source alone;
  * OSV "introduced: 0" (every version) ranges are never ingested;
  * every version and range written is checked against SemVer 2.0.0 /
    the comparator grammar;
  * every artifact and network value must occur verbatim in the input
    files, so nothing is typed in that the sources do not say.
"""

import argparse
import csv
import io
import json
import os
import re
import sys

FORMAT = "wormsign-feed/1"

# Date of the newest source snapshot the feeds are built from (Cobenian
# shai-hulud-detect HEAD 46b6e62, 2026-08-21; see SOURCES.md). A constant,
# so that rebuilding gives the same bytes.
PUBLISHED = "2026-08-21"

SH1, SH2, MINI = "shai-hulud-1", "shai-hulud-2", "mini-shai-hulud"
# first_seen: the earliest date each wave's sources give for a compromised
# publish (INCIDENTS.md); sweep starts its history a month before it.
FEEDS = {
    SH1: {
        "first_seen": "2025-09-16",
        "title": "Shai-Hulud (September 2025): self-replicating npm worm, "
                 "postinstall bundle.js",
        "sources": [
            "https://github.com/safedep/shai-hulud-migration-response",
            "https://github.com/Cobenian/shai-hulud-detect",
            "https://github.com/ossf/malicious-packages",
            "https://www.stepsecurity.io/blog/ctrl-tinycolor-and-40-npm-packages-compromised",
            "https://socket.dev/blog/ongoing-supply-chain-attack-targets-crowdstrike-npm-packages",
        ],
    },
    SH2: {
        "first_seen": "2025-11-24",
        "title": "Shai-Hulud 2.0, \"Sha1-Hulud: The Second Coming\" "
                 "(November 2025): preinstall setup_bun.js",
        "sources": [
            "https://github.com/DataDog/indicators-of-compromise",
            "https://github.com/Cobenian/shai-hulud-detect",
            "https://github.com/gensecaihq/Shai-Hulud-2.0-Detector",
            "jfrog/research: post/Shai-hulud-the-second-coming.md (d38f2e2)",
            "https://www.koi.ai/incident/live-updates-sha1-hulud-the-second-coming-hundred-npm-packages-compromised",
            "https://www.wiz.io/blog/shai-hulud-2-0-ongoing-supply-chain-attack",
        ],
    },
    MINI: {
        "first_seen": "2026-04-29",
        "title": "Mini Shai-Hulud (2026): SAP wave (2026-04-29), TanStack "
                 "wave (2026-05-11) and its spread, AntV/atool wave "
                 "(2026-05-19)",
        "sources": [
            "https://github.com/copyleftdev/mini-shai-hulud-dragnet",
            "https://github.com/ossf/malicious-packages",
            "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx",
            "https://github.com/Cobenian/shai-hulud-detect",
            "https://tanstack.com/blog/npm-supply-chain-compromise-postmortem",
            "https://www.wiz.io/blog/mini-shai-hulud-strikes-again-tanstack-more-npm-packages-compromised",
        ],
    },
}

SEVERITIES = ("info", "low", "medium", "high", "critical")
ARTIFACT_KINDS = ("workflow", "branch", "repo-description", "runner", "file",
                  "package-json", "string", "process")
NETWORK_KINDS = ("domain", "url")

# SemVer 2.0.0, exactly (no "v", no leading zeros).
_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_ID = r"[0-9A-Za-z-]+"
SEMVER_TEXT = (r"%s\.%s\.%s(?:-%s(?:\.%s)*)?(?:\+%s(?:\.%s)*)?"
               % (_NUM, _NUM, _NUM, _PRE_ID, _PRE_ID, _BUILD_ID, _BUILD_ID))
SEMVER_RE = re.compile(r"\A" + SEMVER_TEXT + r"\Z")
# The only range shape written: comparators on full versions, joined by a
# space (one comparator set), e.g. ">=4.1.1 <=4.1.2".
COMPARATOR_RE = re.compile(r"\A(?:>=|<=|>|<|=)" + SEMVER_TEXT + r"\Z")
SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
SHA1_RE = re.compile(r"\A[0-9a-f]{40}\Z")
NAME_RE = re.compile(r"\A(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*\Z")
# Public registry host names never appear in the project's files; built in
# pieces so that this file does not contain them either.
REGISTRY_HOST_RE = re.compile(r"npm[j]s[.](org|com)|yarn[p]kg[.]com")


class BuildError(Exception):
    pass


def fail(msg):
    raise BuildError(msg)


# ---------------------------------------------------------------- semver

def check_version(v, where):
    if not SEMVER_RE.match(v):
        fail("%s: not a semver version: %r" % (where, v))
    return v


def check_range(r, where):
    parts = r.split(" ")
    if not parts or not all(COMPARATOR_RE.match(p) for p in parts):
        fail("%s: not a comparator-set range: %r" % (where, r))
    return r


def _pre_key(ident):
    if ident.isdigit():
        return (0, int(ident), "")
    return (1, 0, ident)


def semver_key(v):
    """Sort key with SemVer precedence (build metadata ignored, then used
    as a last tie-break so the order is total)."""
    core, _, build = v.partition("+")
    main, dash, pre = core.partition("-")
    major, minor, patch = (int(x) for x in main.split("."))
    if dash:
        pre_key = (0, tuple(_pre_key(i) for i in pre.split(".")))
    else:
        pre_key = (1, ())
    return (major, minor, patch, pre_key, build)


# ---------------------------------------------------------------- input

class Data:
    def __init__(self, root):
        self.root = root
        self.texts = {}

    def path(self, rel):
        return os.path.join(self.root, rel)

    def text(self, rel):
        if rel not in self.texts:
            with open(self.path(rel), "r", encoding="utf-8") as fp:
                self.texts[rel] = fp.read()
        return self.texts[rel]

    def lines(self, rel):
        return self.text(rel).split("\n")

    def csv(self, rel):
        return list(csv.DictReader(io.StringIO(self.text(rel))))

    def jsonl(self, rel):
        out = []
        for n, line in enumerate(self.lines(rel), 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError as e:
                    fail("%s:%d: %s" % (rel, n, e))
        return out

    def json(self, rel):
        return json.loads(self.text(rel))

    def corpus(self):
        """All text of the input folder, for the verbatim checks."""
        if not hasattr(self, "_corpus"):
            parts = []
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames.sort()
                for f in sorted(filenames):
                    rel = os.path.relpath(os.path.join(dirpath, f), self.root)
                    parts.append(self.text(rel))
            self._corpus = "\n".join(parts)
        return self._corpus


# Cobenian compromised-packages.txt: "# ====" banner, then "# TITLE" lines.
COB_ECOS = ("npm", "pypi", "composer", "crates", "go", "hex", "gem")
COB_ENTRY_RE = re.compile(r"\A(?:(%s):)?(.+):([^:]+)\Z" % "|".join(COB_ECOS))


def parse_cobenian(data, rel):
    """Returns [(lineno, section_title, ecosystem, name, version)]."""
    out = []
    section = None
    lines = data.lines(rel)
    prev_banner = False
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("#"):
            body = line.lstrip("#").strip()
            if prev_banner and body and not body.startswith("="):
                section = body
            prev_banner = body.startswith("=====")
            continue
        prev_banner = False
        if not line:
            continue
        m = COB_ENTRY_RE.match(line)
        if not m:
            fail("%s:%d: unreadable entry %r" % (rel, n, line))
        eco = m.group(1) or "npm"
        out.append((n, section, eco, m.group(2), m.group(3)))
    return out


# ---------------------------------------------------------------- claims

class Claims:
    """name@version claims per feed, each with the set of sources and the
    advisories that name it."""

    def __init__(self):
        self.versions = {}   # (feed, name, version) -> {"src": set, "adv": set}
        self.ranges = {}     # (feed, name, range) -> {"src": set, "adv": set}

    def add(self, feed, name, version, source, where, advisory=None):
        if not NAME_RE.match(name):
            fail("%s: not an npm package name: %r" % (where, name))
        check_version(version, where)
        rec = self.versions.setdefault((feed, name, version),
                                       {"src": set(), "adv": set()})
        rec["src"].add(source)
        if advisory:
            rec["adv"].add(advisory)

    def add_range(self, feed, name, rng, source, where, advisory=None):
        check_range(rng, where)
        rec = self.ranges.setdefault((feed, name, rng),
                                     {"src": set(), "adv": set()})
        rec["src"].add(source)
        if advisory:
            rec["adv"].add(advisory)

    def feed_of(self, name, version):
        return sorted(f for (f, n, v) in self.versions
                      if n == name and v == version)


def source_text(tokens):
    return ", ".join(sorted(tokens))


def package_entries(claims, feed):
    """One entry per (name, source set); versions sorted by semver."""
    groups = {}
    for (f, name, version), rec in claims.versions.items():
        if f != feed:
            continue
        key = (name, source_text(rec["src"]))
        g = groups.setdefault(key, {"versions": [], "ranges": [],
                                    "adv": set()})
        g["versions"].append(version)
        g["adv"] |= rec["adv"]
    for (f, name, rng), rec in claims.ranges.items():
        if f != feed:
            continue
        key = (name, source_text(rec["src"]))
        g = groups.setdefault(key, {"versions": [], "ranges": [],
                                    "adv": set()})
        g["ranges"].append(rng)
        g["adv"] |= rec["adv"]
    out = []
    for (name, src) in sorted(groups):
        g = groups[(name, src)]
        e = {"name": name,
             "versions": sorted(g["versions"], key=semver_key)}
        if g["ranges"]:
            e["ranges"] = sorted(g["ranges"])
        e["source"] = src
        if g["adv"]:
            e["advisory"] = ", ".join(sorted(g["adv"]))
        e["severity"] = "critical"
        out.append(e)
    return out


# ---------------------------------------------------------------- readers

class Stats:
    def __init__(self):
        self.skipped = []        # (what, count, why)
        self.taken = {}          # (feed, input) -> claims taken

    def took(self, feed, what):
        self.taken[(feed, what)] = self.taken.get((feed, what), 0) + 1

    def skip(self, what, count, why):
        if count:
            self.skipped.append((what, count, why))


def read_packages(data, claims, stats):
    # -- SafeDep: Shai-Hulud September 2025 (the whole list).
    rel = "safedep/malicious-package-versions.jsonl"
    for i, rec in enumerate(data.jsonl(rel), 1):
        claims.add(SH1, rec["name"], rec["version"], "safedep",
                   "%s:%d" % (rel, i))
        stats.took(SH1, rel)

    # -- Cobenian, the snapshot before the November wave: its Shai-Hulud
    #    section (after the "SHAI-HULUD SELF-REPLICATING WORM" banner) is
    #    the September worm; the section before it is the unrelated
    #    chalk/debug wallet-drainer of 2025-09-08.
    pre_rel = "cobenian/compromised-packages.pre-2025-11-23.txt"
    pre_sh1, pre_chalk = set(), set()
    for (n, section, eco, name, version) in parse_cobenian(data, pre_rel):
        if section and "SHAI-HULUD SELF-REPLICATING WORM" in section:
            pre_sh1.add((name, version))
        else:
            pre_chalk.add((name, version))
    derived = set()
    for line in data.lines("cobenian/shai-hulud-1-sept2025.from-cobenian-a10dce8.txt"):
        if line.strip():
            name, version = line.strip().rsplit(":", 1)
            derived.add((name, version))
    if derived != pre_sh1:
        fail("cobenian: the derived Sept-2025 list differs from the "
             "snapshot's Shai-Hulud section")

    # -- Cobenian, current list: sections by their own titles.
    rel = "cobenian/compromised-packages.txt"
    entries = parse_cobenian(data, rel)
    first = entries[0][1] if entries else None
    cur_first = set()
    out_of_scope = {}
    for (n, section, eco, name, version) in entries:
        where = "%s:%d" % (rel, n)
        s = section or ""
        if eco != "npm":
            out_of_scope.setdefault("%s (%s)" % (s, eco), 0)
            out_of_scope["%s (%s)" % (s, eco)] += 1
            continue
        if s == first:
            # The first section mixes Sept- and Nov-2025 entries under the
            # chalk/debug banner; the pre-November snapshot tells them
            # apart: in its Shai-Hulud section -> September worm, in its
            # chalk/debug section -> not Shai-Hulud, added since -> the
            # November wave (and its December "Golden Path" variant).
            cur_first.add((name, version))
            if (name, version) in pre_sh1:
                claims.add(SH1, name, version, "cobenian", where)
                stats.took(SH1, "%s: first section, in the Shai-Hulud "
                           "section of the 2025-09-29 snapshot" % rel)
            elif (name, version) in pre_chalk:
                out_of_scope.setdefault("chalk/debug wallet drainer, 2025-09-08/09 (not Shai-Hulud)", 0)
                out_of_scope["chalk/debug wallet drainer, 2025-09-08/09 (not Shai-Hulud)"] += 1
            else:
                claims.add(SH2, name, version, "cobenian", where)
                stats.took(SH2, "%s: first section, added after the "
                           "2025-09-29 snapshot" % rel)
        elif "MINI SHAI-HULUD" in s and s.startswith("MAY 2026"):
            # TanStack et al. (2026-05-11) and the AntV/atool wave
            # (2026-05-19), both titled MINI SHAI-HULUD by the list.
            claims.add(MINI, name, version, "cobenian", where)
            stats.took(MINI, "%s: %s" % (rel, s))
        elif "@bitwarden/cli" in s and name == "@bitwarden/cli":
            # The list files it as "The Third Coming" (2026-04-22); the
            # dragnet files the same version under campaign
            # mini-shai-hulud. Kept in the Mini feed, both sources named.
            claims.add(MINI, name, version, "cobenian", where)
            stats.took(MINI, "%s: %s" % (rel, s))
        else:
            out_of_scope.setdefault(s, 0)
            out_of_scope[s] += 1
    missing = pre_sh1 - cur_first
    if missing:
        fail("cobenian: current list lost Sept-2025 entries: %r"
             % sorted(missing)[:5])
    for s in sorted(out_of_scope):
        stats.skip("cobenian/compromised-packages.txt: " + s,
                   out_of_scope[s], "outside the three feeds' waves or not npm")

    # -- Datadog Shai-Hulud 2.0: the confirmed list and the consolidated
    #    vendor list (vendors are per package, not per version).
    rel = "datadog/shai-hulud-2.0/shai-hulud-2.0.csv"
    for i, r in enumerate(data.csv(rel), 2):
        claims.add(SH2, r["package_name"].strip(), r["package_version"].strip(),
                   "datadog", "%s:%d" % (rel, i))
        stats.took(SH2, rel)
    rel = "datadog/shai-hulud-2.0/consolidated_iocs.csv"
    for i, r in enumerate(data.csv(rel), 2):
        vendors = [v.strip() for v in r["sources"].split(",") if v.strip()]
        if not vendors:
            fail("%s:%d: no vendor" % (rel, i))
        token = "datadog-consolidated[%s]" % ",".join(sorted(vendors))
        for v in r["package_versions"].split(","):
            claims.add(SH2, r["package_name"].strip(), v.strip(), token,
                       "%s:%d" % (rel, i))
            stats.took(SH2, rel)
            for vendor in vendors:
                stats.took(SH2, "%s, vendor %s" % (rel, vendor))

    # -- copyleftdev dragnet: npm packages of campaign mini-shai-hulud.
    rel = "copyleftdev-dragnet/iocs.jsonl"
    other = 0
    for i, rec in enumerate(data.jsonl(rel), 1):
        if rec.get("kind") != "package":
            continue
        if rec.get("registry") != "npm" or rec.get("campaign") != "mini-shai-hulud":
            other += 1
            continue
        claims.add(MINI, rec["name"], rec["version"],
                   "copyleftdev-dragnet[%s]" % rec["source"], "%s:%d" % (rel, i))
        stats.took(MINI, rel)
    stats.skip(rel + ": package records of other registries/campaigns "
               "(docker, vscode; checkmarx-kics-vsx-2026-04)", other,
               "not npm / not Mini Shai-Hulud")

    # -- The TanStack map: GHSA-g7cv-rxg3-hmpx versions with their OSV ids.
    rel = "derived/tanstack-2026-05-11-osv-map.csv"
    for i, r in enumerate(data.csv(rel), 2):
        adv = r["osv_id"] if r["id_status"].startswith("observed") \
            else r["umbrella_advisory"].split("|")[0]
        for v in r["malicious_versions"].split(";"):
            claims.add(MINI, r["package"], v.strip(), "ghsa",
                       "%s:%d" % (rel, i), adv)
            stats.took(MINI, rel)

    # -- OSV records, transcribed: explicit versions preferred; bounded
    #    ranges kept as ranges; "introduced: 0" never ingested.
    waves = {"MAL-2025-": SH1, "MAL-2026-": MINI}
    for f in sorted(os.listdir(data.path("osv"))):
        rel = "osv/" + f
        rec = data.json(rel)
        feed = next(w for p, w in waves.items() if rec["id"].startswith(p))
        for a in rec.get("affected", []):
            if a["package"]["ecosystem"] != "npm":
                continue
            name = a["package"]["name"]
            for v in a.get("versions", []):
                claims.add(feed, name, v, "ossf-malicious-packages", rel,
                           rec["id"])
                stats.took(feed, rel)
            for rg in a.get("ranges", []):
                if rg["type"] not in ("SEMVER", "ECOSYSTEM"):
                    continue
                ev = rg["events"]
                intro = [e["introduced"] for e in ev if "introduced" in e]
                if intro == ["0"]:
                    stats.skip("%s (%s): range introduced \"0\"" % (rel, rec["id"]),
                               1, "every-version range, not ingested")
                    continue
                if a.get("versions"):
                    continue    # explicit versions preferred
                if len(ev) != 2 or len(intro) != 1:
                    fail("%s: unexpected range shape %r" % (rel, ev))
                lo = check_version(intro[0], rel)
                if "last_affected" in ev[1]:
                    hi = "<=" + check_version(ev[1]["last_affected"], rel)
                elif "fixed" in ev[1]:
                    hi = "<" + check_version(ev[1]["fixed"], rel)
                else:
                    fail("%s: range without an end %r" % (rel, ev))
                claims.add_range(feed, name, ">=%s %s" % (lo, hi),
                                 "ossf-malicious-packages", rel, rec["id"])
                stats.took(feed, rel + " (range)")
        for origin in rec.get("database_specific", {}).get(
                "malicious-packages-origins", []):
            top = set()
            for a in rec.get("affected", []):
                top |= set(a.get("versions", []))
            extra = [v for v in origin.get("versions", []) if v not in top]
            if extra:
                stats.skip("%s: origin %s lists version(s) %s not in the "
                           "record's affected versions" % (
                               rel, origin.get("source"), ", ".join(extra)),
                           len(extra), "origin-only versions, not ingested")


# ---------------------------------------------------------------- files

def _file_sources(where, notes):
    src = set()
    w = where.lower()
    if "safedep" in w:
        src.add("safedep")
    if "cobenian" in w:
        src.add("cobenian")
    if "gensecaihq" in w:
        src.add("gensecaihq")
    if "wiz" in w:
        src.add("wiz")
    if "dragnet" in w:
        m = re.search(r"source field: ([a-z-]+)", notes)
        if not m:
            fail("payload-hashes: dragnet row without a source field")
        src.add("copyleftdev-dragnet[%s]" % m.group(1))
    if not src:
        fail("payload-hashes: no known source in %r" % where)
    return src


def _wave(label):
    if label.startswith("shai-hulud-1"):
        return SH1
    if label.startswith("shai-hulud-2"):
        return SH2
    if label.startswith("mini-shai-hulud"):
        return MINI
    fail("payload-hashes: unknown wave %r" % label)


WAVE_TEXT = {
    SH1: "Shai-Hulud (September 2025)",
    SH2: "Shai-Hulud 2.0 (November 2025)",
}

# The reported name, as a list of file names (empty when unknown).
def _file_names(reported):
    r = reported.strip()
    if r in ("payload variant",) or r.startswith("trojanized tarball"):
        return []
    if " OR " in r:
        return sorted(x.strip() for x in r.split(" OR "))
    r = re.sub(r"\s*\(.*\)\s*$", "", r)
    if r.startswith("package.json of"):
        return ["package.json"]
    return [r]


def read_files(data, stats):
    rel = "derived/payload-hashes.csv"
    files = {}
    for i, r in enumerate(data.csv(rel), 2):
        where = "%s:%d" % (rel, i)
        h = r["hash"].strip().lower()
        kind = r["hash_type"].strip()
        feed = _wave(r["wave"])
        notes = r["attribution_conflicts_or_notes"].strip()
        src = _file_sources(r["where_found"], notes)
        e = {"names": _file_names(r["file_name_as_reported"])}
        if kind == "sha256":
            if not SHA256_RE.match(h):
                fail("%s: bad sha256 %r" % (where, h))
            e["sha256"] = h
        elif kind == "sha1":
            if not SHA1_RE.match(h):
                fail("%s: bad sha1 %r" % (where, h))
            e["sha1"] = h
        else:
            fail("%s: unknown hash type %r" % (where, kind))
        # A SHA-1 that the same table row gives for the same file (Wiz's
        # table lists both) goes with it; a SHA-1 another tool gives for a
        # file of the same name is a separate entry (not known to be the
        # same file).
        m = re.search(r"\bSHA1 ([0-9a-f]{40})\b", notes)
        if m and "wiz" in src:
            e["sha1"] = m.group(1)
        wave_label = r["wave"].strip()
        desc = []
        what = r["file_name_as_reported"].strip()
        desc.append("%s, %s" % (what, wave_label))
        if r["size_bytes_if_reported"].strip():
            desc.append("%s bytes" % r["size_bytes_if_reported"].strip())
        if notes:
            desc.append(notes)
        e["description"] = "; ".join(desc)
        e["source"] = source_text(src)
        unverified = "NOT verified" in notes
        e["severity"] = "high" if unverified else "critical"
        e["_feed"] = feed
        key = e.get("sha256") or e["sha1"]
        if key in files:
            fail("%s: hash listed twice: %s" % (where, key))
        files[key] = e
        # The SHA-1 values gensecaihq gives: "(sha1 X)" is the same file
        # (its fileHashes entry pairs the two digests), "(sha1 of a NAME X)"
        # one file of that name among several variants: its own entry.
        for m in re.finditer(r"gensecaihq[^;]*?\(sha1(?: of a ([^ ]+))? ([0-9a-f]{40})\)",
                             r["where_found"]):
            sha1 = m.group(2)
            if m.group(1) is None:
                if "sha1" in e:
                    fail("%s: two SHA-1 values for one file" % where)
                e["sha1"] = sha1
                continue
            fname = m.group(1)
            files[sha1] = {
                "sha1": sha1, "names": [fname],
                "description": "%s, %s; SHA-1 of one %s variant, given by "
                               "gensecaihq next to SHA-256 %s; not known to be "
                               "the same file"
                               % (fname, wave_label, fname, h),
                "source": "gensecaihq", "severity": "high", "_feed": feed}

    # Cross-check with the primary lists read directly.
    safedep = {r["hash"] for r in data.jsonl("safedep/malicious-payload-hashes.jsonl")}
    for h in safedep:
        if h not in files or "safedep" not in files[h]["source"]:
            fail("safedep hash %s missing from payload-hashes.csv" % h)
    n_dragnet_other = 0
    for rec in data.jsonl("copyleftdev-dragnet/iocs.jsonl"):
        if rec.get("kind") != "sha256":
            continue
        if rec.get("campaign") != "mini-shai-hulud":
            n_dragnet_other += 1
            continue
        h = rec["value"]
        tok = "copyleftdev-dragnet[%s]" % rec["source"]
        if h not in files or tok not in files[h]["source"]:
            fail("dragnet hash %s (%s) missing from payload-hashes.csv" % (h, tok))
    stats.skip("copyleftdev-dragnet/iocs.jsonl: sha256 of campaign "
               "checkmarx-kics-vsx-2026-04 (kics ELF, mcpAddon.js)",
               n_dragnet_other, "not Mini Shai-Hulud")
    return files


# ---------------------------------------------------------------- artifacts

# (feed, kind, value, severity, source, description[, evidence...])
# Every value (or each evidence string given instead) must occur verbatim
# in the input folder.
ARTIFACTS = [
    # ---- Shai-Hulud, September 2025
    (SH1, "package-json", "node bundle.js", "high", "cobenian",
     "postinstall script of the trojanized versions (\"postinstall\": "
     "\"node bundle.js\"), running the bundle.js payload at the package root"),
    (SH1, "file", "bundle.js", "low", "cobenian, safedep",
     "payload at the package root of trojanized versions (a common name: "
     "the postinstall script or the SHA-256 is the strong signal)"),
    (SH1, "workflow", ".github/workflows/shai-hulud-workflow.yml", "critical",
     "cobenian, splunk",
     "workflow pushed to victim repositories on a new branch; sends "
     "repository secrets to the webhook.site URL"),
    (SH1, "branch", "shai-hulud", "high", "cobenian",
     "branch created in victim repositories to carry the workflow"),
    (SH1, "repo-description", "Shai-Hulud Migration", "critical",
     "cobenian, safedep",
     "private repositories re-published as public with this description "
     "and a -migration name suffix"),
    (SH1, "file", "data.json", "low", "cobenian, jfrog",
     "double-base64 JSON dump of harvested secrets in the public "
     "<user>/Shai-Hulud repository (a common name: match only in that "
     "context)"),
    (SH1, "process", "trufflehog", "low", "cobenian, safedep",
     "secret scanner downloaded and run by the payload (a legitimate tool: "
     "unexpected on a build or developer host)"),

    # ---- Shai-Hulud 2.0, November 2025
    (SH2, "package-json", "node setup_bun.js", "critical", "cobenian, jfrog",
     "preinstall script of the trojanized versions (\"preinstall\": "
     "\"node setup_bun.js\"): installs Bun, then runs bun_environment.js"),
    (SH2, "file", "setup_bun.js", "high", "cobenian, jfrog",
     "loader at the package root: installs or finds Bun and runs "
     "bun_environment.js"),
    (SH2, "file", "bun_environment.js", "high", "cobenian, jfrog",
     "obfuscated payload (about 10 MB): credential theft with TruffleHog, "
     "exfiltration repo, self-hosted runner"),
    (SH2, "file", "contents.json", "low", "jfrog",
     "exfiltration repository file (system information); a common name: "
     "match only next to the other exfiltration files"),
    (SH2, "file", "environment.json", "low", "jfrog",
     "exfiltration repository file (environment variables); a common name"),
    (SH2, "file", "cloud.json", "low", "jfrog",
     "exfiltration repository file (cloud secrets); a common name"),
    (SH2, "file", "actionsSecrets.json", "medium", "cobenian, jfrog",
     "exfiltration repository file: double-base64 GitHub Actions secrets, "
     "written by the formatter_*.yml workflow"),
    (SH2, "file", "truffleSecrets.json", "medium", "jfrog",
     "exfiltration repository file: TruffleHog findings"),
    (SH2, "repo-description", "Sha1-Hulud: The Second Coming.", "critical",
     "cobenian, gensecaihq, jfrog",
     "description of the exfiltration repository (random 18-character name) "
     "created under the victim's account"),
    (SH2, "runner", "SHA1HULUD", "critical",
     "cobenian, gensecaihq, jfrog, splunk",
     "self-hosted GitHub Actions runner registered to victim repositories "
     "as a backdoor, installed under $HOME/.dev-env"),
    (SH2, "file", "~/.dev-env", "high", "cobenian, jfrog",
     "directory ($HOME/.dev-env) holding the SHA1HULUD self-hosted runner",
     "$HOME/.dev-env"),
    (SH2, "workflow", ".github/workflows/discussion.yaml", "high",
     "cobenian, splunk",
     "backdoor workflow: on: discussion, runs-on: self-hosted, runs the "
     "discussion body (${{ github.event.discussion.body }})"),
    (SH2, "workflow", ".github/workflows/formatter_*.yml", "high",
     "cobenian, gensecaihq",
     "glob (formatter_<digits>.yml): secrets-exfiltration workflow that "
     "writes actionsSecrets.json (HelixGuard, per Cobenian)",
     "formatter_*.yml", "formatter_<digits>.yml"),
    (SH2, "string", "sudo cp /tmp/resolved.conf /etc/systemd/resolved.conf",
     "medium", "jfrog",
     "DNS hijack on CI runners (with iptables -F and a privileged docker "
     "run writing /etc/sudoers.d/runner)"),
    (SH2, "string", "cipher /W:%USERPROFILE%", "high", "cobenian",
     "Windows wipe of the home directory, the destructive fallback when no "
     "GitHub or npm token is found (Koi Security disclosure, per Cobenian)"),
    # the December 2025 "Golden Path" variant of the same Bun attack
    (SH2, "file", "bun_installer.js", "high", "cobenian",
     "\"Golden Path\" variant (December 2025): renamed setup_bun.js "
     "(Aikido, per Cobenian CHANGELOG 3.0.6)"),
    (SH2, "file", "environment_source.js", "high", "cobenian",
     "\"Golden Path\" variant (December 2025): renamed bun_environment.js"),
    (SH2, "file", "3nvir0nm3nt.json", "high", "cobenian",
     "\"Golden Path\" variant: exfiltration file (environment.json)"),
    (SH2, "file", "cl0vd.json", "high", "cobenian",
     "\"Golden Path\" variant: exfiltration file (cloud.json)"),
    (SH2, "file", "c9nt3nts.json", "high", "cobenian",
     "\"Golden Path\" variant: exfiltration file (contents.json)"),
    (SH2, "file", "pigS3cr3ts.json", "high", "cobenian",
     "\"Golden Path\" variant: exfiltration file (staged secrets)"),
    (SH2, "repo-description", "Goldox-T3chs: Only Happy Girl", "critical",
     "cobenian", "\"Golden Path\" variant: exfiltration repository description"),

    # ---- Mini Shai-Hulud, 2026
    (MINI, "package-json",
     "github:tanstack/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c",
     "critical", "cobenian, ghsa, tanstack-postmortem",
     "TanStack wave fingerprint: \"optionalDependencies\": "
     "{\"@tanstack/setup\": \"github:tanstack/router#79ac49ee...\"} in every "
     "malicious @tanstack manifest; the orphan commit's prepare script runs "
     "bun run tanstack_runner.js"),
    (MINI, "package-json", "@tanstack/setup", "high",
     "cobenian, ghsa, tanstack-postmortem",
     "fake package name of the git optionalDependency (not a registry "
     "package)"),
    (MINI, "package-json", "bun run tanstack_runner.js && exit 1", "critical",
     "ghsa",
     "prepare script of the orphan-commit @tanstack/setup; exit 1 makes npm "
     "discard the optional dependency, leaving no node_modules trace"),
    (MINI, "package-json", "node setup.mjs", "high",
     "copyleftdev-dragnet[stepsecurity], wiz",
     "preinstall script (\"preinstall\": \"node setup.mjs\") of the SAP wave "
     "and of the May 2026 @uipath-style variants: fetches Bun 1.3.13 and runs "
     "the obfuscated payload"),
    (MINI, "package-json", "bun run index.js", "high", "cobenian",
     "preinstall script of the AntV/atool wave (2026-05-19): runs the 498 KB "
     "obfuscated Bun bundle index.js"),
    (MINI, "package-json", "github:antvis/G2#1916faa365f2788b6e193514872d51a242876569",
     "critical", "cobenian",
     "AntV/atool wave: dependency pinned to a malicious orphan commit in "
     "antvis/G2", "github:antvis/G2#", "1916faa365f2788b6e193514872d51a242876569"),
    (MINI, "package-json", "github:antvis/G2#7cb42f57561c321ecb09b4552802ae0ac55b3a7a",
     "critical", "cobenian",
     "AntV/atool wave: dependency pinned to a malicious orphan commit in "
     "antvis/G2", "github:antvis/G2#", "7cb42f57561c321ecb09b4552802ae0ac55b3a7a"),
    (MINI, "package-json", "github:antvis/G2#dc3d62a2181beb9f326952a2d212900c94f2e13d",
     "critical", "cobenian",
     "AntV/atool wave: dependency pinned to a malicious orphan commit in "
     "antvis/G2", "github:antvis/G2#", "dc3d62a2181beb9f326952a2d212900c94f2e13d"),
    (MINI, "string", "79ac49eedf774dd4b0cfa308722bc463cfe5885c", "critical",
     "cobenian, ghsa, tanstack-postmortem",
     "orphan payload commit in the TanStack/router fork network"),
    (MINI, "string", "65bf499d16a5e8d25ba95d69ec9790a6dd4a1f14", "high",
     "tanstack-postmortem",
     "malicious fork commit adding packages/history/vite_setup.mjs "
     "(author claude <claude@users.noreply.github.com>)"),
    (MINI, "string", "1916faa365f2788b6e193514872d51a242876569", "critical",
     "cobenian", "AntV/atool wave: malicious orphan commit in antvis/G2"),
    (MINI, "string", "7cb42f57561c321ecb09b4552802ae0ac55b3a7a", "critical",
     "cobenian", "AntV/atool wave: malicious orphan commit in antvis/G2"),
    (MINI, "string", "dc3d62a2181beb9f326952a2d212900c94f2e13d", "critical",
     "cobenian", "AntV/atool wave: malicious orphan commit in antvis/G2"),
    (MINI, "file", "router_init.js", "high", "cobenian, ghsa, tanstack-postmortem",
     "TanStack wave payload (about 2.3 MB, obfuscated) at the tarball root, "
     "not listed in the package's files"),
    (MINI, "file", "tanstack_runner.js", "high", "cobenian, ghsa, wiz",
     "TanStack wave helper in the orphan commit, run by its prepare script"),
    (MINI, "file", "router_runtime.js", "high", "ghsa, wiz",
     "TanStack wave runtime artifact"),
    (MINI, "file", "packages/history/vite_setup.mjs", "high",
     "tanstack-postmortem",
     "file (about 30k lines) added by the malicious fork commit 65bf499d"),
    (MINI, "file", "setup.mjs", "medium", "copyleftdev-dragnet[stepsecurity], wiz",
     "loader run by the preinstall script (SAP wave and May 2026 variants); "
     "a plausible legitimate name: the hash or the script is the strong "
     "signal"),
    (MINI, "file", "execution.js", "medium", "copyleftdev-dragnet[stepsecurity]",
     "SAP wave payload run by setup.mjs; a plausible legitimate name"),
    (MINI, "file", "opensearch_init.js", "high", "wiz",
     "payload of the @opensearch-project variant (May 2026)"),
    (MINI, "file", ".claude/settings.json", "low",
     "copyleftdev-dragnet[stepsecurity], wiz",
     "persistence: a SessionStart hook running the loader (a legitimate "
     "file: only the hook is the signal)"),
    (MINI, "file", ".vscode/tasks.json", "low",
     "copyleftdev-dragnet[stepsecurity], wiz",
     "persistence: a task with runOn: folderOpen running the loader (a "
     "legitimate file: only the task is the signal)"),
    (MINI, "file", ".claude/setup.mjs", "high",
     "copyleftdev-dragnet[stepsecurity], wiz",
     "persistence: copy of the loader run by the SessionStart hook"),
    (MINI, "file", ".vscode/setup.mjs", "high",
     "copyleftdev-dragnet[stepsecurity], wiz",
     "persistence: copy of the loader run by the folderOpen task"),
    (MINI, "file", ".claude/execution.js", "high",
     "copyleftdev-dragnet[stepsecurity], wiz",
     "persistence: copy of the SAP wave payload"),
    (MINI, "file", ".claude/router_runtime.js", "high", "wiz",
     "persistence: copy of the TanStack wave runtime"),
    (MINI, "file", "~/Library/LaunchAgents/com.user.gh-token-monitor.plist",
     "critical", "cobenian, wiz",
     "dead-man's switch (macOS LaunchAgent): polls GitHub every 60 s and "
     "wipes ~/ when its token is revoked; remove it BEFORE revoking tokens"),
    (MINI, "file", "~/.config/systemd/user/gh-token-monitor.service",
     "critical", "cobenian, wiz",
     "dead-man's switch (systemd user service); stop it BEFORE revoking "
     "tokens"),
    (MINI, "file", "~/.local/bin/gh-token-monitor.sh", "critical", "cobenian, wiz",
     "dead-man's switch script"),
    (MINI, "file", "~/.config/gh-token-monitor/token", "critical", "cobenian, wiz",
     "token watched by the dead-man's switch"),
    (MINI, "process", "gh-token-monitor", "critical", "cobenian, wiz",
     "dead-man's switch service (LaunchAgent com.user.gh-token-monitor or "
     "systemd user unit): stop it and delete its files before rotating "
     "tokens, or revocation triggers rm -rf ~/"),
    (MINI, "file", "~/Library/LaunchAgents/com.user.kitty-monitor.plist",
     "critical", "cobenian",
     "AntV/atool wave dead-man's switch (kitty-monitor variant), macOS"),
    (MINI, "file", "~/.config/systemd/user/kitty-monitor.service", "critical",
     "cobenian", "AntV/atool wave dead-man's switch, Linux systemd user unit"),
    (MINI, "file", "~/.local/bin/kitty-monitor.sh", "critical", "cobenian",
     "AntV/atool wave dead-man's switch script"),
    (MINI, "file", "~/.config/kitty-monitor/token", "critical", "cobenian",
     "token watched by the kitty-monitor switch"),
    (MINI, "file", "~/.local/share/kitty/cat.py", "critical", "cobenian",
     "AntV/atool wave GitHub dead-drop fetcher"),
    (MINI, "file", "/var/tmp/.gh_update_state", "high", "cobenian",
     "AntV/atool wave execution-state tracker"),
    (MINI, "process", "kitty-monitor", "critical", "cobenian",
     "AntV/atool wave dead-man's switch service; stop it before rotating "
     "tokens"),
    (MINI, "string", "IfYouRevokeThisTokenItWillWipeTheComputerOfTheOwner",
     "critical", "cobenian, wiz",
     "wipe threat of the dead-man's switch (commit message / token "
     "description)"),
    (MINI, "repo-description", "A Mini Shai-Hulud has Appeared", "critical",
     "cobenian, copyleftdev-dragnet[github_search]",
     "exfiltration (dropbox) repository description, SAP wave and May 11"),
    (MINI, "repo-description", "Shai-Hulud: Here We Go Again", "critical", "wiz",
     "GitHub dead-drop repositories (Dune-themed names), TanStack wave"),
    (MINI, "repo-description", "niagA oG eW ereH :duluH-iahS", "critical",
     "cobenian",
     "AntV/atool wave: \"Shai-Hulud: Here We Go Again\" reversed, on every "
     "fallback exfiltration repository"),
    (MINI, "repo-description", "PUSH UR T3MPRR", "high", "wiz",
     "GitHub fallback repository description of the May 2026 PyPI variant"),
    (MINI, "string", "siridar-ghola-567", "high", "cobenian",
     "exfiltration repository name seen on May 11 (names follow "
     "<dune-word>-<dune-word>-<0-999>)"),
    (MINI, "string", "tleilaxu-ornithopter-43", "high", "cobenian",
     "exfiltration repository name seen on May 11"),
    (MINI, "workflow", ".github/workflows/format-check.yml", "medium",
     "copyleftdev-dragnet[stepsecurity]",
     "SAP wave workflow injection (a plausible legitimate name: check the "
     "branch and the commit author)"),
    (MINI, "branch", "dependabout/github_actions/format/setup-formatter",
     "critical", "copyleftdev-dragnet[stepsecurity]",
     "SAP wave workflow-injection branch (note \"dependabout\")"),
    (MINI, "string", "claude@users.noreply.github.com", "low",
     "copyleftdev-dragnet[stepsecurity], tanstack-postmortem",
     "spoofed commit author of the injected workflow and of the TanStack "
     "fork commit (also used legitimately)"),
    (MINI, "string", "huiyu.zjt@ant.com", "low", "cobenian",
     "AntV/atool wave: forged commit author of the antvis/G2 orphan commits "
     "(a real maintainer's address)"),
    (MINI, "string", "\"_npmUser\":{\"name\":\"atool\"", "medium", "cobenian",
     "AntV/atool wave: publisher of the malicious versions, in packument "
     "metadata"),
    (MINI, "string", "firedalazer", "high", "cobenian",
     "AntV/atool wave: commit-search keyword the payload polls for "
     "signed C2 commands"),
    (MINI, "string", "beautifulcastle", "high", "copyleftdev-dragnet[kraven-security]",
     "persistence commit marker: prefix of a base64 C2 URL and victim token"),
    (MINI, "string", "LongLiveTheResistanceAgainstMachines", "high",
     "cobenian, copyleftdev-dragnet[kraven-security]",
     "TeamPCP persistence commit marker (also in @bitwarden/cli 2026.4.0)"),
    (MINI, "string", "Exiting as russian language detected!", "high",
     "copyleftdev-dragnet[stepsecurity]", "SAP wave payload geo-evasion log line"),
    (MINI, "string", "__DAEMONIZED", "medium", "copyleftdev-dragnet[stepsecurity]",
     "SAP wave payload runtime flag"),
    (MINI, "string", "5012caa5847ae9261dfa16f91417042f367d6bed149c3b8af7a50b203a093007",
     "critical", "copyleftdev-dragnet[stepsecurity]",
     "SAP wave PBKDF2 master key"),
    (MINI, "string", "ctf-scramble-v2", "high", "copyleftdev-dragnet[stepsecurity]",
     "SAP wave PBKDF2 salt"),
    (MINI, "string", "0c0e873033875f1bc471eda37e3b9d0f9b89bd41a4bbb4f86746caa2176c40aa",
     "critical", "cobenian", "TanStack wave PBKDF2 master key"),
    (MINI, "string", "svksjrhjkcejg", "high", "cobenian", "TanStack wave PBKDF2 salt"),
    (MINI, "string", "05f9e609d79eed391015e11380dee4b5c9ead0b6e2e7f0134e6e51767a87323026",
     "critical", "wiz", "TanStack wave Session messenger recipient id (exfiltration)"),
    (MINI, "string",
     "Linux-pnpm-store-6f9233a50def742c09fde54f56553d6b449a535adf87d4083690539f49ae4da11",
     "high", "ghsa, tanstack-postmortem",
     "poisoned GitHub Actions cache key of the TanStack release pipeline"),
    (MINI, "string", "oidc:db7d6f54-05d5-412b-8a10-e7a8398b303e", "medium", "ghsa",
     "trusted-publisher identity of the malicious TanStack publishes (valid "
     "provenance)"),
    (MINI, "string", "voicproducoes", "high", "cobenian, ghsa, tanstack-postmortem",
     "attacker account (npm and GitHub, id 269549300)"),
    (MINI, "string", "zblgg", "high", "ghsa, tanstack-postmortem",
     "attacker GitHub account (id 127806521), fork zblgg/configuration"),
    (MINI, "string", "94.154.172.43", "high", "copyleftdev-dragnet[ipapi]",
     "SAP wave C2 address (audit.checkmarx.cx)"),
    (MINI, "string", "83.142.209.194", "high", "wiz",
     "exfiltration address of the May 2026 PyPI variant"),
]

# (feed, kind, value, severity, source, description)
NETWORK = [
    (SH1, "url", "https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7",
     "critical", "cobenian",
     "exfiltration endpoint hard-coded in bundle.js and the workflow"),
    (MINI, "domain", "filev2.getsession.org", "high",
     "cobenian, ghsa, ossf-malicious-packages, tanstack-postmortem, wiz",
     "Session network file server used for exfiltration (TanStack wave); "
     "legitimate Session infrastructure"),
    (MINI, "domain", "seed1.getsession.org", "high",
     "cobenian, ghsa, ossf-malicious-packages, tanstack-postmortem, wiz",
     "Session network seed node used for exfiltration (TanStack wave)"),
    (MINI, "domain", "seed2.getsession.org", "high",
     "ghsa, tanstack-postmortem, wiz",
     "Session network seed node used for exfiltration (TanStack wave)"),
    (MINI, "domain", "seed3.getsession.org", "high",
     "ghsa, tanstack-postmortem, wiz",
     "Session network seed node used for exfiltration (TanStack wave)"),
    (MINI, "domain", "git-tanstack.com", "critical",
     "cobenian, ossf-malicious-packages, wiz",
     "attacker domain (TanStack wave); also served the PyPI variant's "
     "/tmp/transformers.pyz"),
    (MINI, "domain", "api.masscan.cloud", "critical",
     "cobenian, ossf-malicious-packages, wiz", "attacker C2 domain (TanStack wave)"),
    (MINI, "url", "https://litter.catbox.moe/h8nc9u.js", "critical",
     "ghsa, tanstack-postmortem", "second-stage payload URL (TanStack wave)"),
    (MINI, "url", "https://litter.catbox.moe/7rrc6l.mjs", "critical",
     "ghsa, tanstack-postmortem", "second-stage payload URL (TanStack wave)"),
    (MINI, "domain", "audit.checkmarx.cx", "critical",
     "copyleftdev-dragnet[kraven-security]",
     "SAP wave C2 / exfiltration domain (typosquat of checkmarx.com)"),
    (MINI, "domain", "checkmarx.cx", "high", "copyleftdev-dragnet[whois]",
     "apex of the SAP wave C2 domain, registered 2026-04-23"),
    (MINI, "url", "https://audit.checkmarx.cx/v1/telemetry", "critical",
     "copyleftdev-dragnet[kraven-security]", "SAP wave C2 endpoint"),
    (MINI, "domain", "t.m-kosche.com", "critical", "cobenian",
     "AntV/atool wave exfiltration endpoint (HTTPS POST to "
     "/api/public/otel/v1/traces)"),
]


def build_artifacts(data):
    corpus = data.corpus()
    arts = {f: [] for f in FEEDS}
    for row in ARTIFACTS:
        feed, kind, value, sev, src, desc = row[:6]
        evidence = row[6:] or (value,)
        for ev in evidence:
            if ev not in corpus:
                fail("artifact %r: %r does not occur in the input" % (value, ev))
        if kind not in ARTIFACT_KINDS:
            fail("artifact %r: unknown kind %r" % (value, kind))
        if sev not in SEVERITIES:
            fail("artifact %r: unknown severity %r" % (value, sev))
        arts[feed].append({"kind": kind, "value": value, "description": desc,
                           "source": src, "severity": sev})
    nets = {f: [] for f in FEEDS}
    for (feed, kind, value, sev, src, desc) in NETWORK:
        if value not in corpus:
            fail("network %r does not occur in the input" % value)
        if kind not in NETWORK_KINDS:
            fail("network %r: unknown kind %r" % (value, kind))
        nets[feed].append({"kind": kind, "value": value, "description": desc,
                           "source": src, "severity": sev})
    # OSV database_specific iocs must all be covered.
    for f in sorted(os.listdir(data.path("osv"))):
        rec = data.json("osv/" + f)
        for d in rec.get("database_specific", {}).get("iocs", {}).get("domains", []):
            if not any(n["value"] == d for n in nets[MINI]):
                fail("osv/%s: domain %s not in the Mini feed" % (f, d))
    for f in FEEDS:
        arts[f].sort(key=lambda e: (e["kind"], e["value"]))
        nets[f].sort(key=lambda e: (e["kind"], e["value"]))
    return arts, nets


# ---------------------------------------------------------------- output

def dump_feed(feed):
    """Stable JSON: top-level keys in a fixed order, one entry per line."""
    out = ["{"]
    head = ["format", "id", "title", "published", "first_seen", "sources"]
    for k in head:
        out.append("\t%s: %s," % (json.dumps(k), json.dumps(feed[k])))
    kinds = ["packages", "files", "artifacts", "network"]
    for i, k in enumerate(kinds):
        items = feed[k]
        tail = "," if i < len(kinds) - 1 else ""
        if not items:
            out.append("\t%s: []%s" % (json.dumps(k), tail))
            continue
        out.append("\t%s: [" % json.dumps(k))
        for j, e in enumerate(items):
            sep = "," if j < len(items) - 1 else ""
            out.append("\t\t%s%s" % (json.dumps(e, separators=(", ", ": ")), sep))
        out.append("\t]%s" % tail)
    out.append("}")
    text = "\n".join(out) + "\n"
    json.loads(text)
    return text


def build(data):
    stats = Stats()
    claims = Claims()
    read_packages(data, claims, stats)

    # A name@version belongs to one wave only.
    seen = {}
    for (f, n, v) in claims.versions:
        seen.setdefault((n, v), set()).add(f)
    clash = sorted((k, sorted(fs)) for k, fs in seen.items() if len(fs) > 1)
    if clash:
        fail("versions in more than one wave: %r" % clash[:5])

    files = read_files(data, stats)
    arts, nets = build_artifacts(data)
    feeds = {}
    for fid, meta in FEEDS.items():
        fl = []
        for key in sorted(files):
            e = dict(files[key])
            if e.pop("_feed") != fid:
                continue
            ordered = {}
            for k in ("sha256", "sha1", "names", "description", "source",
                      "severity"):
                if k in e:
                    ordered[k] = e[k]
            fl.append(ordered)
        fl.sort(key=lambda e: (0, e["sha256"]) if "sha256" in e else (1, e["sha1"]))
        feeds[fid] = {
            "format": FORMAT, "id": fid, "title": meta["title"],
            "published": PUBLISHED, "first_seen": meta["first_seen"],
            "sources": meta["sources"],
            "packages": package_entries(claims, fid),
            "files": fl, "artifacts": arts[fid], "network": nets[fid],
        }
    texts = {}
    for fid, feed in feeds.items():
        t = dump_feed(feed)
        if REGISTRY_HOST_RE.search(t):
            fail("%s: a public registry host name slipped in" % fid)
        texts[fid + ".json"] = t
    return feeds, claims, stats, texts


# ---------------------------------------------------------------- report

def _pairs(claims, feed):
    by_src = {}
    for (f, n, v), rec in claims.versions.items():
        if f != feed:
            continue
        for s in rec["src"]:
            base = s.split("[")[0]
            by_src.setdefault(base, set()).add((n, v))
    return by_src


def crosscheck(feeds, claims, stats):
    L = []
    L.append("Generated by `feeds/build.py`; do not edit by hand.")
    L.append("")
    L.append("| feed | package entries | names | versions | ranges | files | artifacts | network |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for fid in FEEDS:
        f = feeds[fid]
        names = {e["name"] for e in f["packages"]}
        nv = sum(len(e["versions"]) for e in f["packages"])
        nr = sum(len(e.get("ranges", [])) for e in f["packages"])
        L.append("| `%s` | %d | %d | %d | %d | %d | %d | %d |" % (
            fid, len(f["packages"]), len(names), nv, nr, len(f["files"]),
            len(f["artifacts"]), len(f["network"])))
    L.append("")
    L.append("### Claims taken per input (name@version; a claim the same "
             "source makes twice counts twice)")
    L.append("")
    L.append("| feed | input | claims |")
    L.append("|---|---|---:|")
    for (fid, what) in sorted(stats.taken, key=lambda k: (list(FEEDS).index(k[0]), k[1])):
        L.append("| `%s` | %s | %d |" % (fid, what.replace("|", "\\|"),
                                         stats.taken[(fid, what)]))
    for fid in FEEDS:
        by_src = _pairs(claims, fid)
        srcs = sorted(by_src)
        L.append("")
        L.append("### `%s`: name@version claims per source" % fid)
        L.append("")
        L.append("| source | versions | only this source |")
        L.append("|---|---:|---:|")
        allv = {}
        for s in srcs:
            for nv in by_src[s]:
                allv.setdefault(nv, set()).add(s)
        for s in srcs:
            only = sum(1 for nv in by_src[s] if allv[nv] == {s})
            L.append("| %s | %d | %d |" % (s, len(by_src[s]), only))
        if len(srcs) > 1:
            L.append("")
            L.append("Overlaps (versions listed by both):")
            L.append("")
            for i, a in enumerate(srcs):
                for b in srcs[i + 1:]:
                    n = len(by_src[a] & by_src[b])
                    if n:
                        L.append("- %s and %s: %d" % (a, b, n))
        combos = {}
        for nv, ss in allv.items():
            combos.setdefault(", ".join(sorted(ss)), 0)
            combos[", ".join(sorted(ss))] += 1
        L.append("")
        L.append("Versions by the exact set of sources that list them:")
        L.append("")
        for c in sorted(combos, key=lambda c: (-combos[c], c)):
            L.append("- %s: %d" % (c, combos[c]))
        singles = sorted(nv for nv, ss in allv.items() if len(ss) == 1)
        if singles and len(singles) <= 40:
            L.append("")
            L.append("Listed by one source only:")
            L.append("")
            for (n, v) in singles:
                L.append("- `%s@%s` (%s)" % (n, v, next(iter(allv[(n, v)]))))
        ranges = [(n, r, rec) for (f, n, r), rec in claims.ranges.items() if f == fid]
        for (n, r, rec) in sorted(ranges):
            exact = sorted((v for (ff, nn, v) in claims.versions
                            if ff == fid and nn == n), key=semver_key)
            L.append("")
            L.append("Range `%s` for `%s` (%s); the exact versions other "
                     "sources list for it: %s" % (
                         r, n, source_text(rec["src"]), ", ".join(exact)))
    L.append("")
    L.append("### Not ingested")
    L.append("")
    L.append("| what | count | why |")
    L.append("|---|---:|---|")
    for (what, count, why) in stats.skipped:
        L.append("| %s | %d | %s |" % (what.replace("|", "\\|"), count, why))
    return "\n".join(L) + "\n"


START = "<!-- crosscheck:start -->"
END = "<!-- crosscheck:end -->"


def splice_readme(text, block):
    a = text.find(START)
    b = text.find(END)
    if a < 0 or b < a:
        fail("README.md: markers %s / %s not found" % (START, END))
    return text[:a + len(START)] + "\n" + block + text[b:]


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(repo, "..", "shared",
                                                   "data", "iocs"))
    ap.add_argument("--out", default=here)
    ap.add_argument("--check", action="store_true",
                    help="compare with the files in --out instead of writing")
    args = ap.parse_args(argv)
    try:
        feeds, claims, stats, texts = build(Data(os.path.abspath(args.data)))
        readme_path = os.path.join(args.out, "README.md")
        block = crosscheck(feeds, claims, stats)
        if os.path.exists(readme_path):
            with open(readme_path, encoding="utf-8") as fp:
                readme = fp.read()
            texts["README.md"] = splice_readme(readme, block)
    except BuildError as e:
        sys.stderr.write("build.py: %s\n" % e)
        return 1
    rc = 0
    for name in sorted(texts):
        path = os.path.join(args.out, name)
        if args.check:
            try:
                with open(path, encoding="utf-8") as fp:
                    old = fp.read()
            except OSError:
                old = None
            if old != texts[name]:
                sys.stderr.write("build.py: %s is not up to date\n" % path)
                rc = 1
            continue
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(texts[name])
        os.replace(tmp, path)
    if not args.check:
        for fid, f in feeds.items():
            print("%s: %d package entries, %d versions, %d ranges, %d files, "
                  "%d artifacts, %d network" % (
                      fid, len(f["packages"]),
                      sum(len(e["versions"]) for e in f["packages"]),
                      sum(len(e.get("ranges", [])) for e in f["packages"]),
                      len(f["files"]), len(f["artifacts"]), len(f["network"])))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
