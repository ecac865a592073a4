#!/bin/sh
# tests/switch/run.sh: squeezerd as squeezed behind xapi's message-switch
# (docs/message-switch.md), end to end.  The unmodified daemon runs with
# use-switch against tests/harness/switch/switch-sim (the switch, with a
# state file, so its persistent queue outlives it), and switch-client plays
# xenopsd-xc and xapi over it, on one of two backends:
#
#   BACKEND=sim  --backend=sim: the simulated host (as tests/rpc/run.sh)
#   BACKEND=xen  --backend=xen against xsd-sim, the libxenctrl double and
#                balloon-sim (as tests/e2e/run.sh)
#
# Without BACKEND it runs once on each.  The cases, in order:
#
#   1  the switch not there at start: the control socket serves, no READY,
#      one warning however many tries; READY=1 once the queue is served
#   2  what xapi reads at start, through the switch; boot_time_memory
#   3  xenopsd's VM start and destroy through the switch
#   4  bad payloads: each answered with squeezed's Internal_error
#   5  answers in any order: a reserve that waits for balloons does not
#      hold up what comes after it
#   6  the switch killed -9 and restarted mid-reserve: reconnected, one
#      warning, the redelivered reserve not run twice, answered and acked
#   7  the daemon killed -9 mid-reserve, restarted: the request is served
#   8  SIGTERM mid-reserve withdraws it unacked; a request sent while no
#      daemon runs; both served by the next daemon
#   9  malformed switch traffic (garbage status, bad and huge
#      content-length, not JSON, a 404 on ack, dropped and lost answers,
#      a response in the queue): survived, each call still answered
#  10  SIGHUP with another queue-name, and back
#  11  squeezed's XML-RPC socket (xmlrpc-socket), for use-switch=false
#  12  a quiet period: nothing left unacked, a clean SIGTERM
#
# Environment: BACKEND, SQUEEZERD, RPCC, JGET (the binaries), KEEP=1 keeps
# the temp directory.  Prints one line per case and "switch (BACKEND): N
# passed, M failed"; exit 1 on failure, 2 when something is not built.
set -u
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)

SQUEEZERD=${SQUEEZERD:-$ROOT/squeezerd}
RPCC=${RPCC:-$ROOT/build/rpc/rpcc}
JGET=${JGET:-$ROOT/build/rpc/jget}
SWSIM=$ROOT/tests/harness/switch/switch-sim
SWCLI=$ROOT/tests/harness/switch/switch-client
XC_LIBDIR=$ROOT/tests/harness/xc/lib
XCSIM=$ROOT/tests/harness/xc/xcsim
XSINTRO=$ROOT/tests/harness/xc/xsintro
BALLOON=$ROOT/tests/harness/balloon/balloon-sim
XSDSIM=$ROOT/tests/harness/xsd/xsd-sim
Q=org.xen.xapi.memory

# ---- hooks: switch-client runs these as xenopsd's domain operations -------

hook() {
	case "$BACKEND:$1" in
	sim:create)
		printf '{"jsonrpc":"2.0","id":1,"method":"sim.domain.create","params":{"domid":%s}}\n' \
		    "$DOMID" | "$RPCC" -t10000 "$S" | grep -q '"result"' ;;
	sim:build)
		_t=$(((KIB - 1024) / 1024 * 1024))
		[ "$_t" -gt 524288 ] && _t=524288
		printf '{"jsonrpc":"2.0","id":1,"method":"sim.domain.build","params":{"domid":%s,"target-kib":%s,"dynamic-min-kib":262144,"dynamic-max-kib":524288}}\n' \
		    "$DOMID" "$_t" | "$RPCC" -t10000 "$S" | grep -q '"result"' ;;
	sim:destroy)
		printf '{"jsonrpc":"2.0","id":1,"method":"sim.domain.destroy","params":{"domid":%s}}\n' \
		    "$DOMID" | "$RPCC" -t10000 "$S" | grep -q '"result"' ;;
	xen:create)
		"$XCSIM" create "$DOMID" tot_pages=0 max_pages=0 &&
		xenstore-write "/local/domain/$DOMID/name" "sw-$DOMID" \
		    "/local/domain/$DOMID/domid" "$DOMID" &&
		xenstore-chmod "/local/domain/$DOMID" n0 "r$DOMID" &&
		"$XSINTRO" introduce "$DOMID" "$DOMID" ;;
	xen:build)
		_t=$(((KIB - 1024) / 1024 * 1024))
		[ "$_t" -gt 524288 ] && _t=524288
		"$XCSIM" set "$DOMID" tot_pages=$((_t / 4)) &&
		xenstore-write "/local/domain/$DOMID/memory/static-max" 524288 \
		    "/local/domain/$DOMID/memory/target" "$_t" \
		    "/local/domain/$DOMID/memory/dynamic-min" 262144 \
		    "/local/domain/$DOMID/memory/dynamic-max" 524288 \
		    "/local/domain/$DOMID/domain-type" pv &&
		{ "$BALLOON" -i 50 "$DOMID:normal:rate=1048576,inaccuracy=0" \
		    >>"$T/balloon-$DOMID.out" 2>&1 &
		  echo $! >"$T/balloon-$DOMID.pid"; } ;;
	xen:destroy)
		"$XCSIM" destroy "$DOMID" && "$XSINTRO" release "$DOMID" &&
		xenstore-rm "/local/domain/$DOMID" &&
		kill "$(cat "$T/balloon-$DOMID.pid")" ;;
	esac
}
case ${1:-} in
hook-*)	hook "${1#hook-}"; exit $? ;;
esac

