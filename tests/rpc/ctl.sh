#!/bin/sh
# tests/rpc/ctl.sh: squeezerctl against a private squeezerd on the simulated
# backend: every command in text and -j form, exit statuses, errors.
# Prints SKIP and exits 0 while "squeezerctl help" has no "status".
#
# Environment: SQUEEZERCTL, SQUEEZERD, JGET, RPCC; KEEP=1 keeps the temp
# directory.  Prints one line per case and "ctl: N passed, M failed".
set -eu
cd "$(dirname "$0")/../.."
RPCC=${RPCC:-build/rpc/rpcc}
JGET=${JGET:-build/rpc/jget}
SQUEEZERD=${SQUEEZERD:-./squeezerd}
SQUEEZERCTL=${SQUEEZERCTL:-./squeezerctl}
HERE=tests/rpc

if [ ! -x "$SQUEEZERCTL" ] ||
    ! "$SQUEEZERCTL" help 2>&1 | grep -q '^ *status'; then
	echo "ctl: SKIP ($SQUEEZERCTL help has no status command yet)"
	exit 0
fi
for b in "$RPCC" "$JGET" "$SQUEEZERD"; do
	if [ ! -x "$b" ]; then
		echo "ctl: $b: not built" >&2
		exit 2
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-ctl.XXXXXX")
S=$TMP/ctl.sock
npass=0
nfail=0
dpid=""
spid=""

