/* Unit tests of the proportional policy: squeezed's arithmetic, exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "host.h"
#include "policy.h"

#define D(id, min, max, act)	{ .domid = id, .can_balloon = true, \
	.dyn_min_kib = min, .dyn_max_kib = max, .target_kib = act, \
	.actual_kib = act, .maxmem_kib = act, .inaccuracy_kib = 4 }

static const struct {
	const char		*what;
	int64_t			 free_kib, host_target_kib;
	bool			 compensate;
	size_t			 n;
	struct hv_domain	 doms[3];
	int64_t			 want[3];
} cases[] = {
	/* squeezed-reference 4.12 example 1, the pseudo domain first */
	{ "free_range ideal", 100000, 73728, true, 3,
	  { { .domid = -1, .can_balloon = true, .dyn_min_kib = 500000,
	      .dyn_max_kib = 1000000, .target_kib = 500000,
	      .inaccuracy_kib = 4 },
	    D(1, 1000000, 2000000, 1500000), D(2, 500000, 2000000, 2000000) },
	  { 837709, 1675418, 1513127 } },
	/* example 1, the loop's targets for H = 911437 */
	{ "example 1 loop", 100000, 911437, true, 2,
	  { D(1, 1000000, 2000000, 1500000), D(2, 500000, 2000000, 2000000) },
	  { 1475418, 1213128 } },
	/* example 3: gamma 0.699992 */
	{ "example 3", 73728, 373728, true, 1,
	  { D(1, 1000000, 2000000, 2000000) }, { 1699992 } },
	/* scenario a's first targets: gamma 0.161333 over surplus 484 */
	{ "scenario a", 0, 1000, true, 2,
	  { D(0, 1000, 2000, 1500), D(1, 2500, 4500, 3500) }, { 1161, 2822 } },
	/* scenario g: no inaccuracy compensation */
	{ "scenario g", 0, 1000, false, 2,
	  { D(0, 1000, 2000, 1500), D(1, 2500, 4500, 3500) }, { 1166, 2833 } },
	{ "plenty: every domain at dynamic-max", 1 << 30, 73728, true, 2,
	  { D(1, 1000, 2000, 1500), D(2, 10, 20, 15) }, { 2000, 20 } },
	{ "shortage: every domain at dynamic-min", 0, 1 << 30, true, 2,
	  { D(1, 1000, 2000, 1500), D(2, 10, 20, 15) }, { 1000, 10 } },
	/* total range 0 with surplus: gamma' = +inf, clamped to 1 */
	{ "zero range, surplus", 5000, 0, true, 1,
	  { D(1, 1000, 1000, 1000) }, { 1000 } },
	/* total range 0, no surplus: gamma' = 0/0 = NaN, mapped to 0 */
	{ "zero range, NaN", 0, 0, true, 1,
	  { D(1, 1000, 1000, 1000) }, { 1000 } },
	/* dynamic-min above dynamic-max: range 0, target dynamic-min */
	{ "inverted range", 1 << 20, 0, true, 1,
	  { D(1, 3000, 2000, 2500) }, { 3000 } },
};

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
		    .inaccuracy_compensation = cases[i].compensate };

		assert_int_equal(policy_proportional.compute(&in, got), 0);
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

/* Every domain gets the same fraction of its range (up to truncation). */
static void
test_same_fraction(void **state)
{
	struct hv_domain	doms[3] = { D(1, 0, 1000000, 0),
				    D(2, 500000, 700000, 500000),
				    D(3, 100, 300100, 100) };
	struct policy_input	in = { .doms = doms, .ndoms = 3,
				    .host_free_kib = 750000,
				    .inaccuracy_compensation = true };
	int64_t			got[3];
	double			f;
	size_t			i;

	(void)state;
	assert_int_equal(policy_proportional.compute(&in, got), 0);
	f = 750000.0 / 1500000.0;
	for (i = 0; i < 3; i++)
		assert_int_equal(got[i], doms[i].dyn_min_kib +
		    (int64_t)(f * (double)host_range(&doms[i])));
}

static void
test_registry_and_errors(void **state)
{
	struct policy_input	in = { .doms = NULL, .ndoms = 1,
				    .inaccuracy_compensation = true };
	int64_t			t;

	(void)state;
	assert_ptr_equal(policy_find("proportional"), &policy_proportional);
	assert_null(policy_find("nonesuch"));
	assert_null(policy_find(NULL));
	assert_ptr_equal(policy_all()[0], &policy_proportional);
	assert_int_equal(policy_proportional.compute(&in, &t), -22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_same_fraction),
		cmocka_unit_test(test_registry_and_errors),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
