/*
 * Unit tests of the benchmark's re-implementations (bench/policies/):
 * qmemman's rule (prefmem = used x 1.3; plenty shared by prefmem; when
 * low, donors to prefmem and never below it; the 150 MB / 15 MB
 * significance gate; silent guests left alone) and Proxmox's (80 % host
 * use, 100 MiB a round, the 10 MiB deadband, the guests under pressure
 * first), and for both on random hosts: targets within [dmin, dmax],
 * deterministic, and never growing the guests past the free memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bench_policies.h"
#include "host.h"
#include "policy.h"

/* A settled domain at tgt KiB using used KiB (-1: reports nothing). */
#define D(id, min, max, tgt, used)	{ .domid = id, .can_balloon = true, \
	.dyn_min_kib = min, .dyn_max_kib = max, .target_kib = tgt, \
	.actual_kib = tgt, .maxmem_kib = tgt, .inaccuracy_kib = 4, \
	.has_mem_used = (used) >= 0, .mem_used_kib = (used) }

#define M	1000000

static const struct {
	const char		*what;
	const struct policy	*p;
	int64_t			 free_kib, host_target_kib;
	size_t			 n;
	struct hv_domain	 doms[3];
	int64_t			 want[3];
} cases[] = {
	/*
	 * prefmems 1.3M and 2.6M; what is free beyond them (4M + 0.1M the
	 * first has above its prefmem) goes by prefmem, times 0.999.
	 */
	{ "qmemman: plenty, by prefmem", &bench_policy_qmemman, 4 * M, 0, 2,
	  { D(1, 0, 8 * M, 2 * M, 1 * M), D(2, 0, 8 * M, 2 * M, 2 * M) },
	  { 2664000, 5328000 } },
	/* 0.999 x (1.95M + 60000) is 7990 away: under 150 MB, kept */
	{ "qmemman: an insignificant change is not made",
	  &bench_policy_qmemman, 10000, 0, 1,
	  { D(1, 0, 8 * M, 2 * M, 1500000) }, { 2 * M } },
	/* ... unless Xen's free memory is 15 MB or more below the target */
	{ "qmemman: free memory too low is significant",
	  &bench_policy_qmemman, 0, 20000, 1,
	  { D(1, 0, 8 * M, 2 * M, 1500000) }, { 1978020 } },
	/*
	 * A reservation of 3M: the reporting guest gives down to its
	 * prefmem (2.6M) and no further; the silent one keeps its 4M.
	 */
	{ "qmemman: never below prefmem; a silent guest is left alone",
	  &bench_policy_qmemman, 0, 3 * M, 2,
	  { D(1, 1 * M, 8 * M, 4 * M, 2 * M), D(2, 1 * M, 8 * M, 4 * M, -1) },
	  { 2600000, 4 * M } },
	/* prefmem 1.3 x 0.1M is below dmin: dmin */
	{ "qmemman: prefmem within the range", &bench_policy_qmemman,
	  0, 4 * M, 1, { D(1, 1 * M, 8 * M, 4 * M, 100000) }, { 1 * M } },
	/*
	 * Total 5M, 20 % kept: goal +1M.  Guest 1 is under pressure (0.1M
	 * free, at most a quarter of its 1M minimum): it grows first, by at
	 * most 100 MiB; guest 2 has enough free memory and is left alone.
	 */
	{ "proxmox: grow those under pressure, 100 MiB a round",
	  &bench_policy_proxmox, 2 * M, 0, 2,
	  { D(1, 1 * M, 4 * M, 1 * M, 900000), D(2, 1 * M, 4 * M, 2 * M,
	    500000) }, { 1 * M + 102400, 2 * M } },
	/* total 6M, nothing free: goal -1.2M; the comfortable one gives */
	{ "proxmox: shrink those with free memory first",
	  &bench_policy_proxmox, 0, 0, 2,
	  { D(1, 1 * M, 4 * M, 3 * M, 1 * M), D(2, 1 * M, 4 * M, 3 * M,
	    2900000) }, { 3 * M - 102400, 3 * M } },
	/* 20 % of 5.012M is 1.0024M: the goal, 9600 KiB, is in the deadband */
	{ "proxmox: a goal within 10 MiB does nothing", &bench_policy_proxmox,
	  1012000, 0, 1, { D(1, 1 * M, 8 * M, 4 * M, 900000) }, { 4 * M } },
	/* ... but free memory 5 MiB short of the host target is not */
	{ "proxmox: no deadband below the host target", &bench_policy_proxmox,
	  1012000, 1017120, 1, { D(1, 1 * M, 8 * M, 4 * M, 900000) },
	  { 4 * M - 10241 } },
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
		    .host_target_kib = cases[i].host_target_kib };

		assert_int_equal(cases[i].p->compute(&in, got), 0);
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
 * Random settled hosts: every target within [dmin, dmax], the same twice,
 * and the guests together never grow by more than is free beyond the host
 * target (a little for qmemman's rounding).
 */
static void
test_properties(void **state)
{
	const struct policy	*ps[] = { &bench_policy_qmemman,
				    &bench_policy_proxmox };
	struct hv_domain	 doms[8];
	int64_t			 got[8], again[8], grow, give;
	uint64_t		 seed = 5;
	size_t			 round, i, n, k;

	(void)state;
	for (round = 0; round < 4000; round++) {
		n = 1 + lcg(&seed) % 8;
		for (i = 0; i < n; i++) {
			int64_t	min = (int64_t)(lcg(&seed) % 4000000);
			int64_t	max = min + (int64_t)(lcg(&seed) % 8000000);
			int64_t	tgt = min + (int64_t)(lcg(&seed) %
				    (uint64_t)(max - min + 1));
			int64_t	used = lcg(&seed) % 4 == 0 ? -1 :
				    (int64_t)(lcg(&seed) % 12000000);

			doms[i] = (struct hv_domain)D((int32_t)i, min, max,
			    tgt, used);
			doms[i].weight = (int32_t)(lcg(&seed) % 400);
		}
		struct policy_input in = { .doms = doms, .ndoms = n,
		    .host_free_kib = (int64_t)(lcg(&seed) % 20000000),
		    .host_target_kib = (int64_t)(lcg(&seed) % 8000000) };

		give = in.host_free_kib - in.host_target_kib;
		for (k = 0; k < 2; k++) {
			assert_int_equal(ps[k]->compute(&in, got), 0);
			assert_int_equal(ps[k]->compute(&in, again), 0);
			grow = 0;
			for (i = 0; i < n; i++) {
				assert_int_equal(got[i], again[i]);
				assert_true(got[i] >= doms[i].dyn_min_kib);
				assert_true(got[i] <= doms[i].dyn_max_kib);
				grow += got[i] - doms[i].actual_kib;
			}
			if (grow > (give > 0 ? give : 0) + (int64_t)n) {
				print_error("%s: grows %lld, %lld free beyond "
				    "the host target\n", ps[k]->name,
				    (long long)grow, (long long)give);
				for (i = 0; i < n; i++)
					print_error("  [%lld, %lld] at %lld "
					    "uses %lld: %lld\n",
					    (long long)doms[i].dyn_min_kib,
					    (long long)doms[i].dyn_max_kib,
					    (long long)doms[i].actual_kib,
					    (long long)(doms[i].has_mem_used ?
					    doms[i].mem_used_kib : -1),
					    (long long)got[i]);
			}
			assert_true(grow <= (give > 0 ? give : 0) +
			    (int64_t)n);
		}
	}
}

static void
test_registry(void **state)
{
	struct policy_input	in = { .doms = NULL, .ndoms = 1 };
	int64_t			t;

	(void)state;
	assert_ptr_equal(bench_policy_find("qmemman-reimpl"),
	    &bench_policy_qmemman);
	assert_ptr_equal(bench_policy_find("proxmox-reimpl"),
	    &bench_policy_proxmox);
	assert_ptr_equal(bench_policy_find("pressure"), &policy_pressure);
	assert_null(bench_policy_find("qmemman"));
	/* the daemon does not know them */
	assert_null(policy_find("qmemman-reimpl"));
	assert_null(policy_find("proxmox-reimpl"));
	assert_int_equal(bench_policy_poll_ms(&bench_policy_proxmox), 10000);
	assert_int_equal(bench_policy_poll_ms(&policy_pressure), 0);
	assert_int_equal(bench_policy_qmemman.compute(&in, &t), -22);
	assert_int_equal(bench_policy_proxmox.compute(&in, &t), -22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
