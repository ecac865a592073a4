/*
 * balancer.c: squeezed's change_host_free_memory loop, one operation at a
 * time, each step run from the poll timer: begin (with squeezed's fast
 * path), then step, apply, and wait a poll interval, until an outcome.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "backend.h"
#include "balancer.h"
#include "log.h"
#include "model.h"
#include "squeezerd.h"

#define BAL_CHECK_SOON_MS	20	/* coalesces bursts of changes */
#define BAL_MAX_STALLED		64
#define BAL_STORE_WAIT_MS	60000	/* xenstored away mid-operation */

static void	bal_schedule(struct squeezerd *, uint64_t ms);

static void
bal_tv(struct timeval *tv, uint64_t ms)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

size_t
bal_pending(const struct squeezerd *bd)
{
	const struct bal_op	*op;
	size_t			 n = 0;

	TAILQ_FOREACH(op, &bd->bd_queue, entry)
		n++;
	return n;
}

void
bal_submit(struct squeezerd *bd, struct bal_op *op)
{
	op->queued = true;
	op->running = op->acted = false;
	TAILQ_INSERT_TAIL(&bd->bd_queue, op, entry);
	if (bd->bd_running == NULL)
		bal_schedule(bd, 0);
}

/* Remember a domain's target before the operation first changes it. */
static void
bal_save(struct bal_op *op, const struct hv_domain *d)
{
	struct engine_action	*v;
	size_t			 i;

	for (i = 0; i < op->nsaved; i++)
		if (op->saved[i].domid == d->domid)
			return;
	if ((v = realloc(op->saved, (op->nsaved + 1) * sizeof(*v))) == NULL)
		return;		/* then the rebalance gives it back */
	op->saved = v;
	v[op->nsaved++] = (struct engine_action){ d->domid, d->target_kib };
}

/*
 * A reserve that failed or was withdrawn puts back every target it
 * changed, so nothing of it remains (the domains that gave memory get it
 * back at once, not at the next balance).
 */
