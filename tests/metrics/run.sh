#!/bin/sh
# tests/metrics/run.sh: the metrics checker (promcheck.sh) against
# expositions it must accept and ones it must refuse, each for the reason
# given; where promtool is installed (PROMTOOL, or on PATH), promtool
# must agree with it on every case marked "promtool" (the others are rules
# promtool 2.42's `check metrics` lets pass but a scrape or promlint
# refuses, or ours: base units).
set -eu
here=$(dirname "$0")
D=$(mktemp -d /tmp/promcheck-test.XXXXXX)
trap 'rm -rf "$D"' EXIT
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}
n=0 fail=0

# case NAME ok|"expected problem" promtool|ours: the exposition on stdin
case_() {
	n=$((n + 1))
	cat >"$D/in"
	if sh "$here/promcheck.sh" "$D/in" >"$D/out" 2>&1; then
		got=ok
	else
		got=bad
	fi
	if [ "$2" = ok ]; then
		[ "$got" = ok ] || { fail=$((fail + 1));
		    echo "FAIL  $1: refused"; sed 's/^/  | /' "$D/out"; return; }
	else
		if [ "$got" = ok ] || ! grep -qF -- "$2" "$D/out"; then
			fail=$((fail + 1))
			echo "FAIL  $1: wanted \"$2\", got:"
			sed 's/^/  | /' "$D/out"
			return
		fi
	fi
	if [ "$3" = promtool ] && [ -n "$PROMTOOL" ]; then
		if "$PROMTOOL" check metrics <"$D/in" >"$D/pt" 2>&1; then
			pt=ok
		else
			pt=bad
		fi
		if [ "$pt" != "$got" ]; then
			fail=$((fail + 1))
			echo "FAIL  $1: promtool says $pt, we say $got"
			sed 's/^/  | /' "$D/pt"
			return
		fi
	fi
	echo "ok    $1"
}

case_ "gauges, a counter, a histogram, escaped labels" ok promtool <<'X'
# HELP a_bytes Some bytes.
# TYPE a_bytes gauge
a_bytes 1024
a_bytes{domid="1",name="web \"01\"\\x\ny"} -2048
a_bytes{domid="2",name="café"} 1.5e+09
# HELP ops_total Operations.
# TYPE ops_total counter
ops_total 3 1700000000000
# HELP r_seconds Latency.
# TYPE r_seconds histogram
r_seconds_bucket{le="0.01"} 1
r_seconds_bucket{le="1"} 2
r_seconds_bucket{le="+Inf"} 3
r_seconds_sum 91.5
r_seconds_count 3
X
case_ "a gauge in KiB" "non-base unit: _kib" ours <<'X'
# HELP a_kib Some KiB.
# TYPE a_kib gauge
a_kib 1
X
case_ "milliseconds" "non-base unit: _ms" ours <<'X'
# HELP a_ms Time.
# TYPE a_ms gauge
a_ms 1
X
case_ "no HELP" "has no HELP" promtool <<'X'
# TYPE a_bytes gauge
a_bytes 1
X
case_ "no TYPE" "has no TYPE" ours <<'X'
# HELP a_bytes Bytes.
a_bytes 1
X
case_ "a counter without _total" "does not end in _total" promtool <<'X'
# HELP ops Operations.
# TYPE ops counter
ops 3
X
case_ "a gauge with _total" "ends in _total" promtool <<'X'
# HELP ops_total Operations.
# TYPE ops_total gauge
ops_total 3
X
case_ "camelCase" "not snake_case" promtool <<'X'
# HELP hostFree Free.
# TYPE hostFree gauge
hostFree 3
X
case_ "TYPE twice" "second TYPE" promtool <<'X'
# HELP a Bytes.
# TYPE a gauge
# TYPE a gauge
a 1
X
case_ "TYPE after the samples" "after its samples" promtool <<'X'
# HELP a A.
a 1
# TYPE a gauge
X
case_ "a family in two pieces" "not together" ours <<'X'
# HELP a A.
# TYPE a gauge
a{x="1"} 1
# HELP b B.
# TYPE b gauge
b 1
a{x="2"} 1
X
case_ "a series twice" "series twice" ours <<'X'
# HELP a A.
# TYPE a gauge
a{x="1",y="2"} 1
a{y="2",x="1"} 1
X
case_ "a bad escape" "bad escape" promtool <<'X'
# HELP a A.
# TYPE a gauge
a{x="a\tb"} 1
X
case_ "an unterminated label value" "unterminated" promtool <<'X'
# HELP a A.
# TYPE a gauge
a{x="1} 1
X
case_ "a label twice" "label x twice" promtool <<'X'
# HELP a A.
# TYPE a gauge
a{x="1",x="2"} 1
X
case_ "a bad value" "bad value" promtool <<'X'
# HELP a A.
# TYPE a gauge
a 12kB
X
case_ "a bad name" "bad sample line" promtool <<'X'
# HELP a A.
# TYPE a gauge
9a 1
X
case_ "a histogram whose buckets shrink" "below the one before" ours <<'X'
# HELP r_seconds R.
# TYPE r_seconds histogram
r_seconds_bucket{le="1"} 2
r_seconds_bucket{le="2"} 1
r_seconds_bucket{le="+Inf"} 2
r_seconds_sum 1
r_seconds_count 2
X
case_ "a histogram without +Inf" "no le=\"+Inf\"" ours <<'X'
# HELP r_seconds R.
# TYPE r_seconds histogram
r_seconds_bucket{le="1"} 2
r_seconds_sum 1
r_seconds_count 2
X
case_ "+Inf not equal to _count" "+Inf bucket 2, _count 3" ours <<'X'
# HELP r_seconds R.
# TYPE r_seconds histogram
r_seconds_bucket{le="1"} 2
r_seconds_bucket{le="+Inf"} 2
r_seconds_sum 1
r_seconds_count 3
X
printf '# HELP a A.\n# TYPE a gauge\na{x="\377"} 1\n' >"$D/case"
case_ "a label value that is not UTF-8" "not valid UTF-8" promtool <"$D/case"
printf '# HELP a A.\n# TYPE a gauge\na 1' >"$D/case"
case_ "no newline at the end" "no newline" promtool <"$D/case"
echo "promcheck: $((n - fail)) passed, $fail failed${PROMTOOL:+ (promtool: $PROMTOOL)}"
[ "$fail" -eq 0 ]
