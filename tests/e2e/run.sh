#!/bin/sh
# tests/e2e/run.sh: the end-to-end suite.  Runs the unmodified production
# `squeezerd -d --backend=xen` against a real xenstore server and the
# libxenctrl test double, with balloon-sim playing the guests' balloon
# drivers and this script playing the toolstack (xenopsd):
#
#   XSD=real  Debian's /usr/lib/xen-4.17/bin/xenstored under xsd-shim.so
#   XSD=sim   tests/harness/xsd/xsd-sim (also used for fault injection)
#
# Without XSD the suite runs once against each server that is available.
# See docs/xen-test-harness.md and docs/squeezed-reference.md sections 3
# and 8 for what is expected of the daemon.  The cases, in order, on one
# simulated 4 GiB host (each asserts outcomes in xenstore, in the simulated
# hypervisor and over RPC, with bounded waits):
#
#   start-up  guests seen, dom0 left out, memory-offset calibrated, balanced
#   1         xenopsd's VM start in squeezed v1 (reference 8.2)
#   2a-2c     dynamic range changes with balance_memory / balance
#   3a, 3b    a reserve that needs ballooning; one refused by a stuck guest
#   4         a domain destroyed between transfer and delete
#   5         kill -9 of squeezerd with reservations
#   6a, 6a'   kill -9 of the xenstore server (empty store), re-created keys
#   6b-6c     xsd-sim only: dropped connections, EAGAIN on commits
#   7, 8      no hypervisor (real libxenctrl); ldd and the double's symbols
#
# Tools: build/rpc/rpcc and build/rpc/jget (tests/rpc), build/e2e/xsctl
# (tests/e2e/xsctl.c: XS_CONTROL for xsd-sim's fault injection), and the
# harness of tests/harness (make harness-xc tests/harness/xsd/xsd-sim).
#
# Environment: XSD=real|sim, SQUEEZERD, RPCC, JGET, XSCTL (the binaries),
# KEEP=1 keeps the temp directory even when everything passed, VERBOSE=1
# adds -v to the daemon's command line (debug lines in its log).
# Prints one line per case and "e2e (SERVER): N passed, M failed"; exit 1
# on failure, 2 when something is not built.  The temp directory (daemon,
# xenstored and balloon-sim logs) is kept when a case fails.
set -u
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)

RPCC=${RPCC:-$ROOT/build/rpc/rpcc}
JGET=${JGET:-$ROOT/build/rpc/jget}
XSCTL=${XSCTL:-$ROOT/build/e2e/xsctl}
SQUEEZERD=${SQUEEZERD:-$ROOT/squeezerd}
XC_LIBDIR=$ROOT/tests/harness/xc/lib
XCSIM=$ROOT/tests/harness/xc/xcsim
XSINTRO=$ROOT/tests/harness/xc/xsintro
CHECKSYMS=$ROOT/tests/harness/xc/check-symbols.sh
BALLOON=$ROOT/tests/harness/balloon/balloon-sim
SHIM=$ROOT/tests/harness/shim/xsd-shim.so
XSDSIM=$ROOT/tests/harness/xsd/xsd-sim
XENSTORED=${XENSTORED:-/usr/lib/xen-4.17/bin/xenstored}

for b in "$RPCC" "$JGET" "$XSCTL" "$SQUEEZERD" "$XC_LIBDIR/libxenctrl.so.4.17" \
    "$XCSIM" "$XSINTRO" "$BALLOON" "$XSDSIM"; do
	if [ ! -e "$b" ]; then
		echo "e2e: $b: not built (make harness-xc" \
		    "tests/harness/xsd/xsd-sim build/rpc/rpcc build/rpc/jget" \
		    "build/e2e/xsctl squeezerd)" >&2
		exit 2
	fi
done

# ---- one run per server ------------------------------------------------

if [ -z "${XSD:-}" ]; then
	rc=0
	if [ -x "$XENSTORED" ] && [ -e "$SHIM" ]; then
		XSD=real sh "$SELF" || rc=1
	else
		echo "e2e: $XENSTORED or $SHIM missing: real xenstored skipped"
	fi
	XSD=sim sh "$SELF" || rc=1
	exit $rc
fi
case $XSD in
real)	if [ ! -x "$XENSTORED" ] || [ ! -e "$SHIM" ]; then
		echo "e2e: XSD=real needs $XENSTORED and $SHIM" >&2
		exit 2
	fi ;;
sim)	;;
*)	echo "e2e: XSD=$XSD: real or sim" >&2
	exit 2 ;;
esac

# A short path: sun_path is at most 107 bytes.
T=$(mktemp -d /tmp/e2e.XXXXXX) || exit 2
S=$T/sq.sock
LOG=$T/squeezerd.log
: >"$LOG"
export XENCTRL_SIM_STATE="$T/host.state"
if [ "$XSD" = real ]; then
	export XENSTORED_PATH="$T/rd/socket"
else
	export XENSTORED_PATH="$T/xs.sock"
fi
unset XENSTORED_RUNDIR LD_PRELOAD LD_LIBRARY_PATH

npass=0
nfail=0
PIDS=""		# every process started, killed on exit
DPID=""		# squeezerd
XSD_PID=""	# xenstored or xsd-sim
XSD_GEN=0	# xenstore server generation (a log file each)

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	_i=20
	for p in $PIDS; do
		while kill -0 "$p" 2>/dev/null && [ $_i -gt 0 ]; do
			sleep 0.1
			_i=$((_i - 1))
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$nfail" -ne 0 ] || [ "${KEEP:-0}" = 1 ]; then
		echo "${E2E_NAME:-e2e} ($XSD): logs kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bg COMMAND...: start in the background; its pid in BG_PID.
bg() {
	"$@" &
	BG_PID=$!
	PIDS="$PIDS $BG_PID"
}

# forget PID: kill -9 it and drop it from PIDS.
forget() {
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	_l=""
	for _p in $PIDS; do
		[ "$_p" = "$1" ] || _l="$_l $_p"
	done
	PIDS=$_l
}

# waitfor MS PREDICATE...: retry every 100 ms; 1 when time runs out.
waitfor() {
	_n=$(($1 / 100))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		if [ "$_n" -le 0 ]; then
			return 1
		fi
		sleep 0.1
	done
}

isnum() {
	case $1 in
	''|-|*[!0-9-]*|?*-*)	return 1 ;;
	esac
	return 0
}

# ---- cases and checks --------------------------------------------------

tcase() {
	TNAME=$1
	TBAD=0
	REQ=""
	RALL=""
	: >"$T/why"
	TLOG0=$(wc -l <"$LOG")
}

# bad MESSAGE: the current case fails (its daemon log lines are shown).
bad() {
	TBAD=$((TBAD + 1))
	printf '      %s\n' "$*" >>"$T/why"
}

# badr MESSAGE: the same, about the last request: it and its response
# are shown too.
badr() {
	bad "$@"
	if [ -n "$REQ" ]; then
		printf '%s\n' "$REQ" | cut -c1-300 | head -3 |
		    sed 's/^/        sent: /'
		printf '%s\n' "$RALL" | cut -c1-400 | head -3 |
		    sed 's/^/        got:  /'
	fi >>"$T/why"
}

# note TEXT: a measurement, kept in $T/notes (KEEP=1 to read it).
note() {
	printf '%s\n' "$*" >>"$T/notes"
}

tend() {
	if [ -n "$DPID" ] && ! kill -0 "$DPID" 2>/dev/null; then
		wait "$DPID" 2>/dev/null
		bad "squeezerd (pid $DPID) died (wait status $?); restarting it"
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
		tail -n +"$((TLOG0 + 1))" "$LOG" | tail -25 |
		    sed 's/^/        | /'
	fi
}

# ---- the RPC side (the style of tests/rpc/run.sh) ----------------------

# n ID METHOD [PARAMS]: a native request line.
n() {
	if [ $# -ge 3 ]; then
		printf '{"jsonrpc":"2.0","id":%s,"method":"%s","params":%s}' \
		    "$1" "$2" "$3"
	else
		printf '{"jsonrpc":"2.0","id":%s,"method":"%s"}' "$1" "$2"
	fi
}

# o METHOD PARAMS: a squeezed v1 request line (xenopsd's shape).
o() {
	printf '{"method":"%s","params":%s,"id":7}' "$1" "$2"
}

# send [rpcc options] -- LINE: one request; the response in $R (and
# $RALL), rpcc's status in $RC.
send() {
	_o=""
	while [ $# -gt 0 ]; do
		case $1 in
		--)	shift; break ;;
		-?*)	_o="$_o $1"; shift ;;
		*)	break ;;
		esac
	done
	REQ=$1
	# shellcheck disable=SC2086
	RALL=$(printf '%s\n' "$1" | "$RPCC" -t15000 $_o "$S" \
	    2>"$T/rpcc.err") && RC=0 || RC=$?
	R=$(printf '%s\n' "$RALL" | sed -n 1p)
	if [ "$RC" -ne 0 ]; then
		badr "rpcc exit $RC: $(cat "$T/rpcc.err")"
	fi
}

call() {
	send -- "$(n 1 "$@")"
}

# q LINE: a quiet request for polling; prints the response.
q() {
	printf '%s\n' "$1" | "$RPCC" -t5000 "$S" 2>/dev/null || true
}

v() {
	printf '%s\n' "$R" | "$JGET" "$@" 2>/dev/null || true
}

eq() {
	_g=$(v "$1")
	if [ "$_g" != "$2" ]; then
		badr "$1 is '$_g', want '$2'"
	fi
}

eqj() {
	_g=$(v -j "$1")
	if [ "$_g" != "$2" ]; then
		badr "$1 is '$_g', want '$2'"
	fi
}

