#!/bin/sh
# tests/ctl/simulate.sh: "squeezerctl simulate --summary" counts what the
# guests felt as docs/scenario-pressure.md says (s2-pressure-and-churn: a
# guest without a balloon driver 1 GiB short for 100 s is 100 GiB-seconds
# of pressure; a reservation that balloons 512 MiB out is 0.5 GiB of
# churn), the VM starts of start steps, and nothing without --summary;
# "plot" draws what reporting guests use (dotted) and takes --policy.
# Usage: simulate.sh SQUEEZERCTL.  Prints "simulate: N passed, M failed".
set -u
ctl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-simulate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0

ok() {
	npass=$((npass + 1))
	echo "ok    $1"
}

no() {
	nfail=$((nfail + 1))
	echo "FAIL  $1"
	shift
	printf '      %s\n' "$@"
}

# field NAME FILE: the value of "NAME": in the summary (the JSON's end)
field() {
	sed -n '/"summary"/,$p' "$2" | sed -n "s/^ *\"$1\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" |
	    head -1
}

s2=tests/scenarios/s2-pressure-and-churn.json
s1=tests/scenarios/s1-vm-starts.json

# ---- the figures ----------------------------------------------------------
"$ctl" simulate --summary "$s2" >"$tmp/s2" 2>"$tmp/err"
got="$(field pressure-gib-s "$tmp/s2") $(field short-s "$tmp/s2")"
got="$got $(field peak-short-gib "$tmp/s2") $(field churn-gib "$tmp/s2")"
if [ "$got" = "100.000 100.0 1.000 0.500" ]; then
	ok "s2: pressure 100 GiB-s over 100 s short, peak 1 GiB, churn 0.5 GiB"
else
	no "s2: pressure 100 GiB-s over 100 s short, peak 1 GiB, churn 0.5 GiB" \
	    "got: $got" "$(cat "$tmp/err")"
fi

# the whole run's pressure is its run steps' (the reserve adds none)
steps=$(sed '/"summary"/q' "$tmp/s2" |
    sed -n 's/^ *"pressure-gib-s": \([0-9.]*\),$/\1/p' |
    awk '{ s += $1 } END { printf "%.3f", s }')
if [ "$steps" = "$(field pressure-gib-s "$tmp/s2")" ]; then
	ok "s2: the run steps' pressure adds up to the summary's"
else
	no "s2: the run steps' pressure adds up to the summary's" \
	    "steps $steps, summary $(field pressure-gib-s "$tmp/s2")"
fi

"$ctl" simulate --summary "$s1" >"$tmp/s1" 2>"$tmp/err"
got="$(field starts "$tmp/s1") $(field admitted "$tmp/s1")"
at=$(sed -n '/"admitted-at-s"/,/\]/p' "$tmp/s1" | tr -d ' \n')
if [ "$got" = "2 1" ] && [ "$at" = '"admitted-at-s":[31.7],' ]; then
	ok "s1: two starts, one admitted, at 31.7 s"
else
	no "s1: two starts, one admitted, at 31.7 s" "got: $got, $at"
fi

"$ctl" simulate "$s1" >"$tmp/plain" 2>"$tmp/err"
if ! grep -q '"summary"' "$tmp/plain" &&
    cmp -s "$tmp/plain" tests/scenarios/s1-vm-starts.out; then
	ok "without --summary: no summary, the suite's output"
else
	no "without --summary: no summary, the suite's output"
fi

"$ctl" simulate --summary --policy nosuch "$s1" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ]; then
	ok "--policy nosuch: a usage error"
else
	no "--policy nosuch: a usage error" "exit $rc" "$(cat "$tmp/err")"
fi

# ---- plot -----------------------------------------------------------------
"$ctl" plot "$s1" -o "$tmp/s1.svg" >"$tmp/out" 2>"$tmp/err"
nd=$(grep '<polyline ' "$tmp/s1.svg" | grep -c 'stroke-dasharray="1.5 3"')
if [ "$nd" -eq 3 ] && grep -q '>in use (dotted)<' "$tmp/s1.svg"; then
	ok "plot: what the three reporting guests use, dotted, in the legend"
else
	no "plot: what the three reporting guests use, dotted, in the legend" \
	    "$nd dotted lines" "$(cat "$tmp/err")"
fi

"$ctl" plot --policy proportional "$s1" -o "$tmp/p.svg" >"$tmp/out" \
    2>"$tmp/err" && grep -q 'policy proportional' "$tmp/p.svg"
rc1=$?
"$ctl" plot --policy nosuch "$s1" -o "$tmp/n.svg" >"$tmp/out" 2>"$tmp/err"
rc2=$?
if [ "$rc1" -eq 0 ] && [ "$rc2" -ne 0 ] && [ ! -e "$tmp/n.svg" ]; then
	ok "plot --policy: named in the title; an unknown one is refused"
else
	no "plot --policy: named in the title; an unknown one is refused" \
	    "exit $rc1, $rc2" "$(cat "$tmp/err")"
fi

echo "simulate: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
