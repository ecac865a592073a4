# squeezerd: a plain Makefile.  `make` builds squeezerd and squeezerctl at
# the top; `make check` runs the unit tests (under ASan+UBSan), the scenario
# suite and the harness tests; `make bench` prints the benchmarks.

.DEFAULT_GOAL := all	# the included harness makefiles come first

# A quiet build: one "  CC      build/src/foo.o" line a step; `make V=1`
# prints every command in full.
V	?= 0
ifeq ($(V),0)
Q	 = @
say	 = @printf '  %-7s %s\n'
MAKEFLAGS += --no-print-directory
else
Q	 =
say	 = @:
endif

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DOCDIR	?= $(PREFIX)/share/doc/squeezerd
EXAMPLESDIR ?= $(DOCDIR)/examples
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

# What `make install` (and so the .deb) puts in $(EXAMPLESDIR) and
# $(DOCDIR): one line each.  An example keeps its path less the first
# directory (etc/squeezed.service.d/x.conf goes to
# $(EXAMPLESDIR)/squeezed.service.d/x.conf); one ending in .in has
# @SBINDIR@ and @BINDIR@ replaced, and loses the .in.
EXAMPLES = etc/squeezerd.conf \
	   etc/squeezerd-metrics.service.in \
	   etc/squeezerd-metrics.timer \
	   etc/squeezed.service.d/squeezerd.conf
DOCS	 = README.md \
	   docs/rpc.md

CC	?= cc
CSTD	 = -std=c11
WARNINGS = -Wall -Wextra -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wwrite-strings -Wsign-compare -Wundef -Wimplicit-fallthrough
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude
CFLAGS	?= -O2 -g
CFLAGS	+= $(CSTD) $(WARNINGS) -Werror
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

PKGS	 = json-c libevent
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
LDLIBS	+= $(PKG_LIBS) -lm

# The engine, policies and simulator: shared by the programs and tests.
POLICY_SRC = policy/policy.c policy/proportional.c policy/weighted.c \
	   policy/pressure.c
CORE	 = src/host.c src/engine.c src/op.c src/conf.c $(POLICY_SRC)
SIMSRC	 = src/sim.c src/scenario.c src/simulate.c
CTL_SRC	 = src/squeezerctl.c src/ctl_parse.c src/ctl_cmd.c \
	   src/ctl_cmd_host.c src/ctl_cmd_resv.c src/ctl_cmd_mig.c \
	   src/ctl_cmd_sim.c src/ctl_top.c src/ctl_progress.c \
	   src/ctl_output.c src/ctl_output_text.c src/ctl_output_json.c \
	   src/ctl_fmt.c src/ctl_rpc.c src/resv.c src/backend.c \
	   src/ctl_plot.c src/ctl_svg.c src/ctl_cmd_xl.c src/ctl_xl.c \
	   $(CORE) $(SIMSRC)
RPC_SRC	 = src/rpc_server.c src/rpc_dispatch.c src/json_strict.c \
	   src/rpc_params.c \
	   src/rpc_balance.c src/rpc_config_get.c src/rpc_domain_list.c \
	   src/rpc_domain_set_range.c \
	   src/rpc_host_status.c src/rpc_login.c src/rpc_migration.c \
	   src/rpc_metrics.c src/rpc_plan.c src/rpc_policy_set.c \
	   src/rpc_reservation_cancel.c src/rpc_reservation_delete.c \
	   src/rpc_reservation_list.c src/rpc_reservation_pending.c \
	   src/rpc_reservation_query.c src/rpc_reservation_transfer.c \
	   src/rpc_reserve.c src/rpc_shape.c src/rpc_sim.c src/rpc_squeezed.c \
	   src/rpc_sink.c
D_SRC	 = src/squeezerd.c src/sdnotify.c src/log.c src/daemon.c \
	   src/peercred.c src/lockfile.c \
	   src/balancer.c src/svc.c src/svc_resv.c src/svc_mig.c src/model.c \
	   src/resv.c src/backend.c \
	   src/backend_sim.c src/backend_xen.c src/xscache.c src/xstore.c \
	   src/metrics.c src/switch.c src/switch_proto.c src/http.c \
	   src/bootmem.c src/xmlrpc.c src/xmlrpc_conv.c src/xlconf.c \
	   src/svc_dom.c \
	   $(RPC_SRC) \
	   $(CORE) src/sim.c src/scenario.c

