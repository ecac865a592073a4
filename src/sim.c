/*
 * sim.c: the simulated host.  The balloon physics are squeezed's simulator
 * (squeeze_test.ml) to the KiB: time in IEEE double seconds, moves of
 * trunc(dt * rate), a balloon stopping inaccuracy KiB short of its target.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const char *const sim_model_names[] = {
	[SIM_NORMAL]		= "normal",
	[SIM_FLOOR]		= "floor",
	[SIM_CEILING]		= "ceiling",
	[SIM_STUCK]		= "stuck",
	[SIM_INTERMITTENT]	= "intermittent",
	[SIM_NONE]		= "none",
	[SIM_TRICKLE]		= "trickle",
};

int
sim_model_parse(const char *s, enum sim_model *ret)
{
	size_t	i;

	for (i = 0; i < sizeof(sim_model_names) / sizeof(*sim_model_names); i++)
		if (strcmp(s, sim_model_names[i]) == 0) {
			*ret = (enum sim_model)i;
			return 0;
		}
	return -EINVAL;
}

struct sim_key {
	int32_t	domid;
	size_t	idx;
};

static int
sim_cmp_key(const void *a, const void *b)
{
	int32_t	x = ((const struct sim_key *)a)->domid;
	int32_t	y = ((const struct sim_key *)b)->domid;

	return (x > y) - (x < y);
}

int
sim_host_init(struct sim_host *h, struct sim_dom *doms, size_t n,
    int64_t free_kib)
{
	struct sim_key	*keys;
	size_t		 i;
	int		 rc;

	memset(h, 0, sizeof(*h));
	keys = calloc(n + 1, sizeof(*keys));
	h->by_domid = calloc(n + 1, sizeof(*h->by_domid));
	h->snap = calloc(n + 1, sizeof(*h->snap));
	if (keys == NULL || h->by_domid == NULL || h->snap == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		keys[i] = (struct sim_key){ doms[i].d.domid, i };
	qsort(keys, n, sizeof(*keys), sim_cmp_key);
	for (i = 0; i < n; i++) {
		if (i > 0 && keys[i - 1].domid == keys[i].domid) {
			rc = -EEXIST;
			goto out;
		}
		h->by_domid[i] = keys[i].idx;
	}
	h->doms = doms;
	h->ndoms = n;
	h->free_kib = free_kib;
	rc = 0;
out:
	free(keys);
	if (rc < 0) {
		free(h->by_domid);
		free(h->snap);
		memset(h, 0, sizeof(*h));
	}
	return rc;
}

/* Re-create h over doms[n], keeping the clock and the free memory. */
static int
sim_host_rebuild(struct sim_host *h, struct sim_dom *doms, size_t n)
{
	struct sim_host	nh;
	int		rc;

	if ((rc = sim_host_init(&nh, doms, n, h->free_kib)) < 0)
		return rc;
	nh.reserved_kib = h->reserved_kib;
	nh.now_ms = h->now_ms;
	nh.pins = h->pins;
	nh.npins = h->npins;
	nh.stats = h->stats;
	free(h->by_domid);
	free(h->snap);
	if (h->doms != doms)
		free(h->doms);
	*h = nh;
	return 0;
}

int
sim_host_add(struct sim_host *h, const struct sim_dom *d)
{
	struct sim_dom	*doms;
	int		 rc;

	if (sim_find(h, d->d.domid) != NULL)
		return -EEXIST;
	if ((doms = malloc((h->ndoms + 1) * sizeof(*doms))) == NULL)
		return -ENOMEM;
	if (h->ndoms > 0)
		memcpy(doms, h->doms, h->ndoms * sizeof(*doms));
	doms[h->ndoms] = *d;
	if ((rc = sim_host_rebuild(h, doms, h->ndoms + 1)) < 0)
		free(doms);
	return rc;
}

int
sim_host_remove(struct sim_host *h, int32_t domid)
{
	struct sim_dom	*doms, *victim = sim_find(h, domid);
	size_t		 i, n = 0;
	int		 rc;

	if (victim == NULL)
		return -ENOENT;
	if ((doms = malloc((h->ndoms + 1) * sizeof(*doms))) == NULL)
		return -ENOMEM;
	for (i = 0; i < h->ndoms; i++)
		if (&h->doms[i] != victim)
			doms[n++] = h->doms[i];
	if ((rc = sim_host_rebuild(h, doms, n)) < 0)
		free(doms);
	return rc;
}

