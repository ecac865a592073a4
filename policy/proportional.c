/*
 * proportional.c: squeezed's Proportional.compute_target_adjustments.
 *
 * Every domain gets the same fraction gamma of its dynamic range, where
 * gamma is the surplus (what would be free with every domain at
 * dynamic-min, less the host target) over the sum of the ranges.  The
 * arithmetic is squeezed's to the KiB: int64 sums, gamma in IEEE double
 * clamped to [0, 1] with NaN mapped to 0, and targets truncated toward zero.
 */
#include <errno.h>
#include <math.h>

#include "host.h"
#include "policy.h"

/* Clamp gamma' into [0, 1] in squeezed's order: <0, >1, NaN. */
static double
proportional_constrain(double g)
{
	if (g < 0.0)
		return 0.0;
	if (g > 1.0)
		return 1.0;
	if (isnan(g))
		return 0.0;
	return g;
}

static int
proportional_compute(const struct policy_input *in, int64_t *ret_targets)
{
	int64_t		 max_free_kib, surplus_kib, total_range_kib = 0;
	double		 gamma;
	size_t		 i;

	if (in == NULL || ret_targets == NULL ||
	    (in->ndoms > 0 && in->doms == NULL))
		return -EINVAL;
	max_free_kib = in->host_free_kib;
	for (i = 0; i < in->ndoms; i++) {
		max_free_kib += host_min_freeable(&in->doms[i],
		    in->inaccuracy_compensation);
		total_range_kib += host_range(&in->doms[i]);
	}
	surplus_kib = max_free_kib - in->host_target_kib;
	if (surplus_kib < 0)
		surplus_kib = 0;
	gamma = proportional_constrain((double)surplus_kib /
	    (double)total_range_kib);
	for (i = 0; i < in->ndoms; i++)
		ret_targets[i] = in->doms[i].dyn_min_kib +
		    (int64_t)(gamma * (double)host_range(&in->doms[i]));
	return 0;
}

const struct policy policy_proportional = {
	.name		= "proportional",
	.description	= "same fraction of every dynamic range (squeezed)",
	.compute	= proportional_compute,
};
