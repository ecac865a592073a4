#!/bin/sh
# test-xcsim.sh -- the xcsim CLI: commands, claim consumption, errors
# (exit 1 with one clear stderr line), and concurrent use of the lock.
. "$(dirname "$0")/testlib.sh"

# fails_with TEXT ARGS...: xcsim ARGS exits 1 with one stderr line
# containing TEXT, and leaves the state file unchanged.
fails_with() {
	_want=$1
	shift
	cp "$XENCTRL_SIM_STATE" "$T/before"
	"$XCSIM" "$@" >/dev/null 2>"$T/err"
	_rc=$?
	[ "$_rc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	    grep -q -- "$_want" "$T/err" &&
	    cmp -s "$T/before" "$XENCTRL_SIM_STATE"
}

# is KEY-ARGS VALUE: xcsim get prints VALUE.
is() {
	[ "$("$XCSIM" get "$1" "$2")" = "$3" ]
}

rm -f "$XENCTRL_SIM_STATE"
check "host creates the state file" \
    "$XCSIM" host total_pages=262144 xen_pages=4096 nr_cpus=2
check "create dom 0" "$XCSIM" create 0 tot_pages=65536
check "create dom 5" "$XCSIM" create 5 tot_pages=1000 max_pages=5000 \
    flags=0x20
check "max_pages defaults to tot_pages" is 0 max_pages 65536
check "get flags prints hex" is 5 flags 0x20
check "free_pages is derived" is host free_pages $((262144 - 4096 - 66536))

"$XCSIM" set 5 outstanding=3000
"$XCSIM" set 5 tot_pages=2000
check "tot_pages growth consumes the claim" is 5 outstanding 2000
check "outstanding_pages is the sum of claims" is host outstanding_pages 2000
"$XCSIM" set 5 tot_pages=1500
check "shrinking does not give the claim back" is 5 outstanding 2000
"$XCSIM" set 5 tot_pages=9000
check "growing past the claim empties it" is 5 outstanding 0
"$XCSIM" set 5 tot_pages=1000 max_pages=5000

check "fail/unfail/latency round trip" sh -c "
	'$XCSIM' fail xc_physinfo=EIO && '$XCSIM' latency 20 &&
	'$XCSIM' show | grep -qx 'fail xc_physinfo=EIO' &&
	'$XCSIM' get host latency_ms | grep -qx 20 &&
	'$XCSIM' unfail xc_physinfo && '$XCSIM' latency 0 &&
	! '$XCSIM' show | grep -q -e '^fail' -e latency"

check "set on an unknown domain" fails_with "dom 9: no such domain" \
    set 9 tot_pages=1
check "get on an unknown domain" fails_with "dom 9: no such domain" \
    get 9 tot_pages
check "destroy of an unknown domain" fails_with "dom 9: no such domain" \
    destroy 9
check "bad key" fails_with "dom 5: unknown key 'bogus'" set 5 bogus=1
check "bad number" fails_with "tot_pages: bad number '12x'" \
    set 5 tot_pages=12x
check "negative number" fails_with "bad number" set 5 tot_pages=-1
check "bad domid" fails_with "bad domid 'x'" set x tot_pages=1
check "domid out of range" fails_with "bad domid" create 32752
check "create of an existing domain" fails_with "dom 5: already exists" \
    create 5
check "node beyond nr_nodes" fails_with "nr_nodes is 1" set 5 node=1
check "bad host key" fails_with "host: unknown key 'ram'" host ram=1
check "bad get key" fails_with "unknown key 'ram'" get host ram
check "dom 0 cannot be destroyed" fails_with "dom 0 cannot be destroyed" \
    destroy 0
check "unknown errno" fails_with "unknown errno 'EWHAT'" \
    fail xc_physinfo=EWHAT
check "unknown command" fails_with "unknown command 'frob'" frob
check "missing state file" sh -c "
	XENCTRL_SIM_STATE='$T/nope' '$XCSIM' show 2>'$T/err';
	[ \$? -eq 1 ] && grep -q 'No such file' '$T/err'"
check "no state file configured" sh -c "
	env -u XENCTRL_SIM_STATE '$XCSIM' show 2>'$T/err';
	[ \$? -eq 1 ] && grep -q XENCTRL_SIM_STATE '$T/err'"
printf 'host total_pages=10\ndom 0 tot_pages=1 colour=blue\n' >"$T/bad"
check "a bad state file is reported with its line" sh -c "
	'$XCSIM' -f '$T/bad' show 2>'$T/err';
	[ \$? -eq 1 ] && grep -q \"line 2: unknown key 'colour'\" '$T/err'"

check "destroy" sh -c "'$XCSIM' destroy 5 && ! '$XCSIM' get 5 tot_pages \
    2>/dev/null"

# Concurrent writers and readers: the flock keeps every update whole.
"$XCSIM" create 5 tot_pages=1000 max_pages=5000
writer() {
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		"$XCSIM" set "$1" tot_pages=$((1000 + i)) || echo FAIL
		"$XCSIM" show >/dev/null || echo FAIL
	done
}
for d in 11 12 13 14; do
	"$XCSIM" create $d tot_pages=1
done
: >"$T/conc"
for d in 11 12 13 14; do
	( writer $d >>"$T/conc" 2>&1 ) &
	BG_PIDS="$BG_PIDS $!"
done
for p in $BG_PIDS; do
	wait_exit "$p" 20000
done
check "concurrent xcsim runs never fail" sh -c "! grep -q . '$T/conc'"
check "every concurrent update landed" sh -c "
	for d in 11 12 13 14; do
		[ \"\$('$XCSIM' get \$d tot_pages)\" = 1020 ] || exit 1
	done"

finish
