/*
 * engine.c: squeezed's squeeze loop (Squeezer.one_iteration and
 * change_host_free_memory) as a state machine driven by the caller.
 *
 * Per-domain state lives in one table sorted by domid and merged with each
 * snapshot, so one step is O(domains).  The stuckness fields belong to the
 * running operation (op_gen); the cooperativeness fields persist.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "policy.h"

struct engine_dom {
	int32_t		domid;
	uint64_t	op_gen;		/* stuckness valid for this operation */
	int64_t		last_actual_kib;
	uint64_t	last_progress_ms;
	int64_t		window_actual_kib;	/* progress-rate window */
	uint64_t	window_ms;
	int		window_dir;	/* the way it was going then */
	bool		stuck;
	bool		non_active;	/* in the last iteration's non-active set */
	uint64_t	last_coop_ms;	/* last seen on target (or unballoonable) */
	bool		uncooperative;
	bool		inactive;	/* stuck as of the last step */
	bool		too_slow;	/* ... by the progress rate */
	bool		moved;		/* went towards its target */
	bool		reversed;	/* then away from it (OOM escape?) */
	uint64_t	held_gen;	/* held out of operation op_gen */
	uint64_t	stuck_at_ms;	/* last found stuck, no progress since */
};

struct engine {
	struct engine_conf	 conf;
	struct engine_goal	 goal;
	bool			 busy;
	uint64_t		 op_gen;

	struct engine_dom	*tab, *tab_next;	/* sorted by domid */
	size_t			 ntab;

	/* Scratch, sized for the largest snapshot seen; results point here. */
	size_t			 cap;
	struct hv_domain	*active;
	size_t			*active_idx;
	int64_t			*targets;
	int64_t			*issued;	/* per snapshot index, or -1 */
	bool			*declared;	/* declared inactive this step */
	bool			*stuck;		/* stuck this step */
	struct engine_action	*actions, *target_list;
	int32_t			*refused, *declared_list;
	/* engine_hold(): for the next engine_begin() or engine_plan() */
	int32_t			*hold;
	size_t			 nhold;
};

static const char *const engine_dom_state_names[] = {
	[ENGINE_DOM_ACTIVE]		= "active",
	[ENGINE_DOM_INACTIVE]		= "inactive",
	[ENGINE_DOM_UNCOOPERATIVE]	= "uncooperative",
	[ENGINE_DOM_FIXED]		= "fixed",
};

struct engine *
engine_new(const struct engine_conf *conf)
{
	struct engine	*e;

	if (conf == NULL || conf->policy == NULL)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->conf = *conf;
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	free(e->tab);
	free(e->tab_next);
	free(e->active);
	free(e->active_idx);
	free(e->targets);
	free(e->issued);
	free(e->declared);
	free(e->stuck);
	free(e->actions);
	free(e->target_list);
	free(e->refused);
	free(e->declared_list);
	free(e->hold);
	free(e);
}

int
engine_set_conf(struct engine *e, const struct engine_conf *conf)
{
	if (conf == NULL || conf->policy == NULL)
		return -EINVAL;
	e->conf = *conf;
	return 0;
}

const struct engine_conf *
engine_get_conf(const struct engine *e)
{
	return &e->conf;
}

/* Grow one scratch array to n elements of size sz. */
static int
engine_grow(void *pp, size_t n, size_t sz)
{
	void	**p = pp, *np;

	if ((np = realloc(*p, n * sz)) == NULL)
		return -ENOMEM;
	*p = np;
	return 0;
}

