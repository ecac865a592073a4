/*
 * engine.h: squeezed's squeezer as a non-blocking state machine.
 *
 * The caller owns the clock and the host.  An operation (free, free_range,
 * balance) starts with engine_begin(); then, until it ends, the caller takes
 * a snapshot, calls engine_step() with the time it read just before the
 * snapshot, applies the actions it returns (engine_apply() says how), and
 * waits (a poll interval or a xenstore event) before the next step.  The
 * engine never blocks, never reads the clock and does no I/O.
 */
#ifndef SQUEEZERD_ENGINE_H
#define SQUEEZERD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"

struct policy;

struct engine_conf {
	const struct policy	*policy;
	int64_t			 host_reserve_kib;	/* squeezed: 73728 */
	int64_t			 balance_tolerance_kib;	/* squeezed: 512 */
	int64_t			 granularity_kib;	/* 1: squeezed's targets */
	uint64_t		 stuck_after_ms;	/* squeezed: 5000 */
	uint64_t		 uncooperative_after_ms;	/* squeezed: 20000 */
	int64_t			 min_progress_kib_s;	/* 0: squeezed's rule */
	bool			 two_phase;		/* free before grow */
	bool			 inaccuracy_compensation;
	uint64_t		 op_timeout_ms;	/* op.c: an operation's bound */
	bool			 remember_stuck;	/* no: squeezed's fresh start */
};

enum engine_outcome {
	ENGINE_RUNNING,		/* apply the actions, wait, step again */
	ENGINE_SUCCESS,
	ENGINE_CANNOT_FREE,	/* needed_kib, free_kib */
	ENGINE_REFUSED,		/* refused[] */
};

/* What success means for an operation: free >= kib, or free <= kib. */
enum engine_cond {
	ENGINE_COND_GE,
	ENGINE_COND_LE,
};

struct engine_goal {
	int64_t		required_kib;	/* host free memory to aim for */
	enum engine_cond cond;
	int64_t		cond_kib;
};

/* Set domid's balloon target (and Xen maxmem) to target_kib. */
struct engine_action {
	int32_t		domid;
	int64_t		target_kib;
};

/* Per-domain state as last judged (for domain lists and scenario output). */
enum engine_dom_state {
	ENGINE_DOM_ACTIVE,
	ENGINE_DOM_INACTIVE,		/* stuck in the last operation */
	ENGINE_DOM_UNCOOPERATIVE,	/* off target for uncooperative-after */
	ENGINE_DOM_FIXED,		/* no balloon driver */
};

struct engine_result {
	enum engine_outcome		 outcome;
	bool				 allocating;	/* phase */
	const struct engine_action	*actions;	/* to apply now */
	size_t				 nactions;
	const struct engine_action	*targets;	/* policy's, all active */
	size_t				 ntargets;
	const int32_t			*refused;	/* descending domid */
	size_t				 nrefused;
	const int32_t			*declared_inactive;
	size_t				 ndeclared_inactive;
	int64_t				 needed_kib;	/* ENGINE_CANNOT_FREE */
	int64_t				 free_kib;	/* host free at the end */
};

struct engine;

struct engine	*engine_new(const struct engine_conf *);
void		 engine_free(struct engine *);
int		 engine_set_conf(struct engine *, const struct engine_conf *);
const struct engine_conf *engine_get_conf(const struct engine *);

/*
 * Start an operation with fresh stuckness state ("innocent until proven
 * guilty").  *ret_done is set when squeezed's fast path ends it at once:
 * the goal is not the host reserve, enough is free and every balloonable
 * domain is on target.
 */
int	engine_begin(struct engine *, const struct engine_goal *,
	    const struct host_snapshot *snap0, bool *ret_done);

/* One iteration of the squeeze loop on a snapshot taken at now_ms. */
int	engine_step(struct engine *, const struct host_snapshot *,
	    uint64_t now_ms, struct engine_result *ret);

/* True while an operation begun by engine_begin() has not ended. */
bool	engine_busy(const struct engine *);

/* Abandon the running operation (its targets stay as they are). */
void	engine_abort(struct engine *);

/*
 * What the next step of a fresh operation would do, without changing the
 * engine (squeezed's dry run, used by plan and is_host_memory_unbalanced).
 */
int	engine_plan(struct engine *, const struct engine_goal *,
	    const struct host_snapshot *, uint64_t now_ms,
	    struct engine_result *ret);

/* True when a dry-run balance would change some domain's target. */
int	engine_unbalanced(struct engine *, const struct host_snapshot *,
	    uint64_t now_ms, bool *ret);

/*
 * free_range's ideal: the target the policy would give a new domain with
 * range [min, max] on this host (squeezed's free_memory_range, step 1).
 */
int	engine_range_ideal(const struct engine *, const struct host_snapshot *,
	    int64_t min_kib, int64_t max_kib, int64_t *ret_kib);

/* Goals of squeezed's three operations. */
struct engine_goal	engine_goal_free(const struct engine_conf *, int64_t kib);
struct engine_goal	engine_goal_range(const struct engine_conf *,
			    int64_t ideal_kib, int64_t min_kib);
struct engine_goal	engine_goal_balance(const struct engine_conf *);

/* Record a snapshot for the uncooperative monitor (engine_step does too). */
void	engine_observe(struct engine *, const struct host_snapshot *,
	    uint64_t now_ms);

enum engine_dom_state	engine_dom_state(const struct engine *,
			    const struct hv_domain *);
const char		*engine_dom_state_name(enum engine_dom_state);
/*
 * Why a fresh operation at now_ms would leave a domain out from its start
 * (it is uncooperative, or was found stuck less than uncooperative-after
 * ago and has not moved since), or NULL.  remember-stuck off: never.
 */
const char		*engine_held(const struct engine *,
			    const struct hv_domain *, uint64_t now_ms);
/*
 * Leave these domains out of the next engine_begin() (for its whole
 * operation) or engine_plan() (one call), as stuck from the start.
 */
int			 engine_hold(struct engine *, const int32_t *domids,
			    size_t n);
/*
 * A domain did not move because its target could not be written: not the
 * guest's fault, so later operations ask it again.
 */
void			 engine_forgive(struct engine *, int32_t domid);
/* Why a domain is where it is, in words (domain.list). */
const char		*engine_dom_reason(const struct engine *,
			    const struct hv_domain *);

/* Quantise a target to granularity, staying inside [dmin, dmax]. */
int64_t	engine_quantise(int64_t target_kib, int64_t dmin_kib, int64_t dmax_kib,
	    int64_t granularity_kib);

/*
 * How to apply an action, as squeezed's execute_action: raise maxmem before
 * the target, lower the target before maxmem, and never write a target for a
 * domain without a balloon driver (only ever raise its maxmem).
 */
struct engine_apply_ops {
	int	(*set_target)(void *ctx, int32_t domid, int64_t kib);
	int	(*set_maxmem)(void *ctx, int32_t domid, int64_t kib);
};
int	engine_apply(const struct engine_apply_ops *, void *ctx,
	    const struct hv_domain *, int64_t target_kib);

#endif
