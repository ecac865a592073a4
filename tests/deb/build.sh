#!/bin/sh
# tests/deb/build.sh (make deb): build the Debian package with
# dpkg-buildpackage from a copy of the tree in build/deb/src (the files git
# tracks plus new ones it does not ignore; the whole tree but build/ when
# this is no git checkout), so that dpkg-buildpackage writes neither into
# the tree nor beside it.  The packages land in build/deb/; lintian then
# checks them and the build fails on an error.
set -eu
cd "$(dirname "$0")/../.."
out=build/deb
rm -rf "$out"
mkdir -p "$out/src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf - | tar -xf - -C "$out/src"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$out/src"
fi
start=$(date +%s)
(cd "$out/src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed; the log is $out/build.log" >&2
	exit 1
}
echo "deb: $(cd "$out" && ls ./*.deb | sed 's|^\./||' | tr '\n' ' ')in $(($(date +%s) - start)) s (log: $out/build.log)"
if command -v lintian >/dev/null; then
	# lintian refuses nothing as root, but says so on stderr
	lintian --fail-on error --display-info "$out"/*.changes 2>&1 |
	    grep -v 'running with root privileges' | tee "$out/lintian.log"
	# tee hid lintian's status: an error tag fails the build
	! grep -q '^E: ' "$out/lintian.log"
	echo "deb: lintian: $(grep -c '^E: ' "$out/lintian.log") errors, $(grep -c '^W: ' "$out/lintian.log") warnings, $(grep -c '^I: ' "$out/lintian.log") infos"
else
	echo "deb: lintian is not installed: not checked"
fi
