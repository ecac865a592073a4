# tests/fuzz/fuzz.mk -- the libFuzzer targets (STYLE H23).  Included by the
# top-level Makefile (run from the repository root), which sets CPPFLAGS,
# PKG_CFLAGS, CSTD, WARNINGS and LDLIBS.  Needs clang and its runtimes
# (Debian: clang, libclang-rt-14-dev).
#
#   make fuzz-build		build/fuzz/fuzz_* only
#   make fuzz			every target for FUZZ_SECONDS (60), then
#				the regression inputs
#   make fuzz-short		the same, 10 s each (make check)
#
# FUZZ_TARGETS="fuzz_conf ..." in the environment runs only those.
#
# Objects are built again under build/fuzz/obj with clang's coverage
# instrumentation and ASan+UBSan; each target links only what it tests.

# Nothing here becomes the default goal: it is restored at the end.
FUZZ_GOAL	:= $(.DEFAULT_GOAL)

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_SAN	 = -g -O1 -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
# clang does not read /* FALLTHROUGH */, nor infer a format attribute for
# a v*printf wrapper (scenario.c's scen_fail).
FUZZ_CFLAGS	 = $(CSTD) $(WARNINGS) -Wno-implicit-fallthrough \
		   -Wno-format-nonliteral -Werror $(FUZZ_SAN) \
		   -fsanitize=fuzzer-no-link

fuzzobj		 = $(patsubst %.c,build/fuzz/obj/%.o,$(1))

FUZZ_ALL	 = fuzz_rpc_line fuzz_conf fuzz_scenario fuzz_guest_values \
		   fuzz_json_strict fuzz_switch_http fuzz_xmlrpc
FUZZ_BINS	 = $(addprefix build/fuzz/,$(FUZZ_ALL))

# The daemon's modules but its main (src/squeezerd.c) and what only main
# uses (src/sdnotify.c), its transport (src/rpc_server.c, replaced by stubs
# in the target), its logger (stubbed too: a quiet target) and the xen
# backend (never opened).
FUZZ_RPC_SRC	 = $(filter-out src/squeezerd.c src/rpc_server.c src/log.c \
		   src/backend_xen.c src/sdnotify.c,$(D_SRC)) \
		   build/sim_default_host.c
FUZZ_SIM_SRC	 = src/model.c src/resv.c src/xstore.c src/backend.c \
		   src/backend_sim.c $(CORE) src/sim.c src/scenario.c \
		   build/sim_default_host.c

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c \
	    -o $@ $<

build/fuzz/fuzz_rpc_line: $(call fuzzobj,tests/fuzz/fuzz_rpc_line.c \
	    $(FUZZ_RPC_SRC))
build/fuzz/fuzz_json_strict: $(call fuzzobj,tests/fuzz/fuzz_json_strict.c \
	    src/json_strict.c)
build/fuzz/fuzz_conf: $(call fuzzobj,tests/fuzz/fuzz_conf.c src/conf.c \
	    src/host.c $(POLICY_SRC))
build/fuzz/fuzz_scenario: $(call fuzzobj,tests/fuzz/fuzz_scenario.c \
	    $(CORE) $(SIMSRC))
build/fuzz/fuzz_guest_values: $(call fuzzobj,tests/fuzz/fuzz_guest_values.c \
	    $(FUZZ_SIM_SRC))
build/fuzz/fuzz_switch_http: $(call fuzzobj,tests/fuzz/fuzz_switch_http.c \
	    src/http.c src/switch_proto.c)
build/fuzz/fuzz_xmlrpc: $(call fuzzobj,tests/fuzz/fuzz_xmlrpc.c src/http.c \
	    src/xmlrpc_conv.c)
$(FUZZ_BINS):
	$(say) LD $@
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ \
	    $(PKG_LIBS) -lm

.PHONY: fuzz fuzz-build fuzz-short

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-short: fuzz-build
	@sh tests/fuzz/run.sh 10

.DEFAULT_GOAL	:= $(FUZZ_GOAL)
