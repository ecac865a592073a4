/*
 * metrics.h: the daemon's counters that no snapshot holds, and the
 * Prometheus text exposition format (version 0.0.4) they are rendered in.
 * The "metrics" RPC method (src/rpc_metrics.c) renders the rest from the
 * host model.  No I/O but the FILE given, no clock: the caller measures.
 */
#ifndef SQUEEZERD_METRICS_H
#define SQUEEZERD_METRICS_H

#include <stdint.h>
#include <stdio.h>

/* Upper bounds of the reserve latency buckets, ms: 0.01 s to 60 s. */
#define METRICS_RESERVE_BOUNDS_MS \
	{ 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000 }
#define METRICS_RESERVE_NBUCKETS	11	/* and +Inf */

/*
 * squeezerd_reserve_seconds: how long reserves (and migration.reserve)
 * took from arrival to reply, whatever the outcome; a reserve cancelled or
 * abandoned by its client is not observed.  Zeroed memory is empty.
 */
struct metrics {
	/* per bucket, not cumulative; the last is above 60 s */
	uint64_t	reserve_bucket[METRICS_RESERVE_NBUCKETS + 1];
	uint64_t	reserve_count;
	uint64_t	reserve_sum_ms;
};

/* Count one reserve that took ms. */
void	metrics_reserve_observe(struct metrics *, uint64_t ms);

/* Write "# HELP" and "# TYPE" of one family. */
void	metrics_family(FILE *, const char *name, const char *type,
	    const char *help);

/* Write the reserve latency histogram family. */
void	metrics_reserve_render(const struct metrics *, FILE *);

#endif