num() {
	_g=$(v "$1")
	if ! isnum "$_g"; then
		badr "$1 is '$_g', want an integer $2 $3"
	elif ! test "$_g" "$2" "$3"; then
		badr "$1 is $_g, want $2 $3"
	fi
}

UUID='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

status_of() {
	q "$(n 1 host.status)" | "$JGET" "result.$1" 2>/dev/null
}

# dom_of D FIELD: FIELD of domain D in domain.list ("" when not listed).
dom_of() {
	q "$(n 1 domain.list)" | "$JGET" -a result domid "$2" 2>/dev/null |
	    awk -v d="$1" '$1 == d { print $2 }'
}

domids() {
	q "$(n 1 domain.list)" | "$JGET" 'result.*.domid' 2>/dev/null |
	    sort -n | tr '\n' ' ' | sed 's/ $//'
}

# rlist: the reservations, one sorted line each "id kib session domid".
rlist() {
	q "$(n 1 reservation.list)" | "$JGET" -a result id kib session domid \
	    2>/dev/null | sort
}

p_nres() {
	[ "$(q "$(n 1 reservation.list)" | "$JGET" -l result 2>/dev/null)" = 0 ]
}

p_idle() {
	[ "$(status_of pending)" = 0 ] && [ "$(status_of busy)" = false ]
}

# ---- the toolstack side -------------------------------------------------

xsr() {
	xenstore-read "$1" 2>/dev/null || echo "<missing>"
}

target() {
	xsr "/local/domain/$1/memory/target"
}

xcg() {
	"$XCSIM" get "$1" "$2" 2>/dev/null || echo "<missing>"
}

# p_xs PATH WANT / p_xs_le PATH N / p_xs_ge PATH N / p_xc D KEY WANT
p_xs() {
	[ "$(xsr "$1")" = "$2" ]
}
p_xs_le() {
	_g=$(xsr "$1")
	isnum "$_g" && [ "$_g" -le "$2" ]
}
p_xs_ge() {
	_g=$(xsr "$1")
	isnum "$_g" && [ "$_g" -ge "$2" ]
}
# p_settled: nothing queued, and a balance would change nothing.
p_settled() {
	p_idle && [ "$(q "$(n 1 plan)" | "$JGET" result.outcome 2>/dev/null)" = success ]
}

# p_conf KEY VALUE: the running configuration says so.
p_conf() {
	[ "$(q "$(n 1 config.get)" | "$JGET" "result.$1" 2>/dev/null)" = "$2" ]
}

p_xs_gone() {
	! xenstore-exists "$1" 2>/dev/null
}
p_xc() {
	[ "$(xcg "$1" "$2")" = "$3" ]
}
p_status() {
	[ "$(status_of "$1")" = "$2" ]
}

# p_tot_near D PAGES: tot_pages of D within a page of PAGES.
p_tot_near() {
	_g=$(xcg "$1" tot_pages)
	isnum "$_g" && [ $((_g - $2)) -le 1 ] && [ $((_g - $2)) -ge -1 ]
}

# The Xen offset of a domain type (reference 3.1).
xen_off() {
	case $1 in
	pv)	echo 0 ;;
	*)	echo 1024 ;;
	esac
}

# p_maxmem D TYPE: max_pages is (target + xen offset + memory-offset) / 4.
p_maxmem() {
	_t=$(target "$1")
	_m=$(xsr "/local/domain/$1/memory/memory-offset")
	isnum "$_t" && isnum "$_m" &&
	    [ "$(xcg "$1" max_pages)" = $(((_t + $(xen_off "$2") + _m) / 4)) ]
}

# want_maxmem D TYPE: the check as a case failure.
want_maxmem() {
	if ! waitfor 3000 p_maxmem "$1" "$2"; then
		bad "dom $1: max_pages $(xcg "$1" max_pages), want (target" \
		    "$(target "$1") + $(xen_off "$2") + memory-offset" \
		    "$(xsr "/local/domain/$1/memory/memory-offset")) / 4"
	fi
}

# Release a destroyed domain so that @releaseDomain fires: the shimmed
# xenstored sees it gone on a (fake) VIRQ_DOM_EXC, xsd-sim is told.
release() {
	if [ "$XSD" = real ]; then
		kill -USR1 "$XSD_PID"
	else
		"$XSINTRO" release "$1"
	fi
}

introduce() {
	"$XSINTRO" introduce "$1" "$1"
}

# dom_keys D TYPE TARGET DMIN DMAX: the keys xenopsd writes at build.
dom_keys() {
	xenstore-write "/local/domain/$1/memory/static-max" "$5" \
	    "/local/domain/$1/memory/target" "$3" \
	    "/local/domain/$1/memory/dynamic-min" "$4" \
	    "/local/domain/$1/memory/dynamic-max" "$5" \
	    "/local/domain/$1/domain-type" "$2"
}

# dom_make D TYPE: a new, empty domain (Domain.make): hypercall, its
# xenstore directory, introduced.
dom_make() {
	_f=0
	[ "$2" = pv ] || _f=0x2
	"$XCSIM" create "$1" tot_pages=0 max_pages=0 flags=$_f &&
	xenstore-write "/local/domain/$1/name" "e2e-$1" \
	    "/local/domain/$1/domid" "$1" \
	    "/local/domain/$1/vm" "/vm/e2e-$1" &&
	xenstore-chmod "/local/domain/$1" n0 "r$1" &&
	introduce "$1"
}

# balloon D MODEL: the guest's balloon driver (loads: feature-balloon).
balloon() {
	bg "$BALLOON" -i 50 -o "$T/balloon-$1.trace" "$1:$2" \
	    >>"$T/balloon-$1.out" 2>>"$T/balloon-$1.err"
	eval "BS_$1=$BG_PID"
	waitfor 3000 grep -q ready "$T/balloon-$1.out"
}

# dom_destroy D: the domain dies (hypercall), is released, and the
# toolstack removes its xenstore directory.
dom_destroy() {
	"$XCSIM" destroy "$1"
	release "$1"
	eval "_b=\${BS_$1:-}"
	if [ -n "$_b" ]; then
		forget "$_b"
		eval "BS_$1="
	fi
}

# ---- the servers --------------------------------------------------------

xs_up() {
	xenstore-ls / >/dev/null 2>&1
}

start_xsd() {
	XSD_GEN=$((XSD_GEN + 1))
	if [ "$XSD" = real ]; then
		mkdir -p "$T/rd"
		rm -f "$T/rd/socket"
		bg env XENSTORED_RUNDIR="$T/rd" XENSTORED_PATH="$T/rd/socket" \
		    LD_PRELOAD="$SHIM" LD_LIBRARY_PATH="$XC_LIBDIR" \
		    "$XENSTORED" -N -T "$T/xenstored-$XSD_GEN.trace" \
		    >>"$T/xenstored-$XSD_GEN.log" 2>&1
	else
		bg "$XSDSIM" -t "$T/xsd-sim-$XSD_GEN.trace" "$XENSTORED_PATH" \
		    >>"$T/xsd-sim-$XSD_GEN.log" 2>&1
	fi
	XSD_PID=$BG_PID
	waitfor 5000 xs_up
}

cat >"$T/squeezerd.conf" <<'EOF'
# squeezerd.conf for the end-to-end suite: quick balancing
balance-interval = 1s
stuck-after = 2s
poll-interval = 100ms
EOF

# start_daemon: the production daemon on the Xen backend, with the
# libxenctrl double; 0 when it answers host.status within 5 s.
start_daemon() {
	echo "--- squeezerd started $(date +%T.%N)" >>"$LOG"
	bg env LD_LIBRARY_PATH="$XC_LIBDIR" \
	    XENCTRL_SIM_STATE="$XENCTRL_SIM_STATE" \
	    XENSTORED_PATH="$XENSTORED_PATH" \
	    "$SQUEEZERD" -d ${VERBOSE:+-v} --backend=xen -s "$S" \
	    -f "$T/squeezerd.conf" 2>>"$LOG"
	DPID=$BG_PID
	printf '%s\n' "$(n 0 host.status)" |
	    "$RPCC" -q -W5000 -t5000 "$S" 2>>"$LOG"
}

# ---- the host -----------------------------------------------------------
#
# 4 GiB, Xen 16 MiB, dom0 512 MiB (left out of balancing); three running
# guests: 1 (pv) and 2 (hvm) with balloon drivers, 256..768 MiB, at 512 MiB
# now; 3 (pv) with a guest agent but no balloon driver, 256 MiB plus 1 MiB
# the guest does not see (its memory-offset will be 1024).

HOST_KIB=4194304
HOST_RESERVE=73728
GRANULE=2048		# granularity-kib: reservations are whole granules
cat >"$XENCTRL_SIM_STATE" <<EOF
host total_pages=$((HOST_KIB / 4)) xen_pages=4096 nr_cpus=4 nr_nodes=1
dom 0 tot_pages=131072 max_pages=131072
EOF
"$XCSIM" create 1 tot_pages=131072 max_pages=131072
"$XCSIM" create 2 tot_pages=131072 max_pages=131328 flags=0x2
"$XCSIM" create 3 tot_pages=65792 max_pages=65792

# Guests balloon at 1 GiB/s and reach their targets to the page
# (inaccuracy=0): a driver that stops a page short would be calibrated at
# memory-offset -4 when squeezerd meets it again after a xenstored restart,
# and would then sit 8 KiB off every later target (stuck, refused).
BALLOON_MODEL=normal:rate=1048576,inaccuracy=0

