#!/bin/sh
# tests/rpc/run.sh: the RPC suite.  Runs squeezerd on the simulated backend
# on private sockets in a temp directory and checks every method of
# docs/rpc.md in both dialects, the framing rules, bad input, cancellation,
# expiry and restart after kill -9.
#
# Environment: RPCC, JGET, CONNS, SQUEEZERD (the binaries), KEEP=1 keeps the
# temp directory (daemon logs), ONLY=fast|slow|bad|v1|restart|signal|flow
# runs one group.
# Prints one line per case and "rpc: N passed, M failed"; exit 1 on failure.
set -eu
cd "$(dirname "$0")/../.."
RPCC=${RPCC:-build/rpc/rpcc}
JGET=${JGET:-build/rpc/jget}
CONNS=${CONNS:-build/rpc/conns}
SQUEEZERD=${SQUEEZERD:-./squeezerd}
HERE=tests/rpc
ONLY=${ONLY:-}

for b in "$RPCC" "$JGET" "$CONNS" "$SQUEEZERD"; do
	if [ ! -x "$b" ]; then
		echo "rpc: $b: not built" >&2
		exit 2
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-rpc.XXXXXX")
npass=0
nfail=0
pids=""
pid_fast=""
# shellcheck disable=SC2034
pid_slow=""

cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "rpc: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$TMP/squeezerd.conf" <<'EOF'
# squeezerd.conf for the RPC suite: a quick periodic balance
balance-interval = 500ms
EOF

# ---- the daemons -------------------------------------------------------

# start NAME HOSTFILE [CONF]: a daemon on $TMP/NAME.sock (state
# $TMP/NAME.sock.sim), logging to $TMP/NAME.log; sets pid_NAME.
start() {
	"$SQUEEZERD" -d --backend=sim --host "$2" -s "$TMP/$1.sock" \
	    -f "${3:-$TMP/squeezerd.conf}" 2>>"$TMP/$1.log" &
	eval "pid_$1=$!"
	pids="$pids $!"
	if ! printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"host.status"}' |
	    "$RPCC" -q -W5000 -t5000 "$TMP/$1.sock" 2>>"$TMP/$1.log"; then
		echo "rpc: squeezerd ($1) did not start; its log:" >&2
		sed 's/^/  | /' "$TMP/$1.log" >&2
		exit 2
	fi
}

# stop NAME: SIGTERM, then SIGKILL after 3 s.
stop() {
	eval "_p=\$pid_$1"
	kill "$_p" 2>/dev/null || return 0
	_i=30
	while kill -0 "$_p" 2>/dev/null && [ $_i -gt 0 ]; do
		sleep 0.1
		_i=$((_i - 1))
	done
	kill -9 "$_p" 2>/dev/null || true
	wait "$_p" 2>/dev/null || true
}

alive() {
	eval "_p=\$pid_$1"
	kill -0 "$_p" 2>/dev/null
}

. tests/lib.sh


fast_cases() {
	S=$TMP/fast.sock

	tcase "host.status: every field present, typed and consistent"
	call host.status
	ok_native
	for k in total-kib free-kib physical-free-kib reserved-kib \
	    reclaimable-kib host-reserve-kib domains reservations pending; do
		typ "result.$k" int
	done
	typ result.busy boolean
	eq result.policy proportional
	eq result.backend sim
	num result.host-reserve-kib -eq 73728
	num result.total-kib -eq 11534336
	num result.physical-free-kib -eq 1048576
	num result.reserved-kib -eq 0
	num result.reservations -eq 0
	num result.pending -eq 0
	num result.domains -eq 5
	num result.reclaimable-kib -le 4194304
	num result.reclaimable-kib -ge 4128768
	pf=$(v result.physical-free-kib)
	num result.free-kib -le "$pf"
	tot=$(v result.total-kib)
	call domain.list
	sum=$(v 'result.*.actual-kib' | awk '{ s += $1 } END { print s }')
	if [ "$((sum + pf))" -ne "$tot" ]; then
		bad "total-kib $tot != physical-free-kib $pf + sum of actual-kib $sum"
	fi
	tend

	tcase "domain.list: one object per domain, every field"
	call domain.list
	ok_native
	typ result array
	eqs 'result.*.domid' "0 1 2 3 4"
	for k in domid dynamic-min-kib dynamic-max-kib target-kib actual-kib \
	    maxmem-kib can-balloon booted state; do
		case $k in
		can-balloon|booted)	_w=boolean ;;
		state)			_w=string ;;
		*)			_w=int ;;
		esac
		_bt=$(v -t "result.*.$k" | sort -u | tr '\n' ' ')
		if [ "$_bt" != "$_w " ]; then
			bad "result.*.$k have types '$_bt', want $_w"
		fi
	done
	_rows=$(v -a result domid can-balloon dynamic-min-kib dynamic-max-kib \
	    target-kib booted reservation-id | sort -n)
	_want="0 false 2097152 2097152 2097152 true <missing>"
	for d in 1 2 3 4; do
		_want="$_want
