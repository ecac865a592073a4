# tests/lib.sh: what the shell suites share: requests to a daemon's control
# socket, checks on the replies, cases with a verdict each, and waiting for a
# condition (never a fixed sleep).  Sourced; the suite sets
#   RPCC, JGET	the raw client and the JSON reader (build/rpc/)
#   TMP		its temporary directory
#   S		the socket requests go to
# and counts with npass/nfail (tend adds to them).

# ---- requests ----------------------------------------------------------

# n ID METHOD [PARAMS]: a native request line.
n() {
	if [ $# -ge 3 ]; then
		printf '{"jsonrpc":"2.0","id":%s,"method":"%s","params":%s}' \
		    "$1" "$2" "$3"
	else
		printf '{"jsonrpc":"2.0","id":%s,"method":"%s"}' "$1" "$2"
	fi
}

# send [rpcc options] [--] LINE...: send the lines on one connection to $S;
# every response in $RALL, the first in $R, the rpcc status in $RC.
# Options with a value are written attached (-t8000).
send() {
	_o=""
	while [ $# -gt 0 ]; do
		case $1 in
		--)	shift; break ;;
		-?*)	_o="$_o $1"; shift ;;
		*)	break ;;
		esac
	done
	REQ=$(printf '%s\n' "$@")
	if [ -n "$_o" ]; then
		REQ="rpcc$_o: $REQ"
	fi
	# shellcheck disable=SC2086
	RALL=$(printf '%s\n' "$@" | "$RPCC" -t10000 $_o "$S" \
	    2>"$TMP/rpcc.err") && RC=0 || RC=$?
	R=$(printf '%s\n' "$RALL" | sed -n 1p)
	if [ "$RC" -ne 0 ]; then
		bad "rpcc exit $RC: $(cat "$TMP/rpcc.err")"
	fi
}

# call METHOD [PARAMS]: one native request with id 1.
call() {
	send -- "$(n 1 "$@")"
}

# pick N: make the Nth response line the current one ($R).
pick() {
	R=$(printf '%s\n' "$RALL" | sed -n "${1}p")
}

# q LINE: a quiet request for polling; prints the response.
q() {
	printf '%s\n' "$1" | "$RPCC" -t5000 "$S" 2>/dev/null || true
}

# ---- checks ------------------------------------------------------------

tcase() {
	T=$1
	TBAD=0
	: >"$TMP/why"
}

bad() {
	TBAD=$((TBAD + 1))
	{
		printf '      %s\n' "$*"
		printf '%s\n' "$REQ" | cut -c1-300 | head -4 |
		    sed 's/^/        sent: /'
		printf '%s\n' "${RALL:-}" | cut -c1-400 | head -4 |
		    sed 's/^/        got:  /'
	} >>"$TMP/why"
}

tend() {
	if [ "$TBAD" -eq 0 ]; then
		npass=$((npass + 1))
		echo "ok    $T"
	else
		nfail=$((nfail + 1))
		echo "FAIL  $T"
		cat "$TMP/why"
	fi
}

# v [jget options] PATH...: values from the current response.
v() {
	printf '%s\n' "$R" | "$JGET" "$@" 2>/dev/null || true
}

# eq PATH WANT: the value (strings raw, the rest as JSON) is WANT.
eq() {
	_g=$(v "$1")
	if [ "$_g" != "$2" ]; then
		bad "$1 is '$_g', want '$2'"
	fi
}

# eqs PATH WANT: the values (a "*" path), sorted, space-separated, are WANT.
eqs() {
	_g=$(v "$1" | sort | tr '\n' ' ' | sed 's/ $//')
	if [ "$_g" != "$2" ]; then
		bad "$1 (sorted) is '$_g', want '$2'"
	fi
}

# eqj PATH JSON: the value as compact JSON is JSON.
eqj() {
	_g=$(v -j "$1")
	if [ "$_g" != "$2" ]; then
		bad "$1 is '$_g', want '$2'"
	fi
}

typ() {
	_g=$(v -t "$1")
	if [ "$_g" != "$2" ]; then
		bad "$1 has type '$_g', want $2"
	fi
}

has() {
	for _p; do
		_g=$(v "$_p")
		if [ "$_g" = "<missing>" ]; then
			bad "$_p is missing"
		fi
	done
}