static void
bal_restore(struct squeezerd *bd, struct bal_op *op)
{
	const struct host_snapshot	*s;
	long				 i;
	size_t				 k;

	if (op->nsaved == 0 || daemon_refresh(bd, true) < 0)
		return;
	s = model_snapshot(bd->bd_model);
	for (k = 0; k < op->nsaved; k++)
		if ((i = host_find(s, op->saved[k].domid)) >= 0 &&
		    model_apply(bd->bd_model, &s->doms[i],
		    op->saved[k].target_kib) < 0)
			log_warnx("domain %" PRId32 ": cannot put target %"
			    PRId64 " KiB back", op->saved[k].domid,
			    op->saved[k].target_kib);
	if (bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
}

/* End op: out of the queue, then its owner is told (and may free it). */
static void
bal_finish(struct squeezerd *bd, struct bal_op *op, const struct bal_result *r)
{
	bool	give_back = op->acted && r->outcome != BAL_SUCCESS;

	if (give_back && op->kind != BAL_BALANCE)
		bal_restore(bd, op);
	free(op->saved);
	op->saved = NULL;
	op->nsaved = 0;
	free(op->donors);
	free(op->fdoms);
	op->donors = NULL;
	op->fdoms = NULL;
	op->ndonors = 0;
	TAILQ_REMOVE(&bd->bd_queue, op, entry);
	op->queued = op->running = false;
	if (bd->bd_running == op)
		bd->bd_running = NULL;
	bd->bd_nops++;
	if (op->done != NULL)
		op->done(op, r, op->arg);
	if (give_back || (bd->bd_check_wanted && TAILQ_EMPTY(&bd->bd_queue)))
		bal_check_soon(bd);
	if (!TAILQ_EMPTY(&bd->bd_queue))
		bal_schedule(bd, 0);
}

void
bal_cancel(struct squeezerd *bd, struct bal_op *op)
{
	if (!op->queued)
		return;
	if (op->running)
		engine_abort(bd->bd_engine);
	op->done = NULL;
	bal_finish(bd, op, &(struct bal_result){ .outcome = BAL_ERROR,
	    .error = -ECANCELED });
}

/* How much an operation obtained: squeezed's free_memory_range ending. */
static int64_t
bal_obtained(struct squeezerd *bd, const struct bal_op *op)
{
	int64_t	usable;

	if (op->kind == BAL_FREE)
		return op->kib;
	(void)daemon_refresh(bd, true);
	usable = model_snapshot(bd->bd_model)->free_kib -
	    bd->bd_ec.host_reserve_kib;
	if (bd->bd_ec.granularity_kib > 1 && usable > 0)	/* whole granules */
		usable -= usable % bd->bd_ec.granularity_kib;
	if (usable > op->max_kib)
		usable = op->max_kib;
	return usable < op->min_kib ? op->min_kib : usable;
}

static void
bal_succeed(struct squeezerd *bd, struct bal_op *op)
{
	struct bal_result	r;

	memset(&r, 0, sizeof(r));
	r.outcome = BAL_SUCCESS;
	if (op->kind != BAL_BALANCE)
		r.obtained_kib = bal_obtained(bd, op);
	r.free_kib = model_snapshot(bd->bd_model)->free_kib -
	    bd->bd_ec.host_reserve_kib;
	bal_finish(bd, op, &r);
}

static void	bal_fail(struct squeezerd *, struct bal_op *, int);

/* Stage 2 of a node's reserve: every domain may give memory now. */
static void
bal_widen(struct squeezerd *bd, struct bal_op *op)
{
	bool	done;
	int	rc;

	op->stage = 2;
	log_debug("reserve for node %d: its domains were not enough, asking "
	    "all", op->node);
	if ((rc = engine_begin(bd->bd_engine, &op->goal,
	    model_snapshot(bd->bd_model), &done)) < 0) {
		bal_fail(bd, op, rc);
		return;
	}
	if (done)
		bal_succeed(bd, op);
	else
		bal_schedule(bd, 0);
}

/* Map an engine outcome to the operation's result. */
static void
bal_ended(struct squeezerd *bd, struct bal_op *op,
    const struct engine_result *er)
{
	struct bal_result	r;
	int64_t			reserve = bd->bd_ec.host_reserve_kib;

	if (er->outcome == ENGINE_SUCCESS || (op->kind == BAL_BALANCE &&
	    er->outcome == ENGINE_CANNOT_FREE)) {
		bal_succeed(bd, op);	/* balance: all at dynamic-max */
		return;
	}
	if (op->stage == 1) {		/* the node's donors were not enough */
		bal_widen(bd, op);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.needed_kib = er->needed_kib - reserve;
	r.free_kib = er->free_kib - reserve;
	if (er->outcome == ENGINE_CANNOT_FREE)
		r.outcome = BAL_CANNOT_FREE;
	else {
		r.outcome = BAL_REFUSED;
		r.domids = er->refused;
		r.ndomids = er->nrefused;
	}
	bal_finish(bd, op, &r);
}

/* The deadline passed: give up, and say who did not give memory back. */
static void
bal_deadline(struct squeezerd *bd, struct bal_op *op)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	struct bal_result		 r;
	int32_t				 stalled[BAL_MAX_STALLED];
	size_t				 i, n = 0;

	engine_abort(bd->bd_engine);
	for (i = 0; i < s->ndoms && n < BAL_MAX_STALLED; i++)
		if (s->doms[i].can_balloon && !host_hit_target(
		    s->doms[i].inaccuracy_kib, s->doms[i].actual_kib,
		    s->doms[i].target_kib))
			stalled[n++] = s->doms[i].domid;
	memset(&r, 0, sizeof(r));
	r.outcome = BAL_DEADLINE;
	r.needed_kib = op->goal.required_kib - op->start_free_kib;
	r.freed_kib = s->free_kib - op->start_free_kib;
	r.free_kib = s->free_kib - bd->bd_ec.host_reserve_kib;
	r.domids = stalled;
	r.ndomids = n;
	bal_finish(bd, op, &r);
}

static void
bal_fail(struct squeezerd *bd, struct bal_op *op, int error)
{
	if (op->running)
		engine_abort(bd->bd_engine);
	bal_finish(bd, op, &(struct bal_result){ .outcome = BAL_ERROR,
	    .error = error });
}

static bool
bal_is_donor(const struct bal_op *op, int32_t domid)
{
	size_t	i;

	for (i = 0; i < op->ndonors; i++)
		if (op->donors[i] == domid)
			return true;
	return false;
}

/*
 * The host as the engine should see it: in stage 1 of a reserve for a
 * NUMA node only that node's domains may give memory (the others are held
 * as they are); otherwise the whole host.
 */
static const struct host_snapshot *
bal_view(struct bal_op *op, const struct host_snapshot *s)
{
	struct hv_domain	*v;
	size_t			 i;

	if (op->stage != 1)
		return s;
	if ((v = realloc(op->fdoms, (s->ndoms + 1) * sizeof(*v))) == NULL) {
		op->stage = 2;		/* no memory for a view: all donors */
		return s;
	}
	op->fdoms = v;
	for (i = 0; i < s->ndoms; i++) {
		v[i] = s->doms[i];
		if (!bal_is_donor(op, v[i].domid))
			v[i].can_balloon = false;
	}
	op->fsnap = (struct host_snapshot){ v, s->ndoms, s->free_kib };
	return &op->fsnap;
}

/* The domains on op's node: its first donors. */
static void
bal_donors(struct squeezerd *bd, struct bal_op *op,
    const struct host_snapshot *s)
{
	size_t	i;
	int	node;

	op->stage = 2;
	if (op->node < 0 || bd->bd_be->node_of == NULL ||
	    (op->donors = calloc(s->ndoms + 1, sizeof(*op->donors))) == NULL)
		return;
	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon && bd->bd_be->node_of(bd->bd_be_ctx,
		    s->doms[i].domid, &node) == 0 && node == op->node)
			op->donors[op->ndonors++] = s->doms[i].domid;
	if (op->ndonors > 0)
		op->stage = 1;
}