for b in "$SQUEEZERD" "$RPCC" "$JGET" "$SWSIM" "$SWCLI"; do
	if [ ! -x "$b" ]; then
		echo "switch: $b: not built (make squeezerd build/rpc/rpcc" \
		    "build/rpc/jget harness-switch-check)" >&2
		exit 2
	fi
done

if [ -z "${BACKEND:-}" ]; then
	rc=0
	BACKEND=sim sh "$SELF" || rc=1
	if [ -e "$XC_LIBDIR/libxenctrl.so.4.17" ] && [ -x "$XSDSIM" ] &&
	    [ -x "$BALLOON" ]; then
		BACKEND=xen sh "$SELF" || rc=1
	else
		echo "switch: the xen harness is not built: BACKEND=xen skipped"
	fi
	exit $rc
fi
case $BACKEND in
sim|xen) ;;
*)	echo "switch: BACKEND=$BACKEND: sim or xen" >&2; exit 2 ;;
esac

T=$(mktemp -d /tmp/sw.XXXXXX) || exit 2	# short: sun_path < 108
S=$T/sq.sock
SW=$T/sw.sock
LOG=$T/squeezerd.log
: >"$LOG"
export BACKEND T S RPCC XCSIM XSINTRO BALLOON
export XENCTRL_SIM_STATE="$T/host.state" XENSTORED_PATH="$T/xs.sock"
unset LD_PRELOAD LD_LIBRARY_PATH NOTIFY_SOCKET
npass=0
nfail=0
PIDS=""
DPID=""
SWPID=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for f in "$T"/balloon-*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	if [ "$nfail" -ne 0 ] || [ "${KEEP:-0}" = 1 ]; then
		echo "switch ($BACKEND): logs kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bg() {
	"$@" &
	BG_PID=$!
	PIDS="$PIDS $BG_PID"
}

forget() {
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	_l=""
	for _p in $PIDS; do [ "$_p" = "$1" ] || _l="$_l $_p"; done
	PIDS=$_l
}

# until_ MS 'CONDITION': waitfor with a shell condition, evaluated anew
# each time.
until_() {
	waitfor "$1" eval "$2"
}

waitfor() {
	_n=$(($1 / 100))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -le 0 ] && return 1
		sleep 0.1
	done
}

tcase() {
	TNAME=$1
	TBAD=0
	: >"$T/why"
	TLOG0=$(wc -l <"$LOG")
}

bad() {
	TBAD=$((TBAD + 1))
	printf '      %s\n' "$*" >>"$T/why"
}

tend() {
	if [ -n "$DPID" ] && ! kill -0 "$DPID" 2>/dev/null; then
		bad "squeezerd died; restarting it"
		start_daemon >/dev/null 2>&1
	fi
	if [ "$TBAD" -eq 0 ]; then
		npass=$((npass + 1))
		echo "ok    $TNAME"
	else
		nfail=$((nfail + 1))
		echo "FAIL  $TNAME"
		cat "$T/why"
		echo "      squeezerd log during the case (last 25 lines):"
		tail -n +"$((TLOG0 + 1))" "$LOG" | tail -25 | sed 's/^/        | /'
	fi
}

# ---- the control socket, the switch --------------------------------------

n() {
	printf '{"jsonrpc":"2.0","id":1,"method":"%s","params":%s}' "$1" \
	    "${2:-{\}}"
}

q() {
	printf '%s\n' "$1" | "$RPCC" -t10000 "$S" 2>/dev/null || true
}

status_of() {
	q "$(n host.status)" | "$JGET" "result.$1" 2>/dev/null
}

# nres SESSION: how many reservations the session has.
nres() {
	q "$(n reservation.list "{\"session\":\"$1\"}")" | "$JGET" -l result \
	    2>/dev/null
}

p_running() {
	[ "$(q "$(n reservation.pending)" | "$JGET" result.0.running \
	    2>/dev/null)" = true ]
}

# diag: the switch's queues and counters (switch-sim's GET /).
diag() {
	printf 'GET / HTTP/1.1\r\ncontent-length: 0\r\n\r\n' |
	    "$SWCLI" "$SW" raw 10000 1 2>/dev/null | sed -n '/^{/p'
}

# queued: how many messages our queue holds (unacked).
queued() {
	_l=$(diag | "$JGET" -a queues name length 2>/dev/null |
	    awk -v q="$Q" '$1 == q { print $2 }')
	echo "${_l:-0}"
}

p_queued() {
	[ "$(queued)" = "$1" ]
}

stat_of() {
	diag | "$JGET" "stats.$1" 2>/dev/null
}

# call METHOD PARAMS: one v1 call through the switch; the reply in $R.
call() {
	R=$("$SWCLI" -t 30000 "$SW" call "$1" "$2" 2>"$T/cli.err") && RC=0 ||
	    RC=$?
}