lacks() {
	for _p; do
		_g=$(v "$_p")
		if [ "$_g" != "<missing>" ]; then
			bad "$_p is present ('$_g'), want it absent"
		fi
	done
}

isnum() {
	case $1 in
	''|-|*[!0-9-]*|?*-*)	return 1 ;;
	esac
	return 0
}

# num PATH OP N: an integer compared with test(1)'s OP.
num() {
	_g=$(v "$1")
	if ! isnum "$_g"; then
		bad "$1 is '$_g', want an integer $2 $3"
	elif ! test "$_g" "$2" "$3"; then
		bad "$1 is $_g, want $2 $3"
	fi
}

# len PATH N: an array (object, string) of N elements.
len() {
	_g=$(v -l "$1")
	if [ "$_g" != "$2" ]; then
		bad "$1 has length '$_g', want $2"
	fi
}

# match PATH ERE
match() {
	_g=$(v "$1")
	if ! printf '%s\n' "$_g" | grep -Eq "$2"; then
		bad "$1 is '$_g', want /$2/"
	fi
}

UUID='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# keys WANT: the response's member names, sorted, are WANT.
keys() {
	_g=$(v -k . | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
	if [ "$_g" != "$1" ]; then
		bad "response members are '$_g', want '$1'"
	fi
}

# ok_native [ID]: a native success response.
ok_native() {
	keys "id jsonrpc result"
	eq jsonrpc 2.0
	eq id "${1:-1}"
}

# err_native CODE MESSAGE [ID]: a native error response.
err_native() {
	keys "error id jsonrpc"
	eq jsonrpc 2.0
	eq id "${3:-1}"
	eq error.code "$1"
	eq error.message "$2"
	typ error.data.detail string
}

# ok_v1: a squeezed v1 success response (the result is checked apart).
ok_v1() {
	keys "error id result"
	eq id 0
	eq error null
}

# err_v1 JSON: a squeezed v1 failure carrying exactly JSON.
err_v1() {
	keys "error id result"
	eq id 0
	eq result null
	eqj error "$1"
}

# ---- polling -----------------------------------------------------------

# waitfor MS PREDICATE...: retry every 100 ms; 1 when time runs out.
waitfor() {
	_n=$(($1 / 100))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		if [ "$_n" -le 0 ]; then
			return 1
		fi
		sleep 0.1
	done
}

p_idle() {
	[ "$(q "$(n 1 host.status)" | "$JGET" result.pending 2>/dev/null)" = 0 ]
}

# Every balloonable domain back at dynamic-max and its balloon there.
p_balanced() {
	q "$(n 1 domain.list)" | "$JGET" -a result can-balloon target-kib \
	    dynamic-max-kib actual-kib 2>/dev/null | awk '
	    $1 == "true" && ($2 != $3 || $4 - $2 > 64 || $2 - $4 > 64) { b = 1 }
	    END { exit b || NR == 0 }'
}

# p_nres [SESSION]: no reservation (in SESSION).
p_nres() {
	if [ $# -gt 0 ]; then
		_l=$(q "$(n 1 reservation.list "{\"session\":\"$1\"}")")
	else
		_l=$(q "$(n 1 reservation.list)")
	fi
	[ "$(printf '%s\n' "$_l" | "$JGET" -l result 2>/dev/null)" = 0 ]
}

# settle: nothing pending and the host balanced again.
settle() {
	if ! waitfor 8000 p_idle; then
		bad "still a request pending after 8 s"
	elif ! waitfor 8000 p_balanced; then
		bad "the host did not return to balance in 8 s: $(q "$(n 1 \
		    domain.list)" | "$JGET" -a result domid target-kib \
		    actual-kib | tr '\n' ';')"
	fi
}

# rlist: the reservations, one sorted line each "id kib session domid".
rlist() {
	q "$(n 1 reservation.list)" | "$JGET" -a result id kib session domid |
	    sort
}

status_of() {
	q "$(n 1 host.status)" | "$JGET" "result.$1"
}

# reserve KIB SESSION: make a reservation, its id in $ID.
reserve() {
	send -- "$(n 1 reserve "{\"kib\":$1,\"session\":\"$2\"}")"
	ID=$(v result.id)
	if ! printf '%s\n' "$ID" | grep -Eq "$UUID"; then
		bad "reserve $1 failed"
	fi
}

delete() {
	send -- "$(n 1 reservation.delete "{\"id\":\"$1\"}")"
	eq result.id "$1"
}

