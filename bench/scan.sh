#!/bin/sh
# Benchmark `wormsign scan` (issue 4):
#  (1) matching: the 100,000-package lockfile against all bundled feeds plus
#      a generated feed of 100,000 package entries, against `wormsign tree`
#      on the same lockfile (goal: scan at most 1.3x tree);
#  (2) hashing: an installed tree of about 200 MB of root JavaScript files,
#      `wormsign scan --source node_modules --files --no-rules` against
#      find | xargs sha256sum over the same files (goal: at most 1.5x).
#
# Usage: bench/scan.sh [-n N] [-r REPS] [--feed-n N] [--packages N] [--mb MB]
#                      [--no-match] [--no-hash]
# Environment: BUILD (build directory, default build), WORMSIGN (the binary,
# default $BUILD/wormsign), PYTHON (python3).
#
# Runs are interleaved (a, b, a, b, ...) after one untimed warm-up of each,
# the medians of REPS (default 5) are compared, and PASS/FAIL is printed
# against each goal. Exits 0 either way; non-zero only when it cannot
# measure at all (build failure, missing tools, a command that fails).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
n=100000
reps=5
feed_n=100000
packages=2000
mb=200
match=1
hash=1
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-r) reps=$2; shift 2 ;;
	--feed-n) feed_n=$2; shift 2 ;;
	--packages) packages=$2; shift 2 ;;
	--mb) mb=$2; shift 2 ;;
	--no-match) match=0; shift ;;
	--no-hash) hash=0; shift ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "scan.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

cd "$top"
build=${BUILD:-build}
python=${PYTHON:-python3}

for tool in find xargs sha256sum "$python"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "scan.sh: $tool not found" >&2
		exit 1
	}
done

echo "== build ($build)"
meson compile -C "$build" >/dev/null || {
	echo "scan.sh: meson compile -C $build failed" >&2
	exit 1
}
if [ -n "${WORMSIGN:-}" ]; then
	ws=$WORMSIGN
elif [ -x "$build/wormsign" ]; then
	ws=$build/wormsign
else
	ws=$build/src/cli/wormsign
fi
[ -x "$ws" ] || { echo "scan.sh: no wormsign binary at $ws" >&2; exit 1; }
"$ws" help scan >/dev/null 2>&1 || {
	echo "scan.sh: $ws has no scan command (are src/feed and src/scan built?)" >&2
	exit 1
}

mkdir -p bench/out

# Inputs are regenerated only when missing or older than their generator
# (or, for the feed, than the lockfile it is drawn from).
lock=bench/out/real-$n/package-lock.json
feed=bench/out/feed-$feed_n.json
installed=bench/out/installed-$packages-$mb
if [ "$match" = 1 ]; then
	mkdir -p "bench/out/real-$n"
	if [ ! -s "$lock" ] || [ bench/gen_lockfile.py -nt "$lock" ]; then
		"$python" bench/gen_lockfile.py -n "$n" --shape real -o "$lock" >&2
	fi
	if [ ! -s "$feed" ] || [ bench/gen_feed.py -nt "$feed" ] ||
		[ "$lock" -nt "$feed" ]; then
		"$python" bench/gen_feed.py --lockfile "$lock" -n "$feed_n" \
			-o "$feed" >&2
	fi
fi
if [ "$hash" = 1 ]; then
	# package.json is written last: its presence means the tree is whole
	if [ ! -s "$installed/package.json" ] ||
		[ bench/gen_node_modules.py -nt "$installed/package.json" ]; then
		"$python" bench/gen_node_modules.py -n "$packages" --mb "$mb" \
			-o "$installed" >&2
	fi
fi

exec "$python" - "$ws" "$reps" "$match" "$hash" "$lock" "$feed" "$installed" <<'EOF'
import json, os, statistics, subprocess, sys, time

ws, reps = sys.argv[1], int(sys.argv[2])
match, hash_ = sys.argv[3] == "1", sys.argv[4] == "1"
lock, feed, installed = sys.argv[5:8]
SHA = ("find node_modules -type f \\( -name '*.js' -o -name '*.cjs' "
       "-o -name '*.mjs' -o -name package.json \\) -print0 "
       "| xargs -0 sha256sum >/dev/null")


