#!/bin/sh
# tests/rpc/robust.sh: what must hold when clients, guests and disks do
# their worst (issue #12), and the operation core telling the truth (#13),
# on the real daemon with the simulated backend:
#   names xenstore would refuse are refused first, nothing ballooned;
#   a transfer goes only to a domain being built, and moving it cleans up;
#   queries answer from live reservations only;
#   a migration's pin is set when its turn comes, never under a reserve;
#   a change the state file could not record is undone (no hidden
#     reservation, no lost one);
#   every operation is bounded (operation-timeout), v1 clients included;
#   plan says what reserve does (cannot_free, success with nothing to do,
#     stuck domains left out and named);
#   reservation.pending shows what a reserve waits behind.
# Environment: RPCC, JGET, SQUEEZERD; KEEP=1 keeps the temp directory.
set -eu
cd "$(dirname "$0")/../.."
RPCC=${RPCC:-build/rpc/rpcc}
JGET=${JGET:-build/rpc/jget}
SQUEEZERD=${SQUEEZERD:-./squeezerd}
HERE=tests/rpc
TMP=$(mktemp -d "${TMPDIR:-/tmp}/squeezerd-robust.XXXXXX")
npass=0
nfail=0
pids=""

cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "robust: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. tests/lib.sh

# start NAME HOST CONF [ARGS...]: a daemon on $TMP/NAME.sock, answering.
start() {
	_name=$1 _host=$2
	printf '%s\n' "$3" >"$TMP/$_name.conf"
	chmod 0600 "$TMP/$_name.conf"
	shift 3
	"$SQUEEZERD" -d --backend=sim --host "$_host" -s "$TMP/$_name.sock" \
	    -f "$TMP/$_name.conf" "$@" 2>>"$TMP/$_name.log" &
	pids="$pids $!"
	eval "pid_$_name=$!"
	if ! printf '%s\n' "$(n 0 host.status)" |
	    "$RPCC" -q -W30000 -t30000 "$TMP/$_name.sock" 2>/dev/null; then
		echo "robust: squeezerd ($_name) did not start; its log:" >&2
		sed 's/^/  | /' "$TMP/$_name.log" >&2
		exit 2
	fi
	S=$TMP/$_name.sock
}

# o METHOD JSONPARAMS: a squeezed v1 request line.
o() {
	printf '{"method":"%s","params":%s,"id":7}' "$1" "$2"
}

targets() {
	q "$(n 1 domain.list)" | "$JGET" -a result domid target-kib |
	    tr '\n' ' '
}

# ---- names ---------------------------------------------------------------

start fast "$HERE/host-fast.json" "balance-interval = 500ms"
waitfor 10000 p_idle || true

tcase "names xenstore refuses (my.id a:b x*y a/b): invalid_params before anything is ballooned, in both dialects"
_before=$(targets)
for _bad in 'my.id' 'a:b' 'x*y' 'a/b'; do
	send -- "$(n 1 reserve "{\"kib\":2097152,\"session\":\"$_bad\"}")"
	err_native -32602 invalid_params
	eq error.data.param session
	send -- "$(n 1 reserve "{\"kib\":2097152,\"id\":\"$_bad\"}")"
	err_native -32602 invalid_params
	eq error.data.param id
	send -- "$(o reserve_memory "[\"d\",\"$_bad\",2097152]")"
	eq result null
	match 'error.1' '^invalid_params: session'
	send -- "$(n 1 login "{\"session\":\"$_bad\"}")"
	err_native -32602 invalid_params
done
call reservation.list
eqj result '[]'
[ "$(targets)" = "$_before" ] || bad "targets moved: '$(targets)', were '$_before'"
tend

# ---- transfer and query ----------------------------------------------------

tcase "transfer: only to a domain being built; moving it cleans the first domain; queries answer from live reservations"
call reserve '{"kib":65536,"session":"tr"}'
_id=$(v result.id)
call reservation.transfer "{\"id\":\"$_id\",\"domid\":1}"
err_native -32602 invalid_params
eq error.data.param domid
call reservation.list '{"session":"tr"}'
lacks 'result.0.domid'
[ "$(status_of reserved-kib)" = 65536 ] ||
    bad "reserved-kib $(status_of reserved-kib) after a refused transfer, want 65536"
