#!/bin/sh
# run-tests.sh -- run every tests/harness/xc/test-*.sh; exit 1 if any fails.
# An exit status of 77 means "skipped" (e.g. xen-utils-4.17 missing).
dir=$(cd "$(dirname "$0")" && pwd)
pass= fail= skip=
for t in "$dir"/test-*.sh; do
	name=$(basename "$t")
	echo "=== $name"
	timeout 120 sh "$t"
	rc=$?
	case $rc in
	0)	pass="$pass $name" ;;
	77)	skip="$skip $name" ;;
	*)	fail="$fail $name"
		echo "=== $name FAILED (exit $rc)" ;;
	esac
done
echo "=== harness-xc: passed:${pass:- none}"
[ -z "$skip" ] || echo "=== harness-xc: skipped:$skip"
if [ -n "$fail" ]; then
	echo "=== harness-xc: FAILED:$fail"
	exit 1
fi