def run(argv, cwd=None):
    """argv with stdout to /dev/null: (wall s, CPU s, status, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return (wall, ru.ru_utime + ru.ru_stime,
            os.waitstatus_to_exitcode(status),
            err.decode("utf-8", "replace"))


def report_of(argv, cwd=None):
    p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                       capture_output=True)
    if p.returncode != 0:
        raise SystemExit("scan.sh: %s exited with %d:\n%s" % (
            " ".join(argv), p.returncode, p.stderr.decode()[-2000:]))
    return json.loads(p.stdout)


def interleaved(cmds, reps):
    """cmds: [(label, argv, cwd)]; one warm-up each, then reps rounds."""
    for label, argv, cwd in cmds:
        _, _, status, err = run(argv, cwd)
        if status != 0:
            raise SystemExit("scan.sh: %s exited with %d:\n%s"
                             % (label, status, err[-2000:]))
    walls = {label: [] for label, _, _ in cmds}
    cpus = {label: [] for label, _, _ in cmds}
    for _ in range(reps):
        for label, argv, cwd in cmds:
            wall, cpu, status, err = run(argv, cwd)
            if status != 0:
                raise SystemExit("scan.sh: %s exited with %d:\n%s"
                                 % (label, status, err[-2000:]))
            walls[label].append(wall)
            cpus[label].append(cpu)
    for label, _, _ in cmds:
        print("%-40s median %.3f s  CPU %.3f s  (runs: %s)" % (
            label, statistics.median(walls[label]),
            statistics.median(cpus[label]),
            " ".join("%.3f" % t for t in walls[label])))
    return ({k: statistics.median(v) for k, v in walls.items()},
            {k: statistics.median(v) for k, v in cpus.items()})


results = []

if match:
    scan = [ws, "scan", "--format", "json", "--fail-on", "none",
            "--no-rules", "--feed", feed, lock]
    bundled = [ws, "scan", "--format", "json", "--fail-on", "none",
               "--no-rules", lock]
    tree = [ws, "tree", "--format", "json", lock]
    print("\n== matching: %s (%.1f MB) against the bundled feeds and %s"
          " (%.1f MB)" % (lock, os.path.getsize(lock) / 1e6, feed,
                          os.path.getsize(feed) / 1e6))
    j = report_of(scan)
    print("scan report: %d findings %s, %d errors"
          % (j["summary"]["findings"], j["summary"]["by_kind"],
             len(j["errors"])))
    wall, cpu = interleaved([
        ("wormsign scan (bundled + generated feed)", scan, None),
        ("wormsign scan (bundled feeds only)", bundled, None),
        ("wormsign tree --format json", tree, None),
    ], reps)
    a = wall["wormsign scan (bundled + generated feed)"]
    b = wall["wormsign tree --format json"]
    c = wall["wormsign scan (bundled feeds only)"]
    ratio = a / b
    print("time ratio scan/tree                     %.2f  (CPU %.2f)"
          % (ratio, cpu["wormsign scan (bundled + generated feed)"] /
             cpu["wormsign tree --format json"]))
    print("cost of the 100,000-entry feed           %+.3f s over the "
          "bundled feeds alone" % (a - c))
    ok = ratio <= 1.3
    print("goal scan <= 1.3x tree                   %s"
          % ("PASS" if ok else "FAIL"))
    results.append(("matching", ok))

if hash_:
    names = (".js", ".cjs", ".mjs")
    nbytes = nfiles = 0
    for d, _, files in os.walk(os.path.join(installed, "node_modules")):
        for f in files:
            if f.endswith(names) or f == "package.json":
                nbytes += os.path.getsize(os.path.join(d, f))
                nfiles += 1
    scan = [os.path.abspath(ws), "scan", "--source", "node_modules",
            "--files", "--no-rules", "--format", "json", "--fail-on",
            "none", "."]
    print("\n== hashing: %s, %d files, %.1f MB" % (installed, nfiles,
                                                   nbytes / 1e6))
    j = report_of(scan, installed)
    print("scan report: %d findings, %d errors"
          % (j["summary"]["findings"], len(j["errors"])))
    wall, cpu = interleaved([
        ("wormsign scan --source node_modules", scan, installed),
        ("find | xargs -0 sha256sum", ["sh", "-c", SHA], installed),
    ], reps)
    a = wall["wormsign scan --source node_modules"]
    b = wall["find | xargs -0 sha256sum"]
    ratio = a / b
    print("throughput wormsign                      %.0f MB/s"
          % (nbytes / 1e6 / a))
    print("throughput sha256sum                     %.0f MB/s"
          % (nbytes / 1e6 / b))
    print("time ratio wormsign/sha256sum            %.2f" % ratio)
    ok = ratio <= 1.5
    print("goal wormsign <= 1.5x sha256sum          %s"
          % ("PASS" if ok else "FAIL"))
    results.append(("hashing", ok))

print()
for label, ok in results:
    print("RESULT %s: %s" % (label, "PASS" if ok else "FAIL"))
sys.exit(0)
EOF