$d true 1048576 2097152 2097152 true <missing>"
	done
	if [ "$_rows" != "$_want" ]; then
		bad "domains (domid can-balloon min max target booted reservation-id): $(echo "$_rows" | tr '\n' ';'), want $(echo "$_want" | tr '\n' ';')"
	fi
	tend

	tcase "config.get: every key, sizes as numbers, durations as the file writes them"
	call config.get
	ok_native
	for k in balance-interval balance-tolerance-kib granularity-kib \
	    host-reserve-kib inaccuracy-compensation policy poll-interval \
	    stuck-after two-phase uncooperative-after; do
		has "result.$k"
	done
	eqj result.host-reserve-kib 73728
	eqj result.granularity-kib 2048
	eqj result.balance-tolerance-kib 512
	eqj result.balance-interval '"500ms"'
	eqj result.stuck-after '"5s"'
	eqj result.uncooperative-after '"20s"'
	eqj result.socket-mode '"0660"'
	eq result.policy proportional
	eqj result.client-idle-timeout '"1m"'
	eqj result.max-clients-per-user 32
	eq result.use-switch no
	eq result.switch-path /var/run/message-switch/sock
	eq result.queue-name org.xen.xapi.memory
	eq result.boot-time-memory-file \
	    /var/run/nonpersistent/xapi/boot_time_memory
	eq result.xmlrpc-socket ""
	tend

	tcase "reserve kib: result, reservation.list, host.status accounting"
	free0=$(status_of free-kib)
	send -- "$(n 11 reserve '{"kib":262144,"session":"t1"}')"
	ok_native 11
	keys "id jsonrpc result"
	match result.id "$UUID"
	eq result.kib 262144
	eq result.session t1
	R1=$(v result.id)
	call host.status
	num result.reserved-kib -eq 262144
	num result.reservations -eq 1
	num result.free-kib -eq "$((free0 - 262144))"
	call reservation.list
	ok_native
	eq result.0.id "$R1"
	eq result.0.session t1
	eq result.0.kib 262144
	lacks result.0.domid result.0.expires-in-ms
	send -- "$(n 2 reservation.list '{"session":"t1"}')"
	eq result.0.id "$R1"
	send -- "$(n 3 reservation.list '{"session":"nobody"}')"
	ok_native 3
	eqj result '[]'
	tend

	tcase "reserve min-kib/max-kib: the most within range when memory is free"
	send -- "$(n 1 reserve '{"min-kib":65536,"max-kib":131072,"session":"t1"}')"
	ok_native
	match result.id "$UUID"
	eq result.kib 131072
	R2=$(v result.id)
	call reservation.list
	eqs 'result.*.kib' "131072 262144"
	tend

	tcase "reservation.delete: result and list"
	send -- "$(n 4 reservation.delete "{\"id\":\"$R2\"}")"
	ok_native 4
	eq result.id "$R2"
	eq result.kib 131072
	call reservation.list
	eq 'result.*.id' "$R1"
	send -- "$(n 5 reservation.delete "{\"id\":\"$R2\"}")"
	err_native -32003 unknown_reservation 5
	eq error.data.id "$R2"
	send -- "$(n 6 reservation.delete "{\"id\":\"$R1\",\"session\":\"t2\"}")"
	err_native -32003 unknown_reservation 6
	call reservation.list
	eq 'result.*.id' "$R1"
	tend

	tcase "reserve that needs ballooning (2 GiB of 1 GiB free)"
	send -t8000 -- "$(n 1 reserve '{"kib":2097152,"session":"t2"}')"
	ok_native
	eq result.kib 2097152
	R3=$(v result.id)
	call host.status
	num result.reserved-kib -eq "$((262144 + 2097152))"
	num result.physical-free-kib -ge "$((262144 + 2097152 + 73728))"
	call domain.list
	_low=$(v -a result can-balloon target-kib | awk '$1 == "true" &&
	    $2 < 2097152' | wc -l)
	if [ "$_low" -ne 4 ]; then
		bad "$_low balloonable guests lowered, want 4"
	fi
	delete "$R3"
	settle
	tend

	tcase "reserve more than the guests can give: cannot_free"
	send -t15000 -- "$(n 9 reserve '{"kib":8388608,"session":"t2"}')"
	err_native -32001 cannot_free 9
	typ error.data.needed-kib int
	typ error.data.free-kib int
	nd=$(v error.data.needed-kib)
	num error.data.free-kib -lt "$nd"
	num error.data.needed-kib -ge 8388608
	call reservation.list
	eq 'result.*.id' "$R1"
	settle
	tend

	tcase "sim.domain.create/build/destroy"
	call sim.domain.create '{}'
	ok_native
	eq result.domid 5
	D=5
	send -- "$(n 2 sim.domain.create '{"domid":5}')"
	eq id 2
	has error.code
	call sim.domain.build '{"domid":6,"target-kib":131072,"dynamic-min-kib":65536,"dynamic-max-kib":131072}'
	has error.code
	call sim.domain.create '{"domid":40}'
	eq result.domid 40
	call sim.domain.build '{"domid":40,"target-kib":131072,"dynamic-min-kib":65536,"dynamic-max-kib":131072}'
	ok_native
	eq result.domid 40
	call domain.list
	_e=$(v -a result domid target-kib dynamic-min-kib booted can-balloon |
	    grep '^40 ')
	if [ "$_e" != "40 131072 65536 true true" ]; then
		bad "domain 40 in domain.list is '$_e', want '40 131072 65536 true true'"
	fi
	call host.status
	_nd=$(v result.domains)
	call sim.domain.destroy '{"domid":40}'
	ok_native
	eq result.domid 40
	eq result.freed-kib 131072
	call sim.domain.destroy '{"domid":40}'
	has error.code
	call host.status
	num result.domains -eq $((_nd - 1))
	call domain.list
	if v 'result.*.domid' | grep -qx 40; then
		bad "domain 40 still listed after sim.domain.destroy"
	fi
	tend

	tcase "reservation.transfer and reservation.query"
	send -- "$(n 3 reservation.transfer "{\"id\":\"$R1\",\"domid\":$D}")"
	ok_native 3
	eq result.id "$R1"
	eq result.kib 262144
	eq result.domid "$D"
	call reservation.list
	eq result.0.domid "$D"
	send -- "$(n 4 reservation.query "{\"domid\":$D}")"
	ok_native 4
	eq result.id "$R1"
	eq result.domid "$D"
	call domain.list
	_e=$(v -a result domid reservation-id booted | grep "^$D ")
	if [ "$_e" != "$D $R1 false" ]; then
		bad "domain $D in domain.list is '$_e', want '$D $R1 false'"
	fi
	send -- "$(n 5 reservation.query '{"domid":1}')"
	err_native -32004 no_reservation 5
	eq error.data.domid 1
	send -- "$(n 6 reservation.transfer "{\"id\":\"$R1\",\"domid\":999}")"
	err_native -32005 unknown_domain 6
	eq error.data.domid 999
	send -- "$(n 7 reservation.transfer '{"id":"00000000-0000-4000-8000-000000000000","domid":1}')"
	err_native -32003 unknown_reservation 7
	eq error.data.id 00000000-0000-4000-8000-000000000000
	send -- "$(n 8 reservation.transfer "{\"id\":\"$R1\",\"domid\":$D,\"session\":\"t1\"}")"
	ok_native 8
	tend

	tcase "login: drops the session's reservations, no other"
	reserve 4096 L
	reserve 8192 L
	reserve 4096 M
	RM=$ID
	send -- "$(n 1 login '{"session":"L"}')"
	ok_native
	eq result.session L
	_d=$(v -t result.dropped)
	case $_d in
	int)	eq result.dropped 2 ;;
	array)	len result.dropped 2 ;;
	*)	bad "result.dropped has type $_d" ;;
	esac
	send -- "$(n 1 reservation.list '{"session":"L"}')"
	eqj result '[]'
	send -- "$(n 1 reservation.list '{"session":"M"}')"
	eq 'result.*.id' "$RM"
	send -- "$(n 1 login '{"session":"M"}')"
	eq result.session M
	send -- "$(n 1 reservation.list '{"session":"t1"}')"
	eq 'result.*.id' "$R1"
	tend

	tcase "balance: balanced host, free-kib reported"
	send -t10000 -- "$(n 1 balance)"
	ok_native
	eq result.outcome balanced
	typ result.free-kib int
	tend

	tcase "plan: shape, and it changes nothing"
	before=$(q "$(n 1 domain.list)" | "$JGET" -a result domid target-kib)
	call plan
	ok_native
	for k in outcome phase; do
		typ "result.$k" string
	done
	typ result.required-kib int
	typ result.free-kib int
	typ result.targets array
	typ result.actions array
	eqs 'result.targets.*.domid' "1 2 3 4"
	send -- "$(n 1 plan '{"kib":3145728}')"
	ok_native
	num result.required-kib -ge 3145728
	eq result.phase freeing
	_n=$(v -l result.actions)
	if ! isnum "$_n" || [ "$_n" -lt 1 ]; then
		bad "plan for 3 GiB free has $_n actions, want some"
	fi
	typ result.actions.0.delta-kib int
	num result.actions.0.delta-kib -lt 0
	has result.actions.0.domid result.actions.0.actual-kib \
	    result.actions.0.target-kib
	after=$(q "$(n 1 domain.list)" | "$JGET" -a result domid target-kib)
	if [ "$before" != "$after" ]; then
		bad "plan changed targets: $(echo "$before" | tr '\n' ';') -> $(echo "$after" | tr '\n' ';')"
	fi
	tend

	tcase "ids echoed as sent; a notification gets no response"
	send -n2 -- '{"jsonrpc":"2.0","id":"abc","method":"host.status"}' \
	    '{"jsonrpc":"2.0","method":"reserve","params":{"kib":4096,"session":"notif"}}' \
	    '{"jsonrpc":"2.0","id":-3.5,"method":"host.status"}'
	eqj id '"abc"'
	pick 2
	eqj id -3.5
	if ! waitfor 2000 eval '! p_nres notif'; then
		bad "the notified reserve was not carried out"
	fi
	send -- "$(n 1 login '{"session":"notif"}')"
	eq result.session notif
	tend

	tcase "500 requests pipelined on one connection"
	awk 'BEGIN {
		split("host.status domain.list reservation.list config.get plan no.such", m, " ")
		for (i = 1; i <= 500; i++)
			printf "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\"}\n", i, m[i % 6 + 1]
	}' >"$TMP/pipe.in"
	REQ="(500 lines)"
	RALL=$("$RPCC" -t10000 -f "$TMP/pipe.in" "$S" 2>"$TMP/rpcc.err") &&
	    RC=0 || RC=$?
	if [ "$RC" -ne 0 ]; then
		bad "rpcc exit $RC: $(cat "$TMP/rpcc.err")"
	fi
	_ids=$(printf '%s\n' "$RALL" | "$JGET" id | sort -n | tr '\n' ' ')
	if [ "$_ids" != "$(seq 1 500 | tr '\n' ' ')" ]; then
		bad "ids of the 500 responses: $(echo "$_ids" | cut -c1-200)..."
	fi
	_e=$(printf '%s\n' "$RALL" | "$JGET" error.code | grep -c -- -32601 || true)
	if [ "$_e" -ne 83 ]; then
		bad "$_e method_not_found errors, want 83"
	fi
	_wrong=$(printf '%s\n' "$RALL" | "$JGET" id error.code | paste - - |
	    awk '($1 % 6 == 5) != ($2 == -32601)' | wc -l)
	if [ "$_wrong" -ne 0 ]; then
		bad "$_wrong responses do not match their request's id"
	fi
	tend

	tcase "16 concurrent clients, 25 requests each"
	_i=1
	_cp=""
	while [ $_i -le 16 ]; do
		awk -v c=$_i 'BEGIN { for (i = 1; i <= 25; i++)
			printf "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\"}\n",
			    c * 1000 + i, (i % 2) ? "host.status" : "reservation.list" }' |
		    "$RPCC" -t10000 "$S" >"$TMP/cc.$_i" 2>&1 &
		_cp="$_cp $!"
		_i=$((_i + 1))
	done
	REQ="(16 clients)"
	RALL=""
	_i=1
	for _p in $_cp; do
		if ! wait "$_p"; then
			bad "client $_i: rpcc failed: $(tail -1 "$TMP/cc.$_i")"
		fi
		_want=$(seq $((_i * 1000 + 1)) $((_i * 1000 + 25)) | tr '\n' ' ')
		_got=$("$JGET" id <"$TMP/cc.$_i" | sort -n | tr '\n' ' ')
		if [ "$_got" != "$_want" ]; then
			bad "client $_i got ids $_got"
		fi
		_nr=$("$JGET" -t result <"$TMP/cc.$_i" | grep -c -e object -e array || true)
		if [ "$_nr" -ne 25 ]; then
			bad "client $_i: $_nr results of 25"
		fi
		_i=$((_i + 1))
	done
	tend

	tcase "half-close: responses still come, a ballooning reserve completes"
	send -x -t8000 -- "$(n 1 reserve '{"kib":2097152,"session":"hc"}')" \
	    "$(n 2 host.status)"
	_n=$(printf '%s\n' "$RALL" | wc -l)
	if [ "$_n" -ne 2 ]; then
		bad "$_n responses, want 2"
	fi
	for _l in 1 2; do
		pick $_l
		if [ "$(v id)" = 1 ]; then
			eq result.kib 2097152
		else
			eq id 2
			typ result.total-kib int
		fi
	done
	send -- "$(n 1 reservation.list '{"session":"hc"}')"
	eq 'result.*.kib' 2097152
	send -- "$(n 1 login '{"session":"hc"}')"
	settle
	tend

	tcase "disconnect while a reserve is pending cancels it"
	base_res=$(status_of reserved-kib)
	send -c -- "$(n 1 reserve '{"kib":2621440,"session":"gone"}')"
	if ! waitfor 5000 p_idle; then
		bad "reserve still pending 5 s after its client left"
	fi
	sleep 0.3
	send -- "$(n 1 reservation.list '{"session":"gone"}')"
	eqj result '[]'
	call host.status
	eq result.reserved-kib "$base_res"
	settle
	tend

	tcase "ttl-s: a reservation not transferred in time expires"
	base_res=$(status_of reserved-kib)
	send -- "$(n 1 reserve '{"kib":65536,"session":"ttl","ttl-s":1}')"
	ok_native
	TT=$(v result.id)
	send -- "$(n 1 reservation.list '{"session":"ttl"}')"
	eq result.0.id "$TT"
	num result.0.expires-in-ms -le 1000
	num result.0.expires-in-ms -gt 0
	sleep 1
	if ! waitfor 2000 p_nres ttl; then
		bad "the reservation with ttl-s 1 is still there after 3 s"
	fi
	call host.status
	eq result.reserved-kib "$base_res"
	send -- "$(n 1 reservation.list '{"session":"t1"}')"
	eq 'result.*.id' "$R1"
	tend

	tcase "policy.set: the running policy changes (config.get, host.status); bad names refused"
	call policy.set '{"policy":"proportional"}'
	ok_native
	eq result.policy proportional
	eq result.previous proportional
	# a second policy, where this build registers one
	send -- "$(n 2 policy.set '{"policy":"weighted"}')"
	if [ "$(v error.code)" != -32602 ]; then
		ok_native 2
		eq result.policy weighted
		eq result.previous proportional
		call config.get
		eq result.policy weighted
		call host.status
		eq result.policy weighted
		grep -q "policy weighted (was proportional)" "$TMP/fast.log" ||
		    bad "no log line about the change"
		call policy.set '{"policy":"proportional"}'
		eq result.previous weighted
	fi
	for p in '{"policy":"nope"}' '{"policy":""}' '{"policy":"PROPORTIONAL"}' \
	    '{"policy":5}' '{"policy":null}' '{}'; do
		send -- "$(n 3 policy.set "$p")"
		err_native -32602 invalid_params 3
		eq error.data.param policy
	done
	send -- "$(n 4 policy.set '{"policy":"proportional","x":1}')"
	err_native -32602 invalid_params 4
	eq error.data.param x
	call config.get
	eq result.policy proportional
	call host.status
	eq result.policy proportional
	settle
	tend

	tcase "metrics: Prometheus text with every family, in base units, domains by domid and name; promcheck (and promtool) pass it"
	call sim.xs.write '{"path":"/local/domain/1/name","value":"web\"1\"\\"}'
	ok_native
	call sim.xs.write '{"path":"/local/domain/2/name","value":"db-02"}'
	ok_native
	settle
	call metrics
	ok_native
	keys "id jsonrpc result"
	typ result.text string
	v result.text >"$TMP/metrics"
	for f in squeezerd_host_total_bytes squeezerd_host_free_bytes \
	    squeezerd_host_physical_free_bytes squeezerd_host_reserved_bytes \
	    squeezerd_host_reclaimable_bytes squeezerd_reservations \
	    squeezerd_pending squeezerd_domain_target_bytes \
	    squeezerd_domain_actual_bytes squeezerd_domain_state \
	    squeezerd_domains_stuck squeezerd_operations_total \
	    squeezerd_model_drift_bytes squeezerd_reserve_seconds; do
		grep -Eq "^# TYPE $f (gauge|counter|histogram)\$" "$TMP/metrics" ||
		    bad "no # TYPE line for $f"
		grep -q "^# HELP $f " "$TMP/metrics" || bad "no # HELP line for $f"
	done
	sh tests/metrics/promcheck.sh "$TMP/metrics" >"$TMP/promcheck" ||
	    bad "promcheck: $(head -3 "$TMP/promcheck")"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$TMP/metrics" >"$TMP/promcheck" 2>&1 ||
		    bad "promtool: $(head -3 "$TMP/promcheck")"
	fi
	grep -qx 'squeezerd_host_total_bytes 11811160064' "$TMP/metrics" ||
	    bad "squeezerd_host_total_bytes is not 11811160064 (11 GiB)"
	grep -qx 'squeezerd_domain_state{domid="0",name="",state="fixed"} 1' \
	    "$TMP/metrics" || bad "dom0 is not fixed"
	grep -q '^squeezerd_domain_target_bytes{domid="1",name="web\\"1\\"\\\\"} ' \
	    "$TMP/metrics" || bad "domain 1's name is not escaped"
	grep -q '^squeezerd_domain_actual_bytes{domid="2",name="db-02"} ' \
	    "$TMP/metrics" || bad "domain 2 has not its name"
	for d in 0 1 2 3 4; do
		for f in target actual; do
			grep -Eq "^squeezerd_domain_${f}_bytes\\{domid=\"$d\",name=\"[^\"]*(\\\\\"[^\"]*)*\"\\} [0-9]+\$" \
			    "$TMP/metrics" || bad "no $f of domain $d"
		done
	done
	_k=$(awk '/^squeezerd_domain_target_bytes\{domid="3",/ { print $2 }' \
	    "$TMP/metrics")
	_t=$(q "$(n 1 domain.list)" | "$JGET" -a result domid target-kib |
	    awk '$1 == 3 { print $2 }')
	[ -n "$_k" ] && [ "$_k" = "$((_t * 1024))" ] ||
	    bad "domain 3's target is $_k bytes, domain.list says $_t KiB"
	_n=$(status_of reservations)
	grep -qx "squeezerd_reservations $_n" "$TMP/metrics" ||
	    bad "squeezerd_reservations is not host.status's $_n"
	grep -qx 'squeezerd_domains_stuck 0' "$TMP/metrics" ||
	    bad "squeezerd_domains_stuck is not 0"
	# the histogram: cumulative buckets up to +Inf, which is the count
	_h=$(awk '
	    /^squeezerd_reserve_seconds_bucket/ {
		v = $2 + 0
		if (v < last) bad = "buckets decrease"
		last = v
		n++
		if ($1 ~ /le="\+Inf"/) inf = v
	    }
	    /^squeezerd_reserve_seconds_count / { count = $2 + 0; c = 1 }
	    /^squeezerd_reserve_seconds_sum / { s = 1 }
	    END {
		if (n != 12) bad = bad " " n " buckets, want 12"
		if (!c || !s) bad = bad " no _count or _sum"
		if (inf != count) bad = bad " +Inf " inf " != _count " count
		print bad
	    }' "$TMP/metrics")
	[ -z "$_h" ] || bad "squeezerd_reserve_seconds: $_h"
	grep -q '^squeezerd_reserve_seconds_bucket{le="0.01"} ' "$TMP/metrics" &&
	    grep -q '^squeezerd_reserve_seconds_bucket{le="60"} ' "$TMP/metrics" ||
	    bad "buckets do not run from 0.01 to 60 s"
	call metrics '{"x":1}'
	err_native -32602 invalid_params
	tend
}

