#!/usr/bin/env python3
"""Derive expected.txt for a yarn v1 case from `yarn list --json`.

Python 3 standard library only.

  yarn_v1_expected.py YARN_LIST_JSON [--project DIR] [--node-modules DIR]

Reads the output of `yarn list --json` (JSON lines; the one with
"type": "tree" holds the listing) and prints the sorted, unique set of
`name@version` lines it lists, one per line.

* yarn 1 prints a tree of {"name": "name@version", "children": [...]}.
  Children marked "shadow": true are the dependency ranges a package asked
  for ("color-convert@^1.9.0"), not packages: they are skipped. Everything
  else is counted, at any depth.
* The root project does not appear in the listing. Workspace members do
  (as "a@1.0.0"); they are left out: the members are found from the
  "workspaces" globs of DIR/package.json (DIR is --project, by default the
  directory holding YARN_LIST_JSON).
* yarn lists an alias under the name it is installed as, with the real
  package's version (`"x": "npm:lodash@4.17.15"` is listed as
  "x@4.17.15"). It is counted under the real name (lodash@4.17.15):
  with --node-modules, from the "name" of the package.json Node's
  resolution finds for the entry in that installed tree (when its version
  matches); otherwise from the `npm:` specs of the project's manifests
  (root and workspace members).
"""

import argparse
import glob
import json
import os
import sys


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_listing(path):
    """The "tree" record of yarn's JSON-lines output."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and rec.get("type") == "tree":
                return rec["data"]["trees"]
    raise SystemExit("%s: no \"tree\" record (not `yarn list --json` output?)" % path)


def split_ident(ident):
    """"@scope/name@1.2.3" -> ("@scope/name", "1.2.3")."""
    at = ident.rfind("@")
    if at <= 0:
        return ident, None
    return ident[:at], ident[at + 1:]


def project_manifests(project_dir):
    """The root manifest and those of the workspace members, with paths."""
    out = []
    try:
        root = _read_json(os.path.join(project_dir, "package.json"))
    except (OSError, ValueError):
        return out
    out.append((project_dir, root))
    patterns = root.get("workspaces") or []
    if isinstance(patterns, dict):
        patterns = patterns.get("packages") or []
    for pattern in patterns:
        for d in sorted(glob.glob(os.path.join(project_dir, pattern))):
            try:
                out.append((d, _read_json(os.path.join(d, "package.json"))))
            except (OSError, ValueError):
                continue
    return out


def workspace_members(manifests):
    return {(m.get("name"), m.get("version")) for _, m in manifests[1:]
            if m.get("name")}


def manifest_aliases(manifests):
    """alias name -> real name, from "npm:real@range" specs."""
    aliases = {}
    for _, m in manifests:
        for section in ("dependencies", "devDependencies",
                        "optionalDependencies", "peerDependencies"):
            deps = m.get(section) or {}
            if not isinstance(deps, dict):
                continue
            for key, spec in deps.items():
                if isinstance(spec, str) and spec.startswith("npm:"):
                    real, _ = split_ident(spec[4:])
                    aliases[key] = real if real else spec[4:]
    return aliases


def find_installed(name, parent_dir, top):
    """Node's lookup: <dir>/node_modules/<name>, walking up to top."""
    d = os.path.realpath(parent_dir)
    top = os.path.realpath(top)
    while True:
        cand = os.path.join(d, "node_modules", name)
        if os.path.isfile(os.path.join(cand, "package.json")):
            return cand
        parent = os.path.dirname(d)
        if d == top or parent == d:
            return None
        d = parent


def collect(trees, project_dir, node_modules=None):
    manifests = project_manifests(project_dir)
    members = workspace_members(manifests)
    aliases = manifest_aliases(manifests)
    top = os.path.dirname(os.path.abspath(node_modules)) if node_modules else None
    found = set()

    def real_name(name, version, phys):
        if phys:
            try:
                pkg = _read_json(os.path.join(phys, "package.json"))
                if pkg.get("name") and pkg.get("version") == version:
                    return pkg["name"]
            except (OSError, ValueError):
                pass
        return aliases.get(name, name)

    def walk(nodes, parent_phys, depth):
        if not isinstance(nodes, list) or depth > 1000:
            return
        for node in nodes:
            if not isinstance(node, dict) or node.get("shadow"):
                continue
            name, version = split_ident(node.get("name") or "")
            phys = None
            if version is None:
                continue
            if top:
                phys = find_installed(name, parent_phys, top)
            if (name, version) not in members:
                found.add(real_name(name, version, phys) + "@" + version)
            walk(node.get("children"), phys or parent_phys, depth + 1)

    walk(trees, top, 0)
    return sorted(found)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Print the name@version set of `yarn list --json` (yarn 1).")
    ap.add_argument("yarn_list_json")
    ap.add_argument("--project", metavar="DIR",
                    help="project root (manifests, workspaces); default: dir of YARN_LIST_JSON")
    ap.add_argument("--node-modules", metavar="DIR",
                    help="installed node_modules tree, to read the real names of aliases")
    args = ap.parse_args(argv)
    project = args.project or os.path.dirname(os.path.abspath(args.yarn_list_json))
    for line in collect(read_listing(args.yarn_list_json), project,
                        args.node_modules):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
