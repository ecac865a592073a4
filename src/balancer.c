/*
 * balancer.c: the queue of operations, served one at a time in arrival
 * order.  Each is an op (op.c) stepped from the poll timer: read the host,
 * step, apply the actions, wait a poll interval, until an outcome.  This
 * file owns the queue, the timer and applying; op.c owns what an
 * operation is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "balancer.h"
#include "engine.h"
#include "host.h"
#include "log.h"
#include "op.h"
#include "resv.h"

#define BAL_STORE_WAIT_MS	60000	/* xenstored away mid-operation */
#define BAL_STORE_RETRY_MS	250

struct bal_op {
	TAILQ_ENTRY(bal_op)	 entry;
	struct op_req		 req;
	char			 label[RESV_NAME_MAX + 1];
	const char		*what;
	bal_start_fn		*start;
	bal_done_fn		*done;
	void			*arg;
	struct op		*op;		/* once it has begun */
	uint64_t		 queued_ms;
	uint64_t		 store_lost_ms;	/* xenstored away since */
};

TAILQ_HEAD(bal_queue, bal_op);

struct balancer {
	struct event_base	*base;
	struct engine		*engine;
	struct engine_conf	 ec;
	uint64_t		 poll_ms;
	const struct bal_host	*host;
	void			*ctx;
	struct bal_queue	 queue;
	struct bal_op		*running;
	struct event		*ev_poll;
	uint64_t		 ncompleted;
};

static void	bal_poll_cb(int, short, void *);

struct balancer *
bal_new(struct event_base *base, struct engine *e, const struct bal_host *h,
    void *ctx)
{
	struct balancer	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->base = base;
	b->engine = e;
	b->host = h;
	b->ctx = ctx;
	b->poll_ms = 100;
	TAILQ_INIT(&b->queue);
	if ((b->ev_poll = evtimer_new(base, bal_poll_cb, b)) == NULL) {
		free(b);
		return NULL;
	}
	return b;
}

void
bal_set_conf(struct balancer *b, const struct engine_conf *ec,
    uint64_t poll_ms)
{
	b->ec = *ec;
	b->poll_ms = poll_ms;
}

static void
bal_op_free(struct bal_op *bop)
{
	if (bop == NULL)
		return;
	op_free(bop->op);
	free(bop);
}

struct bal_op *
bal_op_new(const struct op_req *req, const char *label, const char *what,
    bal_start_fn *start, bal_done_fn *done, void *arg)
{
	struct bal_op	*bop;

	if ((bop = calloc(1, sizeof(*bop))) == NULL)
		return NULL;
	bop->req = *req;
	if (label != NULL)
		snprintf(bop->label, sizeof(bop->label), "%s", label);
	bop->what = what;
	bop->start = start;
	bop->done = done;
	bop->arg = arg;
	return bop;
}

static void
bal_schedule(struct balancer *b, uint64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(b->ev_poll, &tv);
}

void
bal_submit(struct balancer *b, struct bal_op *bop)
{
	bop->queued_ms = b->host->now(b->ctx);
	TAILQ_INSERT_TAIL(&b->queue, bop, entry);
	if (b->running == NULL)
		bal_schedule(b, 0);
}

/*
 * Apply actions on the snapshot they were computed from; each outcome goes
 * back to the op (a target that cannot be written is no progress).
 */
static void
bal_apply(struct balancer *b, struct bal_op *bop, const struct op_result *r)
{
	const struct host_snapshot	*s = b->host->snapshot(b->ctx);
	const struct engine_action	*a;
	size_t				 k;
	long				 i;
	int				 rc;
	bool				 news;

	for (k = 0; k < r->nactions; k++) {
		a = &r->actions[k];
		if ((i = host_find(s, a->domid)) < 0)
			continue;	/* gone meanwhile */
		rc = b->host->apply(b->ctx, &s->doms[i], a->target_kib);
		news = bop->op == NULL || r->outcome != OP_RUNNING ||
		    op_applied(bop->op, a->domid, a->target_kib, rc);
		if (rc < 0 && news)
			log_warnx("domain %" PRId32 ": cannot set target %"
			    PRId64 " KiB: %s%s", a->domid, a->target_kib,
			    strerror(-rc), r->outcome == OP_RUNNING ?
			    " (no progress until it can)" : "");
		else if (rc == 0 && news && r->outcome == OP_RUNNING)
			log_info("domain %" PRId32 ": its target can be set "
			    "again", a->domid);
	}
	if (r->nactions > 0)
		b->host->sync(b->ctx);
}

