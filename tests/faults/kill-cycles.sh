#!/bin/sh
# tests/faults/kill-cycles.sh: 100 cycles of a toolstack's reserve, create,
# transfer, build, delete, destroy against squeezerd (sim backend), with the
# daemon killed (SIGKILL) at a random point of each cycle and restarted.
# After every restart: no reservation the client was given is lost, none is
# listed twice, each is counted once, and the books balance (what is
# reserved fits in what is free).
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
RPCC=${RPCC:-build/rpc/rpcc}
JGET=${JGET:-build/rpc/jget}
CYCLES=${CYCLES:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/kill.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
: >"$T/conf"
chmod 0600 "$T/conf"
# start: the daemon, answering (a busy machine may take a while).
start() {
	"$SQUEEZERD" -d --backend=sim --host "$HERE/../rpc/host-fast.json" \
	    -s "$T/sock" -f "$T/conf" 2>>"$T/log" &
	pid=$!
	i=0
	until [ -n "$(call host.status '{}')" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "faults: squeezerd did not start; its log:" >&2
			tail -20 "$T/log" >&2
			exit 2
		fi
		sleep 0.05
	done
}
# call METHOD PARAMS: the reply line, or nothing if the daemon is gone
call() {
	printf '{"jsonrpc":"2.0","id":1,"method":"%s","params":%s}\n' "$1" "$2" |
	    "$RPCC" -t5000 "$T/sock" 2>/dev/null || true
}
get() { printf '%s\n' "$1" | "$JGET" "$2" 2>/dev/null || true; }
kills=0 lost=0 dup=0 miscount=0 overbooked=0 checks=0
held=""		# reservations we were given and have not deleted
start
c=0
while [ $c -lt "$CYCLES" ]; do
	c=$((c + 1))
	d=$((20 + c % 100))
	kill_at=$(( $(od -An -N1 -tu1 /dev/urandom) % 7 ))	# 6: no kill
	step=0
	for op in reserve create transfer build delete destroy; do
		step=$((step + 1))
		if [ $step -eq "$kill_at" ]; then
			# die mid-request: send it, kill at once
			( sleep 0.00$(( $(od -An -N1 -tu1 /dev/urandom) % 9 )); kill -9 "$pid" ) &
		fi
		case $op in
		reserve) r=$(call reserve "{\"kib\":65536,\"id\":\"c$c\",\"session\":\"kc\"}")
			[ "$(get "$r" result.id)" = "c$c" ] && held="$held c$c" ;;
		create) call sim.domain.create "{\"domid\":$d}" >/dev/null ;;
		transfer) call reservation.transfer "{\"id\":\"c$c\",\"domid\":$d}" >/dev/null ;;
		build) call sim.domain.build "{\"domid\":$d,\"target-kib\":32768,\"dynamic-min-kib\":32768,\"dynamic-max-kib\":32768}" >/dev/null ;;
		delete) r=$(call reservation.delete "{\"id\":\"c$c\"}")
			# no reply (killed meanwhile): it may or may not have
			# been carried out, and either is right; the books
			# below check it was all or nothing
			[ -n "$(get "$r" result.id)" ] || [ -z "$r" ] &&
			    held=$(echo "$held" | sed "s/ c$c\$//; s/ c$c / /") ;;
		destroy) call sim.domain.destroy "{\"domid\":$d}" >/dev/null ;;
		esac
		if [ $step -eq "$kill_at" ]; then
			wait
			kills=$((kills + 1))
			wait "$pid" 2>/dev/null || true
			start
		fi
	done
	# the books, after every cycle
	checks=$((checks + 1))
	list=$(call reservation.list '{}')
	ids=$(get "$list" 'result.*.id' | sort)
	[ "$(printf '%s\n' "$ids" | uniq -d | grep -c . || true)" -eq 0 ] || dup=$((dup + 1))
	for h in $held; do
		printf '%s\n' "$ids" | grep -qx "$h" || { lost=$((lost + 1)); echo "lost $h (cycle $c)"; }
	done
	st=$(call host.status '{}')
	doms=$(call domain.list '{}')
	want=0
	for row in $(printf '%s\n' "$list" | "$JGET" -a result kib domid 2>/dev/null | tr ' ' ':'); do
		k=${row%%:*}
		rd=${row#*:}
		if [ "$rd" = "$row" ] || [ -z "$rd" ] || [ "$rd" = "<missing>" ] ||
		    ! printf '%s\n' "$doms" | "$JGET" -a result domid 2>/dev/null | grep -qx "$rd"; then
			want=$((want + k))
		fi
	done
	for row in $(printf '%s\n' "$doms" | "$JGET" -a result booted initial-reservation-kib actual-kib 2>/dev/null | tr ' ' ':'); do
		case $row in
		false:*) ir=$(echo "$row" | cut -d: -f2); ac=$(echo "$row" | cut -d: -f3)
			[ "$ir" != "<missing>" ] && [ "$ir" -gt "$ac" ] && want=$((want + ir - ac)) ;;
		esac
	done
	got=$(get "$st" result.reserved-kib)
	[ "$got" = "$want" ] || { miscount=$((miscount + 1)); echo "cycle $c: reserved-kib $got, the reservations and unbuilt domains say $want"; }
	pf=$(get "$st" result.physical-free-kib)
	[ "$got" -le "$pf" ] || { overbooked=$((overbooked + 1)); echo "cycle $c: reserved $got > physical free $pf"; }
	# tidy up this cycle, whatever state the kill left
	call reservation.delete "{\"id\":\"c$c\"}" >/dev/null
	held=$(echo "$held" | sed "s/ c$c\$//; s/ c$c / /")
	call sim.domain.destroy "{\"domid\":$d}" >/dev/null
done
echo "faults: $CYCLES reserve/transfer/delete cycles, $kills SIGKILLs and restarts, $checks checks: $lost reservations lost, $dup listed twice, $miscount miscounted, $overbooked overbooked"
[ $lost -eq 0 ] && [ $dup -eq 0 ] && [ $miscount -eq 0 ] && [ $overbooked -eq 0 ]
