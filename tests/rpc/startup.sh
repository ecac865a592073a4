#!/bin/sh
# tests/rpc/startup.sh: starting squeezerd (sim backend, private sockets):
# --version and --help; one instance per socket (the lock beside it, which
# names its holder and survives daemonising); nothing that is not a socket
# is ever removed, at start or at exit; start-up errors reach the terminal
# and the exit status without -d too.
set -eu
SQUEEZERD=${SQUEEZERD:-./squeezerd}
RPCC=${RPCC:-build/rpc/rpcc}
HERE=$(cd "$(dirname "$0")" && pwd)
HOST=$HERE/host-fast.json
T=$(mktemp -d /tmp/startup.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok    $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL  $1"; }
STATUS='{"jsonrpc":"2.0","id":1,"method":"host.status"}'
# (a daemon expected to refuse to start runs under timeout(1): a broken one
# that starts anyway is a failure, not a hang)
answers() {	# answers SOCKET: host.status is answered there
	printf '%s\n' "$STATUS" | "$RPCC" -t5000 -W5000 "$1" 2>/dev/null |
	    grep -q '"result"'
}
gone() {	# gone PID: wait up to 10 s for it to exit
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}
inode() { stat -c '%i' "$1" 2>/dev/null || echo none; }
: >"$T/conf"
chmod 0600 "$T/conf"

# ---- --version, --help --------------------------------------------------
want=$(sed -n 's/^#define SQUEEZERD_VERSION "\(.*\)"$/\1/p' \
    "$HERE/../../include/version.h")
for o in --version -V; do
	if out=$("$SQUEEZERD" $o 2>&1) && [ "$out" = "squeezerd $want" ]; then
		ok "squeezerd $o: '$out', exit 0"
	else
		no "squeezerd $o: '$out', want 'squeezerd $want', exit 0"
	fi
done
# every option squeezerd(8) lists, in --help
opts=$(sed -n 's/^\.It Fl //p' "$HERE/../../man/squeezerd.8" |
    sed 's/\\-/-/g; s/ Ns = .*//; s/ Ar .*//; s/ , Fl / /g' |
    tr ' ' '\n' | sed 's/^/-/' | sort -u)
for o in -h --help; do
	if ! "$SQUEEZERD" $o >"$T/help" 2>&1; then
		no "squeezerd $o: exit status not 0"
		continue
	fi
	missing=""
	for f in $opts; do
		grep -q -- "$f\\b" "$T/help" || missing="$missing $f"
	done
	if [ -z "$missing" ] && head -1 "$T/help" | grep -q '^usage: squeezerd'; then
		ok "squeezerd $o lists every option of squeezerd(8):$(echo $opts | tr '\n' ' ')"
	else
		no "squeezerd $o: missing$missing: $(cat "$T/help")"
	fi
done

# ---- one instance per socket --------------------------------------------
"$SQUEEZERD" -d --backend=sim --host "$HOST" -s "$T/a" -f "$T/conf" \
    2>"$T/a.log" &
pa=$!
pids="$pids $pa"
answers "$T/a" || no "the first instance does not answer: $(cat "$T/a.log")"
ino=$(inode "$T/a")
sim=$(stat -c '%i %Y' "$T/a.sim")
if [ "$(cat "$T/a.lock" 2>/dev/null)" = "$pa" ]; then
	ok "the lock $T/a.lock holds the daemon's pid"
else
	no "the lock file holds '$(cat "$T/a.lock" 2>/dev/null)', want $pa"
fi
for d in -d ""; do
	rc=0
	timeout 20 "$SQUEEZERD" $d --backend=sim --host "$HOST" -s "$T/a" \
	    -f "$T/conf" >"$T/b.out" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ] && grep -q "another squeezerd (pid $pa)" "$T/b.out"; then
		ok "a second instance (${d:-detaching}) exits 1: $(cat "$T/b.out")"
	else
		no "a second instance (${d:-detaching}): exit $rc, '$(cat "$T/b.out")'"
	fi
done
if [ "$(inode "$T/a")" = "$ino" ] && answers "$T/a" &&
    [ "$(stat -c '%i %Y' "$T/a.sim")" = "$sim" ]; then
	ok "the first keeps its socket and its state file, and answers"
else
	no "the socket (inode $ino -> $(inode "$T/a")) or the state ($sim -> $(stat -c '%i %Y' "$T/a.sim")) changed"
fi
if "$SQUEEZERD" -n -f "$T/conf" -s "$T/a" 2>/dev/null; then
	ok "-n beside a running instance: exit 0 (no lock taken)"
else
	no "-n beside a running instance failed"
fi

# ---- the socket path: never remove what is not ours ---------------------
mv "$T/a" "$T/a.moved"
echo precious >"$T/a"
kill "$pa"
gone "$pa" || no "the first instance did not stop"
if [ "$(cat "$T/a" 2>/dev/null)" = precious ] && [ -S "$T/a.moved" ]; then
	ok "at exit a file that replaced the socket is left alone"
