#!/bin/sh
# make demo: squeezerd on a simulated host of 12 guests (and dom0), driven
# the way a toolstack drives it: a VM starts (reserve, create, transfer,
# build), a VM migrates in, a VM migrates out (ballooned only as far as the
# destination needs: migration.prepare), and the balancing shows as it
# happens.  Every size is in MiB, and no line is wider than 100 columns.
# Usage: daemon.sh [SQUEEZERD [SQUEEZERCTL]]
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

# squeezerctl with sizes in MiB.
ctl() { "$SQUEEZERCTL" -s "$SOCK" -u M "$@"; }

say() { printf '\n== %s\n' "$*"; }

# The header of line's columns: the time, free memory, each guest's domid.
head_line() {
	doms=$(ctl domains | awk 'NR > 1 && $1 != 0 { printf "%6s", $1 }')
	echo "  free memory and each guest's memory (MiB), by domid, every 0.5 s:"
	printf '  time   free |%s\n' "$doms"
}

# One line of the host as it is now: free memory and each guest's actual
# memory, in MiB.
line() {
	free=$(ctl status | awk '$1 == "free" { print $2 }')
	doms=$(ctl domains | awk 'NR > 1 && $1 != 0 { printf "%6d", $5 }')
	printf '%5.1fs %6s |%s\n' "$1" "$free" "$doms"
}

# Run a squeezerctl command in the background, printing the host every
# half second until it answers; its output lands in $DIR/out.
watch() {
	"$SQUEEZERCTL" -s "$SOCK" -u M "$@" > "$DIR/out" 2>&1 &
	job=$!
	t=0
	head_line
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
	echo "  -> reserved $((kib / 1024)) MiB: $id"
	domid=$(ctl call sim.domain.create '{}' | json domid)
	echo "  create domain $domid; transfer the reservation; build it"
	ctl transfer "$id" "$domid" > /dev/null
	ctl call sim.domain.build "{\"domid\": $domid, \"target-kib\": $kib,
	    \"dynamic-min-kib\": $3, \"dynamic-max-kib\": $4,
	    \"balloon\": {\"rate-kib-s\": 524288}}" > /dev/null
	ctl delete "$id" > /dev/null
}

say "squeezerd --backend=sim: the built-in host (98304 MiB, dom0 and 12 guests)"
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

say "1. Start a VM with dynamic range 16384-24576 MiB: reserve 16384M-24576M"
echo "   19456 MiB are free, so the guests balloon down to make room:"
start_vm 16384M 24576M 16777216 25165824
ctl domains

say "2. A 4096 MiB VM migrates in: an exact reservation of its memory"
start_vm 4096M 4096M 4194304 4194304

say "3. Domain 7 (16384 MiB) migrates out to a host with room: no ballooning"
echo "   (xenopsd would first collapse it to dynamic-min and balance; here the"
echo "   destination's migration.reserve got all 16384 MiB, so the VM stays as"
echo "   it is)"
ctl migrate-out 7 16384M | sed 's/^/  -> /'
ctl migrate-end 7 aborted > /dev/null
echo "   the transfer failed and is retried to a host with only 12288 MiB free:"
echo "   the VM is ballooned down to 12288 MiB, not to its dynamic-min (8192 MiB)"
watch migrate-out 7 12288M
sed 's/^/  -> /' "$DIR/out"
echo "  the VM has gone: migrate-end done, its domain destroyed; the others grow"
ctl migrate-end 7 done > /dev/null
ctl call sim.domain.destroy '{"domid": 7}' > /dev/null
# domain 5 is stuck: the balance ends refused, naming it (exit status 1)
watch balance || true
sed 's/^/  -> /' "$DIR/out"

say "4. What an 8192 MiB reservation would take now, and from whom"
ctl plan 8192M
say "The host at the end"
ctl status
ctl domains

say "The daemon's log (its sizes turned into MiB)"
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=
sed "s|, socket $DIR/socket||" "$DIR/log" | awk '{
	for (i = 1; i < NF; i++)
		if ($(i + 1) ~ /^KiB/ && $i ~ /^[(]?[0-9]+$/) {
			p = $i ~ /^[(]/ ? "(" : ""
			$i = p sprintf("%d", substr($i, length(p) + 1) / 1024)
			sub(/^KiB/, "MiB", $(i + 1))
		}
	print
}' | fold -s -w 100
