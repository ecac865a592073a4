#!/bin/sh
# bench/reserve-limit.sh: how close a reserve comes to the physical limit.
# 16 donors balloon at RATE KiB/s each; a 4 GiB reserve cannot be faster
# than 4 GiB / (16 x RATE).  Runs the engine in the simulator (virtual
# clock, poll-interval 100 ms) and prints the reserve's time beside it.
set -eu
SQUEEZERCTL=${SQUEEZERCTL:-./squeezerctl}
RATE=${RATE:-262144}
T=$(mktemp -d /tmp/rl.XXXXXX)
trap 'rm -rf "$T"' EXIT
awk -v rate="$RATE" 'BEGIN {
	printf "{ \"config\": { \"host-reserve-kib\": 73728 },\n"
	printf "  \"host\": { \"free-kib\": 73728 },\n  \"domains\": [\n"
	for (i = 1; i <= 16; i++)
		printf "    { \"domid\": %d, \"dynamic-min-kib\": 524288, " \
		    "\"dynamic-max-kib\": 2097152, \"target-kib\": 2097152, " \
		    "\"balloon\": { \"rate-kib-s\": %d } }%s\n", i, rate,
		    i < 16 ? "," : ""
	printf "  ],\n  \"steps\": [ { \"op\": \"reserve\", \"kib\": 4194304 } ]\n}\n"
}' >"$T/s.json"
"$SQUEEZERCTL" simulate "$T/s.json" >"$T/out"
secs=$(sed -n 's/.*"elapsed-s": *\([0-9.]*\).*/\1/p' "$T/out" | head -1)
outcome=$(sed -n 's/.*"outcome": *"\([a-z_]*\)".*/\1/p' "$T/out" | head -1)
awk -v s="$secs" -v r="$RATE" -v o="$outcome" 'BEGIN {
	limit = 4194304 / (16 * r)
	printf "reserve 4 GiB from 16 donors at %d KiB/s each: %s in %.2f s; " \
	    "physical limit %.2f s; %.2fx (goal: <= 1.2x + 0.2 s = %.2f s)\n",
	    r, o, s, limit, s / limit, 1.2 * limit + 0.2 }'
