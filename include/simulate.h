/* simulate.h: run a scenario's steps against the real engine. */
#ifndef SQUEEZERD_SIMULATE_H
#define SQUEEZERD_SIMULATE_H

#include <stdio.h>

struct scenario;

/* Longest one engine operation may run in simulated time. */
#define SIMULATE_OP_LIMIT_MS	(3600u * 1000)

/*
 * Run every step on a virtual clock and print the JSON result to out.
 * With trace set, print one line per engine iteration there.  Returns 0,
 * or -errno for an internal failure (bad outcomes are results, not errors).
 */
int	simulate_run(struct scenario *, FILE *out, FILE *trace);

#endif
