#!/bin/sh
# tests/deb/check.sh (make deb-check, after make deb): install the package
# built in build/deb with dpkg -i, check what it put where (the unit
# installed but not enabled nor started, /etc/squeezerd.conf a conffile),
# run the installed squeezerd -n, remove it with dpkg -r (the conffile
# stays), purge it (the conffile goes).
#
# It changes the machine, so it takes care: it runs only as root; one run
# at a time (a lock); it touches nothing that is not its own.  It skips,
# saying why, when the squeezerd package is there and not from an earlier
# run of this check, or when a file the package holds is there and belongs
# to no package (make install into /usr, say).  A package an interrupted
# run left behind (marked by $STAMP) is purged first.
set -eu
cd "$(dirname "$0")/../.."
DEB=$(ls build/deb/squeezerd_*.deb 2>/dev/null | head -1)
STAMP=/var/tmp/squeezerd-deb-check.installed
LOCK=/var/tmp/squeezerd-deb-check.lock
D=$(mktemp -d /tmp/deb-check.XXXXXX)
trap 'rm -rf "$D"' EXIT
n=0 fail=0

skip() {
	echo "skip  deb-check: $*"
	echo "deb-check: 0 passed, 0 failed, 1 skipped"
	exit 0
}

check() {
	n=$((n + 1))
	if "$@" >"$D/out" 2>&1; then
		echo "ok    $*"
	else
		fail=$((fail + 1))
		echo "FAIL  $*"
		sed 's/^/  | /' "$D/out"
	fi
}

# dpkg, waiting (up to 5 minutes) while apt or another dpkg holds its lock.
dpkg_() {
	for _ in $(seq 60); do
		if DEBIAN_FRONTEND=noninteractive dpkg --force-confdef \
		    --force-confold "$@" >"$D/dpkg" 2>&1; then
			return 0
		fi
		grep -q 'lock' "$D/dpkg" || { cat "$D/dpkg"; return 1; }
		sleep 5
	done
	cat "$D/dpkg"
	return 1
}

state() {
	dpkg-query -W -f='${db:Status-Status}' squeezerd 2>/dev/null ||
	    echo not-installed
}

[ -n "$DEB" ] || { echo "deb-check: no build/deb/squeezerd_*.deb: make deb" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root"
command -v dpkg >/dev/null || skip "no dpkg"
exec 9>"$LOCK"
flock -w 600 9 || { echo "deb-check: $LOCK held for 10 minutes" >&2; exit 1; }

if [ "$(state)" != not-installed ]; then
	[ -e "$STAMP" ] || skip "the squeezerd package is $(state) and not" \
	    "from this check: left alone (dpkg --purge squeezerd to run it)"
	echo "note  purging the package an interrupted run left"
	dpkg_ --purge squeezerd
fi
dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' \
    >"$D/files"
while read -r f; do
	if [ -e "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1; then
		skip "$f is there and belongs to no package: not overwriting it"
	fi
done <"$D/files"

# the machine before: which squeezerd processes run (other trees' tests)
pids_of() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/squeezerd ] &&
		    echo "${p#/proc/}"
	done
	return 0
}

touch "$STAMP"
check dpkg_ -i "$DEB"
check test "$(state)" = installed
for f in /usr/sbin/squeezerd /usr/bin/squeezerctl \
    /lib/systemd/system/squeezerd.service /etc/squeezerd.conf \
    /usr/share/man/man8/squeezerd.8.gz /usr/share/man/man1/squeezerctl.1.gz \
    /usr/share/man/man5/squeezerd.conf.5.gz \
    /usr/share/bash-completion/completions/squeezerctl \
    /usr/share/doc/squeezerd/rpc.md.gz /usr/share/doc/squeezerd/copyright \
    /usr/share/doc/squeezerd/examples/squeezerd.conf \
    /usr/share/doc/squeezerd/examples/squeezerd-metrics.service \
    /usr/share/doc/squeezerd/examples/squeezerd-metrics.timer; do
	check test -s "$f"
done
check sh -c "dpkg-query -W -f='\${Conffiles}\n' squeezerd |
    grep -q '^ /etc/squeezerd.conf '"
check /usr/sbin/squeezerd -n
check /usr/sbin/squeezerd -n -f /usr/share/doc/squeezerd/examples/squeezerd.conf
check grep -qx 'ExecStart=/usr/sbin/squeezerd -d' \
    /lib/systemd/system/squeezerd.service
check grep -q '/usr/bin/squeezerctl metrics' \
    /usr/share/doc/squeezerd/examples/squeezerd-metrics.service
# installed, not enabled, not started
check sh -c '! ls /etc/systemd/system/*.wants/squeezerd.service 2>/dev/null'
if command -v systemctl >/dev/null; then
	check sh -c 'test "$(systemctl is-enabled squeezerd.service)" = disabled'
fi
check test -z "$(pids_of)"
if command -v systemd-analyze >/dev/null; then
	check systemd-analyze verify /lib/systemd/system/squeezerd.service
fi
check bash -c '. /usr/share/bash-completion/completions/squeezerctl &&
    complete -p squeezerctl'
# the CLI runs: no daemon here, so a clean error and exit status 1
check sh -c '/usr/bin/squeezerctl -s /nonexistent status; test $? -eq 1'

# removed: the programs go, the admin's configuration stays
check dpkg_ -r squeezerd
check test "$(state)" = config-files
check test ! -e /usr/sbin/squeezerd
check test ! -e /lib/systemd/system/squeezerd.service
check test -s /etc/squeezerd.conf
# purged: nothing left
check dpkg_ --purge squeezerd
check test "$(state)" = not-installed
check test ! -e /etc/squeezerd.conf
[ "$(state)" = not-installed ] && rm -f "$STAMP"
echo "deb-check: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
