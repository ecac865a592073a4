#!/bin/sh
# tests/repeat.sh [-n RUNS] [-l LOAD] [-t MINUTES]: the README's test command,
# `make check`, RUNS times (default 5), each from a fresh clone of HEAD, with
# LOAD (default 2) CPU-bound processes running beside it the whole time, as
# on someone else's busy machine.  Each run is bounded (MINUTES, default
# 30); the load stops with the script.  Prints one line per run and
# "repeat: N passed, M failed"; the logs of failed runs are kept (their
# paths printed).  Exit status 1 when any run failed.
set -eu
RUNS=5
LOAD=2
MINUTES=30
while getopts n:l:t: o; do
	case $o in
	n)	RUNS=$OPTARG ;;
	l)	LOAD=$OPTARG ;;
	t)	MINUTES=$OPTARG ;;
	*)	echo "usage: tests/repeat.sh [-n runs] [-l load] [-t minutes]" >&2
		exit 2 ;;
	esac
done
top=$(git rev-parse --show-toplevel)
T=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-repeat.XXXXXX")
burners=""
cleanup() {
	for p in $burners; do
		kill "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The load: busy loops, bounded by the longest the runs may take.
i=0
while [ "$i" -lt "$LOAD" ]; do
	timeout $((RUNS * MINUTES * 60 + 60)) sh -c 'while :; do :; done' &
	burners="$burners $!"
	i=$((i + 1))
done

pass=0
fail=0
run=1
while [ "$run" -le "$RUNS" ]; do
	d=$T/run$run
	git clone -q "$top" "$d"
	t0=$(date +%s)
	if (cd "$d" && timeout $((MINUTES * 60)) make check) >"$d.log" 2>&1; then
		pass=$((pass + 1))
		echo "repeat: run $run passed in $(( $(date +%s) - t0 )) s"
		rm -rf "$d" "$d.log"
	else
		fail=$((fail + 1))
		echo "repeat: run $run FAILED after $(( $(date +%s) - t0 )) s (log $d.log):"
		grep -E '^(FAIL|not ok)|failed|lost|Error [0-9]' "$d.log" |
		    grep -v ' 0 failed' | head -20 | sed 's/^/  | /'
		rm -rf "$d"
	fi
	run=$((run + 1))
done
echo "repeat: $pass passed, $fail failed ($RUNS runs of make check from a fresh clone, $LOAD busy loops beside)"
[ "$fail" -eq 0 ] && rm -rf "$T"
[ "$fail" -eq 0 ]
