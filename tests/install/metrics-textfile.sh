#!/bin/sh
# tests/install/metrics-textfile.sh SERVICE SQUEEZERCTL SQUEEZERD: run the
# command of the installed squeezerd-metrics.service (its ExecStart=, with
# systemd's $$ and line continuations undone, and -s for a private socket)
# against a daemon on the simulated backend: the collector's directory gets
# squeezerd.prom, readable by node_exporter (0644), that passes promcheck,
# and no temporary file; with the daemon gone the command fails and
# squeezerd.prom is removed.
set -eu
SERVICE=$1 CTL=$2 SQUEEZERD=$3
here=$(dirname "$0")
D=$(mktemp -d /tmp/metrics-textfile.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$D"' EXIT
mkdir "$D/collector"
: >"$D/conf"
"$SQUEEZERD" -d --backend=sim -s "$D/sock" -f "$D/conf" 2>"$D/log" &
PID=$!
i=0
until "$CTL" -s "$D/sock" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { echo "no daemon: $(cat "$D/log")"; exit 1; }
	sleep 0.1
done
# ExecStart=/bin/sh -ec '...': the script between the quotes
sed -n '/^ExecStart=/,/[^\\]$/p' "$SERVICE" | sed 's/\\$//' | tr '\n' ' ' |
    sed "s/^ExecStart=\/bin\/sh -ec '//; s/' *\$//; s/\\\$\\\$/\$/g" |
    sed "s|[^ ]*/squeezerctl metrics|$CTL -s $D/sock metrics|" >"$D/cmd"
grep -q "squeezerctl -s $D/sock metrics" "$D/cmd" ||
    { echo "cannot read the command of $SERVICE"; cat "$D/cmd"; exit 1; }
run() { DIR=$D/collector sh -ec "$(cat "$D/cmd")"; }
run || { echo "the command failed"; exit 1; }
f=$D/collector/squeezerd.prom
[ "$(stat -c %a "$f")" = 644 ] || { echo "mode $(stat -c %a "$f")"; exit 1; }
sh "$here/../metrics/promcheck.sh" "$f" || { echo "promcheck refused it"; exit 1; }
grep -q '^squeezerd_host_total_bytes ' "$f" || { echo "no metrics"; exit 1; }
[ "$(ls -A "$D/collector")" = squeezerd.prom ] ||
    { echo "left: $(ls -A "$D/collector")"; exit 1; }
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=
if run 2>/dev/null; then
	echo "the command succeeded with no daemon"
	exit 1
fi
[ -z "$(ls -A "$D/collector")" ] ||
    { echo "with no daemon, left: $(ls -A "$D/collector")"; exit 1; }
echo "ok    the metrics service writes squeezerd.prom atomically, removes it when the daemon is gone"
