#!/bin/sh
# Rebuilds the git fixtures of the sweep man pages and tests from nothing:
#   exposed.git  a bare repository: main locks evil-pkg@1.0.1 (a made-up
#                compromised version from test-feed.json) in its second
#                and third commits and drops it in the fourth; fixed dates,
#                so the commit ids are the same on every machine.
#   clean.git    a bare repository with a clean lockfile.
#   fleet.txt    a --from list of both.
#   shard-0.jsonl, shard-1.jsonl  their sweep in two shards (needs the
#                wormsign binary as $1).
# Usage: tests/data/git/make-fixtures.sh BUILD/wormsign   (from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ws=${1:?usage: make-fixtures.sh WORMSIGN}
ws=$(cd "$(dirname "$ws")" && pwd)/$(basename "$ws")
cd "$here"
export GIT_CONFIG_NOSYSTEM=1

lock() {	# lock NAME@VERSION...: a package-lock.json v3
	printf '{\n  "name": "app",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n    "": {"name": "app", "version": "1.0.0"}'
	for nv in "$@"; do
		n=${nv%@*}; v=${nv#*@}
		printf ',\n    "node_modules/%s": {"version": "%s", "resolved": "https://registry.npm.test/%s/-/%s-%s.tgz", "integrity": "sha512-AAAA"}' "$n" "$v" "$n" "$n" "$v"
	done
	printf '\n  }\n}\n'
}

commit() {	# commit N DAY MESSAGE CONTENT
	data=$4
	printf 'commit refs/heads/main\nmark :%s\nauthor Fixture <fixture@example.test> %s +0000\ncommitter Fixture <fixture@example.test> %s +0000\ndata %s\n%s\n' \
		"$1" "$2" "$2" "${#3}" "$3"
	if [ "$1" -gt 1 ]; then printf 'from :%s\n' $(($1 - 1)); fi
	printf 'M 100644 inline package-lock.json\ndata %s\n%s\n' "$(printf '%s' "$data" | wc -c)" "$data"
}

make_repo() {	# make_repo NAME: reads fast-import commands on stdin
	rm -rf "$1"
	git init -q --bare -b main "$1"
	git -C "$1" fast-import --quiet
	git -C "$1" gc -q --prune=now
	# refs/ must exist with a file in it (git does not track directories)
	git -C "$1" show-ref -s refs/heads/main > "$1/refs/heads/main.tmp"
	rm -f "$1/packed-refs"
	mv "$1/refs/heads/main.tmp" "$1/refs/heads/main"
	rm -f "$1"/objects/pack/*.bitmap "$1/objects/info/commit-graph"
	rm -rf "$1/hooks" "$1/info" "$1/description" "$1/logs" "$1/refs/tags"
	printf '[core]\n\trepositoryformatversion = 0\n\tbare = true\n' > "$1/config"
}

{
	commit 1 1780000000 "start" "$(lock good@1.0.0)"
	commit 2 1780086400 "add evil" "$(lock good@1.0.0 evil-pkg@1.0.1)"
	commit 3 1780172800 "bump good" "$(lock good@1.0.1 evil-pkg@1.0.1)"
	commit 4 1780259200 "drop evil" "$(lock good@1.0.1 evil-pkg@1.0.2)"
} | make_repo exposed.git
{
	commit 1 1780000000 "start" "$(lock good@1.0.0)"
} | make_repo clean.git

printf '# the fixture fleet (paths from the source root)\ntests/data/git/clean.git\ntests/data/git/exposed.git\n' > fleet.txt
cd ../../..
for k in 0 1; do
	"$ws" sweep --no-bundled-feeds --feed tests/data/git/test-feed.json \
		--from tests/data/git/fleet.txt --shard "$k/2" \
		--jsonl "tests/data/git/shard-$k.jsonl" --format json >/dev/null || [ $? -eq 1 ]
done
