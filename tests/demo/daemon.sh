#!/bin/sh
# make demo: squeezerd on a simulated host of 12 guests (and dom0), driven
# the way a toolstack drives it: a VM starts (reserve, create, transfer,
# build), a VM migrates in, a VM migrates out (ballooned only as far as the
# destination needs: migration.prepare), and the balancing shows as it
# happens.  Usage: daemon.sh [SQUEEZERD [SQUEEZERCTL]]
set -eu

SQUEEZERD=${1:-./squeezerd}
SQUEEZERCTL=${2:-./squeezerctl}
DIR=$(mktemp -d /tmp/squeezerd-demo.XXXXXX)
SOCK=$DIR/socket
PID=

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

ctl() { "$SQUEEZERCTL" -s "$SOCK" "$@"; }

say() { printf '\n== %s\n' "$*"; }

# One line of the host as it is now: free memory and each guest's memory.
line() {
	free=$(ctl status | awk '$1 == "free" { print $2 }')
	doms=$(ctl domains | awk 'NR > 1 && $1 != 0 {
		printf " %s:%d", $1, $5 }')
	printf '  %5.1fs  free %8s MiB | MiB by domid:%s\n' "$1" "$free" \
	    "$doms"
}

# Run a squeezerctl command in the background, printing the host every
# half second until it answers; its output lands in $DIR/out.
watch() {
	"$SQUEEZERCTL" -s "$SOCK" "$@" > "$DIR/out" 2>&1 &
	job=$!
	t=0
	line "$t"
	while kill -0 "$job" 2>/dev/null; do
		sleep 0.5
		t=$(awk "BEGIN { print $t + 0.5 }")
		kill -0 "$job" 2>/dev/null && line "$t"
	done
	wait "$job" || { cat "$DIR/out"; return 1; }
	line "$t"
}

json() { sed -n "s/.*\"$1\": *\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" | head -1; }

# What xenopsd does to start a VM: reserve, create, transfer, build.
start_vm() {	# start_vm MIN MAX DYNMIN-KIB DYNMAX-KIB
	watch -j reserve "$1-$2" --session demo
	id=$(json id < "$DIR/out")
	kib=$(json kib < "$DIR/out")
	echo "  -> reserved $kib KiB: $id"
	domid=$(ctl call sim.domain.create '{}' | json domid)
	echo "  create domain $domid; transfer the reservation; build it"
	ctl transfer "$id" "$domid" > /dev/null
	ctl call sim.domain.build "{\"domid\": $domid, \"target-kib\": $kib,
	    \"dynamic-min-kib\": $3, \"dynamic-max-kib\": $4,
	    \"balloon\": {\"rate-kib-s\": 524288}}" > /dev/null
	ctl delete "$id" > /dev/null
}

say "squeezerd --backend=sim: the built-in host (96 GiB, dom0 and 12 guests)"
"$SQUEEZERD" -d --backend=sim -s "$SOCK" 2> "$DIR/log" &
PID=$!
i=0
while [ ! -S "$SOCK" ]; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 50 ] || { cat "$DIR/log"; exit 1; }
done
ctl status
ctl domains
echo "  (domain 5's balloon driver is stuck: watch it be left out after 5 s)"

say "1. Start a VM with dynamic range 16-24 GiB: reserve 16G-24G"
echo "   19 GiB are free, so the guests balloon down to make room:"
start_vm 16G 24G 16777216 25165824
ctl domains

say "2. A 4 GiB VM migrates in: an exact reservation of its memory"
start_vm 4G 4G 4194304 4194304

say "3. Domain 7 (16 GiB) migrates out to a host with room: no ballooning"
echo "   (xenopsd would first collapse it to dynamic-min and balance; here the"
echo "   destination's migration.reserve got all 16 GiB, so the VM stays as it is)"
ctl migrate-out 7 16G | sed 's/^/  -> /'
ctl migrate-end 7 aborted > /dev/null
echo "   the transfer failed and is retried to a host with only 12 GiB free:"
echo "   the VM is ballooned down to 12 GiB, not to its dynamic-min (8 GiB)"
watch migrate-out 7 12G
sed 's/^/  -> /' "$DIR/out"
echo "  the VM has gone: migrate-end done, its domain destroyed; the others grow"
ctl migrate-end 7 done > /dev/null
ctl call sim.domain.destroy '{"domid": 7}' > /dev/null
watch balance
sed 's/^/  -> /' "$DIR/out"

say "4. What an 8 GiB reservation would take now, and from whom"
ctl plan 8G
say "The host at the end"
ctl status
ctl domains

say "The daemon's log"
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=
cat "$DIR/log"
