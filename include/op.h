/*
 * op.h: what one balancer operation is, once, for the daemon and the
 * simulator alike.
 *
 * An operation has a goal (make memory free for a reservation, squeezed's
 * free_memory_range, a balance, a migration's reserve or prepare), and owns
 * everything that decides its outcome: sizes in whole granules, the check
 * that fails a hopeless request at once, NUMA staging (a node's domains
 * give first), which domains may give, the deadline and the upper bound on
 * every operation, the targets to put back when it fails, what a failed
 * write means, and what was obtained.
 *
 * It is a pure state machine on top of the engine: op_begin() and then
 * op_step() on snapshots the caller takes, each returning actions to apply
 * or an outcome.  It never reads a clock and does no I/O: the caller applies
 * the actions (and says which failed, op_applied()), waits and steps again.
 * balancer.c drives it in real time against the host; simulate.c drives it
 * on a virtual clock against a simulated host.
 */
#ifndef SQUEEZERD_OP_H
#define SQUEEZERD_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "host.h"

enum op_kind {
	OP_FREE,		/* the engine primitive: free >= kib (absolute) */
	OP_RESERVE,		/* room for a reservation of kib */
	OP_RANGE,		/* squeezed's free_memory_range(min, max) */
	OP_MIGRATION_RESERVE,	/* a range aiming at max: all the VM has */
	OP_BALANCE,		/* squeezed's balance_memory */
	OP_PREPARE,		/* a migrating domain down to its pin */
};

enum op_outcome {
	OP_RUNNING,		/* apply the actions, wait, step again */
	OP_SUCCESS,
	OP_CANNOT_FREE,		/* needed_kib, free_kib */
	OP_REFUSED,		/* domids */
	OP_DEADLINE,		/* needed_kib, freed_kib, domids: stalled */
	OP_ERROR,		/* error: -errno */
};

struct op_req {
	enum op_kind	 kind;
	int64_t		 kib;		/* FREE: absolute; RESERVE: the size */
	int64_t		 min_kib, max_kib;	/* RANGE, MIGRATION_RESERVE */
	bool		 has_until;	/* FREE: another success test */
	enum engine_cond until_cond;
	int64_t		 until_kib;
	int32_t		 domid;		/* PREPARE: the domain, pinned */
	int64_t		 pin_kib;	/* ... at this target */
	int		 node;		/* its domains give first; -1: any */
	uint64_t	 deadline_ms;	/* absolute; 0: none */
};

/* A domain left out of an operation from its start, and why. */
struct op_held {
	int32_t		 domid;
	const char	*why;
};

struct op_result {
	enum op_outcome			 outcome;
	/*
	 * RUNNING: set these targets now.  Any other outcome: put these
	 * targets back (what a failed reservation changed), then done.
	 */
	const struct engine_action	*actions;
	size_t				 nactions;
	bool				 allocating;	/* phase */
	const struct engine_action	*targets;	/* the policy's */
	size_t				 ntargets;
	const struct op_held		*held;	/* left out, from the start */
	size_t				 nheld;
	const int32_t			*domids;	/* refused, stalled */
	size_t				 ndomids;
	const int32_t			*declared;	/* found stuck now */
	size_t				 ndeclared;
	/*
	 * Amounts beyond the host reserve (absolute for OP_FREE):
	 * needed is what the operation must free from where it started,
	 * freed how much of that is free now (never above needed), free the
	 * host's free memory now, obtained what a success gives.
	 */
	int64_t				 required_kib;	/* aimed-for host free */
	int64_t				 needed_kib;
	int64_t				 freed_kib;
	int64_t				 free_kib;
	int64_t				 obtained_kib;
	bool				 ballooned;	/* PREPARE: had to move */
	bool				 rolled_back;	/* actions put targets back */
	int				 error;		/* OP_ERROR */
};

struct op;

/*
 * A new operation on the engine (which must outlive it, and runs one
 * operation at a time).  -EINVAL for a request that makes no sense.
 */
int	op_new(struct engine *, const struct engine_conf *,
	    const struct op_req *, struct op **ret);
void	op_free(struct op *);

/*
 * The domains on the request's node (sorted or not): they give first.
 * Call before op_begin(); without it a node request asks everyone.
 */
int	op_set_node_domains(struct op *, const int32_t *domids, size_t n);

/*
 * Start on the host as it is at now_ms: the goal, the hopeless check, the
 * fast path, and the first step.  The result is the first step's (or the
 * outcome, when it ends at once).
 */
int	op_begin(struct op *, const struct host_snapshot *, uint64_t now_ms,
	    struct op_result *ret);

/* One more step on a fresh snapshot taken at now_ms. */
int	op_step(struct op *, const struct host_snapshot *, uint64_t now_ms,
	    struct op_result *ret);

/*
 * How applying an action went: a target that could not be written is no
 * progress, so a domain whose writes keep failing is stuck, not waited for.
 * True when this is news (the first failure, or the first success after
 * failures): worth a log line.
 */
bool	op_applied(struct op *, int32_t domid, int64_t target_kib, int rc);

/*
 * End a running operation now (a cancel, or an error outside it): the
 * result says what to put back.
 */
int	op_cancel(struct op *, const struct host_snapshot *,
	    struct op_result *ret);

/*
 * Instead of op_begin(): what it would do on this host, changing nothing
 * (the first step of the operation, as plan shows it; RUNNING means its
 * actions would be taken).  The result lives until op_free().
 */
int	op_plan(struct op *, const struct host_snapshot *, uint64_t now_ms,
	    struct op_result *ret);

/*
 * Would a balance change anything now (the daemon's periodic check)?  The
 * first step of a balance, as op_plan() makes it, domains held as stuck
 * left out: true when it would set some target.
 */
int	op_unbalanced(struct engine *, const struct engine_conf *,
	    const struct host_snapshot *, uint64_t now_ms, bool *ret);

/* Progress of a running operation (reservation.pending). */
struct op_progress {
	bool		running;
	int64_t		needed_kib;
	int64_t		freed_kib;
	uint64_t	start_ms;
	uint64_t	deadline_ms;	/* effective, with the upper bound */
	size_t		nunsettled;	/* domains still off their targets */
};
void	op_progress(const struct op *, struct op_progress *ret);

const struct op_req	*op_request(const struct op *);

const char	*op_outcome_name(enum op_outcome);

#endif