/* Make every scratch array hold n (+1 for the pseudo domain) entries. */
static int
engine_reserve(struct engine *e, size_t n)
{
	n += 1;
	if (n <= e->cap)
		return 0;
	if (engine_grow(&e->tab, n, sizeof(*e->tab)) < 0 ||
	    engine_grow(&e->tab_next, n, sizeof(*e->tab_next)) < 0 ||
	    engine_grow(&e->active, n, sizeof(*e->active)) < 0 ||
	    engine_grow(&e->active_idx, n, sizeof(*e->active_idx)) < 0 ||
	    engine_grow(&e->targets, n, sizeof(*e->targets)) < 0 ||
	    engine_grow(&e->issued, n, sizeof(*e->issued)) < 0 ||
	    engine_grow(&e->declared, n, sizeof(*e->declared)) < 0 ||
	    engine_grow(&e->stuck, n, sizeof(*e->stuck)) < 0 ||
	    engine_grow(&e->actions, n, sizeof(*e->actions)) < 0 ||
	    engine_grow(&e->target_list, n, sizeof(*e->target_list)) < 0 ||
	    engine_grow(&e->refused, n, sizeof(*e->refused)) < 0 ||
	    engine_grow(&e->declared_list, n, sizeof(*e->declared_list)) < 0)
		return -ENOMEM;
	e->cap = n;
	return 0;
}

/* Double-precision seconds, as squeezed's clock (i / 10.0 == i*100/1000.0). */
static double
engine_secs(uint64_t ms)
{
	return (double)ms / 1000.0;
}

/* squeezed's strict "now - since > threshold" on doubles. */
static bool
engine_elapsed(uint64_t now_ms, uint64_t since_ms, uint64_t threshold_ms)
{
	return engine_secs(now_ms) - engine_secs(since_ms) >
	    engine_secs(threshold_ms);
}

/*
 * Merge the state table with a snapshot: keep entries of live domids, add
 * new ones, drop vanished ones.  Then update the cooperativeness monitor.
 */
static void
engine_merge(struct engine *e, const struct host_snapshot *s, uint64_t now_ms)
{
	struct engine_dom	*t, *tmp;
	const struct hv_domain	*d;
	size_t			 i, j = 0;

	for (i = 0; i < s->ndoms; i++) {
		d = &s->doms[i];
		t = &e->tab_next[i];
		while (j < e->ntab && e->tab[j].domid < d->domid)
			j++;
		if (j < e->ntab && e->tab[j].domid == d->domid)
			*t = e->tab[j];
		else {
			memset(t, 0, sizeof(*t));
			t->domid = d->domid;
			t->last_coop_ms = now_ms;
		}
		if (!d->can_balloon || host_hit_target(d->inaccuracy_kib,
		    d->actual_kib, d->target_kib))
			t->last_coop_ms = now_ms;
		t->uncooperative = engine_elapsed(now_ms, t->last_coop_ms,
		    e->conf.uncooperative_after_ms);
	}
	tmp = e->tab;
	e->tab = e->tab_next;
	e->tab_next = tmp;
	e->ntab = s->ndoms;
}

