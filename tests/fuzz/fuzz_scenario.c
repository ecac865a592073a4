/*
 * fuzz_scenario.c: the scenario format (scenario_parse), and a run of what
 * parses (simulate_run) when it is small enough to be quick: a few domains
 * and steps, short waits and a poll interval that bounds the iterations of
 * each operation.  Oracles: the sanitizers, an error message on every
 * failed parse, a parsed scenario within the format's bounds, and no
 * internal error from the simulator.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "scenario.h"
#include "simulate.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_INPUT		(64 * 1024)
#define FUZZ_MAX_STEPS		8
#define FUZZ_MAX_OPS		4	/* steps that run the engine */
#define FUZZ_MAX_DOMS		8
#define FUZZ_MAX_WAIT_MS	10000
#define FUZZ_MIN_POLL_MS	100	/* an operation: <= 36000 polls */

static FILE	*fuzz_null;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fuzz_null = fopen("/dev/null", "we")) == NULL)
		abort();
	return 0;
}

/* What the parser promises about a scenario it accepted. */
static void
fuzz_check(const struct scenario *s)
{
	const struct hv_domain	*d;
	size_t			 i;

	if (s->nsteps > SCEN_MAX_STEPS || (s->nsteps > 0 && s->steps == NULL))
		abort();
	for (i = 0; i < s->host.ndoms; i++) {
		d = &s->host.doms[i].d;
		if (d->domid < 0 || d->domid > HOST_MAX_DOMID ||
		    d->dyn_min_kib < 0 || d->dyn_min_kib > d->dyn_max_kib ||
		    d->dyn_max_kib > HOST_MAX_KIB || d->target_kib < 0 ||
		    d->target_kib > HOST_MAX_KIB || d->actual_kib < 0 ||
		    d->actual_kib > HOST_MAX_KIB || d->maxmem_kib < 0) {
			fprintf(stderr, "scenario: domain %d out of bounds\n",
			    (int)d->domid);
			abort();
		}
	}
}

/* Small enough to simulate in a few milliseconds. */
static int
fuzz_small(const struct scenario *s)
{
	size_t	i, nops = 0;

	if (s->nsteps > FUZZ_MAX_STEPS || s->host.ndoms > FUZZ_MAX_DOMS ||
	    s->conf.poll_interval_ms < FUZZ_MIN_POLL_MS)
		return 0;
	for (i = 0; i < s->nsteps; i++) {
		switch (s->steps[i].op) {
		case SCEN_WAIT:
			if (s->steps[i].wait_ms > FUZZ_MAX_WAIT_MS)
				return 0;
			break;
		case SCEN_RUN:		/* ticks, checks and balances */
			if (s->steps[i].wait_ms > FUZZ_MAX_WAIT_MS)
				return 0;
			nops++;
			break;
		case SCEN_CONSUME:
		case SCEN_PLAN:
		case SCEN_MIGRATION_END:
			break;
		default:
			nops++;
			break;
		}
	}
	return nops <= FUZZ_MAX_OPS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario	s;
	char		err[512];

	if (size > FUZZ_MAX_INPUT)
		return -1;
	err[0] = '\0';
	if (scenario_parse("fuzz", (const char *)data, size, &s, err,
	    sizeof(err)) < 0) {
		if (err[0] == '\0')
			abort();	/* a failed parse always says why */
		return 0;
	}
	fuzz_check(&s);
	if (fuzz_small(&s) && simulate_run(&s, fuzz_null, fuzz_null) < 0) {
		fprintf(stderr, "simulate_run failed on a parsed scenario\n");
		abort();
	}
	scenario_dispose(&s);
	return 0;
}
