/* simulate.h: run a scenario's steps against the real engine. */
#ifndef SQUEEZERD_SIMULATE_H
#define SQUEEZERD_SIMULATE_H

#include <stdio.h>

#include <stdint.h>

struct engine;
struct engine_goal;
struct engine_result;
struct scenario;
struct sim_host;

/* A simulator error (an invariant broken, no convergence): see err. */
#define SIMULATE_ESIM	(-10000)

/* Longest one engine operation may run in simulated time. */
#define SIMULATE_OP_LIMIT_MS	(3600u * 1000)

/*
 * Run one engine operation to its end on the simulated host: squeezed's
 * change_host_free_memory, with the clock advancing poll_ms per iteration.
 * Returns 0 with the final result, SIMULATE_ESIM with a message in err, or
 * -errno.
 */
int	simulate_operation(struct engine *, struct sim_host *,
	    const struct engine_goal *, uint64_t poll_ms, FILE *trace,
	    struct engine_result *ret, char *err, size_t errlen);

/*
 * Run every step on a virtual clock and print the JSON result to out.
 * With trace set, print one line per engine iteration there.  Returns 0,
 * or -errno for an internal failure (bad outcomes are results, not errors).
 */
int	simulate_run(struct scenario *, FILE *out, FILE *trace);

#endif