/* End bop: put back what it changed, tell its owner, free it. */
static void
bal_finish(struct balancer *b, struct bal_op *bop, const struct op_result *r,
    bool tell)
{
	bool	restored = r->rolled_back;

	if (r->nactions > 0)	/* the last step's, and what goes back */
		bal_apply(b, bop, r);
	TAILQ_REMOVE(&b->queue, bop, entry);
	if (b->running == bop)
		b->running = NULL;
	b->ncompleted++;
	if (tell && bop->done != NULL)
		bop->done(bop, r, bop->arg);
	bal_op_free(bop);
	if (restored)
		b->host->changed(b->ctx);
	if (b->running == NULL && !TAILQ_EMPTY(&b->queue))
		bal_schedule(b, 0);
}

static void
bal_fail(struct balancer *b, struct bal_op *bop, int error)
{
	struct op_result	r;

	memset(&r, 0, sizeof(r));
	r.outcome = OP_ERROR;
	r.error = error;
	if (bop->op != NULL && b->host->refresh(b->ctx) == 0)
		(void)op_cancel(bop->op, b->host->snapshot(b->ctx), &r);
	r.outcome = OP_ERROR;
	r.error = error;
	bal_finish(b, bop, &r, true);
}

/* Act on a step's result: apply and wait, or end. */
static void
bal_result(struct balancer *b, struct bal_op *bop, const struct op_result *r)
{
	struct op_progress	p;
	uint64_t		now, wait = b->poll_ms;

	if (r->outcome != OP_RUNNING) {
		bal_finish(b, bop, r, true);
		return;
	}
	bal_apply(b, bop, r);
	op_progress(bop->op, &p);
	now = b->host->now(b->ctx);
	if (p.deadline_ms != 0 && p.deadline_ms > now &&
	    p.deadline_ms - now < wait)
		wait = p.deadline_ms - now;
	bal_schedule(b, wait);
}

/*
 * A fresh view, or false when xenstored is away: then wait for it (the
 * daemon reconnects every second), within the deadline and at most
 * BAL_STORE_WAIT_MS, before failing.
 */
static bool
bal_refresh(struct balancer *b, struct bal_op *bop)
{
	uint64_t	now;
	int		rc;

	if ((rc = b->host->refresh(b->ctx)) == 0) {
		bop->store_lost_ms = 0;
		return true;
	}
	now = b->host->now(b->ctx);
	if (rc == -EPIPE) {
		if (bop->store_lost_ms == 0)
			bop->store_lost_ms = now;
		if (now - bop->store_lost_ms < BAL_STORE_WAIT_MS &&
		    (bop->req.deadline_ms == 0 ||
		    now < bop->req.deadline_ms)) {
			bal_schedule(b, BAL_STORE_RETRY_MS);
			return false;
		}
	}
	bal_fail(b, bop, rc);
	return false;
}

/* The domains on the request's node, for its first stage. */
static int
bal_node(struct balancer *b, struct bal_op *bop)
{
	int32_t	*v = NULL;
	size_t	 n = 0;
	int	 rc;

	if (bop->req.node < 0 || b->host->node_domains == NULL)
		return 0;
	if ((rc = b->host->node_domains(b->ctx, bop->req.node, &v, &n)) < 0)
		return rc;
	rc = op_set_node_domains(bop->op, v, n);
	free(v);
	return rc;
}