# ==== squeezed v1 =======================================================

v1_cases() {
	S=$TMP/fast.sock

	tcase "v1 golden: login"
	send -- '{"method":"login","params":["<dbg>","xenopsd"],"id":1}'
	ok_v1
	eq result xenopsd
	tend

	tcase "v1 golden: reserve_memory_range (needs ballooning)"
	send -t8000 -- '{"method":"reserve_memory_range","params":["<dbg>","xenopsd",1059840,2108416],"id":2}'
	ok_v1
	typ result array
	len result 2
	match result.0 "$UUID"
	num result.1 -ge 1059840
	num result.1 -le 2108416
	V1=$(v result.0)
	V1K=$(v result.1)
	send -- "$(n 1 reservation.list '{"session":"xenopsd"}')"
	eq 'result.*.id' "$V1"
	eq 'result.*.kib' "$V1K"
	tend

	tcase "v1 golden: transfer_reservation_to_domain, query_reservation_of_domain"
	call sim.domain.create '{}'
	VD=$(v result.domid)
	send -- "{\"method\":\"transfer_reservation_to_domain\",\"params\":[\"<dbg>\",\"xenopsd\",\"$V1\",$VD],\"id\":3}"
	ok_v1
	eq result null
	send -- "{\"method\":\"query_reservation_of_domain\",\"params\":[\"<dbg>\",\"xenopsd\",$VD],\"id\":4}"
	ok_v1
	eq result "$V1"
	send -- "$(n 1 reservation.query "{\"domid\":$VD}")"
	eq result.id "$V1"
	tend

	tcase "v1 golden: delete_reservation"
	send -- "{\"method\":\"delete_reservation\",\"params\":[\"<dbg>\",\"xenopsd\",\"$V1\"],\"id\":5}"
	ok_v1
	eq result null
	send -- "$(n 1 reservation.list '{"session":"xenopsd"}')"
	eqj result '[]'
	call sim.domain.destroy "{\"domid\":$VD}"
	eq result.domid "$VD"
	tend

	tcase "v1: reserve_memory, login drops it"
	send -- '{"method":"reserve_memory","params":["<dbg>","xenopsd",1048576],"id":6}'
	ok_v1
	match result "$UUID"
	V2=$(v result)
	send -- "$(n 1 reservation.list '{"session":"xenopsd"}')"
	eq 'result.*.id' "$V2"
	eq 'result.*.kib' 1048576
	send -- '{"method":"login","params":["<dbg>","xenopsd"],"id":1}'
	eq result xenopsd
	send -- "$(n 1 reservation.list '{"session":"xenopsd"}')"
	eqj result '[]'
	settle
	tend

	tcase "v1 errors: Cannot_free_this_much_memory [needed, free]"
	send -t15000 -- '{"method":"reserve_memory","params":["<dbg>","xenopsd",16777216],"id":6}'
	keys "error id result"
	eq id 0
	eq result null
	eq error.0 Cannot_free_this_much_memory
	eq error.1.0 16777216
	typ error.1.1 int
	num error.1.1 -lt 16777216
	len error.1 2
	settle
	tend

	tcase "v1 errors: Invalid_memory_value"
	send -- '{"method":"reserve_memory","params":["<dbg>","xenopsd",-1],"id":6}'
	err_v1 '["Invalid_memory_value",-1]'
	send -- '{"method":"reserve_memory_range","params":["<dbg>","xenopsd",-1,1024],"id":6}'
	err_v1 '["Invalid_memory_value",-1]'
	send -- '{"method":"reserve_memory_range","params":["<dbg>","xenopsd",1024,-5],"id":6}'
	err_v1 '["Invalid_memory_value",-5]'
	send -- '{"method":"reserve_memory_range","params":["<dbg>","xenopsd",-2,-5],"id":6}'
	err_v1 '["Invalid_memory_value",-2]'
	tend

	tcase "v1 errors: No_reservation, Unknown_reservation"
	send -- '{"method":"query_reservation_of_domain","params":["<dbg>","xenopsd",1],"id":4}'
	err_v1 '"No_reservation"'
	send -- '{"method":"transfer_reservation_to_domain","params":["<dbg>","xenopsd","nope",1],"id":3}'
	err_v1 '["Unknown_reservation","nope"]'
	tend

	tcase "v1: delete_reservation of an unknown id succeeds (as squeezed)"
	send -- '{"method":"delete_reservation","params":["<dbg>","xenopsd","nope"],"id":5}'
	ok_v1
	eq result null
	tend

	tcase "v1: the other methods"
	send -- '{"method":"get_host_reserved_memory","params":["<dbg>"],"id":9}'
	ok_v1
	eqj result 73728
	send -- '{"method":"get_diagnostics","params":["<dbg>"],"id":9}'
	ok_v1
	typ result string
	send -- '{"method":"get_host_initial_free_memory","params":["<dbg>"],"id":9}'
	ok_v1
	typ result int
	send -- '{"method":"get_domain_zero_policy","params":["<dbg>"],"id":9}'
	ok_v1
	match result.0 '^(Fixed_size|Auto_balloon)$'
	send -t10000 -- '{"method":"balance_memory","params":["<dbg>"],"id":9}'
	ok_v1
	eq result null
	send -- '{"method":"login","params":["<dbg>","xenopsd"],"id":"a string"}'
	ok_v1
	tend

	tcase "v1: wrong parameter count or types get Internal_error"
	for l in \
	    '{"method":"reserve_memory","params":["<dbg>","xenopsd"],"id":1}' \
	    '{"method":"reserve_memory","params":["<dbg>","xenopsd",1024,5],"id":1}' \
	    '{"method":"reserve_memory","params":["<dbg>","xenopsd","1024"],"id":1}' \
	    '{"method":"reserve_memory_range","params":["<dbg>","xenopsd",1024],"id":1}' \
	    '{"method":"login","params":["<dbg>"],"id":1}' \
	    '{"method":"login","params":["<dbg>",5],"id":1}' \
	    '{"method":"transfer_reservation_to_domain","params":["<dbg>","s","id"],"id":1}' \
	    '{"method":"query_reservation_of_domain","params":["<dbg>","s"],"id":1}' \
	    '{"method":"query_reservation_of_domain","params":["<dbg>","s","1"],"id":1}' \
	    '{"method":"delete_reservation","params":["<dbg>","s"],"id":1}' \
	    '{"method":"get_host_reserved_memory","params":[],"id":1}'; do
		send -- "$l"
		keys "error id result"
		eq id 0
		eq result null
		eq error.0 Internal_error
		typ error.1 string
	done
	# No positional params at all: v1's Internal_error, or not a request.
	for l in '{"method":"login","params":{"dbg":"x","service":"y"},"id":1}' \
	    '{"method":"login","id":1}'; do
		send -- "$l"
		if [ "$(v id)" = 0 ]; then
			eq error.0 Internal_error
		else
			eq id null
			eq error.code -32600
		fi
	done
	send -- "$(n 1 reservation.list '{"session":"xenopsd"}')"
	eqj result '[]'
	tend
}