setup_host() {
	start_xsd || return 1
	for d in 1 2 3; do
		xenstore-write "/local/domain/$d/name" "e2e-$d" \
		    "/local/domain/$d/domid" "$d" || return 1
		introduce "$d" || return 1
	done
	dom_keys 1 pv 524288 262144 786432 &&
	dom_keys 2 hvm 524288 262144 786432 &&
	dom_keys 3 pv 262144 262144 262144 &&
	xenstore-write /local/domain/3/data/updated 1 &&
	balloon 1 "$BALLOON_MODEL" &&
	balloon 2 "$BALLOON_MODEL"
}

# ==== 0. start-up ========================================================

case_startup() {
	tcase "start-up: squeezerd --backend=xen sees the guests, leaves dom0 out, balances"
	if ! setup_host; then
		bad "the harness did not come up (xenstore server, keys, balloon-sim)"
		tend
		return 1
	fi
	if ! start_daemon; then
		bad "squeezerd did not answer host.status within 5 s"
		forget "$DPID"
		DPID=""
		tend
		return 1
	fi
	call host.status
	eq result.backend xen
	eq result.domains 3
	num result.total-kib -eq "$HOST_KIB"
	num result.host-reserve-kib -eq "$HOST_RESERVE"
	num result.reserved-kib -eq 0
	_g=$(domids)
	if [ "$_g" != "1 2 3" ]; then
		bad "domain.list has domids '$_g', want '1 2 3' (dom0 left out)"
	fi
	# Plenty of memory: every balloon goes to its dynamic-max.
	waitfor 5000 p_startup_balanced
	for d in 1 2; do
		p_xs "/local/domain/$d/memory/target" 786432 ||
			bad "dom $d: memory/target $(target $d) 5 s after start-up, want 786432 (dynamic-max: 2.2 GiB are free)"
		p_tot_near "$d" 196608 ||
			bad "dom $d: tot_pages $(xcg $d tot_pages), want 196608"
		if ! p_xs "/local/domain/$d/memory/memory-offset" 0; then
			bad "dom $d: memory-offset '$(xsr "/local/domain/$d/memory/memory-offset")', want 0"
		fi
	done
	want_maxmem 1 pv
	want_maxmem 2 hvm
	# dom 3: booted (guest agent), fixed, calibrated on first sight.
	if ! waitfor 3000 p_xs /local/domain/3/memory/memory-offset 1024; then
		bad "dom 3: memory-offset '$(xsr "/local/domain/3/memory/memory-offset")', want 1024 (tot_pages*4 - target)"
	fi
	call domain.list
	_row=$(v -a result domid actual-kib can-balloon booted state | awk '$1 == 3')
	if [ "$_row" != "3 262144 false true fixed" ]; then
		bad "dom 3 in domain.list: '$_row', want '3 262144 false true fixed' (domid actual-kib can-balloon booted state)"
	fi
	if ! p_xs /local/domain/3/memory/target 262144 || ! p_xc 3 max_pages 65792; then
		bad "dom 3 (no balloon driver): target $(target 3), max_pages $(xcg 3 max_pages); want them left at 262144 and 65792"
	fi
	if ! waitfor 3000 p_phys; then
		bad "physical-free-kib $(status_of physical-free-kib), want free_pages*4 = $(($(xcg host free_pages) * 4))"
	fi
	# dom0 is not managed: no target for it, its maxmem untouched.
	p_xs_gone /local/domain/0/memory/target ||
	    bad "/local/domain/0/memory/target was written ('$(xsr /local/domain/0/memory/target)')"
	p_xc 0 max_pages 131072 ||
	    bad "dom 0: max_pages $(xcg 0 max_pages), want 131072 (untouched)"
	tend
}

p_startup_balanced() {
	p_xs /local/domain/1/memory/target 786432 &&
	p_xs /local/domain/2/memory/target 786432 &&
	p_tot_near 1 196608 && p_tot_near 2 196608
}

p_phys() {
	[ "$(status_of physical-free-kib)" = $(($("$XCSIM" get host free_pages) * 4)) ]
}

# ==== 1. xenopsd starts a VM (reference 8.2) ==============================

case_vm_start() {
	tcase "1. VM start as xenopsd: login, reserve_memory_range, transfer, build, query, delete (dom 5, hvm)"
	send -- "$(o login '["e2e","xenopsd"]')"
	eq result xenopsd
	# dynamic-min 256 MiB, dynamic-max 512 MiB, overhead 1 MiB
	_min=263168
	_max=525312
	send -- "$(o reserve_memory_range "[\"e2e\",\"xenopsd\",$_min,$_max]")"
	eq error null
	RID=$(v result.0)
	KIB=$(v result.1)
	if ! printf '%s\n' "$RID" | grep -Eq "$UUID"; then
		badr "reserve_memory_range: id '$RID' is not a UUID"
	fi
	if ! isnum "$KIB" || [ "$KIB" -lt $_min ] || [ "$KIB" -gt $_max ]; then
		badr "reserve_memory_range: kib '$KIB', want $_min <= kib <= $_max"
		tend
		return
	fi
	if ! p_xs "/squeezed/state/xenopsd/$RID" "$KIB"; then
		bad "/squeezed/state/xenopsd/$RID is '$(xsr "/squeezed/state/xenopsd/$RID")', want $KIB"
	fi
	call host.status
	num result.reserved-kib -eq "$KIB"
	_pf=$(v result.physical-free-kib)
	isnum "$_pf" && num result.free-kib -eq $((_pf - KIB))

	# Domain.make: the domain exists, empty, not built: left out.
	if ! dom_make 5 hvm; then
		bad "cannot create dom 5 (xcsim, xenstore, introduce)"
	fi
	sleep 0.3
	if [ -n "$(dom_of 5 domid)" ]; then
		bad "dom 5 (no initial-reservation, not booted) is in domain.list"
	fi

	send -- "$(o transfer_reservation_to_domain "[\"e2e\",\"xenopsd\",\"$RID\",5]")"
	eq error null
	eq result null
	p_xs /local/domain/5/memory/initial-reservation "$KIB" ||
	    bad "memory/initial-reservation is '$(xsr "/local/domain/5/memory/initial-reservation")', want $KIB"
	p_xs /local/domain/5/memory/reservation-id "$RID" ||
	    bad "memory/reservation-id is '$(xsr "/local/domain/5/memory/reservation-id")', want $RID"
	p_xs "/squeezed/state/xenopsd/$RID/in-transfer" 5 ||
	    bad "/squeezed/state/xenopsd/$RID/in-transfer is '$(xsr "/squeezed/state/xenopsd/$RID/in-transfer")', want 5"
	p_xs "/squeezed/state/xenopsd/$RID" "$KIB" ||
	    bad "/squeezed/state/xenopsd/$RID is '$(xsr "/squeezed/state/xenopsd/$RID")', want $KIB (kept until delete)"
	# hvm (from the domain's flags: domain-type is not written yet)
	p_xc 5 max_pages $(((KIB + 1024) / 4)) ||
	    bad "dom 5: max_pages $(xcg 5 max_pages), want (kib $KIB + 1024) / 4 = $(((KIB + 1024) / 4))"
	# hypervisor-enforced: the reservation is claimed for the domain
	p_xc 5 outstanding $((KIB / 4)) ||
	    bad "dom 5: outstanding (claimed) pages $(xcg 5 outstanding), want $((KIB / 4))"
	# Counted once: through the domain's initial-reservation.
	waitfor 2000 p_status domains 4 || bad "host.status domains $(status_of domains), want 4"
	call host.status
	num result.reserved-kib -eq "$KIB"
	_pf=$(v result.physical-free-kib)
	isnum "$_pf" && num result.free-kib -eq $((_pf - KIB))
	_row=$(dom_of 5 booted)
	[ "$_row" = false ] || bad "dom 5 in domain.list: booted '$_row', want false"
	[ "$(dom_of 5 initial-reservation-kib)" = "$KIB" ] ||
	    bad "dom 5: initial-reservation-kib '$(dom_of 5 initial-reservation-kib)', want $KIB"

	# Build: the builder allocates the initial target from the
	# reservation; then the memory keys; then the guest boots.
	VM5_TARGET=$((KIB - 1024))
	[ $VM5_TARGET -gt 524288 ] && VM5_TARGET=524288
	VM5_TARGET=$((VM5_TARGET / 4 * 4))
	_pf0=$(status_of physical-free-kib)
	"$XCSIM" set 5 tot_pages=$((VM5_TARGET / 4))
	dom_keys 5 hvm "$VM5_TARGET" 262144 524288
	if ! waitfor 2000 p_status reserved-kib $((KIB - VM5_TARGET)); then
		bad "built, not booted: reserved-kib $(status_of reserved-kib), want initial-reservation - tot_pages*4 = $((KIB - VM5_TARGET))"
	fi
	balloon 5 "$BALLOON_MODEL" || bad "balloon-sim for dom 5 did not start"

	send -- "$(o query_reservation_of_domain '["e2e","xenopsd",5]')"
	eq error null
	eq result "$RID"
	send -- "$(o delete_reservation "[\"e2e\",\"xenopsd\",\"$RID\"]")"
	eq error null
	eq result null
	p_xs_gone "/squeezed/state/xenopsd/$RID" ||
	    bad "/squeezed/state/xenopsd/$RID still exists after delete_reservation"
	p_xc 5 outstanding 0 ||
	    bad "dom 5: outstanding (claimed) pages $(xcg 5 outstanding) after delete, want 0"
	if ! waitfor 3000 p_nres; then
		bad "reservation.list not empty: $(rlist | tr '\n' ';')"
	fi
	# Now it counts by what it really uses.
	if ! waitfor 3000 p_status reserved-kib 0; then
		bad "reserved-kib $(status_of reserved-kib), want 0"
	fi
	call host.status
	_pf=$(v result.physical-free-kib)
	isnum "$_pf" && num result.free-kib -eq "$_pf"
	_a5=$(($(xcg 5 tot_pages) * 4))
	if isnum "$_pf0" && isnum "$_pf" && [ $((_pf0 - _pf)) -ne "$_a5" ]; then
		bad "physical-free-kib fell by $((_pf0 - _pf)) from before the build, want $_a5 (dom 5's tot_pages*4)"
	fi
	call domain.list
	_row=$(v -a result domid booted can-balloon actual-kib | awk '$1 == 5')
	[ "$_row" = "5 true true $_a5" ] ||
	    bad "dom 5 in domain.list: '$_row', want '5 true true $_a5' (domid booted can-balloon actual-kib)"
	p_xs /local/domain/5/memory/memory-offset 0 ||
	    bad "dom 5: memory-offset '$(xsr "/local/domain/5/memory/memory-offset")', want 0"
	# At dynamic-max with plenty free: maxmem comes down to target + 1 MiB.
	want_maxmem 5 hvm
	tend
}

