# tests/harness/switch: switch-sim, a message-switch test double, and
# switch-client, which plays xenopsd-xc and xapi over it; their checks.
# Included by the top-level Makefile (run from the repository root).

SW_DIR		:= tests/harness/switch
SW_SIM		:= $(SW_DIR)/switch-sim
SW_CLIENT	:= $(SW_DIR)/switch-client

$(SW_SIM): $(SW_DIR)/switch-sim.c
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(PKG_LIBS)

$(SW_CLIENT): $(SW_DIR)/switch-client.c
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(PKG_LIBS)

harness-switch-check: $(SW_SIM) $(SW_CLIENT)
	sh $(SW_DIR)/switch-check.sh $(SW_DIR)

harness-switch-clean:
	rm -f $(SW_SIM) $(SW_CLIENT)

HARNESS_BINS	+= $(SW_SIM) $(SW_CLIENT)
HARNESS_CHECKS	+= harness-switch-check
HARNESS_CLEAN	+= harness-switch-clean

.PHONY: harness-switch-check harness-switch-clean