call sim.domain.create '{"domid":20}'
call sim.domain.create '{"domid":21}'
call reservation.transfer "{\"id\":\"$_id\",\"domid\":20}"
eq result.domid 20
call reservation.transfer "{\"id\":\"$_id\",\"domid\":21}"
eq result.domid 21
call sim.xs.read '{"path":"/local/domain/20/memory/reservation-id"}'
has error
call sim.xs.read '{"path":"/local/domain/20/memory/initial-reservation"}'
has error
call reservation.query '{"domid":20}'
err_native -32004 no_reservation
call reservation.query '{"domid":21}'
eq result.id "$_id"
call reservation.delete "{\"id\":\"$_id\"}"
call reservation.query '{"domid":21}'
err_native -32004 no_reservation
send -- "$(o query_reservation_of_domain '["d","tr",21]')"
err_v1 '"No_reservation"'
call sim.domain.destroy '{"domid":20}'
call sim.domain.destroy '{"domid":21}'
tend

# ---- plan tells the truth --------------------------------------------------

tcase "plan: cannot_free beyond what dynamic-min everywhere frees, as reserve; success with nothing to do on a balanced host"
waitfor 10000 p_idle || true
call plan '{"kib":107374182400}'
eq result.outcome cannot_free
_need=$(v result.needed-kib)
eqj result.actions '[]'
call reserve '{"kib":107374182400}'
err_native -32001 cannot_free
eq error.data.needed-kib "$_need"
call plan
eq result.outcome success
eqj result.actions '[]'
call plan '{"kib":65536}'
eq result.outcome success
eqj result.actions '[]'
tend

# ---- the state file cannot be written --------------------------------------

mkdir "$TMP/sdir"
start st "$HERE/host-fast.json" "balance-interval = 500ms" \
    --state "$TMP/sdir/state"

tcase "a state file that cannot be written: the failed reserve leaves nothing, the failed delete loses nothing"
call reserve '{"kib":65536,"id":"kept","session":"st"}'
eq result.id kept
rm -rf "$TMP/sdir"
call reserve '{"kib":65536,"id":"hidden","session":"st"}'
err_native -32603 internal_error
call reservation.delete '{"id":"kept"}'
err_native -32603 internal_error
_l=$(rlist | tr '\n' ';')
[ "$_l" = "kept 65536 st <missing>;" ] ||
    bad "reservations '$_l', want only kept"
[ "$(status_of reserved-kib)" = 65536 ] ||
    bad "reserved-kib $(status_of reserved-kib), want 65536 (kept only)"
mkdir "$TMP/sdir"
call reservation.delete '{"id":"kept"}'
eq result.id kept
call reservation.list
eqj result '[]'
tend

# ---- a stuck guest, the upper bound, plan naming it ------------------------

start stuck "$HERE/host-fast.json" "balance-interval = 500ms
stuck-after = 30s
operation-timeout = 2s"

tcase "operation-timeout bounds an operation v1 cannot give a deadline to (a stuck guest, stuck-after 30 s)"
call sim.domain.create '{"domid":30}'
call sim.domain.build '{"domid":30,"target-kib":524288,"dynamic-min-kib":262144,"dynamic-max-kib":524288,"balloon":{"model":"stuck"}}'
has result
waitfor 10000 p_idle || true
# everything but the stuck guest's 256 MiB and then some: it must give
_f=$(status_of free-kib)
_r=$(status_of reclaimable-kib)
_k=$(( (_f + _r - 73728 - 131072) / 2048 * 2048 ))
_t0=$(date +%s%N)
send -t30000 -- "$(o reserve_memory "[\"d\",\"st\",$_k]")"
_ms=$(( ($(date +%s%N) - _t0) / 1000000 ))
eq result null
eq error.0 Internal_error
match error.1 '^deadline_exceeded'
[ "$_ms" -ge 1900 ] && [ "$_ms" -lt 20000 ] ||
    bad "the reserve ended after $_ms ms, want about 2000 (operation-timeout)"
waitfor 10000 p_idle || bad "still busy after the bounded reserve"
call reservation.list
eqj result '[]'
tend

tcase "a guest found stuck is left out of the next operations, and plan says so: refused at once, named"
printf 'balance-interval = 500ms\nstuck-after = 1s\n' >"$TMP/stuck.conf"
kill -HUP "$pid_stuck"
waitfor 10000 eval '[ "$(q "$(n 1 config.get)" | "$JGET" result.stuck-after)" = 1s ]' ||
    bad "the configuration was not reloaded: $(q "$(n 1 config.get)")"
send -t30000 -- "$(n 1 reserve "{\"kib\":$_k}")"
err_native -32002 refused
eqj error.data.domids '[30]'
call plan "{\"kib\":$_k}"
eq result.held.0.domid 30
match result.held.0.why 'stuck|uncooperative'
eq result.outcome refused
eqj result.domids '[30]'
_t0=$(date +%s%N)
call reserve "{\"kib\":$_k}"
_ms=$(( ($(date +%s%N) - _t0) / 1000000 ))
err_native -32002 refused
eqj error.data.domids '[30]'
[ "$_ms" -lt 900 ] || bad "refused after $_ms ms, want at once (held)"
tend

