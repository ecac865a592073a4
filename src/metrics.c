/*
 * metrics.c: the reserve latency histogram and the text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"

static const uint64_t	metrics_bounds_ms[METRICS_RESERVE_NBUCKETS] =
			    METRICS_RESERVE_BOUNDS_MS;

void
metrics_reserve_observe(struct metrics *m, uint64_t ms)
{
	size_t	i;

	for (i = 0; i < METRICS_RESERVE_NBUCKETS && ms > metrics_bounds_ms[i];
	    i++)
		;
	m->reserve_bucket[i]++;		/* i == NBUCKETS: only +Inf */
	m->reserve_count++;
	m->reserve_sum_ms += ms;
}

void
metrics_family(FILE *f, const char *name, const char *type,
    const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Milliseconds as seconds, without trailing zeros: 250 -> "0.25". */
static void
metrics_secs(FILE *f, uint64_t ms)
{
	if (ms % 1000 == 0)
		fprintf(f, "%" PRIu64, ms / 1000);
	else if (ms % 100 == 0)
		fprintf(f, "%" PRIu64 ".%" PRIu64, ms / 1000, ms % 1000 / 100);
	else if (ms % 10 == 0)
		fprintf(f, "%" PRIu64 ".%02" PRIu64, ms / 1000, ms % 1000 / 10);
	else
		fprintf(f, "%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
}

void
metrics_reserve_render(const struct metrics *m, FILE *f)
{
	uint64_t	cum = 0;
	size_t		i;

	metrics_family(f, "squeezerd_reserve_seconds", "histogram",
	    "Time from a reserve's arrival to its reply (cancelled ones "
	    "excluded).");
	for (i = 0; i < METRICS_RESERVE_NBUCKETS; i++) {
		cum += m->reserve_bucket[i];
		fprintf(f, "squeezerd_reserve_seconds_bucket{le=\"");
		metrics_secs(f, metrics_bounds_ms[i]);
		fprintf(f, "\"} %" PRIu64 "\n", cum);
	}
	fprintf(f, "squeezerd_reserve_seconds_bucket{le=\"+Inf\"} %" PRIu64
	    "\n", m->reserve_count);
	fprintf(f, "squeezerd_reserve_seconds_sum ");
	metrics_secs(f, m->reserve_sum_ms);
	fprintf(f, "\nsqueezerd_reserve_seconds_count %" PRIu64 "\n",
	    m->reserve_count);
}
