#!/bin/sh
# tests/rpc/ctl.sh: squeezerctl against a private squeezerd on the simulated
# backend: every command in text and -j form, --help and --version, sizes
# and durations in and out, exit statuses (0, 1 refused or failed, 2
# usage), errors as text and as JSON, the configuration round trip through
# "squeezerd -n", the progress line on a terminal and none elsewhere.
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

# exits N: the status is N.
exits() {
	if [ "$RC" -ne "$1" ]; then
		bad "exit status $RC, want $1"
	fi
}

# quiet: nothing on stderr.
quiet() {
	if [ -s "$TMP/err" ]; then
		bad "stderr is not empty"
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

tcase "help lists every command, one a line, name first"
ctl help
succeeds
cp "$TMP/out" "$TMP/help"
for c in status domains reservations reserve transfer delete balance plan \
    call pending cancel migrate-in migrate-out migrate-end policy metrics \
    plot top login config simulate help; do
	if ! sed -n '/^commands:$/,/^$/p' "$TMP/help" | grep -q "^  $c  "; then
		bad "help does not list $c on a line of its own"
	fi
done
for o in --help --version --json --socket --unit; do
	if ! grep -q -- "$o" "$TMP/help"; then
		bad "help does not mention $o"
	fi
done
ctl --help
succeeds
if ! cmp -s "$TMP/out" "$TMP/help"; then
	bad "--help is not what help prints"
fi
ctl -h
succeeds
if ! cmp -s "$TMP/out" "$TMP/help"; then
	bad "-h is not what help prints"
fi
tend

tcase "--version and -V: the release of include/version.h, exit 0"
_v=$(sed -n 's/^#define SQUEEZERD_VERSION "\(.*\)"$/\1/p' include/version.h)
for o in --version -V; do
	ctl "$o"
	succeeds
	quiet
	if [ "$(cat "$TMP/out")" != "squeezerctl $_v" ]; then
		bad "$o printed '$(cat "$TMP/out")', want 'squeezerctl $_v'"
	fi
done
tend

tcase "help CMD and CMD --help: the command's usage and help, exit 0"
ctl help reserve
succeeds
says '^usage: squeezerctl reserve SIZE\|MIN-MAX '
says '--ttl'
cp "$TMP/out" "$TMP/help-reserve"
ctl reserve --help
succeeds
if ! cmp -s "$TMP/out" "$TMP/help-reserve"; then
	bad "reserve --help is not what help reserve prints"
fi
ctl top -h
succeeds
says '^usage: squeezerctl top '
ctl help nope
exits 2
errsays 'unknown command "nope"'
tend

tcase "status: text and -j"
ctl status
succeeds
says '^total +11\.0 GiB$'
says '^free +1\.0 GiB$'
says '^host-reserve +72 MiB$'
ctlj status
succeeds
jeq total-kib 11534336
jeq host-reserve-kib 73728
jeq backend sim
tend

tcase "domains: text and -j"
ctl domains
succeeds
says '^DOMID +DYN-MIN\(GiB\) +DYN-MAX\(GiB\) +TARGET\(GiB\) +ACTUAL\(GiB\) +MAXMEM\(GiB\) +STATE$'
says '^ +1 +1\.0 +2\.0 +2\.0 +2\.0 +2\.0 +active$'
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
says '^balanced: [0-9.]+ [KMG]iB free$'
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

tcase "errors: exit status 1 (refused, failed) or 2 (usage), a message on stderr"
ctl delete nope
fails
exits 1
errsays 'unknown_reservation|unknown reservation|no reservation'
ctl transfer "$ID1" 999
fails
exits 1
errsays 'unknown_domain|unknown domain|no domain'
ctl reserve abc
fails
exits 2
errsays 'size|abc'
ctl reserve 1G-512M
exits 2
errsays 'range|min|max|size'
ctl reserve 64G
fails
exits 1
errsays '^squeezerctl: reserve: cannot_free: needed 64\.0 GiB, [0-9.]+ [MG]iB free$'
ctl frobnicate
fails
exits 2
errsays 'frobnicate'
errsays 'status'
ctl re
exits 2
errsays 'ambiguous command "re".*reservations, reserve'
ctl call no.such.method
fails
exits 1
errsays 'method_not_found|no.such.method'
ctl reserve
fails
exits 2
errsays '^usage: squeezerctl reserve'
ctl reserve 1G --bogus
exits 2
errsays 'unknown option --bogus'
ctl reserve 1G -i 1s
exits 2
errsays 'reserve takes no option -i'
ctl status extra
exits 2
errsays '^usage: squeezerctl status$'
ctl -u X status
exits 2
errsays 'bad unit'
ctl
exits 2
errsays '^usage: squeezerctl '
"$SQUEEZERCTL" -s "$TMP/nonexistent.sock" status >"$TMP/out" 2>"$TMP/err" &&
    RC=0 || RC=$?
CMD="-s $TMP/nonexistent.sock status"
fails
exits 1
errsays 'cannot connect'
tend

tcase "-j: errors are a JSON object on stdout, nothing on stderr, same status"
ctlj reserve 64G
exits 1
quiet
jeq error.command reserve
jeq error.message cannot_free
jeq error.code -32001
jeq error.data.needed-kib 67108864
case $(j error.text) in
"cannot_free: needed 64.0 GiB, "*" free")	;;
*)	bad "error.text is '$(j error.text)'" ;;
esac
ctlj delete nope
exits 1
quiet
jeq error.message unknown_reservation
ctlj reserve
exits 2
quiet
jeq error.message usage
case $(j error.usage) in
"usage: squeezerctl reserve "*)	;;
*)	bad "error.usage is '$(j error.usage)'" ;;
esac
ctlj reserve abc
exits 2
quiet
jeq error.message usage
ctlj frobnicate
exits 2
quiet
jeq error.message usage
"$SQUEEZERCTL" -j -s "$TMP/nonexistent.sock" status >"$TMP/out" \
    2>"$TMP/err" && RC=0 || RC=$?
