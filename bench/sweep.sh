#!/bin/sh
# Benchmark `wormsign sweep` (issue 7): a fleet of N small bare repositories
# (a package-lock.json each, COMMITS commits of history changing it; one in
# ten locked a compromised version for a while), swept with --jobs 1 and
# --jobs 2, against a shell loop that runs, per repository,
#   git log -p -- package-lock.json | grep -F -f PATTERNS
# for the same feed entries (the bundled feeds' exact versions, as tarball
# paths). Goals: sweep at least 5x faster than the loop; --jobs 2 near 2x
# --jobs 1.
#
# Usage: bench/sweep.sh [-n N] [-c COMMITS] [-r REPS]
# Environment: BUILD (build directory, default build), WORMSIGN (the binary,
# default $BUILD/wormsign), PYTHON (python3).
#
# The fleet is generated once into bench/out/sweep-N-COMMITS/ (git
# fast-import, fixed dates). Runs are interleaved after one untimed warm-up
# of each, and the medians of REPS (default 3) are compared. Exits 0 either
# way; non-zero only when it cannot measure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
n=1000
commits=20
reps=3
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-c) commits=$2; shift 2 ;;
	-r) reps=$2; shift 2 ;;
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "sweep.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

cd "$top"
build=${BUILD:-build}
python=${PYTHON:-python3}
for tool in git grep "$python"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "sweep.sh: $tool not found" >&2
		exit 1
	}
done
if [ -z "${WORMSIGN:-}" ]; then
	meson compile -C "$build" >/dev/null
	WORMSIGN=$build/wormsign
fi

out=bench/out/sweep-$n-$commits
if [ ! -f "$out/.done" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	echo "generating $n repositories of $commits commits in $out ..."
	"$python" bench/gen_repos.py --out "$out/fleet" --feeds feeds -n "$n" \
		--commits "$commits" --patterns "$out/patterns.txt"
	touch "$out/.done"
fi

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_PAGER=cat
loop='for r in "$0"/fleet/*.git; do
	git -C "$r" log -p -- package-lock.json | grep -F -f "$0/patterns.txt" >/dev/null || :
done'

# Wall time and CPU time (user + system of the command and its children),
# interleaved, medians: a shared machine shows in wall time, not in CPU.
"$python" - "$n" "$reps" "$WORMSIGN" "$out" "$loop" <<'PY'
import json, os, resource, subprocess, sys, time
n, reps, ws, out, loop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

def sweep(jobs):
    return [ws, "sweep", "--under", out + "/fleet", "--depth", "1", "--jobs", str(jobs),
            "--format", "json", "-o", "%s/report-%d.json" % (out, jobs)]

runs = {"j1": sweep(1), "j2": sweep(2), "loop": ["sh", "-c", loop, out]}

def once(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc not in (0, 1):
        sys.exit("sweep.sh: %s exited %d" % (cmd[:2], rc))
    return t1 - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

for cmd in runs.values():
    once(cmd)       # warm-up: the page cache holds the fleet
res = {k: [] for k in runs}
for _ in range(reps):
    for k, cmd in runs.items():
        res[k].append(once(cmd))

def med(v):
    v = sorted(v)
    return v[len(v) // 2]

w = {k: med([x[0] for x in v]) for k, v in res.items()}
c = {k: med([x[1] for x in v]) for k, v in res.items()}
d = json.load(open(out + "/report-1.json"))
print("repositories: %d, %d affected (%s)" % (len(d["repos"]), sum(r["affected"] for r in d["repos"]), out))
print("%-16s %9s %10s %9s %10s" % ("", "wall s", "repos/s", "cpu s", "repos/cpu-s"))
for k, name in (("j1", "sweep --jobs 1"), ("j2", "sweep --jobs 2"), ("loop", "shell loop")):
    print("%-16s %9.3f %10.1f %9.3f %10.1f" % (name, w[k], n / w[k], c[k], n / c[k]))
print("sweep --jobs 1 vs loop: %.1fx (wall), %.1fx (cpu)  %s (goal >= 5x)" % (
    w["loop"] / w["j1"], c["loop"] / c["j1"], "PASS" if w["loop"] / w["j1"] >= 5 else "FAIL"))
print("--jobs 2 vs --jobs 1: %.2fx (wall), cpu %.2fx of --jobs 1  %s (goal: near 2x)" % (
    w["j1"] / w["j2"], c["j2"] / c["j1"], "PASS" if w["j1"] / w["j2"] >= 1.7 else "FAIL"))
print("load average: %.2f %.2f %.2f on %d cores" % (os.getloadavg() + (os.cpu_count(),)))
PY
