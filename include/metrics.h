/*
 * metrics.h: the daemon's counters that no snapshot holds, and the
 * Prometheus text exposition format (version 0.0.4) they are rendered in:
 * base units (bytes, seconds), "# HELP" and "# TYPE" for every family,
 * label values escaped.  The "metrics" RPC method (src/rpc_metrics.c)
 * renders the rest from the host model.  No I/O but the FILE given, no
 * clock: the caller measures.
 */
#ifndef SQUEEZERD_METRICS_H
#define SQUEEZERD_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Upper bounds of the reserve latency buckets, ms: 0.01 s to 60 s. */
#define METRICS_RESERVE_BOUNDS_MS \
	{ 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000 }
#define METRICS_RESERVE_NBUCKETS	11	/* and +Inf */

/* A label value keeps at most this many bytes of its input. */
#define METRICS_LABEL_MAX		64
/* Room for an escaped label value: each byte may become two, and a NUL. */
#define METRICS_LABEL_BUFLEN		(2 * METRICS_LABEL_MAX + 1)

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

/*
 * Write one sample, "name{labels} value\n"; labels are rendered already
 * ("domid=\"1\",name=\"web\""), NULL or "" for none.  The _bytes form
 * takes KiB and writes bytes.
 */
void	metrics_sample(FILE *, const char *name, const char *labels,
	    int64_t v);
void	metrics_sample_bytes(FILE *, const char *name, const char *labels,
	    int64_t kib);

/*
 * Escape a label value for the text format into buf (len bytes, at least
 * 1): backslash, double quote and newline escaped; other control bytes and
 * bytes that are not valid UTF-8 become '?'; at most METRICS_LABEL_MAX
 * bytes of s are kept, never half a character.  Returns the length written.
 */
size_t	metrics_label_escape(const char *s, char *buf, size_t len);

/* Write the reserve latency histogram family. */
void	metrics_reserve_render(const struct metrics *, FILE *);

#endif
