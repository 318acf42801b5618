#!/usr/bin/env python3
"""Compare wormsign's package inventory with what `npm ls` reports.

Python 3 standard library only.  Two sub-commands:

  npm_ls_equal.py expected NPM_LS_JSON [--node-modules DIR] [--project DIR]

      Read the output of `npm ls --all --json` and print the sorted, unique
      set of `name@version` lines it lists, one per line.  This is how each
      tests/data/npm/<case>/expected.txt was produced.

      * The nested `dependencies` objects are walked recursively.  Every
        entry that carries a "version" is counted, whether it is deduped,
        extraneous, invalid or peer; entries without a version (missing
        dependencies) are not.
      * The root project is not counted, nor are workspace members (found
        from the "workspaces" field of DIR/package.json, where DIR is
        --project, by default the directory holding NPM_LS_JSON).
      * Aliases (`"x": "npm:lodash@4.17.15"`) are counted under the real
        package name.  With --node-modules, the real name is read from the
        package.json that Node's resolution algorithm finds for the entry
        under that tree; otherwise (or if none is found) it is taken from
        the entry's "resolved" registry URL, `.../<@scope>/<name>/-/<basename>-
        <version>.tgz`.  Entries with neither keep their key as name.

  npm_ls_equal.py check WORMSIGN_BINARY CASE_DIR [--source lockfile|node_modules]

      Run `WORMSIGN_BINARY tree --format json [--source X] CASE_DIR`, read the
      JSON it prints (an object with "packages": [{"name", "version", ...}]),
      and compare its set of `name@version` with CASE_DIR/expected.txt.
      Prints "ok CASE: N packages" and exits 0 when they are equal; prints a
      unified diff (expected vs. wormsign) and exits 1 when they differ.  If
      the binary exits non-zero, or prints something that is not the
      expected JSON, its stderr is shown and the exit status is 1.  With
      `--source node_modules` and no CASE_DIR/node_modules, exits 77 (the
      status meson and automake treat as "skipped").
"""

import argparse
import difflib
import glob
import json
import os
import re
import subprocess
import sys
import urllib.parse

SKIP = 77


# ---------------------------------------------------------------- expected --

def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def workspace_members(project_dir):
    """Return the set of (name, version) of the workspace members of a project."""
    members = set()
    try:
        root = _read_json(os.path.join(project_dir, "package.json"))
    except (OSError, ValueError):
        return members
    patterns = root.get("workspaces") or []
    if isinstance(patterns, dict):  # {"packages": [...]} (yarn-style form)
        patterns = patterns.get("packages") or []
    for pattern in patterns:
        for d in sorted(glob.glob(os.path.join(project_dir, pattern))):
            try:
                pkg = _read_json(os.path.join(d, "package.json"))
            except (OSError, ValueError):
                continue
            if pkg.get("name"):
                members.add((pkg["name"], pkg.get("version")))
    return members


_TARBALL_RE = re.compile(r"/(?:(@[^/]+)/)?([^/@][^/]*)/-/([^/]+)\.tgz$")


def name_from_resolved(resolved, version):
    """Real package name from a registry tarball URL, or None.

    https://host/@scope/name/-/name-1.2.3.tgz -> "@scope/name"
    https://host/name/-/name-1.2.3.tgz        -> "name"
    """
    if not resolved or not resolved.startswith(("http://", "https://")):
        return None
    path = urllib.parse.unquote(urllib.parse.urlparse(resolved).path)
    m = _TARBALL_RE.search(path)
    if not m:
        return None
    scope, _dirname, tarball = m.groups()
    suffix = "-" + version if version else None
    if suffix and tarball.endswith(suffix):
        base = tarball[: -len(suffix)]
    else:
        # Version unknown or not matching: split before the last "-<digit>".
        mm = re.match(r"^(.*?)-\d+\.\d+\.\d+.*$", tarball)
        if not mm:
            return None
        base = mm.group(1)
    return scope + "/" + base if scope else base


def find_installed(key, parent_dir, top):
    """Locate `key` the way Node does: walk up from the parent's real dir.

    The walk stops after the project root `top` (or at the filesystem root
    for a parent that lives outside the project).
    """
    d = os.path.realpath(parent_dir)
    top = os.path.realpath(top)
    while True:
        cand = os.path.join(d, "node_modules", key)
        if os.path.isfile(os.path.join(cand, "package.json")):
            return cand
        parent = os.path.dirname(d)
        if d == top or parent == d:
            return None
        d = parent