tcase "a held guest does not make the daemon balance again and again"
# below its dynamic-max with memory to spare: a balance asks it to grow,
# it cannot, it is found stuck and held; the periodic check must then see
# a balanced host, not ask it again every balance-interval
call sim.domain.create '{"domid":31}'
call sim.domain.build '{"domid":31,"target-kib":262144,"dynamic-min-kib":262144,"dynamic-max-kib":524288,"balloon":{"model":"stuck"}}'
has result
waitfor 20000 eval '[ "$(q "$(n 1 plan)" | "$JGET" result.held.*.domid | grep -cx 31)" = 1 ]' ||
    bad "domain 31 was never held: $(q "$(n 1 plan)")"
waitfor 10000 p_idle || true
_n0=$(grep -c 'host unbalanced: balancing' "$TMP/stuck.log" || true)
# the periodic check (balance-interval 500ms) runs about 6 times meanwhile
_t=0
while [ "$_t" -lt 30 ]; do
	sleep 0.1	# time passing is the point: the checks must stay quiet
	_t=$((_t + 1))
done
_n1=$(grep -c 'host unbalanced: balancing' "$TMP/stuck.log" || true)
[ $((_n1 - _n0)) -le 1 ] ||
    bad "$((_n1 - _n0)) balances in 3 s while nothing changed (held guest 31)"
tend

# ---- a pin never under another operation's passing target -------------------

start slow "$HERE/host-slow.json" "balance-interval = 500ms"
waitfor 20000 p_idle || true

tcase "migration.prepare during a reserve waits its turn; cancelling the reserve puts targets back, never above the pin"
printf '%s\n' "$(n 1 reserve '{"kib":4194304,"id":"big"}')" |
    "$RPCC" -t60000 "$S" >"$TMP/big.out" 2>&1 &
_bigpid=$!
waitfor 10000 eval '[ "$(q "$(n 1 reservation.pending)" | "$JGET" result.0.running)" = true ]' ||
    bad "the reserve never ran"
printf '%s\n' "$(n 2 migration.prepare '{"domid":1,"max-kib":4194304}')" |
    "$RPCC" -t60000 "$S" >"$TMP/prep.out" 2>&1 &
_preppid=$!
waitfor 10000 eval '[ "$(q "$(n 1 reservation.pending)" | "$JGET" -l result)" = 2 ]' ||
    bad "the prepare is not queued behind the reserve: $(q "$(n 1 reservation.pending)")"
call reservation.pending
eq result.0.what reserve
eq result.0.id big
eq result.1.what migration.prepare
eq result.1.running false
call reservation.cancel '{"id":"big"}'
eq result.cancelled true
wait "$_preppid" || true
wait "$_bigpid" || true
R=$(cat "$TMP/prep.out")
eq result.target-kib 4194304
R=$(cat "$TMP/big.out")
eq error.message cancelled
call domain.list
_t1=$(v -a result domid target-kib migrating-kib | grep '^1 ')
[ "$_t1" = "1 4194304 4194304" ] ||
    bad "domain 1 (domid target pin) '$_t1', want '1 4194304 4194304'"
call migration.end '{"domid":1,"outcome":"aborted"}'
eq result.outcome aborted
tend

tcase "reservation.pending shows the balance a reserve waits behind"
waitfor 20000 p_idle || true
call sim.xs.write '{"path":"/local/domain/2/memory/dynamic-max","value":"1048576"}'
waitfor 5000 eval '[ "$(q "$(n 1 reservation.pending)" | "$JGET" result.0.what)" = balance ]' ||
    bad "no balance ran after dynamic-max fell"
printf '%s\n' "$(n 1 reserve '{"kib":65536,"id":"behind"}')" |
    "$RPCC" -t60000 "$S" >"$TMP/behind.out" 2>&1 &
_p=$!
waitfor 5000 eval '[ "$(q "$(n 1 reservation.pending)" | "$JGET" -l result)" = 2 ]' ||
    bad "the reserve is not listed behind the balance"
call reservation.pending
eq result.0.what balance
eq result.0.running true
eq result.1.id behind
eq result.1.running false
wait "$_p" || true
R=$(cat "$TMP/behind.out")
eq result.id behind
call reservation.delete '{"id":"behind"}'
call sim.xs.write '{"path":"/local/domain/2/memory/dynamic-max","value":"4194304"}'
tend

echo "robust: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
