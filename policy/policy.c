/*
 * policy.c: the registry of balancing policies, searched by name, and the
 * arithmetic they share.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "host.h"
#include "policy.h"

static const struct policy *const policies[] = {
	&policy_proportional,
	&policy_weighted,
	&policy_pressure,
	NULL,
};

const struct policy *
policy_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; policies[i] != NULL; i++)
		if (strcmp(policies[i]->name, name) == 0)
			return policies[i];
	return NULL;
}

const struct policy *const *
policy_all(void)
{
	return policies;
}

int
policy_check(const struct policy_input *in, const int64_t *ret_targets)
{
	if (in == NULL || ret_targets == NULL ||
	    (in->ndoms > 0 && in->doms == NULL))
		return -EINVAL;
	return 0;
}

int64_t
policy_budget(const struct policy_input *in)
{
	int64_t	max_free_kib = in->host_free_kib, total_range_kib = 0;
	int64_t	surplus_kib;
	size_t	i;

	for (i = 0; i < in->ndoms; i++) {
		max_free_kib += host_min_freeable(&in->doms[i],
		    in->inaccuracy_compensation);
		total_range_kib += host_range(&in->doms[i]);
	}
	surplus_kib = max_free_kib - in->host_target_kib;
	if (surplus_kib < 0)
		return 0;
	return surplus_kib < total_range_kib ? surplus_kib : total_range_kib;
}

int64_t
policy_muldiv(int64_t a, int64_t b, int64_t c)
{
	if (a <= 0 || b <= 0 || c <= 0)
		return 0;
	return (int64_t)((unsigned __int128)a * (unsigned __int128)b /
	    (unsigned __int128)c);
}
