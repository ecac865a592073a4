#!/bin/sh
# Time "squeezerctl simulate" on a generated 10,000-domain scenario:
# parse, a reserve that squeezes every domain, a balance, JSON output.
set -eu
ctl=$1
n=${2:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$n" 'BEGIN {
	printf "{ \"host\": { \"free-kib\": 0 },\n  \"domains\": [\n"
	for (i = 1; i <= n; i++) {
		min = (1 + i % 4) * 1048576; max = min + (1 + i % 4) * 524288
		printf "    { \"domid\": %d, \"dynamic-min-kib\": %d, " \
		    "\"dynamic-max-kib\": %d, \"target-kib\": %d }%s\n",
		    i, min, max, max, i < n ? "," : ""
	}
	printf "  ],\n  \"steps\": [ { \"op\": \"reserve\", \"kib\": %d },\n", n * 262144
	printf "    { \"op\": \"balance\" } ]\n}\n"
}' > "$tmp/s.json"
start=$(date +%s%N)
"$ctl" simulate "$tmp/s.json" > "$tmp/out"
end=$(date +%s%N)
grep -q '"outcome": "success"' "$tmp/out"
printf 'squeezerctl simulate, %d domains (reserve + balance): %d ms wall\n' \
    "$n" $(( (end - start) / 1000000 ))
