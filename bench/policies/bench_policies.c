/*
 * bench_policies.c: what "make bench-policy" compares, searched by name:
 * the daemon's policies and the benchmark's re-implementations.
 */
#include <stddef.h>
#include <string.h>

#include "bench_policies.h"
#include "policy.h"

static const struct policy *const bench_policy_list[] = {
	&policy_proportional,
	&policy_weighted,
	&policy_pressure,
	&bench_policy_qmemman,
	&bench_policy_proxmox,
	NULL,
};

const struct policy *const *
bench_policies(void)
{
	return bench_policy_list;
}

uint64_t
bench_policy_poll_ms(const struct policy *p)
{
	return p == &bench_policy_proxmox ? 10000 : 0;	/* pvestatd */
}

const struct policy *
bench_policy_find(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && bench_policy_list[i] != NULL; i++)
		if (strcmp(bench_policy_list[i]->name, name) == 0)
			return bench_policy_list[i];
	return NULL;
}
