#!/bin/sh
# tests/e2e/xl.sh: hosts run by xl or libvirt, end to end: the unmodified
# squeezerd on the xen backend (the set-up of tests/e2e/run.sh, sourced),
# with tests/harness/xl/xl standing in for Xen's xl (domains made and
# built as libxl makes them: no dynamic range) and etc/libvirt-hook-libxl
# driven with libvirt's arguments and XML.  The cases, in order, on run.sh's
# 4 GiB host with guests 1 and 2 grown to fill it:
#
#   x1  names: domain.list, squeezerctl domains, a name for a domid
#   x2  domain.set-range refusals (invalid_params naming the parameter,
#       unknown_domain), each changing nothing
#   x3  the host is full: a plain "xl create" of a 1 GiB guest fails
#   x4  squeezerctl xl create of it: the guests balloon, the VM starts, its
#       reservation goes to the new domain before the build and is gone
#       after it; the time against the physical limit of the ballooning
#   x5  failing creates (a build that fails, a dry run that fails, a
#       timeout, SIGTERM, a guest the host cannot hold, options refused):
#       xl's status passed through, nothing stays reserved, the guests get
#       their memory back
#   x6  a guest given a range joins the balance (squeezerctl range by name,
#       xl create --range)
#   x7  guest-range rules (SIGHUP): a guest without a range is balanced by
#       its rule; "xl mem-set" on it fixes it there
#   x8  squeezerctl xl migrate-receive fed an xl migration stream
#   x9  the libvirt hook: prepare, start, started, release; a failed start;
#       a guest the host cannot hold
#   x10 xl.conf's autoballoon while dom0 is managed: a warning in the log,
#       host.status and squeezerctl status, gone with autoballoon="off"
#
# Environment: as run.sh (XSD, SQUEEZERD, KEEP, VERBOSE), SQUEEZERCTL, and
# ONLY (some of the cases, by name: ONLY="fill receive"; x4 comes before
# x6 and x7a before x7b).
E2E_SOURCED=1
E2E_NAME=e2e-xl
# shellcheck source=tests/e2e/run.sh
. "$(dirname "$0")/run.sh"

SQUEEZERCTL=${SQUEEZERCTL:-$ROOT/squeezerctl}
XL=$ROOT/tests/harness/xl/xl
HOOK=$ROOT/etc/libvirt-hook-libxl
for b in "$SQUEEZERCTL" "$XL" "$HOOK"; do
	[ -x "$b" ] || { echo "e2e-xl: $b: not built or not executable" >&2
	    exit 2; }
done
export XL XL_STATE="$T" JGET XCSIM XSINTRO BALLOON
XL_BALLOON=$BALLOON_MODEL
export XL_BALLOON
[ "$XSD" = real ] && export XL_XSD_PID=""	# set once xenstored runs

# The guests' balloon drivers the stand-in started go with the rest.
xl_cleanup() {
	for f in "$T"/xl-balloon-*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	cleanup
}
trap xl_cleanup EXIT

# sq ARGS...: squeezerctl on the daemon's socket; stdout in $T/out,
# stderr in $T/err, the exit status in $SQ, the time taken (ms) in $SQ_MS.
sq() {
	_t0=$(date +%s%N)
	"$SQUEEZERCTL" -s "$S" "$@" >"$T/out" 2>"$T/err" && SQ=0 || SQ=$?
	SQ_MS=$((($(date +%s%N) - _t0) / 1000000))
	echo "$SQ" >"$T/sq.status"
	echo "$SQ_MS" >"$T/sq.ms"
	REQ="squeezerctl $*"
	RALL="exit $SQ; out: $(head -c 300 "$T/out"); err: $(head -c 300 "$T/err")"
}

# want_sq STATUS: the last squeezerctl exited so.
want_sq() {
	[ "$SQ" = "$1" ] || badr "exit status $SQ, want $1"
}

# dom_named NAME: its domid by xenstore ("" when none).
dom_named() {
	for _d in $(xenstore-list /local/domain 2>/dev/null); do
		[ "$(xsr "/local/domain/$_d/name")" = "$1" ] && { echo "$_d"; return; }
	done
}

# cfg NAME MEM [MAXMEM [TYPE]]: an xl configuration file, its path.
cfg() {
	printf 'name = "%s"\nmemory = %s\nmaxmem = %s\nvcpus = 1\ntype = "%s"\n' \
	    "$1" "$2" "${3:-$2}" "${4:-pv}" >"$T/$1.cfg"
	echo "$T/$1.cfg"
}

