/*
 * model.c: squeezed's make_host and execute_action over the backend ops
 * (squeezed-reference sections 3.2-3.4).  One deliberate fix: the maxmem a
 * snapshot shows is Xen's less both offsets, the same number model_set_maxmem
 * adds them to, so an unchanged target never causes a maxmem write.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "conf.h"
#include "engine.h"
#include "model.h"

#define MODEL_XEN_OFFSET_KIB	1024	/* hvm, pvh, pv-in-pvh */

struct model {
	const struct backend_ops *be;
	void			*ctx;
	bool			 include_dom0;
	struct model_dom	*md;
	size_t			 nmd;
	struct hv_domain	*doms;
	struct host_snapshot	 snap;
	struct model_stats	 st;
	struct resv		*resv;	/* the record: authoritative */
	size_t			 nresv, capresv;
	bool			 resv_loaded;
	struct resv_pin		*pins;	/* likewise */
	size_t			 npins, cappins;
	bool			 pins_loaded;
	bool			 stale;	/* the record changed since the read */
	bool			 lost;	/* the store went away mid-read */
	int64_t			 dom0_floor_kib;
	struct conf_range_rule	 rules[CONF_RANGE_RULES_MAX];
	size_t			 nrules;
};

/* A domain's view while it is being read. */
struct model_read {
	bool	can_balloon, updated;
	int64_t	tot_kib;
};

struct model *
model_new(const struct backend_ops *be, void *ctx, bool include_dom0)
{
	struct model	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->be = be;
	m->ctx = ctx;
	m->include_dom0 = include_dom0;
	return m;
}

void
model_set_dom0(struct model *m, bool include_dom0, int64_t floor_kib)
{
	m->include_dom0 = include_dom0;
	m->dom0_floor_kib = floor_kib;
}

void
model_set_rules(struct model *m, const struct conf_range_rule *r, size_t n)
{
	if (n > CONF_RANGE_RULES_MAX)
		n = CONF_RANGE_RULES_MAX;
	memcpy(m->rules, r, n * sizeof(*r));
	m->nrules = n;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	free(m->md);
	free(m->doms);
	free(m->resv);
	free(m->pins);
	free(m);
}