# ==== bad input =========================================================

# rej CODE MESSAGE ID [rpcc options] -- LINE...: the line(s) get the error,
# then a host.status (id 99) on the same connection still works.
rej() {
	_c=$1 _m=$2 _id=$3
	shift 3
	send -n2 "$@" "$(n 99 host.status)"
	_first=$(printf '%s\n' "$RALL" | sed -n 1p)
	_second=$(printf '%s\n' "$RALL" | sed -n 2p)
	if [ "$(printf '%s\n' "$_first" | "$JGET" id 2>/dev/null)" = 99 ]; then
		R=$_second
		_second=$_first
	else
		R=$_first
	fi
	err_native "$_c" "$_m" "$_id"
	R=$_second
	eq id 99
	typ result.total-kib int
}

# rejr CODE MESSAGE ID RAW: as rej, the request given as rpcc -r bytes.
rejr() {
	rej "$1" "$2" "$3" "-r$4\\x0a$(n 99 host.status)\\x0a" --
}

bad_cases() {
	S=$TMP/fast.sock
	REQ="" RALL=""
	reserve 65536 keep
	KEEPID=$ID
	before_list=$(rlist)
	before_free=$(status_of free-kib)
	before_res=$(status_of reserved-kib)

	tcase "malformed JSON: -32700 parse_error, id null, connection usable"
	rej -32700 parse_error null -- 'not json'
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1,"method":"host.status"'
	rej -32700 parse_error null -- "{'jsonrpc':'2.0','id':1,'method':'host.status'}"
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1,"method":"reservation.list",}'
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1,"method":"host.status"}}'
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":0x10}}'
	tend

	tcase "two JSON values on one line: -32700, neither carried out"
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"two"}}{"jsonrpc":"2.0","id":2,"method":"host.status"}'
	send -- "$(n 1 reservation.list '{"session":"two"}')"
	eqj result '[]'
	tend

	tcase "raw control byte (NUL) inside a string: -32700"
	rejr -32700 parse_error null '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"a\x00b"}}'
	send -- "$(n 1 reservation.list '{"session":"a"}')"
	eqj result '[]'
	tend

	tcase "invalid UTF-8 (6 forms): -32700, id null"
	for b in '\x80' '\xc3\x28' '\xc0\xaf' '\xed\xa0\x80' '\xf4\x90\x80\x80' \
	    '\xe2\x82'; do
		rejr -32700 parse_error null "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"reservation.list\",\"params\":{\"session\":\"x${b}y\"}}"
	done
	rejr -32700 parse_error null '{"method":"login","params":["\xff","xenopsd"],"id":1}'
	tend

	tcase "line limit: 65536 bytes accepted, 65537 refused (-32600 limit)"
	_l='{"jsonrpc":"2.0","id":5,"method":"host.status"}'
	{
		printf '%s' "$_l"
		head -c $((65536 - ${#_l})) /dev/zero | tr '\0' ' '
		printf '\n'
	} >"$TMP/l65536"
	{
		printf '%s' "$_l"
		head -c $((65537 - ${#_l})) /dev/zero | tr '\0' ' '
		printf '\n%s\n' "$(n 99 host.status)"
	} >"$TMP/l65537"
	send -f"$TMP/l65536" -n1
	REQ="(65536 bytes) $_l + spaces"
	ok_native 5
	send -f"$TMP/l65537" -n2
	REQ="(65537 bytes) $_l + spaces, then host.status"
	err_native -32600 invalid_request null
	eq error.data.limit 65536
	pick 2
	eq id 99
	tend

	tcase "line limit without CR LF: 65536 bytes + CRLF accepted, 65537 + CRLF refused"
	_l='{"jsonrpc":"2.0","id":6,"method":"host.status"}'
	{
		printf '%s' "$_l"
		head -c $((65536 - ${#_l})) /dev/zero | tr '\0' ' '
		printf '\r\n'
	} >"$TMP/c65536"
	{
		printf '%s' "$_l"
		head -c $((65537 - ${#_l})) /dev/zero | tr '\0' ' '
		printf '\r\n%s\r\n' "$(n 99 host.status)"
	} >"$TMP/c65537"
	send -f"$TMP/c65536" -n1
	REQ="(65536 bytes + CRLF) $_l + spaces"
	ok_native 6
	send -f"$TMP/c65537" -n2
	REQ="(65537 bytes + CRLF) $_l + spaces, then host.status"
	err_native -32600 invalid_request null
	eq error.data.limit 65536
	pick 2
	eq id 99
	tend

	tcase "strict JSON: raw NUL after the object, raw tab in a string, 1., 01: -32700"
	rejr -32700 parse_error null '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"nul-after"}}\x00\x00'
	rejr -32700 parse_error null '{"method":"reserve_memory","params":["dbg","nul-after",4096]}\x00'
	rejr -32700 parse_error null '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"a\x09b"}}'
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1.,"method":"host.status"}'
	rej -32700 parse_error null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":04096}}'
	send -- "$(n 1 reservation.list '{"session":"nul-after"}')"
	eqj result '[]'
	tend

	tcase "duplicate member names (both dialects): -32600, neither value used"
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"host.status","method":"reserve","params":{"kib":4096,"session":"dup"}}'
	send -- '{"jsonrpc":"2.0","id":1,"method":"host.status","method":"reserve","params":{"kib":4096,"session":"dup"}}'
	err_native -32600 invalid_request null
	match error.data.detail 'duplicate member name "method"'
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"x","session":"dup"}}'
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"dup"},"\u006dethod":"host.status"}'
	rej -32600 invalid_request null -- '{"method":"get_diagnostics","params":["d"],"method":"reserve_memory","params":["d","dup",4096]}'
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"id":2,"method":"host.status"}'
	send -- "$(n 1 reservation.list '{"session":"dup"}')"
	eqj result '[]'
	tend

	tcase "\\u0000 and lone surrogates in strings (both dialects): -32600, nothing done"
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"host.status\u0000junk"}'
	send -- '{"jsonrpc":"2.0","id":1,"method":"host.status\u0000junk"}'
	err_native -32600 invalid_request null
	match error.data.detail 'u0000'
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"nul\u0000x"}}'
	rej -32600 invalid_request null -- '{"method":"reserve_memory","params":["d","nul\u0000x",4096]}'
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"s\ud800"}}'
	send -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"s\ud800"}}'
	err_native -32600 invalid_request null
	match error.data.detail 'surrogate'
	rej -32600 invalid_request null -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"s\udc00"}}'
	rej -32600 invalid_request null -- '{"method":"reserve_memory","params":["d","s\ud800\u0041",4096]}'
	rej -32600 invalid_request null -- '{"method":"reserve_memory","params":["d","s\udfff",4096]}'
	send -- "$(n 1 reservation.list '{"session":"nul"}')"
	eqj result '[]'
	send -- "$(n 1 reservation.list '{"session":"s\ud83d\ude00"}')"
	ok_native
	tend

	tcase "ids echoed digit for digit: beyond 64 bits, -0, 1.50e+2"
	for _id in 18446744073709551616 -99999999999999999999 -0 1.50e+2 \
	    123456789012345678901234567890.5e-3; do
		send -- "{\"jsonrpc\":\"2.0\",\"id\":$_id,\"method\":\"host.status\"}"
		case $R in
		*"\"id\":$_id,"*) ;;
		*)	bad "id $_id not echoed as sent" ;;
		esac
		send -- "{\"jsonrpc\":\"2.0\",\"id\":$_id,\"method\":\"no.such\"}"
		case $R in
		*"\"id\":$_id,"*) ;;
		*)	bad "id $_id not echoed as sent in an error" ;;
		esac
	done
	tend

	tcase "1 MiB line: -32600, then the connection still works"
	{
		printf '{"jsonrpc":"2.0","id":1,"method":"reserve","params":{"kib":4096,"session":"'
		head -c 1048576 /dev/zero | tr '\0' x
		printf '"}}\n%s\n' "$(n 99 host.status)"
	} >"$TMP/l1m"
	send -f"$TMP/l1m" -n2
	REQ="(1 MiB line), then host.status"
	err_native -32600 invalid_request null
	pick 2
	eq id 99
	tend

	tcase "too deep: refused with id null, connection usable"
	_deep=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "["; for (i = 0; i < 2000; i++) printf "]" }')
	send -n2 -- "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.status\",\"params\":{\"a\":$_deep}}" \
	    "$(n 99 host.status)"
	match error.code '^-(32700|32600|32602)$'
	pick 2
	eq id 99
	tend

	tcase "not an object (array, number, string, null, batch): -32600, id null"
	rej -32600 invalid_request null -- '[1,2]'
	rej -32600 invalid_request null -- '[]'
	rej -32600 invalid_request null -- '42'
	rej -32600 invalid_request null -- '"host.status"'
	rej -32600 invalid_request null -- 'null'
	rej -32600 invalid_request null -- '[{"jsonrpc":"2.0","id":1,"method":"host.status"}]'
	tend

	tcase "invalid native request objects: -32600"
	for l in '{"jsonrpc":"2.0","id":1}' \
	    '{"jsonrpc":"2.0","id":1,"method":5}' \
	    '{"jsonrpc":"2.0","id":1,"method":null}'; do
		send -- "$l"
		eq error.code -32600
		eq error.message invalid_request
		match id '^(1|null)$'
	done
	send -- '{"jsonrpc":"2.0","id":{"a":1},"method":"host.status"}'
	eq error.code -32600
	eq id null
	send -- '{"jsonrpc":"2.0","id":[1],"method":"host.status"}'
	eq error.code -32600
	eq id null
	send -- '{"jsonrpc":"2.0","id":1,"method":"host.status","params":"x"}'
	match error.code '^-(32600|32602)$'
	send -- '{"jsonrpc":"2.0","id":1,"method":"reserve","params":[4096]}'
	match error.code '^-(32600|32602)$'
	tend

	tcase "unknown method: -32601 with data.method"
	send -- "$(n 3 no.such.method)"
	err_native -32601 method_not_found 3
	eq error.data.method no.such.method
	send -- "$(n 4 Host.Status)"
	err_native -32601 method_not_found 4
	eq error.data.method Host.Status
	send -- "$(n 5 '')"
	match error.code '^-(32601|32600)$'
	tend

	tcase "invalid params: -32602 with data.param"
	for p in \
	    'kib:{"kib":"1024"}' \
	    'kib:{"kib":-1}' \
	    'kib:{"kib":1.5}' \
	    'kib:{"kib":true}' \
	    'kib:{"kib":null}' \
	    'kib:{"kib":1099511627777}' \
	    'kib:{"kib":2199023255552}' \
	    'kib:{"kib":99999999999999999999999}' \
	    'min-kib:{"min-kib":-5,"max-kib":10}' \
	    'max-kib:{"min-kib":5,"max-kib":-10}' \
	    'max-kib:{"min-kib":5,"max-kib":2199023255552}' \
	    'session:{"kib":1024,"session":5}' \
	    'ttl-s:{"kib":1024,"ttl-s":0}' \
	    'ttl-s:{"kib":1024,"ttl-s":31536001}' \
	    'ttl-s:{"kib":1024,"ttl-s":"1"}' \
	    'deadline-ms:{"kib":1024,"deadline-ms":-1}'; do
		send -- "$(n 1 reserve "${p#*:}")"
		err_native -32602 invalid_params
		eq error.data.param "${p%%:*}"
	done
	send -- "$(n 1 reserve '{}')"
	err_native -32602 invalid_params
	typ error.data.param string
	send -- "$(n 1 reserve '{"min-kib":1024}')"
	err_native -32602 invalid_params
	match error.data.param '^(kib|max-kib)$'
	send -- "$(n 1 reserve)"
	err_native -32602 invalid_params
	for p in \
	    'reservation.transfer:domid:{"id":"x"}' \
	    'reservation.transfer:id:{"id":5,"domid":1}' \
	    'reservation.transfer:domid:{"id":"x","domid":-1}' \
	    'reservation.transfer:domid:{"id":"x","domid":32752}' \
	    'reservation.transfer:domid:{"id":"x","domid":"1"}' \
	    'reservation.delete:id:{}' \
	    'reservation.delete:id:{"id":7}' \
	    'reservation.query:domid:{}' \
	    'reservation.query:domid:{"domid":1.5}' \
	    'reservation.query:domid:{"domid":-1}' \
	    'reservation.list:session:{"session":7}' \
	    'login:session:{}' \
	    'login:session:{"session":["a"]}' \
	    'plan:kib:{"kib":-1}' \
	    'plan:kib:{"kib":"x"}' \
	    'plan:kib:{"kib":2199023255552}' \
	    'sim.domain.destroy:domid:{}'; do
		_mth=${p%%:*}
		_rest=${p#*:}
		send -- "$(n 2 "$_mth" "${_rest#*:}")"
		err_native -32602 invalid_params 2
		eq error.data.param "${_rest%%:*}"
	done
	tend

	tcase "a session name with a slash: refused, or listed back as given"
	send -- "$(n 1 reserve '{"kib":4096,"session":"a/b"}')"
	if [ "$(v error.code)" = -32602 ]; then
		eq error.data.param session
	else
		_sid=$(v result.id)
		send -- "$(n 1 reservation.list '{"session":"a/b"}')"
		eq 'result.*.id' "$_sid"
		eq 'result.*.session' a/b
		send -- "$(n 1 login '{"session":"a/b"}')"
		send -- "$(n 1 reservation.list '{"session":"a/b"}')"
		eqj result '[]'
		send -- "$(n 1 reservation.list '{"session":"a"}')"
		eqj result '[]'
	fi
	tend

	tcase "unknown reservation, unknown domain"
	send -- "$(n 1 reservation.delete '{"id":"nope"}')"
	err_native -32003 unknown_reservation
	eq error.data.id nope
	send -- "$(n 1 reservation.transfer '{"id":"nope","domid":1}')"
	err_native -32003 unknown_reservation
	send -- "$(n 1 reservation.transfer "{\"id\":\"$KEEPID\",\"domid\":32000}")"
	err_native -32005 unknown_domain
	eq error.data.domid 32000
	send -- "$(n 1 reservation.query '{"domid":32000}')"
	match error.code '^-3200[45]$'
	tend

	tcase "after all the bad input: same reservations, same free memory"
	REQ="reservation.list, host.status"
	RALL=""
	after_list=$(rlist)
	if [ "$before_list" != "$after_list" ]; then
		bad "reservations changed: [$(echo "$before_list" | tr '\n' ';')] -> [$(echo "$after_list" | tr '\n' ';')]"
	fi
	_f=$(status_of free-kib)
	_r=$(status_of reserved-kib)
	if [ "$_f" != "$before_free" ] || [ "$_r" != "$before_res" ]; then
		bad "host.status free-kib $before_free -> $_f, reserved-kib $before_res -> $_r"
	fi
	if ! alive fast; then
		bad "the daemon died"
	fi
	tend
}

# ==== kill -9 and restart ===============================================

restart_cases() {
	S=$TMP/fast.sock
	REQ="" RALL=""

	tcase "kill -9 and restart: reservations (transferred or not) survive"
	reserve 131072 crash
	RA=$ID
	reserve 65536 crash
	RB=$ID
	call sim.domain.create '{}'
	CD=$(v result.domid)
	send -- "$(n 1 reservation.transfer "{\"id\":\"$RA\",\"domid\":$CD}")"
	eq result.domid "$CD"
	settle
	before_list=$(rlist)
	before_res=$(status_of reserved-kib)
	before_free=$(status_of free-kib)
	before_n=$(status_of reservations)
	kill -9 "$pid_fast"
	wait "$pid_fast" 2>/dev/null || true
	start fast "$HERE/host-fast.json"
	after_list=$(rlist)
	REQ="reservation.list before and after"
	if [ "$before_list" != "$after_list" ]; then
		bad "reservations: [$(echo "$before_list" | tr '\n' ';')] -> [$(echo "$after_list" | tr '\n' ';')]"
	fi
	if ! printf '%s\n' "$after_list" | grep -q "^$RA 131072 crash $CD\$"; then
		bad "the transferred reservation $RA to $CD is not listed"
	fi
	if ! printf '%s\n' "$after_list" | grep -q "^$RB 65536 crash <missing>\$"; then
		bad "the free-standing reservation $RB is not listed"
	fi
	call host.status
	eq result.reserved-kib "$before_res"
	eq result.reservations "$before_n"
	num result.free-kib -eq "$before_free"
	send -- "$(n 1 reservation.query "{\"domid\":$CD}")"
	eq result.id "$RA"
	send -- "$(n 1 login '{"session":"crash"}')"
	eq result.session crash
	send -- "$(n 1 reservation.list '{"session":"crash"}')"
	eqj result '[]'
	tend
}

# ==== the slow host: reserve beside queries ============================

slow_cases() {
	S=$TMP/slow.sock
	REQ="" RALL=""

	tcase "slow host: disconnect while a ballooning reserve is pending"
	settle
	send -c -d300 -- "$(n 1 reserve '{"kib":2621440,"session":"gone"}')"
	if ! waitfor 3000 p_idle; then
		bad "reserve still pending 3 s after its client left"
	fi
	sleep 0.2
	send -- "$(n 1 reservation.list)"
	eqj result '[]'
	call host.status
	num result.reserved-kib -eq 0
	settle
	tend

	tcase "slow host: deadline-ms 300 gets deadline_exceeded, memory given back"
	send -T -t8000 -- "$(n 4 reserve '{"kib":2621440,"deadline-ms":300}')"
	_t=${R%% *}
	R=${R#* }
	err_native -32006 deadline_exceeded 4
	typ error.data.needed-kib int
	typ error.data.freed-kib int
	typ error.data.stalled array
	if [ "$_t" -lt 250 ] || [ "$_t" -gt 1500 ]; then
		bad "deadline_exceeded after $_t ms, want about 300"
	fi
	send -- "$(n 1 reservation.list)"
	eqj result '[]'
	settle
	tend

	tcase "slow host: same connection, host.status answered before the reserve"
	send -T -t8000 -- "$(n 1 reserve '{"kib":2097152,"session":"slow"}')" \
	    "$(n 2 host.status)"
	_t1=${R%% *}
	R=${R#* }
	eq id 2
	num result.pending -ge 1
	pick 2
	_t2=${R%% *}
	R=${R#* }
	eq id 1
	eq result.kib 2097152
	if ! isnum "$_t1" || ! isnum "$_t2" || [ "$_t1" -gt 500 ] ||
	    [ "$_t2" -lt $((_t1 + 300)) ]; then
		bad "host.status after $_t1 ms, reserve after $_t2 ms; want status < 500 ms, reserve >= 300 ms later"
	fi
	tend

	tcase "slow host: another connection answered while a reserve is pending"
	printf '%s\n' "$(n 1 reserve '{"kib":2097152,"session":"slow"}')" |
	    "$RPCC" -T -t10000 "$S" >"$TMP/slow.bg" 2>&1 &
	_bg=$!
	sleep 0.3
	send -T -- "$(n 2 host.status)"
	_t=${R%% *}
	R=${R#* }
	eq id 2
	num result.pending -eq 1
	if ! isnum "$_t" || [ "$_t" -gt 200 ]; then
		bad "host.status took $_t ms while a reserve was pending"
	fi
	send -T -- "$(n 3 domain.list)"
	_t=${R%% *}
	R=${R#* }
	eq id 3
	if ! isnum "$_t" || [ "$_t" -gt 200 ]; then
		bad "domain.list took $_t ms while a reserve was pending"
	fi
	if ! wait "$_bg"; then
		bad "the pending reserve's client failed: $(cat "$TMP/slow.bg")"
	fi
	RALL=$(cat "$TMP/slow.bg")
	REQ="(background) $(n 1 reserve '{"kib":2097152,"session":"slow"}')"
	R=${RALL#* }
	_tb=${RALL%% *}
	eq result.kib 2097152
	if ! isnum "$_tb" || [ "$_tb" -lt 600 ]; then
		bad "the reserve took only $_tb ms: it did not overlap"
	fi
	send -- "$(n 1 login '{"session":"slow"}')"
	eq result.session slow
	settle
	tend
}

# ==== flow control and timeouts ========================================

# A daemon of its own (the slow host) with a 2 s client-idle-timeout.
flow_cases() {
	printf 'client-idle-timeout = 2s\n' >"$TMP/flow.conf"
	chmod 0600 "$TMP/flow.conf"
	start flow "$HERE/host-slow.json" "$TMP/flow.conf"
	S=$TMP/flow.sock
	REQ="" RALL=""

	tcase "back-pressure: 10,000 pipelined domain.list read as they come: all answered, in order"
	REQ="conns pipe -n 10000"
	RALL=$("$CONNS" pipe -n 10000 "$S" 2>&1) || bad "$RALL"
	tend

	tcase "a client that never reads is dropped after client-idle-timeout; others are answered meanwhile"
	REQ="conns mute -n 100000 -w 20000"
	"$CONNS" mute -n 100000 -w 20000 "$S" >"$TMP/mute.out" 2>&1 &
	_bg=$!
	sleep 0.5
	send -T -- "$(n 2 host.status)"
	_t=${R%% *}
	R=${R#* }
	eq id 2
	if ! isnum "$_t" || [ "$_t" -gt 1000 ]; then
		bad "host.status took $_t ms beside a client that does not read"
	fi
	wait "$_bg" || bad "$(cat "$TMP/mute.out")"
	RALL=$(cat "$TMP/mute.out")
	grep -q "has not read its replies" "$TMP/flow.log" ||
	    bad "no log line about the client that does not read"
	alive flow || bad "the daemon died"
	tend

	tcase "idle connections are closed after client-idle-timeout (2 s), not before"
	REQ="conns hold -n 20 -w 15000"
	RALL=$("$CONNS" hold -n 20 -w 15000 "$S" 2>&1) || bad "not all closed"
	_lo=$(printf '%s\n' "$RALL" | sed -n 's/.* after \([0-9-]*\) to \([0-9-]*\) ms idle/\1/p')
	if ! isnum "$_lo" || [ "$_lo" -lt 1000 ]; then
		bad "a connection was closed after $_lo ms idle, want about 2000"
	fi
	tend

	tcase "a client asking every second is never idle (timeout 2 s)"
	REQ="conns tick -i 1000 -d 5000"
	RALL=$("$CONNS" tick -i 1000 -d 5000 "$S" 2>&1) || bad "cut: $RALL"
	tend

	tcase "a request pending longer than client-idle-timeout: the connection is kept for its reply"
	send -T -t15000 -- "$(n 7 reserve '{"kib":10485760,"deadline-ms":3500}')"
	_t=${R%% *}
	R=${R#* }
	err_native -32006 deadline_exceeded 7
	if ! isnum "$_t" || [ "$_t" -lt 3000 ]; then
		bad "the reply came after $_t ms, want the 3500 ms deadline"
	fi
	tend

	tcase "SIGHUP: a new client-idle-timeout applies to the clients already connected"
	printf 'client-idle-timeout = 60s\n' >"$TMP/flow.conf"
	kill -HUP "$pid_flow"
	waitfor 5000 eval 'q "$(n 1 config.get)" | grep -q "\"client-idle-timeout\":\"1m\""' ||
	    bad "config.get never showed client-idle-timeout 1m"
	REQ="conns hold -n 5 -w 20000 (connected under 60 s, then SIGHUP to 2 s)"
	"$CONNS" hold -n 5 -w 20000 "$S" >"$TMP/hold.out" 2>&1 &
	_bg=$!
	waitfor 10000 grep -q '^held' "$TMP/hold.out" ||
	    bad "the connections were not made: $(cat "$TMP/hold.out")"
	printf 'client-idle-timeout = 2s\n' >"$TMP/flow.conf"
	kill -HUP "$pid_flow"
	wait "$_bg" || bad "not closed within 20 s after SIGHUP set 2 s"
	RALL=$(cat "$TMP/hold.out")
	tend
	alive flow || bad "the daemon died"
	stop flow
	pid_flow=""
}

# ==== run ===============================================================

# ---- signals -----------------------------------------------------------

# p_tolerance KIB: config.get shows that balance tolerance.
p_tolerance() {
	q "$(n 1 config.get)" | grep -q "\"balance-tolerance-kib\":$1,"
}

signal_cases() {
	S=$TMP/fast.sock
	REQ="" RALL=""

	tcase "SIGHUP reloads the configuration; a bad one is refused, the old one kept"
	cp "$TMP/squeezerd.conf" "$TMP/squeezerd.conf.orig"
	# (the host file's own config, host-reserve-kib, still applies over it)
	printf 'balance-tolerance-kib = 1024\n' >>"$TMP/squeezerd.conf"
	kill -HUP "$pid_fast"
	waitfor 3000 p_tolerance 1024 ||
	    bad "config.get never showed balance-tolerance-kib 1024"
	printf 'no-such-key = 1\n' >>"$TMP/squeezerd.conf"
	kill -HUP "$pid_fast"
	sleep 0.3
	alive fast || bad "the daemon died on a bad configuration"
	call config.get
	eqj result.balance-tolerance-kib 1024
	grep -q "keeping the running configuration" "$TMP/fast.log" ||
	    bad "no log line about the refused configuration"
	cp "$TMP/squeezerd.conf.orig" "$TMP/squeezerd.conf"
	kill -HUP "$pid_fast"
	waitfor 3000 p_tolerance 512 ||
	    bad "config.get never came back to balance-tolerance-kib 512"
	tend

	tcase "SIGTERM: the daemon exits 0 and removes its socket"
	start term "$HERE/host-fast.json"
	kill -TERM "$pid_term"
	_rc=0
	wait "$pid_term" || _rc=$?
	[ "$_rc" -eq 0 ] || bad "exit status $_rc after SIGTERM"
	[ ! -e "$TMP/term.sock" ] || bad "the socket is still there"
	pid_term=""
	tend
}

if [ -z "$ONLY" ] || [ "$ONLY" != slow ]; then
	start fast "$HERE/host-fast.json"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = slow ]; then
	start slow "$HERE/host-slow.json"
fi
case $ONLY in
'')	fast_cases
	v1_cases
	bad_cases
	slow_cases
	restart_cases
	signal_cases
	flow_cases ;;
fast)	fast_cases ;;
v1)	v1_cases ;;
bad)	bad_cases ;;
slow)	slow_cases ;;
restart) restart_cases ;;
signal)	signal_cases ;;
flow)	flow_cases ;;
*)	echo "rpc: ONLY=$ONLY: unknown group" >&2
	exit 2 ;;
esac

for d in fast slow; do
	if eval "[ -n \"\$pid_$d\" ]"; then
		if ! alive $d; then
			nfail=$((nfail + 1))
			echo "FAIL  squeezerd ($d) is still running at the end"
		fi
		stop $d
	fi
done
if [ "$nfail" -ne 0 ]; then
	for d in fast slow; do
		if [ -s "$TMP/$d.log" ]; then
			echo "--- squeezerd ($d) log, last 20 lines:"
			tail -20 "$TMP/$d.log" | sed 's/^/  | /'
		fi
	done
fi
echo "rpc: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
