# tests/harness/xc/xc.mk -- the libxenctrl test double, xcsim, the xenstored
# shim and balloon-sim.  Included by the top-level Makefile (run from the
# repository root), which sets CC, CPPFLAGS, CFLAGS and LDFLAGS.
#
#   make harness-xc-check	build everything here and run its tests
#
# Run the real xenstored against the double with:
#   LD_LIBRARY_PATH=$(XC_LIBDIR) LD_PRELOAD=$(XC_SHIM) xenstored -N

XC_DIR		:= tests/harness/xc
XC_SHIMDIR	:= tests/harness/shim
XC_BALDIR	:= tests/harness/balloon

XC_LIBDIR	:= $(XC_DIR)/lib
XC_LIB		:= $(XC_LIBDIR)/libxenctrl.so.4.17
XC_XCSIM	:= $(XC_DIR)/xcsim
XC_SHIM		:= $(XC_SHIMDIR)/xsd-shim.so
XC_BALLOON	:= $(XC_BALDIR)/balloon-sim
XC_PROBE	:= $(XC_DIR)/xcprobe
XC_XSINTRO	:= $(XC_DIR)/xsintro

XC_STATE_H	:= $(XC_DIR)/xcstate.h
XC_OBJS		:= $(XC_DIR)/xcstate.o $(XC_DIR)/xcstate.pic.o \
		   $(XC_DIR)/fakexc.pic.o $(XC_DIR)/xcsim.o \
		   $(XC_BALDIR)/balloon-sim.o $(XC_DIR)/xcprobe.o \
		   $(XC_DIR)/xsintro.o

# <xenctrl.h> needs GNU C (anonymous unions, __attribute__ in xen/*.h).
XC_GNU		:= -std=gnu11
# The double and the shim get loaded into programs we did not build
# (xenstored): an ASan runtime there aborts ("ASan runtime does not come
# first"), so they are always built without sanitizers.
XC_NOSAN	 = -fsanitize=% -fno-sanitize%
XC_SO_CFLAGS	 = $(filter-out $(XC_NOSAN),$(CFLAGS))
XC_SO_LDFLAGS	 = $(filter-out $(XC_NOSAN),$(LDFLAGS))
XC_XS_LIBS	:= $(shell pkg-config --libs xenstore || echo -lxenstore)
XC_XC_LIBS	:= $(shell pkg-config --libs xencontrol || echo -lxenctrl)

HARNESS_BINS	+= $(XC_LIB) $(XC_XCSIM) $(XC_SHIM) $(XC_BALLOON)
HARNESS_CHECKS	+= harness-xc-check
HARNESS_CLEAN	+= harness-xc-clean

.PHONY: harness-xc harness-xc-check harness-xc-clean

harness-xc: $(XC_LIB) $(XC_XCSIM) $(XC_SHIM) $(XC_BALLOON) $(XC_PROBE) \
    $(XC_XSINTRO)

# The state code, twice: position-independent for the shared library.
$(XC_DIR)/xcstate.o: $(XC_DIR)/xcstate.c $(XC_STATE_H)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(XC_DIR)/xcstate.pic.o: $(XC_DIR)/xcstate.c $(XC_STATE_H)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(XC_SO_CFLAGS) -fPIC -c -o $@ $<

$(XC_DIR)/fakexc.pic.o: $(XC_DIR)/fakexc.c $(XC_STATE_H)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(XC_SO_CFLAGS) $(XC_GNU) -fPIC -c -o $@ $<

$(XC_LIB): $(XC_DIR)/fakexc.pic.o $(XC_DIR)/xcstate.pic.o \
    $(XC_DIR)/libxenctrl.map
	@mkdir -p $(XC_LIBDIR)
	$(say) LD $@
	$(Q)$(CC) $(XC_SO_CFLAGS) $(XC_SO_LDFLAGS) -shared \
	    -Wl,-soname,libxenctrl.so.4.17 \
	    -Wl,--version-script=$(XC_DIR)/libxenctrl.map -o $@ \
	    $(XC_DIR)/fakexc.pic.o $(XC_DIR)/xcstate.pic.o

$(XC_DIR)/xcsim.o: $(XC_DIR)/xcsim.c $(XC_STATE_H)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(XC_XCSIM): $(XC_DIR)/xcsim.o $(XC_DIR)/xcstate.o
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(XC_SHIM): $(XC_SHIMDIR)/xsd-shim.c
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS) -D_GNU_SOURCE $(XC_SO_CFLAGS) $(XC_SO_LDFLAGS) \
	    -fPIC -shared \
	    -o $@ $< -ldl

$(XC_BALDIR)/balloon-sim.o: $(XC_BALDIR)/balloon-sim.c $(XC_STATE_H)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(XC_BALLOON): $(XC_BALDIR)/balloon-sim.o $(XC_DIR)/xcstate.o
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(XC_XS_LIBS)

# Test helpers.  xcprobe links the REAL libxenctrl; the tests run it with
# LD_LIBRARY_PATH=$(XC_LIBDIR) and check with ldd that it gets the double.
$(XC_DIR)/xcprobe.o: $(XC_DIR)/xcprobe.c
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(XC_GNU) -c -o $@ $<

$(XC_PROBE): $(XC_DIR)/xcprobe.o
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(XC_XC_LIBS)

$(XC_DIR)/xsintro.o: $(XC_DIR)/xsintro.c
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(XC_XSINTRO): $(XC_DIR)/xsintro.o
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(XC_XS_LIBS)

harness-xc-check: harness-xc
	sh $(XC_DIR)/run-tests.sh

harness-xc-clean:
	rm -f $(XC_OBJS) $(XC_OBJS:.o=.d) $(XC_LIB) $(XC_XCSIM) $(XC_SHIM) \
	    $(XC_BALLOON) $(XC_PROBE) $(XC_XSINTRO)
	rmdir $(XC_LIBDIR) 2>/dev/null || true
