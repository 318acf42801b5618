#!/bin/sh
# Benchmark `wormsign age` against the loopback test registry
# (tests/registry/server.py) serving N distinct packages with added latency
# per request; see bench/README.md.
#
# Usage: bench/age.sh [-n N] [-l LATENCY_MS] [-j JOBS]
# Environment: BUILD (build directory, default build), WORMSIGN (the binary,
# default $BUILD/wormsign), PYTHON (python3).
#
# Cold: empty cache, one request per package. Goal: within 1.5x of the
# latency floor N / JOBS x LATENCY. Warm: the same run again with the cache
# covering every version, and with --offline. Goal: under 100 ms each and
# zero requests (the server's /-/stats). Prints PASS/FAIL; exits non-zero
# only when it cannot measure at all.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
n=2000
latency=50
jobs=16
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-l) latency=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "age.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

cd "$top"
build=${BUILD:-build}
python=${PYTHON:-python3}

echo "== build ($build)"
meson compile -C "$build" >/dev/null || {
	echo "age.sh: meson compile -C $build failed" >&2
	exit 1
}
ws=${WORMSIGN:-$build/wormsign}
[ -x "$ws" ] || { echo "age.sh: no wormsign binary at $ws" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wormsign-bench-age.XXXXXX")
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# N packages (a quarter of them scoped), each with three versions a month
# apart; the lockfile pins the middle one.
"$python" - "$n" "$tmp" <<'PYEOF'
import json, os, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
root = os.path.join(tmp, "registry")
proj = os.path.join(tmp, "project")
os.makedirs(root)
os.makedirs(proj)
pkgs = {"": {"name": "bench-age", "version": "1.0.0", "dependencies": {}}}
for i in range(n):
    name = "@bench%d/pkg-%d" % (i % 50, i) if i % 4 == 0 else "bench-pkg-%d" % i
    times = {"created": "2025-01-01T00:00:00.000Z",
             "modified": "2025-03-01T00:00:00.000Z",
             "1.0.0": "2025-01-01T00:00:00.000Z",
             "1.1.0": "2025-02-01T00:00:00.000Z",
             "1.2.0": "2025-03-01T00:00:00.000Z"}
    doc = {"name": name, "dist-tags": {"latest": "1.2.0"},
           "versions": {v: {"name": name, "version": v} for v in ("1.0.0", "1.1.0", "1.2.0")},
           "time": times}
    with open(os.path.join(root, name.replace("/", "%2f") + ".json"), "w") as f:
        json.dump(doc, f)
    base = name.rsplit("/", 1)[-1]
    pkgs[""]["dependencies"][name] = "^1.1.0"
    pkgs["node_modules/" + name] = {
        "version": "1.1.0",
        "resolved": "https://registry.npm.test/%s/-/%s-1.1.0.tgz" % (name, base),
        "integrity": "sha512-" + "A" * 86 + "==",
    }
lock = {"name": "bench-age", "version": "1.0.0", "lockfileVersion": 3,
        "requires": True, "packages": pkgs}
with open(os.path.join(proj, "package-lock.json"), "w") as f:
    json.dump(lock, f)
with open(os.path.join(proj, "package.json"), "w") as f:
    json.dump({"name": "bench-age", "version": "1.0.0",
               "dependencies": pkgs[""]["dependencies"]}, f)
PYEOF

"$python" tests/registry/server.py --port 0 --root "$tmp/registry" \
	--latency "$latency" --idle-timeout 600 >"$tmp/port" &
server_pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "age.sh: the test registry did not start" >&2; exit 1; }
	sleep 0.1
done
port=$(head -n 1 "$tmp/port")
url=http://127.0.0.1:$port

# not exec: the EXIT trap stops the server and removes $tmp
"$python" - "$ws" "$url" "$tmp" "$n" "$latency" "$jobs" <<'PYEOF'
import json, os, subprocess, sys, time, urllib.request

ws, url, tmp, n, latency, jobs = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:7])
proj = os.path.join(tmp, "project")
cache = os.path.join(tmp, "cache")
env = dict(os.environ, HOME=tmp, XDG_CACHE_HOME=os.path.join(tmp, "xdg"))
env.pop("npm_config_registry", None)


def stats(reset=False):
    with urllib.request.urlopen(url + ("/-/reset" if reset else "/-/stats")) as r:
        return json.load(r)


def run(label, extra):
    stats(reset=True)
    argv = [ws, "age", "--min-age", "1d", "--now", "2026-06-01T00:00:00Z",
            "--registry", url + "/", "--cache", cache, "--jobs", str(jobs),
            "--format", "json"] + extra + [proj]
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    reqs = stats()["requests"]
    ok = p.returncode == 0
    findings = None
    try:
        findings = len(json.loads(p.stdout)["findings"])
    except ValueError:
        ok = False
    print("%-24s %7.3f s  %5d requests  exit %d  findings %s"
          % (label, wall, reqs, p.returncode, findings))
    if not ok:
        print("  stderr: " + p.stderr.decode("utf-8", "replace").strip()[-600:])
    return wall, reqs, ok


floor = n / jobs * latency / 1000.0
print("== age: %d packages, %d ms latency, %d jobs; latency floor %.3f s"
      % (n, latency, jobs, floor))
cold, cold_reqs, cold_ok = run("cold (empty cache)", [])
warm, warm_reqs, warm_ok = run("warm (cache covers)", [])
off, off_reqs, off_ok = run("warm --offline", ["--offline"])

results = []
ratio = cold / floor
results.append(("cold <= 1.5x floor (%.2fx)" % ratio, cold_ok and ratio <= 1.5))
results.append(("cold requests == %d (%d)" % (n, cold_reqs), cold_reqs == n))
results.append(("warm < 100 ms (%.0f ms)" % (warm * 1000), warm_ok and warm < 0.1))
results.append(("warm zero requests (%d)" % warm_reqs, warm_reqs == 0))
results.append(("offline < 100 ms (%.0f ms)" % (off * 1000), off_ok and off < 0.1))
results.append(("offline zero requests (%d)" % off_reqs, off_reqs == 0))
for label, ok in results:
    print("goal %-34s %s" % (label, "PASS" if ok else "FAIL"))
print("RESULT age: %s" % ("PASS" if all(ok for _, ok in results) else "FAIL"))
sys.exit(0)
PYEOF