fault() {
	printf 'POST /x-fault HTTP/1.1\r\ncontent-length: %d\r\n\r\n%s' \
	    "${#1}" "$1" | "$SWCLI" "$SW" raw 10000 1 >/dev/null 2>&1
}

start_switch() {
	: >"$T/sw.out"
	bg "$SWSIM" -s "$T/sw.state" -t "$T/sw.trace" "$SW" >"$T/sw.out" \
	    2>>"$T/sw.err"
	SWPID=$BG_PID
	waitfor 10000 grep -q READY "$T/sw.out"
}

cat >"$T/squeezerd.conf" <<EOF
# squeezerd.conf for the switch suite
balance-interval = 1s
stuck-after = 3s
use-switch = yes
switch-path = $SW
boot-time-memory-file = $T/xapi/boot_time_memory
EOF
chmod 600 "$T/squeezerd.conf"

# The sim host: 8 GiB, dom0 fixed, one guest that balloons at 256 MiB/s
# from 6 GiB down to 1 GiB.  A 3 GiB reserve waits a few seconds for it.
cat >"$T/host.json" <<'EOF'
{
  "config": {"host-reserve-kib": 73728},
  "host": {"free-kib": 1572864},
  "domains": [
    {"domid": 0, "dynamic-min-kib": 524288, "dynamic-max-kib": 524288,
     "target-kib": 524288, "can-balloon": false, "balloon": {"model": "none"}},
    {"domid": 1, "dynamic-min-kib": 1048576, "dynamic-max-kib": 6291456,
     "target-kib": 6291456,
     "balloon": {"model": "normal", "rate-kib-s": 262144}}
  ]
}
EOF

start_daemon() {
	echo "--- squeezerd started $(date +%T.%N)" >>"$LOG"
	if [ "$BACKEND" = sim ]; then
		bg "$SQUEEZERD" -d -v --backend=sim --host "$T/host.json" \
		    --state "$T/sim.state" -s "$S" -f "$T/squeezerd.conf" \
		    2>>"$LOG"
	else
		bg env LD_LIBRARY_PATH="$XC_LIBDIR" "$SQUEEZERD" -d -v \
		    --backend=xen -s "$S" -f "$T/squeezerd.conf" 2>>"$LOG"
	fi
	DPID=$BG_PID
	printf '%s\n' "$(n host.status)" | "$RPCC" -q -W10000 -t10000 "$S" \
	    2>>"$LOG"
}

# The same host on the xen backend: xsd-sim, the double, balloon-sim.
setup_xen() {
	cat >"$XENCTRL_SIM_STATE" <<EOF
host total_pages=$((8388608 / 4)) xen_pages=4096 nr_cpus=4 nr_nodes=1
dom 0 tot_pages=131072 max_pages=131072
EOF
	"$XCSIM" create 1 tot_pages=1572864 max_pages=1572864 || return 1
	bg "$XSDSIM" "$XENSTORED_PATH" >"$T/xsd.out" 2>&1
	waitfor 10000 grep -q READY "$T/xsd.out" || return 1
	xenstore-write /local/domain/1/name sw-1 /local/domain/1/domid 1 \
	    /local/domain/1/memory/static-max 6291456 \
	    /local/domain/1/memory/target 6291456 \
	    /local/domain/1/memory/dynamic-min 1048576 \
	    /local/domain/1/memory/dynamic-max 6291456 \
	    /local/domain/1/domain-type pv || return 1
	"$XSINTRO" introduce 1 1 || return 1
	"$BALLOON" -i 50 "1:normal:rate=262144,inaccuracy=0" \
	    >>"$T/balloon-1.out" 2>&1 &
	echo $! >"$T/balloon-1.pid"
	waitfor 10000 grep -q ready "$T/balloon-1.out"
}

# settle: the guest has grown back (the balancer gave it what earlier
# reserves freed), so a 3 GiB reserve must wait for it to balloon.
settle() {
	until_ 60000 '_f=$(status_of free-kib); [ -n "$_f" ] && [ "$_f" -lt 2097152 ] && [ "$(status_of busy)" = false ]' ||
	    bad "the host did not settle: free-kib $(status_of free-kib), busy $(status_of busy)"
}

# slow_reserve SESSION: a v1 reserve the guest must balloon for (3 GiB).
slow_reserve() {
	printf '{"method":"reserve_memory_range","params":["slow","%s",3145728,3145728],"id":1}' "$1"
}

count_log() {
	tail -n +"$((TLOG0 + 1))" "$LOG" | grep -c -- "$1"
}

# ==== 1. start-up ===========================================================

