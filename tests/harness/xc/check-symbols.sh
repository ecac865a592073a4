#!/bin/sh
# check-symbols.sh BINARY [FAKE_LIB] -- print every xc_* symbol BINARY
# imports that the libxenctrl test double does not export; exit 1 if any.
# With BIND_NOW (xenstored, Debian's hardening) a missing one is fatal at
# start-up; otherwise at its first call.
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: check-symbols.sh BINARY [FAKE_LIB]" >&2
	exit 2
fi
bin=$1
fake=${2:-$(dirname "$0")/lib/libxenctrl.so.4.17}
for f in "$bin" "$fake"; do
	if [ ! -r "$f" ]; then
		echo "check-symbols.sh: $f: not readable" >&2
		exit 2
	fi
done
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
nm -D --undefined-only "$bin" | awk '{print $2}' | sed 's/@.*//' |
    grep '^xc_' | sort -u >"$tmp/want"
nm -D --defined-only "$fake" | awk '{print $3}' | sed 's/@.*//' |
    grep '^xc_' | sort -u >"$tmp/have"
comm -23 "$tmp/want" "$tmp/have" >"$tmp/missing"
cat "$tmp/missing"
[ ! -s "$tmp/missing" ]
