#!/usr/bin/env python3
"""Rewrite a package-lock.json (v2/v3) as a pnpm-lock.yaml v9 and a yarn.lock
v1 that describe the same dependency graph, for bench/tree.sh.

Usage:
    convert_lockfile.py package-lock.json OUTDIR

Writes OUTDIR/pnpm/pnpm-lock.yaml, OUTDIR/yarn/yarn.lock and a package.json
beside each (yarn v1 does not record the root's own dependencies). Python 3
standard library only; deterministic.

Every dependency edge of the npm lockfile is resolved the way Node does
(nearest node_modules upwards), then written in each format's own terms:
pnpm's importers/packages/snapshots keyed by name@version, yarn's entries
keyed by name@range. Where one range would have to stand for two versions
in yarn (possible after nesting), the edge is written with the exact
version instead, as yarn itself would have had to.
"""

import json
import os
import sys


def install_name(loc):
    i = loc.rfind("node_modules/")
    return loc[i + len("node_modules/"):] if i >= 0 else None


def resolve(pkgs, loc, name):
    """Node's lookup from the package at loc for name; None if missing."""
    d = loc
    while True:
        base = d.rsplit("/", 1)[-1]
        if base != "node_modules":
            cand = (d + "/" if d else "") + "node_modules/" + name
            if cand in pkgs:
                return cand
        if not d:
            return None
        d = d.rsplit("/", 1)[0] if "/" in d else ""


def load(path):
    with open(path, encoding="utf-8") as f:
        lock = json.load(f)
    pkgs = lock["packages"]
    nodes = {}   # loc -> (name, version)
    for loc, e in pkgs.items():
        if not loc:
            continue
        nodes[loc] = (e.get("name") or install_name(loc), e["version"])
    edges = {}   # loc -> [(kind, depname, range, target loc)]
    for loc, e in pkgs.items():
        out = []
        for kind in ("dependencies", "optionalDependencies",
                     "devDependencies"):
            for dep, rng in (e.get(kind) or {}).items():
                t = resolve(pkgs, loc, dep)
                if t is not None:
                    out.append((kind, dep, rng, t))
        edges[loc] = out
    return lock, pkgs, nodes, edges


def q(s):
    """A YAML scalar, quoted when it could be read as something else."""
    if not s or any(c in s for c in ":{}[],&*#?|<>=!%@`'\"") or \
            s[0] in "-~ " or s.lower() in ("true", "false", "null", "yes",
                                           "no") or s[0].isdigit():
        return "'" + s.replace("'", "''") + "'"
    return s


def write_pnpm(out, lock, pkgs, nodes, edges):
    ids = {loc: "%s@%s" % nv for loc, nv in nodes.items()}
    lines = ["lockfileVersion: '9.0'", "", "settings:",
             "  autoInstallPeers: true", "  excludeLinksFromLockfile: false",
             "", "importers:", "", "  .:"]
    for kind in ("dependencies", "optionalDependencies", "devDependencies"):
        deps = [x for x in edges[""] if x[0] == kind]
        if not deps:
            continue
        lines.append("    %s:" % kind)
        for _k, dep, rng, t in sorted(deps, key=lambda x: x[1]):
            lines.append("      %s:" % q(dep))
            lines.append("        specifier: %s" % q(rng))
            lines.append("        version: %s" % q(nodes[t][1]))
    lines += ["", "packages:", ""]
    seen = {}
    for loc in sorted(nodes, key=lambda l: ids[l]):
        if ids[loc] in seen:
            continue
        seen[ids[loc]] = loc
        e = pkgs[loc]
        lines.append("  %s:" % q(ids[loc]))
        lines.append("    resolution: {integrity: %s}" % e["integrity"])
        lines.append("")
    lines += ["snapshots:", ""]
    for pid in sorted(seen):
        loc = seen[pid]
        deps = edges[loc]
        if not deps:
            lines.append("  %s: {}" % q(pid))
            lines.append("")
            continue
        lines.append("  %s:" % q(pid))
        for kind in ("dependencies", "optionalDependencies"):
            ks = [x for x in deps if x[0] == kind]
            if not ks:
                continue
            lines.append("    %s:" % kind)
            for _k, dep, _r, t in sorted(ks, key=lambda x: x[1]):
                lines.append("      %s: %s" % (q(dep), q(nodes[t][1])))
        lines.append("")
    os.makedirs(os.path.join(out, "pnpm"), exist_ok=True)
    with open(os.path.join(out, "pnpm", "pnpm-lock.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def yq(s):
    """yarn v1 quotes a string only when it has to, as yarn does."""
    if s and s[0] not in "@\"" and not any(c in s for c in " :,\"#^~<>=|*"):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_yarn(out, lock, pkgs, nodes, edges):
    spec_of = {}     # "name@range" -> (name, version)
    keys = {}        # (name, version) -> set of specifiers
    fixed = {}       # (loc, dep) -> range actually written

    def claim(dep, rng, t):
        nv = nodes[t]
        spec = "%s@%s" % (nv[0], rng)
        if spec_of.get(spec, nv) != nv:
            rng = nv[1]
            spec = "%s@%s" % (nv[0], rng)
        spec_of[spec] = nv
        keys.setdefault(nv, set()).add(spec)
        return rng

    for loc in [""] + sorted(nodes):
        for kind, dep, rng, t in edges[loc]:
            fixed[(loc, dep)] = claim(dep, rng, t)
    first = {}
    for loc in sorted(nodes):
        first.setdefault(nodes[loc], loc)
    lines = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.",
             "# yarn lockfile v1", ""]
    for nv in sorted(keys, key=lambda k: (k[0], k[1])):
        loc = first[nv]
        e = pkgs[loc]
        lines.append("")
        lines.append(", ".join(yq(k) for k in sorted(keys[nv])) + ":")
        lines.append("  version \"%s\"" % nv[1])
        lines.append("  resolved %s" % yq(e.get("resolved", "") + "#0000"))
        lines.append("  integrity %s" % e["integrity"])
        for kind in ("dependencies", "optionalDependencies"):
            ks = [x for x in edges[loc] if x[0] == kind]
            if not ks:
                continue
            lines.append("  %s:" % kind)
            for _k, dep, _r, _t in sorted(ks, key=lambda x: x[1]):
                lines.append("    %s %s" % (yq(dep), yq(fixed[(loc, dep)])))
    os.makedirs(os.path.join(out, "yarn"), exist_ok=True)
    with open(os.path.join(out, "yarn", "yarn.lock"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return fixed


def write_manifest(out, sub, lock, edges, fixed=None):
    root = {"name": lock.get("name", "bench"), "version":
            lock.get("version", "1.0.0")}
    for kind, dep, rng, _t in edges[""]:
        if fixed is not None:
            rng = fixed[("", dep)]
        root.setdefault(kind, {})[dep] = rng
    with open(os.path.join(out, sub, "package.json"), "w") as f:
        json.dump(root, f, indent=2)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    lock, pkgs, nodes, edges = load(sys.argv[1])
    write_pnpm(sys.argv[2], lock, pkgs, nodes, edges)
    write_manifest(sys.argv[2], "pnpm", lock, edges)
    fixed = write_yarn(sys.argv[2], lock, pkgs, nodes, edges)
    write_manifest(sys.argv[2], "yarn", lock, edges, fixed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