case_startup() {
	tcase "1. the switch not there at start: control socket serves, no READY, one warning; READY=1 once the queue is served"
	bg "$SWCLI" "$T/notify" notify 600000 >"$T/notify.out"
	NPID=$BG_PID
	waitfor 5000 test -S "$T/notify" || bad "the notify listener did not start"
	if [ "$BACKEND" = xen ] && ! setup_xen; then
		bad "the xen harness did not come up"
		tend
		return 1
	fi
	export NOTIFY_SOCKET=$T/notify
	if ! start_daemon; then
		unset NOTIFY_SOCKET
		bad "squeezerd did not answer host.status on its control socket within 10 s"
		tend
		return 1
	fi
	unset NOTIFY_SOCKET
	# several tries (debug lines), one warning
	if ! until_ 15000 'test "$(count_log "switch: .* connection:")" -ge 6'; then
		bad "fewer than 6 connection attempts logged (debug) in 15 s: $(count_log 'switch: .* connection:')"
	fi
	[ "$(count_log 'retrying until it is back')" = 1 ] ||
	    bad "$(count_log 'retrying until it is back') outage warnings, want 1"
	_s=$(status_of backend)
	[ "$_s" = "$BACKEND" ] || bad "host.status backend '$_s' over the control socket, want $BACKEND"
	grep -q READY=1 "$T/notify.out" 2>/dev/null &&
	    bad "READY=1 sent before the switch was there"
	start_switch || bad "switch-sim did not start"
	if ! waitfor 15000 grep -q READY=1 "$T/notify.out"; then
		bad "no READY=1 within 15 s of the switch starting"
	else
		grep READY=1 "$T/notify.out" | grep -q "switch queue $Q on $SW" ||
		    bad "READY's STATUS does not name the switch: $(grep READY "$T/notify.out")"
		# the queue exists and a transfer was posted before READY=1
		diag | grep -q "\"name\":\"$Q\"" || bad "no queue $Q on the switch"
		_t=$(stat_of transfers)
		[ "${_t:-0}" -ge 1 ] || bad "READY=1 but no transfer posted (transfers $_t)"
	fi
	until_ 10000 'test "$(count_log "serving .* again")" = 1' ||
	    bad "no 'serving $Q again' log line after the outage"
	forget "$NPID"
	tend
}

# ==== 2. xapi's start-up calls ==============================================

case_xapi() {
	tcase "2. xapi's start-up calls through the switch; boot_time_memory written, in bytes"
	_o=$("$SWCLI" -t 30000 "$SW" xapi 2>&1) || bad "switch-client xapi failed: $_o"
	_pol=$(printf '%s\n' "$_o" | awk '$1 == "get_domain_zero_policy" { print $2 }')
	_ini=$(printf '%s\n' "$_o" | awk '$1 == "get_host_initial_free_memory" { print $2 }')
	_res=$(printf '%s\n' "$_o" | awk '$1 == "get_host_reserved_memory" { print $2 }')
	_v1=$(q '{"method":"get_domain_zero_policy","params":["x"],"id":1}')
	[ "$_pol" = "$_v1" ] || bad "get_domain_zero_policy: '$_pol' over the switch, '$_v1' on the socket"
	printf '%s' "$_pol" | grep -q '"result":\["Fixed_size",[0-9]*\]' ||
	    bad "get_domain_zero_policy: '$_pol', want [\"Fixed_size\",bytes]"
	[ "$_res" = '{"result":73728,"error":null,"id":0}' ] ||
	    bad "get_host_reserved_memory: '$_res', want 73728 (KiB)"
	_b=$(printf '%s' "$_ini" | "$JGET" result 2>/dev/null)
	_f=$(cat "$T/xapi/boot_time_memory" 2>/dev/null)
	[ -n "$_b" ] && [ "$_b" = "$_f" ] ||
	    bad "get_host_initial_free_memory $_b (bytes), boot_time_memory holds '$_f'"
	[ -n "$_b" ] && [ $((_b % 1024)) = 0 ] && [ "$_b" -gt 1073741824 ] ||
	    bad "get_host_initial_free_memory $_b: not bytes of a host with GiB free"
	[ "$(stat -c %a "$T/xapi" 2>/dev/null)" = 700 ] ||
	    bad "$T/xapi: mode $(stat -c %a "$T/xapi" 2>/dev/null), want 700"
	tend
}

# ==== 3. VM start ===========================================================

case_vm_start() {
	tcase "3. xenopsd's VM start and destroy through the switch (login, reserve_memory_range, transfer, build, query, delete; balance)"
	ND=$(status_of domains)
	_o=$("$SWCLI" -t 60000 -c "sh '$SELF' hook-create" \
	    -b "sh '$SELF' hook-build" "$SW" vm-start 5 263168 525312 2>&1) ||
	    bad "vm-start failed (exit $?): $(printf '%s' "$_o" | tr '\n' ';')"
	for m in login reserve_memory_range transfer_reservation_to_domain \
	    query_reservation_of_domain delete_reservation; do
		printf '%s\n' "$_o" | grep "^$m " | grep -q '"error":null' ||
		    bad "$m: $(printf '%s\n' "$_o" | grep "^$m " | cut -c1-200)"
	done
	_rid=$(printf '%s\n' "$_o" | awk '$1 == "reserve_memory_range" { print $3 }' |
	    "$JGET" result.0 2>/dev/null)
	_q=$(printf '%s\n' "$_o" | awk '$1 == "query_reservation_of_domain" { print $3 }' |
	    "$JGET" result 2>/dev/null)
	[ -n "$_rid" ] && [ "$_rid" = "$_q" ] ||
	    bad "query_reservation_of_domain gave '$_q', reserve_memory_range '$_rid'"
	[ "$(nres xenopsd)" = 0 ] || bad "reservations left for xenopsd: $(nres xenopsd)"
	until_ 10000 'test "$(status_of domains)" = $((ND + 1))' ||
	    bad "host.status domains $(status_of domains), want $((ND + 1)) (the new dom 5 too)"
	_o=$("$SWCLI" -t 60000 -d "sh '$SELF' hook-destroy" "$SW" \
	    vm-destroy 5 2>&1) || bad "vm-destroy failed: $_o"
	printf '%s' "$_o" | grep -q '^balance_memory .*"result":null,"error":null' ||
	    bad "balance_memory: $_o"
	until_ 10000 'test "$(status_of domains)" = $ND' ||
	    bad "host.status domains $(status_of domains) after destroy, want $ND"
	tend
}