obj	 = $(patsubst %.c,build/%.o,$(1))
sanobj	 = $(patsubst %.c,build/san/%.o,$(1))

UNIT_TESTS = test_policy test_engine test_scenario test_property \
	     test_ctl_parse test_xstore test_model test_xscache test_sdnotify \
	     test_policy_weighted test_policy_pressure test_model_guest \
	     test_ctl_svg test_metrics test_json_strict test_peercred \
	     test_lockfile test_switch_proto test_xmlrpc test_op \
	     test_balancer test_resv test_svc test_xl test_model_range \
	     test_bench_policies
UNIT_BINS  = $(addprefix build/san/tests/unit/,$(UNIT_TESTS))

HARNESS_BINS	=
HARNESS_CHECKS	=
HARNESS_CLEAN	=
-include tests/harness/xsd/xsd.mk
-include tests/harness/xc/xc.mk
-include tests/harness/switch/switch.mk
-include tests/fuzz/fuzz.mk

.PHONY: all check unit scenarios diff rpc load faults install-check harness e2e e2e-san fuzz fuzz-short bench demo demo-sim install uninstall \
	clean man-lint deps valgrind deb deb-check metrics-lint completion switch \
	switch-san e2e-xl bench-policy

all: squeezerd squeezerctl

# The systemd unit for this installation's paths (STYLE H17); `make install`
# writes it straight into $(UNITDIR), so a PREFIX given only then still holds.
SERVICE_SED = sed 's|@SBINDIR@|$(SBINDIR)|g; s|@BINDIR@|$(BINDIR)|g; \
	    s|/usr/sbin/squeezerd|$(SBINDIR)/squeezerd|g'
squeezerd.service: squeezerd.service.in
	$(say) GEN $@
	$(Q)$(SERVICE_SED) squeezerd.service.in > $@

deps:
	@sh .ci/deps.sh

# The xen backend: the only file that includes <xenctrl.h> and <xenstore.h>
# (which need GNU C: anonymous unions in xen/*.h).
XEN_LIBS := $(shell pkg-config --libs xencontrol xenstore 2>/dev/null || \
	    echo -lxenctrl -lxenstore)
build/src/backend_xen.o: CSTD = -std=gnu11
build/san/src/backend_xen.o: CSTD = -std=gnu11

# The daemon under ASan+UBSan, for the end-to-end suite (e2e-san).
build/san/squeezerd: $(call sanobj,$(D_SRC)) build/san/build/sim_default_host.o
	$(say) LD $@
	$(Q)$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(XEN_LIBS)

squeezerd: $(call obj,$(D_SRC)) build/sim_default_host.o
	$(say) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(XEN_LIBS)

# The built-in simulated host (squeezerd --backend=sim without --host).
build/sim_default_host.c: src/sim-default-host.json
	@mkdir -p build
	$(say) GEN $@
	$(Q){ echo '/* generated from $< */'; \
	  echo 'extern const char sim_default_host[];'; \
	  echo 'const char sim_default_host[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&\\n"/' $<; \
	  echo ';'; } > $@

build/sim_default_host.o: build/sim_default_host.c
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

squeezerctl: $(call obj,$(CTL_SRC))
	$(say) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP -c -o $@ $<

# Unit tests: each links only the modules under test (plus cmocka).
build/san/tests/unit/test_policy: $(call sanobj,tests/unit/test_policy.c \
	    src/host.c $(POLICY_SRC))
build/san/tests/unit/test_policy_weighted: $(call sanobj,\
	    tests/unit/test_policy_weighted.c src/host.c $(POLICY_SRC))
build/san/tests/unit/test_policy_pressure: $(call sanobj,\
	    tests/unit/test_policy_pressure.c src/host.c $(POLICY_SRC))