cleanup() {
	for _p in $dpid $spid; do
		kill -9 "$_p" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "ctl: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf 'balance-interval = 500ms\n' >"$TMP/squeezerd.conf"
"$SQUEEZERD" -d --backend=sim --host "$HERE/host-fast.json" -s "$S" \
    -f "$TMP/squeezerd.conf" 2>"$TMP/d.log" &
dpid=$!
if ! printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
    "$RPCC" -q -W5000 -t5000 "$S" 2>>"$TMP/d.log"; then
	echo "ctl: squeezerd did not start:" >&2
	sed 's/^/  | /' "$TMP/d.log" >&2
	exit 2
fi

tcase() {
	T=$1
	TBAD=0
	: >"$TMP/why"
}

tend() {
	if [ "$TBAD" -eq 0 ]; then
		npass=$((npass + 1))
		echo "ok    $T"
	else
		nfail=$((nfail + 1))
		echo "FAIL  $T"
		cat "$TMP/why"
	fi
}

bad() {
	TBAD=$((TBAD + 1))
	{
		printf '      %s\n' "$*"
		printf '        ran:    squeezerctl %s\n' "$CMD"
		printf '        status: %s\n' "$RC"
		sed -n '1,6p' "$TMP/out" | cut -c1-200 | sed 's/^/        stdout: /'
		sed -n '1,3p' "$TMP/err" | cut -c1-200 | sed 's/^/        stderr: /'
	} >>"$TMP/why"
}

# ctl ARGS...: run squeezerctl -s SOCKET ARGS; stdout and stderr in files, status $RC.
ctl() {
	CMD="$*"
	"$SQUEEZERCTL" -s "$S" "$@" >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
}

# ctlj ARGS...: the same with -j.
ctlj() {
	CMD="-j $*"
	"$SQUEEZERCTL" -j -s "$S" "$@" >"$TMP/out" 2>"$TMP/err" && RC=0 ||
	    RC=$?
}

succeeds() {
	if [ "$RC" -ne 0 ]; then
		bad "exit status $RC, want 0"
	fi
}

# fails: a non-zero status and a message on stderr, none on stdout.
fails() {
	if [ "$RC" -eq 0 ]; then
		bad "exit status 0, want failure"
	fi
	if [ ! -s "$TMP/err" ]; then
		bad "nothing on stderr"
	fi
}

says() {
	if ! grep -Eqi -- "$1" "$TMP/out"; then
		bad "stdout does not match /$1/"
	fi
}

errsays() {
	if ! grep -Eqi -- "$1" "$TMP/err"; then
		bad "stderr does not match /$1/"
	fi
}

# j PATH: a value from the -j output (the result itself, or under
# "result" if the tool prints the whole response).
j() {
	_v=$("$JGET" -w "$1" <"$TMP/out" 2>/dev/null || true)
	if [ "$_v" = "<missing>" ]; then
		_v=$("$JGET" -w "result.$1" <"$TMP/out" 2>/dev/null || true)
	fi
	printf '%s\n' "$_v"
}

jeq() {
	_g=$(j "$1")
	if [ "$_g" != "$2" ]; then
		bad "$1 is '$_g', want '$2'"
	fi
}

UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

tcase "help lists every command"
ctl help
succeeds
for c in status domains reservations reserve transfer delete balance plan \
    call pending cancel migrate-in migrate-out migrate-end policy metrics \
    plot; do
	if ! grep -q "^ *$c" "$TMP/out"; then
		bad "help does not list $c"
	fi
done
tend

tcase "status: text and -j"
ctl status
succeeds
says free
ctlj status
succeeds
jeq total-kib 11534336
jeq host-reserve-kib 73728
jeq backend sim
tend

tcase "domains: text and -j"
ctl domains
succeeds
for d in 0 1 2 3 4; do
	if ! grep -Eq "^ *$d( |$)" "$TMP/out"; then
		bad "domain $d is not listed"
	fi
done
ctlj domains
succeeds
jeq 1.dynamic-max-kib 2097152
if [ "$("$JGET" -w -l . <"$TMP/out" 2>/dev/null)" != 5 ] &&
    [ "$("$JGET" -w -l result <"$TMP/out" 2>/dev/null)" != 5 ]; then
	bad "-j domains does not list 5 domains"
fi
tend

tcase "reserve SIZE and MIN-MAX, reservations"
ctl reserve 256M --session ctl
succeeds
says "$UUID"
ID1=$(grep -Eo "$UUID" "$TMP/out" | head -1)
ctlj reserve 64M-128M --session ctl
succeeds
jeq kib 131072
ID2=$(j id)
ctl reservations
succeeds
says "$ID1"
says "$ID2"
ctlj reservations --session ctl
succeeds
_ids=$(j '*.id' | sort | tr '\n' ' ')
if [ "$_ids" = "<missing> " ]; then
	_ids=$(j 'result.*.id' | sort | tr '\n' ' ')
fi
if [ "$_ids" != "$(printf '%s\n%s\n' "$ID1" "$ID2" | sort | tr '\n' ' ')" ]; then
	bad "-j reservations lists '$_ids', want $ID1 and $ID2"
fi
ctl reservations --session nobody
succeeds
if grep -Eq "$UUID" "$TMP/out"; then
	bad "session nobody lists a reservation"
fi
tend

tcase "call, transfer, delete"
ctl call sim.domain.create '{}'
succeeds
D=$(j domid)
if [ "$D" != 5 ]; then
	bad "call sim.domain.create gave domid '$D', want 5"
fi
ctl transfer "$ID1" "$D" --session ctl
succeeds
ctlj reservations --session ctl
if ! "$JGET" -w -a . id domid <"$TMP/out" 2>/dev/null | grep -qx "$ID1 $D" &&
    ! "$JGET" -w -a result id domid <"$TMP/out" 2>/dev/null |
    grep -qx "$ID1 $D"; then
	bad "reservation $ID1 not listed with domid $D"
fi
ctl call reservation.query "{\"domid\":$D}"
succeeds
says "$ID1"
ctl delete "$ID2" --session ctl
succeeds
ctl reservations
if grep -q "$ID2" "$TMP/out"; then
	bad "$ID2 still listed after delete"
fi
ctl call host.status
succeeds
jeq reservations 1
tend

tcase "balance, plan, config"
ctl balance
succeeds
says balanced
ctl plan
succeeds
ctlj plan 3G
succeeds
_r=$(j required-kib)
case $_r in
''|*[!0-9]*)	bad "plan 3G: required-kib is '$_r'" ;;
*)	if [ "$_r" -lt 3145728 ]; then
		bad "plan 3G: required-kib $_r < 3145728"
	fi ;;
