#!/bin/sh
# make demo: a simulated host of 12 guests (one stuck, one with a balloon
# floor, dom0 fixed).  An 8-16 GiB VM start is planned and reserved, then a
# 6 GiB one, and the host is rebalanced: the real engine, a virtual clock.
set -eu
ctl=$1
scen=$(dirname "$0")/demo-12-guests.json
echo "== the host: $scen"
echo "   domid  dynamic-min..dynamic-max MiB  balloon"
awk -F'[:,]' '/"domid"/ { id = $2 } /"dynamic-min-kib"/ { min = $2 }
	/"dynamic-max-kib"/ { max = $2 }
	/"model"/ { gsub(/[" }]/, "", $2)
	    printf "   %5d  %6d..%-6d             %s\n", id, min / 1024, max / 1024, $2 }' "$scen"
echo
echo "== the steps"
grep '"op"' "$scen" | sed 's/^ */   /'
echo
echo "== balancing as it happens (lines where something changed): t (s), host free (MiB),"
echo "   engine outcome, then domid:target/actual (MiB); domain 5 is stuck, 9 has a floor"
"$ctl" simulate -t "$scen" 2>&1 >/dev/null | awk -F'; ' '
	{ split($1, h, " "); sub("F", "", h[2]);
	  body = sprintf("%7d %-12s", h[2] / 1024, h[3])
	  for (i = 2; i <= NF; i++) { split($i, d, " "); sub("T", "", d[2]); sub("A", "", d[3])
	      body = body sprintf(" %d:%d/%d", d[1], d[2] / 1024, d[3] / 1024) }
	  if (body != last) printf "%-7s %s\n", h[1], body
	  last = body }'
echo
echo "== outcome of each step"
"$ctl" simulate "$scen" | awk '/"op"/ { gsub(/[",]/, ""); op = $2 }
	/"outcome"/ { gsub(/[",]/, ""); printf "   %-14s %s", op, $2 }
	/"host"/ { exit }
	/"obtained-kib"|"needed-kib"|"free-kib"/ && op != "plan" { gsub(/[",]/, ""); printf "  %s %s", $1, $2 }
	/"domids"/ { printf "  domids" } /^ *[0-9]+,?$/ && op == "balance" { gsub(/,/, ""); printf " %s", $1 }
	/"elapsed-s"/ { gsub(/[",]/, ""); printf "  (%s s simulated)\n", $2 }'
echo
echo "Try it: $ctl simulate -t $scen"
