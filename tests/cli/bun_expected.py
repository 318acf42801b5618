#!/usr/bin/env python3
"""The expected package set of a bun.lock, and a cross-check with bun's listing.

Python 3 standard library only.  Two sub-commands:

  bun_expected.py expected CASE_DIR

      Read CASE_DIR/bun.lock (JSON with trailing commas and comments, as
      bun writes and reads it) and print the sorted, unique set of
      `name@version` of its "packages": the lockfile's full set, every
      platform's optional packages included, not only what was installed
      on the machine that ran bun.  This is how each
      tests/data/bun/<case>/expected.txt was produced.

      * Each entry is [ident, ...] with ident `name@resolution`: the real
        package name (an alias key such as "x" holds "lodash@4.17.15"),
        then the version for registry packages, or the spec for the others
        (`file:vendor/pkg`, `link:...`, `github:owner/repo#sha`, a tarball
        URL), printed as it stands.
      * Workspace members (`name@workspace:path`) and the root project
        (`name@root:`) are not packages and are left out.

  bun_expected.py crosscheck CASE_DIR

      Compare that set with CASE_DIR/bun-pm-ls.txt, the output of
      `bun pm ls --all` saved when the case was made.  bun lists what it
      installed, under the name it installed it as (an alias shows as
      `x@4.17.15`, a folder as `local-pkg@vendor/local-pkg`), so each line
      is matched with a lockfile entry by install name (the key's last
      segment) and version.  Prints the lockfile entries bun did not list
      (typically other platforms' optional packages) and exits 1 when bun
      listed something the lockfile does not hold.
"""

import argparse
import json
import os
import re
import sys


def strip_jsonc(text):
    """Drop // and /* */ comments and trailing commas outside strings."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "]}":
                i += 1
                continue
            out.append(c)
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_lock(case_dir):
    with open(os.path.join(case_dir, "bun.lock"), encoding="utf-8") as f:
        return json.loads(strip_jsonc(f.read()))


def split_ident(ident):
    """("name", "resolution") of "name@resolution"; scoped names kept whole."""
    if ident.startswith("@root:"):
        return "", ident[1:]
    at = ident.find("@", 1 if ident.startswith("@") else 0)
    if at <= 0:
        raise ValueError("bad ident %r" % ident)
    return ident[:at], ident[at + 1:]


def install_name(key):
    """The last segment of a package key ("a/@s/b" -> "@s/b")."""
    parts = key.split("/")
    if len(parts) >= 2 and parts[-2].startswith("@"):
        return parts[-2] + "/" + parts[-1]
    return parts[-1]


def lock_entries(lock):
    """(key, name, resolution) of every package that is not a workspace."""
    for key, entry in (lock.get("packages") or {}).items():
        name, res = split_ident(entry[0])
        if res.startswith(("workspace:", "root:")):
            continue
        yield key, name, res


def cmd_expected(args):
    lock = read_lock(args.case_dir)
    for line in sorted({"%s@%s" % (name, res)
                        for _key, name, res in lock_entries(lock)}):
        print(line)
    return 0


_LS_LINE = re.compile(r"^[\s│├└─]*((?:@[^@/\s]+/)?[^@\s]+)@(\S+)\s*$")


def read_ls(path):
    """(name, version) of every entry in `bun pm ls --all` output."""
    found = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i == 0:
                continue  # "<dir> node_modules"
            m = _LS_LINE.match(line.rstrip("\n"))
            if m:
                found.append((m.group(1), m.group(2)))
    return found


def cmd_crosscheck(args):
    lock = read_lock(args.case_dir)
    entries = list(lock_entries(lock))
    by_install = {}
    for key, name, res in entries:
        version = res[5:] if res.startswith("file:") else res
        by_install.setdefault((install_name(key), version), []).append(key)
    listed = read_ls(os.path.join(args.case_dir, "bun-pm-ls.txt"))
    status = 0
    matched = set()
    for name, version in listed:
        if version.startswith("workspace:"):
            continue
        keys = by_install.get((name, version))
        if not keys:
            print("listed by bun pm ls but not in bun.lock: %s@%s" % (name, version))
            status = 1
            continue
        matched.update(keys)
    unlisted = sorted("%s@%s (%s)" % (name, res, key)
                      for key, name, res in entries if key not in matched)
    for line in unlisted:
        print("in bun.lock, not installed here: %s" % line)
    print("%s: %d lockfile packages, %d listed by bun pm ls, %d not installed here"
          % (os.path.basename(os.path.abspath(args.case_dir)), len(entries),
             len(matched), len(unlisted)))
    return status


def main(argv=None):
    ap = argparse.ArgumentParser(description="bun.lock expected package sets.")
    sub = ap.add_subparsers(dest="command", required=True)
    e = sub.add_parser("expected", help="print name@version of bun.lock's packages")
    e.add_argument("case_dir")
    e.set_defaults(func=cmd_expected)
    c = sub.add_parser("crosscheck", help="compare bun.lock with bun-pm-ls.txt")
    c.add_argument("case_dir")
    c.set_defaults(func=cmd_crosscheck)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
