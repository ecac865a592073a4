#!/bin/sh
# switch-check.sh DIR: the checks of switch-sim (the message-switch double)
# and switch-client, DIR holding both.  Each case waits for what it expects
# with a generous bound and shows what it saw when it fails.  With
# SW_VALGRIND=0 the valgrind pass is skipped.
set -u
dir=${1:?usage: switch-check.sh DIR}
SIM=$dir/switch-sim
CLI=$dir/switch-client
T=$(mktemp -d /tmp/swc.XXXXXX) || exit 1	# short: sun_path < 108
S=$T/sock
pid=
npass=0
nfail=0
trap 'stop; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

# start [wrapper...] [-- sim options]: the switch on $S, wait for READY.
start() {
	_w=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do _w="$_w $1"; shift; done
	[ $# -gt 0 ] && shift
	: >"$T/out"
	# shellcheck disable=SC2086
	$_w "$SIM" -t "$T/trace" "$@" "$S" >"$T/out" 2>>"$T/err" &
	pid=$!
	_i=0
	while ! grep -q READY "$T/out"; do
		_i=$((_i + 1))
		if [ $_i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "switch-sim did not start"; cat "$T/err"
			exit 1
		fi
		sleep 0.1
	done
}

stop() {
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	_i=0
	while kill -0 "$pid" 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid"; _rc=$?
	pid=
	return $_rc
}

ok() { npass=$((npass + 1)); echo "ok    $1"; }
fail() {
	nfail=$((nfail + 1)); echo "FAIL  $1"
	shift
	for _l in "$@"; do printf '      %s\n' "$_l"; done
}

# req METHOD PATH [BODY]: one HTTP request as the switch's clients write it.
req() {
	_b=${3:-}
	printf '%s %s HTTP/1.1\r\nuser-agent: cohttp\r\ncontent-length: %d\r\nconnection: keep-alive\r\n\r\n%s' \
	    "$1" "$2" "${#_b}" "$_b"
}

# raw N: the requests on standard input, on one connection; the answers,
# once N are in (or the connection closes, or 20 s pass).
raw() {
	"$CLI" "$S" raw 20000 "$1"
}

# has TEXT FILE-OR-STRING: a fixed-string match.
has() {
	printf '%s' "$2" | grep -qF -- "$1"
}

waitfor() {
	_n=$(($1 / 100))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -le 0 ] && return 1
		sleep 0.1
	done
}

start

# ---- protocol -------------------------------------------------------------

"$CLI" -t 20000 "$S" serve 3 >"$T/serve.out" 2>&1 &
spid=$!
waitfor 10000 grep -q serving "$T/serve.out"
r=$("$CLI" -t 20000 "$S" call get_host_reserved_memory '["x"]' 2>&1)
[ "$r" = '{"result":"echo: get_host_reserved_memory","error":null,"id":0}' ] &&
    ok "a call goes through a service and back" ||
    fail "a call goes through a service and back" "got: $r"
r=$(printf '%s\n' '{"method":"a","params":[],"id":1}' \
    '{"method":"b","params":[],"id":2}' | "$CLI" -t 20000 "$S" pipe 2>&1 |
    cut -d' ' -f1,3- | sort)
want='1 {"result":"echo: a","error":null,"id":0}
2 {"result":"echo: b","error":null,"id":0}'
[ "$r" = "$want" ] && ok "two calls at once, each answered" ||
    fail "two calls at once, each answered" "got: $r"
wait "$spid"

r=$(req GET /persistent/q | raw 1)
has 'HTTP/1.1 404' "$r" && has 'Please log in.' "$r" &&
    ok "no login: 404 Please log in." || fail "no login: 404" "got: $r"

r=$( { req GET /login/t:1; req GET /nonsense/x; } | raw 2)
has 'HTTP/1.1 404' "$r" && ok "unknown path: 404" ||
    fail "unknown path: 404" "got: $r"

r=$( { req GET /login/t:1; req POST /request/nosuchq/r '{}'; } | raw 2)
has '[]' "$r" && ok "a message to a queue that does not exist: 200 []" ||
    fail "message to no queue" "got: $r"

r=$( { req GET /login/t:1; req GET /persistent/q1
    req POST /request/q1/r1 'payload-one'
    req POST /transfer '{"timeout":0.1,"queues":["q1"]}'
    req POST /transfer '{"from":"0","timeout":0.2,"queues":["q1"]}'
    req POST /transfer '{"timeout":0.1,"queues":["q1"]}'
    req GET /ack/q1/0
    req POST /transfer '{"timeout":0.1,"queues":["q1"]}'; } | raw 8)
n=$(printf '%s' "$r" | grep -c '"payload":"payload-one","kind":\["Request","r1"\]')
if has '[["q1",0]]' "$r" && [ "$n" = 2 ] &&
    has '{"messages":[],"next":"0"}' "$r" &&
    has '{"messages":[],"next":"-1"}' "$r"; then
	ok "transfer: delivered, not again after from, again without from until acked"
else
	fail "transfer, from, redelivery, ack" "got: $r"
fi

r=$( { req GET /login/t:1; req GET /persistent/q2
    req POST /request/q2/r 'm0'; req POST /request/q2/r 'm1'
    req POST /transfer '{"timeout":0.1,"queues":["q2"]}'; } | raw 5)
has '"messages":[[["q2",1],{"payload":"m1"' "$r" &&
    has '"next":"1"' "$r" &&
    ok "transfer: newest first per queue, next is the highest id" ||
    fail "transfer order" "got: $r"

{ req GET /login/owner:1; req GET /transient/tq; } | raw 2 >/dev/null
r=$( { req GET /login/t:2; req POST /request/tq/r 'x'; } | raw 2)
has '[]' "$r" && ok "a transient queue dies with its session" ||
    fail "transient queue" "got: $r"

# The long poll returns as soon as a message comes, not at its timeout.
{ req GET /login/p:1; req GET /persistent/q3
    req POST /transfer '{"from":"-1","timeout":60.0,"queues":["q3"]}'; } |
    "$CLI" "$S" raw 30000 >"$T/poll.out" &
ppid=$!
waitfor 10000 grep -q 'q3' "$T/poll.out"
{ req GET /login/t:3; req POST /request/q3/r 'wake'; } | raw 2 >/dev/null
if waitfor 10000 grep -q '"payload":"wake"' "$T/poll.out"; then
	ok "a parked transfer returns when a message comes"
else
	fail "long poll wake-up" "got: $(cat "$T/poll.out")"
fi
kill "$ppid" 2>/dev/null; wait "$ppid" 2>/dev/null

# ---- faults -----------------------------------------------------------------

fault() {
	req POST /x-fault "$1" | raw 1 >/dev/null
}

fault "status /ack/ 1 404"
r=$( { req GET /login/t:4; req GET /ack/q1/7; req GET /ack/q1/7; } | raw 3)
[ "$(printf '%s' "$r" | grep -c 'HTTP/1.1 404')" = 1 ] &&
    [ "$(printf '%s' "$r" | grep -c 'HTTP/1.1 200')" = 2 ] &&
    ok "fault: status 404 on the next ack only" || fail "fault status" "got: $r"

fault "garbage /login/"
r=$(req GET /login/t:5 | raw 1)
has 'HTLP/9.9' "$r" && ok "fault: a garbage status line" ||
    fail "fault garbage" "got: $r"

fault "drop /persistent/"
r=$( { req GET /login/t:6; req GET /persistent/q9; } | raw 2)
[ "$(printf '%s' "$r" | grep -c 'HTTP/1.1')" = 1 ] &&
    ok "fault: drop closes the connection unanswered" ||
    fail "fault drop" "got: $r"

fault "hugelen /login/"
r=$(req GET /login/t:7 | "$CLI" "$S" raw 1000)
has 'content-length: 99999999999999' "$r" && ok "fault: a huge content-length" ||
    fail "fault hugelen" "got: $r"

fault "body /transfer 1 this is not JSON"
r=$( { req GET /login/t:8
    req POST /transfer '{"timeout":0.1,"queues":["q1"]}'; } | raw 2)
has 'this is not JSON' "$r" && ok "fault: a body that is not JSON" ||
    fail "fault body" "got: $r"

fault "lose /request/"
r=$( { req GET /login/t:9; req GET /persistent/q4
    req POST /request/q4/r 'lost-answer'; } | raw 3)
d=$(req GET / | raw 1)
[ "$(printf '%s' "$r" | grep -c 'HTTP/1.1')" = 2 ] &&
    has '"payload":"lost-answer"' "$d" &&
    ok "fault: lose carries the request out, never answers" ||
    fail "fault lose" "got: $r" "diagnostics: $d"

fault "delay /login/ 1 300"
r=$( { req GET /login/t:10; req GET /persistent/q5; } | raw 2)
[ "$(printf '%s' "$r" | grep -c 'HTTP/1.1 200')" = 2 ] &&
    ok "fault: delay still answers, in order" || fail "fault delay" "got: $r"

# ---- restart ----------------------------------------------------------------

stop
start -- -s "$T/state"
r=$( { req GET /login/t:11; req GET /persistent/keep
    req POST /request/keep/r 'k0'; req POST /request/keep/r 'k1'
    req GET /ack/keep/0; req GET /transient/gone; } | raw 6)
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
start -- -s "$T/state"
r=$( { req GET /login/t:12
    req POST /transfer '{"timeout":0.1,"queues":["keep"]}'
    req POST /request/keep/r 'k2'; req POST /request/gone/r 'x'; } | raw 4)
if has '"payload":"k1"' "$r" && ! has '"payload":"k0"' "$r" &&
    has '[["keep",2]]' "$r" && has '[]' "$r"; then
	ok "kill -9 and restart: persistent queue and unacked messages kept, ids go on, transient gone"
else
	fail "restart with a state file" "got: $r"
fi
stop && ok "SIGTERM: exit 0" || fail "SIGTERM: exit status $?"
[ ! -e "$S" ] && ok "socket removed" || fail "socket removed"

# ---- valgrind -----------------------------------------------------------------

if [ "${SW_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
	start valgrind -q --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible -- -s "$T/vstate"
	"$CLI" -t 60000 "$S" serve 2 >"$T/serve.out" 2>&1 &
	spid=$!
	waitfor 30000 grep -q serving "$T/serve.out"
	printf '%s\n' '{"method":"a","params":[],"id":1}' \
	    '{"method":"b","params":[],"id":2}' |
	    "$CLI" -t 60000 "$S" pipe >/dev/null 2>&1
	wait "$spid"
	fault "garbage /login/"
	{ req GET /login/v:1; req GET /persistent/vq; req POST /request/vq/r x
	    req POST /transfer '{"timeout":60,"queues":["vq"]}'; } |
	    "$CLI" "$S" raw 1000 >/dev/null
	if stop; then ok "valgrind: no errors, no leaks"
	else fail "valgrind" "$(tail -20 "$T/err")"; fi
fi

echo "harness-switch: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