# xl_need MEM MAXMEM TYPE VCPUS: libxl's need (KiB) for a guest without
# shadow_memory: its paging memory is 1 MiB a vcpu and a page a MiB (the
# p2m for HVM and PVH with hap, the shadow for PV), 1 MiB more for PV or 2
# for the others, rounded up to 2 MiB.
xl_need() {
	_x=2048
	[ "$3" = pv ] && _x=1024
	_n=$(($1 * 1024 + 4 * (256 * $4 + $2) + _x))
	echo $(((_n + 2047) / 2048 * 2048))
}

# dom_reason D: the reason domain.list gives for D.
dom_reason() {
	q "$(n 1 domain.list)" | "$JGET" -a result domid reason 2>/dev/null |
	    awk -v d="$1" '$1 == d { sub(/^[0-9]+ /, ""); print }'
}

# p_transferred_to D: the one reservation there is has gone to D.
p_transferred_to() {
	[ "$(q "$(n 1 reservation.list)" | "$JGET" 'result.0.domid' 2>/dev/null)" = "$1" ]
}

p_dom_gone() {
	[ -z "$(dom_named "$1")" ]
}

p_booted() {
	p_xs "/local/domain/$1/control/feature-balloon" 1
}

# p_full: free memory within 16 MiB of the host reserve, balloons idle.
p_full() {
	p_idle && _f=$(status_of free-kib) && isnum "$_f" &&
	    [ "$_f" -le $((HOST_RESERVE + 16384)) ]
}

# ==== x0: the host filled ================================================

case_fill() {
	tcase "x0. guests 1 and 2 may grow to 1.75 GiB: they fill the host"
	xenstore-write /local/domain/1/memory/dynamic-max 1835008 \
	    /local/domain/1/memory/static-max 1835008 \
	    /local/domain/2/memory/dynamic-max 1835008 \
	    /local/domain/2/memory/static-max 1835008
	"$XCSIM" set 1 max_pages=$((1835008 / 4))
	"$XCSIM" set 2 max_pages=$((1835008 / 4 + 256))
	waitfor 10000 p_full ||
	    bad "free-kib $(status_of free-kib), want about the host reserve $HOST_RESERVE (targets 1: $(target 1), 2: $(target 2))"
	tend
}

# ==== x1: names ============================================================

case_names() {
	tcase "x1. names: domain.list gives them, squeezerctl domains shows them, a name goes where a domid does"
	call domain.list
	_rows=$(v -a result domid name range-source | sort -n | tr '\n' ';')
	[ "$_rows" = "1 e2e-1 xenstore;2 e2e-2 xenstore;3 e2e-3 xenstore;" ] ||
	    badr "domid name range-source: '$_rows'"
	sq domains
	want_sq 0
	grep -Eq '^ +1 +e2e-1 ' "$T/out" || badr "no row '1 e2e-1' under NAME"
	head -1 "$T/out" | grep -q 'NAME' || badr "no NAME column"
	# a hostile name is not shown: not printable ASCII
	xenstore-write /local/domain/3/name "$(printf 'bad\033[2Jname')"
	waitfor 3000 eval '[ "$(dom_of 3 name)" = "<missing>" ]' ||
	    bad "dom 3's name with an escape shown as '$(dom_of 3 name)'"
	xenstore-write /local/domain/3/name e2e-3
	sq range e2e-1 256M 1792M
	want_sq 0
	grep -q 'domain 1: dynamic range 256 MiB to 1.8 GiB' "$T/out" ||
	    badr "no 'domain 1: dynamic range 256 MiB to 1.8 GiB'"
	sq range no-such-guest 256M 1G
	want_sq 1
	grep -q 'no domain is called "no-such-guest"' "$T/err" ||
	    badr "no 'no domain is called'"
	sq migrate-end no-such-guest done
	want_sq 1
	grep -q 'no domain named "no-such-guest"' "$T/err" ||
	    badr "migrate-end by name: no 'no domain named'"
	tend
}

# ==== x2: domain.set-range refusals ========================================

# set_range_refused PARAMS WORD PARAM: refused so; the keys of dom 1 stay.
set_range_refused() {
	send -- "$(n 1 domain.set-range "$1")"
	eq error.message "$2"
	[ -n "$3" ] && eq error.data.param "$3"
	p_xs /local/domain/1/memory/dynamic-min 262144 &&
	    p_xs /local/domain/1/memory/dynamic-max 1835008 ||
	    bad "after $1: dom 1's range is $(xsr /local/domain/1/memory/dynamic-min)-$(xsr /local/domain/1/memory/dynamic-max), want it unchanged"
}

