/*
 * Unit tests of the weighted policy: the surplus divided by weight,
 * water-filling past capped domains, integer KiB, never more than the
 * proportional policy's budget.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "host.h"
#include "policy.h"

#define GIB	INT64_C(1048576)

/* A domain at dynamic-min (it holds nothing freeable), with a weight. */
#define W(id, min, max, w)	{ .domid = id, .can_balloon = true, \
	.dyn_min_kib = min, .dyn_max_kib = max, .target_kib = min, \
	.actual_kib = min, .maxmem_kib = min, .inaccuracy_kib = 4, \
	.weight = w }
/* The same, holding act KiB. */
#define WA(id, min, max, act, w)	{ .domid = id, .can_balloon = true, \
	.dyn_min_kib = min, .dyn_max_kib = max, .target_kib = act, \
	.actual_kib = act, .maxmem_kib = act, .inaccuracy_kib = 4, \
	.weight = w }

static const struct {
	const char		*what;
	int64_t			 free_kib, host_target_kib;
	size_t			 n;
	struct hv_domain	 doms[4];
	int64_t			 want[4];
} cases[] = {
	{ "weights 100/300 share 4 GiB as 1/3 GiB", 4 * GIB, 0, 2,
	  { W(1, GIB, 8 * GIB, 100), W(2, GIB, 8 * GIB, 300) },
	  { 2 * GIB, 4 * GIB } },
	{ "the host target comes off the surplus", 4 * GIB + 73728, 73728, 2,
	  { W(1, GIB, 8 * GIB, 100), W(2, GIB, 8 * GIB, 300) },
	  { 2 * GIB, 4 * GIB } },
	/* 0 and out-of-range weights are the default, 100 */
	{ "absent or garbage weight is 100", 3000, 0, 3,
	  { W(1, 0, 10000, 0), W(2, 0, 10000, -5), W(3, 0, 10000, 20000) },
	  { 1000, 1000, 1000 } },
	{ "weight 10000 is allowed", 10100, 0, 2,
	  { W(1, 0, 100000, 10000), W(2, 0, 100000, 100) },
	  { 10000, 100 } },
	/* level 750 caps domain 1 at 500; 2500 left by 100:200 */
	{ "a capped domain's rest goes to the others", 3000, 0, 3,
	  { W(1, 0, 500, 100), W(2, 0, 10000, 100), W(3, 0, 10000, 200) },
	  { 500, 834, 1666 } },
	/* level 1000 caps 1 (100); then 1450 caps 2 (1200); 3 takes 1700 */
	{ "capping cascades", 3000, 0, 3,
	  { W(1, 0, 100, 100), W(2, 0, 1200, 100), W(3, 0, 1000000, 100) },
	  { 100, 1200, 1700 } },
	/* a share exactly equal to the range counts as capped */
	{ "share equal to range", 3000, 0, 3,
	  { W(1, 0, 1000, 100), W(2, 0, 5000, 100), W(3, 0, 5000, 100) },
	  { 1000, 1000, 1000 } },
	{ "dynamic-min offsets", 4000, 0, 2,
	  { W(1, 1000000, 1100000, 100), W(2, 5000, 9000, 300) },
	  { 1001000, 8000 } },
	/* 10 KiB over 3 equal weights: floors 3, 3, 3, then one more */
	{ "the floors' remainder goes in input order", 10, 0, 3,
	  { W(1, 0, 100, 100), W(2, 0, 100, 100), W(3, 0, 100, 100) },
	  { 4, 3, 3 } },
	{ "plenty: every domain at dynamic-max", 1 << 30, 73728, 2,
	  { W(1, 1000, 2000, 1), W(2, 10, 20, 10000) }, { 2000, 20 } },
	{ "shortage: every domain at dynamic-min", 0, 1 << 30, 2,
	  { WA(1, 1000, 2000, 1500, 100), WA(2, 10, 20, 15, 100) },
	  { 1000, 10 } },
	/* each can free 3000 - 1000 - 2 x 4; surplus 3984 by 100:300 */
	{ "what domains hold counts, compensated", 0, 0, 2,
	  { WA(1, 1000, 5000, 3000, 100), WA(2, 1000, 5000, 3000, 300) },
	  { 1996, 3988 } },
	{ "zero and inverted ranges stay at dynamic-min", 5000, 0, 3,
	  { W(1, 1000, 1000, 100), { .domid = 2, .can_balloon = true,
	    .dyn_min_kib = 3000, .dyn_max_kib = 2000, .target_kib = 2500,
	    .actual_kib = 2500, .inaccuracy_kib = 4 }, W(3, 0, 100000, 1) },
	  { 1000, 3000, 5000 } },
};

