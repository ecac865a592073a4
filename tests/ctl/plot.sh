#!/bin/sh
# tests/ctl/plot.sh: "squeezerctl plot" draws tests/scenarios/demo-12-guests.json
# as a well-formed SVG: its tags balance (xmllint is not at hand: an awk
# check), one <polyline> per series (each domain's target and actual, and
# the host's free memory), a legend entry per domain, tick labels in GiB and
# seconds; the default output name; errors on stderr with exit status 1.
# Usage: plot.sh SQUEEZERCTL.  Prints "plot: N passed, M failed".
set -u
ctl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-plot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0
scen=tests/scenarios/demo-12-guests.json

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

# balanced FILE: every start tag closed by its own end tag, in order, one
# root; prints what is wrong.
balanced() {
	awk '
	BEGIN { RS = "<"; depth = 0; roots = 0 }
	NR == 1 { next }
	{
		tag = $0
		sub(/>.*/, "", tag)
		if (tag ~ /^[?!]/)
			next
		if (tag ~ /^\//) {
			name = substr(tag, 2)
			sub(/[ \t\n].*/, "", name)
			if (depth == 0 || stack[depth] != name) {
				printf "</%s> closes <%s>\n", name, stack[depth]
				bad = 1
				exit
			}
			depth--
			next
		}
		name = tag
		sub(/[ \t\n\/].*/, "", name)
		if (tag ~ /\/$/) {
			if (depth == 0)
				roots++
			next
		}
		if (depth == 0)
			roots++
		stack[++depth] = name
	}
	END {
		if (bad)
			exit 1
		if (depth != 0) {
			printf "<%s> never closed\n", stack[depth]
			exit 1
		}
		if (roots != 1) {
			printf "%d root elements\n", roots
			exit 1
		}
	}' "$1"
}

ndoms=$(grep -c '"domid"' "$scen")

# ---- a chart --------------------------------------------------------------
"$ctl" plot "$scen" -o "$tmp/demo.svg" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$tmp/demo.svg" ] || [ -s "$tmp/err" ]; then
	no "plot $scen -o: exit 0, a file, nothing on stderr" "exit $rc" \
	    "$(head -3 "$tmp/err")"
else
	ok "plot $scen -o: exit 0, a file, nothing on stderr"
fi

why=$(balanced "$tmp/demo.svg")
if [ $? -eq 0 ] && head -1 "$tmp/demo.svg" | grep -q '^<?xml ' &&
    grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$tmp/demo.svg" &&
    [ "$(tail -1 "$tmp/demo.svg")" = "</svg>" ]; then
	ok "well-formed: XML declaration, one <svg> root, tags balanced"
else
	no "well-formed: XML declaration, one <svg> root, tags balanced" \
	    "${why:-no declaration, or not an svg root}"
fi

np=$(grep -c '<polyline ' "$tmp/demo.svg")
nd=$(grep '<polyline ' "$tmp/demo.svg" | grep -c 'stroke-dasharray')
ne=$(grep '<polyline ' "$tmp/demo.svg" | grep -c 'points=""')
if [ "$np" -eq $((2 * ndoms + 1)) ] && [ "$nd" -eq "$ndoms" ] &&
    [ "$ne" -eq 0 ]; then
	ok "one polyline per series: $ndoms targets (dashed), $ndoms actuals, host free"
else
	no "one polyline per series" "$np polylines ($nd dashed, $ne empty), want $((2 * ndoms + 1)) ($ndoms dashed)"
fi

# every point inside the viewBox
bad=$(sed -n 's/.*<polyline .*points="\([^"]*\)".*/\1/p' "$tmp/demo.svg" |
    tr ' ' '\n' | awk -F, 'NF != 2 || $1 < 0 || $1 > 960 || $2 < 0 ||
    $2 > 540 { n++ } END { print n + 0 }')
if [ "$bad" -eq 0 ]; then
	ok "every point x,y within the 960x540 chart"
else
	no "every point x,y within the 960x540 chart" "$bad points outside"
fi

miss=""
i=0
while [ "$i" -lt "$ndoms" ]; do
	grep -q ">domain $i</text>" "$tmp/demo.svg" || miss="$miss $i"
	i=$((i + 1))
done
for t in '>host free<' '>target (dashed)<' '>actual (solid)<' '>16 GiB<' \
    '>0<' '>10 s<' '>simulated time<' '>memory<'; do
	grep -qF "$t" "$tmp/demo.svg" || miss="$miss $t"
done
if [ -z "$miss" ]; then
	ok "legend (each domain, host free, line styles), GiB and second ticks"
else
	no "legend and ticks" "missing:$miss"
fi

# distinct colours, one per domain
nc=$(grep '<polyline ' "$tmp/demo.svg" | sed 's/.*stroke="\(#[0-9a-f]*\)".*/\1/' |
    sort -u | wc -l)
if [ "$nc" -eq $((ndoms + 1)) ]; then
	ok "$((ndoms + 1)) colours: one per domain and the host's"
else
	no "one colour per domain" "$nc colours, want $((ndoms + 1))"
fi

# ---- the default output name, errors --------------------------------------
cp "$scen" "$tmp/x.json"
if "$ctl" plot "$tmp/x.json" >"$tmp/out" 2>"$tmp/err" &&
    [ -s "$tmp/x.svg" ] && balanced "$tmp/x.svg" >/dev/null; then
	ok "default output: FILE.json -> FILE.svg"
else
	no "default output: FILE.json -> FILE.svg" "$(cat "$tmp/err")"
fi

printf '{"domains": [' >"$tmp/bad.json"
"$ctl" plot "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q '^squeezerctl: plot: .*bad.json' "$tmp/err" &&
    [ ! -e "$tmp/bad.svg" ]; then
	ok "malformed scenario: one line on stderr, exit 1, no file"
else
	no "malformed scenario: one line on stderr, exit 1, no file" \
	    "exit $rc" "$(cat "$tmp/err")"
fi

"$ctl" plot >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^usage: squeezerctl plot FILE' "$tmp/err"; then
	ok "no FILE: the usage line, exit 2"
else
	no "no FILE: the usage line, exit 2" "exit $rc" "$(cat "$tmp/err")"
fi

"$ctl" plot "$scen" -o "$tmp/no/such/dir.svg" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'cannot create' "$tmp/err"; then
	ok "unwritable output: exit 1, says so"
else
	no "unwritable output: exit 1, says so" "exit $rc" "$(cat "$tmp/err")"
fi

# a long trace (a day of a workload, 15 MB): linear, not quadratic (sscanf
# measured the rest of the trace at every domain of every line: minutes)
long=bench/workloads/mixed.json
if [ -e "$long" ]; then
	timeout 120 "$ctl" plot --policy pressure "$long" -o "$tmp/long.svg" \
	    >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && balanced "$tmp/long.svg" >/dev/null; then
		ok "a day's trace ($long) drawn within 120 s"
	else
		no "a day's trace ($long) drawn within 120 s" "exit $rc" \
		    "$(cat "$tmp/err")"
	fi
fi

echo "plot: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
