# testlib.sh -- sourced by the test-*.sh scripts of tests/harness/xc.
# TAP-ish output ("ok - ..." / "not ok - ..."), a private temp dir with a
# short path (sun_path <= 107 bytes), a trap that kills every background
# process the test started, and bounded waits only.

XC_DIR=$(cd "$(dirname "$0")" && pwd)
HARNESS_DIR=$(dirname "$XC_DIR")
XC_LIBDIR=$XC_DIR/lib
XCSIM=$XC_DIR/xcsim
XCPROBE=$XC_DIR/xcprobe
XSINTRO=$XC_DIR/xsintro
SHIM=$HARNESS_DIR/shim/xsd-shim.so
BALLOON=$HARNESS_DIR/balloon/balloon-sim
XENSTORED=${XENSTORED:-/usr/lib/xen-4.17/bin/xenstored}

T=$(mktemp -d /tmp/xcT.XXXXXX) || exit 1
BG_PIDS=
XSD_PID=
ntest=0
nfail=0

export XENCTRL_SIM_STATE="$T/host.state"
export XENSTORED_PATH="$T/rd/socket"
unset XENSTORED_RUNDIR LD_PRELOAD

# Kill what we started (by pid), then remove the temp dir.
cleanup() {
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
	ntest=$((ntest + 1))
	echo "ok - $*"
}

not_ok() {
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: one test, passing if COMMAND succeeds.
check() {
	_desc=$1
	shift
	if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}

# wait_until MS COMMAND...: poll every 50 ms; fail after MS.
wait_until() {
	_n=$(($1 / 50))
	shift
	while ! "$@" 2>/dev/null; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.05
	done
	return 0
}

# bg COMMAND...: start in the background and remember the pid in BG_PID.
bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

# wait_exit PID MS: wait (bounded) for PID to exit; sets EXIT_STATUS.
wait_exit() {
	_p=$1
	_n=$(($2 / 50))
	while kill -0 "$_p" 2>/dev/null; do
		_n=$((_n - 1))
		if [ "$_n" -le 0 ]; then
			EXIT_STATUS=timeout
			return 1
		fi
		sleep 0.05
	done
	wait "$_p"
	EXIT_STATUS=$?
	return 0
}

# Is the xenstore socket answering?
xs_up() {
	xenstore-ls / >/dev/null 2>&1
}

# Start Debian's xenstored under the shim, with the fake libxenctrl.
start_xenstored() {
	mkdir -p "$T/rd"
	rm -f "$T/rd/socket"
	bg env XENSTORED_RUNDIR="$T/rd" XENSTORED_PATH="$T/rd/socket" \
	    LD_PRELOAD="$SHIM" LD_LIBRARY_PATH="$XC_LIBDIR" \
	    "$XENSTORED" -N -T "$T/xenstored.trace" \
	    >>"$T/xenstored.log" 2>&1
	XSD_PID=$BG_PID
	wait_until 5000 xs_up
}

stop_xenstored() {
	kill "$XSD_PID" 2>/dev/null
	wait_exit "$XSD_PID" 5000
}

# The standard host: 1 GiB, dom 0 with 256 MiB.
write_host() {
	cat >"$XENCTRL_SIM_STATE" <<-EOF
	host total_pages=262144 xen_pages=4096 nr_cpus=4 nr_nodes=1
	dom 0 tot_pages=65536 max_pages=65536
	EOF
}

finish() {
	echo "# $(basename "$0"): $ntest tests, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit
}
