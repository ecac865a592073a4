/*
 * Unit tests of the pressure policy: wants from reported use and PSI, the
 * division when short and when plenty, fallback to proportional for guests
 * that report nothing, hysteresis, the step cap, and a closed loop that
 * must settle without oscillating.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "host.h"
#include "policy.h"

/*
 * A domain holding tgt KiB (its current target) whose guest reports used
 * KiB in use (-1: nothing) and PSI avg10 x 100 (-1: nothing).  A target
 * outside [min, max] means "no current target": no smoothing.
 */
#define P(id, min, max, tgt, used, psi)	{ .domid = id, .can_balloon = true, \
	.dyn_min_kib = min, .dyn_max_kib = max, .target_kib = tgt, \
	.actual_kib = tgt, .maxmem_kib = tgt, .inaccuracy_kib = 4, \
	.has_mem_used = (used) >= 0, .mem_used_kib = (used), \
	.has_pressure = (psi) >= 0, .pressure_avg10_x100 = (psi) }

#define M	1000000		/* KiB, to keep the tables readable */

static const struct {
	const char		*what;
	int64_t			 free_kib, host_target_kib, granularity_kib;
	size_t			 n;
	struct hv_domain	 doms[3];
	int64_t			 want[3];
} cases[] = {
	/*
	 * Wants 1.5M and 1M (clamped up to dmin): needs 0.5M and 0.
	 * Pool 3M; rest 2.5M by headroom 1.5M : 2M.
	 */
	{ "plenty: wants met, the rest by headroom", 3 * M, 0, 0, 2,
	  { P(1, 1 * M, 3 * M, 0, 1200000, -1), P(2, 1 * M, 3 * M, 0, 800000,
	    -1) }, { 1 * M + 500000 + 1071428, 1 * M + 1428571 } },
	/* needs 0.5M and 1.5M, pool 0.6M: 0.6M x 1/4 and x 3/4 */
	{ "short: shrunk towards dmin by need", 600000, 0, 0, 2,
	  { P(1, 1 * M, 3 * M, 0, 1200000, -1), P(2, 1 * M, 3 * M, 0, 2 * M,
	    -1) }, { 1150000, 1450000 } },
	/* avg10 50.00: want 1M x 1.25 x 1.5 = 1.875M; the other 1.25M */
	{ "PSI raises the want", 1125000, 0, 0, 2,
	  { P(1, 1 * M, 3 * M, 0, 1 * M, 5000), P(2, 1 * M, 3 * M, 0, 1 * M,
	    -1) }, { 1875000, 1250000 } },
	/* avg10 12.34: want 1M x 1.25 x 1.1234 */
	{ "PSI 12.34", 404250, 0, 0, 1,
	  { P(1, 1 * M, 3 * M, 0, 1 * M, 1234) }, { 1404250 } },
	{ "wants clamp to [dmin, dmax]", 2 * M, 0, 0, 2,
	  { P(1, 1 * M, 3 * M, 0, 10 * M, -1), P(2, 1 * M, 3 * M, 0, 0, -1) },
	  { 3 * M, 1 * M } },
	/*
	 * Domain 3 says nothing: proportional's gamma 3M / 6M gives it 2M.
	 * The other two share the 2M left: needs 1.5M and 0, rest 0.5M by
	 * headroom 0.5M : 2M.
	 */
	{ "a silent guest gets proportional's target", 3 * M, 0, 0, 3,
	  { P(1, 1 * M, 3 * M, 0, 2 * M, -1), P(2, 1 * M, 3 * M, 0, 800000,
	    -1), P(3, 1 * M, 3 * M, 0, -1, -1) },
	  { 2600000, 1400000, 2 * M } },
	/*
	 * Garbage: domain 1's use is negative (unknown: proportional, gamma
	 * 0.05); domain 2's PSI is out of range (ignored), so 2 and 3 want
	 * the same and split the 0.2M left evenly.
	 */
	{ "garbage counts as unknown", 300000, 0, 0, 3,
	  { { .domid = 1, .can_balloon = true, .dyn_min_kib = 1 * M,
	      .dyn_max_kib = 3 * M, .inaccuracy_kib = 4,
	      .has_mem_used = true, .mem_used_kib = -1 },
	    P(2, 1 * M, 3 * M, 0, 1 * M, 20000),
	    P(3, 1 * M, 3 * M, 0, 1 * M, -1) },
	  { 1100000, 1100000, 1100000 } },
	/*
	 * Smoothing, one guest wanting all its range, at 2M of [1M, 3M]:
	 * its ideal is 2M + free - host target; band 2 % of 2M = 40000;
	 * step 10 % of the range = 200000.
	 */
	{ "up within the band keeps the target", 30000, 0, 0, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 2 * M } },
	{ "up past the band moves", 100000, 0, 0, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 2100000 } },
	{ "up by at most a step", 500000, 0, 0, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 2200000 } },
	{ "down is never capped", 0, 600000, 0, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 1400000 } },
	/* keeping 2M would spend 30000 KiB the host needs */
	{ "down within the band moves if keeping overspends", 0, 30000, 0, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 1970000 } },
	/*
	 * Wants 2.515M and 2.485M: ideals 2.01M and 1.99M, both within the
	 * band; keeping both spends what they hold now, so both are kept.
	 */
	{ "jitter both ways keeps both", 0, 0, 0, 2,
	  { P(1, 1 * M, 3 * M, 2 * M, 2012000, -1), P(2, 1 * M, 3 * M, 2 * M,
	    1988000, -1) }, { 2 * M, 2 * M } },
	/* granularity 256 MiB: a step is a granule (the band stays) */
	{ "a step is at least a granule", 500000, 0, 262144, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 2 * M + 262144 } },
	{ "less than a step goes all the way", 200000, 0, 262144, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, 10 * M, -1) }, { 2200000 } },
	/* a silent guest is never smoothed: proportional's 2M + 0.5M */
	{ "a silent guest moves at once", 1 * M, 0, 0, 1,
	  { P(1, 1 * M, 3 * M, 2 * M, -1, -1) }, { 3 * M } },
	/*
	 * Plenty, and guest 1 holds 1.5M above dmin but needs none: it keeps
	 * it.  Guest 2 needs 0.5M and holds 0.2M: it gets its need.  Pool
	 * 0.3M + 1.5M + 0.2M = 2M, exactly the keeps.  (Resharing by
	 * headroom would have moved 1.5M x 4 / 7.5 - 1.5M = -0.7M from 1.)
	 */
	{ "plenty: a guest keeps what it holds above its want", 300000, 0, 0,
	  2, { P(1, 1 * M, 5 * M, 2500000, 800000, -1),
	    P(2, 1 * M, 5 * M, 1200000, 1200000, -1) }, { 2500000, 1500000 } },
	/*
	 * Plenty, but the keeps (2M + 1M + guest 3's need 2M) are more than
	 * the pool (3M): those above their want give the 2M beyond the needs'
	 * 1M back in proportion to their excess, 2 : 1.  Guest 3 has no
	 * current target (0): nothing to smooth.
	 */
	{ "plenty: the excess above the wants gives way in proportion", 0, 0,
	  0, 3, { P(1, 1 * M, 5 * M, 3 * M, 800000, -1),
	    P(2, 1 * M, 5 * M, 2 * M, 800000, -1),
	    P(3, 1 * M, 5 * M, 0, 2400000, -1) },
	  { 1666666, 1333333, 3 * M } },
	/*
	 * Uses 0.1M + 3M, needs 0.375M + 4M, pool 3.2M in between: each gets
	 * its use and the 0.1M left by what it still needs (0.275M : 1M).
	 * Shrinking both by need alike would leave guest 2 at 3.93M, short
	 * of the 4M it uses, and guest 1 above its use.
	 */
	{ "between the uses and the wants: uses first", 3200000, 0, 0, 2,
	  { P(1, 1 * M, 5 * M, 0, 1100000, -1),
	    P(2, 1 * M, 5 * M, 0, 4 * M, -1) }, { 1121568, 4078431 } },
	/*
	 * Pool 2M, less than the uses (3.1M): by need alike (level 2/4.375)
	 * would give guest 1 0.171M, above its use 0.1M, while guest 2 is
	 * short; guest 1 is capped at its use and guest 2 gets the 1.9M left.
	 */
	{ "short: none above its use while another is short", 2 * M, 0, 0, 2,
	  { P(1, 1 * M, 5 * M, 0, 1100000, -1),
	    P(2, 1 * M, 5 * M, 0, 4 * M, -1) }, { 1100000, 2900000 } },
};

