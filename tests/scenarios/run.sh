#!/bin/sh
# The scenario suite: every tests/scenarios/*.json runs through
# "squeezerctl simulate" and must print exactly its .out; every bad/*.json
# must be refused with exit status 2 and exactly the message in its .err.
# Usage: run.sh [--valgrind] SQUEEZERCTL
set -u
vg=""
if [ "${1:-}" = "--valgrind" ]; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all"
	shift
fi
ctl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in *.json; do
	name=${f%.json}
	if $vg "$ctl" simulate "$f" >"$tmp/out" 2>"$tmp/err" &&
	    cmp -s "$tmp/out" "$name.out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL scenario $name"
		diff -u "$name.out" "$tmp/out" | head -40
		cat "$tmp/err"
	fi
done
for f in bad/*.json; do
	name=${f%.json}
	$vg "$ctl" simulate "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] &&
	    [ "$(cat "$tmp/err")" = "$(cat "$name.err")" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc, stderr:"
		cat "$tmp/err"
		echo "expected:"
		cat "$name.err"
	fi
done
echo "scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
