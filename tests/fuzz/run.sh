#!/bin/sh
# tests/fuzz/run.sh SECONDS: run every libFuzzer target under build/fuzz/
# for SECONDS on a copy of its seed corpus (tests/fuzz/corpus/TARGET, so the
# tree does not change), with its dictionary, then replay its regression
# inputs (tests/fuzz/regress/TARGET/*).  Prints one line per target,
#   fuzz: TARGET N runs, 0 crashes
# and exits 1 on any crash, leak, timeout or failed replay; the inputs that
# failed are kept under build/fuzz/crashes/TARGET/ (a new one belongs in
# tests/fuzz/regress/TARGET/ once understood and fixed).
#
# Builds the targets first if one is missing ($MAKE fuzz-build).  Targets
# run $FUZZ_JOBS at a time (default: the number of CPUs); FUZZ_TARGETS
# picks some.  Scratch files go to $TMPDIR, else /dev/shm, else /tmp.
set -eu

usage() {
	echo "usage: $0 SECONDS" >&2
	exit 2
}
[ $# -eq 1 ] || usage
SECONDS_EACH=$1
case $SECONDS_EACH in
''|*[!0-9]*) usage ;;
esac
[ "$SECONDS_EACH" -ge 1 ] || usage

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
all="fuzz_rpc_line fuzz_conf fuzz_scenario fuzz_guest_values fuzz_json_strict
    fuzz_switch_http fuzz_xmlrpc"
targets=${FUZZ_TARGETS:-$all}
jobs=${FUZZ_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

for t in $targets; do
	if [ ! -x "build/fuzz/$t" ]; then
		${MAKE:-make} --no-print-directory fuzz-build >&2
		break
	fi
done

if [ -z "${TMPDIR:-}" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm
	else TMPDIR=/tmp; fi
fi
export TMPDIR
work=$(mktemp -d "$TMPDIR/squeezerd-fuzz.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Per-target limits: the longest input worth trying.
max_len() {
	case $1 in
	fuzz_rpc_line)	echo 8192 ;;
	fuzz_switch_http) echo 16384 ;;
	fuzz_xmlrpc)	echo 8192 ;;
	fuzz_scenario)	echo 8192 ;;
	fuzz_conf)	echo 4096 ;;
	fuzz_json_strict) echo 4096 ;;
	*)		echo 512 ;;
	esac
}

# fuzz TARGET: fuzz it for SECONDS_EACH; the log is $work/TARGET.log.
fuzz() {
	_t=$1
	mkdir -p "$work/$_t/corpus" "$work/$_t/art"
	if [ -d "tests/fuzz/corpus/$_t" ]; then
		cp -R "tests/fuzz/corpus/$_t/." "$work/$_t/corpus/"
	fi
	set -- -max_total_time="$SECONDS_EACH" -timeout=25 \
	    -rss_limit_mb=2048 -max_len="$(max_len "$_t")" \
	    -artifact_prefix="$work/$_t/art/" -print_final_stats=1
	[ -f "tests/fuzz/$_t.dict" ] && set -- "$@" -dict="tests/fuzz/$_t.dict"
	"build/fuzz/$_t" "$@" "$work/$_t/corpus" >"$work/$_t.log" 2>&1 &&
	    echo 0 >"$work/$_t.rc" || echo $? >"$work/$_t.rc"
}

# replay TARGET: every regression input once; the log is $work/TARGET.re.
replay() {
	_t=$1
	_n=0
	_bad=0
	: >"$work/$_t.re"
	for f in "tests/fuzz/regress/$_t"/*; do
		[ -f "$f" ] || continue
		_n=$((_n + 1))
		if ! "build/fuzz/$_t" -runs=1 "$f" >>"$work/$_t.re" 2>&1; then
			_bad=$((_bad + 1))
			echo "fuzz: $_t: regression input $f fails" >&2
			mkdir -p "build/fuzz/crashes/$_t"
			cp "$f" "build/fuzz/crashes/$_t/"
		fi
	done
	echo "$_n $_bad" >"$work/$_t.renum"
}

# Fuzz in batches of $jobs.
set -- $targets
while [ $# -gt 0 ]; do
	pids=""
	i=0
	while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
		fuzz "$1" &
		pids="$pids $!"
		i=$((i + 1))
		shift
	done
	for p in $pids; do wait "$p" || :; done
	pids=""
done

failed=0
for t in $targets; do
	replay "$t"
	rc=$(cat "$work/$t.rc")
	runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
	    "$work/$t.log" | tail -n 1)
	crashes=0
	for a in "$work/$t/art"/*; do
		[ -f "$a" ] || continue
		crashes=$((crashes + 1))
		mkdir -p "build/fuzz/crashes/$t"
		cp "$a" "build/fuzz/crashes/$t/"
		echo "fuzz: $t: $(basename "$a") kept in" \
		    "build/fuzz/crashes/$t/" >&2
	done
	[ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
	read -r nre badre <"$work/$t.renum"
	echo "fuzz: $t ${runs:-0} runs, $((crashes + badre)) crashes"
	if [ "$crashes" -gt 0 ]; then
		echo "--- $t (exit $rc), the end of its log:" >&2
		grep -v '^INFO:' "$work/$t.log" | tail -n 40 >&2
		failed=1
	fi
	if [ "$badre" -gt 0 ]; then
		echo "--- $t regression replays ($badre of $nre fail):" >&2
		grep -v '^INFO:' "$work/$t.re" | tail -n 40 >&2
		failed=1
	fi
done
exit $failed