# ==== 4. bad payloads =========================================================

case_payloads() {
	tcase "4. payloads that are not v1 calls: each answered with Internal_error, never silence"
	_big=$(awk 'BEGIN { s = "x"; while (length(s) < 70000) s = s s; print s }')
	printf '%s\n' 'not json at all' \
	    '{"jsonrpc":"2.0","id":1,"method":"host.status"}' \
	    '{"method":"no_such_method","params":["x"],"id":1}' \
	    '{"method":"get_host_reserved_memory","params":"x","id":1}' \
	    '[1,2,3]' \
	    "{\"method\":\"get_diagnostics\",\"params\":[\"$_big\"],\"id\":1}" \
	    '{"method":"reserve_memory","params":["x","s",-5],"id":1}' \
	    '{"method":"get_host_reserved_memory","params":["ok"],"id":1}' |
	    "$SWCLI" -t 30000 "$SW" pipe >"$T/pay.out" 2>&1 ||
	    bad "switch-client pipe failed: $(cat "$T/pay.out")"
	for i in 1 2 3 4 5 6; do
		_l=$(awk -v i=$i '$1 == i' "$T/pay.out")
		printf '%s' "$_l" | grep -q '"result":null,"error":\["Internal_error",".*"\],"id":0}$' ||
		    bad "payload $i: '$(printf '%s' "$_l" | cut -c1-200)', want Internal_error"
	done
	grep -q '^7 [0-9]* {"result":null,"error":\["Invalid_memory_value",-5\],"id":0}$' "$T/pay.out" ||
	    bad "payload 7: $(awk '$1 == 7' "$T/pay.out"), want Invalid_memory_value"
	grep -q '^8 [0-9]* {"result":73728,"error":null,"id":0}$' "$T/pay.out" ||
	    bad "payload 8: $(awk '$1 == 8' "$T/pay.out")"
	tend
}

# ==== 5. answers in any order =================================================

case_order() {
	tcase "5. a reserve that waits for balloons does not hold up get_host_reserved_memory or query_reservation_of_domain sent after it"
	settle
	printf '%s\n' "$(slow_reserve order)" \
	    '{"method":"get_host_reserved_memory","params":["o"],"id":2}' \
	    '{"method":"query_reservation_of_domain","params":["o","order",4000],"id":3}' |
	    "$SWCLI" -t 60000 "$SW" pipe >"$T/order.out" 2>&1 ||
	    bad "switch-client pipe failed: $(cat "$T/order.out")"
	_ord=$(cut -d' ' -f1 "$T/order.out" | tr '\n' ' ')
	case $_ord in
	"2 3 1 "|"3 2 1 ") ;;
	*) bad "answers came in the order '$_ord', want 2 and 3 before 1: $(cut -c1-160 "$T/order.out" | tr '\n' ';')" ;;
	esac
	[ "$(awk '$1 == 1 { print $2 }' "$T/order.out")" -gt 500 ] ||
	    bad "the reserve was answered in $(awk '$1 == 1 { print $2 }' "$T/order.out") ms: it did not wait for the balloon"
	grep -q '^1 [0-9]* {"result":\["[0-9a-f-]*",3145728\],"error":null' "$T/order.out" ||
	    bad "the reserve: $(awk '$1 == 1' "$T/order.out")"
	grep -q '^3 [0-9]* {"result":null,"error":"No_reservation","id":0}$' "$T/order.out" ||
	    bad "query_reservation_of_domain: $(awk '$1 == 3' "$T/order.out")"
	q '{"method":"login","params":["t","order"],"id":1}' >/dev/null
	tend
}

# ==== 6. the switch killed mid-reserve ==========================================