/* Begin the operation at the head of the queue. */
static void
bal_start(struct balancer *b, struct bal_op *bop)
{
	struct op_result	r;
	int			rc;

	if (!bal_refresh(b, bop))
		return;
	if (bop->start != NULL) {
		if ((rc = bop->start(bop, &bop->req, bop->arg)) < 0) {
			bal_fail(b, bop, rc);
			return;
		}
		bop->start = NULL;
		if (!bal_refresh(b, bop))	/* with what it changed */
			return;
	}
	if ((rc = op_new(b->engine, &b->ec, &bop->req, &bop->op)) < 0 ||
	    (rc = bal_node(b, bop)) < 0 ||
	    (rc = op_begin(bop->op, b->host->snapshot(b->ctx),
	    b->host->now(b->ctx), &r)) < 0) {
		bal_fail(b, bop, rc);
		return;
	}
	b->running = bop;
	bal_result(b, bop, &r);
}

/* One more step of the running operation. */
static void
bal_step(struct balancer *b, struct bal_op *bop)
{
	struct op_result	r;
	int			rc;

	if (!bal_refresh(b, bop))
		return;
	if ((rc = op_step(bop->op, b->host->snapshot(b->ctx),
	    b->host->now(b->ctx), &r)) < 0) {
		bal_fail(b, bop, rc);
		return;
	}
	bal_result(b, bop, &r);
}

static void
bal_poll_cb(int fd, short what, void *arg)
{
	struct balancer	*b = arg;
	struct bal_op	*bop;

	(void)fd;
	(void)what;
	if (b->running != NULL)
		bal_step(b, b->running);
	else if ((bop = TAILQ_FIRST(&b->queue)) != NULL)
		bal_start(b, bop);
}

void
bal_cancel(struct balancer *b, struct bal_op *bop)
{
	struct op_result	r;

	memset(&r, 0, sizeof(r));
	r.outcome = OP_ERROR;
	r.error = -ECANCELED;
	if (bop->op != NULL && b->running == bop &&
	    b->host->refresh(b->ctx) == 0)
		(void)op_cancel(bop->op, b->host->snapshot(b->ctx), &r);
	bal_finish(b, bop, &r, false);
}

void
bal_free(struct balancer *b)
{
	struct bal_op	*bop;

	if (b == NULL)
		return;
	while ((bop = TAILQ_FIRST(&b->queue)) != NULL) {
		TAILQ_REMOVE(&b->queue, bop, entry);
		bal_op_free(bop);
	}
	event_free(b->ev_poll);
	free(b);
}

struct bal_op *
bal_find(const struct balancer *b, const char *label)
{
	struct bal_op	*bop;

	TAILQ_FOREACH(bop, &b->queue, entry)
		if (bop->label[0] != '\0' && strcmp(bop->label, label) == 0)
			return bop;
	return NULL;
}

struct bal_op *
bal_first(const struct balancer *b)
{
	return TAILQ_FIRST(&b->queue);
}

struct bal_op *
bal_next(const struct bal_op *bop)
{
	return TAILQ_NEXT(bop, entry);
}

size_t
bal_pending(const struct balancer *b)
{
	const struct bal_op	*bop;
	size_t			 n = 0;

	TAILQ_FOREACH(bop, &b->queue, entry)
		n++;
	return n;
}

bool
bal_idle(const struct balancer *b)
{
	return TAILQ_EMPTY(&b->queue);
}

uint64_t
bal_completed(const struct balancer *b)
{
	return b->ncompleted;
}

const char *
bal_op_label(const struct bal_op *bop)
{
	return bop->label;
}

struct event *
bal_poll_event(const struct balancer *b)
{
	return b->ev_poll;
}

void *
bal_op_arg(const struct bal_op *bop)
{
	return bop->arg;
}

const char *
bal_op_what(const struct bal_op *bop)
{
	return bop->what;
}

const struct op_req *
bal_op_req(const struct bal_op *bop)
{
	return &bop->req;
}

uint64_t
bal_op_queued_ms(const struct bal_op *bop)
{
	return bop->queued_ms;
}

void
bal_op_progress(const struct bal_op *bop, struct op_progress *ret)
{
	op_progress(bop->op, ret);
}