else
	no "at exit the daemon removed '$T/a', which was not its socket"
fi
[ ! -e "$T/a.lock" ] && ok "at exit the lock file is removed" ||
    no "the lock file is still there after a clean stop"
rc=0
timeout 20 "$SQUEEZERD" -d --backend=sim --host "$HOST" -s "$T/a" \
    -f "$T/conf" >"$T/c.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'not a socket' "$T/c.out" &&
    [ "$(cat "$T/a")" = precious ]; then
	ok "a regular file at the socket path: exit 1, left as it was: $(cat "$T/c.out")"
else
	no "a regular file at the socket path: exit $rc, '$(cat "$T/c.out")', file '$(cat "$T/a" 2>/dev/null)'"
fi
rm -f "$T/a" "$T/a.moved"

# a stale socket and lock (kill -9) are taken over; a stale pid is replaced
"$SQUEEZERD" -d --backend=sim --host "$HOST" -s "$T/k" -f "$T/conf" \
    2>>"$T/k.log" &
pk=$!
answers "$T/k" || no "the daemon on $T/k does not answer"
kill -9 "$pk"
gone "$pk" || true
"$SQUEEZERD" -d --backend=sim --host "$HOST" -s "$T/k" -f "$T/conf" \
    2>>"$T/k.log" &
pk=$!
pids="$pids $pk"
if answers "$T/k" && [ "$(cat "$T/k.lock")" = "$pk" ]; then
	ok "after kill -9, a new instance replaces the stale socket and lock"
else
	no "after kill -9: $(tail -3 "$T/k.log")"
fi
kill "$pk"
gone "$pk" || true

# ---- detaching ----------------------------------------------------------
rc=0
"$SQUEEZERD" --backend=sim --host "$HOST" -s "$T/d" -f "$T/conf" \
    >"$T/d.out" 2>&1 || rc=$?
pd=$(cat "$T/d.lock" 2>/dev/null || echo 0)
pids="$pids $pd"
if [ "$rc" -eq 0 ] && answers "$T/d" && kill -0 "$pd" 2>/dev/null &&
    grep -q squeezerd "/proc/$pd/cmdline"; then
	ok "without -d: exit 0 once ready; the lock names the detached daemon ($pd)"
else
	no "without -d: exit $rc, '$(cat "$T/d.out")', lock pid '$pd'"
fi
rc=0
timeout 20 "$SQUEEZERD" -d --backend=sim --host "$HOST" -s "$T/d" \
    -f "$T/conf" >"$T/e.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q "(pid $pd)" "$T/e.out"; then
	ok "the detached daemon keeps the lock: a second instance exits 1"
else
	no "beside the detached daemon: exit $rc, '$(cat "$T/e.out")'"
fi
kill "$pd" 2>/dev/null || true
gone "$pd" || no "the detached daemon did not stop"
[ ! -e "$T/d" ] && [ ! -e "$T/d.lock" ] &&
    ok "the detached daemon removed its socket and lock at exit" ||
    no "after the detached daemon stopped: $(ls "$T")"

# start-up errors without -d: on the terminal, exit 1, nothing left running
# (a daemon left would hold the lock file and the socket)
check_fail() {	# check_fail WHAT PATTERN ARGS...
	what=$1 pat=$2
	shift 2
	rc=0
	timeout 20 "$SQUEEZERD" "$@" >"$T/f.out" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ] && grep -q -- "$pat" "$T/f.out" &&
	    [ ! -e "$T/f.lock" ] && [ ! -S "$T/f" ]; then
		ok "without -d, $what: exit 1, '$(head -1 "$T/f.out")'"
	else
		no "without -d, $what: exit $rc, '$(cat "$T/f.out")'"
	fi
}
check_fail "no socket directory" "No such file or directory" \
    --backend=sim --host "$HOST" -s "$T/none/f" -f "$T/conf"
touch "$T/f"
check_fail "a file at the socket path" "not a socket" \
    --backend=sim --host "$HOST" -s "$T/f" -f "$T/conf"
rm -f "$T/f"
check_fail "a host file that does not exist (the backend)" "$T/nohost" \
    --backend=sim --host "$T/nohost" -s "$T/f" -f "$T/conf"
[ ! -e "$T/f" ] && [ ! -e "$T/f.lock" ] ||
    no "a failed start left $(ls "$T" | tr '\n' ' ')"
printf '12345\n' >"$T/f.lock"
rc=0
"$SQUEEZERD" --backend=sim --host "$HOST" -s "$T/f" -f "$T/conf" \
    >"$T/f.out" 2>&1 || rc=$?
pf=$(cat "$T/f.lock" 2>/dev/null || echo 0)
pids="$pids $pf"
if [ "$rc" -eq 0 ] && [ "$pf" != 12345 ] && answers "$T/f"; then
	ok "an unlocked lock file with a stale pid is taken over (now $pf)"
else
	no "stale lock file: exit $rc, '$(cat "$T/f.out")', lock '$pf'"
fi
kill "$pf" 2>/dev/null || true
gone "$pf" || true

echo "startup: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