case_switch_restart() {
	tcase "6. the switch killed -9 and restarted mid-reserve: one warning, reconnected, the redelivered reserve not run twice, answered and acked"
	settle
	printf '%s\n' "$(slow_reserve swk)" | "$SWCLI" -t 60000 "$SW" pipe \
	    >"$T/swk.out" 2>&1 &
	_cp=$!
	waitfor 20000 p_running || bad "the reserve never started running"
	forget "$SWPID"
	wait "$_cp" 2>/dev/null		# its connections died with the switch
	start_switch || bad "switch-sim did not start again"
	until_ 20000 'test "$(count_log "serving .* again")" -ge 1' ||
	    bad "the daemon did not log that it serves $Q again"
	until_ 30000 'test "$(nres swk)" = 1' ||
	    bad "reservations for session swk: $(nres swk), want 1"
	waitfor 10000 p_queued 0 || bad "$(queued) messages still unacked in $Q"
	[ "$(nres swk)" = 1 ] || bad "the reserve ran $(nres swk) times"
	count_log 'delivered again while' | grep -qv '^0$' ||
	    bad "no sign (debug log) that the redelivered reserve was recognised"
	[ "$(count_log 'retrying until it is back')" = 1 ] ||
	    bad "$(count_log 'retrying until it is back') outage warnings, want 1"
	call get_host_reserved_memory '["after"]'
	[ "$R" = '{"result":73728,"error":null,"id":0}' ] ||
	    bad "a call after the restart: '$R' ($(cat "$T/cli.err"))"
	q '{"method":"login","params":["t","swk"],"id":1}' >/dev/null
	tend
}

# ==== 7. the daemon killed mid-reserve ============================================

case_daemon_kill() {
	tcase "7. the daemon killed -9 mid-reserve and restarted: the unacked request is served by the new one"
	settle
	printf '%s\n' "$(slow_reserve dk)" | "$SWCLI" -t 90000 "$SW" pipe \
	    >"$T/dk.out" 2>&1 &
	_cp=$!
	waitfor 20000 p_running || bad "the reserve never started running"
	forget "$DPID"
	DPID=""
	p_queued 1 || bad "$(queued) messages in $Q after kill -9, want 1 (unacked)"
	start_daemon || bad "squeezerd did not start again"
	wait "$_cp" || bad "switch-client exit $?: $(cat "$T/dk.out")"
	grep -q '^1 [0-9]* {"result":\["[0-9a-f-]*",3145728\],"error":null' "$T/dk.out" ||
	    bad "the reserve: $(cat "$T/dk.out")"
	[ "$(nres dk)" = 1 ] || bad "reservations for dk: $(nres dk), want 1"
	waitfor 10000 p_queued 0 || bad "$(queued) messages still unacked"
	q '{"method":"login","params":["t","dk"],"id":1}' >/dev/null
	tend
}

# ==== 8. SIGTERM mid-reserve, and a request while no daemon runs =====================

case_sigterm() {
	tcase "8. SIGTERM mid-reserve withdraws it unacked, a request queued while no daemon runs; the next daemon serves both"
	settle
	printf '%s\n' "$(slow_reserve st)" | "$SWCLI" -t 90000 "$SW" pipe \
	    >"$T/st.out" 2>&1 &
	_cp=$!
	waitfor 20000 p_running || bad "the reserve never started running"
	kill "$DPID"
	if ! waitfor 10000 eval '! kill -0 "$DPID" 2>/dev/null'; then
		bad "squeezerd did not exit within 10 s of SIGTERM"
	fi
	wait "$DPID"
	_rc=$?
	[ "$_rc" = 0 ] || bad "squeezerd exit status $_rc after SIGTERM, want 0"
	DPID=""
	grep -q 'running requests withdrawn' "$LOG" ||
	    bad "no log line about the withdrawn request"
	p_queued 1 || bad "$(queued) messages in $Q after SIGTERM, want 1 (withdrawn, not acked)"
	printf '%s\n' '{"method":"get_host_reserved_memory","params":["q"],"id":1}' |
	    "$SWCLI" -t 90000 "$SW" pipe >"$T/q.out" 2>&1 &
	_qp=$!
	waitfor 10000 p_queued 2 || bad "$(queued) messages queued with no daemon, want 2"
	start_daemon || bad "squeezerd did not start again"
	wait "$_qp" || bad "the queued call: exit $?: $(cat "$T/q.out")"
	grep -q '^1 [0-9]* {"result":73728,"error":null,"id":0}$' "$T/q.out" ||
	    bad "the call queued while no daemon ran: $(cat "$T/q.out")"
	wait "$_cp" || bad "the reserve's client: exit $?: $(cat "$T/st.out")"
	grep -q '^1 [0-9]* {"result":\["[0-9a-f-]*",3145728\],"error":null' "$T/st.out" ||
	    bad "the withdrawn reserve, served again: $(cat "$T/st.out")"
	[ "$(nres st)" = 1 ] || bad "reservations for st: $(nres st), want 1"
	q '{"method":"login","params":["t","st"],"id":1}' >/dev/null
	tend
}

# ==== 9. malformed switch traffic ===================================================

# one_fault RULE WARNING: the rule, then two calls that must be answered;
# the fault was hit, and the daemon logged WARNING.
one_fault() {
	_f0=$(stat_of faults)
	fault "$(printf '%s\n' "$1" | sed 's| /| squeezerd:=/|')"
	call get_host_reserved_memory '["f1"]'
	[ "$R" = '{"result":73728,"error":null,"id":0}' ] ||
	    bad "$1: the first call got '$R' ($(cat "$T/cli.err"))"
	call get_host_reserved_memory '["f2"]'
	[ "$R" = '{"result":73728,"error":null,"id":0}' ] ||
	    bad "$1: the second call got '$R' ($(cat "$T/cli.err"))"
	until_ 10000 'test "$(stat_of faults)" -gt "${_f0:-0}"' ||
	    bad "$1: the fault was never hit"
	_want=$2
	[ -z "$_want" ] || until_ 10000 'test "$(count_log "$_want")" -ge 1' ||
	    bad "$1: no '$2' in the daemon's log"
	kill -0 "$DPID" 2>/dev/null || bad "$1: squeezerd died"
}

