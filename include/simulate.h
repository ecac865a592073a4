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
 * With trace set, print one line per engine iteration there.  Returns 0,
 * or -errno for an internal failure (bad outcomes are results, not errors).
 */
int	simulate_run(struct scenario *, FILE *out, FILE *trace);

#endif