CMD="-j -s $TMP/nonexistent.sock status"
exits 1
quiet
jeq error.message cannot_connect
tend

tcase "sizes in: K, M, G, T, iB and fractions; a bare number is KiB"
for _s in 1.5G:1572864 1536M:1572864 1572864K:1572864 1572864:1572864 \
    0.5gib:524288 2MiB:2048 1M-2MiB:2048 1t:1073741824; do
	ctlj plan "${_s%%:*}"
	case ${_s%%:*} in
	*-*)	ctlj reserve "${_s%%:*}" --session sizes
		succeeds
		jeq kib "${_s#*:}" ;;
	*)	succeeds
		# plan aims for the size plus the host reserve (72 MiB)
		jeq required-kib "$((${_s#*:} + 73728))" ;;
	esac
done
ctl reserve 1.5G --session sizes
succeeds
ctlj reservations --session sizes
if ! j '*.kib' | grep -qx 1572864; then
	bad "reserve 1.5G: no reservation of 1572864 KiB"
fi
ctl reserve 1.5 --session sizes
exits 2
errsays 'bad size "1.5"'
ctl reserve 1P
exits 2
ctl login sizes
succeeds
tend

tcase "sizes out: a readable unit, or -u's; tables name theirs"
ctl reserve 1.5G --session out --id out-1
succeeds
says '^reserved 1\.5 GiB: out-1$'
ctl reserve 512M --session out --id out-2
succeeds
says '^reserved 512 MiB: out-2$'
ctl reservations --session out
succeeds
says '^ID +SESSION +SIZE\(GiB\) +DOMID +EXPIRES$'
says '^out-2 +out +0\.5 +- +-$'
ctl -u M reservations --session out
succeeds
says '^ID +SESSION +SIZE\(MiB\) +DOMID +EXPIRES$'
says '^out-1 +out +1536 +- +-$'
ctl -u K status
says '^total +11534336 KiB$'
ctl --unit=G status
says '^host-reserve +0\.1 GiB$'
ctl -u m domains
says 'TARGET\(MiB\)'
ctl delete out-1 --session out
succeeds
says '^deleted 1\.5 GiB: out-1$'
ctl login out
tend

