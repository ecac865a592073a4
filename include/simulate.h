/*
 * simulate.h: run a scenario's steps on a virtual clock, through the very
 * operation code the daemon runs (op.c), against a simulated host.
 */
#ifndef SQUEEZERD_SIMULATE_H
#define SQUEEZERD_SIMULATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "op.h"
#include "sim.h"

struct engine;
struct engine_conf;
struct scenario;
struct sim_host;

/* A simulator error (an invariant broken, no convergence): see err. */
#define SIMULATE_ESIM	(-10000)

/* Longest one operation may run in simulated time. */
#define SIMULATE_OP_LIMIT_MS	(3600u * 1000)

#define SIMULATE_MAX_DOMIDS	64

/* How an operation ended (op_result's figures, copied). */
struct simulate_result {
	enum op_outcome	outcome;
	int64_t		needed_kib, free_kib, freed_kib, obtained_kib;
	int32_t		domids[SIMULATE_MAX_DOMIDS];
	size_t		ndomids;
	bool		ballooned;
	int		error;
};

/*
 * Run one operation to its end on the simulated host, as the daemon's
 * balancer does in real time, with the clock advancing poll_ms per step.
 * Returns 0 with the result, SIMULATE_ESIM with a message in err, or
 * -errno.
 */
int	simulate_op(struct engine *, const struct engine_conf *,
	    struct sim_host *, const struct op_req *, uint64_t poll_ms,
	    FILE *trace, struct simulate_result *ret, char *err,
	    size_t errlen);

/*
 * The engine primitive (squeezed's change_host_free_memory) for a goal,
 * as the scenario's free step: simulate_op() of an OP_FREE, with the
 * engine's own configuration.
 */
struct engine_goal;
int	simulate_goal(struct engine *, struct sim_host *,
	    const struct engine_goal *, uint64_t poll_ms, FILE *trace,
	    struct simulate_result *ret, char *err, size_t errlen);

/*
 * Run every step on a virtual clock and print the JSON result to out.
 * With trace set, print one line per engine iteration there (and one per
 * balance check of a run step).  Returns 0, or -errno for an internal
 * failure (bad outcomes are results, not errors).
 */
int	simulate_run(struct scenario *, FILE *out, FILE *trace);

struct policy;

/* How simulate_run_opts() may differ from the scenario as written. */
struct simulate_opts {
	const struct policy	*policy;	/* instead of the file's */
	bool			 summary;	/* print "summary" as well */
	uint64_t		 until_ms;	/* stop then; 0: never */
	uint64_t		 poll_ms;	/* poll-interval instead; 0 */
};

/*
 * What a whole run gave: what the guests felt and the balloons did
 * (sim.h's stats), the VM starts asked for and admitted (start steps), and
 * the balances run steps made.
 */
struct simulate_summary {
	uint64_t		time_ms;	/* simulated */
	struct sim_stats	stats;
	size_t			starts, admitted;
	uint64_t		admit_wait_ms;	/* summed over the admitted */
	size_t			balances;
	size_t			errors;		/* steps that ended "error" */
};

/*
 * simulate_run() with opts (NULL: none); with ret set, the summary is
 * written there as well.  out may be NULL (no JSON).
 */
int	simulate_run_opts(struct scenario *, const struct simulate_opts *,
	    FILE *out, FILE *trace, struct simulate_summary *ret);

#endif