/* The state of domid as last merged, or NULL. */
static struct engine_dom *
engine_lookup(const struct engine *e, int32_t domid)
{
	size_t	lo = 0, hi = e->ntab, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e->tab[mid].domid == domid)
			return &e->tab[mid];
		if (e->tab[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Why an operation starting at now leaves d out from the start, or NULL:
 * it has ignored its target for uncooperative-after, or an operation found
 * it stuck less than uncooperative-after ago and it has made no progress
 * since.  Asking it again would only cost stuck-after before the same
 * verdict; after uncooperative-after it is asked again.
 */
static const char *
engine_held_why(const struct engine *e, const struct engine_dom *t,
    const struct hv_domain *d, uint64_t now_ms)
{
	if (!e->conf.remember_stuck || t == NULL || !d->can_balloon)
		return NULL;
	if (t->uncooperative)
		return "uncooperative: off its target for longer than "
		    "uncooperative-after";
	if (t->stuck_at_ms != 0 && now_ms - t->stuck_at_ms <
	    e->conf.uncooperative_after_ms)
		return t->too_slow ? "too slow in an earlier operation "
		    "(min-progress-kib-s), no progress since" :
		    "stuck in an earlier operation, no progress since";
	return NULL;
}

const char *
engine_held(const struct engine *e, const struct hv_domain *d,
    uint64_t now_ms)
{
	return engine_held_why(e, engine_lookup(e, d->domid), d, now_ms);
}

int
engine_hold(struct engine *e, const int32_t *domids, size_t n)
{
	int32_t	*v = NULL;

	if (n > 0) {
		if ((v = malloc(n * sizeof(*v))) == NULL)
			return -ENOMEM;
		memcpy(v, domids, n * sizeof(*v));
	}
	free(e->hold);
	e->hold = v;
	e->nhold = n;
	return 0;
}

void
engine_forgive(struct engine *e, int32_t domid)
{
	struct engine_dom	*t = engine_lookup(e, domid);

	if (t != NULL)
		t->stuck_at_ms = 0;
}

static bool
engine_is_held(const struct engine *e, int32_t domid)
{
	size_t	i;

	for (i = 0; i < e->nhold; i++)
		if (e->hold[i] == domid)
			return true;
	return false;
}

/* The hold list is for one call: the next begin or plan. */
static void
engine_hold_done(struct engine *e)
{
	free(e->hold);
	e->hold = NULL;
	e->nhold = 0;
}

int
engine_begin(struct engine *e, const struct engine_goal *g,
    const struct host_snapshot *s, bool *ret_done)
{
	size_t	i;
	bool	all_hit = true;
	int	rc;

	if (e == NULL || g == NULL || s == NULL || ret_done == NULL)
		return -EINVAL;
	if ((rc = host_check(s)) < 0)
		return rc;
	for (i = 0; i < s->ndoms && all_hit; i++)
		if (s->doms[i].can_balloon)
			all_hit = host_hit_target(s->doms[i].inaccuracy_kib,
			    s->doms[i].actual_kib, s->doms[i].target_kib);
	e->goal = *g;
	e->op_gen++;
	for (i = 0; i < s->ndoms; i++) {
		struct engine_dom	*t = engine_lookup(e, s->doms[i].domid);

		if (t != NULL && engine_is_held(e, t->domid))
			t->held_gen = e->op_gen;
	}
	engine_hold_done(e);
	*ret_done = g->required_kib != e->conf.host_reserve_kib &&
	    g->required_kib <= s->free_kib && all_hit;
	e->busy = !*ret_done;
	return 0;
}

bool
engine_busy(const struct engine *e)
{
	return e->busy;
}

void
engine_abort(struct engine *e)
{
	e->busy = false;
	e->op_gen++;
}

/* squeezed's direction_of_actual: 0 on target, +1 must grow, -1 must shrink. */
static int
engine_direction(const struct hv_domain *d)
{
	if (host_hit_target(d->inaccuracy_kib, d->actual_kib, d->target_kib))
		return 0;
	return d->target_kib > d->actual_kib ? 1 : -1;
}

/*
 * Progress is judged by rate too: over each stuck-after window a domain on
 * its way must move at least min-progress-kib-s on average, so a guest
 * cannot look alive by freeing a page every few seconds.  A window starts
 * afresh when it is passed, while the domain is at its target, and when
 * its target turns round (engine_judge).
 */
static bool
engine_too_slow(struct engine *e, struct engine_dom *t,
    const struct hv_domain *d, int dir, uint64_t now_ms)
{
	int64_t	moved, need;

	if (e->conf.min_progress_kib_s <= 0 || e->conf.stuck_after_ms == 0)
		return false;
	if (now_ms - t->window_ms < e->conf.stuck_after_ms)
		return false;
	moved = (d->actual_kib - t->window_actual_kib) * dir;
	need = e->conf.min_progress_kib_s *
	    (int64_t)(now_ms - t->window_ms) / 1000;
	t->window_ms = now_ms;
	t->window_actual_kib = d->actual_kib;
	return moved < need;
}

/*
 * Stuckness monitor and the active set.  A dry run sees every domain as new
 * (fresh monitor) and changes nothing.  Returns the number of active domains.
 */
static size_t
engine_judge(struct engine *e, const struct host_snapshot *s, uint64_t now_ms,
    bool dry)
{
	const struct hv_domain	*d;
	struct engine_dom	*t;
	int64_t			 delta;
	size_t			 i, nactive = 0;
	bool			 stuck = false, was_non_active = false;
	int			 dir;

	for (i = 0; i < s->ndoms; i++) {
		d = &s->doms[i];
		if (!dry) {
			t = &e->tab[i];
			dir = engine_direction(d);
			if (t->op_gen != e->op_gen) {
				t->op_gen = e->op_gen;
				t->last_actual_kib = t->window_actual_kib =
				    d->actual_kib;
				t->last_progress_ms = t->window_ms = now_ms;
				t->stuck = t->held_gen == e->op_gen;
				t->non_active = false;
			}
			if (dir == 0 || (t->window_dir != 0 &&
			    dir != t->window_dir)) {	/* there, or turned */
				t->window_ms = now_ms;
				t->window_actual_kib = d->actual_kib;
			}
			t->window_dir = dir;
			delta = d->actual_kib - t->last_actual_kib;
			t->last_actual_kib = d->actual_kib;
			if ((delta > 0 && dir > 0) || (delta < 0 && dir < 0)) {
				t->last_progress_ms = now_ms;
				t->stuck = false;
				t->moved = true;
				t->stuck_at_ms = 0;
			} else if (delta != 0 && dir != 0 && t->moved)
				t->reversed = true;
			if (dir == 0)
				t->moved = t->reversed = t->too_slow = false;
			if (dir != 0 && engine_elapsed(now_ms,
			    t->last_progress_ms, e->conf.stuck_after_ms))
				t->stuck = true;
			else if (dir != 0 && engine_too_slow(e, t, d, dir,
			    now_ms))
				t->stuck = t->too_slow = true;
			stuck = t->stuck;
			was_non_active = t->non_active;
			t->non_active = !d->can_balloon || stuck;
			t->inactive = stuck;
		} else	/* a fresh operation: held domains are out */
			stuck = engine_is_held(e, d->domid);
		e->stuck[i] = stuck;
		e->declared[i] = (!d->can_balloon || stuck) && !was_non_active;
		if (!dry && stuck && d->can_balloon && e->declared[i] &&
		    e->tab[i].held_gen != e->op_gen)
			e->tab[i].stuck_at_ms = now_ms;	/* found stuck now */
		e->issued[i] = -1;
		if (d->can_balloon && !stuck) {
			e->active[nactive] = *d;
			e->active_idx[nactive++] = i;
		}
	}
	return nactive;
}

/* Policy targets for the active domains, quantised; split in two phases. */
static int
engine_targets(struct engine *e, const struct host_snapshot *s,
    size_t nactive, struct engine_result *r)
{
	struct policy_input	 in = {
		.doms = e->active,
		.ndoms = nactive,
		.host_free_kib = s->free_kib,
		.host_target_kib = e->goal.required_kib,
		.inaccuracy_compensation = e->conf.inaccuracy_compensation,
		.granularity_kib = e->conf.granularity_kib,
	};
	const struct hv_domain	*d;
	size_t			 i, nfreeing = 0;
	int			 rc;

	if ((rc = e->conf.policy->compute(&in, e->targets)) < 0)
		return rc;
	for (i = 0; i < nactive; i++) {
		d = &e->active[i];
		e->targets[i] = engine_quantise(e->targets[i], d->dyn_min_kib,
		    d->dyn_max_kib, e->conf.granularity_kib);
		e->target_list[i].domid = d->domid;
		e->target_list[i].target_kib = e->targets[i];
		if (!host_hit_target(d->inaccuracy_kib, d->actual_kib,
		    e->targets[i]) && e->targets[i] < d->actual_kib)
			nfreeing++;
	}
	r->targets = e->target_list;
	r->ntargets = nactive;
	r->allocating = nfreeing == 0;
	for (i = 0; i < nactive; i++) {
		d = &e->active[i];
		if (e->conf.two_phase && !r->allocating &&
		    (host_hit_target(d->inaccuracy_kib, d->actual_kib,
		    e->targets[i]) || e->targets[i] >= d->actual_kib))
			continue;	/* a grower waits for the freeing phase */
		e->issued[e->active_idx[i]] = e->targets[i];
	}
	return 0;
}

/* The clipped target of a domain just declared inactive (CA-41832). */
static int64_t
engine_clip_inactive(const struct engine *e, const struct hv_domain *d)
{
	int64_t	m = d->target_kib < d->actual_kib ? d->target_kib :
		    d->actual_kib;

	if (m < d->dyn_min_kib)
		m = d->dyn_min_kib;
	if (m > d->dyn_max_kib)
		m = d->dyn_max_kib;
	return engine_quantise(m, d->dyn_min_kib, d->dyn_max_kib,
	    e->conf.granularity_kib);
}

/* The per-domain maxmem/target pass of change_host_free_memory. */
static void
engine_actions(struct engine *e, const struct host_snapshot *s,
    struct engine_result *r)
{
	const struct hv_domain	*d;
	size_t			 i, n = 0, ndecl = 0;
	int64_t			 m;

	for (i = 0; i < s->ndoms; i++) {
		d = &s->doms[i];
		if (e->declared[i]) {
			m = engine_clip_inactive(e, d);
			e->declared_list[ndecl++] = d->domid;
		} else if (e->issued[i] >= 0)
			m = e->issued[i];
		else
			m = d->target_kib;
		if (d->can_balloon ? (m != d->target_kib ||
		    m != d->maxmem_kib) : m > d->maxmem_kib) {
			e->actions[n].domid = d->domid;
			e->actions[n++].target_kib = m;
		}
	}
	r->actions = e->actions;
	r->nactions = n;
	r->declared_inactive = e->declared_list;
	r->ndeclared_inactive = ndecl;
}

/* Success, failure or "adjust and poll again", as one_iteration decides. */
static void
engine_decide(struct engine *e, const struct host_snapshot *s,
    size_t nactive, struct engine_result *r)
{
	const struct hv_domain	*d;
	size_t			 i, nref = 0;
	bool			 reached = true, unchanged = true, success;

	for (i = 0; i < nactive && reached; i++)
		reached = host_hit_target(e->active[i].inaccuracy_kib,
		    e->active[i].actual_kib, e->active[i].target_kib);
	for (i = 0; i < s->ndoms && unchanged; i++)
		if (e->issued[i] >= 0)
			unchanged = e->issued[i] == s->doms[i].target_kib;
	success = e->goal.cond == ENGINE_COND_GE ?
	    s->free_kib >= e->goal.cond_kib : s->free_kib <= e->goal.cond_kib;
	r->free_kib = s->free_kib;
	r->needed_kib = e->goal.required_kib;
	r->nrefused = 0;
	r->refused = e->refused;
	if (!reached || !unchanged) {
		r->outcome = ENGINE_RUNNING;
		return;
	}
	if (success) {
		r->outcome = ENGINE_SUCCESS;
		return;
	}
	for (i = s->ndoms; i-- > 0;) {
		d = &s->doms[i];
		if (d->can_balloon && e->stuck[i])
			e->refused[nref++] = d->domid;
	}
	r->nrefused = nref;
	/* CA-75568: dom0 alone failing is dom0 moving unasked. */
	r->outcome = nref == 0 || (nref == 1 && e->refused[0] == 0) ?
	    ENGINE_CANNOT_FREE : ENGINE_REFUSED;
}

/* One iteration, shared by engine_step (live) and engine_plan (dry). */
static int
engine_iterate(struct engine *e, const struct host_snapshot *s,
    uint64_t now_ms, bool dry, struct engine_result *r)
{
	size_t	nactive;
	int	rc;

	if ((rc = host_check(s)) < 0)
		return rc;
	if ((rc = engine_reserve(e, s->ndoms)) < 0)
		return rc;
	if (!dry)
		engine_merge(e, s, now_ms);
	memset(r, 0, sizeof(*r));
	nactive = engine_judge(e, s, now_ms, dry);
	if ((rc = engine_targets(e, s, nactive, r)) < 0)
		return rc;
	engine_decide(e, s, nactive, r);
	engine_actions(e, s, r);
	return 0;
}

int
engine_step(struct engine *e, const struct host_snapshot *s, uint64_t now_ms,
    struct engine_result *ret)
{
	int	rc;

	if (e == NULL || s == NULL || ret == NULL || !e->busy)
		return -EINVAL;
	if ((rc = engine_iterate(e, s, now_ms, false, ret)) < 0)
		return rc;
	if (ret->outcome != ENGINE_RUNNING)
		e->busy = false;
	return 0;
}

int
engine_plan(struct engine *e, const struct engine_goal *g,
    const struct host_snapshot *s, uint64_t now_ms, struct engine_result *ret)
{
	struct engine_goal	saved;
	int			rc;

	if (e == NULL || g == NULL || s == NULL || ret == NULL)
		return -EINVAL;
	saved = e->goal;
	e->goal = *g;
	rc = engine_iterate(e, s, now_ms, true, ret);
	e->goal = saved;
	engine_hold_done(e);
	return rc;
}

int
engine_unbalanced(struct engine *e, const struct host_snapshot *s,
    uint64_t now_ms, bool *ret)
{
	struct engine_goal	g = engine_goal_balance(&e->conf);
	struct engine_result	r;
	size_t			i;
	int			rc;

	if ((rc = engine_plan(e, &g, s, now_ms, &r)) < 0)
		return rc;
	*ret = false;
	if (r.outcome != ENGINE_RUNNING)
		return 0;
	for (i = 0; i < s->ndoms; i++)
		if (e->issued[i] >= 0 && e->issued[i] != s->doms[i].target_kib)
			*ret = true;
	return 0;
}

int
engine_range_ideal(const struct engine *e, const struct host_snapshot *s,
    int64_t min_kib, int64_t max_kib, int64_t *ret_kib)
{
	struct hv_domain	*doms;
	struct policy_input	 in;
	int64_t			*targets;
	int			 rc;

	if (min_kib < 0 || max_kib < min_kib)
		return -EINVAL;
	doms = calloc(s->ndoms + 1, sizeof(*doms));
	targets = calloc(s->ndoms + 1, sizeof(*targets));
	if (doms == NULL || targets == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* squeezed prepends the would-be domain to the whole host. */
	doms[0] = (struct hv_domain){ .domid = -1, .can_balloon = true,
	    .dyn_min_kib = min_kib, .dyn_max_kib = max_kib,
	    .target_kib = min_kib, .inaccuracy_kib = HOST_DEFAULT_INACCURACY_KIB };
	if (s->ndoms > 0)
		memcpy(doms + 1, s->doms, s->ndoms * sizeof(*doms));
	in = (struct policy_input){ .doms = doms, .ndoms = s->ndoms + 1,
	    .host_free_kib = s->free_kib,
	    .host_target_kib = e->conf.host_reserve_kib,
	    .inaccuracy_compensation = true,
	    .granularity_kib = e->conf.granularity_kib };
	if ((rc = e->conf.policy->compute(&in, targets)) < 0)
		goto out;
	*ret_kib = engine_quantise(targets[0], min_kib, max_kib,
	    e->conf.granularity_kib);
	rc = 0;
out:
	free(doms);
	free(targets);
	return rc;
}

struct engine_goal
engine_goal_free(const struct engine_conf *c, int64_t kib)
{
	return (struct engine_goal){ .required_kib = kib + c->host_reserve_kib,
	    .cond = ENGINE_COND_GE, .cond_kib = kib + c->host_reserve_kib };
}

struct engine_goal
engine_goal_range(const struct engine_conf *c, int64_t ideal_kib,
    int64_t min_kib)
{
	return (struct engine_goal){
	    .required_kib = ideal_kib + c->host_reserve_kib,
	    .cond = ENGINE_COND_GE, .cond_kib = min_kib + c->host_reserve_kib };
}

struct engine_goal
engine_goal_balance(const struct engine_conf *c)
{
	/* squeezed's is_balanced: free - reserve < tolerance */
	return (struct engine_goal){ .required_kib = c->host_reserve_kib,
	    .cond = ENGINE_COND_LE,
	    .cond_kib = c->host_reserve_kib + c->balance_tolerance_kib - 1 };
}

void
engine_observe(struct engine *e, const struct host_snapshot *s,
    uint64_t now_ms)
{
	if (host_check(s) < 0 || engine_reserve(e, s->ndoms) < 0)
		return;
	engine_merge(e, s, now_ms);
}

enum engine_dom_state
engine_dom_state(const struct engine *e, const struct hv_domain *d)
{
	size_t	lo = 0, hi = e->ntab, mid;

	if (!d->can_balloon)
		return ENGINE_DOM_FIXED;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e->tab[mid].domid == d->domid) {
			if (e->tab[mid].uncooperative)
				return ENGINE_DOM_UNCOOPERATIVE;
			return e->tab[mid].inactive ? ENGINE_DOM_INACTIVE :
			    ENGINE_DOM_ACTIVE;
		}
		if (e->tab[mid].domid < d->domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ENGINE_DOM_ACTIVE;
}

const char *
engine_dom_reason(const struct engine *e, const struct hv_domain *d)
{
	const struct engine_dom	*t = NULL;
	size_t			 lo = 0, hi = e->ntab, mid;

	if (!d->can_balloon)
		return "no balloon driver: its memory is fixed";
	while (lo < hi && t == NULL) {
		mid = lo + (hi - lo) / 2;
		if (e->tab[mid].domid == d->domid)
			t = &e->tab[mid];
		else if (e->tab[mid].domid < d->domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (host_hit_target(d->inaccuracy_kib, d->actual_kib, d->target_kib))
		return "at its target";
	if (t != NULL && t->reversed && d->actual_kib > d->target_kib)
		return "went towards its target, then back above it: the "
		    "guest may be escaping an out-of-memory condition";
	if (t != NULL && t->too_slow)
		return "moving too slowly towards its target "
		    "(min-progress-kib-s): inactive, capped at what it has";
	if (t != NULL && t->uncooperative)
		return "off its target for longer than uncooperative-after";
	if (t != NULL && t->inactive)
		return "made no progress towards its target for stuck-after: "
		    "inactive, capped at what it has";
	return "moving towards its target";
}

const char *
engine_dom_state_name(enum engine_dom_state st)
{
	if ((size_t)st >= sizeof(engine_dom_state_names) /
	    sizeof(engine_dom_state_names[0]))
		return "unknown";
	return engine_dom_state_names[st];
}

int64_t
engine_quantise(int64_t t, int64_t dmin, int64_t dmax, int64_t g)
{
	if (g <= 1 || t <= dmin)
		return t;
	if (t >= dmax)
		return dmax;
	t = host_granule_down(t, g);
	return t < dmin ? dmin : t;
}

int
engine_apply(const struct engine_apply_ops *ops, void *ctx,
    const struct hv_domain *d, int64_t t)
{
	int	rc;

	if (t < 0)
		return -EINVAL;
	if (t > d->maxmem_kib) {
		if ((rc = ops->set_maxmem(ctx, d->domid, t)) < 0)
			return rc;
		return d->can_balloon ? ops->set_target(ctx, d->domid, t) : 0;
	}
	if (!d->can_balloon)
		return 0;	/* CP-311475: never cap a domain being built */
	if ((rc = ops->set_target(ctx, d->domid, t)) < 0)
		return rc;
	return ops->set_maxmem(ctx, d->domid, t);
}
