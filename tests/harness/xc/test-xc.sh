#!/bin/sh
# test-xc.sh -- the libxenctrl test double, through xcprobe: an ordinary
# program linked against the real -lxenctrl, run with LD_LIBRARY_PATH
# pointing at the double.
. "$(dirname "$0")/testlib.sh"

LIB=$XC_LIBDIR/libxenctrl.so.4.17

fixture() {
	cat >"$XENCTRL_SIM_STATE" <<-EOF
	host total_pages=262144 xen_pages=4096 nr_cpus=4 nr_nodes=2
	dom 0 tot_pages=65536 max_pages=65536 node=0
	dom 3 tot_pages=1024 max_pages=2048 node=0 flags=0x10
	dom 5 tot_pages=32768 max_pages=65536 node=1 shadow_mb=2 flags=0x22
	dom 9 tot_pages=16384 max_pages=16384 node=1 flags=0x30004
	EOF
}

# probe ARGS...: run xcprobe against the double, indenting its report.
probe() {
	LD_LIBRARY_PATH=$XC_LIBDIR "$XCPROBE" "$@" >"$T/probe.out" \
	    2>"$T/probe.err"
	_rc=$?
	sed 's/^/    /' "$T/probe.out"
	return $_rc
}

check "double has SONAME libxenctrl.so.4.17" \
    sh -c "readelf -d '$LIB' | grep -q 'SONAME.*\[libxenctrl.so.4.17\]'"
check "double defines version node VERS_4.17.0" \
    sh -c "readelf -V '$LIB' | grep -q 'Name: VERS_4.17.0'"
check "xcprobe was linked against the real library" \
    sh -c "ldd '$XCPROBE' |
	grep -q 'libxenctrl.so.4.17 => /.*lib/x86_64-linux-gnu/libxenctrl'"
check "with LD_LIBRARY_PATH, xcprobe resolves libxenctrl to the double" \
    sh -c "LD_LIBRARY_PATH='$XC_LIBDIR' ldd '$XCPROBE' |
	grep -q 'libxenctrl.so.4.17 => $LIB '"

fixture
check "physinfo, getinfolist, setmaxmem, claims, numainfo, shadow, pod" \
    probe basic
check "the state file still parses after every call" \
    sh -c "'$XCSIM' show >/dev/null"

fixture
"$XCSIM" fail xc_domain_setmaxmem=EPERM
check "fail xc_domain_setmaxmem=EPERM" probe fail xc_domain_setmaxmem EPERM
check "state file records the fault" \
    grep -qx 'fail xc_domain_setmaxmem=EPERM' "$XENCTRL_SIM_STATE"
"$XCSIM" unfail xc_domain_setmaxmem
"$XCSIM" fail xc_physinfo=EIO
check "fail xc_physinfo=EIO" probe fail xc_physinfo EIO
"$XCSIM" unfail xc_physinfo
check "unfail removes the fault" \
    sh -c "! grep -q '^fail' '$XENCTRL_SIM_STATE'"

"$XCSIM" latency 300
check "latency_ms=300 delays every call" probe latency 300
"$XCSIM" latency 0

"$XCSIM" fail xc_domain_claim_pages=ENOSYS
check "claim ENOSYS is turned into success" probe enosys
check "... and claims nothing" \
    sh -c "[ \"\$('$XCSIM' get 5 outstanding)\" = 0 ]"
"$XCSIM" unfail xc_domain_claim_pages

check "no XENCTRL_SIM_STATE: xc_interface_open gives NULL/ENOENT" \
    probe noenv

grep -v '^dom 0 ' "$XENCTRL_SIM_STATE" >"$T/nodom0"
check "a host without dom 0 is refused at xc_interface_open" \
    sh -c "! XENCTRL_SIM_STATE='$T/nodom0' LD_LIBRARY_PATH='$XC_LIBDIR' \
	'$XCPROBE' basic >/dev/null 2>'$T/nodom0.err' &&
	grep -q \"no 'dom 0' line\" '$T/nodom0.err'"

check "check-symbols: the double covers everything xenstored imports" \
    "$XC_DIR/check-symbols.sh" "$XENSTORED"
check "check-symbols: ... and everything xcprobe imports" \
    "$XC_DIR/check-symbols.sh" "$XCPROBE"
cat >"$T/needs.c" <<-EOC
int xc_version(void *, int, void *);
int main(void) { return xc_version(0, 0, 0); }
EOC
if ${CC:-cc} -o "$T/needs" "$T/needs.c" -lxenctrl 2>"$T/cc.err"; then
	check "check-symbols: reports a missing symbol and exits 1" \
	    sh -c "! '$XC_DIR/check-symbols.sh' '$T/needs' >'$T/cs.out' &&
		grep -qx xc_version '$T/cs.out'"
else
	not_ok "could not build the check-symbols negative case"
fi

finish