tcase "durations: --ttl 10m and 1h30m; shown as 10m, not 600.0s"
ctl reserve 4M --ttl 10m --session ttl --id ttl-10m
succeeds
ctlj reservations --session ttl
_e=$(j 0.expires-in-ms)
case $_e in
''|*[!0-9]*)	bad "expires-in-ms is '$_e'" ;;
*)	if [ "$_e" -gt 600000 ] || [ "$_e" -lt 540000 ]; then
		bad "--ttl 10m expires in $_e ms"
	fi ;;
esac
ctl reservations --session ttl
says '^ttl-10m +ttl +4 +- +(10m|9m[0-9]+s)$'
ctl reserve 4M --ttl 1h30m --session ttl --id ttl-90m
succeeds
ctl reservations --session ttl
says '^ttl-90m +ttl +4 +- +(1h30m|1h29m)$'
ctl reserve 4M --ttl 0 --session ttl
exits 2
errsays 'bad ttl "0"'
ctl reserve 4M --ttl 10x --session ttl
exits 2
ctl reserve 4M --deadline 2d --session ttl
exits 2
errsays 'bad deadline "2d"'
ctl login ttl
tend

tcase "config: every line it prints is accepted by squeezerd -n"
ctl config
succeeds
says '^socket-mode = 0660$'
says '^host-reserve-kib = 72M$'
says '^migration-timeout = 1h$'
cp "$TMP/out" "$TMP/roundtrip.conf"
chmod 600 "$TMP/roundtrip.conf"
if ! "$SQUEEZERD" -n -f "$TMP/roundtrip.conf" 2>"$TMP/n.err"; then
	bad "squeezerd -n refuses what config printed: $(cat "$TMP/n.err")"
fi
"$SQUEEZERD" -nv -f "$TMP/roundtrip.conf" >"$TMP/nv.out" 2>"$TMP/n.err" ||
    bad "squeezerd -nv failed: $(cat "$TMP/n.err")"
if ! cmp -s "$TMP/roundtrip.conf" "$TMP/nv.out"; then
	bad "squeezerd -nv prints it differently: $(diff "$TMP/roundtrip.conf" "$TMP/nv.out" | head -5)"
fi
ctlj config
jeq host-reserve-kib 73728
jeq socket-mode 0660
jeq migration-timeout 1h
tend

tcase "migrate-in, migrate-out, migrate-end: a round trip"
ctl migrate-in 1G --min 512M --overhead 8M --session mig
succeeds
says "^reserved [0-9]+(\.[0-9])? [MG]iB for the incoming VM: $UUID\$"
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
exits 2
errsays 'dynamic-min'
ctl migrate-out 1 1G
succeeds
says '^domain 1 ballooned down to 1\.0 GiB \(actual [0-9.]+ GiB\); pinned until migrate-end$'
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
says '^ID +SESSION +SIZE\(GiB\) +RUNNING +FREED/NEEDED\(GiB\) +ELAPSED +DEADLINE-LEFT$'
says '^ctl-slow +c +8\.0 +(yes|no) '
ctls -u M pending
says '^ctl-slow +c +8192 +(yes|no) '
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

tcase "no progress line when stderr is not a terminal"
ctls reserve 3G --deadline 20s --id ctl-quiet --session p
succeeds
says '^reserved 3\.0 GiB: ctl-quiet$'
quiet
ctls delete ctl-quiet --session p
succeeds
ctls migrate-out 1 3G
succeeds
quiet
ctls migrate-end 1 aborted
succeeds
tend