/* Apply one iteration's actions; a domain that vanished is skipped. */
static void
bal_apply(struct squeezerd *bd, struct bal_op *op,
    const struct engine_result *er)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	long				 i;
	size_t				 k;
	int				 rc;

	for (k = 0; k < er->nactions; k++) {
		if ((i = host_find(s, er->actions[k].domid)) < 0 ||
		    (op->stage == 1 && !bal_is_donor(op, s->doms[i].domid)))
			continue;	/* held in stage 1 */
		bal_save(op, &s->doms[i]);
		rc = model_apply(bd->bd_model, &s->doms[i],
		    er->actions[k].target_kib);
		if (rc < 0)
			log_warnx("domain %" PRId32 ": cannot set target %"
			    PRId64 " KiB: %s, ignoring", er->actions[k].domid,
			    er->actions[k].target_kib, strerror(-rc));
		op->acted = true;
	}
	if (bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
}

/*
 * xenstored went away in the middle of an operation: wait for it (the
 * daemon reconnects every second) rather than fail, within the deadline
 * and at most BAL_STORE_WAIT_MS.  False: give up.
 */
static bool
bal_wait_store(struct squeezerd *bd, struct bal_op *op, uint64_t now)
{
	if (op->store_lost_ms == 0)
		op->store_lost_ms = now;
	if (now - op->store_lost_ms >= BAL_STORE_WAIT_MS ||
	    (op->deadline_ms != 0 && now >= op->deadline_ms))
		return false;
	bal_schedule(bd, 250);
	return true;
}

