#!/bin/sh
# Run xsd-sim's checks: the libxenstore client test, the CLI test, and the
# client test again with xsd-sim under valgrind (unless XSD_VALGRIND=0).
# usage: xsd-check.sh DIR   (DIR holds xsd-sim and xsd-client-test)
set -u
dir=${1:?usage: xsd-check.sh DIR}
tmp=$(mktemp -d /tmp/xsd.XXXXXX) || exit 1	# short: sun_path < 108
pid=
trap 'stop; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
export XENSTORED_PATH="$tmp/sock"
failed=0

# Start the server ($@ is an optional wrapper) and wait for READY.
start() {
	: >"$tmp/out"
	"$@" "$dir/xsd-sim" -t "$tmp/trace" "$XENSTORED_PATH" \
	    >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0
	while ! grep -q READY "$tmp/out"; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "xsd-sim did not start"; cat "$tmp/err"; return 1
		fi
		sleep 0.1
	done
}

# SIGTERM the server; it must exit 0 (valgrind: and be clean).
stop() {
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid"; rc=$?
	pid=
	return $rc
}

run() {
	echo "## $1"; shift
	if "$@"; then :; else echo "FAILED: $*"; failed=1; fi
}

start || exit 1
run "libxenstore client" timeout 300 "$dir/xsd-client-test"
run "xenstore-* CLI" timeout 120 sh "$dir/xsd-cli-test.sh"
run "server exits 0 on SIGTERM" stop
[ ! -e "$XENSTORED_PATH" ]; run "socket unlinked" test $? = 0

if [ "${XSD_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
	start valgrind -q --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible || exit 1
	run "libxenstore client, server under valgrind" \
	    timeout 600 "$dir/xsd-client-test"
	run "valgrind clean" stop
	[ -s "$tmp/err" ] && cat "$tmp/err"
fi

[ $failed = 0 ] && echo "# harness-xsd-check: PASS" ||
    echo "# harness-xsd-check: FAIL"
exit $failed