static void
run(const struct policy_input *in, int64_t *got)
{
	assert_int_equal(policy_weighted.compute(in, got), 0);
}

static void
test_cases(void **state)
{
	int64_t	got[4];
	size_t	i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_input in = { .doms = cases[i].doms,
		    .ndoms = cases[i].n, .host_free_kib = cases[i].free_kib,
		    .host_target_kib = cases[i].host_target_kib,
		    .inaccuracy_compensation = true };

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

/* A small deterministic generator (tests must not depend on rand()). */
static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * Random hosts: targets inside [dmin, dmax]; the targets spend exactly the
 * budget proportional has (no more: no overcommit; no less unless every
 * domain is at dynamic-max); the same input gives the same output; and
 * water-filling holds: an uncapped domain's share per weight is at least
 * every capped domain's range per weight (up to the 1 KiB floors).
 */
static void
test_properties(void **state)
{
	struct hv_domain	doms[12];
	int64_t			got[12], again[12], prop[12];
	int64_t			spent, prop_spent, budget, range_sum, r, s;
	uint64_t		seed = 42;
	size_t			round, i, j, n;

	(void)state;
	for (round = 0; round < 2000; round++) {
		n = 1 + lcg(&seed) % 12;
		range_sum = 0;
		for (i = 0; i < n; i++) {
			int64_t	min = (int64_t)(lcg(&seed) % 4000000);
			int64_t	max = min + (int64_t)(lcg(&seed) % 8000000);
			int64_t	act = min + (int64_t)(lcg(&seed) %
				    (uint64_t)(max - min + 1));

			doms[i] = (struct hv_domain)WA((int32_t)i, min, max,
			    act, (int32_t)(lcg(&seed) % 10002));
			range_sum += max - min;
		}
		struct policy_input in = { .doms = doms, .ndoms = n,
		    .host_free_kib = (int64_t)(lcg(&seed) % 20000000),
		    .host_target_kib = (int64_t)(lcg(&seed) % 20000000),
		    .inaccuracy_compensation = (round & 1) != 0 };

		run(&in, got);
		run(&in, again);
		assert_int_equal(policy_proportional.compute(&in, prop), 0);
		budget = policy_budget(&in);
		assert_true(budget <= range_sum);
		spent = prop_spent = 0;
		for (i = 0; i < n; i++) {
			assert_int_equal(got[i], again[i]);
			assert_true(got[i] >= doms[i].dyn_min_kib);
			assert_true(got[i] <= doms[i].dyn_max_kib);
			spent += got[i] - doms[i].dyn_min_kib;
			prop_spent += prop[i] - doms[i].dyn_min_kib;
		}
		assert_true(prop_spent <= budget);
		assert_int_equal(spent, budget);
		for (i = 0; i < n; i++) {
			s = got[i] - doms[i].dyn_min_kib;
			if (got[i] == doms[i].dyn_max_kib)
				continue;
			for (j = 0; j < n; j++) {
				r = host_range(&doms[j]);
				if (got[j] != doms[j].dyn_max_kib || r == 0)
					continue;
				/* r_j / w_j <= (s_i + 1) / w_i + 1 / w_j */
				assert_true(r * host_weight(&doms[i]) <=
				    (s + 1) * host_weight(&doms[j]) +
				    host_weight(&doms[i]));
			}
		}
	}
}

/* Big hosts: sums past 2^63 / weight must not overflow. */
static void
test_large(void **state)
{
	struct hv_domain	doms[2] = {
		W(1, 0, HOST_MAX_KIB, HOST_WEIGHT_MAX),
		W(2, 0, HOST_MAX_KIB, 1),
	};
	struct policy_input	in = { .doms = doms, .ndoms = 2,
				    .host_free_kib = HOST_MAX_KIB,
				    .inaccuracy_compensation = true };
	int64_t			got[2];

	(void)state;
	run(&in, got);
	/* 2^40 x 10000 / 10001, floored, then the 1 KiB remainder */
	assert_int_equal(got[0], HOST_MAX_KIB * 10000 / 10001 + 1);
	assert_int_equal(got[0] + got[1], HOST_MAX_KIB);
}

static void
test_registry_and_errors(void **state)
{
	struct policy_input	in = { .doms = NULL, .ndoms = 1 };
	int64_t			t;

	(void)state;
	assert_ptr_equal(policy_find("weighted"), &policy_weighted);
	assert_int_equal(policy_weighted.compute(&in, &t), -22);
	assert_int_equal(policy_weighted.compute(NULL, &t), -22);
	in.ndoms = 0;
	assert_int_equal(policy_weighted.compute(&in, &t), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_registry_and_errors),
	};

	return cmocka_run_group_tests_name("policy_weighted", tests, NULL,
	    NULL);
}
