/*
 * ctl_parse.h: squeezerctl's argument parsers: sizes, size ranges and
 * durations.  Each returns 0, -EINVAL for malformed text or -ERANGE for a
 * value out of range, and writes its ret_* only on success.
 */
#ifndef SQUEEZERD_CTL_PARSE_H
#define SQUEEZERD_CTL_PARSE_H

#include <stdint.h>

/* Longest duration squeezerctl takes: a year, as the daemon's ttl-s. */
#define CTL_DURATION_MAX_MS	(UINT64_C(31536000) * 1000)

/*
 * Parse a size into KiB: digits, then an optional unit K, M, G or T (any
 * case, powers of 1024) optionally followed by "B" or "iB"; a bare number
 * is KiB.  "512M", "2GiB", "1048576K", "1t".
 */
int	ctl_parse_size(const char *s, int64_t *ret_kib);

/* Parse "MIN-MAX", two sizes with MIN <= MAX: "1G-2G". */
int	ctl_parse_range(const char *s, int64_t *ret_min_kib,
	    int64_t *ret_max_kib);

/*
 * Parse a duration into milliseconds, as in squeezerd.conf: "500ms", "2s",
 * "1.5s"; a bare number is seconds.  At most CTL_DURATION_MAX_MS.
 */
int	ctl_parse_duration(const char *s, uint64_t *ret_ms);

#endif