/* One iteration of the running operation. */
static void
bal_step(struct squeezerd *bd, struct bal_op *op)
{
	struct engine_result	 er;
	uint64_t		 now = daemon_now_ms(), wait;
	int			 rc;

	if ((rc = daemon_refresh(bd, true)) == -EPIPE && bal_wait_store(bd,
	    op, now))
		return;			/* xenstored is away: try again */
	if (rc < 0 || (rc = engine_step(bd->bd_engine, bal_view(op,
	    model_snapshot(bd->bd_model)), now, &er)) < 0) {
		bal_fail(bd, op, rc);
		return;
	}
	op->store_lost_ms = 0;
	op->free_kib = model_snapshot(bd->bd_model)->free_kib;
	bal_apply(bd, op, &er);
	if (er.outcome != ENGINE_RUNNING) {
		bal_ended(bd, op, &er);
		return;
	}
	if (op->deadline_ms != 0 && now >= op->deadline_ms) {
		bal_deadline(bd, op);
		return;
	}
	wait = bd->bd_conf.poll_interval_ms;
	if (op->deadline_ms != 0 && op->deadline_ms - now < wait)
		wait = op->deadline_ms - now;
	bal_schedule(bd, wait);
}

static int
bal_goal(struct squeezerd *bd, struct bal_op *op,
    const struct host_snapshot *s)
{
	int64_t	ideal;
	int	rc;

	switch (op->kind) {
	case BAL_FREE:
		op->goal = engine_goal_free(&bd->bd_ec, op->kib);
		break;
	case BAL_RANGE:
		if (op->aim_max)
			ideal = op->max_kib;	/* migration: all it had */
		else if ((rc = engine_range_ideal(bd->bd_engine, s,
		    op->min_kib, op->max_kib, &ideal)) < 0)
			return rc;
		op->goal = engine_goal_range(&bd->bd_ec, ideal, op->min_kib);
		break;
	case BAL_BALANCE:
		op->goal = engine_goal_balance(&bd->bd_ec);
		break;
	}
	return 0;
}

/*
 * The most free memory the balloons could ever make: what is free now plus
 * everything above dynamic-min.  A request beyond it fails at once, before
 * anyone is ballooned (squeezed would squeeze everyone to dynamic-min
 * first, and fail the same way a minute later).
 */
static bool
bal_hopeless(const struct bal_op *op, const struct host_snapshot *s)
{
	int64_t	most = s->free_kib;
	size_t	i;

	if (op->kind == BAL_BALANCE)
		return false;
	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon &&
		    s->doms[i].actual_kib > s->doms[i].dyn_min_kib)
			most += s->doms[i].actual_kib - s->doms[i].dyn_min_kib;
	return most < op->goal.cond_kib;
}

static void
bal_refuse(struct squeezerd *bd, struct bal_op *op,
    const struct host_snapshot *s)
{
	struct bal_result	r;
	int64_t			reserve = bd->bd_ec.host_reserve_kib;

	memset(&r, 0, sizeof(r));
	r.outcome = BAL_CANNOT_FREE;
	r.needed_kib = op->goal.required_kib - reserve;
	r.free_kib = s->free_kib - reserve;
	bal_finish(bd, op, &r);
}

/* Begin the operation at the head of the queue. */
static void
bal_start(struct squeezerd *bd, struct bal_op *op)
{
	const struct host_snapshot	*s;
	bool				 done;
	int				 rc;

	if ((rc = daemon_refresh(bd, true)) == -EPIPE &&
	    bal_wait_store(bd, op, daemon_now_ms()))
		return;			/* starts when xenstored is back */
	if (rc < 0) {
		bal_fail(bd, op, rc);
		return;
	}
	op->store_lost_ms = 0;
	s = model_snapshot(bd->bd_model);
	op->start_free_kib = op->free_kib = s->free_kib;
	op->start_ms = daemon_now_ms();
	if ((rc = bal_goal(bd, op, s)) < 0) {
		bal_fail(bd, op, rc);
		return;
	}
	if (bal_hopeless(op, s)) {
		bal_refuse(bd, op, s);
		return;
	}
	bal_donors(bd, op, s);
	if (op->stage == 1 && bal_hopeless(op, bal_view(op, s)))
		op->stage = 2;		/* the node alone cannot: all at once */
	if ((rc = engine_begin(bd->bd_engine, &op->goal, bal_view(op, s),
	    &done)) < 0) {
		bal_fail(bd, op, rc);
		return;
	}
	if (done) {
		bal_succeed(bd, op);
		return;
	}
	op->running = true;
	bd->bd_running = op;
	bal_step(bd, op);
}

