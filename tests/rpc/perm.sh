#!/bin/sh
# tests/rpc/perm.sh: the control socket's permissions.  socket-mode and
# socket-group set the socket's mode and group; SO_PEERCRED decides who may
# change things: root and the group, while others (with mode 0666) may only
# ask.  Needs root (to run clients as nobody); skipped otherwise.
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
SQUEEZERCTL=${SQUEEZERCTL:-./squeezerctl}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "perm: SKIP (needs root and setpriv)"
	exit 0
fi
T=$(mktemp -d /tmp/perm.XXXXXX)
chmod 0755 "$T"
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
start() {	# start MODE GROUP
	printf 'socket-mode = %s\nsocket-group = %s\n' "$1" "$2" >"$T/conf"
	chmod 0600 "$T/conf"
	rm -f "$T/sock.sim"
	"$SQUEEZERD" -d --backend=sim --host "$HERE/host-fast.json" \
	    -s "$T/sock" -f "$T/conf" 2>>"$T/log" &
	pid=$!
	i=0
	while [ ! -S "$T/sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
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
echo "perm: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
