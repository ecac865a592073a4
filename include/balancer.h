/*
 * balancer.h: the engine operations, queued and served one at a time in
 * arrival order.  Each is a state machine advanced by a poll timer: the
 * event loop keeps serving everything else meanwhile.
 */
#ifndef SQUEEZERD_BALANCER_H
#define SQUEEZERD_BALANCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "engine.h"

struct squeezerd;

enum bal_kind {
	BAL_FREE,	/* host free >= kib + reserve: reserve kib */
	BAL_RANGE,	/* squeezed's free_memory_range(min, max) */
	BAL_BALANCE,	/* squeezed's balance_memory */
};

enum bal_outcome {
	BAL_SUCCESS,
	BAL_CANNOT_FREE,	/* needed_kib, free_kib (less the reserve) */
	BAL_REFUSED,		/* domids */
	BAL_DEADLINE,		/* needed_kib, freed_kib, domids: stalled */
	BAL_ERROR,		/* error: -errno */
};

struct bal_result {
	enum bal_outcome	 outcome;
	int64_t			 needed_kib;
	int64_t			 free_kib;
	int64_t			 freed_kib;
	int64_t			 obtained_kib;	/* BAL_FREE, BAL_RANGE */
	const int32_t		*domids;
	size_t			 ndomids;
	int			 error;
};

struct bal_op;
typedef void	bal_done_fn(struct bal_op *, const struct bal_result *,
		    void *arg);

struct bal_op {
	enum bal_kind		 kind;
	int64_t			 kib;		/* BAL_FREE */
	int64_t			 min_kib, max_kib;	/* BAL_RANGE */
	bool			 aim_max;	/* range: all of max if it can */
	uint64_t		 deadline_ms;	/* absolute; 0: none */
	bal_done_fn		*done;		/* NULL: nobody waits */
	void			*arg;
	/* the balancer's */
	TAILQ_ENTRY(bal_op)	 entry;
	bool			 queued, running, acted;
	int64_t			 start_free_kib;
	int64_t			 free_kib;	/* at the last step */
	uint64_t		 store_lost_ms;	/* xenstored away since */
	uint64_t		 start_ms;
	struct engine_goal	 goal;
	struct engine_action	*saved;	/* targets before it changed them */
	size_t			 nsaved;
	int			 node;	/* NUMA: donors on it first; -1 */
	int			 stage;	/* 1: the node's donors only; 2: all */
	int32_t			*donors;
	size_t			 ndonors;
	struct hv_domain	*fdoms;	/* stage 1's view of the host */
	struct host_snapshot	 fsnap;
};

/* Queue an operation; done() is called exactly once unless cancelled. */
void	bal_submit(struct squeezerd *, struct bal_op *);

/* Withdraw an operation: no done(); memory it took is given back. */
void	bal_cancel(struct squeezerd *, struct bal_op *);

/* Operations waiting or running. */
size_t	bal_pending(const struct squeezerd *);

/* Queue a balance if the host is unbalanced and nothing is queued. */
void	bal_check(struct squeezerd *);

/* Arm the check soon (coalesced), or after the balance interval. */
void	bal_check_soon(struct squeezerd *);
void	bal_check_later(struct squeezerd *);

/* The poll timer's callback. */
void	bal_poll_cb(int fd, short what, void *arg);
void	bal_check_cb(int fd, short what, void *arg);

#endif