static void
run(const struct policy_input *in, int64_t *got)
{
	assert_int_equal(policy_pressure.compute(in, got), 0);
}

static void
test_cases(void **state)
{
	int64_t	got[3];
	size_t	i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_input in = { .doms = cases[i].doms,
		    .ndoms = cases[i].n, .host_free_kib = cases[i].free_kib,
		    .host_target_kib = cases[i].host_target_kib,
		    .granularity_kib = cases[i].granularity_kib };

		run(&in, got);
		for (j = 0; j < cases[i].n; j++) {
			if (got[j] != cases[i].want[j])
				print_error("%s: domain %zu: got %lld want "
				    "%lld\n", cases[i].what, j,
				    (long long)got[j],
				    (long long)cases[i].want[j]);
			assert_int_equal(got[j], cases[i].want[j]);
		}
	}
}

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * Random hosts, some guests reporting: targets inside [dmin, dmax]; silent
 * guests get proportional's target exactly; all targets together spend no
 * more than proportional's budget (no overcommit); deterministic; and a
 * host where nobody reports is balanced exactly as proportional does.
 */
static void
test_properties(void **state)
{
	struct hv_domain	doms[10];
	int64_t			got[10], again[10], prop[10], spent;
	uint64_t		seed = 7;
	size_t			round, i, n;
	bool			silent;

	(void)state;
	for (round = 0; round < 3000; round++) {
		n = 1 + lcg(&seed) % 10;
		silent = round % 5 == 0;
		for (i = 0; i < n; i++) {
			int64_t	min = (int64_t)(lcg(&seed) % 4000000);
			int64_t	max = min + (int64_t)(lcg(&seed) % 8000000);
			int64_t	tgt = min + (int64_t)(lcg(&seed) %
				    (uint64_t)(max - min + 1));
			int64_t	used = silent || lcg(&seed) % 4 == 0 ? -1 :
				    (int64_t)(lcg(&seed) % 12000000);
			int32_t	psi = lcg(&seed) % 2 ? -1 :
				    (int32_t)(lcg(&seed) % 10001);

			doms[i] = (struct hv_domain)P((int32_t)i, min, max,
			    tgt, used, psi);
		}
		struct policy_input in = { .doms = doms, .ndoms = n,
		    .host_free_kib = (int64_t)(lcg(&seed) % 20000000),
		    .host_target_kib = (int64_t)(lcg(&seed) % 20000000),
		    .inaccuracy_compensation = (round & 1) != 0,
		    .granularity_kib = round % 3 == 0 ? 2048 : 0 };

		run(&in, got);
		run(&in, again);
		assert_int_equal(policy_proportional.compute(&in, prop), 0);
		spent = 0;
		for (i = 0; i < n; i++) {
			assert_int_equal(got[i], again[i]);
			assert_true(got[i] >= doms[i].dyn_min_kib);
			assert_true(got[i] <= doms[i].dyn_max_kib);
			if (!doms[i].has_mem_used)
				assert_int_equal(got[i], prop[i]);
			spent += got[i] - doms[i].dyn_min_kib;
		}
		assert_true(spent <= policy_budget(&in));
	}
}

