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
 * share the rest of the budget, the pool (policy_budget less the others'
 * targets).  Above dynamic-min a guest needs need = want - dmin and uses
 * use = used - dmin (within [0, need]):
 *
 *  - short (the uses add up to more than the pool): each gets dmin +
 *    min(use, level x need), the level such that they add up to the pool:
 *    all shrunk towards dmin alike by need, but none given more than it
 *    uses while another is short of what it uses;
 *  - enough for the uses, not for the needs: each gets its use, and the
 *    rest of the pool goes by what each still needs (need - use): what a
 *    guest uses comes before anyone's headroom;
 *  - plenty (the needs fit): each keeps what it holds (its current
 *    target, when inside its range) or its want if that is more; if the
 *    keeps fit, what is left goes by the headroom still free (range -
 *    keep), the same fraction of it for every guest, as proportional does,
 *    so no memory is left idle; if they do not, those holding more than
 *    their want give back in proportion to that excess, never below it.
 *    Memory moves only as far as the wants make it: a guest whose use
 *    falls keeps its memory until another needs it, and a guest whose use
 *    rises takes only what it lacks, from those with memory to spare
 *    (before, every change in one guest's want reshared everybody's
 *    headroom: most of the balloon churn, for no guest's benefit).
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

/*
 * What a guest keeps above dynamic-min when there is plenty: its need, or
 * what its current target holds if that is more (and inside its range).
 */
static int64_t
pressure_keep(const struct hv_domain *d)
{
	int64_t	n = pressure_need(d), held = d->target_kib - d->dyn_min_kib;

	if (held < 0 || held > host_range(d) || held < n)
		return n;
	return held;
}

/* used - dynamic-min, in [0, need]: what it uses of what it needs. */
static int64_t
pressure_use(const struct hv_domain *d)
{
	int64_t	u = d->mem_used_kib - d->dyn_min_kib, n = pressure_need(d);

	if (u < 0)
		return 0;
	return u < n ? u : n;
}

/* Is use <= level x need, the level being num / den (den > 0)? */
static bool
pressure_capped(const struct hv_domain *d, int64_t num, int64_t den)
{
	return (unsigned __int128)pressure_use(d) * (unsigned __int128)den <=
	    (unsigned __int128)num * (unsigned __int128)pressure_need(d);
}

/*
 * Short: the level num / den at which min(use, level x need) over the
 * reporting domains adds up to pool_kib (< the uses).  Capping a domain
 * at its use leaves more for the others, which only raises the level, so
 * each pass caps at least one more, or is the last (water-filling).
 */
static void
pressure_level(const struct policy_input *in, int64_t pool_kib,
    int64_t needs, int64_t *ret_num, int64_t *ret_den)
{
	const struct hv_domain	*d;
	int64_t			 num = pool_kib, den = needs, capped, open;
	size_t			 i, pass;

	for (pass = 0; pass <= in->ndoms; pass++) {
		capped = open = 0;
		for (i = 0; i < in->ndoms; i++) {
			d = &in->doms[i];
			if (!pressure_reports(d))
				continue;
			if (pressure_capped(d, num, den))
				capped += pressure_use(d);
			else
				open += pressure_need(d);
		}
		if (open == 0 || (unsigned __int128)(pool_kib - capped) *
		    (unsigned __int128)den == (unsigned __int128)num *
		    (unsigned __int128)open)
			break;
		num = pool_kib - capped;
		den = open;
	}
	*ret_num = num;
	*ret_den = den;
}

/* Share pool_kib among the reporting domains: their ideal targets. */
static void
pressure_divide(const struct policy_input *in, int64_t pool_kib,
    int64_t *targets)
{
	const struct hv_domain	*d;
	int64_t			 needs = 0, uses = 0, keeps = 0, room = 0;
	int64_t			 n, u, k, extra, num = 0, den = 1;
	size_t			 i;

	for (i = 0; i < in->ndoms; i++)
		if (pressure_reports(&in->doms[i])) {
			needs += pressure_need(&in->doms[i]);
			uses += pressure_use(&in->doms[i]);
			keeps += k = pressure_keep(&in->doms[i]);
			room += host_range(&in->doms[i]) - k;
		}
	if (uses > pool_kib)
		pressure_level(in, pool_kib, needs, &num, &den);
	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!pressure_reports(d))
			continue;
		n = pressure_need(d);
		u = pressure_use(d);
		k = pressure_keep(d);
		if (uses > pool_kib)		/* short of the uses */
			extra = pressure_capped(d, num, den) ? u :
			    policy_muldiv(num, n, den);
		else if (needs >= pool_kib)	/* uses first */
			extra = u + policy_muldiv(pool_kib - uses, n - u,
			    needs - uses);
		else if (keeps <= pool_kib)
			extra = k + policy_muldiv(pool_kib - keeps,
			    host_range(d) - k, room);
		else		/* the excess above the wants gives way */
			extra = n + policy_muldiv(pool_kib - needs, k - n,
			    keeps - needs);
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