static int
model_path(char *buf, size_t len, int32_t domid, const char *key)
{
	int	n = snprintf(buf, len, "/local/domain/%" PRId32 "/%s", domid,
	    key);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool
model_exists(struct model *m, int32_t domid, const char *key)
{
	char	path[128], *v;
	int	rc;

	if (model_path(path, sizeof(path), domid, key) < 0)
		return false;
	if ((rc = m->be->read(m->ctx, path, &v)) < 0) {
		m->lost |= rc == -EPIPE;
		return false;
	}
	free(v);
	return true;
}

/* A KiB value: -ENOENT absent, -EINVAL not a number in [min, max]. */
static int
model_read_int(struct model *m, int32_t domid, const char *key, int64_t min,
    int64_t max, int64_t *ret)
{
	char	path[128], *v;
	int64_t	x;
	int	rc, neg;

	if ((rc = model_path(path, sizeof(path), domid, key)) < 0)
		return rc;
	if ((rc = m->be->read(m->ctx, path, &v)) < 0) {
		m->lost |= rc == -EPIPE;
		return rc;
	}
	neg = v[0] == '-' && min < 0;
	rc = conf_parse_int(v + neg, neg ? -min : max, &x);
	free(v);
	if (rc < 0)
		return -EINVAL;
	*ret = neg ? -x : x;
	return 0;
}

/*
 * The domain's name and static-max.  The toolstack writes both where the
 * guest cannot; a name that is not printable ASCII is left unknown all the
 * same, so nothing downstream (logs, JSON, a terminal) sees odd bytes.
 */
static void
model_name(struct model *m, struct model_dom *md)
{
	char		 path[128], *v;
	const char	*p;
	int		 rc;

	md->name[0] = '\0';
	if (model_read_int(m, md->domid, "memory/static-max", 0, HOST_MAX_KIB,
	    &md->static_max_kib) < 0)
		md->static_max_kib = -1;
	if (model_path(path, sizeof(path), md->domid, "name") < 0)
		return;
	if ((rc = m->be->read(m->ctx, path, &v)) < 0) {
		m->lost |= rc == -EPIPE;
		return;
	}
	for (p = v; *p >= ' ' && *p <= '~'; p++)
		;
	if (*p == '\0' && p > v && (size_t)(p - v) < sizeof(md->name))
		memcpy(md->name, v, (size_t)(p - v) + 1);
	free(v);
}

/* The xen offset of a domain type (squeezed's xen_max_offset_kib). */
static void
model_type(struct model *m, struct model_dom *md,
    const struct backend_dominfo *di)
{
	char	path[128], *v = NULL;

	if (md->type_known)
		return;
	md->xen_offset_kib = di->hvm ? MODEL_XEN_OFFSET_KIB : 0;
	if (model_path(path, sizeof(path), md->domid, "domain-type") == 0 &&
	    m->be->read(m->ctx, path, &v) == 0) {
		if (strcmp(v, "pv") == 0)
			md->xen_offset_kib = 0;
		else if (strcmp(v, "hvm") == 0 || strcmp(v, "pvh") == 0 ||
		    strcmp(v, "pv-in-pvh") == 0)
			md->xen_offset_kib = MODEL_XEN_OFFSET_KIB;
		free(v);
	}
	md->type_known = true;
}

/* memory-offset, calibrated and written the first time (3.2 step 4). */
static int
model_offset(struct model *m, struct model_dom *md, int64_t tot_kib)
{
	char	path[128], val[32];
	int64_t	target;
	int	rc;

	rc = model_read_int(m, md->domid, "memory/memory-offset",
	    -HOST_MAX_KIB, HOST_MAX_KIB, &md->mem_offset_kib);
	if (rc == -EINVAL)
		md->skip_why = "memory/memory-offset";
	if (rc == 0)
		md->offset_known = true;
	if (rc != -ENOENT)
		return rc;
	if (md->offset_known) {	/* a new, empty xenstored: keep ours */
		md->mem_offset_kib = md->known_offset_kib;
		snprintf(val, sizeof(val), "%" PRId64, md->mem_offset_kib);
		(void)model_path(path, sizeof(path), md->domid,
		    "memory/memory-offset");
		return m->be->write(m->ctx, path, val);
	}
	if ((rc = model_read_int(m, md->domid, "memory/target", 0,
	    HOST_MAX_KIB, &target)) < 0) {
		if (rc == -EINVAL)
			md->skip_why = "memory/target";
		return rc;
	}
	md->mem_offset_kib = tot_kib - target;
	md->offset_known = true;
	snprintf(val, sizeof(val), "%" PRId64, md->mem_offset_kib);
	(void)model_path(path, sizeof(path), md->domid, "memory/memory-offset");
	return m->be->write(m->ctx, path, val);
}

/*
 * A never-booted domain: inert, counted by its initial-reservation less
 * what it already has, its shadow allocation included (hvm; 0 on error).
 */
static int
model_unbooted(struct model *m, struct model_dom *md, int64_t actual,
    struct hv_domain *d)
{
	int64_t	shadow = 0, owed;
	int	rc;

	rc = model_read_int(m, md->domid, "memory/initial-reservation", 0,
	    HOST_MAX_KIB, &md->initial_kib);
	if (rc < 0) {
		md->initial_kib = -1;
		if (rc == -EINVAL)
			md->skip_why = "memory/initial-reservation";
		return rc;
	}
	if (md->xen_offset_kib > 0 && m->be->shadow != NULL &&
	    m->be->shadow(m->ctx, md->domid, &shadow) < 0)
		shadow = 0;
	if (md->initial_kib > actual + shadow) {
		owed = md->initial_kib - actual - shadow;
		m->st.unbooted_kib += owed;
		/* the claim made at transfer holds part of it already */
		m->st.covered_claims_kib += md->claim_kib < owed ?
		    md->claim_kib : owed;
	}
	d->dyn_min_kib = d->dyn_max_kib = d->target_kib = d->actual_kib =
	    d->maxmem_kib;
	d->can_balloon = false;
	md->dyn_min_kib = md->dyn_max_kib = d->maxmem_kib;
	return 0;
}

/*
 * What the toolstack (memory/weight) and the guest (data/meminfo_total,
 * data/meminfo_free, data/memory-pressure) say, for the weighted and
 * pressure policies.  Parsed strictly; a bad value stays unknown and is
 * never a reason to skip the domain.
 */
static void
model_guest(struct model *m, struct model_dom *md, struct hv_domain *d)
{
	char	path[128], *v;
	int64_t	x, total, avail;
	int	rc;

	if (model_read_int(m, md->domid, "memory/weight", 0, HOST_WEIGHT_MAX,
	    &x) == 0 && x >= 1)
		d->weight = (int32_t)x;
	if (model_read_int(m, md->domid, "data/meminfo_total", 0,
	    HOST_MAX_KIB, &total) == 0 && model_read_int(m, md->domid,
	    "data/meminfo_free", 0, HOST_MAX_KIB, &avail) == 0 &&
	    total > 0 && avail <= total) {
		d->has_mem_used = true;
		d->mem_used_kib = total - avail;
	}
	if (model_path(path, sizeof(path), md->domid,
	    "data/memory-pressure") < 0)
		return;
	if ((rc = m->be->read(m->ctx, path, &v)) < 0) {
		m->lost |= rc == -EPIPE;
		return;
	}
	if (host_parse_x100(v, HOST_PRESSURE_MAX_X100, &x) == 0) {
		d->has_pressure = true;
		d->pressure_avg10_x100 = (int32_t)x;
	}
	free(v);
}

/*
 * A guest balanced by a rule whose target someone else set (xl mem-set):
 * fixed there from now on, in xenstore, so it lasts and shows.
 */
static void
model_operator_target(struct model *m, struct model_dom *md,
    struct hv_domain *d)
{
	if (md->range_src != MODEL_RANGE_RULE || !md->has_own_target ||
	    d->target_kib == md->own_target_kib ||
	    d->target_kib == md->tried_target_kib)
		return;
	if (model_set_range(m, md->domid, d->target_kib, d->target_kib) < 0)
		return;		/* the rule holds; tried again next time */
	md->fixed_by_operator_kib = d->target_kib;
	md->range_src = MODEL_RANGE_XENSTORE;
	d->dyn_min_kib = d->dyn_max_kib = d->target_kib;
}

/*
 * Its dynamic range: xenstore's keys; or with neither key, the first
 * guest-range rule its name matches (within static-max, not under the
 * floor); or none, fixed at its target.
 */
static void
model_range(struct model *m, struct model_dom *md, struct hv_domain *d)
{
	const struct conf_range_rule	*r;
	int64_t				 floor;
	int				 rmin, rmax;

	rmin = model_read_int(m, md->domid, "memory/dynamic-min", 0,
	    HOST_MAX_KIB, &d->dyn_min_kib);
	rmax = model_read_int(m, md->domid, "memory/dynamic-max", 0,
	    HOST_MAX_KIB, &d->dyn_max_kib);
	md->range_src = MODEL_RANGE_XENSTORE;
	if (rmin == 0 && rmax == 0 && d->dyn_min_kib <= d->dyn_max_kib)
		return;
	md->range_src = MODEL_RANGE_NONE;
	d->dyn_min_kib = d->dyn_max_kib = d->target_kib;
	if (rmin != -ENOENT || rmax != -ENOENT || md->domid == 0 ||
	    md->static_max_kib <= 0 || (r = conf_range_match(m->rules,
	    m->nrules, md->name)) == NULL)
		return;
	conf_range_resolve(r, md->static_max_kib, &d->dyn_min_kib,
	    &d->dyn_max_kib);
	floor = conf_range_floor_kib(md->static_max_kib);
	if (floor > md->static_max_kib)
		floor = md->static_max_kib;	/* a tiny guest: fixed */
	if (d->dyn_max_kib < floor)
		d->dyn_max_kib = floor;
	if (d->dyn_min_kib < floor)
		d->dyn_min_kib = floor;
	md->range_src = MODEL_RANGE_RULE;
	model_operator_target(m, md, d);
}

/* A booted domain: its target and dynamic range. */
static int
model_booted(struct model *m, struct model_dom *md, struct hv_domain *d)
{
	int	rc;

	if ((rc = model_read_int(m, md->domid, "memory/target", 0,
	    HOST_MAX_KIB, &d->target_kib)) < 0) {
		if (rc == -EINVAL)
			md->skip_why = "memory/target";
		return rc;
	}
	model_range(m, md, d);
	if (md->domid == 0 && d->dyn_min_kib < m->dom0_floor_kib) {
		d->dyn_min_kib = m->dom0_floor_kib;	/* dom0's floor */
		if (d->dyn_max_kib < d->dyn_min_kib)
			d->dyn_max_kib = d->dyn_min_kib;
	}
	md->dyn_min_kib = d->dyn_min_kib;
	md->dyn_max_kib = d->dyn_max_kib;
	model_guest(m, md, d);
	return 0;
}

/* One domain into the snapshot (0), or skipped (< 0). */
static int
model_read_dom(struct model *m, struct model_dom *md,
    const struct backend_dominfo *di, struct hv_domain *d)
{
	int64_t	max;
	int	rc;

	md->skip_why = NULL;
	md->range_src = MODEL_RANGE_NONE;
	model_name(m, md);
	model_type(m, md, di);
	md->raw_max_kib = di->max_kib;
	md->claim_kib = di->claim_kib;
	md->uncooperative = model_exists(m, md->domid, "memory/uncooperative");
	d->domid = md->domid;
	md->pin_kib = -1;
	d->can_balloon = model_exists(m, md->domid, "control/feature-balloon");
	/*
	 * Once seen booted, booted until destroyed: a guest that removes its
	 * own feature-balloon and data/updated must not be charged its
	 * initial-reservation again (its neighbours would pay).  The
	 * memory-offset we calibrate at first boot (in memory/, which the
	 * guest cannot write) remembers it across our restarts.
	 */
	md->booted = md->booted || d->can_balloon || model_exists(m,
	    md->domid, "data/updated") || model_exists(m, md->domid,
	    "memory/memory-offset");
	d->inaccuracy_kib = HOST_DEFAULT_INACCURACY_KIB;
	md->mem_offset_kib = 0;
	if (md->booted && (rc = model_offset(m, md, di->tot_kib)) < 0)
		return rc;
	if (md->booted)
		md->known_offset_kib = md->mem_offset_kib;
	d->actual_kib = di->tot_kib - md->mem_offset_kib;
	max = di->max_kib - md->xen_offset_kib - md->mem_offset_kib;
	d->maxmem_kib = max > 0 ? max : 0;
	if (!md->booted)
		return model_unbooted(m, md, d->actual_kib, d);
	md->initial_kib = -1;
	return model_booted(m, md, d);
}

/* Carry each surviving domain's cached facts into the new list. */
static void
model_carry(struct model_dom *nmd, const struct backend_dominfo *di,
    size_t n, const struct model_dom *old, size_t nold)
{
	size_t	i, j = 0;

	for (i = 0; i < n; i++) {
		while (j < nold && old[j].domid < di[i].domid)
			j++;
		if (j < nold && old[j].domid == di[i].domid)
			nmd[i] = old[j];
		else {
			memset(&nmd[i], 0, sizeof(nmd[i]));
			nmd[i].static_max_kib = -1;
			nmd[i].fixed_by_operator_kib = -1;
		}
		nmd[i].domid = di[i].domid;
		nmd[i].in_snapshot = false;
	}
}

static bool
model_listed(const struct backend_dominfo *di, size_t n, int32_t domid)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (di[i].domid == domid)
			return true;
	return false;
}

