#!/bin/sh
# tests/rpc/perm.sh: the control socket's permissions.  socket-mode and
# socket-group set the socket's mode and group; SO_PEERCRED and
# SO_PEERGROUPS (the groups the client process has, not /etc/group's member
# lists) decide who may change things: root and the group, while others
# (with mode 0666) may only ask.  SIGHUP applies new ones to the socket and
# to connected clients.  Clients that are neither root nor in the group
# cannot take the last slots nor more than max-clients-per-user each, and
# idle connections are closed.  Needs root (to run clients as nobody);
# skipped otherwise.
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
SQUEEZERCTL=${SQUEEZERCTL:-./squeezerctl}
RPCC=${RPCC:-build/rpc/rpcc}
CONNS=${CONNS:-build/rpc/conns}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "perm: SKIP (needs root and setpriv)"
	exit 0
fi
T=$(mktemp -d /tmp/perm.XXXXXX)
chmod 0755 "$T"
mkdir "$T/flag"
chmod 0777 "$T/flag"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok    $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL  $1"; }
nobody() {	# as uid/gid 65534 with no other groups
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
conf() {	# conf MODE GROUP [LINE...]
	printf 'socket-mode = %s\nsocket-group = %s\n' "$1" "$2" >"$T/conf"
	shift 2
	for l; do printf '%s\n' "$l" >>"$T/conf"; done
	chmod 0600 "$T/conf"
}
start() {	# start MODE GROUP [LINE...]: with $NOFILE, that ulimit -n
	conf "$@"
	rm -f "$T/sock.sim"
	: >"$T/log"
	(
		[ -z "${NOFILE:-}" ] || ulimit -n "$NOFILE"
		exec "$SQUEEZERD" -d --backend=sim --host "$HERE/host-fast.json" \
		    -s "$T/sock" -f "$T/conf" 2>>"$T/log"
	) &
	pid=$!
	i=0
	while ! grep -q '^ready' "$T/log" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# ms LINE: the time a one-line request takes, in ms ("" if it failed)
ms() {
	printf '%s\n' "$1" | "$RPCC" -T -t10000 "$T/sock" 2>/dev/null |
	    sed -n 's/^\([0-9]*\) .*"result".*/\1/p'
}
# waitfile FILE PATTERN: until FILE has PATTERN (30 s at most)
waitfile() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}
STATUS='{"jsonrpc":"2.0","id":1,"method":"host.status"}'
RESERVE='{"jsonrpc":"2.0","id":2,"method":"reserve","params":{"kib":4096,"session":"perm"}}'
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

start 0666 root
m=$(stat -c '%a %G' "$T/sock")
[ "$m" = "666 root" ] && ok "socket-mode 0666, group root: $m" ||
    no "socket mode and group '$m', want '666 root'"
nobody "$SQUEEZERCTL" -s "$T/sock" status >/dev/null 2>&1 &&
    ok "anyone may ask (host.status as nobody)" ||
    no "host.status as nobody failed"
if nobody "$SQUEEZERCTL" -s "$T/sock" reserve 1M 2>"$T/err"; then
	no "reserve as nobody succeeded"
elif grep -q permission_denied "$T/err"; then
	ok "only root and the group may change things: $(cat "$T/err")"
else
	no "reserve as nobody: $(cat "$T/err"), want permission_denied"
fi
if ! nobody "$SQUEEZERCTL" -s "$T/sock" range 1 1G 2G 2>"$T/err" &&
    grep -q permission_denied "$T/err"; then
	ok "domain.set-range changes things too: $(cat "$T/err")"
else
	no "range as nobody: $(cat "$T/err"), want permission_denied"
fi
"$SQUEEZERCTL" -s "$T/sock" reserve 1M >/dev/null 2>&1 &&
    ok "root may reserve" || no "reserve as root failed"
stop

start 0660 nogroup
m=$(stat -c '%a %G' "$T/sock")
[ "$m" = "660 nogroup" ] && ok "socket-mode 0660, group nogroup: $m" ||
    no "socket mode and group '$m', want '660 nogroup'"
nobody "$SQUEEZERCTL" -s "$T/sock" reserve 1M >/dev/null 2>&1 &&
    ok "a member of socket-group may reserve" ||
    no "reserve as a member of nogroup failed"
stop

start 0660 root
if nobody "$SQUEEZERCTL" -s "$T/sock" status >/dev/null 2>&1; then
	no "status as nobody succeeded on a 0660 root socket"
else
	ok "others cannot even connect to a 0660 socket"
fi
stop
# ---- the client's real groups (SO_PEERGROUPS), not /etc/group's lists ----
gusers=$(getent group users | cut -d: -f3)
start 0660 users
if nobody "$SQUEEZERCTL" -s "$T/sock" status >/dev/null 2>&1; then
	no "status as nobody without group users succeeded on a 0660 users socket"
fi
if setpriv --reuid=65534 --regid=65534 --groups="$gusers" \
    "$SQUEEZERCTL" -s "$T/sock" reserve 1M >"$T/out" 2>&1; then
	ok "a supplementary group of the client's (users), not listed in /etc/group, may reserve"
else
	no "reserve as nobody with supplementary group users: $(cat "$T/out")"
fi
stop
# a user /etc/group lists in some group, running without that group
line=$(getent group | awk -F: '$4 != "" { split($4, m, ","); print $1, m[1]; exit }')
if [ -n "$line" ]; then
	lgroup=${line% *} luser=${line#* }
	luid=$(id -u "$luser") lgid=$(id -g "$luser")
	start 0666 "$lgroup"
	if setpriv --reuid="$luid" --regid="$lgid" --clear-groups \
	    "$SQUEEZERCTL" -s "$T/sock" reserve 1M >"$T/out" 2>&1; then
		no "$luser, listed in group $lgroup but not running with it, may reserve"
	elif grep -q permission_denied "$T/out"; then
		ok "$luser, listed in /etc/group's $lgroup but without it in its process: permission_denied"
	else
		no "reserve as $luser: $(cat "$T/out"), want permission_denied"
	fi
	stop
else
	echo "note  no group in /etc/group lists a member: the listed-but-absent case is not run"
fi

# ---- SIGHUP: socket-mode and socket-group of the live socket, and peers ----
start 0666 root
rm -f "$T/flag/go"
nobody "$CONNS" seq -f "$T/flag/go" -w 30000 "$T/sock" "$RESERVE" \
    "$RESERVE" >"$T/seq" 2>&1 &
seqpid=$!
if waitfile "$T/seq" permission_denied; then
	ok "before SIGHUP a nobody client of a 0666 root socket may not reserve"
else
	no "first reserve of the connected nobody client: $(cat "$T/seq")"
fi
conf 0660 nogroup
kill -HUP "$pid"
waitfile "$T/log" "reload: control socket mode" ||
    no "no reload log line: $(tail -3 "$T/log")"
m=$(stat -c '%a %G' "$T/sock")
[ "$m" = "660 nogroup" ] && ok "SIGHUP set the live socket's mode and group: $m" ||
    no "after SIGHUP the socket is '$m', want '660 nogroup'"
touch "$T/flag/go"
if wait "$seqpid" && [ "$(grep -c '"result"' "$T/seq")" -eq 1 ]; then
	ok "the connected client in the new socket-group may reserve on the same connection"
else
	no "after SIGHUP to group nogroup, the connected nobody client: $(cat "$T/seq")"
fi
conf 0660 root
kill -HUP "$pid"
i=0
while [ "$(stat -c '%G' "$T/sock")" != root ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if nobody "$SQUEEZERCTL" -s "$T/sock" status >/dev/null 2>&1; then
	no "status as nobody after SIGHUP back to 0660 root succeeded"
else
	ok "SIGHUP back to 0660 root: nobody cannot connect any more"
fi
stop

# ---- connection limits: kept slots, per-user cap, idle timeout ----
NOFILE=300 start 0666 root "max-clients-per-user = 1024" \
    "client-idle-timeout = 3s"
if grep -q 'descriptor limit 300: at most 236 clients' "$T/log"; then
	ok "descriptor limit 300: at most 236 clients (64 kept), logged at start"
else
	no "start-up log: $(head -3 "$T/log")"
fi
nobody "$CONNS" hold -w 30000 "$T/sock" >"$T/hold" 2>&1 &
hpid=$!
if waitfile "$T/hold" '^held' && grep -q 'held 207; then: .*"busy".*the last 29 are kept.*"limit":207' "$T/hold"; then
	ok "nobody holds $(head -1 "$T/hold" | cut -c1-160)"
else
	no "nobody holding connections: $(cat "$T/hold")"
fi
if setpriv --reuid=65533 --regid=65533 --clear-groups "$CONNS" hold -n 1 \
    -w 1 "$T/sock" 2>&1 | grep -q 'held 0; then: .*"busy"'; then
	ok "another unprivileged uid is refused too: the rest is kept for root"
else
	no "uid 65533 was not refused while the unprivileged slots were taken"
fi
t=$(ms "$STATUS")
if [ -n "$t" ] && [ "$t" -lt 2000 ]; then
	ok "root's host.status answered in $t ms meanwhile"
else
	no "root's host.status while nobody held every other slot: '$t' ms"
fi
if wait "$hpid"; then
	ok "nobody's idle connections closed after client-idle-timeout: $(tail -1 "$T/hold")"
else
	no "idle connections: $(tail -1 "$T/hold")"
fi
stop
NOFILE="" start 0666 root "max-clients-per-user = 5" "client-idle-timeout = 3s"
nobody "$CONNS" hold -w 30000 "$T/sock" >"$T/hold" 2>&1 &
hpid=$!
if waitfile "$T/hold" '^held' && grep -q 'held 5; then: .*"busy".*max-clients-per-user.*"limit":5' "$T/hold"; then
	ok "max-clients-per-user 5 refuses the 6th politely: $(head -1 "$T/hold" | cut -c1-160)"
else
	no "per-user cap: $(cat "$T/hold")"
fi
if setpriv --reuid=65533 --regid=65533 --clear-groups "$CONNS" hold -n 3 \
    -w 15000 "$T/sock" 2>&1 | grep -q 'held 3;'; then
	ok "another user still gets its connections"
else
	no "uid 65533 could not connect beside nobody's 5"
fi
wait "$hpid" || no "nobody's connections were not closed: $(tail -1 "$T/hold")"
stop

echo "perm: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
