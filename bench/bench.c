/*
 * bench: how long one policy step, one engine decision and a full balance
 * to convergence (simulated host) take at 10 to 10,000 domains.  Prints
 * numbers; asserts nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "policy.h"
#include "sim.h"
#include "simulate.h"

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* n domains of 1-4 GiB at dynamic-max, ranges of 512 MiB-2 GiB. */
static struct sim_dom *
mkdoms(size_t n)
{
	struct sim_dom	*doms = calloc(n, sizeof(*doms));
	size_t		 i;

	for (i = 0; doms != NULL && i < n; i++) {
		struct hv_domain *d = &doms[i].d;

		d->domid = (int32_t)i + 1;
		d->can_balloon = true;
		d->dyn_min_kib = (int64_t)(1 + i % 4) << 20;
		d->dyn_max_kib = d->dyn_min_kib + ((int64_t)(1 + i % 4) << 19);
		d->target_kib = d->actual_kib = d->maxmem_kib = d->dyn_max_kib;
		d->inaccuracy_kib = 4;
		doms[i].b.model = SIM_NORMAL;
		doms[i].b.rate_kib_s = 1 << 20;		/* 1 GiB/s */
	}
	return doms;
}

static struct engine_conf
bench_conf(void)
{
	return (struct engine_conf){ .policy = &policy_proportional,
	    .host_reserve_kib = 73728, .balance_tolerance_kib = 512,
	    .granularity_kib = 2048, .stuck_after_ms = 5000,
	    .uncooperative_after_ms = 20000, .two_phase = true,
	    .inaccuracy_compensation = true };
}

static void
bench_size(size_t n)
{
	struct engine_conf	 c = bench_conf();
	struct sim_dom		*doms = mkdoms(n);
	struct host_snapshot	 snap;
	struct engine_result	 r;
	struct simulate_result	 sr;
	struct engine_goal	 g;
	struct sim_host		 h;
	struct engine		*e = engine_new(&c);
	int64_t			*t = calloc(n, sizeof(*t)), need = 0;
	uint64_t		 t0, pol_ns, eng_ns, bal_ns;
	size_t			 i, reps = 2000000 / n + 10;
	char			 err[256];
	bool			 done;

	if (doms == NULL || e == NULL || t == NULL ||
	    sim_host_init(&h, doms, n, 0) < 0) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	sim_snapshot(&h, &snap);
	{
		struct policy_input in = { .doms = snap.doms, .ndoms = n,
		    .host_target_kib = 73728, .inaccuracy_compensation = true };

		t0 = now_ns();
		for (i = 0; i < reps; i++)
			policy_proportional.compute(&in, t);
		pol_ns = (now_ns() - t0) / reps;
	}
	for (i = 0; i < n; i++)
		need += (snap.doms[i].dyn_max_kib - snap.doms[i].dyn_min_kib) / 2;
	g = engine_goal_free(&c, need);
	engine_begin(e, &g, &snap, &done);
	t0 = now_ns();
	for (i = 0; i < reps; i++)
		engine_step(e, &snap, 0, &r);
	eng_ns = (now_ns() - t0) / reps;
	engine_abort(e);
	t0 = now_ns();
	if (simulate_goal(e, &h, &g, 100, NULL, &sr, err,
	    sizeof(err)) < 0 || sr.outcome != OP_SUCCESS) {
		fprintf(stderr, "bench: balance did not succeed: %s\n", err);
		exit(1);
	}
	bal_ns = now_ns() - t0;
	printf("%8zu %14llu %16llu %12.3f %12llu %10.1f %11.2f\n", n,
	    (unsigned long long)pol_ns, (unsigned long long)eng_ns,
	    (double)eng_ns / 1e6, (unsigned long long)(h.now_ms / 100),
	    (double)bal_ns / 1e6, (double)bal_ns / (double)n / 1e3);
	sim_host_dispose(&h);
	engine_free(e);
	free(t);
}

int
main(void)
{
	static const size_t	sizes[] = { 10, 100, 1000, 10000 };
	size_t			i;

	printf("engine benchmark (granularity 2048 KiB; balance: free half "
	    "of every range, balloons at 1 GiB/s, 100 ms per iteration)\n");
	printf("%8s %14s %16s %12s %12s %10s %11s\n", "domains",
	    "policy ns/step", "engine ns/step", "engine ms", "iterations",
	    "balance ms", "us/domain");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_size(sizes[i]);
	printf("squeezed for comparison (squeezed-reference): one decision "
	    "at 10,000 domains 6-12 ms; quadratic balance\n");
	return 0;
}
