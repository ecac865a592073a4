#!/bin/sh
# bench/switch-bench.sh: squeezerd behind xapi's message-switch (the double
# in tests/harness/switch) against the same daemon's own control socket:
#   1. get_host_reserved_memory round trips, one call after another (p50
#      and p99), through the switch and on the control socket;
#   2. a VM start's reserve (reserve_memory_range of 4 GiB) from 16 donors
#      ballooning at RATE KiB/s each, against the physical limit
#      4 GiB / (16 x RATE), through the switch and on the socket.
# The daemon runs the sim backend in real time (poll-interval 100 ms).
#
# Environment: SQUEEZERD, RPCC, JGET, SWSIM, SWCLI (the binaries), CALLS
# (2000), RATE (262144).
set -eu
cd "$(dirname "$0")/.."
SQUEEZERD=${SQUEEZERD:-./squeezerd}
RPCC=${RPCC:-build/rpc/rpcc}
JGET=${JGET:-build/rpc/jget}
SWSIM=${SWSIM:-tests/harness/switch/switch-sim}
SWCLI=${SWCLI:-tests/harness/switch/switch-client}
CALLS=${CALLS:-2000}
RATE=${RATE:-262144}

for b in "$SQUEEZERD" "$RPCC" "$JGET" "$SWSIM" "$SWCLI"; do
	if [ ! -x "$b" ]; then
		echo "switch-bench: $b: not built" >&2
		exit 2
	fi
done

T=$(mktemp -d /tmp/swb.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$SWSIM" "$T/sw" >"$T/sw.out" 2>&1 &
pids="$pids $!"
printf 'use-switch = yes\nswitch-path = %s\nboot-time-memory-file =\n' \
    "$T/sw" >"$T/conf"
chmod 600 "$T/conf"
awk -v rate="$RATE" 'BEGIN {
	printf "{ \"config\": { \"host-reserve-kib\": 73728 },\n"
	printf "  \"host\": { \"free-kib\": 73728 },\n  \"domains\": [\n"
	for (i = 1; i <= 16; i++)
		printf "    { \"domid\": %d, \"dynamic-min-kib\": 524288, " \
		    "\"dynamic-max-kib\": 2097152, \"target-kib\": 2097152, " \
		    "\"balloon\": { \"rate-kib-s\": %d } }%s\n", i, rate,
		    i < 16 ? "," : ""
	printf "  ]\n}\n"
}' >"$T/host.json"
"$SQUEEZERD" -d --backend=sim --host "$T/host.json" -s "$T/sock" \
    -f "$T/conf" 2>"$T/log" &
pids="$pids $!"
if ! printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
    "$RPCC" -q -W10000 -t10000 "$T/sock"; then
	echo "switch-bench: squeezerd did not start:" >&2
	cat "$T/log" >&2
	exit 2
fi

# 1. round trips (a short warm-up first)
"$SWCLI" -t 30000 "$T/sw" bench 50 get_host_reserved_memory >/dev/null
set -- $("$SWCLI" -t 30000 "$T/sw" bench "$CALLS" get_host_reserved_memory)
sw50=$2 sw99=$3
set -- $("$SWCLI" -t 30000 "$T/sw" native-bench "$CALLS" "$T/sock" \
    get_host_reserved_memory)
na50=$2 na99=$3
echo "get_host_reserved_memory, $CALLS calls one after another: through" \
    "the switch p50 ${sw50} us p99 ${sw99} us; control socket p50" \
    "${na50} us p99 ${na99} us"

# 2. a 4 GiB reserve: through the switch, then (balanced again) natively
settle() {
	_i=0
	while :; do
		_f=$(printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
		    "$RPCC" -t10000 "$T/sock" | "$JGET" result.free-kib)
		[ "$_f" -lt 200000 ] && break
		_i=$((_i + 1))
		if [ $_i -gt 600 ]; then
			echo "switch-bench: the host never settled" >&2
			exit 1
		fi
		sleep 0.1
	done
}
reserve='["bench","bench",4194304,4194304]'
set -- $("$SWCLI" -t 60000 "$T/sw" bench 1 reserve_memory_range "$reserve")
swr=$2
printf '%s\n' '{"method":"login","params":["b","bench"],"id":1}' |
    "$RPCC" -q -t10000 "$T/sock"
settle
set -- $("$SWCLI" -t 60000 "$T/sw" native-bench 1 "$T/sock" \
    reserve_memory_range "$reserve")
nar=$2
awk -v s="$swr" -v n="$nar" -v r="$RATE" 'BEGIN {
	limit = 4194304 / (16 * r)
	printf "reserve_memory_range 4 GiB from 16 donors at %d KiB/s each: " \
	    "through the switch %.2f s (%.2fx the physical limit %.2f s), " \
	    "control socket %.2f s (%.2fx)\n", r, s / 1e6, s / 1e6 / limit,
	    limit, n / 1e6, n / 1e6 / limit }'
