/*
 * pressure.c: memory where the guests use it.
 *
 * A guest that reports its memory use (data/meminfo_total and _free, and
 * optionally data/memory-pressure, PSI "some avg10") wants
 *
 *	want = used x 1.25 x (1 + avg10 / 100),	clamped to [dmin, dmax]
 *
 * Every other domain gets exactly what proportional gives it, so a guest
 * that says nothing (or garbage) is balanced as squeezed would, and what a
 * guest says can only move memory among the guests that report.  Those
 * share the rest of the budget (policy_budget less the others' targets):
 *
 *  - short (the needs, want - dmin, add up to more): each gets dmin +
 *    rest x need / total need, all shrunk towards dmin alike;
 *  - plenty: each gets its want, and what is left goes by the headroom
 *    still free (range - need), the same fraction of it for every guest,
 *    as proportional does, so no memory is left idle.
 *
 * Then, so that targets do not churn, for a reporting domain whose current
 * target is inside its range: a new target within the hysteresis band of
 * the current one keeps the current one, and a target goes up by at most a
 * step per call (the engine calls once per iteration); down is never
 * capped, so freeing memory is never slowed.  A kept target above its new
 * one is dropped (all of them) if keeping would overspend the budget.
 * All integer KiB, floors; deterministic.
 */
#include "host.h"
#include "policy.h"

#define PRESSURE_HEADROOM_PCT	125	/* want = used x 1.25 ... */
#define PRESSURE_PSI_ONE	10000	/* ... x (1 + avg10/100), x100 */
#define PRESSURE_HYST_PCT	2	/* band: 2 % of the current target, */
#define PRESSURE_HYST_MIN_KIB	2048	/* at least 2 MiB */
#define PRESSURE_STEP_PCT	10	/* up: 10 % of the range per call, */
#define PRESSURE_STEP_MIN_KIB	65536	/* at least 64 MiB, a granule */

/* Does the guest report its memory use? */
static bool
pressure_reports(const struct hv_domain *d)
{
	return d->has_mem_used && d->mem_used_kib >= 0 &&
	    d->mem_used_kib <= HOST_MAX_KIB;
}

/* want - dynamic-min, in [0, range]. */
static int64_t
pressure_need(const struct hv_domain *d)
{
	int64_t	psi = 0, want;

	if (d->has_pressure && d->pressure_avg10_x100 >= 0 &&
	    d->pressure_avg10_x100 <= HOST_PRESSURE_MAX_X100)
		psi = d->pressure_avg10_x100;
	want = policy_muldiv(d->mem_used_kib, PRESSURE_HEADROOM_PCT *
	    (PRESSURE_PSI_ONE + psi), 100 * PRESSURE_PSI_ONE) - d->dyn_min_kib;
	if (want < 0)
		return 0;
	return want < host_range(d) ? want : host_range(d);
}

/* Share pool_kib among the reporting domains: their ideal targets. */
static void
pressure_divide(const struct policy_input *in, int64_t pool_kib,
    int64_t *targets)
{
	const struct hv_domain	*d;
	int64_t			 needs = 0, room = 0, n, extra;
	size_t			 i;

	for (i = 0; i < in->ndoms; i++)
		if (pressure_reports(&in->doms[i])) {
			n = pressure_need(&in->doms[i]);
			needs += n;
			room += host_range(&in->doms[i]) - n;
		}
	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!pressure_reports(d))
			continue;
		n = pressure_need(d);
		if (needs >= pool_kib)
			extra = policy_muldiv(pool_kib, n, needs);
		else
			extra = n + policy_muldiv(pool_kib - needs,
			    host_range(d) - n, room);
		if (extra > host_range(d))
			extra = host_range(d);
		targets[i] = d->dyn_min_kib + extra;
	}
}

/* Hysteresis and the step cap: the target to set instead of ideal. */
static int64_t
pressure_smooth(const struct policy_input *in, const struct hv_domain *d,
    int64_t ideal_kib, bool hold_down)
{
	int64_t	cur = d->target_kib, band, step;

	if (!pressure_reports(d) || cur < d->dyn_min_kib ||
	    cur > d->dyn_min_kib + host_range(d))
		return ideal_kib;
	band = cur / 100 * PRESSURE_HYST_PCT;
	if (band < PRESSURE_HYST_MIN_KIB)
		band = PRESSURE_HYST_MIN_KIB;
	step = host_range(d) / 100 * PRESSURE_STEP_PCT;
	if (step < PRESSURE_STEP_MIN_KIB)
		step = PRESSURE_STEP_MIN_KIB;
	if (step < in->granularity_kib)
		step = in->granularity_kib;	/* or quantising stalls */
	if (ideal_kib > cur) {
		if (ideal_kib - cur <= band)
			return cur;
		return ideal_kib - cur > step ? cur + step : ideal_kib;
	}
	return hold_down && cur - ideal_kib <= band ? cur : ideal_kib;
}

/* What the reporting domains would hold above dynamic-min, smoothed. */
static int64_t
pressure_spend(const struct policy_input *in, const int64_t *ideals,
    bool hold_down)
{
	int64_t	sum = 0;
	size_t	i;

	for (i = 0; i < in->ndoms; i++)
		if (pressure_reports(&in->doms[i]))
			sum += pressure_smooth(in, &in->doms[i], ideals[i],
			    hold_down) - in->doms[i].dyn_min_kib;
	return sum;
}

static int
pressure_compute(const struct policy_input *in, int64_t *ret_targets)
{
	int64_t	pool_kib;
	size_t	i;
	bool	hold_down;
	int	rc;

	if ((rc = policy_check(in, ret_targets)) < 0 ||
	    (rc = policy_proportional.compute(in, ret_targets)) < 0)
		return rc;
	pool_kib = policy_budget(in);
	for (i = 0; i < in->ndoms; i++)
		if (!pressure_reports(&in->doms[i]))
			pool_kib -= ret_targets[i] - in->doms[i].dyn_min_kib;
	if (pool_kib < 0)
		pool_kib = 0;
	pressure_divide(in, pool_kib, ret_targets);
	hold_down = pressure_spend(in, ret_targets, true) <= pool_kib;
	for (i = 0; i < in->ndoms; i++)
		ret_targets[i] = pressure_smooth(in, &in->doms[i],
		    ret_targets[i], hold_down);
	return 0;
}

const struct policy policy_pressure = {
	.name		= "pressure",
	.description	= "memory where guests use it (meminfo, PSI)",
	.compute	= pressure_compute,
};
