/*
 * weighted.c: the surplus shared by weight (memory/weight, default 100).
 *
 * The budget is proportional's (policy_budget: the surplus, at most the sum
 * of the ranges).  Each domain gets dynamic-min plus budget x weight / total
 * weight, but never more than its range; what a capped domain cannot take
 * goes to the others by weight again (water-filling).  All integer KiB:
 * shares are floored, and the few KiB the floors leave go one each to the
 * uncapped domains in input order, so the targets add up to exactly
 * dynamic-mins + budget whenever some domain is below dynamic-max.
 */
#include "host.h"
#include "policy.h"

/* Is a domain at target_kib still below dynamic-max (takes a share)? */
static bool
weighted_open(const struct hv_domain *d, int64_t target_kib)
{
	return target_kib < d->dyn_min_kib + host_range(d);
}

/*
 * Cap, at dynamic-max, every open domain whose share of left_kib would
 * reach it; returns how much the capped ones took (0: none capped, the
 * level is final).  Capping a domain gives it less than its share, which
 * only raises the others', so one pass may cap many.
 */
static int64_t
weighted_cap(const struct policy_input *in, int64_t left_kib,
    int64_t *targets)
{
	const struct hv_domain	*d;
	int64_t			 weight = 0, taken = 0;
	size_t			 i;

	for (i = 0; i < in->ndoms; i++)
		if (weighted_open(&in->doms[i], targets[i]))
			weight += host_weight(&in->doms[i]);
	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!weighted_open(d, targets[i]) ||
		    policy_muldiv(left_kib, host_weight(d), weight) <
		    host_range(d))
			continue;
		targets[i] = d->dyn_min_kib + host_range(d);
		taken += host_range(d);
	}
	return taken;
}

/* Share left_kib among the open domains by weight; floors, then +1s. */
static void
weighted_share(const struct policy_input *in, int64_t left_kib,
    int64_t *targets)
{
	int64_t	weight = 0, given = 0, share;
	size_t	i;

	for (i = 0; i < in->ndoms; i++)
		if (weighted_open(&in->doms[i], targets[i]))
			weight += host_weight(&in->doms[i]);
	for (i = 0; i < in->ndoms; i++) {
		if (!weighted_open(&in->doms[i], targets[i]))
			continue;
		share = policy_muldiv(left_kib, host_weight(&in->doms[i]),
		    weight);
		targets[i] += share;
		given += share;
	}
	/* fewer KiB left than open domains, each below its range by >= 1 */
	for (i = 0; i < in->ndoms && given < left_kib; i++)
		if (weighted_open(&in->doms[i], targets[i])) {
			targets[i]++;
			given++;
		}
}

static int
weighted_compute(const struct policy_input *in, int64_t *ret_targets)
{
	int64_t	left_kib, taken;
	size_t	i;
	int	rc;

	if ((rc = policy_check(in, ret_targets)) < 0)
		return rc;
	left_kib = policy_budget(in);
	for (i = 0; i < in->ndoms; i++)
		ret_targets[i] = in->doms[i].dyn_min_kib;
	while ((taken = weighted_cap(in, left_kib, ret_targets)) > 0)
		left_kib -= taken;
	weighted_share(in, left_kib, ret_targets);
	return 0;
}

const struct policy policy_weighted = {
	.name		= "weighted",
	.description	= "surplus shared by memory/weight (default 100)",
	.compute	= weighted_compute,
};