case_faults() {
	tcase "9. malformed switch traffic is logged and survived: the connection is remade, every call answered"
	one_fault "garbage /transfer" "cannot be read (Bad message)"
	one_fault "badlen /transfer" "cannot be read (Bad message)"
	one_fault "hugelen /transfer" "cannot be read (Argument list too long)"
	one_fault "shortlen /transfer" "closed before it answered"
	one_fault "body /transfer 1 this is not JSON" "a transfer that cannot be read"
	one_fault 'body /transfer 1 {"messages":{},"next":"1"}' "a transfer that cannot be read"
	one_fault "status /transfer 1 500" "status 500 to a transfer"
	one_fault "status /ack/ 1 404" "status 404 to a ack"
	one_fault "drop /response/" "closed before it answered"
	one_fault "lose /ack/" "closed before it answered"
	one_fault "delay /response/ 1 700" ""
	one_fault "garbage /response/" "cannot be read"
	# a Response where a request should be: acked, not answered
	printf 'GET /login/t:1 HTTP/1.1\r\ncontent-length: 0\r\n\r\nPOST /response/%s/x/1 HTTP/1.1\r\ncontent-length: 2\r\n\r\n{}' "$Q" |
	    "$SWCLI" "$SW" raw 10000 2 >/dev/null 2>&1
	until_ 10000 'test "$(count_log "a response, not a request: acked")" -ge 1' ||
	    bad "a Response in $Q: not logged as acked unanswered"
	waitfor 10000 p_queued 0 || bad "$(queued) messages left in $Q"
	# a switch that logs us in, then refuses every transfer at once:
	# retried ever more slowly (0.1 s, 0.2 s, 0.4 s...), not every 0.1 s
	fault "status squeezerd:=/transfer 1000 500"
	_f0=$(stat_of faults)
	_t0=$(date +%s%N)
	# the call ends the transfer parked before the fault; the next ones
	# get garbage
	call get_host_reserved_memory '["before"]'
	until_ 30000 '[ "$(stat_of faults)" -ge $((_f0 + 6)) ]' ||
	    bad "the refused transfer was not retried 6 times in 30 s"
	_ms=$((($(date +%s%N) - _t0) / 1000000))
	[ "$_ms" -ge 3000 ] ||
	    bad "6 tries in $_ms ms: the back-off does not grow (>= 3.1 s)"
	fault clear
	call get_host_reserved_memory '["after"]'
	[ "$R" = '{"result":73728,"error":null,"id":0}' ] ||
	    bad "a call once the garbage stopped: '$R' ($(cat "$T/cli.err"))"
	tend
}

# ==== 10. reload =====================================================================

case_reload() {
	tcase "10. SIGHUP with another queue-name serves that queue; back again, what waited on the old one is served"
	sed "s/^use-switch.*/&\nqueue-name = org.test.other/" \
	    "$T/squeezerd.conf" >"$T/c2" && cat "$T/c2" >"$T/squeezerd.conf"
	kill -HUP "$DPID"
	until_ 10000 'test "$(count_log "serving org.test.other")" -ge 1' ||
	    bad "not serving org.test.other after SIGHUP"
	R=$("$SWCLI" -q org.test.other -t 30000 "$SW" call \
	    get_host_reserved_memory '["r"]' 2>&1)
	[ "$R" = '{"result":73728,"error":null,"id":0}' ] ||
	    bad "a call on org.test.other: '$R'"
	printf '%s\n' '{"method":"get_host_reserved_memory","params":["w"],"id":1}' |
	    "$SWCLI" -t 60000 "$SW" pipe >"$T/w.out" 2>&1 &
	_wp=$!
	waitfor 10000 p_queued 1 || bad "the call on $Q is not waiting there"
	sed '/^queue-name/d' "$T/squeezerd.conf" >"$T/c2" &&
	    cat "$T/c2" >"$T/squeezerd.conf"
	kill -HUP "$DPID"
	wait "$_wp" || bad "the call waiting on $Q: exit $?: $(cat "$T/w.out")"
	grep -q '73728' "$T/w.out" || bad "the call waiting on $Q: $(cat "$T/w.out")"
	tend
}

# ==== 11. XML-RPC =====================================================================

# xr BODY: one POST on the XML-RPC socket, as xenopsd's http_rpc writes it;
# the answer (head and body) in $R.
xr() {
	R=$(printf 'POST /var/xapi/memory HTTP/1.1\r\nUser-agent: xenopsd\r\ncontent-length: %d\r\n\r\n%s' \
	    "${#1}" "$1" | "$SWCLI" "$T/xapi/memory" raw 30000 1 2>&1)
}

