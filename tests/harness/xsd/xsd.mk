# tests/harness/xsd: xsd-sim, a xenstore wire-protocol server for tests,
# and its checks.  Included by the top-level Makefile; run from the repo root.

XSD_DIR		:= tests/harness/xsd
XSD_SIM		:= $(XSD_DIR)/xsd-sim
XSD_CLIENT	:= $(XSD_DIR)/xsd-client-test
XSD_XS_CFLAGS	:= $(shell pkg-config --cflags xenstore)
XSD_XS_LIBS	:= $(shell pkg-config --libs xenstore)

$(XSD_SIM): $(XSD_DIR)/xsd-sim.c
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(XSD_CLIENT): $(XSD_DIR)/xsd-client-test.c
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS) $(XSD_XS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(XSD_XS_LIBS)

# XSD_VALGRIND=0 skips the valgrind pass.
harness-xsd-check: $(XSD_SIM) $(XSD_CLIENT)
	XSD_VALGRIND=$(XSD_VALGRIND) sh $(XSD_DIR)/xsd-check.sh $(XSD_DIR)

harness-xsd-clean:
	rm -f $(XSD_SIM) $(XSD_CLIENT)

HARNESS_BINS	+= $(XSD_SIM) $(XSD_CLIENT)
HARNESS_CHECKS	+= harness-xsd-check

.PHONY: harness-xsd-check harness-xsd-clean