case_refusals() {
	tcase "x2. domain.set-range refuses min > max, max > static-max, min below the floor, unmanaged dom0, unknown domains; nothing changes"
	set_range_refused '{"domid":1,"dynamic-min-kib":1048576,"dynamic-max-kib":524288}' \
	    invalid_params dynamic-min-kib
	set_range_refused '{"domid":1,"dynamic-min-kib":262144,"dynamic-max-kib":1835012}' \
	    invalid_params dynamic-max-kib
	set_range_refused '{"domid":1,"dynamic-min-kib":32768,"dynamic-max-kib":1835008}' \
	    invalid_params dynamic-min-kib
	set_range_refused '{"domid":0,"dynamic-min-kib":524288,"dynamic-max-kib":524288}' \
	    invalid_params domid
	set_range_refused '{"domid":77,"dynamic-min-kib":524288,"dynamic-max-kib":524288}' \
	    unknown_domain ""
	set_range_refused '{"name":"e2e-9","dynamic-min-kib":524288,"dynamic-max-kib":524288}' \
	    invalid_params name
	set_range_refused '{"domid":1,"name":"e2e-1","dynamic-min-kib":524288,"dynamic-max-kib":524288}' \
	    invalid_params domid
	set_range_refused '{"domid":1,"dynamic-min-kib":524288}' \
	    invalid_params dynamic-max-kib
	# not root nor in socket-group: RPC_MUTATES (tests/rpc/perm.sh)
	tend
}

# ==== x3, x4: xl create on a full host =====================================

