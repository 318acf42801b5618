#!/bin/sh
# Benchmark `wormsign tree` on a generated 100,000-package package-lock.json
# against Python's bare json.load of the same file; see bench/README.md.
#
# Usage: bench/tree.sh [-n N] [-r REPS] [--no-shapes]
# Environment: BUILD (build directory, default build), WORMSIGN (the binary,
# default $BUILD/wormsign or $BUILD/src/cli/wormsign), PYTHON (python3).
#
# Prints PASS/FAIL against the goals of issue 2 (time ratio <= 0.5, peak RSS
# <= 5x the file size) and exits 0 either way; it exits non-zero only when
# it cannot measure at all (build failure, missing tools).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
n=100000
reps=5
shapes=1
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-r) reps=$2; shift 2 ;;
	--no-shapes) shapes=0; shift ;;
	-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "tree.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

cd "$top"
build=${BUILD:-build}
python=${PYTHON:-python3}

echo "== build ($build)"
meson compile -C "$build" >/dev/null || {
	echo "tree.sh: meson compile -C $build failed" >&2
	exit 1
}
if [ -n "${WORMSIGN:-}" ]; then
	ws=$WORMSIGN
elif [ -x "$build/wormsign" ]; then
	ws=$build/wormsign
else
	ws=$build/src/cli/wormsign
fi
[ -x "$ws" ] || { echo "tree.sh: no wormsign binary at $ws" >&2; exit 1; }

mkdir -p bench/out

# Regenerate only when the generator changed or the file is missing. The
# file must be called package-lock.json for wormsign to read it.
gen() { # shape -> file name on stdout
	mkdir -p "bench/out/$1-$n"
	f=bench/out/$1-$n/package-lock.json
	if [ ! -s "$f" ] || [ bench/gen_lockfile.py -nt "$f" ]; then
		"$python" bench/gen_lockfile.py -n "$n" --shape "$1" -o "$f" >&2
	fi
	echo "$f"
}

real=$(gen real)
# The same graph as a pnpm-lock.yaml v9 and a yarn.lock v1 (issue 3: each
# format within 2x of the package-lock time, measured in the same run).
conv=bench/out/formats-$n
if [ ! -s "$conv/yarn/yarn.lock" ] || [ "$real" -nt "$conv/yarn/yarn.lock" ] ||
	[ bench/convert_lockfile.py -nt "$conv/yarn/yarn.lock" ]; then
	"$python" bench/convert_lockfile.py "$real" "$conv" >&2
fi
if [ "$shapes" = 1 ]; then
	wide=$(gen wide)
	deep=$(gen deep)
else
	wide= deep=
fi

exec "$python" - "$ws" "$reps" "$real" "$wide" "$deep" "$conv" <<'EOF'
import os, re, shutil, statistics, subprocess, sys, time

ws, reps, real, wide, deep, conv = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
py = sys.executable
PY_PARSE = "import json,sys; json.load(open(sys.argv[1]))"
TIME = shutil.which("time", path="/usr/bin:/bin")


def run(argv):
    """Run argv with stdout to /dev/null: (wall s, CPU s, peak RSS bytes, status, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024,
            p.returncode, err.decode("utf-8", "replace"))


def rss_time_v(argv):
    """Peak RSS in bytes as /usr/bin/time -v reports it, or None."""
    if not TIME:
        return None
    p = subprocess.run([TIME, "-v"] + argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return int(m.group(1)) * 1024 if m else None


def output_bytes(argv):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    total = 0
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
    p.wait()
    return total


def mb(x):
    return "%.1f MB" % (x / 1e6)


def bench(label, path, reps, goals):
    size = os.path.getsize(path)
    a = [ws, "tree", "--format", "json", path]
    b = [py, "-c", PY_PARSE, path]
    print("\n== %s: %s (%s)" % (label, path, mb(size)))
    ta, tb, ca, cb, rss_a, rss_b = [], [], [], [], [], []
    for i in range(reps):          # interleaved: a, b, a, b, ...
        wall, cpu, rss, status, err = run(a)
        if status != 0:
            print("wormsign exited with status %d:\n%s" % (status, err[-2000:]))
            print("RESULT %s: FAIL (wormsign failed)" % label)
            return
        ta.append(wall)
        ca.append(cpu)
        rss_a.append(rss)
        wall, cpu, rss, status, _ = run(b)
        tb.append(wall)
        cb.append(cpu)
        rss_b.append(rss)
    ma, mb_ = statistics.median(ta), statistics.median(tb)
    ratio = ma / mb_
    cpu_ratio = statistics.median(ca) / statistics.median(cb)
    rss = rss_time_v(a)
    how = "/usr/bin/time -v"
    if rss is None:
        rss, how = max(rss_a), "wait4 rusage"
    print("wormsign tree --format json  median %.3f s  (runs: %s)"
          % (ma, " ".join("%.3f" % t for t in ta)))
    print("python3 json.load            median %.3f s  (runs: %s)"
          % (mb_, " ".join("%.3f" % t for t in tb)))
    print("time ratio wormsign/python   %.2f  (CPU time ratio %.2f, medians %.3f s / %.3f s)"
          % (ratio, cpu_ratio, statistics.median(ca), statistics.median(cb)))
    print("peak RSS wormsign            %s (%s; max over timed runs %s)"
          % (mb(rss), how, mb(max(rss_a))))
    print("peak RSS python3             %s" % mb(max(rss_b)))
    print("RSS / file size              %.2f" % (rss / size))
    if goals:
        ok_t, ok_m = ratio <= 0.5, rss <= 5 * size
        print("goal time ratio <= 0.5       %s" % ("PASS" if ok_t else "FAIL"))
        print("goal peak RSS <= 5x file     %s" % ("PASS" if ok_m else "FAIL"))
    print("output size                  %s" % mb(output_bytes(a)))
    if goals:
        print("RESULT %s: %s" % (label, "PASS" if ok_t and ok_m else "FAIL"))


def formats(reps):
    """package-lock vs pnpm-lock v9 vs yarn v1 of the same graph."""
    files = [("package-lock v3", real),
             ("pnpm-lock v9", os.path.join(conv, "pnpm", "pnpm-lock.yaml")),
             ("yarn.lock v1", os.path.join(conv, "yarn", "yarn.lock"))]
    times = {label: [] for label, _ in files}
    print("\n== formats: the same %s graph in three lockfiles" % real)
    for i in range(reps):          # interleaved
        for label, path in files:
            wall, _cpu, _rss, status, err = run(
                [ws, "tree", "--format", "json", path])
            if status != 0:
                print("%s: wormsign exited with status %d: %s"
                      % (label, status, err.strip()[-300:]))
                times[label] = None
                continue
            if times[label] is not None:
                times[label].append(wall)
    base = statistics.median(times[files[0][0]])
    for label, path in files:
        if not times[label]:
            print("%-16s FAIL (no measurement)" % label)
            continue
        m = statistics.median(times[label])
        print("%-16s %s  median %.3f s  ratio to package-lock %.2f  %s"
              % (label, mb(os.path.getsize(path)), m, m / base,
                 "PASS" if m / base <= 2 else "FAIL (goal <= 2x)"))


bench("real", real, reps, True)
formats(reps)
if wide:
    bench("wide", wide, min(reps, 3), False)
if deep:
    bench("deep", deep, min(reps, 3), False)
sys.exit(0)
EOF