void
sim_host_dispose(struct sim_host *h)
{
	if (h == NULL)
		return;
	free(h->doms);
	free(h->by_domid);
	free(h->snap);
	free(h->pins);
	memset(h, 0, sizeof(*h));
}

int
sim_pin(struct sim_host *h, int32_t domid, int64_t kib)
{
	struct sim_pin	*v;
	size_t		 i;

	for (i = 0; i < h->npins && h->pins[i].domid != domid; i++)
		;
	if (kib < 0) {
		if (i < h->npins)
			h->pins[i] = h->pins[--h->npins];
		return 0;
	}
	if (i == h->npins) {
		if ((v = realloc(h->pins, (h->npins + 1) * sizeof(*v))) ==
		    NULL)
			return -ENOMEM;
		h->pins = v;
		h->npins++;
	}
	h->pins[i] = (struct sim_pin){ domid, kib };
	return 0;
}

/*
 * The memory use a guest reports at now_ms (its "used-kib-at" series; time
 * only moves forward, so the points already passed are not read again).
 * Returns how many points it passed.
 */
static uint64_t
sim_guest(struct sim_dom *s, uint64_t now_ms)
{
	uint64_t	n = 0;

	for (; s->used_next < s->nused_at &&
	    s->used_at[s->used_next].t_ms <= now_ms; s->used_next++, n++) {
		s->d.has_mem_used = true;
		s->d.mem_used_kib = s->used_at[s->used_next].used_kib;
	}
	return n;
}

void
sim_snapshot(struct sim_host *h, struct host_snapshot *ret)
{
	size_t	i;

	for (i = 0; i < h->ndoms; i++) {
		h->stats.reports += sim_guest(&h->doms[h->by_domid[i]],
		    h->now_ms);
		h->snap[i] = h->doms[h->by_domid[i]].d;
	}
	for (i = 0; i < h->npins; i++) {	/* migrating: range fixed */
		long	k = -1;
		size_t	j;

		for (j = 0; j < h->ndoms; j++)
			if (h->snap[j].domid == h->pins[i].domid)
				k = (long)j;
		if (k >= 0)
			h->snap[k].dyn_min_kib = h->snap[k].dyn_max_kib =
			    h->pins[i].kib;
	}
	ret->doms = h->snap;
	ret->ndoms = h->ndoms;
	ret->free_kib = h->free_kib - h->reserved_kib;
}

