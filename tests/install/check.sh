#!/bin/sh
# tests/install/check.sh: `make install` into a temporary DESTDIR puts the
# binaries, the unit, the man pages and the sample configuration where they
# belong; the sample configuration passes `squeezerd -n`; the man pages
# render; systemd-analyze (when there is one) accepts the unit.
set -eu
D=$(mktemp -d /tmp/install.XXXXXX)
trap 'rm -rf "$D"' EXIT
n=0 fail=0
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
make -s install DESTDIR="$D/root" PREFIX=/usr >"$D/make.log" 2>&1 ||
    { cat "$D/make.log"; exit 1; }
R=$D/root
for f in usr/sbin/squeezerd usr/bin/squeezerctl \
    usr/lib/systemd/system/squeezerd.service usr/share/man/man8/squeezerd.8 \
    usr/share/man/man1/squeezerctl.1 usr/share/man/man5/squeezerd.conf.5 \
    etc/squeezerd.conf usr/share/doc/squeezerd/examples/squeezerd.conf \
    usr/share/doc/squeezerd/examples/libvirt-hooks-libxl; do
	check test -s "$R/$f"
done
check test -x "$R/usr/share/doc/squeezerd/examples/libvirt-hooks-libxl"
check sh -n "$R/usr/share/doc/squeezerd/examples/libvirt-hooks-libxl"
check grep -q '^ExecStart=/usr/sbin/squeezerd -d$' \
    "$R/usr/lib/systemd/system/squeezerd.service"
check "$R/usr/sbin/squeezerd" -n -f "$R/etc/squeezerd.conf"
for m in "$R"/usr/share/man/man*/*; do
	check groff -mdoc -ww -z "$m"
done
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart's binary where the unit says it is
	sed "s|/usr/sbin/squeezerd|$R/usr/sbin/squeezerd|" \
	    "$R/usr/lib/systemd/system/squeezerd.service" >"$D/squeezerd.service"
	check env MANPATH="$R/usr/share/man" systemd-analyze verify \
	    "$D/squeezerd.service"
else
	echo "skip  systemd-analyze verify (no systemd-analyze)"
fi
make -s uninstall DESTDIR="$R" PREFIX=/usr >/dev/null 2>&1
check test ! -e "$R/usr/sbin/squeezerd"
check test -e "$R/etc/squeezerd.conf"	# the admin's file stays
echo "install: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