static int
model_resv_cmp(const void *a, const void *b)
{
	const struct resv	*x = a, *y = b;
	int			 c = strcmp(x->session, y->session);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* Reservations not (yet) accounted for by a live domain. */
static int
model_reservations(struct model *m, const struct backend_dominfo *di,
    size_t n)
{
	size_t	i;
	int	rc;

	if (!m->resv_loaded) {	/* our record starts from the store's */
		if ((rc = resv_list(m->be, m->ctx, &m->resv, &m->nresv)) < 0)
			return rc;
		if (m->nresv > 0)
			qsort(m->resv, m->nresv, sizeof(*m->resv),
			    model_resv_cmp);
		m->capresv = m->nresv;
		m->resv_loaded = true;
	}
	for (i = 0; i < m->nresv; i++)
		if (m->resv[i].kib > 0 && (m->resv[i].domid < 0 ||
		    !model_listed(di, n, m->resv[i].domid)))
			m->st.reserved_kib += m->resv[i].kib;
	m->st.nresv = m->nresv;
	return 0;
}

/* Read every domain; the snapshot keeps those that could be read. */
static int
model_read_doms(struct model *m, const struct backend_dominfo *di, size_t n)
{
	struct model_dom	*nmd;
	struct hv_domain	*doms;
	size_t			 i, k = 0;

	nmd = calloc(n + 1, sizeof(*nmd));
	doms = calloc(n + 1, sizeof(*doms));
	if (nmd == NULL || doms == NULL) {
		free(nmd);
		free(doms);
		return -ENOMEM;
	}
	model_carry(nmd, di, n, m->md, m->nmd);
	m->lost = false;
	for (i = 0; i < n && !m->lost; i++) {
		if (di[i].domid == 0 && !m->include_dom0)
			continue;
		if (model_read_dom(m, &nmd[i], &di[i], &doms[k]) < 0)
			continue;
		nmd[i].in_snapshot = true;
		k++;
	}
	if (m->lost) {		/* keep the last good view */
		free(nmd);
		free(doms);
		return -EPIPE;
	}
	free(m->md);
	free(m->doms);
	m->md = nmd;
	m->nmd = n;
	m->doms = doms;
	m->snap.doms = doms;
	m->snap.ndoms = k;
	return 0;
}

/*
 * A pinned domain (leaving by migration) keeps its target: to the policy
 * its range is that one value, so no balancing moves it.
 */
static int
model_pins(struct model *m)
{
	struct hv_domain	*d;
	long			 k;
	size_t			 i;
	int			 rc;

	if (!m->pins_loaded) {
		if ((rc = resv_pin_list(m->be, m->ctx, &m->pins,
		    &m->npins)) < 0)
			return rc;
		m->cappins = m->npins;
		m->pins_loaded = true;
	}
	for (i = 0; i < m->npins; i++) {
		if ((k = host_find(&m->snap, m->pins[i].domid)) < 0)
			continue;
		d = &m->snap.doms[k];
		d->dyn_min_kib = d->dyn_max_kib = m->pins[i].kib;
		model_dom(m, d->domid)->pin_kib = m->pins[i].kib;
	}
	return 0;
}

const struct resv_pin *
model_pin_list(const struct model *m, size_t *ret_n)
{
	*ret_n = m->npins;
	return m->pins;
}

/* "Always safe to decrease maxmem towards target" (3.2 step 8). */
static void
model_cap_maxmem(struct model *m)
{
	struct hv_domain	*d;
	size_t			 i;

	for (i = 0; i < m->snap.ndoms; i++) {
		d = &m->snap.doms[i];
		if (d->can_balloon && d->target_kib < d->maxmem_kib)
			(void)model_set_maxmem(m, d->domid, d->target_kib);
	}
}

int
model_refresh(struct model *m, uint64_t now_ms)
{
	struct backend_dominfo	*di = NULL;
	struct backend_physinfo	 pi = { 0, 0, 0, 0 };
	size_t			 n = 0;
	int			 rc;

	if (m->be->tick != NULL && (rc = m->be->tick(m->ctx, now_ms)) < 0)
		return rc;
	if ((rc = m->be->domains(m->ctx, &di, &n)) < 0)
		return rc;
	memset(&m->st, 0, sizeof(m->st));
	m->stale = false;
	if ((rc = model_read_doms(m, di, n)) < 0 ||
	    (rc = m->be->physinfo(m->ctx, &pi)) < 0 ||
	    (rc = model_reservations(m, di, n)) < 0 ||
	    (rc = model_pins(m)) < 0)
		goto out;
	m->st.total_kib = pi.total_kib;
	m->st.physical_free_kib = pi.free_kib + pi.scrub_kib;
	/* claims not made for a reservation we count are someone else's */
	m->st.claimed_kib = pi.claimed_kib;
	m->snap.free_kib = m->st.physical_free_kib - m->st.unbooted_kib -
	    m->st.reserved_kib - (pi.claimed_kib > m->st.covered_claims_kib ?
	    pi.claimed_kib - m->st.covered_claims_kib : 0);
	model_cap_maxmem(m);
	rc = 0;
out:
	free(di);
	return rc;
}

const struct host_snapshot *
model_snapshot(const struct model *m)
{
	return &m->snap;
}

bool
model_stale(const struct model *m)
{
	return m->stale;
}

const struct model_stats *
model_stats(const struct model *m)
{
	return &m->st;
}

const struct resv *
model_resv(const struct model *m, size_t *ret_n)
{
	*ret_n = m->nresv;
	return m->resv;
}

struct model_dom *
model_doms(struct model *m, size_t *ret_n)
{
	*ret_n = m->nmd;
	return m->md;
}

struct model_dom *
model_dom(struct model *m, int32_t domid)
{
	size_t	lo = 0, hi = m->nmd, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->md[mid].domid == domid)
			return &m->md[mid];
		if (m->md[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct model_dom *
model_dom_named(struct model *m, const char *name, size_t *ret_n)
{
	struct model_dom	*first = NULL;
	size_t			 i, n = 0;

	for (i = 0; i < m->nmd && name[0] != '\0'; i++)
		if (strcmp(m->md[i].name, name) == 0) {
			if (first == NULL)
				first = &m->md[i];
			n++;
		}
	*ret_n = n;
	return first;
}

static struct hv_domain *
model_snap_dom(struct model *m, int32_t domid)
{
	long	i = host_find(&m->snap, domid);

	return i < 0 ? NULL : &m->snap.doms[i];
}

int
model_set_maxmem(struct model *m, int32_t domid, int64_t kib)
{
	struct model_dom	*md = model_dom(m, domid);
	struct hv_domain	*d;
	int64_t			 raw;
	int			 rc;

	if (md == NULL)
		return -ESRCH;
	raw = md->xen_offset_kib + kib + md->mem_offset_kib;
	if (raw < 0 || raw > HOST_MAX_KIB)
		return -EINVAL;
	if (raw == md->raw_max_kib)
		return 0;
	if ((rc = m->be->set_maxmem(m->ctx, domid, raw)) < 0)
		return rc;
	md->raw_max_kib = raw;
	if ((d = model_snap_dom(m, domid)) != NULL)
		d->maxmem_kib = kib;
	return 0;
}

static int
model_apply_target(void *ctx, int32_t domid, int64_t kib)
{
	struct model		*m = ctx;
	struct hv_domain	*d = model_snap_dom(m, domid);
	char			 path[128], val[32];
	int			 rc;

	struct model_dom	*md = model_dom(m, domid);

	if (d != NULL && d->target_kib == kib)
		return 0;		/* skip identical writes */
	snprintf(val, sizeof(val), "%" PRId64, kib);
	(void)model_path(path, sizeof(path), domid, "memory/target");
	if (md != NULL)
		md->tried_target_kib = kib;
	if ((rc = m->be->write(m->ctx, path, val)) < 0)
		return rc;
	if (md != NULL) {
		md->has_own_target = true;
		md->own_target_kib = kib;
	}
	if (d != NULL)
		d->target_kib = kib;
	return 0;
}

static int
model_apply_maxmem(void *ctx, int32_t domid, int64_t kib)
{
	return model_set_maxmem(ctx, domid, kib);
}

static const struct engine_apply_ops model_apply_ops = {
	.set_target	= model_apply_target,
	.set_maxmem	= model_apply_maxmem,
};

int
model_apply(struct model *m, const struct hv_domain *d, int64_t target)
{
	struct hv_domain	cur;
	struct hv_domain	*sd = model_snap_dom(m, d->domid);

	if (model_dom(m, d->domid) == NULL)
		return -ESRCH;
	cur = sd != NULL ? *sd : *d;
	return engine_apply(&model_apply_ops, m, &cur, target);
}

int
model_set_uncooperative(struct model *m, int32_t domid, bool flag)
{
	struct model_dom	*md = model_dom(m, domid);
	char			 path[128];
	int			 rc;

	if (md == NULL)
		return -ESRCH;
	if (md->uncooperative == flag)
		return 0;
	(void)model_path(path, sizeof(path), domid, "memory/uncooperative");
	rc = flag ? m->be->write(m->ctx, path, "") : m->be->rm(m->ctx, path);
	if (rc < 0)
		return rc;
	md->uncooperative = flag;
	return 0;
}

/* Write one KiB value under a domain's directory. */
static int
model_write_kib(struct model *m, int32_t domid, const char *key, int64_t kib)
{
	char	path[128], val[32];
	int	rc;

	if ((rc = model_path(path, sizeof(path), domid, key)) < 0)
		return rc;
	snprintf(val, sizeof(val), "%" PRId64, kib);
	return m->be->write(m->ctx, path, val);
}

int
model_set_range(struct model *m, int32_t domid, int64_t min_kib,
    int64_t max_kib)
{
	struct model_dom	*md = model_dom(m, domid);
	int64_t			 old;
	bool			 max_first;
	int			 rc;

	if (md == NULL)
		return -ESRCH;
	if (min_kib < 0 || min_kib > max_kib || max_kib > HOST_MAX_KIB)
		return -EINVAL;
	/* whichever order keeps min <= max in the store at every moment */
	max_first = min_kib > md->dyn_max_kib;
	old = max_first ? md->dyn_max_kib : md->dyn_min_kib;
	if ((rc = model_write_kib(m, domid, max_first ? "memory/dynamic-max" :
	    "memory/dynamic-min", max_first ? max_kib : min_kib)) < 0)
		return rc;
	if ((rc = model_write_kib(m, domid, max_first ? "memory/dynamic-min" :
	    "memory/dynamic-max", max_first ? min_kib : max_kib)) < 0) {
		if (md->range_src == MODEL_RANGE_XENSTORE)	/* put back */
			(void)model_write_kib(m, domid, max_first ?
			    "memory/dynamic-max" : "memory/dynamic-min", old);
		return rc;
	}
	md->dyn_min_kib = min_kib;
	md->dyn_max_kib = max_kib;
	md->range_src = MODEL_RANGE_XENSTORE;
	m->stale = true;
	return 0;
}

/* ---- the record of reservations and pins ------------------------------ */

/* Index of (session, id) in the record, or where it would go (*ret_at). */
static bool
model_resv_at(const struct model *m, const char *session, const char *id,
    size_t *ret_at)
{
	size_t	lo = 0, hi = m->nresv, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(m->resv[mid].session, session);
		if (c == 0)
			c = strcmp(m->resv[mid].id, id);
		if (c == 0) {
			*ret_at = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_at = lo;
	return false;
}

const struct resv *
model_resv_find(const struct model *m, const char *session, const char *id)
{
	size_t	i;

	if (session != NULL)
		return model_resv_at(m, session, id, &i) ? &m->resv[i] : NULL;
	for (i = 0; i < m->nresv; i++)
		if (strcmp(m->resv[i].id, id) == 0)
			return &m->resv[i];
	return NULL;
}

const struct resv *
model_resv_of_domain(const struct model *m, int32_t domid)
{
	size_t	i;

	for (i = 0; i < m->nresv; i++)
		if (m->resv[i].domid == domid)
			return &m->resv[i];
	return NULL;
}

int
model_resv_add(struct model *m, const struct resv *r)
{
	struct resv	*v;
	size_t		 at;
	int		 rc;

	if (!m->resv_loaded)
		return -EAGAIN;
	if (model_resv_at(m, r->session, r->id, &at))
		return -EEXIST;
	if (m->nresv == m->capresv) {
		if ((v = realloc(m->resv, (m->capresv * 2 + 8) *
		    sizeof(*v))) == NULL)
			return -ENOMEM;
		m->resv = v;
		m->capresv = m->capresv * 2 + 8;
	}
	if ((rc = resv_add(m->be, m->ctx, r)) < 0)
		return rc;
	memmove(&m->resv[at + 1], &m->resv[at], (m->nresv - at) *
	    sizeof(*m->resv));
	m->resv[at] = *r;
	m->nresv++;
	m->stale = true;
	return 0;
}

int
model_resv_remove(struct model *m, const char *session, const char *id)
{
	size_t	at;
	int	rc;

	if (!model_resv_at(m, session, id, &at))
		return -ENOENT;
	if ((rc = resv_remove(m->be, m->ctx, &m->resv[at])) < 0)
		return rc;
	memmove(&m->resv[at], &m->resv[at + 1], (m->nresv - at - 1) *
	    sizeof(*m->resv));
	m->nresv--;
	m->stale = true;
	return 0;
}

int
model_resv_transfer(struct model *m, const char *session, const char *id,
    int32_t domid)
{
	size_t	at;
	int	rc;

	if (!model_resv_at(m, session, id, &at))
		return -ENOENT;
	if ((rc = resv_transfer(m->be, m->ctx, &m->resv[at], domid)) < 0)
		return rc;
	m->resv[at].domid = domid;
	m->stale = true;
	return 0;
}

int
model_resv_drop_session(struct model *m, const char *session,
    size_t *ret_n)
{
	size_t	i = 0, n = 0;
	int	rc = 0, r;

	while (i < m->nresv) {
		if (strcmp(m->resv[i].session, session) != 0) {
			i++;
			continue;
		}
		if ((r = model_resv_remove(m, session, m->resv[i].id)) < 0) {
			rc = r;
			i++;
			continue;
		}
		n++;
	}
	if (rc == 0)	/* and whatever else the session's directory holds */
		(void)resv_drop_session(m->be, m->ctx, session);
	*ret_n = n;
	return rc;
}

const struct resv_pin *
model_pin_find(const struct model *m, int32_t domid)
{
	size_t	i;

	for (i = 0; i < m->npins; i++)
		if (m->pins[i].domid == domid)
			return &m->pins[i];
	return NULL;
}

int
model_pin_set(struct model *m, const struct resv_pin *p)
{
	struct resv_pin	*v;
	size_t		 i;
	int		 rc;

	if (!m->pins_loaded)
		return -EAGAIN;
	for (i = 0; i < m->npins && m->pins[i].domid != p->domid; i++)
		;
	if (i == m->npins && m->npins == m->cappins) {
		if ((v = realloc(m->pins, (m->cappins * 2 + 4) *
		    sizeof(*v))) == NULL)
			return -ENOMEM;
		m->pins = v;
		m->cappins = m->cappins * 2 + 4;
	}
	if ((rc = resv_pin_set(m->be, m->ctx, p)) < 0) {
		if (i < m->npins)	/* put the old one back */
			(void)resv_pin_set(m->be, m->ctx, &m->pins[i]);
		else
			(void)resv_pin_clear(m->be, m->ctx, p->domid);
		return rc;
	}
	if (i == m->npins)
		m->npins++;
	m->pins[i] = *p;
	m->stale = true;
	return 0;
}

int
model_pin_clear(struct model *m, int32_t domid)
{
	size_t	i;
	int	rc;

	for (i = 0; i < m->npins && m->pins[i].domid != domid; i++)
		;
	if (i == m->npins)
		return -ENOENT;
	if ((rc = resv_pin_clear(m->be, m->ctx, domid)) < 0) {
		(void)resv_pin_set(m->be, m->ctx, &m->pins[i]);
		return rc;
	}
	m->pins[i] = m->pins[--m->npins];
	m->stale = true;
	return 0;
}

/*
 * A new (maybe empty) store: make /squeezed say what the record says.
 * Returns how many reservations were written back or removed.
 */
int
model_restore_store(struct model *m, size_t *ret_changed)
{
	struct resv	*v = NULL;
	size_t		 n = 0, i, at, changed = 0;
	int		 rc = 0, r;

	if (!m->resv_loaded)
		return 0;
	if ((r = resv_list(m->be, m->ctx, &v, &n)) < 0)
		return r;
	for (i = 0; i < n; i++)		/* deleted before it went away */
		if (!model_resv_at(m, v[i].session, v[i].id, &at)) {
			if ((r = resv_remove(m->be, m->ctx, &v[i])) < 0)
				rc = r;
			changed++;
		}
	for (i = 0; i < m->nresv; i++) {
		const struct resv	*x = &m->resv[i];
		long			 j = resv_find(v, n, x->session, x->id);

		if (j >= 0 && v[j].kib == x->kib && v[j].domid == x->domid &&
		    v[j].expires_ms == x->expires_ms)
			continue;
		if ((r = resv_put(m->be, m->ctx, x)) < 0)
			rc = r;
		changed++;
	}
	for (i = 0; i < m->npins; i++)
		if ((r = resv_pin_set(m->be, m->ctx, &m->pins[i])) < 0)
			rc = r;
	free(v);
	*ret_changed = changed;
	return rc;
}

/* ---- host facts ------------------------------------------------------- */

int64_t
model_dom0_kib(struct model *m)
{
	struct backend_dominfo	*di = NULL;
	FILE			*f;
	size_t			 n = 0;
	int64_t			 kib = 0;
	long long		 v;
	char			 line[128];

	if (m->be->domains(m->ctx, &di, &n) == 0 && n > 0 && di[0].domid == 0)
		kib = di[0].tot_kib;
	free(di);
	if (kib > 0 || (f = fopen("/proc/meminfo", "re")) == NULL)
		return kib;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemTotal: %lld kB", &v) == 1)
			kib = v;
	fclose(f);
	return kib;
}

int64_t
model_boot_free_kib(struct model *m)
{
	struct backend_physinfo	 pi;
	char			*v, val[32];
	int64_t			 kib;

	if (m->be->read(m->ctx, MODEL_BOOT_FREE_PATH, &v) == 0) {
		if (conf_parse_int(v, HOST_MAX_KIB, &kib) < 0)
			kib = 0;
		free(v);
		return kib;
	}
	/* the first start since boot: dom0 unballooned, no guests yet */
	if (m->be->physinfo(m->ctx, &pi) < 0)
		return 0;
	kib = pi.free_kib + pi.scrub_kib + model_dom0_kib(m);
	snprintf(val, sizeof(val), "%" PRId64, kib);
	(void)m->be->write(m->ctx, MODEL_BOOT_FREE_PATH, val);
	return kib;
}
