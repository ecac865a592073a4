/*
 * balancer.h: the operations (op.h), queued and served one at a time in
 * arrival order, each advanced by a poll timer on the event loop, so
 * everything else is served meanwhile.  Operations that change targets
 * are serialised here: one runs at a time.
 *
 * The balancer knows the host only through struct bal_host (daemon.c
 * provides it): it takes fresh snapshots and applies targets through it.
 */
#ifndef SQUEEZERD_BALANCER_H
#define SQUEEZERD_BALANCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "op.h"

struct engine;
struct engine_conf;
struct event;
struct event_base;
struct hv_domain;
struct host_snapshot;

struct bal_host {
	/* A fresh view (-EPIPE: xenstored is away, try again later). */
	int	(*refresh)(void *ctx);
	const struct host_snapshot *(*snapshot)(void *ctx);
	/* Set a domain's target (and maxmem), as execute_action. */
	int	(*apply)(void *ctx, const struct hv_domain *, int64_t kib);
	/* Make what was applied survive a crash. */
	void	(*sync)(void *ctx);
	/* The domains on a NUMA node, malloc'd; may be NULL. */
	int	(*node_domains)(void *ctx, int node, int32_t **ret,
		    size_t *ret_n);
	uint64_t (*now)(void *ctx);
	/* Targets were put back: the host may need balancing. */
	void	(*changed)(void *ctx);
};

struct balancer;
struct bal_op;

/*
 * An operation's end: told once, unless it was cancelled; the op is freed
 * by the balancer after this returns.
 */
typedef void	bal_done_fn(struct bal_op *, const struct op_result *,
		    void *arg);
/*
 * Called when the operation reaches the head of the queue, before it
 * begins, with the host just read: it may fill in the request (a pin), or
 * fail it (< 0: done() gets OP_ERROR with that error).
 */
typedef int	bal_start_fn(struct bal_op *, struct op_req *, void *arg);

struct balancer	*bal_new(struct event_base *, struct engine *,
		    const struct bal_host *, void *ctx);
/* Cancel everything queued (no done()), and free. NULL-safe. */
void		 bal_free(struct balancer *);

/* The settings in force for operations that start from now on. */
void	bal_set_conf(struct balancer *, const struct engine_conf *,
	    uint64_t poll_interval_ms);

/*
 * A new operation (not yet queued).  label names it (a reservation id, for
 * bal_find() and reservation.pending; may be NULL), what says what it is in
 * words ("reserve", "balance", ...).
 */
struct bal_op	*bal_op_new(const struct op_req *, const char *label,
		    const char *what, bal_start_fn *, bal_done_fn *,
		    void *arg);

/* Queue it; its done() is called exactly once, unless cancelled. */
void	bal_submit(struct balancer *, struct bal_op *);

/* Withdraw it (no done()); targets it changed are put back.  Frees it. */
void	bal_cancel(struct balancer *, struct bal_op *);

/* The queued or running operation labelled label, or NULL. */
struct bal_op	*bal_find(const struct balancer *, const char *label);

/* The queue in order (the running one first), for reservation.pending. */
struct bal_op	*bal_first(const struct balancer *);
struct bal_op	*bal_next(const struct bal_op *);
size_t		 bal_pending(const struct balancer *);
bool		 bal_idle(const struct balancer *);
uint64_t	 bal_completed(const struct balancer *);

/* The poll timer, for tests that drive the loop by hand (the fuzzer). */
struct event		*bal_poll_event(const struct balancer *);

const char		*bal_op_label(const struct bal_op *);
/* The arg its owner gave bal_op_new(). */
void			*bal_op_arg(const struct bal_op *);
const char		*bal_op_what(const struct bal_op *);
const struct op_req	*bal_op_req(const struct bal_op *);
uint64_t		 bal_op_queued_ms(const struct bal_op *);
/* Progress so far (running false while it waits in the queue). */
void			 bal_op_progress(const struct bal_op *,
			    struct op_progress *ret);

#endif
