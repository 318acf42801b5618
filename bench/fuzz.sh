#!/usr/bin/env bash
# The fuzzing campaign: every libFuzzer target, with ASan and UBSan, for a
# fixed time each, starting from the committed corpus.
#
#   bench/fuzz.sh [-t SECONDS] [-u] [TARGET...]
#
#   -t SECONDS   time per target (default 600: ten minutes)
#   -u           merge what each run found back into fuzz/corpus/<target>/
#                (minimised with -merge=1: only inputs that add coverage)
#   TARGET       only these targets (default: every fuzz/fuzz_*.c)
#
# Builds build-fuzz (clang, -Dfuzzing=libfuzzer, address+undefined) when it
# is not configured. Each target runs in a scratch copy of its corpus under
# bench/out/fuzz/<target>/; a crash leaves its reproducer there
# (crash-*, leak-*, timeout-*) and makes the script exit 1 at the end.
# Prints one line per target: executions, executions per second, final
# coverage (libFuzzer's `cov:` edges) and features, corpus size before and
# after, and the result. The libFuzzer log is bench/out/fuzz/<target>.log.
#
# Environment: BUILD (default build-fuzz), JOBS for ninja (default 2).
set -euo pipefail

cd "$(dirname "$0")/.."

secs=600
update=0
while getopts "t:u" opt; do
	case $opt in
	t) secs=$OPTARG ;;
	u) update=1 ;;
	*) sed -n '2,20p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

build=${BUILD:-build-fuzz}
if [ ! -f "$build/meson-private/coredata.dat" ]; then
	CC=clang meson setup "$build" -Dfuzzing=libfuzzer \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dtests=disabled -Dman=disabled >/dev/null
fi

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in fuzz/fuzz_*.c; do
		t=${f#fuzz/fuzz_}
		targets+=("${t%.c}")
	done
fi

ninja -C "$build" -j "${JOBS:-2}" $(printf 'fuzz/fuzz_%s ' "${targets[@]}") >/dev/null

out=bench/out/fuzz
mkdir -p "$out"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
printf '%-14s %12s %9s %7s %8s %7s %7s  %s\n' target execs exec/s cov ft \
	corpus0 corpus1 result
for t in "${targets[@]}"; do
	exe=$build/fuzz/fuzz_$t
	if [ ! -x "$exe" ]; then
		printf '%-14s not built (module disabled?)\n' "$t"
		failed=1
		continue
	fi
	work=$out/$t
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	if [ -d "fuzz/corpus/$t" ]; then
		cp -r "fuzz/corpus/$t/." "$work/corpus/"
	fi
	n0=$(find "$work/corpus" -type f | wc -l)
	result=ok
	# -max_len: the parsers cap their own inputs far above this; 64 KiB
	# keeps the search on structure rather than on size.
	if ! "$exe" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" "$work/corpus" \
		>"$out/$t.log" 2>&1; then
		result="CRASH: $(ls "$work/artifacts" | head -1)"
		failed=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$out/$t.log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$out/$t.log" | tail -1 | cut -d' ' -f2)
	n1=$(find "$work/corpus" -type f | wc -l)
	if [ "$update" = 1 ] && [ "$result" = ok ]; then
		# Adds to the committed corpus only the inputs that reach
		# coverage it does not (libFuzzer names them by content hash).
		mkdir -p "fuzz/corpus/$t"
		"$exe" -merge=1 -max_len=65536 "fuzz/corpus/$t" "$work/corpus" \
			>>"$out/$t.log" 2>&1 || true
		n1="$n1 ($(ls "fuzz/corpus/$t" | wc -l) kept)"
	fi
	printf '%-14s %12s %9s %7s %8s %7s %7s  %s\n' "$t" "${execs:-?}" \
		"${rate:-?}" "${cov:-?}" "${ft:-?}" "$n0" "$n1" "$result"
done
exit $failed