# ontty ARGS...: run squeezerctl ARGS on a pseudo-terminal (script(1)); what
# the terminal showed, both streams, lands in $TMP/out, the status in $RC.
ontty() {
	CMD="(on a terminal) $*"
	: >"$TMP/err"
	script -qec "$SQUEEZERCTL -s $SS $*" /dev/null </dev/null \
	    >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
	tr '\r' '\n' <"$TMP/out" >"$TMP/out.lines"
}

tcase "a progress line on a terminal: reserve, migrate-out, balance"
if ! command -v script >/dev/null 2>&1; then
	echo "      (skipped: no script(1))"
else
	ontty reserve 3G --deadline 20s --id ctl-progress --session p
	succeeds
	if ! grep -Eq '^reserve \([0-9.]+m?s\): freed [0-9.]+ of [0-9.]+ [MG]iB, [0-9.]+s left' \
	    "$TMP/out.lines"; then
		bad "no line 'reserve (T): freed X of Y GiB, Zs left' on the terminal"
	fi
	if ! grep -q "$(printf '\033')\\[K" "$TMP/out"; then
		bad "the progress line is not rewritten in place"
	fi
	if ! grep -Eq 'reserved 3\.0 GiB: ctl-progress' "$TMP/out.lines"; then
		bad "no result line"
	fi
	ctls delete ctl-progress --session p
	succeeds
	ontty migrate-out 2 3G
	succeeds
	if ! grep -Eq '^migrate-out \([0-9.]+m?s\): domain 2: [0-9.]+ GiB, target 3\.0 GiB' \
	    "$TMP/out.lines"; then
		bad "no line 'migrate-out (T): domain 2: X GiB, target 3.0 GiB'"
	fi
	ctls migrate-end 2 aborted
	succeeds
	ontty balance
	succeeds
	if ! grep -Eq '^balance \([0-9.]+m?s\): [0-9]+ domains? moving, [0-9.]+ [KMG]iB free' \
	    "$TMP/out.lines"; then
		bad "no line 'balance (T): N domains moving, X free'"
	fi
fi
tend

kill "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
spid=""

# ---- a third daemon: a guest that never grows, so a balance is refused ----
RS=$TMP/refuse.sock
cat >"$TMP/refuse.json" <<'EOF2'
{
  "config": {"host-reserve-kib": 73728, "stuck-after": "500ms"},
  "host": {"free-kib": 2097152},
  "domains": [
    {"domid": 0, "dynamic-min-kib": 2097152, "dynamic-max-kib": 2097152,
     "target-kib": 2097152, "can-balloon": false, "balloon": {"model": "none"}},
    {"domid": 1, "dynamic-min-kib": 1048576, "dynamic-max-kib": 4194304,
     "target-kib": 1048576,
     "balloon": {"model": "ceiling", "limit-kib": 1048576}}
  ]
}
EOF2
"$SQUEEZERD" -d --backend=sim --host "$TMP/refuse.json" -s "$RS" \
    -f "$TMP/squeezerd.conf" 2>"$TMP/refuse.log" &
spid=$!
if ! printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
    "$RPCC" -q -W5000 -t5000 "$RS" 2>>"$TMP/refuse.log"; then
	echo "ctl: squeezerd (refusing host) did not start:" >&2
	sed 's/^/  | /' "$TMP/refuse.log" >&2
	exit 2
fi

tcase "a refused balance exits 1, as text and with -j"
CMD="-s refuse.sock balance"
"$SQUEEZERCTL" -s "$RS" balance >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
exits 1
says '^refused: [0-9.]+ [MG]iB free; domain 1 did not reach its target$'
CMD="-j -s refuse.sock balance"
"$SQUEEZERCTL" -j -s "$RS" balance >"$TMP/out" 2>"$TMP/err" && RC=0 ||
    RC=$?
exits 1
quiet
jeq outcome refused
jeq domids.0 1
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