/* want - dmin and used - dmin of a reporting guest, as pressure.c has them. */
static void
need_use(const struct hv_domain *d, int64_t *need, int64_t *use)
{
	int64_t	range = d->dyn_max_kib - d->dyn_min_kib;
	int64_t	psi = d->has_pressure ? d->pressure_avg10_x100 : 0;

	*need = policy_muldiv(d->mem_used_kib, 125 * (10000 + psi),
	    1000000) - d->dyn_min_kib;
	if (*need < 0)
		*need = 0;
	if (*need > range)
		*need = range;
	*use = d->mem_used_kib - d->dyn_min_kib;
	if (*use < 0)
		*use = 0;
	if (*use > *need)
		*use = *need;
}

/*
 * Random hosts of guests with no current target (nothing to smooth): what
 * they use comes first.  With the pool (the budget less the silent
 * guests' proportional targets) short of the uses, no guest gets more
 * than it uses; between the uses and the needs, every guest gets at least
 * its use; with plenty, every guest gets its want.
 */
static void
test_tiers(void **state)
{
	struct hv_domain	doms[6];
	int64_t			got[6], prop[6], pool, needs, uses, n, u;
	uint64_t		seed = 11;
	size_t			round, i, nd;

	(void)state;
	for (round = 0; round < 3000; round++) {
		nd = 1 + lcg(&seed) % 6;
		for (i = 0; i < nd; i++) {
			int64_t	min = 1 + (int64_t)(lcg(&seed) % 2000000);
			int64_t	max = min + (int64_t)(lcg(&seed) % 6000000);
			int64_t	used = lcg(&seed) % 5 == 0 ? -1 :
				    (int64_t)(lcg(&seed) % 9000000);
			int32_t	psi = lcg(&seed) % 3 ? -1 :
				    (int32_t)(lcg(&seed) % 10001);

			doms[i] = (struct hv_domain)P((int32_t)i, min, max,
			    0, used, psi);
		}
		struct policy_input in = { .doms = doms, .ndoms = nd,
		    .host_free_kib = (int64_t)(lcg(&seed) % 20000000) };

		run(&in, got);
		assert_int_equal(policy_proportional.compute(&in, prop), 0);
		pool = policy_budget(&in);
		needs = uses = 0;
		for (i = 0; i < nd; i++) {
			if (!doms[i].has_mem_used) {
				pool -= prop[i] - doms[i].dyn_min_kib;
				continue;
			}
			need_use(&doms[i], &n, &u);
			needs += n;
			uses += u;
		}
		for (i = 0; i < nd; i++) {
			if (!doms[i].has_mem_used)
				continue;
			need_use(&doms[i], &n, &u);
			if (uses > pool)
				assert_true(got[i] - doms[i].dyn_min_kib <= u);
			else if (needs > pool)
				assert_true(got[i] - doms[i].dyn_min_kib >= u);
			else
				assert_true(got[i] - doms[i].dyn_min_kib >= n);
		}
	}
}

