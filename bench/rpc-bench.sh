#!/bin/sh
# bench/rpc-bench.sh: host.status round trips on a private squeezerd (sim
# backend), first on an idle daemon, then while a reserve is pending.  The
# host's balloons are slow (64 MiB/s) so the 32 GiB reserve stays pending
# for about a minute, longer than the measurement.
#
# Environment: RPC_BENCH, RPCC, SQUEEZERD (the binaries), CLIENTS (64),
# REQUESTS per client (2000), RESERVE_KIB (33554432), RATE per client (250).
set -eu
cd "$(dirname "$0")/.."
RPC_BENCH=${RPC_BENCH:-build/rpc/rpc-bench}
RPCC=${RPCC:-build/rpc/rpcc}
SQUEEZERD=${SQUEEZERD:-./squeezerd}
CLIENTS=${CLIENTS:-64}
REQUESTS=${REQUESTS:-2000}
RESERVE_KIB=${RESERVE_KIB:-33554432}
RATE=${RATE:-250}

for b in "$RPC_BENCH" "$RPCC" "$SQUEEZERD"; do
	if [ ! -x "$b" ]; then
		echo "rpc-bench: $b: not built" >&2
		exit 2
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-bench.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

: >"$TMP/squeezerd.conf"
"$SQUEEZERD" -d --backend=sim --host bench/rpc-bench-host.json \
    -s "$TMP/sock" -f "$TMP/squeezerd.conf" 2>"$TMP/log" &
pid=$!
if ! printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
    "$RPCC" -q -W5000 -t5000 "$TMP/sock"; then
	echo "rpc-bench: squeezerd did not start:" >&2
	cat "$TMP/log" >&2
	exit 2
fi

# Each client at RATE requests/s (a steady load: the goal, p99 < 1 ms), then
# back to back (saturation: the latency is then mostly queueing behind the
# other clients, on the same two CPUs as the daemon).
rc=0
for rate in "$RATE" 0; do
	"$RPC_BENCH" -c "$CLIENTS" -n "$REQUESTS" -r "$rate" "$TMP/sock" ||
	    rc=1
	"$RPC_BENCH" -c "$CLIENTS" -n "$REQUESTS" -r "$rate" \
	    -R "$RESERVE_KIB" "$TMP/sock" || rc=1
done

# 256 clients at 50 requests/s each (#7's goal: p99 < 1 ms at 256 clients)
ulimit -n 4096 2>/dev/null || true
"$RPC_BENCH" -c 256 -n 500 -r 50 "$TMP/sock" || rc=1
"$RPC_BENCH" -c 256 -n 500 -r 50 -R "$RESERVE_KIB" "$TMP/sock" || rc=1

kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""
exit $rc