build/san/tests/unit/test_bench_policies: $(call sanobj,\
	    tests/unit/test_bench_policies.c bench/policies/bench_policies.c \
	    bench/policies/qmemman_reimpl.c bench/policies/proxmox_reimpl.c \
	    src/host.c $(POLICY_SRC))
build/san/tests/unit/test_bench_policies.o: CPPFLAGS += -Ibench/policies
build/san/tests/unit/test_engine: $(call sanobj,tests/unit/test_engine.c \
	    $(CORE) $(SIMSRC))
build/san/tests/unit/test_op: $(call sanobj,tests/unit/test_op.c \
	    src/op.c src/engine.c src/host.c src/sim.c $(POLICY_SRC))
build/san/tests/unit/test_balancer: $(call sanobj,\
	    tests/unit/test_balancer.c tests/fake/log_capture.c src/balancer.c \
	    src/op.c src/engine.c src/host.c $(POLICY_SRC))
build/san/tests/unit/test_scenario: $(call sanobj,tests/unit/test_scenario.c \
	    $(CORE) $(SIMSRC))
build/san/tests/unit/test_property: $(call sanobj,tests/unit/test_property.c \
	    $(CORE) $(SIMSRC))
build/san/tests/unit/test_ctl_parse: $(call sanobj,tests/unit/test_ctl_parse.c \
	    $(filter-out src/squeezerctl.c,$(CTL_SRC)))
build/san/tests/unit/test_model_range: $(call sanobj,\
	    tests/unit/test_model_range.c src/model.c src/resv.c src/xstore.c \
	    src/backend.c src/backend_sim.c $(CORE) src/sim.c src/scenario.c \
	    build/sim_default_host.c)
build/san/tests/unit/test_xl: $(call sanobj,tests/unit/test_xl.c \
	    src/ctl_xl.c src/xlconf.c src/conf.c src/host.c src/engine.c \
	    src/op.c $(POLICY_SRC))
build/san/tests/unit/test_ctl_svg: $(call sanobj,tests/unit/test_ctl_svg.c \
	    src/ctl_svg.c)
build/san/tests/unit/test_metrics: $(call sanobj,tests/unit/test_metrics.c \
	    src/metrics.c)
build/san/tests/unit/test_xscache: $(call sanobj,tests/unit/test_xscache.c \
	    src/xscache.c src/backend.c)
build/san/tests/unit/test_sdnotify: $(call sanobj,tests/unit/test_sdnotify.c \
	    src/sdnotify.c)
build/san/tests/unit/test_json_strict: $(call sanobj,\
	    tests/unit/test_json_strict.c src/json_strict.c)
build/san/tests/unit/test_peercred: $(call sanobj,tests/unit/test_peercred.c \
	    src/peercred.c)
build/san/tests/unit/test_peercred: LDFLAGS += -Wl,--wrap=getsockopt
build/san/tests/unit/test_lockfile: $(call sanobj,tests/unit/test_lockfile.c \
	    src/lockfile.c)
build/san/tests/unit/test_switch_proto: $(call sanobj,\
	    tests/unit/test_switch_proto.c src/http.c src/switch_proto.c)
build/san/tests/unit/test_xmlrpc: $(call sanobj,tests/unit/test_xmlrpc.c \
	    src/http.c src/xmlrpc_conv.c)
build/san/tests/unit/test_xstore: $(call sanobj,tests/unit/test_xstore.c \
	    src/xstore.c src/backend.c src/backend_sim.c $(CORE) src/sim.c \
	    src/scenario.c build/sim_default_host.c)
build/san/tests/unit/test_model: $(call sanobj,tests/unit/test_model.c \
	    src/model.c src/resv.c src/xstore.c src/backend.c \
	    src/backend_sim.c $(CORE) src/sim.c src/scenario.c \
	    build/sim_default_host.c)
build/san/tests/unit/test_resv: $(call sanobj,tests/unit/test_resv.c \
	    src/resv.c src/xstore.c src/backend.c src/backend_sim.c $(CORE) \
	    src/sim.c src/scenario.c build/sim_default_host.c)