# xenopsd receiving a migration asks for an exact amount (reference 8.5):
# reserve_memory_range(k, k), k = ceil((memory_limit + overhead) / 1024),
# any number of KiB, and asserts min <= amount <= max.
case_vm_receive() {
	tcase "1b. migration receive as xenopsd: reserve_memory_range(k, k) with k not a whole granule gives exactly k"
	waitfor 5000 p_idle
	_k=$((262144 + 1024 + 4))
	send -- "$(o reserve_memory_range "[\"e2e\",\"xenopsd\",$_k,$_k]")"
	eq error null
	eq result.1 "$_k"
	_rid=$(v result.0)
	if printf '%s\n' "$_rid" | grep -Eq "$UUID"; then
		p_xs "/squeezed/state/xenopsd/$_rid" "$_k" ||
		    bad "/squeezed/state/xenopsd/$_rid is '$(xsr "/squeezed/state/xenopsd/$_rid")', want $_k"
		send -- "$(o delete_reservation "[\"e2e\",\"xenopsd\",\"$_rid\"]")"
		eq error null
	fi
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend
}

# ==== 2. balancing on dynamic range changes ===============================

# ==== 10. faults in the hypervisor interface ============================

case_faults() {
	tcase "10a. xc_domain_setmaxmem fails with EPERM: squeezerd keeps going (targets written), and puts maxmem right once it works again"
	waitfor 5000 p_idle
	_t1=$(target 1)
	_d1=$(xsr /local/domain/1/memory/dynamic-max)
	"$XCSIM" fail xc_domain_setmaxmem=EPERM
	xenstore-write /local/domain/1/memory/dynamic-max $((_t1 - 65536))
	send -t20000 -- "$(n 1 balance)"
	waitfor 5000 p_xs_le /local/domain/1/memory/target $((_t1 - 65536)) ||
	    bad "dom 1: target $(target 1), want <= $((_t1 - 65536)) even without setmaxmem"
	kill -0 "$DPID" 2>/dev/null || bad "squeezerd died"
	grep -q "Operation not permitted" "$LOG" ||
	    bad "no log line about the failed setmaxmem"
	"$XCSIM" unfail xc_domain_setmaxmem
	xenstore-write /local/domain/1/memory/dynamic-max "$_d1"
	send -t20000 -- "$(n 2 balance)"
	waitfor 5000 p_idle
	want_maxmem 1 pv
	tend

	tcase "10b. libxenctrl answers slowly (200 ms a call): queries are still answered, a reserve still succeeds"
	"$XCSIM" latency 200
	send -T -t20000 -- "$(n 3 host.status)"
	_ms=${R%% *}
	R=${R#* }
	isnum "$(v result.free-kib)" || badr "host.status with slow libxenctrl: $R"
	note "10b: host.status in $_ms ms with 200 ms libxenctrl calls"
	isnum "$_ms" && [ "$_ms" -lt 3000 ] || badr "host.status took $_ms ms"
	send -t30000 -- "$(n 4 reserve '{"kib":65536,"session":"slow"}')"
	_id=$(v result.id)
	[ -n "$_id" ] || badr "reserve with slow libxenctrl: $R"
	"$XCSIM" latency 0
	[ -n "$_id" ] && call reservation.delete "{\"id\":\"$_id\"}"
	waitfor 5000 p_idle
	tend

	tcase "10c. a domain destroyed while it balloons for a reserve: the reserve ends, squeezerd carries on"
	_nd=$(status_of domains)
	vm_start_quiet 12 pv 262144 normal:rate=20000,inaccuracy=0
	xenstore-write /local/domain/12/memory/dynamic-min 131072
	sleep 0.5
	waitfor 5000 p_idle
	call host.status
	_f=$(v result.free-kib)
	_r=$(v result.reclaimable-kib)
	_kib=$(((_f - HOST_RESERVE + _r - 65536) / GRANULE * GRANULE))
	printf '%s\n' "$(n 5 reserve "{\"kib\":$_kib,\"session\":\"gone\"}")" |
	    "$RPCC" -t20000 "$S" >"$T/10c.out" 2>&1 &
	_rp=$!
	sleep 1
	dom_destroy 12
	xenstore-rm /local/domain/12
	wait "$_rp" || true
	grep -q '"result"\|"error"' "$T/10c.out" ||
	    bad "the reserve got no answer: $(cat "$T/10c.out")"
	note "10c: $(head -c 200 "$T/10c.out")"
	kill -0 "$DPID" 2>/dev/null || bad "squeezerd died"
	waitfor 5000 p_status domains "$_nd" ||
	    bad "domains $(status_of domains), want $_nd as before dom 12"
	_id=$(sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p' "$T/10c.out" | head -1)
	[ -n "$_id" ] && call reservation.delete "{\"id\":\"$_id\"}"
	waitfor 5000 p_idle
	tend

	tcase "10d. the xenstore server killed and restarted in the middle of a reserve: the reserve waits for it and ends; nothing lost or counted twice"
	_nd=$(status_of domains)
	vm_start_quiet 13 pv 524288 normal:rate=131072,inaccuracy=0
	xenstore-write /local/domain/13/memory/dynamic-min 131072
	sleep 0.5
	waitfor 5000 p_idle
	_r0=$(rlist)
	_res0=$(status_of reserved-kib)
	call host.status
	_f=$(v result.free-kib)
	_r=$(v result.reclaimable-kib)
	_kib=$(((_f - HOST_RESERVE + _r - 65536) / GRANULE * GRANULE))
	printf '%s\n' "$(n 6 reserve "{\"kib\":$_kib,\"session\":\"mid\"}")" |
	    "$RPCC" -t60000 "$S" >"$T/10d.out" 2>&1 &
	_rp=$!
	sleep 0.5
	save_keys "$(domids | tr '\n' ' ' | sed 's/^0 //')"
	kill -9 "$XSD_PID"
	forget "$XSD_PID"
	sleep 1
	start_xsd || bad "the xenstore server did not restart"
	restore_keys || bad "cannot re-create the domains' keys"
	wait "$_rp" || true
	note "10d: $(head -c 200 "$T/10d.out")"
	kill -0 "$DPID" 2>/dev/null || bad "squeezerd died"
	grep -q '"result"\|"error"' "$T/10d.out" ||
	    bad "the reserve got no answer: $(cat "$T/10d.out")"
	_id=$(sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p' "$T/10d.out" | head -1)
	if [ -n "$_id" ]; then
		[ "$(rlist | grep -c "$_id")" = 1 ] ||
		    bad "reservation $_id listed $(rlist | grep -c "$_id") times, want once"
		waitfor 3000 p_status reserved-kib $((_res0 + _kib)) ||
		    bad "reserved-kib $(status_of reserved-kib), want $_res0 + $_kib (counted once)"
		call reservation.delete "{\"id\":\"$_id\"}"
	fi
	[ "$(rlist)" = "$_r0" ] ||
	    bad "reservations [$(echo "$_r0" | tr '\n' ';')] before, [$(rlist | tr '\n' ';')] after"
	dom_destroy 13
	xenstore-rm /local/domain/13
	waitfor 5000 p_status domains "$_nd" ||
	    bad "domains $(status_of domains), want $_nd"
	waitfor 8000 p_idle
	tend
}

# ==== 9. migration without needless ballooning =========================

case_migration() {
	tcase "9. migration source: room at the destination balloons nothing; less balloons only to max-kib, pinned across a balance; aborted gives it back"
	waitfor 5000 p_idle
	_t2=$(target 2)
	call migration.prepare "{\"domid\":2,\"max-kib\":$((_t2 + 1048576))}"
	eq result.ballooned false
	p_xs /local/domain/2/memory/target "$_t2" ||
	    bad "dom 2: target $(target 2), want it left at $_t2"
	_low=$(((_t2 - 131072) / 4096 * 4096))
	[ "$_low" -lt 262144 ] && _low=262144
	send -t20000 -- "$(n 1 migration.prepare "{\"domid\":2,\"max-kib\":$_low}")"
	eq result.ballooned true
	eq result.target-kib "$_low"
	p_xs /local/domain/2/memory/target "$_low" ||
	    bad "dom 2: target $(target 2), want $_low"
	waitfor 5000 p_tot_le 2 $((_low / 4 + 1)) ||
	    bad "dom 2: tot_pages $(xcg 2 tot_pages), want <= $((_low / 4 + 1))"
	send -t20000 -- "$(n 1 balance)"
	p_xs /local/domain/2/memory/target "$_low" ||
	    bad "dom 2: a balance moved the pinned domain to $(target 2)"
	[ "$(dom_of 2 migrating-kib)" = "$_low" ] ||
	    bad "dom 2 in domain.list: migrating-kib '$(dom_of 2 migrating-kib)', want $_low"
	call migration.end '{"domid":2,"outcome":"aborted"}'
	eq result.outcome aborted
	waitfor 5000 p_xs_ge /local/domain/2/memory/target $((_low + 4096)) ||
	    bad "dom 2: target $(target 2) after aborted, want it above $_low again"
	tend

	tcase "9b. migration destination: migration.reserve takes all the VM has when there is room, no ballooning"
	waitfor 5000 p_idle
	_t1=$(target 1)
	call migration.reserve '{"actual-kib":131072,"dynamic-min-kib":65536,"session":"mig"}'
	eq result.kib 131072
	_id=$(v result.id)
	p_xs /local/domain/1/memory/target "$_t1" ||
	    bad "dom 1: target $(target 1), want it left at $_t1 (no ballooning)"
	call reservation.delete "{\"id\":\"$_id\"}"
	eq result.kib 131072
	tend

	tcase "9c. NUMA: host.status has per-node memory; a reserve for node 1 takes from node 1's domains first"
	# settled: nothing queued and nothing a balance would change, so
	# no periodic balance moves node 0's domains under the reserve
	waitfor 10000 p_settled || bad "the host did not settle: $(q "$(n 1 plan)")"
	"$XCSIM" host nr_nodes=2
	"$XCSIM" set 1 node=1
	"$XCSIM" set 2 node=0
	"$XCSIM" set 5 node=0
	call host.status
	[ "$(v -l result.nodes)" = 2 ] || bad "host.status nodes: '$(v result.nodes)', want 2 entries"
	_f=$(v result.free-kib)
	_t1=$(target 1)
	_t2=$(target 2)
	_t5=$(target 5)
	_give=$(((_t1 - 262144) / 2 / 2048 * 2048))
	_k=$(((_f - HOST_RESERVE + _give) / 2048 * 2048))
	send -t20000 -- "$(n 1 reserve "{\"kib\":$_k,\"node\":1,\"session\":\"numa\"}")"
	eq result.node 1
	isnum "$(v result.node-free-kib)" || bad "no node-free-kib in the result"
	_id=$(v result.id)
	_g1=$(target 1)
	isnum "$_g1" && [ "$_g1" -lt "$_t1" ] ||
	    bad "dom 1 (node 1): target $_g1, want it below $_t1"
	[ "$(target 2)" = "$_t2" ] && [ "$(target 5)" = "$_t5" ] ||
	    bad "node 0's domains moved: dom 2 $(target 2) (was $_t2), dom 5 $(target 5) (was $_t5)"
	call reservation.delete "{\"id\":\"$_id\"}"
	# every intermediate state valid: the domain leaves node 1 first
	"$XCSIM" set 1 node=0
	"$XCSIM" host nr_nodes=1
	waitfor 5000 p_idle
	tend
}

case_balance() {
	tcase "2a. dynamic-max raised beyond the host (1, 2 -> 2 GiB), balance_memory: targets rise, free memory down to the reserve"
	_t1=$(target 1)
	_t2=$(target 2)
	xenstore-write /local/domain/1/memory/dynamic-max 2097152 \
	    /local/domain/2/memory/dynamic-max 2097152
	send -t20000 -- "$(o balance_memory '["e2e"]')"
	eq error null
	eq result null
	for d in 1 2; do
		eval "_b=\$_t$d"
		if ! waitfor 5000 p_xs_ge "/local/domain/$d/memory/target" $((_b + 65536)); then
			bad "dom $d: target $(target $d), want it to rise above $_b"
		fi
		_g=$(target $d)
		isnum "$_g" && [ "$_g" -ge 2097152 ] &&
		    bad "dom $d: target $_g, want it below dynamic-max 2097152 (the host cannot hold every dynamic-max)"
	done
	waitfor 5000 p_idle
	_f=$(status_of free-kib)
	if ! isnum "$_f" || [ "$_f" -gt $((HOST_RESERVE + 8192)) ] ||
	    [ "$_f" -lt $((HOST_RESERVE - 4096)) ]; then
		badr "free-kib '$_f', want about the host reserve $HOST_RESERVE"
	fi
	want_maxmem 1 pv
	want_maxmem 2 hvm
	tend

	tcase "2b. dynamic-max of dom 1 lowered to 768 MiB, balance_memory (v1): its target and max_pages fall, 2 and 5 get the memory"
	waitfor 5000 p_idle
	_t1=$(target 1)
	_t2=$(target 2)
	_t5=$(target 5)
	_m1=$(xcg 1 max_pages)
	xenstore-write /local/domain/1/memory/dynamic-max 786432
	send -t20000 -- "$(o balance_memory '["e2e"]')"
	eq error null
	eq result null
	if ! waitfor 5000 p_xs_le /local/domain/1/memory/target 786432; then
		bad "dom 1: target $(target 1) (was $_t1), want <= 786432"
	fi
	if ! waitfor 5000 p_tot_le 1 $((786432 / 4 + 1)); then
		bad "dom 1: tot_pages $(xcg 1 tot_pages), want <= 196609"
	fi
	_g=$(xcg 1 max_pages)
	if ! isnum "$_g" || [ "$_g" -ge "$_m1" ] || [ "$_g" -gt 196608 ]; then
		bad "dom 1: max_pages $_g (was $_m1), want it lowered to <= 196608"
	fi
	want_maxmem 1 pv
	for d in 2 5; do
		eval "_b=\$_t$d"
		if ! waitfor 5000 p_xs_ge "/local/domain/$d/memory/target" $((_b + 4096)); then
			bad "dom $d: target $(target $d), want it to rise above $_b"
		fi
	done
	want_maxmem 2 hvm
	want_maxmem 5 hvm
	tend

	tcase "2c. dynamic-max of dom 2 lowered to 1 GiB, native balance: outcome balanced, its target falls, 1 and 5 rise to dynamic-max"
	waitfor 5000 p_idle
	_t1=$(target 1)
	_t2=$(target 2)
	_t5=$(target 5)
	xenstore-write /local/domain/2/memory/dynamic-max 1048576
	send -t20000 -- "$(n 3 balance)"
	eq id 3
	eq result.outcome balanced
	if ! waitfor 5000 p_xs_le /local/domain/2/memory/target 1048576; then
		bad "dom 2: target $(target 2) (was $_t2), want <= 1048576"
	fi
	if ! waitfor 5000 p_tot_le 2 $((1048576 / 4 + 1)); then
		bad "dom 2: tot_pages $(xcg 2 tot_pages), want <= 262145"
	fi
	want_maxmem 2 hvm
	if ! waitfor 5000 p_xs /local/domain/1/memory/target 786432; then
		bad "dom 1: target $(target 1) (was $_t1), want 786432 (dynamic-max)"
	fi
	if ! waitfor 5000 p_xs /local/domain/5/memory/target 524288; then
		bad "dom 5: target $(target 5) (was $_t5), want 524288 (dynamic-max)"
	fi
	want_maxmem 1 pv
	want_maxmem 5 hvm
	tend
}

p_tot_le() {
	_g=$(xcg "$1" tot_pages)
	isnum "$_g" && [ "$_g" -le "$2" ]
}

# Every ballooning guest back at its dynamic-max.
p_at_max() {
	for _d in "$@"; do
		[ "$(target "$_d")" = "$(xsr "/local/domain/$_d/memory/dynamic-max")" ] ||
		    return 1
	done
}

tot_sum() {
	_s=0
	for _d in "$@"; do
		_s=$((_s + $(xcg "$_d" tot_pages)))
	done
	echo $_s
}

# ==== 3. reserves that need ballooning ====================================

case_reserve() {
	tcase "3a. a reserve that needs ballooning: guests balloon down, the reserve succeeds"
	waitfor 5000 p_idle
	call host.status
	_f=$(v result.free-kib)
	_r=$(v result.reclaimable-kib)
	if ! isnum "$_f" || ! isnum "$_r" || [ "$_r" -lt 262144 ]; then
		badr "free-kib '$_f', reclaimable-kib '$_r': want numbers, reclaimable >= 256 MiB"
		tend
		return
	fi
	_kib=$((_f - HOST_RESERVE + _r / 2))
	_kib=$((_kib / GRANULE * GRANULE))	# whole granules, not rounded up
	_tot0=$(tot_sum 1 2 5)
	_t1=$(target 1) _t2=$(target 2) _t5=$(target 5)
	send -t20000 -- "$(n 4 reserve "{\"kib\":$_kib,\"session\":\"e2e\"}")"
	eq result.kib "$_kib"
	_id=$(v result.id)
	printf '%s\n' "$_id" | grep -Eq "$UUID" || badr "reserve: id '$_id'"
	_tot1=$(tot_sum 1 2 5)
	_need=$(((_kib - (_f - HOST_RESERVE)) / 4))
	if [ $((_tot0 - _tot1)) -lt $((_need - 1024)) ]; then
		bad "the guests gave $((_tot0 - _tot1)) pages, want about $_need"
	fi
	_lower=0
	for d in 1 2 5; do
		eval "_b=\$_t$d"
		_g=$(target $d)
		isnum "$_g" && [ "$_g" -lt "$_b" ] && _lower=$((_lower + 1))
	done
	[ $_lower -gt 0 ] || bad "no memory/target was lowered (1: $(target 1), 2: $(target 2), 5: $(target 5))"
	p_xs "/squeezed/state/e2e/$_id" "$_kib" ||
	    bad "/squeezed/state/e2e/$_id is '$(xsr "/squeezed/state/e2e/$_id")', want $_kib"
	call host.status
	num result.reserved-kib -eq "$_kib"
	num result.free-kib -ge $((HOST_RESERVE - 4096))
	num result.physical-free-kib -ge $((_kib + HOST_RESERVE - 4096))
	send -- "$(n 5 reservation.delete "{\"id\":\"$_id\",\"session\":\"e2e\"}")"
	eq result.id "$_id"
	if ! waitfor 8000 p_at_max 1 2 5; then
		bad "after the delete the guests did not return to dynamic-max: targets 1: $(target 1), 2: $(target 2), 5: $(target 5)"
	fi
	tend

	tcase "3b. a stuck guest (dom 6): a reserve that needs it is refused after about stuck-after (v1 and native)"
	vm_start_quiet 6 pv 262144 stuck
	# The guest may now give back down to 128 MiB; with memory to spare
	# the balancer leaves it at dynamic-max, where it is.
	xenstore-write /local/domain/6/memory/dynamic-min 131072
	sleep 0.5
	waitfor 5000 p_idle
	call host.status
	_f=$(v result.free-kib)
	_r=$(v result.reclaimable-kib)
	# Everything the others can give, plus half of what dom 6 could.
	_kib=$((_f - HOST_RESERVE + _r - 65536))
	_kib=$((_kib / GRANULE * GRANULE))
	send -T -t20000 -- "$(o reserve_memory "[\"e2e\",\"xenopsd\",$_kib]")"
	_ms=${R%% *}
	R=${R#* }
	eqj error '["Domains_refused_to_cooperate",[6]]'
	eq result null
	note "3b: refused after $_ms ms"
	if ! isnum "$_ms" || [ "$_ms" -lt 1500 ] || [ "$_ms" -gt 9000 ]; then
		badr "refused after $_ms ms, want about stuck-after (2 s)"
	fi
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	if ! waitfor 8000 p_at_max 1 2 5; then
		bad "the memory was not given back: targets 1: $(target 1), 2: $(target 2), 5: $(target 5)"
	fi
	waitfor 5000 p_idle
	# Found stuck a moment ago, it is left out from the start now
	# (remember-stuck): refused at once, named, and plan says so.
	call plan "{\"kib\":$_kib}"
	eq result.outcome refused
	eq result.held.0.domid 6
	send -T -t20000 -- "$(n 6 reserve "{\"kib\":$_kib}")"
	_ms=${R%% *}
	R=${R#* }
	eq error.code -32002
	eq error.message refused
	eqj error.data.domids '[6]'
	note "3b: refused after $_ms ms (held)"
	if ! isnum "$_ms" || [ "$_ms" -gt 1000 ]; then
		badr "refused after $_ms ms, want at once (dom 6 was found stuck)"
	fi
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	if ! waitfor 8000 p_at_max 1 2 5; then
		bad "the memory was not given back: targets 1: $(target 1), 2: $(target 2), 5: $(target 5)"
	fi
	tend

	tcase "3c. a deadline shorter than stuck-after against the stuck guest: deadline_exceeded in about 1 s, every target back"
	# ask the stuck guest afresh, as squeezed would (remember-stuck no)
	printf 'remember-stuck = no\n' >>"$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 5000 p_conf remember-stuck no ||
	    bad "remember-stuck is '$(q "$(n 1 config.get)" | "$JGET" result.remember-stuck)' after SIGHUP"
	waitfor 5000 p_idle
	send -T -t20000 -- "$(n 7 reserve "{\"kib\":$_kib,\"deadline-ms\":1000}")"
	_ms=${R%% *}
	R=${R#* }
	eq error.code -32006
	eq error.message deadline_exceeded
	note "3c: deadline_exceeded after $_ms ms"
	if ! isnum "$_ms" || [ "$_ms" -lt 900 ] || [ "$_ms" -gt 1800 ]; then
		badr "deadline_exceeded after $_ms ms, want about 1000"
	fi
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	if ! waitfor 8000 p_at_max 1 2 5; then
		bad "the targets were not put back: 1: $(target 1), 2: $(target 2), 5: $(target 5)"
	fi
	sed -i '/^remember-stuck/d' "$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 5000 p_conf remember-stuck yes ||
	    bad "remember-stuck not back to yes after SIGHUP"
	# The stuck guest goes away.
	dom_destroy 6
	xenstore-rm /local/domain/6
	waitfor 5000 p_status domains 4 ||
	    bad "after dom 6 was destroyed: domains $(status_of domains), want 4"
	tend

	tcase "3d. a guest freeing a page every ~1.3 s (never 2 s without progress) is judged by rate: inactive, refused"
	vm_start_quiet 11 pv 262144 normal:rate=3,inaccuracy=0
	xenstore-write /local/domain/11/memory/dynamic-min 131072
	sleep 0.5
	waitfor 5000 p_idle
	call host.status
	_f=$(v result.free-kib)
	_r=$(v result.reclaimable-kib)
	_kib=$(((_f - HOST_RESERVE + _r - 65536) / GRANULE * GRANULE))
	send -T -t20000 -- "$(n 9 reserve "{\"kib\":$_kib}")"
	_ms=${R%% *}
	R=${R#* }
	eq error.message refused
	eqj error.data.domids '[11]'
	note "3d: refused after $_ms ms"
	if ! isnum "$_ms" || [ "$_ms" -lt 1500 ] || [ "$_ms" -gt 9000 ]; then
		badr "refused after $_ms ms, want about stuck-after (2 s)"
	fi
	dom_destroy 11
	xenstore-rm /local/domain/11
	waitfor 5000 p_status domains 4 ||
	    bad "after dom 11 was destroyed: domains $(status_of domains), want 4"
	tend
}

# vm_start_quiet D TYPE KIB MODEL: xenopsd's VM start with an exact
# reservation (dynamic-min = dynamic-max = KIB); failures are case failures.
vm_start_quiet() {
	send -- "$(o reserve_memory_range "[\"e2e\",\"xenopsd\",$3,$3]")"
	_rid=$(v result.0)
	[ "$(v result.1)" = "$3" ] || badr "reserve_memory_range $3 $3 for dom $1 failed"
	dom_make "$1" "$2" || bad "cannot create dom $1"
	send -- "$(o transfer_reservation_to_domain "[\"e2e\",\"xenopsd\",\"$_rid\",$1]")"
	eq error null
	"$XCSIM" set "$1" tot_pages=$(($3 / 4))
	dom_keys "$1" "$2" "$3" "$3" "$3"
	balloon "$1" "$4" || bad "balloon-sim for dom $1 did not start"
	send -- "$(o query_reservation_of_domain "[\"e2e\",\"xenopsd\",$1]")"
	eq result "$_rid"
	send -- "$(o delete_reservation "[\"e2e\",\"xenopsd\",\"$_rid\"]")"
	eq error null
	waitfor 3000 p_xs "/local/domain/$1/memory/memory-offset" 0 ||
	    bad "dom $1: memory-offset '$(xsr "/local/domain/$1/memory/memory-offset")', want 0"
}

# ==== 4. a domain destroyed between transfer and delete ===================

case_destroyed() {
	tcase "4. dom 7 destroyed after transfer, before delete: the reservation is released, free memory is right"
	waitfor 5000 p_idle
	send -- "$(o login '["e2e","xenopsd"]')"
	eq result xenopsd
	send -t20000 -- "$(o reserve_memory '["e2e","xenopsd",262144]')"
	_rid=$(v result)
	printf '%s\n' "$_rid" | grep -Eq "$UUID" || badr "reserve_memory 262144 failed"
	dom_make 7 hvm || bad "cannot create dom 7"
	send -- "$(o transfer_reservation_to_domain "[\"e2e\",\"xenopsd\",\"$_rid\",7]")"
	eq error null
	p_xs "/squeezed/state/xenopsd/$_rid/in-transfer" 7 ||
	    bad "in-transfer is '$(xsr "/squeezed/state/xenopsd/$_rid/in-transfer")', want 7"
	waitfor 2000 p_status reserved-kib 262144 ||
	    bad "reserved-kib $(status_of reserved-kib), want 262144"
	# The domain dies before it is built (no delete_reservation).
	"$XCSIM" destroy 7
	release 7
	if ! waitfor 5000 p_nres; then
		bad "reservation.list still has: $(rlist | tr '\n' ';')"
	fi
	if ! waitfor 3000 p_xs_gone "/squeezed/state/xenopsd/$_rid"; then
		bad "/squeezed/state/xenopsd/$_rid still exists"
	fi
	waitfor 3000 p_status reserved-kib 0 ||
	    bad "reserved-kib $(status_of reserved-kib), want 0"
	waitfor 3000 p_status domains 4 ||
	    bad "domains $(status_of domains), want 4"
	[ -z "$(dom_of 7 domid)" ] || bad "dom 7 is still in domain.list"
	waitfor 5000 p_idle
	call host.status
	_pf=$(v result.physical-free-kib)
	isnum "$_pf" && num result.free-kib -eq "$_pf"
	waitfor 3000 p_phys ||
	    bad "physical-free-kib $(status_of physical-free-kib), want free_pages*4 = $(($(xcg host free_pages) * 4))"
	xenstore-rm /local/domain/7
	send -- "$(o query_reservation_of_domain '["e2e","xenopsd",7]')"
	eqj error '"No_reservation"'
	tend
}

# ==== 5. kill -9 of the daemon ============================================

case_daemon_crash() {
	tcase "5. kill -9 of squeezerd with a transferred and a free-standing reservation, restart: both survive"
	waitfor 5000 p_idle
	send -t20000 -- "$(o reserve_memory '["e2e","xenopsd",131072]')"
	R1=$(v result)
	dom_make 8 hvm || bad "cannot create dom 8"
	send -- "$(o transfer_reservation_to_domain "[\"e2e\",\"xenopsd\",\"$R1\",8]")"
	eq error null
	send -t20000 -- "$(n 1 reserve '{"kib":65536,"session":"e2e"}')"
	R2=$(v result.id)
	waitfor 2000 p_status reserved-kib $((131072 + 65536)) ||
	    bad "reserved-kib $(status_of reserved-kib), want $((131072 + 65536))"
	RLIST5=$(rlist)
	printf '%s\n' "$RLIST5" | grep -qx "$R1 131072 xenopsd 8" ||
	    bad "reservation.list lacks '$R1 131072 xenopsd 8': $(echo "$RLIST5" | tr '\n' ';')"
	printf '%s\n' "$RLIST5" | grep -qx "$R2 65536 e2e <missing>" ||
	    bad "reservation.list lacks '$R2 65536 e2e <missing>': $(echo "$RLIST5" | tr '\n' ';')"
	RES5=$(status_of reserved-kib)
	kill -9 "$DPID"
	forget "$DPID"
	if ! start_daemon; then
		bad "squeezerd did not come back within 5 s"
		tend
		return
	fi
	_l=$(rlist)
	[ "$_l" = "$RLIST5" ] ||
	    bad "reservation.list: [$(echo "$RLIST5" | tr '\n' ';')] -> [$(echo "$_l" | tr '\n' ';')]"
	call host.status
	num result.reserved-kib -eq "$RES5"
	eq result.reservations 2
	send -- "$(o query_reservation_of_domain '["e2e","xenopsd",8]')"
	eq result "$R1"
	[ "$(dom_of 8 initial-reservation-kib)" = 131072 ] ||
	    bad "dom 8: initial-reservation-kib '$(dom_of 8 initial-reservation-kib)', want 131072"
	tend
}

# ==== 6. xenstored dies ===================================================

# save_keys, restore_keys: what a toolstack and the guests would write
# again into an empty store (not squeezerd's own keys).
save_keys() {
	KEYS=""
	KEYDOMS=${1:-1 2 3 5 8}
	for d in $KEYDOMS; do
		for k in memory/static-max memory/target memory/dynamic-min \
		    memory/dynamic-max domain-type name domid vm data/updated; do
			_v=$(xenstore-read "/local/domain/$d/$k" 2>/dev/null) &&
			    KEYS="$KEYS /local/domain/$d/$k $_v"
		done
	done
}

restore_keys() {
	# shellcheck disable=SC2086
	xenstore-write $KEYS &&
	for d in $KEYDOMS; do
		xenstore-chmod "/local/domain/$d" n0 "r$d" &&
		introduce "$d" || return 1
	done
}

# p_has_domids D...: every D is in domain.list.
p_has_domids() {
	_l=" $(domids) "
	for _d in "$@"; do
		case $_l in
		*" $_d "*)	;;
		*)		return 1 ;;
		esac
	done
}

# fds_of PID: its pipes and sockets; epoll_of PID: the fds its epoll
# sets watch (to tell a watch pipe that libevent no longer polls).
fds_of() {
	for _f in "/proc/$1/fd/"*; do
		_t=$(readlink "$_f" 2>/dev/null) || continue
		case $_t in
		pipe:*|socket:*)	printf '%s=%s ' "${_f##*/}" "$_t" ;;
		esac
	done
}
epoll_of() {
	grep -h '^tfd' "/proc/$1/fdinfo/"* 2>/dev/null |
	    awk '{ printf "%s ", $2 }'
}

# The daemon is the only client watching @releaseDomain: a new watch
# means a new connection (xsd-sim's trace).
n_rewatch() {
	grep -c 'WATCH tx 0 @releaseDomain -> OK' "$T/xsd-sim-$XSD_GEN.trace"
}
p_rewatched() {
	[ "$(n_rewatch)" -gt "$1" ]
}

p_resv_back() {
	p_xs "/squeezed/state/xenopsd/$R1" 131072 &&
	p_xs "/squeezed/state/xenopsd/$R1/in-transfer" 8 &&
	p_xs "/squeezed/state/e2e/$R2" 65536
}

case_xenstored_restart() {
	tcase "6a. kill -9 of $( [ "$XSD" = real ] && echo xenstored || echo xsd-sim ) and restart (empty store): squeezerd reconnects and writes its reservations back"
	save_keys
	kill -9 "$XSD_PID"
	forget "$XSD_PID"
	if ! start_xsd; then
		bad "the xenstore server did not restart"
		tend
		return
	fi
	restore_keys || bad "cannot re-create the domains' keys"
	sleep 0.5
	kill -0 "$DPID" 2>/dev/null || bad "squeezerd exited when xenstored died"
	if ! waitfor 8000 p_has_domids 1 2 3 5; then
		bad "domain.list has '$(domids)' 8 s after the restart, want 1 2 3 5 in it"
	fi
	if ! waitfor 8000 p_resv_back; then
		bad "reservations not back: $R1 '$(xsr "/squeezed/state/xenopsd/$R1")' in-transfer '$(xsr "/squeezed/state/xenopsd/$R1/in-transfer")', $R2 '$(xsr "/squeezed/state/e2e/$R2")'; want 131072, 8, 65536"
	fi
	_l=$(rlist)
	[ "$_l" = "$RLIST5" ] ||
	    bad "reservation.list: [$(echo "$RLIST5" | tr '\n' ';')] -> [$(echo "$_l" | tr '\n' ';')]"
	for d in 1 2; do
		waitfor 5000 grep -q 'reconnecting' "$T/balloon-$d.err" ||
		    bad "balloon-sim for dom $d did not notice"
		waitfor 5000 xenstore-exists "/local/domain/$d/control/feature-balloon" ||
		    bad "balloon-sim for dom $d did not reconnect"
	done
	waitfor 5000 p_xs /local/domain/3/memory/memory-offset 1024 ||
	    bad "dom 3: memory-offset '$(xsr "/local/domain/3/memory/memory-offset")', want 1024 again"
	# It works on the new store: a dynamic range change is followed.
	xenstore-write /local/domain/1/memory/dynamic-max 524288
	send -t20000 -- "$(n 3 balance)"
	eq result.outcome balanced
	waitfor 5000 p_xs_le /local/domain/1/memory/target 524288 ||
	    bad "dom 1: target $(target 1), want <= 524288 after dynamic-max 524288 and balance"
	waitfor 5000 p_tot_le 1 $((524288 / 4 + 1)) ||
	    bad "dom 1: tot_pages $(xcg 1 tot_pages), want <= 131073"
	want_maxmem 1 pv
	# ... and its watches: a change without an RPC is acted on too.
	xenstore-write /local/domain/5/memory/dynamic-max 458752
	waitfor 4000 p_xs_le /local/domain/5/memory/target 458752 ||
	    bad "dom 5: target $(target 5) 4 s after its dynamic-max was lowered to 458752 (no RPC), want <= 458752"
	tend

	tcase "6a'. after the restart the transferred reservation still counts: dom 8's initial-reservation is back, reserved-kib unchanged"
	waitfor 3000 p_status reserved-kib "$RES5" ||
	    bad "reserved-kib $(status_of reserved-kib), want $RES5 as before the restart (dom 8 is not booted; its reservation $R1 is in transfer to it)"
	p_xs /local/domain/8/memory/initial-reservation 131072 ||
	    bad "/local/domain/8/memory/initial-reservation is '$(xsr /local/domain/8/memory/initial-reservation)', want 131072"
	p_xs /local/domain/8/memory/reservation-id "$R1" ||
	    bad "/local/domain/8/memory/reservation-id is '$(xsr /local/domain/8/memory/reservation-id)', want $R1"
	[ "$(dom_of 8 initial-reservation-kib)" = 131072 ] ||
	    bad "dom 8 in domain.list: initial-reservation-kib '$(dom_of 8 initial-reservation-kib)', want 131072"
	# xenopsd finds the reservation to delete after the build this way.
	send -- "$(o query_reservation_of_domain '["e2e","xenopsd",8]')"
	eq result "$R1"
	tend

	tcase "6d. a reservation deleted just before xenstored dies stays deleted; one made after squeezerd last read the store comes back"
	waitfor 5000 p_idle
	call reserve '{"kib":65536,"session":"e2e","id":"gone-before"}'
	eq result.id gone-before
	call host.status	# squeezerd reads the store: gone-before is in it
	call reserve '{"kib":65536,"session":"e2e","id":"made-after"}'
	eq result.id made-after
	call reservation.delete '{"id":"gone-before"}'
	eq result.id gone-before
	save_keys
	kill -9 "$XSD_PID"
	forget "$XSD_PID"
	if ! start_xsd; then
		bad "the xenstore server did not restart"
		tend
		return
	fi
	restore_keys || bad "cannot re-create the domains' keys"
	waitfor 8000 p_xs /squeezed/state/e2e/made-after 65536 ||
	    bad "/squeezed/state/e2e/made-after is '$(xsr /squeezed/state/e2e/made-after)' after the restart, want 65536"
	p_xs_gone /squeezed/state/e2e/gone-before ||
	    bad "/squeezed/state/e2e/gone-before came back after the restart"
	_l=$(rlist | grep -c 'gone-before' || true)
	[ "$_l" = 0 ] || bad "reservation.list shows gone-before again"
	call reservation.delete '{"id":"made-after"}'
	eq result.id made-after
	tend

	[ "$XSD" = sim ] || return 0
	tcase "6b. xsd-sim drops every connection (the store survives): squeezerd reconnects and balances a change made meanwhile"
	waitfor 5000 p_idle
	_w0=$(n_rewatch)
	"$XSCTL" drop >/dev/null || bad "xsctl drop failed"
	sleep 0.3
	xenstore-write /local/domain/1/memory/dynamic-max 393216
	# No RPC from here on: squeezerd must find out by itself.
	if ! waitfor 5000 p_rewatched "$_w0"; then
		bad "squeezerd, idle, did not reconnect (no new watch on @releaseDomain in xsd-sim's trace) within 5 s of the drop (balance-interval 1s)"
	fi
	if ! waitfor 5000 p_xs_le /local/domain/1/memory/target 393216; then
		bad "dom 1: target $(target 1) 5.3 s after the drop, want <= 393216 (dynamic-max, written while squeezerd was disconnected; balance-interval 1s)"
	elif ! waitfor 5000 p_tot_le 1 $((393216 / 4 + 1)); then
		bad "dom 1: tot_pages $(xcg 1 tot_pages), want <= 98305"
	fi
	kill -0 "$DPID" 2>/dev/null || bad "squeezerd exited"
	waitfor 3000 p_has_domids 1 2 3 5 ||
	    bad "domain.list has '$(domids)', want 1 2 3 5 in it"
	_l=$(rlist)
	[ "$_l" = "$RLIST5" ] ||
	    bad "reservation.list: [$(echo "$RLIST5" | tr '\n' ';')] -> [$(echo "$_l" | tr '\n' ';')]"
	p_resv_back || bad "reservations under /squeezed/state changed"
	tend

	tcase "6b'. three more drops, each followed by an RPC: after every reconnection its watches work (a dynamic-max change, a domain death)"
	call host.status
	waitfor 3000 p_rewatched "$_w0" ||
	    bad "no new watch on @releaseDomain in xsd-sim's trace even after an RPC"
	_dmax=458752
	for _i in 1 2 3; do
		waitfor 5000 p_idle
		_w0=$(n_rewatch)
		"$XSCTL" drop >/dev/null || bad "xsctl drop failed"
		sleep 0.5
		call host.status
		if ! waitfor 3000 p_rewatched "$_w0"; then
			bad "drop $_i: no new watch on @releaseDomain in xsd-sim's trace after an RPC"
			break
		fi
		sleep 0.3
		note "6b' drop $_i: squeezerd's fds: $(fds_of "$DPID"); its epoll set: $(epoll_of "$DPID")"
		# No RPC: only a watch event can tell squeezerd.
		_dmax=$((_dmax - 16384))
		xenstore-write /local/domain/5/memory/dynamic-max "$_dmax"
		if ! waitfor 3000 p_xs_le /local/domain/5/memory/target "$_dmax"; then
			bad "after drop $_i and its reconnection: dom 5 target $(target 5) 3 s after its dynamic-max was lowered to $_dmax (no RPC), want <= $_dmax (squeezerd's fds: $(fds_of "$DPID"); its epoll set: $(epoll_of "$DPID"))"
			break
		fi
	done
	dom_destroy 8
	waitfor 4000 p_xs_gone "/squeezed/state/xenopsd/$R1" ||
	    bad "the reservation $R1 of dom 8 still exists 4 s after dom 8 was destroyed and @releaseDomain fired"
	xenstore-rm /local/domain/8
	tend

	tcase "6e. every target write fails (xsd-sim answers EAGAIN to every commit): a reserve needing ballooning ends, refused, after about stuck-after; then all is served again"
	waitfor 5000 p_idle
	call host.status
	_f=$(v result.free-kib)
	_r=$(v result.reclaimable-kib)
	_kib=$(( (_f - HOST_RESERVE + _r / 2) / GRANULE * GRANULE ))
	_l0=$(rlist)
	"$XSCTL" eagain 1000000 >/dev/null || bad "xsctl eagain failed"
	_t0=$(date +%s%N)
	send -t60000 -- "$(n 4 reserve "{\"kib\":$_kib,\"session\":\"e2e\"}")"
	_ms=$(( ($(date +%s%N) - _t0) / 1000000 ))
	"$XSCTL" reset >/dev/null
	eq error.message refused
	[ "$(v -l error.data.domids)" -ge 1 ] 2>/dev/null ||
	    bad "refused names no domain: '$(v error.data.domids)'"
	[ "$_ms" -lt 15000 ] ||
	    bad "the reserve ended after $_ms ms, want about stuck-after (2 s)"
	call host.status
	has result.free-kib
	waitfor 8000 p_idle || bad "still busy after the writes work again"
	[ "$(rlist)" = "$_l0" ] ||
	    bad "reservations changed: [$(echo "$_l0" | tr '\n' ';')] -> [$(rlist | tr '\n' ';')]"
	[ "$(grep -c 'cannot set target' "$LOG")" -le 12 ] ||
	    bad "$(grep -c 'cannot set target' "$LOG") log lines for failed target writes: one per domain (and operation) is enough"
	tend

	tcase "6c. xsd-sim fails the next 3 transaction commits with EAGAIN: squeezerd retries its writes"
	waitfor 5000 p_idle
	xenstore-write /local/domain/2/memory/dynamic-max 917504
	"$XSCTL" eagain 3 >/dev/null || bad "xsctl eagain 3 failed"
	send -t20000 -- "$(n 3 balance)"
	eq result.outcome balanced
	waitfor 5000 p_xs_le /local/domain/2/memory/target 917504 ||
	    bad "dom 2: target $(target 2), want <= 917504 (dynamic-max)"
	waitfor 5000 p_tot_le 2 $((917504 / 4)) ||
	    bad "dom 2: tot_pages $(xcg 2 tot_pages), want <= 229376"
	want_maxmem 2 hvm
	"$XSCTL" reset >/dev/null
	tend
}

# ==== 7, 8. the binary =====================================================

case_no_hypervisor() {
	tcase "7. without the hypervisor (real libxenctrl, no /dev/xen): exit 1, 'cannot open Xen control interface'"
	REQ="squeezerd -d --backend=xen -s $T/s7.sock (LD_LIBRARY_PATH unset)"
	env -u LD_LIBRARY_PATH timeout 10 "$SQUEEZERD" -d --backend=xen \
	    -s "$T/s7.sock" -f "$T/squeezerd.conf" >"$T/nohv.out" 2>&1
	_rc=$?
	RALL=$(cat "$T/nohv.out")
	[ "$_rc" = 1 ] || bad "exit status $_rc, want 1"
	grep -q 'cannot open Xen control interface' "$T/nohv.out" ||
	    bad "no line with 'cannot open Xen control interface'"
	tend
}

case_linkage() {
	tcase "8. ldd: libxenctrl.so.4.17 and libxenstore.so.4; the double under LD_LIBRARY_PATH"
	REQ="ldd $SQUEEZERD"
	RALL=$(ldd "$SQUEEZERD" 2>&1)
	printf '%s\n' "$RALL" | grep -q 'libxenctrl\.so\.4\.17 => /' ||
	    bad "ldd does not show libxenctrl.so.4.17"
	printf '%s\n' "$RALL" | grep -q 'libxenstore\.so\.4 => /' ||
	    bad "ldd does not show libxenstore.so.4"
	printf '%s\n' "$RALL" | grep 'libxenctrl' | grep -q "$XC_LIBDIR" &&
	    bad "without LD_LIBRARY_PATH libxenctrl resolves to the double"
	REQ="LD_LIBRARY_PATH=$XC_LIBDIR ldd $SQUEEZERD"
	RALL=$(LD_LIBRARY_PATH="$XC_LIBDIR" ldd "$SQUEEZERD" 2>&1)
	printf '%s\n' "$RALL" | grep -q "libxenctrl\.so\.4\.17 => $XC_LIBDIR/libxenctrl\.so\.4\.17" ||
	    bad "under LD_LIBRARY_PATH libxenctrl does not resolve to the double"
	printf '%s\n' "$RALL" | grep -q 'version .* not found\|not found' &&
	    bad "unresolved libraries or versions"
	REQ="check-symbols.sh $SQUEEZERD"
	RALL=$(sh "$CHECKSYMS" "$SQUEEZERD" 2>&1) ||
	    bad "xc_* symbols the double does not export: $RALL"
	tend
}

# e2e_finish: the daemon must stop cleanly on SIGTERM and no sanitizer may
# have spoken; the summary.  Its status is the suite's.
e2e_finish() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill "$DPID"
		_i=30
		while kill -0 "$DPID" 2>/dev/null && [ $_i -gt 0 ]; do
			sleep 0.1
			_i=$((_i - 1))
		done
		if kill -0 "$DPID" 2>/dev/null; then
			nfail=$((nfail + 1))
			echo "FAIL  squeezerd did not exit within 3 s of SIGTERM"
		else
			_rc=0
			wait "$DPID" 2>/dev/null || _rc=$?
			if [ "$_rc" -ne 0 ]; then
				nfail=$((nfail + 1))
				echo "FAIL  squeezerd exited with status $_rc after SIGTERM"
			fi
		fi
	fi
	# a sanitizer build reports into the log (e2e-san)
	if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
	    "$LOG" 2>/dev/null; then
		nfail=$((nfail + 1))
		echo "FAIL  a sanitizer report in squeezerd's log"
		grep -A12 -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
		    "$LOG" | head -40 | sed 's/^/  | /'
	fi
	if [ "$nfail" -ne 0 ] && [ -s "$LOG" ]; then
		echo "--- squeezerd log, last 20 lines:"
		tail -20 "$LOG" | sed 's/^/  | /'
	fi
	echo "${E2E_NAME:-e2e} ($XSD): $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

# tests/e2e/xl.sh sources this file for its set-up, then runs its own cases.
[ -n "${E2E_SOURCED:-}" ] && return 0

# ==== run ===================================================================

CASES="case_vm_start case_vm_receive case_balance case_migration case_reserve case_destroyed case_daemon_crash case_xenstored_restart case_faults"
if case_startup; then
	for c in $CASES; do
		$c
	done
else
	for c in $CASES; do
		nfail=$((nfail + 1))
		echo "FAIL  $c: not run (no xenstore server or no daemon)"
	done
fi
case_no_hypervisor
case_linkage

e2e_finish
