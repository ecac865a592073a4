#!/bin/sh
# tests/install/check.sh: `make install` into a temporary DESTDIR puts the
# binaries, the unit, the man pages, the sample configuration, the examples
# (the metrics timer), the documents and the bash completion where they
# belong; the sample configuration passes `squeezerd -n`; the man pages
# render; systemd-analyze (when there is one) accepts the units and rates
# squeezerd.service's exposure 3.0 or less; the metrics service's command
# writes the metrics into a directory atomically, and removes them when
# the daemon does not answer; `make uninstall` removes all but the
# configuration.
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
    usr/share/doc/squeezerd/examples/squeezerd-metrics.service \
    usr/share/doc/squeezerd/examples/squeezerd-metrics.timer \
    usr/share/doc/squeezerd/examples/squeezed.service.d/squeezerd.conf \
    usr/share/doc/squeezerd/examples/libvirt-hooks-libxl \
    usr/share/doc/squeezerd/README.md usr/share/doc/squeezerd/rpc.md \
    usr/share/bash-completion/completions/squeezerctl; do
	check test -s "$R/$f"
done
EX=$R/usr/share/doc/squeezerd/examples
check grep -q '^ExecStart=/usr/sbin/squeezerd -d -f /etc/squeezerd.conf$' \
    "$EX/squeezed.service.d/squeezerd.conf"
check test -x "$EX/libvirt-hooks-libxl"
check sh -n "$EX/libvirt-hooks-libxl"
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
	check env MANPATH="$R/usr/share/man" systemd-analyze verify \
	    "$EX/squeezerd-metrics.service" "$EX/squeezerd-metrics.timer"
	# the sandbox: an exposure of 3.0 at most (30 on --threshold's scale)
	check systemd-analyze security --offline=yes --threshold=30 \
	    "$D/squeezerd.service"
	echo "note  $(systemd-analyze security --offline=yes \
	    "$D/squeezerd.service" 2>&1 | grep 'Overall exposure' |
	    sed 's/.*service: //')"
	# the drop-in over a stand-in for XCP-ng's squeezed.service
	mkdir -p "$D/units/squeezed.service.d"
	printf '[Unit]\nDescription=squeezed\n[Service]\nExecStart=/bin/false\nStandardError=null\n' \
	    >"$D/units/squeezed.service"
	sed "s|/usr/sbin/squeezerd|$R/usr/sbin/squeezerd|g" \
	    "$R/usr/share/doc/squeezerd/examples/squeezed.service.d/squeezerd.conf" \
	    >"$D/units/squeezed.service.d/squeezerd.conf"
	check env SYSTEMD_UNIT_PATH="$D/units:" MANPATH="$R/usr/share/man" \
	    systemd-analyze verify "$D/units/squeezed.service"
else
	echo "skip  systemd-analyze verify (no systemd-analyze)"
fi
sh tests/install/metrics-textfile.sh "$EX/squeezerd-metrics.service" \
    "$R/usr/bin/squeezerctl" "$R/usr/sbin/squeezerd" >"$D/mt" 2>&1 &&
    sed 's/^/      /' "$D/mt" || { sed 's/^/  | /' "$D/mt"; fail=$((fail + 1)); }
n=$((n + 1))
# the drop-in's ExecStartPre accepts a configuration with use-switch only
printf 'use-switch = yes\n' >"$D/sw.conf"
chmod 600 "$D/sw.conf"
check sh -c "'$R/usr/sbin/squeezerd' -nv -f '$D/sw.conf' | grep -qx 'use-switch = yes'"
check sh -c "! '$R/usr/sbin/squeezerd' -nv -f '$R/etc/squeezerd.conf' | grep -qx 'use-switch = yes'"
make -s uninstall DESTDIR="$R" PREFIX=/usr >/dev/null 2>&1
check test ! -e "$R/usr/sbin/squeezerd"
check test ! -e "$R/usr/share/bash-completion/completions/squeezerctl"
check test ! -e "$R/usr/share/doc/squeezerd"
check test -z "$(find "$R" -type f ! -path "$R/etc/squeezerd.conf")"
check test -e "$R/etc/squeezerd.conf"	# the admin's file stays
echo "install: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
