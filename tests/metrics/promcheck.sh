#!/bin/sh
# tests/metrics/promcheck.sh [FILE]: check a Prometheus text exposition
# (FILE, or standard input) as `promtool check metrics` would: the format,
# and the lint rules (HELP, _total, base units).  Problems on stdout, one
# a line; exit status 1 if there was one.
set -eu
here=$(dirname "$0")
t=$(mktemp /tmp/promcheck.XXXXXX)
trap 'rm -f "$t"' EXIT
cat "${1:--}" >"$t"
if ! iconv -f UTF-8 -t UTF-8 "$t" >/dev/null 2>&1; then
	echo "not valid UTF-8"
	exit 1
fi
if [ -s "$t" ] && [ "$(tail -c 1 "$t" | od -An -c | tr -d ' ')" != '\n' ]; then
	echo "the last line has no newline"
	exit 1
fi
LC_ALL=C awk -f "$here/promcheck.awk" "$t"