esac
ctl plan 3G
succeeds
for d in 1 2 3 4; do
	if ! grep -Eq "^ *$d " "$TMP/out"; then
		bad "plan 3G does not move domain $d"
	fi
done
ctl config
succeeds
says 'host-reserve'
ctlj config
jeq host-reserve-kib 73728
tend

tcase "login drops a session's reservations"
ctl reserve 4M --session drop
succeeds
ctl reserve 4M --session drop
ctl login drop
succeeds
ctl reservations --session drop
if grep -Eq "$UUID" "$TMP/out"; then
	bad "session drop still has reservations after login"
fi
tend

tcase "errors: exit status and a specific message on stderr"
ctl delete nope
fails
errsays 'unknown_reservation|unknown reservation|no reservation'
ctl transfer "$ID1" 999
fails
errsays 'unknown_domain|unknown domain|no domain'
ctl reserve abc
fails
errsays 'size|abc'
ctl reserve 1G-512M
if [ "$RC" -ne 0 ]; then
	errsays 'range|min|max|size'
fi
ctl reserve 64G
fails
errsays 'cannot_free|cannot free'
ctl frobnicate
fails
errsays 'frobnicate'
ctl call no.such.method
fails
errsays 'method_not_found|no.such.method'
ctl reserve
fails
errsays 'usage|reserve'
"$SQUEEZERCTL" -s "$TMP/nonexistent.sock" status >"$TMP/out" 2>"$TMP/err" &&
    RC=0 || RC=$?
CMD="-s $TMP/nonexistent.sock status"
fails
tend

tcase "migrate-in, migrate-out, migrate-end: a round trip"
ctl migrate-in 1G --min 512M --overhead 8M --session mig
succeeds
says "^reserved [0-9]+\.[0-9] MiB for the incoming VM: $UUID\$"
MID=$(grep -Eo "$UUID" "$TMP/out" | head -1)
ctlj reservations --session mig
_k=$(j 0.kib)
case $_k in
''|*[!0-9]*)	bad "the migration's reservation has size '$_k'" ;;
*)	if [ "$_k" -lt 532480 ] || [ "$_k" -gt 1056768 ]; then
		bad "the migration reserved $_k KiB, want 520M to 1032M"
	fi ;;
esac
ctl delete "$MID" --session mig
succeeds
ctl migrate-in 1G --min 2G
fails
errsays 'dynamic-min'
ctl migrate-out 1 1G
succeeds
says '^domain 1 ballooned down to 1024\.0 MiB'
ctlj domains
jeq 1.target-kib 1048576
jeq 1.migrating-kib 1048576
ctl migrate-out 2 4G
succeeds
says '^domain 2 not ballooned'
ctl migrate-end 1 aborted
succeeds
says '^domain 1: migration aborted$'
ctl migrate-end 1 aborted
fails
errsays 'unknown_domain|not migrating'
ctl migrate-end 2 done
succeeds
says '^domain 2: migration done$'
ctl migrate-end 3 sideways
fails
errsays 'outcome'
ctl migrate-out 1
fails
errsays '^usage: squeezerctl migrate-out DOMID MAX'
ctl migrate-out x 1G
fails
errsays 'domid'
tend

tcase "policy: show it, set it, refuse an unknown one"
ctl policy
succeeds
if [ "$(cat "$TMP/out")" != proportional ]; then
	bad "policy printed '$(cat "$TMP/out")', want proportional"
fi
ctlj policy
jeq policy proportional
ctl policy proportional
succeeds
says '^policy proportional \(was proportional\)$'
ctl policy nope
fails
errsays 'unknown policy'
ctl policy a b
fails
errsays '^usage: squeezerctl policy'
tend

tcase "metrics: the text as it is"
ctl metrics
succeeds
says '^squeezerd_host_total_bytes 11811160064$'
says '^# TYPE squeezerd_reserve_seconds histogram$'
says '^squeezerd_domain_state\{domid="0",name="",state="fixed"\} 1$'
ctlj metrics
succeeds
case $(j text) in
*squeezerd_pending*)	;;
*)	bad "-j metrics has no text with squeezerd_pending" ;;
esac
tend