case_create() {
	tcase "x3. the host is full: a plain xl create of a 1 GiB guest fails (can't allocate), leaving nothing"
	waitfor 10000 p_full || bad "the host is not full: free-kib $(status_of free-kib)"
	_c=$(cfg web 1024)
	REQ="xl create $_c"
	RALL=$("$XL" create "$_c" 2>&1) && _rc=0 || _rc=$?
	[ "$_rc" = 3 ] || badr "xl create: exit status $_rc, want 3"
	printf '%s\n' "$RALL" | grep -q "can't allocate" || badr "no 'can't allocate'"
	p_dom_gone web || bad "a domain 'web' is left"
	tend

	tcase "x4. squeezerctl xl create of it: guests balloon, the VM starts, its reservation goes to it before the build and is gone after"
	waitfor 10000 p_full
	_t1=$(target 1) _t2=$(target 2)
	_need=$(xl_need 1024 1024 pv 1)
	# libxl makes the domain, then builds it 1.5 s later: the reservation
	# must be the domain's before its memory is (counted once, no churn)
	(trap - EXIT; XL_BUILD_MS=1500 sq -j xl create "$_c") &
	_pid=$!
	waitfor 30000 eval '[ -n "$(dom_named web)" ]' || bad "no domain web made"
	_d=$(dom_named web)
	if [ -n "$_d" ]; then
		waitfor 3000 p_transferred_to "$_d" ||
		    bad "the reservation was not handed to dom $_d: $(rlist | tr '\n' ';')"
		_tot=$(xcg "$_d" tot_pages)
		[ "$_tot" = 0 ] ||
		    bad "dom $_d had $_tot pages when it got the reservation, want 0 (before the build)"
	fi
	wait "$_pid"
	SQ=$(cat "$T/sq.status" 2>/dev/null)
	want_sq 0
	_row=$(for k in name kib need-kib paused; do "$JGET" -w "$k" <"$T/out"
	    done 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
	[ "$_row" = "web $_need $_need false" ] ||
	    badr "name kib need-kib paused: '$_row', want 'web $_need $_need false'"
	_id=$("$JGET" -w id <"$T/out" 2>/dev/null)
	_d=$(dom_named web)
	[ -n "$_d" ] && [ "$("$JGET" -w domid <"$T/out")" = "$_d" ] ||
	    badr "domid '$("$JGET" -w domid <"$T/out")', xenstore says '$_d'"
	REQ="squeezerctl -j xl create $_c"
	RALL="exit $SQ; out: $(head -c 300 "$T/out"); err: $(head -c 300 "$T/err")"
	note "x4: xl create of a 1 GiB guest on a full host: $(cat "$T/sq.ms") ms (build 1.5 s after the domain)"
	if [ -n "$_d" ]; then
		p_xs "/local/domain/$_d/memory/reservation-id" "$_id" ||
		    bad "dom $_d: memory/reservation-id '$(xsr "/local/domain/$_d/memory/reservation-id")', want $_id"
		p_xs "/local/domain/$_d/memory/initial-reservation" "$_need" ||
		    bad "dom $_d: initial-reservation '$(xsr "/local/domain/$_d/memory/initial-reservation")', want $_need"
		p_tot_near "$_d" 262144 ||
		    bad "dom $_d: tot_pages $(xcg "$_d" tot_pages), want 262144"
		waitfor 5000 p_booted "$_d" ||
		    bad "dom $_d never booted (unpaused: balloon driver up)"
		WEB=$_d
	fi
	# handed over before libxl built it: the reserve counted once
	grep -q "reservation $_id: [0-9]* KiB transferred to domain $_d" "$LOG" ||
	    bad "the daemon's log has no transfer of $_id to domain $_d"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	_g1=$(target 1) _g2=$(target 2)
	[ "$_g1" -lt "$_t1" ] && [ "$_g2" -lt "$_t2" ] ||
	    bad "targets 1: $_t1 -> $_g1, 2: $_t2 -> $_g2: want both lowered"
	tend
}

# ==== x5: failures =========================================================

case_create_fails() {
	tcase "x5a. a build that fails: xl's exit status passed through, nothing reserved, the guests get their memory back"
	waitfor 10000 p_full
	_t1=$(target 1)
	_c=$(cfg fail1 512)
	XL_FAIL=build:5 sq xl create "$_c"
	want_sq 5
	grep -q 'exited with status 5; nothing stays reserved' "$T/err" ||
	    badr "no 'exited with status 5; nothing stays reserved'"
	p_dom_gone fail1 || bad "a domain 'fail1' is left"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	waitfor 10000 p_xs_ge /local/domain/1/memory/target "$_t1" ||
	    bad "dom 1: target $(target 1), want it back to $_t1"
	tend

	tcase "x5b. a dry run that fails (status 3): nothing reserved, xl create never run"
	XL_FAIL=dryrun sq xl create "$_c"
	want_sq 3
	grep -q 'the dry run' "$T/err" || badr "no 'the dry run'"
	p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x5c. xl create hangs past --timeout 2s (after its reserve): stopped, exit 1, nothing reserved"
	_l0=$(wc -l <"$LOG")
	XL_DELAY_MS=8000 sq xl create --timeout 2s --ttl 1h "$_c"
	want_sq 1
	grep -q 'did not finish within 2 s' "$T/err" ||
	    badr "no 'did not finish within 2 s'"
	tail -n +"$((_l0 + 1))" "$LOG" | grep -q 'KiB for session xl' ||
	    bad "nothing was reserved before xl create ran"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	p_dom_gone fail1 || bad "a domain 'fail1' is left"
	note "x5c: stopped after $SQ_MS ms"
	[ "$SQ_MS" -lt 8000 ] || badr "took $SQ_MS ms, want it stopped at about 2 s"
	tend

	tcase "x5c'. SIGTERM to squeezerctl while xl create runs: xl stopped, the reservation deleted, exit 143"
	_c=$(cfg sig1 512)
	_l0=$(wc -l <"$LOG")
	XL_DELAY_MS=10000 "$SQUEEZERCTL" -s "$S" xl create --ttl 1h "$_c" \
	    >"$T/out" 2>"$T/err" &
	_pid=$!
	waitfor 20000 eval 'tail -n +"$((_l0 + 1))" "$LOG" | grep -q "KiB for session xl"' ||
	    bad "no reservation made"
	sleep 0.5
	kill -TERM "$_pid"
	SQ=0
	wait "$_pid" || SQ=$?
	REQ="squeezerctl xl create (SIGTERM)"
	RALL="exit $SQ; err: $(head -c 300 "$T/err")"
	want_sq 143
	grep -q 'stopped: signal 15' "$T/err" || badr "no 'stopped: signal 15'"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	p_dom_gone sig1 || bad "a domain 'sig1' is left"
	tend

	tcase "x5d. a guest the host cannot hold: cannot_free, exit 1, xl create never run"
	_c=$(cfg huge 8192)
	sq xl create "$_c"
	want_sq 1
	grep -q 'cannot_free' "$T/err" || badr "no 'cannot_free'"
	p_dom_gone huge || bad "a domain 'huge' is there"
	p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x5e. xl options that would not return, a range above maxmem: usage errors (2), nothing done"
	_c=$(cfg opt 256)
	for o in -c -V -F -n -pc; do
		sq xl create "$o" "$_c"
		want_sq 2
	done
	sq xl create --range 128M-512M "$_c"
	want_sq 2
	grep -q "above the guest's maxmem" "$T/err" || badr "no 'above the guest's maxmem'"
	sq -j xl migrate-receive
	want_sq 2
	p_dom_gone opt || bad "a domain 'opt' was made"
	p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend
}

# ==== x6: ranges ===========================================================

case_ranges() {
	tcase "x6a. a guest without a range is fixed; given one by name it joins the balance"
	_d=${WEB:-}
	[ -n "$_d" ] || { bad "no guest 'web' (x4)"; tend; return; }
	[ "$(dom_of "$_d" range-source)" = none ] ||
	    bad "web: range-source '$(dom_of "$_d" range-source)', want none"
	dom_reason "$_d" | grep -q 'no dynamic range' ||
	    bad "web: reason '$(dom_reason "$_d")'"
	waitfor 5000 p_idle
	_r0=$(status_of reclaimable-kib)
	sq range web 512M 1G
	want_sq 0
	p_xs "/local/domain/$_d/memory/dynamic-min" 524288 &&
	    p_xs "/local/domain/$_d/memory/dynamic-max" 1048576 ||
	    bad "web's keys: $(xsr "/local/domain/$_d/memory/dynamic-min")-$(xsr "/local/domain/$_d/memory/dynamic-max")"
	waitfor 3000 eval '[ "$(dom_of "$_d" range-source)" = xenstore ]' ||
	    bad "web: range-source '$(dom_of "$_d" range-source)', want xenstore"
	waitfor 5000 p_idle
	_r1=$(status_of reclaimable-kib)
	# it may give what it has above 512 MiB now (within a granule)
	[ $((_r1 - _r0)) -ge $((524288 - 16384)) ] ||
	    bad "reclaimable-kib $_r0 -> $_r1, want about 512 MiB more"
	# a reserve that needs it: it gives
	_f=$(status_of free-kib)
	_kib=$(((_f - HOST_RESERVE + _r1 - 131072) / GRANULE * GRANULE))
	send -t30000 -- "$(n 2 reserve "{\"kib\":$_kib,\"session\":\"x6\"}")"
	eq result.kib "$_kib"
	p_xs_le "/local/domain/$_d/memory/target" 1040384 ||
	    bad "web: target $(target "$_d") after a reserve that needs it, want below 1 GiB"
	send -- "$(n 3 reservation.delete "{\"id\":\"$(v result.id)\",\"session\":\"x6\"}")"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x6b. xl create --range: the new guest's range is there before it boots"
	waitfor 10000 p_idle
	_c=$(cfg web2 512 512)
	sq xl create --range 256M-512M "$_c"
	want_sq 0
	_d=$(dom_named web2)
	[ -n "$_d" ] && p_xs "/local/domain/$_d/memory/dynamic-min" 262144 &&
	    p_xs "/local/domain/$_d/memory/dynamic-max" 524288 ||
	    badr "web2 (dom '$_d'): range $(xsr "/local/domain/$_d/memory/dynamic-min")-$(xsr "/local/domain/$_d/memory/dynamic-max")"
	waitfor 5000 eval '[ "$(dom_of "$_d" range-source)" = xenstore ]' ||
	    bad "web2: range-source '$(dom_of "$_d" range-source)', want xenstore"
	p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend
}

# ==== x7: rules ============================================================

case_rules() {
	tcase "x7a. guest-range rules (SIGHUP): app-1 without a range is balanced between its rule's 50% and 100% of static-max"
	printf 'guest-range = app-* 50%%-100%%\n' >>"$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 5000 p_conf guest-range 'app-* 50%-100%' ||
	    bad "config.get guest-range '$(q "$(n 1 config.get)" | "$JGET" result.guest-range)'"
	_c=$(cfg app-1 768 1024)
	sq xl create "$_c"
	want_sq 0
	_d=$(dom_named app-1)
	APP=$_d
	waitfor 5000 eval '[ "$(dom_of "$_d" range-source)" = rule ]' ||
	    bad "app-1: range-source '$(dom_of "$_d" range-source)', want rule"
	_row=$(dom_of "$_d" dynamic-min-kib) _row2=$(dom_of "$_d" dynamic-max-kib)
	[ "$_row-$_row2" = "524288-1048576" ] ||
	    bad "app-1: dynamic range $_row-$_row2, want 524288-1048576"
	p_xs_gone "/local/domain/$_d/memory/dynamic-min" ||
	    bad "app-1: the rule's range was written to xenstore"
	# it joins: with memory short it gives, down towards 512 MiB
	waitfor 5000 p_idle
	_r=$(status_of reclaimable-kib) _f=$(status_of free-kib)
	_kib=$(((_f - HOST_RESERVE + _r - 65536) / GRANULE * GRANULE))
	send -t30000 -- "$(n 4 reserve "{\"kib\":$_kib,\"session\":\"x7\"}")"
	eq result.kib "$_kib"
	p_xs_le "/local/domain/$_d/memory/target" 655360 ||
	    bad "app-1: target $(target "$_d"), want it near 512 MiB"
	send -- "$(n 5 reservation.delete "{\"id\":\"$(v result.id)\",\"session\":\"x7\"}")"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x7b. xl mem-set on a guest balanced by a rule fixes it there (written to xenstore, logged)"
	waitfor 10000 p_idle
	_d=$APP
	_t=$(target "$_d")
	REQ="xl mem-set app-1 600"
	RALL=$("$XL" mem-set app-1 600 2>&1) || badr "xl mem-set failed"
	waitfor 5000 p_xs "/local/domain/$_d/memory/dynamic-max" 614400 ||
	    bad "app-1: dynamic-max '$(xsr "/local/domain/$_d/memory/dynamic-max")', want 614400 (target was $_t)"
	p_xs "/local/domain/$_d/memory/dynamic-min" 614400 ||
	    bad "app-1: dynamic-min '$(xsr "/local/domain/$_d/memory/dynamic-min")', want 614400"
	grep -q "domain $_d (app-1): memory/target set to 614400 KiB by someone else" "$LOG" ||
	    bad "no log line for app-1's target set by someone else"
	sleep 1
	p_xs "/local/domain/$_d/memory/target" 614400 ||
	    bad "app-1: target $(target "$_d"), want it left at 614400"
	[ "$(dom_of "$_d" range-source)" = xenstore ] ||
	    bad "app-1: range-source '$(dom_of "$_d" range-source)', want xenstore"
	sed -i '/^guest-range/d' "$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 5000 p_conf guest-range none || bad "guest-range not back to none"
	tend
}

# ==== x8: migrate-receive =================================================

# le32 N: N as 4 bytes, little-endian (this host's order, as xl writes).
le32() {
	printf "\\$(printf %o $(($1 % 256)))\\$(printf %o $(($1 / 256 % 256)))"
	printf "\\$(printf %o $(($1 / 65536 % 256)))\\$(printf %o $(($1 / 16777216)))"
}

# stream NAME MEM: the head of an xl migration stream (xl.h's header, then
# the optional data: the configuration's length and the JSON, with its
# NUL) into $T/stream.head.
stream() {
	printf '{"c_info":{"type":"pv","name":"%s"},"b_info":{"max_vcpus":1,"max_memkb":%d,"target_memkb":%d,"shadow_memkb":0}}' \
	    "$1" $(($2 * 1024)) $(($2 * 1024)) >"$T/stream.json"
	printf '\000' >>"$T/stream.json"
	_l=$(wc -c <"$T/stream.json")
	{
		printf 'Xen saved domain, xl format\n \000 \r'
		le32 16909060	# SAVEFILE_BYTEORDER_VALUE
		le32 3		# JSON, stream v2
		le32 0
		le32 $((_l + 4))
		le32 "$_l"
		cat "$T/stream.json"
	} >"$T/stream.head"
}

case_receive() {
	tcase "x8a. xl migrate-receive: banner out, the stream's guest reserved, handed to mig1--incoming, gone when xl is done"
	waitfor 10000 p_idle
	stream mig1 256
	[ "$(wc -c <"$T/stream.head")" -gt 48 ] || bad "no stream head made"
	_need=$(((262144 + 1024 + 2047) / 2048 * 2048))	# shadow_memkb 0
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$SQUEEZERCTL" -s "$S" xl migrate-receive <"$T/fifo" >"$T/recv.out" \
	    2>"$T/recv.err" &
	_pid=$!
	exec 7>"$T/fifo"
	cat "$T/stream.head" >&7
	waitfor 10000 eval '[ -n "$(dom_named mig1--incoming)" ]' ||
	    bad "no domain mig1--incoming"
	_d=$(dom_named mig1--incoming)
	waitfor 5000 p_transferred_to "$_d" ||
	    bad "the reservation was not handed to mig1--incoming (dom $_d): $(rlist | tr '\n' ';'); $(cat "$T/recv.err")"
	[ "$(q "$(n 1 reservation.list)" | "$JGET" 'result.0.kib')" = "$_need" ] ||
	    bad "reserved $(q "$(n 1 reservation.list)" | "$JGET" 'result.0.kib') KiB, want $_need"
	head -c 65536 /dev/zero >&7	# the domain's memory
	exec 7>&-
	_rc=0
	wait "$_pid" || _rc=$?
	REQ="squeezerctl xl migrate-receive"
	RALL="exit $_rc; out: $(head -c 200 "$T/recv.out"); err: $(head -c 300 "$T/recv.err")"
	[ "$_rc" = 0 ] || badr "exit status $_rc"
	grep -q 'xl migration receiver ready' "$T/recv.out" ||
	    badr "xl's banner is not on stdout"
	grep -q "mig1: .* reserved, handed to domain $_d" "$T/recv.err" ||
	    badr "no 'mig1: ... reserved, handed to domain $_d'"
	[ "$(dom_named mig1)" = "$_d" ] || bad "dom $_d was not renamed mig1"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x8b. a receive that fails (status 3): passed through, nothing reserved"
	stream mig2 256
	XL_FAIL=receive "$SQUEEZERCTL" -s "$S" xl migrate-receive \
	    <"$T/stream.head" >"$T/recv.out" 2>"$T/recv.err" && _rc=0 || _rc=$?
	RALL="err: $(head -c 300 "$T/recv.err")"
	[ "$_rc" = 3 ] || badr "exit status $_rc, want 3"
	p_dom_gone mig2--incoming || bad "mig2--incoming is left"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	printf 'not a migration stream at all, but long enough to be read....\n' |
	    "$SQUEEZERCTL" -s "$S" xl migrate-receive >"$T/recv.out" \
	    2>"$T/recv.err" && _rc=0 || _rc=$?
	RALL="err: $(head -c 300 "$T/recv.err")"
	[ "$_rc" = 1 ] || badr "garbage: exit status $_rc, want 1"
	grep -q 'not an xl migration stream' "$T/recv.err" ||
	    badr "garbage: no 'not an xl migration stream'"
	p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend
}

# ==== x9: the libvirt hook ==================================================

# lv_xml NAME UUID KIB [ID]: a domain's XML as libvirt's libxl driver
# formats it (PV, "xen" os type), with id once it runs.
lv_xml() {
	cat <<EOF
<domain type='xen'${4:+ id='$4'}>
  <name>$1</name>
  <uuid>$2</uuid>
  <memory unit='KiB'>$3</memory>
  <currentMemory unit='KiB'>$3</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>/boot/vmlinuz</kernel>
  </os>
  <devices>
    <memballoon model='xen'/>
  </devices>
</domain>
EOF
}

# hook ARGS: the hook as libvirt runs it, $T/lv.xml on its stdin; its
# status in $HK.
hook() {
	SQUEEZERCTL="$SQUEEZERCTL -s $S" SQUEEZERD_HOOK_DIR="$T" \
	    sh "$HOOK" "$@" <"$T/lv.xml" >"$T/hook.out" 2>"$T/hook.err" &&
	    HK=0 || HK=$?
	REQ="libxl $*"
	RALL="exit $HK; $(head -c 300 "$T/hook.err")"
}

case_libvirt() {
	tcase "x9a. libvirt hook: prepare reserves by UUID, start's watcher hands it to the domain libxl makes, started, release deletes"
	waitfor 10000 p_idle
	_u=5f2b0d7e-8c1a-4b9e-9a3d-1e2f3a4b5c6d
	_need=$(((262144 + 4 * (256 + 2 * 256) + 1024 + 2047) / 2048 * 2048))
	lv_xml lv1 "$_u" 262144 >"$T/lv.xml"
	hook lv1 prepare begin -
	[ "$HK" = 0 ] || badr "prepare begin: exit $HK"
	[ "$(rlist)" = "$_u $_need libvirt <missing>" ] ||
	    bad "reservations: '$(rlist | tr '\n' ';')', want '$_u $_need libvirt <missing>'"
	lv_xml lv1 "$_u" 262144 >"$T/lv.xml"
	hook lv1 start begin -
	[ "$HK" = 0 ] || badr "start begin: exit $HK"
	# libxl makes the domain and builds it (PV, the same memory)
	_c=$(cfg lv1 256)
	REQ="xl create -p $_c (as libvirt's libxl)"
	RALL=$(XL_BUILD_MS=1000 "$XL" create -p "$_c" 2>&1) || badr "xl create failed"
	_d=$(dom_named lv1)
	p_transferred_to "$_d" || waitfor 5000 p_transferred_to "$_d" ||
	    bad "the watcher did not hand $_u to lv1 (dom $_d): $(rlist | tr '\n' ';')"
	grep -q "reservation $_u: [0-9]* KiB transferred to domain $_d" "$LOG" ||
	    bad "no transfer of $_u to dom $_d in the daemon's log"
	"$XL" unpause lv1
	lv_xml lv1 "$_u" 262144 "$_d" >"$T/lv.xml"
	hook lv1 started begin -
	[ "$HK" = 0 ] || badr "started begin: exit $HK"
	[ ! -e "$T/libvirt-hook-$_u.pid" ] || bad "the watcher's pid file is left"
	# the guest shuts down: libvirt's stopped and release
	"$XL" destroy lv1
	lv_xml lv1 "$_u" 262144 >"$T/lv.xml"
	hook lv1 stopped end -
	lv_xml lv1 "$_u" 262144 >"$T/lv.xml"
	hook lv1 release end -
	[ "$HK" = 0 ] || badr "release end: exit $HK"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x9b. libvirt hook: a start that fails after prepare (no domain): release deletes the reservation"
	_u=0c9e8d7f-6a5b-4c3d-8e1f-2a3b4c5d6e7f
	lv_xml lv2 "$_u" 262144 >"$T/lv.xml"
	hook lv2 prepare begin -
	[ "$HK" = 0 ] || badr "prepare begin: exit $HK"
	[ "$(q "$(n 1 reservation.list)" | "$JGET" -l result)" = 1 ] ||
	    bad "reservations: $(rlist | tr '\n' ';')"
	lv_xml lv2 "$_u" 262144 >"$T/lv.xml"
	hook lv2 release end -
	[ "$HK" = 0 ] || badr "release end: exit $HK"
	waitfor 3000 p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend

	tcase "x9c. libvirt hook: a guest the host cannot hold: prepare fails (libvirt starts nothing), nothing reserved"
	_u=9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d
	lv_xml lv3 "$_u" 8388608 >"$T/lv.xml"
	hook lv3 prepare begin -
	[ "$HK" = 1 ] || badr "prepare begin: exit $HK, want 1"
	grep -q 'cannot reserve' "$T/hook.err" || badr "no 'cannot reserve'"
	p_nres || bad "reservations left: $(rlist | tr '\n' ';')"
	tend
}

# ==== x10: autoballoon ======================================================

case_autoballoon() {
	tcase "x10. manage-domain-zero with xl.conf's autoballoon on: a warning (log, host.status, squeezerctl status); off: none"
	printf 'autoballoon=1\n' >"$T/xl.conf"
	cp "$T/squeezerd.conf" "$T/squeezerd.conf.saved"
	printf 'manage-domain-zero = yes\nxl-conf = %s\n' "$T/xl.conf" \
	    >>"$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 5000 eval '[ "$(q "$(n 1 host.status)" | "$JGET" -l result.warnings)" = 1 ]' ||
	    bad "host.status warnings: $(q "$(n 1 host.status)" | "$JGET" result.warnings)"
	sq status
	grep -q '^warning: .*xl.conf leaves autoballoon on while squeezerd manages dom0' "$T/out" ||
	    badr "squeezerctl status shows no warning"
	grep -q 'leaves autoballoon on' "$LOG" || bad "no warning in the log"
	# dom0 may be given a range now
	send -- "$(n 1 domain.set-range '{"domid":0,"dynamic-min-kib":524288,"dynamic-max-kib":524288}')"
	eq result.domid 0
	printf '# squeezerd balances dom0\nautoballoon="off"\n' >"$T/xl.conf"
	kill -HUP "$DPID"
	waitfor 5000 eval '[ "$(q "$(n 1 host.status)" | "$JGET" -l result.warnings)" = 0 ]' ||
	    bad "host.status warnings after autoballoon=off: $(q "$(n 1 host.status)" | "$JGET" result.warnings)"
	sq status
	grep -q '^warning:' "$T/out" && badr "squeezerctl status still warns"
	cp "$T/squeezerd.conf.saved" "$T/squeezerd.conf"
	kill -HUP "$DPID"
	waitfor 5000 p_conf manage-domain-zero no || bad "manage-domain-zero not back to no"
	tend
}

# ==== run ===================================================================

if case_startup; then
	[ "$XSD" = real ] && XL_XSD_PID=$XSD_PID && export XL_XSD_PID
	for c in ${ONLY:-fill names refusals create create_fails ranges rules \
	    receive libvirt autoballoon}; do
		"case_$c"
	done
else
	nfail=$((nfail + 1))
	echo "FAIL  not run (no xenstore server or no daemon)"
fi
e2e_finish
