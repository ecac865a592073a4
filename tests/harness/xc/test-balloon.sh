#!/bin/sh
# test-balloon.sh -- balloon-sim against the shimmed real xenstored and the
# simulated host: convergence, floor/ceiling/stuck/intermittent/none, the
# max_pages and free-memory caps, xenstored restart, domain destruction and
# SIGTERM.
. "$(dirname "$0")/testlib.sh"

if [ ! -x "$XENSTORED" ]; then
	echo "# $XENSTORED missing (xen-utils-4.17): skipped"
	exit 77
fi

tot() {
	"$XCSIM" get "$1" tot_pages
}

# near D PAGES SLACK: |tot_pages(D) - PAGES| <= SLACK
near() {
	_t=$(tot "$1") || return 1
	_d=$((_t - $2))
	[ "${_d#-}" -le "$3" ]
}

# steady D PAGES: tot_pages(D) is PAGES now and 300 ms later.
steady() {
	[ "$(tot "$1")" = "$2" ] && sleep 0.3 && [ "$(tot "$1")" = "$2" ]
}

target() {
	xenstore-write "/local/domain/$1/memory/target" "$2"
}

cat >"$XENCTRL_SIM_STATE" <<-EOF
host total_pages=524288 xen_pages=4096 nr_cpus=4 nr_nodes=1
dom 0 tot_pages=65536 max_pages=65536
EOF
"$XCSIM" create 5 tot_pages=65536 max_pages=65536
"$XCSIM" create 6 tot_pages=65536 max_pages=65536
"$XCSIM" create 8 tot_pages=32768 max_pages=32768
"$XCSIM" create 10 tot_pages=10000 max_pages=65536
"$XCSIM" create 11 tot_pages=20000 max_pages=20000
"$XCSIM" create 12 tot_pages=30000 max_pages=30000
check "shimmed xenstored starts" start_xenstored

check "balloon-sim refuses a domain the host does not have" sh -c "
	! '$BALLOON' 42:normal 2>'$T/err' && grep -q 'dom 42: no such' '$T/err'"
check "balloon-sim refuses to run without XENSTORED_PATH" sh -c "
	! env -u XENSTORED_PATH '$BALLOON' 5:normal 2>'$T/err' &&
	grep -q XENSTORED_PATH '$T/err'"
check "balloon-sim refuses a floor without a limit" sh -c "
	! '$BALLOON' 5:floor 2>/dev/null"

bg "$BALLOON" -i 50 -o "$T/trace" \
    5:normal:rate=100000 \
    6:floor:limit=200000,rate=100000 \
    8:none \
    10:ceiling:limit=80000,rate=100000 \
    11:stuck \
    12:intermittent:period=0.4,rate=4000 \
    >"$T/bs.out" 2>"$T/bs.err"
BS_PID=$BG_PID
check "balloon-sim connects" wait_until 3000 grep -q ready "$T/bs.out"
check "feature-balloon and data/updated written (normal, floor, stuck)" \
    sh -c "for d in 5 6 10 11 12; do
	p=/local/domain/\$d
	[ \"\$(xenstore-read \$p/control/feature-balloon)\" = 1 ] &&
	[ \"\$(xenstore-read \$p/data/updated)\" = 1 ] || exit 1
    done"
check "model none never writes feature-balloon" \
    sh -c "! xenstore-exists /local/domain/8/control/feature-balloon &&
	! xenstore-exists /local/domain/8/data/updated"

free0=$("$XCSIM" get host free_pages)
target 5 160000
check "normal: tot_pages converges to target/4 within inaccuracy (5 s)" \
    wait_until 5000 near 5 40000 1
check "normal: it stays there" steady 5 "$(tot 5)"
check "free_pages rose by what dom 5 gave back" sh -c "
	t=\$('$XCSIM' get 5 tot_pages)
	[ \$('$XCSIM' get host free_pages) -eq \$(($free0 + 65536 - t)) ]"
check "the trace has a line per move" \
    grep -q "dom=5 model=normal from=65536 to=" "$T/trace"

target 6 100000
check "floor: stops at the floor (limit 200000 KiB = 50000 pages)" \
    wait_until 5000 steady 6 50000

target 10 200000
check "ceiling: grows only to the ceiling (80000 KiB = 20000 pages)" \
    wait_until 5000 steady 10 20000

target 11 40000
target 8 100000
sleep 0.5
check "stuck: never moves" steady 11 20000
check "none: never moves" steady 8 32768

target 12 60000
sleep 1.3
check "intermittent: has moved" \
    sh -c "[ \$('$XCSIM' get 12 tot_pages) -lt 30000 ]"
check "intermittent: moves only in even periods of 0.4 s" sh -c "
	grep 'dom=12 ' '$T/trace' | sed 's/^t_ms=\([0-9]*\) .*/\1/' |
	awk '{ if (int(\$1 / 400) % 2 == 1) bad = 1; n++ }
	    END { exit (n == 0 || bad) }'"
"$XCSIM" destroy 12
check "a destroyed domain is dropped" \
    wait_until 3000 grep -q "dom 12: destroyed" "$T/bs.err"

# Growth is capped by max_pages and by memory claimed by others.
free=$("$XCSIM" get host free_pages)
avail=$((free - $("$XCSIM" get host outstanding_pages)))
"$XCSIM" create 20 tot_pages=0 max_pages=1000000 \
    outstanding=$((avail - 1000))
from=$(tot 5)
target 5 262144
check "growth stops where only others' claimed memory is left" \
    wait_until 5000 steady 5 $((from + 1000))
"$XCSIM" set 20 outstanding=0
check "... and resumes up to target/4 - inaccuracy once it is free" \
    wait_until 5000 steady 5 65535
target 5 400000
sleep 0.3
check "never grows above max_pages" steady 5 65536

# xenstored restart: a fresh (empty) store; balloon-sim reconnects.
stop_xenstored
check "xenstored restarted" start_xenstored
check "balloon-sim reconnects and re-announces feature-balloon" \
    wait_until 5000 xenstore-exists /local/domain/5/control/feature-balloon
target 5 200000
check "... and follows targets again" wait_until 5000 steady 5 50001

"$XCSIM" destroy 6
target 5 180000
check "after another destroy, the others are still simulated" \
    wait_until 5000 steady 5 45001
check "balloon-sim is still running" kill -0 "$BS_PID"

kill -TERM "$BS_PID"
wait_exit "$BS_PID" 3000
check "SIGTERM exits 0" test "$EXIT_STATUS" = 0

if [ "$nfail" -ne 0 ]; then
	echo "# balloon-sim stderr:"
	sed 's/^/#   /' "$T/bs.err"
	"$XCSIM" show | sed 's/^/#   /'
fi
finish