build/san/tests/unit/test_svc: $(call sanobj,tests/unit/test_svc.c \
	    tests/fake/log_capture.c src/svc.c src/svc_resv.c src/svc_mig.c \
	    src/daemon.c src/balancer.c src/model.c src/resv.c src/xstore.c \
	    src/backend.c src/backend_sim.c src/metrics.c src/xlconf.c $(CORE) \
	    src/sim.c \
	    src/scenario.c build/sim_default_host.c)
build/san/tests/unit/test_model_guest: $(call sanobj,\
	    tests/unit/test_model_guest.c src/model.c src/resv.c src/xstore.c \
	    src/backend.c src/backend_sim.c $(CORE) src/sim.c src/scenario.c \
	    build/sim_default_host.c)
$(UNIT_BINS):
	$(say) LD $@
	$(Q)$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) scenarios
	$(MAKE) diff
	$(MAKE) rpc
	$(MAKE) load
	$(MAKE) faults
	$(MAKE) metrics-lint
	$(MAKE) completion
	$(MAKE) install-check
	$(MAKE) deb-check
	$(MAKE) valgrind
	$(MAKE) harness
	$(MAKE) e2e
	$(MAKE) e2e-xl
	$(MAKE) e2e-san
	$(MAKE) switch
	$(MAKE) switch-san
	$(MAKE) fuzz-short

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

scenarios: squeezerctl
	@sh tests/scenarios/run.sh ./squeezerctl
	@sh tests/ctl/plot.sh ./squeezerctl
	@sh tests/ctl/simulate.sh ./squeezerctl

# The RPC suite: the real daemon (--backend=sim) on private sockets.
RPC_TOOLS = build/rpc/rpcc build/rpc/jget build/rpc/conns

build/rpc/rpcc: tests/rpc/rpcc.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

build/rpc/conns: tests/rpc/conns.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

build/rpc/jget: tests/rpc/jget.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(PKG_LIBS)

build/rpc/rpc-bench: bench/rpc-bench.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $< -pthread

# How fast the daemon reacts, seen through the real libxenstore.
build/xs-react: bench/xs-react.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(filter-out -std=%,$(CFLAGS)) -std=gnu11 $(LDFLAGS) \
	    -o $@ $< $(XC_XS_LIBS)

rpc: squeezerd squeezerctl $(RPC_TOOLS)
	@sh tests/rpc/run.sh
	@sh tests/rpc/robust.sh
	@sh tests/rpc/ctl.sh
	@sh tests/rpc/perm.sh
	@sh tests/rpc/startup.sh

# Load: 256 clients, 100,000 mixed requests, slow and never-reading
# clients, the client limit.
build/loadgen: tests/load/loadgen.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $< -pthread

load: squeezerd build/loadgen
	@sh tests/load/run.sh

# The simulator and the daemon give the same outcomes, amounts and totals
# for the same steps on the same host (random hosts and steps).
build/diff/differ: tests/diff/differ.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(PKG_LIBS)

DIFF_COUNT ?= 12
diff: squeezerd squeezerctl build/diff/differ
	@d=$$(mktemp -d "$${TMPDIR:-/tmp}/squeezerd-diff.XXXXXX") && \
	    build/diff/differ -n $(DIFF_COUNT) ./squeezerctl ./squeezerd "$$d"; \
	    rc=$$?; if [ $$rc -eq 0 ]; then rm -rf "$$d"; \
	    else echo "diff: kept $$d"; fi; exit $$rc

# Faults: the daemon SIGKILLed at random points of 100 toolstack cycles.
faults: squeezerd $(RPC_TOOLS)
	@sh tests/faults/kill-cycles.sh

# End to end: the unmodified daemon on the xen backend against the real
# xenstored (shimmed) and xsd-sim, the libxenctrl double and balloon-sim.
E2E_TOOLS = build/e2e/xsctl