# xcall METHOD PARAM...: a methodCall with untyped values, as rpclib's.
xcall() {
	_m=$1
	shift
	_p=""
	for _v in "$@"; do _p="$_p<param><value>$_v</value></param>"; done
	xr "<?xml version=\"1.0\"?><methodCall><methodName>$_m</methodName><params>$_p</params></methodCall>"
}

ok_xml() {
	printf '%s' "$R" | grep -q "<name>Status</name><value>Success</value></member><member><name>Value</name>$1</member>" ||
	    bad "$2: $(printf '%s' "$R" | tr '\r\n' '  ' | cut -c1-400)"
}

case_xmlrpc() {
	tcase "11. XML-RPC on xmlrpc-socket (for use-switch=false hosts): xenopsd's calls, bad input, one POST a connection; off again on reload"
	printf 'xmlrpc-socket = %s\n' "$T/xapi/memory" >>"$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 10000 test -S "$T/xapi/memory" || bad "no socket $T/xapi/memory after SIGHUP"
	[ "$(stat -c %a "$T/xapi/memory" 2>/dev/null)" = 600 ] ||
	    bad "$T/xapi/memory: mode $(stat -c %a "$T/xapi/memory"), want 600"
	xcall login dbg xr
	ok_xml '<value>xr</value>' login
	xcall reserve_memory_range dbg xr 262144 262144
	ok_xml '<value><array><data><value>[0-9a-f-]*</value><value>262144</value></data></array></value>' reserve_memory_range
	_rid=$(printf '%s' "$R" | sed -n 's/.*<data><value>\([0-9a-f-]*\)<\/value>.*/\1/p')
	[ "$(nres xr)" = 1 ] || bad "reservations for xr: $(nres xr), want 1"
	xcall query_reservation_of_domain dbg xr 4000
	printf '%s' "$R" | grep -q '<value>Failure</value></member><member><name>ErrorDescription</name><value>No_reservation</value>' ||
	    bad "query_reservation_of_domain: $R"
	xcall get_host_reserved_memory dbg
	ok_xml '<value>73728</value>' get_host_reserved_memory
	xcall delete_reservation dbg xr "$_rid"
	ok_xml '<value><nil/></value>' delete_reservation
	[ "$(nres xr)" = 0 ] || bad "reservations for xr after delete: $(nres xr)"
	xr 'this is not XML'
	printf '%s' "$R" | grep -q '<value>Internal_error</value><value>parse_error: ' ||
	    bad "not XML: $R"
	R=$(printf 'GET / HTTP/1.1\r\ncontent-length: 0\r\n\r\n' |
	    "$SWCLI" "$T/xapi/memory" raw 30000 1 2>&1)
	printf '%s' "$R" | grep -q '^HTTP/1.1 404 Not Found' || bad "GET: $R"
	R=$(printf 'POST / HTTP/1.1\r\n\r\n' | "$SWCLI" "$T/xapi/memory" raw 30000 1 2>&1)
	[ -z "$R" ] || bad "no content-length: '$R', want the connection closed unanswered"
	# one request a connection: a second one on it is not read
	_b='<methodCall><methodName>get_host_reserved_memory</methodName><params><param><value>d</value></param></params></methodCall>'
	R=$(printf 'POST / HTTP/1.1\r\ncontent-length: %d\r\n\r\n%sPOST / HTTP/1.1\r\ncontent-length: %d\r\n\r\n%s' \
	    "${#_b}" "$_b" "${#_b}" "$_b" | "$SWCLI" "$T/xapi/memory" raw 30000 2 2>&1)
	[ "$(printf '%s' "$R" | grep -c '^HTTP/1.1 200')" = 1 ] ||
	    bad "two requests on one connection: $(printf '%s' "$R" | grep -c '^HTTP/1.1') answers, want 1"
	sed '/^xmlrpc-socket/d' "$T/squeezerd.conf" >"$T/c2" &&
	    cat "$T/c2" >"$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 10000 eval '! test -e "$T/xapi/memory"' ||
	    bad "$T/xapi/memory still there once xmlrpc-socket is gone"
	tend
}

# ==== 12. quiet ========================================================================

case_quiet() {
	tcase "12. a quiet period: nothing left unacked, the daemon's transfer parked; SIGTERM exits 0"
	waitfor 10000 p_queued 0 || bad "$(queued) messages unacked in $Q: $(diag | cut -c1-400)"
	sleep 1
	p_queued 0 || bad "$(queued) messages unacked in $Q after a quiet second"
	kill "$DPID"
	waitfor 10000 eval '! kill -0 "$DPID" 2>/dev/null' ||
	    bad "squeezerd did not exit within 10 s of SIGTERM"
	wait "$DPID"
	_rc=$?
	[ "$_rc" = 0 ] || bad "exit status $_rc, want 0"
	DPID=""
	grep -E 'ERROR|AddressSanitizer|runtime error' "$LOG" >/dev/null &&
	    bad "sanitizer reports in the log: $(grep -E 'ERROR|AddressSanitizer|runtime error' "$LOG" | head -3)"
	tend
}

if case_startup; then
	case_xapi
	case_vm_start
	case_payloads
	case_order
	case_switch_restart
	case_daemon_kill
	case_sigterm
	case_faults
	case_reload
	case_xmlrpc
	case_quiet
fi
echo "switch ($BACKEND): $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
