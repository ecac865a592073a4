#!/bin/sh
# bench/rss.sh: squeezerd's resident memory with DOMAINS simulated domains
# (sim backend), after start-up and after a round of queries and a balance.
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
RPCC=${RPCC:-build/rpc/rpcc}
DOMAINS=${DOMAINS:-1000}
T=$(mktemp -d /tmp/rss.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
awk -v n="$DOMAINS" 'BEGIN {
	printf "{ \"host\": { \"free-kib\": 1048576 },\n  \"domains\": [\n"
	for (i = 1; i <= n; i++)
		printf "    { \"domid\": %d, \"dynamic-min-kib\": 262144, " \
		    "\"dynamic-max-kib\": 1048576, \"target-kib\": 1048576 }%s\n",
		    i, i < n ? "," : ""
	printf "  ] }\n"
}' >"$T/host.json"
: >"$T/conf"
chmod 0600 "$T/conf"
"$SQUEEZERD" -d --backend=sim --host "$T/host.json" -s "$T/sock" \
    -f "$T/conf" 2>"$T/log" &
pid=$!
i=0
while [ ! -S "$T/sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"domain.list"}' \
    '{"jsonrpc":"2.0","id":2,"method":"host.status"}' \
    '{"jsonrpc":"2.0","id":3,"method":"reserve","params":{"kib":2097152}}' \
    '{"jsonrpc":"2.0","id":4,"method":"metrics"}' |
    "$RPCC" -q -t60000 "$T/sock" >/dev/null
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
awk -v n="$DOMAINS" -v a="$rss0" -v b="$rss1" -v h="$hwm" 'BEGIN {
	printf "RSS with %d domains: %.1f MiB after start, %.1f MiB after " \
	    "queries and a reserve (peak %.1f MiB; goal < 16 MiB)\n", n,
	    a / 1024, b / 1024, h / 1024 }'