# ---- a second daemon on the slow host: reserves that take seconds ---------
SS=$TMP/slow.sock
"$SQUEEZERD" -d --backend=sim --host "$HERE/host-slow.json" -s "$SS" \
    -f "$TMP/squeezerd.conf" 2>"$TMP/slow.log" &
spid=$!
if ! printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
    "$RPCC" -q -W5000 -t5000 "$SS" 2>>"$TMP/slow.log"; then
	echo "ctl: squeezerd (slow host) did not start:" >&2
	sed 's/^/  | /' "$TMP/slow.log" >&2
	exit 2
fi

# ctls ARGS...: squeezerctl against the slow host's daemon.
ctls() {
	CMD="-s slow.sock $*"
	"$SQUEEZERCTL" -s "$SS" "$@" >"$TMP/out" 2>"$TMP/err" && RC=0 ||
	    RC=$?
}

# p_pending ID: the slow daemon lists ID as pending.
p_pending() {
	"$SQUEEZERCTL" -s "$SS" pending 2>/dev/null | grep -q "^$1 "
}

tcase "pending and cancel: a slow reserve listed, cancelled, its command exits 1"
"$SQUEEZERCTL" -s "$SS" reserve 8G --id ctl-slow --session c \
    >"$TMP/bg.out" 2>"$TMP/bg.err" &
_bg=$!
_i=0
while ! p_pending ctl-slow && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
ctls pending
succeeds
says '^ID +SESSION +SIZE +RUNNING +FREED/NEEDED +ELAPSED +DEADLINE-LEFT$'
says '^ctl-slow +c +8192\.0 +(yes|no) '
ctls -j pending
jeq 0.id ctl-slow
jeq 0.kib 8388608
ctls cancel ctl-slow
succeeds
says '^cancelled ctl-slow$'
_rc=0
wait "$_bg" || _rc=$?
if [ "$_rc" -ne 1 ]; then
	bad "the cancelled reserve exited $_rc, want 1"
fi
if ! grep -q '^squeezerctl: reserve: cancelled' "$TMP/bg.err"; then
	bad "the cancelled reserve said: $(cat "$TMP/bg.err")"
fi
if [ -s "$TMP/bg.out" ]; then
	bad "the cancelled reserve printed: $(cat "$TMP/bg.out")"
fi
ctls pending
if grep -q '^ctl-slow ' "$TMP/out"; then
	bad "ctl-slow still pending after cancel"
fi
ctls reservations
if grep -q 'ctl-slow' "$TMP/out"; then
	bad "the cancelled reserve left a reservation"
fi
ctls cancel ctl-slow
fails
errsays 'unknown_reservation'
ctls cancel
fails
errsays '^usage: squeezerctl cancel ID'
tend

tcase "reserve --deadline: progress lines on stderr while it waits"
ctls reserve 3G --deadline 20s --id ctl-progress --session p
succeeds
says '^reserved 3072\.0 MiB: ctl-progress$'
if ! grep -Eq '^  freed [0-9]+\.[0-9] of [0-9]+\.[0-9] MiB, [0-9]+\.[0-9]s left$' \
    "$TMP/err"; then
	bad "no progress line '  freed X of Y MiB, Zs left' on stderr"
fi
if grep -q "$(printf '\r')" "$TMP/err"; then
	bad "carriage returns on stderr that is not a terminal"
fi
ctls delete ctl-progress --session p
succeeds
ctls reserve 4M --id ctl-quiet
succeeds
if [ -s "$TMP/err" ]; then
	bad "a reserve without --deadline wrote to stderr"
fi
ctls delete ctl-quiet
tend

kill "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
spid=""

tcase "the daemon is still running"
CMD="(kill -0)"
RC=0
: >"$TMP/out"
: >"$TMP/err"
if ! kill -0 "$dpid" 2>/dev/null; then
	bad "squeezerd exited"
fi
tend

kill "$dpid" 2>/dev/null || true
wait "$dpid" 2>/dev/null || true
dpid=""
echo "ctl: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
