/*
 * metrics.c: the reserve latency histogram and the text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

void
metrics_sample(FILE *f, const char *name, const char *labels, int64_t v)
{
	if (labels != NULL && *labels != '\0')
		fprintf(f, "%s{%s} %" PRId64 "\n", name, labels, v);
	else
		fprintf(f, "%s %" PRId64 "\n", name, v);
}

void
metrics_sample_bytes(FILE *f, const char *name, const char *labels,
    int64_t kib)
{
	/* exact while it fits in int64 (8 EiB); a float beyond */
	if (kib <= INT64_MAX / 1024 && kib >= INT64_MIN / 1024) {
		metrics_sample(f, name, labels, kib * 1024);
		return;
	}
	if (labels != NULL && *labels != '\0')
		fprintf(f, "%s{%s} %.17g\n", name, labels, (double)kib * 1024);
	else
		fprintf(f, "%s %.17g\n", name, (double)kib * 1024);
}

/* Bytes in the valid UTF-8 sequence at s (at most avail), or 0. */
static size_t
metrics_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] < 0x80)
		n = 1;
	else if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* The escape of byte c in a label value, or NULL when it stays as it is. */
static const char *
metrics_label_esc(unsigned char c)
{
	if (c == '\\')
		return "\\\\";
	if (c == '"')
		return "\\\"";
	if (c == '\n')
		return "\\n";
	if (c < 0x20 || c == 0x7f)
		return "?";
	return NULL;
}

size_t
metrics_label_escape(const char *s, char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*esc, *from;
	size_t			 in, out = 0, n, all, m;

	all = strnlen(s, METRICS_LABEL_MAX + 4);
	for (in = 0; in < all && in < METRICS_LABEL_MAX; in += n) {
		if ((n = metrics_utf8_len(p + in, all - in)) == 0) {
			n = 1;		/* one byte of a bad sequence */
			esc = "?";
		} else if (in + n > METRICS_LABEL_MAX)
			break;		/* not half a character */
		else
			esc = metrics_label_esc(p[in]);
		from = esc != NULL ? esc : (const char *)p + in;
		m = esc != NULL ? strlen(esc) : n;
		if (out + m >= len)
			break;
		memcpy(buf + out, from, m);
		out += m;
	}
	buf[out] = '\0';
	return out;
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
