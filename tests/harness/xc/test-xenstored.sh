#!/bin/sh
# test-xenstored.sh -- Debian's unmodified xenstored under xsd-shim.so with
# the libxenctrl double: the xenstore-* tools work against it, and domain
# death (xcsim destroy + SIGUSR1) fires @releaseDomain.
. "$(dirname "$0")/testlib.sh"

if [ ! -x "$XENSTORED" ]; then
	echo "# $XENSTORED missing (xen-utils-4.17): skipped"
	exit 77
fi

check "the double exports every xc_* symbol xenstored imports" \
    "$XC_DIR/check-symbols.sh" "$XENSTORED"

write_host
"$XCSIM" create 7 tot_pages=1000 max_pages=2000
check "shimmed xenstored -N starts and answers on \$XENSTORED_PATH" \
    start_xenstored
check "its socket path is private" test -S "$T/rd/socket"

check "xenstore-write / xenstore-read" sh -c "
	xenstore-write /local/domain/0/foo bar &&
	[ \"\$(xenstore-read /local/domain/0/foo)\" = bar ]"
check "xenstore-write with several pairs (a transaction)" sh -c "
	xenstore-write /t/a 1 /t/b 2 &&
	[ \"\$(xenstore-read /t/a /t/b | tr '\n' ' ')\" = '1 2 ' ]"
check "xenstore-ls" sh -c "xenstore-ls /t | grep -qx 'a = \"1\"'"
check "xenstore-list" sh -c "xenstore-list /t | sort | tr '\n' ' ' |
	grep -qx 'a b '"
check "xenstore-rm and xenstore-exists" sh -c "
	xenstore-rm /t && ! xenstore-exists /t"
check "xenstore-chmod / permissions" sh -c "
	xenstore-write /p x && xenstore-chmod /p n0 r7 &&
	xenstore-ls -p /p >/dev/null"

check "dom0 is introduced" sh -c "[ \"\$('$XSINTRO' is-introduced 0)\" = T ]"
check "xs_introduce_domain 7 (port 1)" "$XSINTRO" introduce 7 1
check "dom 7 is introduced" sh -c "[ \"\$('$XSINTRO' is-introduced 7)\" = T ]"

kill -USR1 "$XSD_PID"
sleep 0.2
check "SIGUSR1 with nothing dead releases nobody" sh -c "
	kill -0 $XSD_PID && [ \"\$('$XSINTRO' is-introduced 7)\" = T ] &&
	[ \"\$('$XSINTRO' is-introduced 0)\" = T ]"

bg "$XSINTRO" wait-release 7 5000 >"$T/wr.out" 2>"$T/wr.err"
WR_PID=$BG_PID
check "a client watches @releaseDomain" \
    wait_until 3000 grep -qx READY "$T/wr.out"
"$XCSIM" destroy 7
kill -USR1 "$XSD_PID"
wait_exit "$WR_PID" 5000
check "xcsim destroy 7; kill -USR1 xenstored: @releaseDomain fires" sh -c "
	[ '$EXIT_STATUS' = 0 ] && grep -qx 'RELEASED 7' '$T/wr.out'"
check "dom 7 is no longer introduced" \
    sh -c "[ \"\$('$XSINTRO' is-introduced 7)\" = F ]"
check "dom0 survives (it is in the host state)" \
    sh -c "[ \"\$('$XSINTRO' is-introduced 0)\" = T ]"
check "xenstored is still serving" sh -c "
	kill -0 $XSD_PID && [ \"\$(xenstore-read /local/domain/0/foo)\" = bar ]"

"$XCSIM" create 8 tot_pages=10
"$XSINTRO" introduce 8 3
check "xs_release_domain fires @releaseDomain too" sh -c "
	'$XSINTRO' wait-release 8 5000 >'$T/wr8.out' 2>&1 &
	p=\$!
	n=60; until grep -qx READY '$T/wr8.out'; do
		n=\$((n - 1)); [ \$n -gt 0 ] || exit 1; sleep 0.05
	done
	'$XSINTRO' release 8 && wait \$p"

check "xenstored stops on SIGTERM" stop_xenstored
if [ "$nfail" -ne 0 ]; then
	echo "# xenstored log:"
	sed 's/^/#   /' "$T/xenstored.log"
fi
finish
