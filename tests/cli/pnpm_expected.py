#!/usr/bin/env python3
"""Derive the expected package set of a pnpm case from pnpm's own listing.

Python 3 standard library only.  Sub-commands:

  pnpm_expected.py expected PNPM_LS_JSON

      Read the output of `pnpm ls -r --depth Infinity --json` (an array of
      projects, each with nested "dependencies", "devDependencies" and
      "optionalDependencies") and print the sorted, unique set of
      `name@version` lines it lists, one per line.  This is how each
      tests/data/pnpm/<case>/expected.txt was produced.

      * Every entry with a "version" is counted under its real name, the
        "from" field (an alias `x: npm:lodash@4.17.15` lists from=lodash).
      * Entries whose version is `link:...` are workspace members (or other
        linked directories) and are not counted; neither are the projects
        themselves.  `file:` entries are counted with the version pnpm
        shows (the real version where the lockfile records one, else the
        `file:` reference).

  pnpm_expected.py rewrite --registry URL FILE...

      Rewrite the registry URL prefix URL (the one the scratch project was
      installed from) to https://registry.npm.test/ in each FILE, in place.

  pnpm_expected.py slim-node-modules SRC DST

      Copy the node_modules tree SRC to DST keeping only the package.json
      files and the symlinks (which must be relative and stay inside the
      case directory, the parent of DST).  That is all the node_modules
      walker reads.

How the cases in tests/data/pnpm were made, each in a scratch directory
with a .npmrc naming the configured registry (not committed):

  v5-*: pnpm 7.33 (lockfileVersion 5.4), v6-*: pnpm 8.15 ('6.0'),
  v9-*: pnpm 9.15 ('9.0'); `pnpm install --ignore-scripts`.  The
  workspace cases then ran `pnpm patch is-odd@3.0.1 --edit-dir D`, added a
  line to D/index.js and ran `pnpm patch-commit D`.  Then, per case:

  pnpm ls -r --depth Infinity --json > pnpm-ls.json
  pnpm_expected.py slim-node-modules node_modules CASE/node_modules  (v9-basic)
  pnpm_expected.py rewrite --registry URL CASE/pnpm-ls.json \\
      CASE/pnpm-lock.yaml CASE/**/package.json
  pnpm_expected.py expected CASE/pnpm-ls.json > CASE/expected.txt
"""

import argparse
import json
import os
import shutil
import sys

TEST_REGISTRY = "https://registry.npm.test/"
SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")


def collect(projects):
    found = set()

    def walk(entry, depth):
        if not isinstance(entry, dict) or depth > 1000:
            return
        for section in SECTIONS:
            deps = entry.get(section)
            if not isinstance(deps, dict):
                continue
            for key in sorted(deps):
                dep = deps[key]
                if not isinstance(dep, dict):
                    continue
                version = dep.get("version")
                if version and not version.startswith("link:"):
                    found.add("%s@%s" % (dep.get("from") or key, version))
                walk(dep, depth + 1)

    if isinstance(projects, dict):
        projects = [projects]
    for project in projects:
        walk(project, 0)
    return sorted(found)


def cmd_expected(args):
    with open(args.pnpm_ls_json, encoding="utf-8") as f:
        projects = json.load(f)
    for line in collect(projects):
        print(line)
    return 0


def cmd_rewrite(args):
    registry = args.registry
    if not registry.endswith("/"):
        registry += "/"
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = text.replace(registry, TEST_REGISTRY)
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
    return 0


def cmd_slim(args):
    src = os.path.abspath(args.src)
    dst = os.path.abspath(args.dst)
    case_dir = os.path.dirname(dst)
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        out_dir = os.path.normpath(os.path.join(dst, rel))
        for name in list(dirnames) + filenames:
            path = os.path.join(dirpath, name)
            out = os.path.join(out_dir, name)
            if os.path.islink(path):
                target = os.readlink(path)
                resolved = os.path.normpath(
                    os.path.join(os.path.dirname(out), target))
                if os.path.isabs(target) or not resolved.startswith(
                        case_dir + os.sep):
                    print("error: %s -> %s leaves the case" % (path, target),
                          file=sys.stderr)
                    return 1
                os.makedirs(out_dir, exist_ok=True)
                os.symlink(target, out)
            elif name == "package.json" and os.path.isfile(path):
                os.makedirs(out_dir, exist_ok=True)
                shutil.copyfile(path, out)
        # os.walk does not descend into symlinked directories: good
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Expected package sets for the pnpm test cases.")
    sub = ap.add_subparsers(dest="command", required=True)

    e = sub.add_parser("expected",
                       help="name@version set from pnpm ls -r --json")
    e.add_argument("pnpm_ls_json")
    e.set_defaults(func=cmd_expected)

    r = sub.add_parser("rewrite", help="rewrite registry URLs in place")
    r.add_argument("--registry", required=True)
    r.add_argument("files", nargs="+")
    r.set_defaults(func=cmd_rewrite)

    s = sub.add_parser("slim-node-modules",
                       help="copy package.json files and symlinks only")
    s.add_argument("src")
    s.add_argument("dst")
    s.set_defaults(func=cmd_slim)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
