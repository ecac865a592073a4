#!/bin/sh
# bench/xl-create.sh: how long "squeezerctl xl create" takes to get a guest
# running on a full host, against the physical limit of the ballooning it
# needed.  The unmodified squeezerd on the xen backend (xsd-sim, the
# libxenctrl double, balloon-sim), GUESTS guests that fill the host and
# balloon at RATE KiB/s each, the stand-in xl (tests/harness/xl/xl, no
# pause between making and building a domain).  First a small guest where
# there is room (xl's and squeezerctl's own time: dry run, reserve, create,
# domid, transfer, delete, unpause), then the guests may grow to fill the
# host, and a VM of VM_MIB is created: the guests must give what it needs
# less what is free.  The ballooning's share is the difference of the two
# times; its limit is what the guests gave divided by what they can give
# at once (GUESTS x RATE).
#
# Environment: SQUEEZERD, SQUEEZERCTL, GUESTS (8), RATE (524288), VM_MIB
# (4096).
set -eu
cd "$(dirname "$0")/.."
SQUEEZERD=${SQUEEZERD:-./squeezerd}
SQUEEZERCTL=${SQUEEZERCTL:-./squeezerctl}
GUESTS=${GUESTS:-8}
RATE=${RATE:-524288}
VM_MIB=${VM_MIB:-4096}
H=tests/harness
XSD=$H/xsd/xsd-sim
XCSIM=$H/xc/xcsim
BALLOON=$H/balloon/balloon-sim
XL=$(pwd)/$H/xl/xl

T=$(mktemp -d /tmp/xlb.XXXXXX)
pids=""
cleanup() {
	for f in "$T"/xl-balloon-*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export XENCTRL_SIM_STATE=$T/host.state XENSTORED_PATH=$T/xs XL XL_STATE=$T
export XL_BUILD_MS=0 XL_BALLOON=normal:rate=$RATE,inaccuracy=0 \
    JGET=build/rpc/jget
unset LD_PRELOAD
# dom0 1 GiB; guests of 3 GiB (1-3 GiB), 512 MiB of room and the host
# reserve free; then they may grow to 3.5 GiB
gkib=3145728
pages=$((262144 + GUESTS * gkib / 4 + (524288 + 73728) / 4 + 4096))
printf 'host total_pages=%d xen_pages=4096 nr_cpus=4 nr_nodes=1\n' "$pages" \
    >"$XENCTRL_SIM_STATE"
printf 'dom 0 tot_pages=262144 max_pages=262144\n' >>"$XENCTRL_SIM_STATE"
"$XSD" "$XENSTORED_PATH" >"$T/xsd.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -S "$XENSTORED_PATH" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kv="" args=""
d=1
while [ "$d" -le "$GUESTS" ]; do
	"$XCSIM" create $d tot_pages=$((gkib / 4)) max_pages=$((3670016 / 4))
	p=/local/domain/$d
	kv="$kv $p/memory/target $gkib $p/memory/dynamic-min 1048576"
	kv="$kv $p/memory/dynamic-max $gkib $p/memory/static-max 3670016"
	kv="$kv $p/domain-type pv $p/name guest-$d"
	args="$args $d:normal:rate=$RATE,inaccuracy=0"
	d=$((d + 1))
done
# shellcheck disable=SC2086
xenstore-write $kv
# shellcheck disable=SC2086
"$BALLOON" -i 50 $args >"$T/balloon.log" 2>&1 &
pids="$pids $!"
printf 'poll-interval = 100ms\n' >"$T/squeezerd.conf"
chmod 600 "$T/squeezerd.conf"
LD_LIBRARY_PATH=$H/xc/lib "$SQUEEZERD" -d --backend=xen -s "$T/sq" \
    -f "$T/squeezerd.conf" 2>"$T/squeezerd.log" &
pids="$pids $!"

ctl() { "$SQUEEZERCTL" -s "$T/sq" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# settled: nothing queued, free memory within MAX KiB of the host reserve
settled() {
	ctl -j status >"$T/st" 2>/dev/null || return 1
	[ "$(build/rpc/jget -w pending <"$T/st")" = 0 ] &&
	[ "$(build/rpc/jget -w busy <"$T/st")" = false ] &&
	[ "$(build/rpc/jget -w free-kib <"$T/st")" -le $((73728 + $1)) ]
}
# the daemon's time in reserves so far (squeezerd_reserve_seconds_sum)
reserve_s() {
	ctl metrics | awk '$1 == "squeezerd_reserve_seconds_sum" { print $2 }'
}
wait_settled() {
	i=0
	while ! settled "$1" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}

printf 'name = "vm1"\nmemory = %d\nvcpus = 1\n' "$VM_MIB" >"$T/vm1.cfg"
printf 'name = "vm2"\nmemory = 256\nvcpus = 1\n' >"$T/vm2.cfg"
# where nothing need be freed: xl's and squeezerctl's own time
wait_settled 1048576
t2=$(now_ms)
ctl -j xl create "$T/vm2.cfg" >"$T/vm2.out" 2>"$T/vm2.err" || {
	cat "$T/vm2.err" >&2; exit 1; }
t3=$(now_ms)
# the guests fill the host; then the VM
kv=""
d=1
while [ "$d" -le "$GUESTS" ]; do
	kv="$kv /local/domain/$d/memory/dynamic-max 3670016"
	d=$((d + 1))
done
# shellcheck disable=SC2086
xenstore-write $kv
sleep 1
wait_settled 16384
free0=$(build/rpc/jget -w free-kib <"$T/st")
rs0=$(reserve_s)
t0=$(now_ms)
ctl -j xl create "$T/vm1.cfg" >"$T/vm1.out" 2>"$T/vm1.err" || {
	cat "$T/vm1.err" >&2; exit 1; }
t1=$(now_ms)
need=$(build/rpc/jget -w need-kib <"$T/vm1.out")
rs1=$(reserve_s)
awk -v g="$GUESTS" -v r="$RATE" -v need="$need" -v free0="$free0" \
    -v full=$((t1 - t0)) -v room=$((t3 - t2)) -v vm="$VM_MIB" \
    -v rs0="$rs0" -v rs1="$rs1" 'BEGIN {
	gave = need - (free0 - 73728)
	if (gave < 0) gave = 0
	limit = gave / (g * r) * 1000
	resv = (rs1 - rs0) * 1000
	printf "xl create of a %d MiB guest on a full host (%d guests", vm, g
	printf " ballooning at %d KiB/s each): %d ms to running\n", r, full
	printf "  its reserve: %.0f MiB freed in %d ms; physical limit %d ms" \
	    " (%.2fx)\n", gave / 1024, resv, limit, (limit > 0 ? resv / limit : 0)
	printf "  the rest (xl, squeezerctl): %d ms; where nothing need be" \
	    " freed: %d ms in all\n", full - resv, room }'
