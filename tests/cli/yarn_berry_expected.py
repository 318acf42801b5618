#!/usr/bin/env python3
"""Print the name@version set of a yarn berry project from `yarn info -AR --json`.

Python 3 standard library only.

    yarn_berry_expected.py YARN_INFO_JSON

YARN_INFO_JSON is the output of `yarn info -AR --json` (yarn 2 and later):
one JSON object per line, whose "value" is a locator such as
`lodash@npm:4.17.15` and whose "children"."Version" is the version.  This
prints the sorted, unique set of `name@version` lines, which is how each
tests/data/yarn-berry/<case>/expected.txt was produced:

  * workspaces (`name@workspace:...`: the root and the members) are left
    out: they are targets, not packages;
  * a `patch:` locator (`resolve@patch:resolve@npm%3A1.22.8#...`) counts as
    the package it patches, so a patch and its base are one name@version;
  * aliases are listed by their real name, which is the locator's name
    (yarn's locator for `x: npm:lodash@4.17.15` is `lodash@npm:4.17.15`);
  * the version is "Version" as yarn prints it, or failing that the one in
    the locator (`npm:1.2.3`, or a patch's `::version=1.2.3`).
"""

import json
import sys
import urllib.parse


def split_locator(locator):
    """Return (name, reference) of a locator, name possibly scoped."""
    start = locator.find("/") + 1 if locator.startswith("@") else 1
    at = locator.find("@", start)
    if at <= 0:
        raise ValueError("not a locator: %r" % locator)
    return locator[:at], locator[at + 1:]


def version_of(reference):
    """The version a reference names, or None."""
    if reference.startswith("npm:"):
        return reference[4:].split("::", 1)[0]
    if reference.startswith("patch:"):
        params = reference.split("::", 1)[1] if "::" in reference else ""
        version = urllib.parse.parse_qs(params).get("version")
        if version:
            return version[0]
        inner = urllib.parse.unquote(reference[6:].split("#", 1)[0])
        return version_of(split_locator(inner)[1])
    return None


def expected(lines):
    found = set()
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        entry = json.loads(line)
        locator = entry["value"]
        name, reference = split_locator(locator)
        if reference.startswith("workspace:"):
            continue
        version = (entry.get("children") or {}).get("Version")
        version = version or version_of(reference)
        if not version:
            raise ValueError("line %d: no version for %s" % (number, locator))
        found.add("%s@%s" % (name, version))
    return sorted(found)


def main(argv):
    if len(argv) != 2:
        print("usage: yarn_berry_expected.py YARN_INFO_JSON", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        for line in expected(f):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