build/e2e/xsctl: tests/e2e/xsctl.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(XSD_XS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(XSD_XS_LIBS)

e2e: squeezerd $(RPC_TOOLS) $(E2E_TOOLS) $(XC_LIB) $(XC_XCSIM) $(XC_SHIM) \
    $(XC_BALLOON) $(XC_XSINTRO) $(XSD_SIM)
	@sh tests/harness/xc/check-symbols.sh ./squeezerd
	@sh tests/e2e/run.sh

# Hosts run by xl or libvirt: the stand-in xl (tests/harness/xl/xl),
# squeezerctl xl and range, the libvirt hook (etc/libvirt-hook-libxl).
e2e-xl: squeezerd squeezerctl $(RPC_TOOLS) $(E2E_TOOLS) $(XC_LIB) $(XC_XCSIM) \
    $(XC_BALLOON) $(XC_XSINTRO) $(XSD_SIM)
	@sh tests/e2e/xl.sh

# The same suite with the daemon built under ASan+UBSan (one server: sim).
e2e-san: build/san/squeezerd squeezerctl $(RPC_TOOLS) $(E2E_TOOLS) $(XC_LIB) $(XC_XCSIM) \
    $(XC_BALLOON) $(XC_XSINTRO) $(XSD_SIM)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    SQUEEZERD=$(CURDIR)/build/san/squeezerd XSD=sim sh tests/e2e/run.sh
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    SQUEEZERD=$(CURDIR)/build/san/squeezerd XSD=sim sh tests/e2e/xl.sh

# squeezed's drop-in: the daemon serving xapi's message-switch (the double
# in tests/harness/switch), on both backends; then under ASan+UBSan (sim).
SWITCH_TOOLS = $(RPC_TOOLS) $(SW_SIM) $(SW_CLIENT) $(XC_LIB) $(XC_XCSIM) \
	$(XC_BALLOON) $(XC_XSINTRO) $(XSD_SIM)

switch: squeezerd $(SWITCH_TOOLS)
	@sh tests/switch/run.sh

switch-san: build/san/squeezerd $(SWITCH_TOOLS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    SQUEEZERD=$(CURDIR)/build/san/squeezerd BACKEND=sim \
	    sh tests/switch/run.sh

harness: $(HARNESS_BINS) $(HARNESS_CHECKS)

valgrind: squeezerctl squeezerd build/rpc/rpcc build/rpc/conns
	@sh tests/scenarios/run.sh --valgrind ./squeezerctl
	@sh tests/valgrind/daemon.sh

build/squeezer-bench: $(call obj,bench/bench.c $(CORE) $(SIMSRC))
	$(say) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Policies judged by what guests feel: every policy (and the benchmark's
# re-implementations of qmemman's and Proxmox's rules) on the workloads of
# bench/workloads/; QUICK=1 stops each after 2 hours of simulated time.
BENCH_POLICY_SRC = bench/policy-bench.c bench/policies/bench_policies.c \
	   bench/policies/qmemman_reimpl.c bench/policies/proxmox_reimpl.c
BENCH_WORKLOADS	= bench/workloads/small.json bench/workloads/mixed.json \
	   bench/workloads/bursty.json \
	   bench/workloads/diurnal.json bench/workloads/leak.json \
	   bench/workloads/starts.json
$(call obj,$(BENCH_POLICY_SRC)): CPPFLAGS += -Ibench/policies

build/bench-policy: $(call obj,$(BENCH_POLICY_SRC) src/ctl_plot.c \
	    src/ctl_svg.c $(CORE) $(SIMSRC))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-policy: build/bench-policy
	@mkdir -p build/bench-policy-svg
	@build/bench-policy $(if $(filter 1,$(QUICK)),-u 2) \
	    -o build/bench-policy-svg $(BENCH_WORKLOADS)

bench: deps build/squeezer-bench squeezerd squeezerctl build/rpc/rpcc \
	    build/rpc/rpc-bench build/rpc/jget build/xs-react $(HARNESS_BINS) \
	    $(XC_XSINTRO) build/bench-policy
	@build/squeezer-bench
	@$(MAKE) --no-print-directory bench-policy
	@sh bench/simulate-10k.sh ./squeezerctl
	@sh bench/rpc-bench.sh
	@sh bench/reserve-limit.sh
	@sh bench/rss.sh
	@GUESTS=100 sh bench/xen-bench.sh
	@sh bench/switch-bench.sh
	@sh bench/xl-create.sh

demo: deps
	@$(MAKE) all
	@sh tests/demo/daemon.sh ./squeezerd ./squeezerctl

demo-sim: all
	@sh tests/scenarios/demo.sh ./squeezerctl

install-check: all
	@sh tests/install/check.sh

# The checker of the Prometheus text format the metrics suites use, against
# its own good and bad cases.
metrics-lint:
	@sh tests/metrics/run.sh

completion: squeezerctl squeezerd
	@bash tests/ctl/completion.sh ./squeezerctl ./squeezerd

# make deb: the Debian package, built by dpkg-buildpackage from a copy of
# the tree (the tracked and new files) in build/deb/src, so that neither
# the tree nor its parent directory gets dpkg-buildpackage's files; the
# packages land in build/deb/, and lintian checks them.
deb:
	@sh tests/deb/build.sh

# The package installed with dpkg -i, its squeezerd -n run, removed with
# the configuration kept, purged (as root; skipped otherwise).
deb-check: deb
	@sh tests/deb/check.sh

man-lint:
	@for m in man/*.[158]; do [ -e "$$m" ] || continue; \
		groff -mdoc -ww -z "$$m" || exit 1; \
		if command -v mandoc >/dev/null; then \
			mandoc -Tlint -Wwarning "$$m" || exit 1; fi; done

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(EXAMPLESDIR) \
	    $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 squeezerd $(DESTDIR)$(SBINDIR)/
	install -m 0755 squeezerctl $(DESTDIR)$(BINDIR)/
	install -m 0644 man/squeezerctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/squeezerd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/squeezerd.8 $(DESTDIR)$(MANDIR)/man8/
	$(SERVICE_SED) squeezerd.service.in > $(DESTDIR)$(UNITDIR)/squeezerd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/squeezerd.service
	for f in $(EXAMPLES); do \
	    d=$(DESTDIR)$(EXAMPLESDIR)/$${f#*/}; d=$${d%.in}; \
	    install -d $$(dirname $$d) && $(SERVICE_SED) $$f > $$d && \
	    chmod 0644 $$d || exit 1; \
	done
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 etc/bash-completion/squeezerctl $(DESTDIR)$(BASHCOMPDIR)/
	install -m 0755 etc/libvirt-hook-libxl \
	    $(DESTDIR)$(EXAMPLESDIR)/libvirt-hooks-libxl
	[ -e $(DESTDIR)$(SYSCONFDIR)/squeezerd.conf ] || \
	    install -m 0644 etc/squeezerd.conf $(DESTDIR)$(SYSCONFDIR)/

# Everything install put there but the configuration in $(SYSCONFDIR),
# which is the admin's; the directories only if they are empty.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/squeezerd $(DESTDIR)$(BINDIR)/squeezerctl \
	    $(DESTDIR)$(MANDIR)/man1/squeezerctl.1 \
	    $(DESTDIR)$(MANDIR)/man5/squeezerd.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/squeezerd.8 \
	    $(DESTDIR)$(UNITDIR)/squeezerd.service \
	    $(DESTDIR)$(BASHCOMPDIR)/squeezerctl \
	    $(DESTDIR)$(EXAMPLESDIR)/libvirt-hooks-libxl
	for f in $(EXAMPLES); do \
	    d=$(DESTDIR)$(EXAMPLESDIR)/$${f#*/}; rm -f $${d%.in}; \
	    [ $$(dirname $$d) = $(DESTDIR)$(EXAMPLESDIR) ] || \
	    rmdir $$(dirname $$d) 2>/dev/null || true; done
	for f in $(DOCS); do rm -f $(DESTDIR)$(DOCDIR)/$$(basename $$f); done
	rmdir $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean: $(HARNESS_CLEAN)
	rm -rf build squeezerd squeezerctl squeezerd.service $(HARNESS_BINS)

# the compilers' dependency files (not build/deb's copy of the tree)
-include $(shell find build -path build/deb -prune -o -type f -name '*.d' -print 2>/dev/null)
