#!/bin/sh
# bench/xen-bench.sh: the unmodified squeezerd on the xen backend (xsd-sim,
# the libxenctrl test double, balloon-sim): idle with 50 balanced guests
# (xenstore operations and CPU over IDLE_S seconds), then how fast it
# reacts to a watch event (a guest's dynamic-max lowered) and to a reserve
# that needs ballooning (time to the first memory/target write).
#
# Environment: SQUEEZERD, SQUEEZERCTL, XS_REACT, IDLE_S (60), GUESTS (50).
set -eu
cd "$(dirname "$0")/.."
SQUEEZERD=${SQUEEZERD:-./squeezerd}
SQUEEZERCTL=${SQUEEZERCTL:-./squeezerctl}
XS_REACT=${XS_REACT:-build/xs-react}
IDLE_S=${IDLE_S:-60}
GUESTS=${GUESTS:-50}
H=tests/harness
XSD=$H/xsd/xsd-sim
XCSIM=$H/xc/xcsim
BALLOON=$H/balloon/balloon-sim

T=$(mktemp -d /tmp/xb.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export XENCTRL_SIM_STATE=$T/host.state XENSTORED_PATH=$T/xs
unset LD_PRELOAD
# dom0 4 GiB, GUESTS guests of 1 GiB (dynamic range 512 MiB-1 GiB), 8 GiB free
pages=$((1048576 + GUESTS * 262144 + 2097152 + 4096))
printf 'host total_pages=%d xen_pages=4096 nr_cpus=4 nr_nodes=1\n' "$pages" \
    >"$XENCTRL_SIM_STATE"
printf 'dom 0 tot_pages=1048576 max_pages=1048576\n' >>"$XENCTRL_SIM_STATE"
"$XSD" -t "$T/trace" "$XENSTORED_PATH" >"$T/xsd.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -S "$XENSTORED_PATH" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
args="" kv=""
d=1
while [ $d -le "$GUESTS" ]; do
	"$XCSIM" create $d tot_pages=262144 max_pages=262144
	p=/local/domain/$d
	kv="$kv $p/memory/target 1048576 $p/memory/dynamic-min 524288"
	kv="$kv $p/memory/dynamic-max 1048576 $p/domain-type pv"
	args="$args $d:normal:rate=1048576"
	d=$((d + 1))
done
# shellcheck disable=SC2086
xenstore-write $kv
# shellcheck disable=SC2086
"$BALLOON" $args >"$T/balloon.log" 2>&1 &
pids="$pids $!"
: >"$T/squeezerd.conf"
LD_LIBRARY_PATH=$H/xc/lib "$SQUEEZERD" -d --backend=xen -s "$T/sq" \
    -f "$T/squeezerd.conf" 2>"$T/squeezerd.log" &
dpid=$!
pids="$pids $dpid"
sleep 3		# start-up: calibration writes memory-offset once per guest

ops() { grep -c ": [A-Z_]* tx" "$T/trace" || true; }
writes() { grep -cE ": (WRITE|RM|MKDIR|SET_PERMS) tx" "$T/trace" || true; }
ticks() { awk '{ print $14 + $15 }' "/proc/$dpid/stat"; }

o0=$(ops) w0=$(writes) c0=$(ticks)
sleep "$IDLE_S"
o1=$(ops) w1=$(writes) c1=$(ticks)
hz=$(getconf CLK_TCK)
awk -v g="$GUESTS" -v s="$IDLE_S" -v o=$((o1 - o0)) -v w=$((w1 - w0)) \
    -v c=$((c1 - c0)) -v hz="$hz" 'BEGIN {
	printf "xen idle: %d balanced guests for %d s: %d xenstore writes, " \
	    "%d xenstore operations in all, CPU %.3f %%\n", g, s, w, o,
	    100 * c / hz / s }'

ms=$("$XS_REACT" /local/domain/7/memory/target write \
    /local/domain/7/memory/dynamic-max 786432)
echo "xen reaction to a watch event (dynamic-max lowered -> new target): $ms ms"
# let that balance finish: a reserve queues behind it
i=0
while "$SQUEEZERCTL" -s "$T/sq" -j status | grep -Eq '"pending": *[1-9]|"busy": *true' &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ms=$("$XS_REACT" /local/domain/3/memory/target rpc "$T/sq" \
    '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":12582912}}')
echo "xen reaction to a reserve that needs ballooning (-> first target): $ms ms"
