#!/bin/sh
# tests/load/run.sh: squeezerd (sim backend) under load: 256 clients and
# 100,000 requests of mixed kinds beside slow and never-reading clients;
# every request answered, memory bounded (RSS printed), descriptors given
# back; past the client limit, one more connection is refused politely.
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
LOADGEN=${LOADGEN:-build/loadgen}
CLIENTS=${CLIENTS:-256}
TOTAL=${TOTAL:-100000}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/load.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok    $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL  $1"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
: >"$T/conf"
chmod 0600 "$T/conf"
"$SQUEEZERD" -d --backend=sim --host "$HERE/../rpc/host-fast.json" \
    -s "$T/sock" -f "$T/conf" 2>"$T/log" &
pid=$!
i=0
while [ ! -S "$T/sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
rss0=$(rss)
fds0=$(fds)
if "$LOADGEN" -c "$CLIENTS" -n "$TOTAL" -s 8 -q 8 "$T/sock" >"$T/out"; then
	ok "$(cat "$T/out")"
else
	no "$(cat "$T/out")"
fi
kill -0 "$pid" 2>/dev/null && ok "squeezerd still running" ||
    no "squeezerd died under load: $(tail -5 "$T/log")"
rss1=$(rss)
i=0
while [ "$(fds)" -gt "$fds0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fds1=$(fds)
[ "$fds1" -le "$fds0" ] && ok "descriptors given back: $fds0 before, $fds1 after" ||
    no "descriptors: $fds0 before, $fds1 after"
[ "$rss1" -lt $((rss0 + 65536)) ] &&
    ok "memory bounded: RSS $rss0 KiB before, $rss1 KiB after" ||
    no "RSS grew from $rss0 to $rss1 KiB"
if "$LOADGEN" -H 1024 "$T/sock" >"$T/out" 2>&1; then
	ok "$(head -c 200 "$T/out" | tr -d '\n')"
else
	no "past the client limit: $(head -c 300 "$T/out")"
fi
i=0
while [ "$(fds)" -gt "$fds0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(fds)" -le "$fds0" ] && ok "all 1025 connections closed, descriptors back to $fds0" ||
    no "descriptors after the held connections: $(fds), want $fds0"
echo "load: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
