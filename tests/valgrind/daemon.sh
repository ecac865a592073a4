#!/bin/sh
# tests/valgrind/daemon.sh: squeezerd (sim backend) under valgrind, driven
# through both dialects, bad input (strict JSON too), a pipeline past the
# back-pressure mark, a client that never reads, a reserve that balloons,
# one cancelled, one abandoned by its client, a migration, a reload and a
# clean stop: no errors and no leaks, or it fails.
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
RPCC=${RPCC:-build/rpc/rpcc}
CONNS=${CONNS:-build/rpc/conns}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/vgd.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
printf 'client-idle-timeout = 2s\n' >"$T/conf"
chmod 0600 "$T/conf"
valgrind -q --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --log-file="$T/vg" \
    "$SQUEEZERD" -d --backend=sim --host "$HERE/../rpc/host-slow.json" \
    -s "$T/sock" -f "$T/conf" 2>"$T/log" &
pid=$!
send() { printf '%s\n' "$@" | "$RPCC" -t30000 -W20000 "$T/sock" >>"$T/out"; }
send '{"jsonrpc":"2.0","id":1,"method":"host.status"}' \
    '{"jsonrpc":"2.0","id":2,"method":"domain.list"}' \
    '{"method":"login","params":["d","xenopsd"],"id":1}' \
    '{"method":"reserve_memory_range","params":["d","xenopsd",262144,524288],"id":2}' \
    '{"jsonrpc":"2.0","id":3,"method":"reservation.list"}' \
    '{bad json' '[1,2]' 'null' \
    '{"jsonrpc":"2.0","id":4,"method":"reserve","params":{"kib":-1}}' \
    '{"jsonrpc":"2.0","id":5,"method":"nope"}' \
    '{"method":"reserve_memory","params":["d"],"id":1}' \
    '{"jsonrpc":"2.0","id":6,"method":"plan","params":{"kib":1048576}}' \
    '{"jsonrpc":"2.0","id":7,"method":"metrics"}' \
    '{"jsonrpc":"2.0","id":8,"method":"config.get"}' \
    '{"jsonrpc":"2.0","id":8,"id":9,"method":"host.status"}' \
    '{"jsonrpc":"2.0","id":8,"method":"host.status\u0000x"}' \
    '{"jsonrpc":"2.0","id":18446744073709551616,"method":"host.status"}'
# pipelined past the back-pressure mark; one that never reads (dropped)
"$CONNS" pipe -n 3000 "$T/sock" >>"$T/conns" 2>&1 || echo "pipe failed" >>"$T/vg"
"$CONNS" mute -n 20000 -w 30000 "$T/sock" >>"$T/conns" 2>&1 || echo "mute failed" >>"$T/vg"
# a reserve that balloons (slow host), and one cancelled by id
send '{"jsonrpc":"2.0","id":9,"method":"reserve","params":{"kib":1572864,"id":"vg1"}}'
printf '%s\n' '{"jsonrpc":"2.0","id":10,"method":"reserve","params":{"kib":3145728,"id":"vg2"}}' |
    "$RPCC" -t30000 -n 1 "$T/sock" >>"$T/out" 2>&1 &
sleep 1
send '{"jsonrpc":"2.0","id":11,"method":"reservation.cancel","params":{"id":"vg2"}}'
wait $! || true
# a client that goes away while its reserve is pending
printf '%s\n' '{"jsonrpc":"2.0","id":12,"method":"reserve","params":{"kib":3145728}}' |
    "$RPCC" -c "$T/sock" >/dev/null 2>&1 || true
sleep 1
send '{"jsonrpc":"2.0","id":13,"method":"migration.prepare","params":{"domid":1,"max-kib":99999999}}' \
    '{"jsonrpc":"2.0","id":14,"method":"migration.end","params":{"domid":1,"outcome":"aborted"}}' \
    '{"jsonrpc":"2.0","id":15,"method":"sim.domain.create"}' \
    '{"jsonrpc":"2.0","id":16,"method":"sim.xs.write","params":{"path":"/local/domain/1/memory/target","value":"garbage"}}'
kill -HUP "$pid"
sleep 1
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
n=$(grep -c '"jsonrpc"\|"id":0' "$T/out" || true)
if [ "$rc" -ne 0 ] || [ -s "$T/vg" ]; then
	echo "valgrind: squeezerd: exit $rc"
	cat "$T/vg"
	tail -20 "$T/log"
	exit 1
fi
echo "valgrind: squeezerd: $n replies, 0 errors, no leaks"