struct sim_dom *
sim_find(struct sim_host *h, int32_t domid)
{
	size_t	lo = 0, hi = h->ndoms, mid;
	int32_t	d;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = h->doms[h->by_domid[mid]].d.domid;
		if (d == domid)
			return &h->doms[h->by_domid[mid]];
		if (d < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* squeezed's compute_memory_actual_delta. */
static int64_t
sim_step(const struct hv_domain *d, int64_t rate_kib_s, double dt)
{
	int64_t	max_change = (int64_t)(dt * (double)rate_kib_s);
	int64_t	vector = d->actual_kib > d->target_kib ? -1 : 1;
	int64_t	distance = (d->target_kib - d->actual_kib) * vector;

	distance -= d->inaccuracy_kib;
	if (distance < 0)
		distance = 0;
	if (distance > max_change)
		distance = max_change;
	return distance * vector;
}

/* squeezed's intermittently_stuck_vm: frozen in odd periods. */
static bool
sim_notstuck(double t, double period_s)
{
	return (int64_t)(t / period_s) % 2 == 0;
}

/* How far a balloon wants to move over [last, t]. */
static int64_t
sim_delta(const struct sim_dom *s, double last, double t)
{
	const struct hv_domain	*d = &s->d;
	double			 dt = t - last;
	int64_t			 delta, proposed;

	switch (s->b.model) {
	case SIM_STUCK:
	case SIM_NONE:
		return 0;
	case SIM_INTERMITTENT:
		if (!sim_notstuck(last, s->b.period_s) ||
		    !sim_notstuck(last + dt, s->b.period_s))
			dt = 0.0;
		return sim_step(d, s->b.rate_kib_s, dt);
	case SIM_FLOOR:
		delta = sim_step(d, s->b.rate_kib_s, dt);
		proposed = d->actual_kib + delta;
		if (proposed > d->actual_kib || proposed > s->b.limit_kib)
			return delta;
		return s->b.limit_kib - d->actual_kib;
	case SIM_CEILING:
		delta = sim_step(d, s->b.rate_kib_s, dt);
		proposed = d->actual_kib + delta;
		return proposed < s->b.limit_kib ? delta :
		    s->b.limit_kib - d->actual_kib;
	case SIM_TRICKLE:	/* e.g. a page every 4 s: alive, barely */
		dt = s->b.period_s * (double)((int64_t)(t / s->b.period_s) -
		    (int64_t)(last / s->b.period_s));
		return sim_step(d, s->b.rate_kib_s, dt);
	case SIM_NORMAL:
		break;
	}
	return sim_step(d, s->b.rate_kib_s, dt);
}

/* How far a guest's memory is below what it reports using (0: not short). */
static int64_t
sim_short(const struct hv_domain *d)
{
	if (!d->has_mem_used || d->mem_used_kib <= d->actual_kib)
		return 0;
	return d->mem_used_kib - d->actual_kib;
}

/* Move every balloon, in scenario order, to time t_ms. */
static int
sim_update(struct sim_host *h, uint64_t t_ms, bool strict, char *err,
    size_t errlen)
{
	struct sim_dom	*s;
	int64_t		 delta, before, total_short = 0;
	double		 t = (double)t_ms / 1000.0, dt;
	size_t		 i;

	for (i = 0; i < h->ndoms; i++) {
		s = &h->doms[i];
		h->stats.reports += sim_guest(s, h->now_ms);
		before = sim_short(&s->d);
		dt = t - (double)h->now_ms / 1000.0;
		delta = sim_delta(s, (double)s->last_update_ms / 1000.0, t);
		if (delta > 0 && s->d.actual_kib + delta > s->d.maxmem_kib)
			delta = s->d.maxmem_kib > s->d.actual_kib ?
			    s->d.maxmem_kib - s->d.actual_kib : 0;
		if (delta > h->free_kib) {
			if (strict) {
				snprintf(err, errlen, "domain %" PRId32
				    " tried to allocate %" PRId64 " KiB with %"
				    PRId64 " KiB free", s->d.domid, delta,
				    h->free_kib);
				return -ENOSPC;
			}
			delta = h->free_kib > 0 ? h->free_kib : 0;
		}
		s->d.actual_kib += delta;
		h->free_kib -= delta;
		s->last_update_ms = t_ms;
		h->stats.churn_kib += delta < 0 ? -delta : delta;
		total_short += sim_short(&s->d);
		if (before > 0 || sim_short(&s->d) > 0) {
			h->stats.pressure_kib_s += dt * (double)(before +
			    sim_short(&s->d)) / 2.0;
			h->stats.short_s += dt;
		}
	}
	if (total_short > h->stats.peak_short_kib)
		h->stats.peak_short_kib = total_short;
	return 0;
}

int
sim_advance(struct sim_host *h, uint64_t to_ms, bool strict, char *err,
    size_t errlen)
{
	int	rc;

	if (to_ms < h->now_ms)
		return -EINVAL;
	rc = sim_update(h, to_ms, strict, err, errlen);
	h->now_ms = to_ms;
	return rc;
}

static int
sim_set_target(void *ctx, int32_t domid, int64_t kib)
{
	struct sim_dom	*s = sim_find(ctx, domid);

	if (s == NULL)
		return -ENOENT;
	if (kib > s->d.maxmem_kib)	/* squeezed: "Target set above max_mem" */
		return -EINVAL;
	s->d.target_kib = kib;
	return 0;
}

static int
sim_set_maxmem(void *ctx, int32_t domid, int64_t kib)
{
	struct sim_dom	*s = sim_find(ctx, domid);

	if (s == NULL)
		return -ENOENT;
	if (s->d.can_balloon && s->d.target_kib > kib)
		return -EINVAL;	/* squeezed: "mem_max set below target" */
	s->d.maxmem_kib = kib;
	return 0;
}

const struct engine_apply_ops sim_apply_ops = {
	.set_target	= sim_set_target,
	.set_maxmem	= sim_set_maxmem,
};
