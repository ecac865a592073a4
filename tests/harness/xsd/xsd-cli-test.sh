#!/bin/sh
# The Debian xenstore-* tools against the server at $XENSTORED_PATH.
# xenstore-control is run from /usr/lib/xen-4.17/bin: the /usr/bin wrapper
# refuses to run without a hypervisor.
: "${XENSTORED_PATH:?set XENSTORED_PATH}"
export XENSTORED_PATH
CTL=${XSD_CONTROL:-/usr/lib/xen-4.17/bin/xenstore-control}
T="timeout 10"
pass=0 fail=0

ok() {
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "ok - $2"
	else
		fail=$((fail + 1)); echo "not ok - $2"
	fi
}

$T xenstore-write /cli/a hello /cli/b world; ok $? "xenstore-write (two keys)"
[ "$($T xenstore-read /cli/a)" = hello ]; ok $? "xenstore-read"
[ "$($T xenstore-ls /cli | sort | tr '\n' ' ')" = 'a = "hello" b = "world" ' ]
ok $? "xenstore-ls"
[ "$($T xenstore-list /cli | sort | tr '\n' ' ')" = 'a b ' ]; ok $? "xenstore-list"
$T xenstore-exists /cli/a; ok $? "xenstore-exists (present)"
! $T xenstore-exists /cli/zz; ok $? "xenstore-exists (absent)"
$T xenstore-chmod /cli/a n0 r5; ok $? "xenstore-chmod"
$T xenstore-ls -p /cli | grep -q '^a = "hello".*(n0,r5)$'; ok $? "xenstore-ls -p"
$T xenstore-rm /cli; ok $? "xenstore-rm"
! $T xenstore-read /cli/a 2>/dev/null; ok $? "read after rm fails"
[ "$($T "$CTL" help)" != "" ]; ok $? "xenstore-control help"
$T "$CTL" fail WRITE EACCES 1 >/dev/null; ok $? "xenstore-control fail"
! $T xenstore-write /cli/c 1 2>/dev/null; ok $? "injected write failure"
$T xenstore-write /cli/c 1; ok $? "next write succeeds"
$T "$CTL" print >/dev/null && $T "$CTL" reset >/dev/null; ok $? "print, reset"
$T xenstore-rm /cli

echo "# cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