void
bal_poll_cb(int fd, short what, void *arg)
{
	struct squeezerd	*bd = arg;
	struct bal_op		*op;

	(void)fd;
	(void)what;
	if (bd->bd_running != NULL) {
		bal_step(bd, bd->bd_running);
		return;
	}
	if ((op = TAILQ_FIRST(&bd->bd_queue)) != NULL)
		bal_start(bd, op);
}

static void
bal_schedule(struct squeezerd *bd, uint64_t ms)
{
	struct timeval	tv;

	bal_tv(&tv, ms);
	evtimer_add(bd->bd_ev_poll, &tv);
}

/* The periodic balance ends: nobody waits for it. */
static void
bal_internal_done(struct bal_op *op, const struct bal_result *r, void *arg)
{
	size_t	i;

	(void)arg;
	if (r->outcome == BAL_REFUSED)
		for (i = 0; i < r->ndomids; i++)
			log_warnx("balance: domain %" PRId32 " did not reach "
			    "its target", r->domids[i]);
	else if (r->outcome == BAL_ERROR)
		log_warnx("balance: %s", strerror(-r->error));
	else
		log_debug("balance: done");
	free(op);
}

void
bal_check(struct squeezerd *bd)
{
	struct bal_op	*op;
	bool		 unbalanced = false;

	if (bd->bd_stopping || !TAILQ_EMPTY(&bd->bd_queue))
		return;
	if (daemon_refresh(bd, true) < 0 ||
	    engine_unbalanced(bd->bd_engine, model_snapshot(bd->bd_model),
	    daemon_now_ms(), &unbalanced) < 0 || !unbalanced)
		return;
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		log_warnx("balance: out of memory");
		return;
	}
	op->kind = BAL_BALANCE;
	op->node = -1;
	op->done = bal_internal_done;
	log_info("host unbalanced: balancing");
	bal_submit(bd, op);
}

/*
 * Settled: nothing queued, nothing changed since the last look, and every
 * balloon at its target.  Then nothing can move without telling us (a
 * watch event or a request), so there is nothing to poll.
 */
static bool
bal_settled(const struct squeezerd *bd)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	size_t				 i;

	if (bd->bd_stale || !TAILQ_EMPTY(&bd->bd_queue) || bd->bd_snap_ms == 0)
		return false;
	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon && !host_hit_target(
		    s->doms[i].inaccuracy_kib, s->doms[i].actual_kib,
		    s->doms[i].target_kib))
			return false;
	return true;
}

/* Is xenstored still there?  libxenstore does not say when it goes. */
static void
bal_probe(struct squeezerd *bd)
{
	char	*v;
	int	 rc;

	if (bd->bd_be->reconnect == NULL)
		return;
	/* "/" is never cached: this really asks xenstored */
	if ((rc = bd->bd_be->read(bd->bd_be_ctx, "/", &v)) == 0)
		free(v);
	else if (rc == -EPIPE)
		(void)daemon_refresh(bd, true);	/* reconnects, or retries */
}

void
bal_check_cb(int fd, short what, void *arg)
{
	struct squeezerd	*bd = arg;
	bool			 wanted;

	(void)fd;
	(void)what;
	if (!TAILQ_EMPTY(&bd->bd_queue)) {
		bal_check_later(bd);	/* a wanted check waits for the queue */
		return;
	}
	wanted = bd->bd_check_wanted;
	bd->bd_check_wanted = false;	/* what follows may want another */
	if (!wanted && bal_settled(bd))
		bal_probe(bd);
	else
		bal_check(bd);
	bal_check_later(bd);
}

void
bal_check_soon(struct squeezerd *bd)
{
	struct timeval	tv;

	bd->bd_check_wanted = true;
	bal_tv(&tv, BAL_CHECK_SOON_MS);
	evtimer_add(bd->bd_ev_check, &tv);
}

void
bal_check_later(struct squeezerd *bd)
{
	struct timeval	tv;

	if (evtimer_pending(bd->bd_ev_check, NULL))
		return;
	bal_tv(&tv, bd->bd_conf.balance_interval_ms);
	evtimer_add(bd->bd_ev_check, &tv);
}