/* The engine's quantisation (engine_quantise), for the closed loop. */
static int64_t
quantise(int64_t t, int64_t dmin, int64_t dmax, int64_t g)
{
	if (g <= 1 || t <= dmin)
		return t;
	if (t >= dmax)
		return dmax;
	t -= t % g;
	return t < dmin ? dmin : t;
}

/* One round: compute, quantise, and let the balloons reach the targets. */
static void
loop_round(struct hv_domain *doms, size_t n, int64_t *free_kib, int64_t g)
{
	struct policy_input	in = { .doms = doms, .ndoms = n,
				    .host_free_kib = *free_kib,
				    .granularity_kib = g };
	int64_t			t[3];
	size_t			i;

	assert_true(n <= 3);
	run(&in, t);
	for (i = 0; i < n; i++) {
		t[i] = quantise(t[i], doms[i].dyn_min_kib, doms[i].dyn_max_kib,
		    g);
		*free_kib -= t[i] - doms[i].actual_kib;
		doms[i].target_kib = doms[i].actual_kib = t[i];
	}
	assert_true(*free_kib >= 0);		/* no overcommit */
}

/*
 * A guest comes under pressure on a full host: round by round its target
 * only rises and the others' only fall, by at most a step, until it
 * settles; then small jitter in what the guests report moves nothing.
 */
static void
test_closed_loop(void **state)
{
	struct hv_domain	doms[3] = {
		P(1, 524288, 4194304, 2097152, 3145728, 2500),
		P(2, 524288, 4194304, 2097152, 1048576, -1),
		P(3, 524288, 4194304, 2097152, 1048576, -1),
	};
	int64_t			free_kib = 0, prev[3], step = 367000;
	size_t			round, i, settled = 0;

	(void)state;
	for (round = 0; round < 40; round++) {
		for (i = 0; i < 3; i++)
			prev[i] = doms[i].target_kib;
		loop_round(doms, 3, &free_kib, 2048);
		assert_true(doms[0].target_kib >= prev[0]);
		assert_true(doms[0].target_kib - prev[0] <= step);
		assert_true(doms[1].target_kib <= prev[1]);
		assert_true(doms[2].target_kib <= prev[2]);
		if (doms[0].target_kib == prev[0] &&
		    doms[1].target_kib == prev[1] && settled == 0)
			settled = round;
	}
	assert_true(settled > 0 && settled <= 12);
	/* wants were 3 GiB x 1.25 x 1.25 = 4.6875 GiB, more than dmax */
	assert_true(doms[0].target_kib > 3 * 1048576);
	for (i = 0; i < 3; i++)
		prev[i] = doms[i].target_kib;
	for (round = 0; round < 20; round++) {
		doms[0].mem_used_kib = 3145728 + (round % 2 ? 20000 : -20000);
		doms[1].mem_used_kib = 1048576 + (round % 2 ? -10000 : 10000);
		loop_round(doms, 3, &free_kib, 2048);
		for (i = 0; i < 3; i++)
			assert_int_equal(doms[i].target_kib, prev[i]);
	}
}

/* With a coarse granularity the step cap still makes progress. */
static void
test_coarse_granularity(void **state)
{
	struct hv_domain	doms[2] = {
		P(1, 1048576, 9437184, 1048576, 8388608, -1),
		P(2, 1048576, 9437184, 9437184, 0, -1),
	};
	int64_t			free_kib = 0, g = 1048576;
	size_t			round;

	(void)state;
	for (round = 0; round < 20; round++)
		loop_round(doms, 2, &free_kib, g);
	/* domain 1 wants 10 GiB (all of its range); 2 wants dmin */
	assert_int_equal(doms[0].target_kib, 9437184);
	assert_int_equal(doms[1].target_kib, 1048576);
}

static void
test_registry_and_errors(void **state)
{
	struct policy_input	in = { .doms = NULL, .ndoms = 1 };
	int64_t			t;

	(void)state;
	assert_ptr_equal(policy_find("pressure"), &policy_pressure);
	assert_int_equal(policy_pressure.compute(&in, &t), -22);
	assert_int_equal(policy_pressure.compute(&in, NULL), -22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_closed_loop),
		cmocka_unit_test(test_coarse_granularity),
		cmocka_unit_test(test_registry_and_errors),
	};

	return cmocka_run_group_tests_name("policy_pressure", tests, NULL,
	    NULL);
}