def collect_expected(ls, node_modules=None, project_dir="."):
    members = workspace_members(project_dir)
    top = os.path.dirname(os.path.abspath(node_modules)) if node_modules else None
    found = set()

    def real_name(key, entry, phys):
        version = entry.get("version")
        if phys:
            try:
                pkg = _read_json(os.path.join(phys, "package.json"))
                if pkg.get("name") and (version is None or
                                        pkg.get("version") == version):
                    return pkg["name"]
            except (OSError, ValueError):
                pass
        return name_from_resolved(entry.get("resolved"), version) or key

    def walk(deps, parent_phys, depth):
        if not isinstance(deps, dict) or depth > 1000:
            return
        for key in sorted(deps):
            entry = deps[key]
            if not isinstance(entry, dict):
                continue
            phys = find_installed(key, parent_phys, top) if top else None
            version = entry.get("version")
            if version:
                name = real_name(key, entry, phys)
                resolved = entry.get("resolved") or ""
                is_member = (name, version) in members and (
                    not resolved or resolved.startswith("file:"))
                if not is_member:
                    found.add(name + "@" + version)
            walk(entry.get("dependencies"), phys or parent_phys, depth + 1)

    walk(ls.get("dependencies"), top, 0)
    return sorted(found)


def cmd_expected(args):
    ls = _read_json(args.npm_ls_json)
    project = args.project or os.path.dirname(os.path.abspath(args.npm_ls_json))
    for line in collect_expected(ls, args.node_modules, project):
        print(line)
    return 0


# ------------------------------------------------------------------- check --

def cmd_check(args):
    case_dir = args.case_dir.rstrip(os.sep) or args.case_dir
    case = os.path.basename(os.path.abspath(case_dir))
    if args.source == "node_modules" and not os.path.isdir(
            os.path.join(case_dir, "node_modules")):
        print("skip %s: no node_modules tree" % case)
        return SKIP
    try:
        with open(os.path.join(case_dir, "expected.txt"), encoding="utf-8") as f:
            expected = sorted({l.strip() for l in f if l.strip()})
    except OSError as e:
        print("error %s: cannot read expected.txt: %s" % (case, e), file=sys.stderr)
        return 1

    cmd = [args.binary, "tree", "--format", "json"]
    if args.source:
        cmd += ["--source", args.source]
    cmd.append(case_dir)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=args.timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("error %s: cannot run %s: %s" % (case, " ".join(cmd), e), file=sys.stderr)
        return 1
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        print("error %s: %s exited with status %d" % (case, " ".join(cmd), proc.returncode),
              file=sys.stderr)
        sys.stderr.write(stderr)
        return 1
    try:
        doc = json.loads(proc.stdout.decode("utf-8"))
        pkgs = doc["packages"]
        got_list = ["%s@%s" % (p["name"], p["version"]) for p in pkgs]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        print("error %s: output of %s is not the expected JSON: %s"
              % (case, " ".join(cmd), e), file=sys.stderr)
        sys.stderr.write(stderr)
        return 1
    got = sorted(set(got_list))

    status = 0
    if got != expected:
        sys.stdout.writelines(difflib.unified_diff(
            [l + "\n" for l in expected], [l + "\n" for l in got],
            fromfile="%s/expected.txt" % case,
            tofile="wormsign tree --source %s" % (args.source or "default")))
        status = 1
    if len(got) != len(got_list):
        dups = sorted({x for x in got_list if got_list.count(x) > 1})
        print("error %s: duplicate packages entries: %s" % (case, ", ".join(dups)))
        status = 1
    if status == 0:
        print("ok %s: %d packages" % (case, len(got)))
    return status


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Compare wormsign's inventory with npm ls output.")
    sub = ap.add_subparsers(dest="command", required=True)

    e = sub.add_parser("expected", help="print name@version set from npm ls --all --json")
    e.add_argument("npm_ls_json")
    e.add_argument("--node-modules", metavar="DIR",
                   help="installed node_modules tree, used to read real names of aliases")
    e.add_argument("--project", metavar="DIR",
                   help="project root (for workspaces); default: dir of NPM_LS_JSON")
    e.set_defaults(func=cmd_expected)

    c = sub.add_parser("check", help="run wormsign and compare with CASE_DIR/expected.txt")
    c.add_argument("binary", metavar="WORMSIGN_BINARY")
    c.add_argument("case_dir", metavar="CASE_DIR")
    c.add_argument("--source", choices=["lockfile", "node_modules"])
    c.add_argument("--timeout", type=float, default=60.0)
    c.set_defaults(func=cmd_check)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
