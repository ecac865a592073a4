/* ctl_fmt.c: squeezerctl's sizes, durations and strings for people. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl_fmt.h"

#define CTL_FMT_MIN_MS		60000		/* below: seconds, tenths */

static const char *const ctl_fmt_units[] = { "KiB", "MiB", "GiB", "TiB" };

/* The units of a duration shown, largest first, with their length in ms. */
static const struct {
	const char	*name;
	uint64_t	 ms;
} ctl_fmt_durs[] = {
	{ "y", UINT64_C(31536000000) },
	{ "d", UINT64_C(86400000) },
	{ "h", UINT64_C(3600000) },
	{ "m", UINT64_C(60000) },
	{ "s", UINT64_C(1000) },
};

int
ctl_fmt_parse_unit(const char *s, int *ret_unit)
{
	static const char	 letters[] = "kmgt";
	const char		*u;

	if (s == NULL || *s == '\0' ||
	    (u = strchr(letters, tolower((unsigned char)*s))) == NULL)
		return -EINVAL;
	if (s[1] != '\0' && strcasecmp(s + 1, "b") != 0 &&
	    strcasecmp(s + 1, "ib") != 0)
		return -EINVAL;
	*ret_unit = (int)(u - letters);
	return 0;
}

const char *
ctl_fmt_unit_name(int unit)
{
	if (unit < CTL_FMT_KIB || unit > CTL_FMT_TIB)
		return "KiB";
	return ctl_fmt_units[unit];
}

int
ctl_fmt_unit_for(int64_t kib)
{
	uint64_t	v = kib < 0 ? -(uint64_t)kib : (uint64_t)kib;
	int		unit = CTL_FMT_KIB;

	while (unit < CTL_FMT_TIB && v >= UINT64_C(1) << (10 * (unit + 1)))
		unit++;
	return unit;
}

void
ctl_fmt_number(int64_t kib, int unit, char *buf, size_t len)
{
	double	v;

	if (unit == CTL_FMT_AUTO)
		unit = ctl_fmt_unit_for(kib);
	if (unit < CTL_FMT_KIB || unit > CTL_FMT_TIB)
		unit = CTL_FMT_KIB;
	v = (double)kib / (double)(UINT64_C(1) << (10 * unit));
	if (unit >= CTL_FMT_GIB)
		(void)snprintf(buf, len, "%.1f", v);
	else if (unit == CTL_FMT_KIB)
		(void)snprintf(buf, len, "%" PRId64, kib);
	else
		(void)snprintf(buf, len, "%.0f", v);
	/* no "-0" nor "-0.0": a tiny negative is nothing */
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
}

void
ctl_fmt_size(int64_t kib, int unit, char *buf, size_t len)
{
	char	n[32];

	if (unit == CTL_FMT_AUTO)
		unit = ctl_fmt_unit_for(kib);
	ctl_fmt_number(kib, unit, n, sizeof(n));
	(void)snprintf(buf, len, "%s %s", n, ctl_fmt_unit_name(unit));
}

/* The index of the largest unit ms holds once or more (ms >= 1 s). */
static size_t
ctl_fmt_dur_unit(uint64_t ms)
{
	size_t	i;

	for (i = 0; ms < ctl_fmt_durs[i].ms; i++)
		;
	return i;
}

void
ctl_fmt_duration(uint64_t ms, char *buf, size_t len)
{
	uint64_t	tenths, small, v;
	size_t		i;
	int		k;

	if (ms < 1000) {
		(void)snprintf(buf, len, "%" PRIu64 "ms", ms);
		return;
	}
	tenths = (ms + 50) / 100;
	if (tenths < CTL_FMT_MIN_MS / 100) {
		if (tenths % 10 == 0)
			(void)snprintf(buf, len, "%" PRIu64 "s", tenths / 10);
		else
			(void)snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "s",
			    tenths / 10, tenths % 10);
		return;
	}
	if (ms < CTL_FMT_MIN_MS)
		ms = CTL_FMT_MIN_MS;
	/* round to the smaller unit, then read the units again */
	small = ctl_fmt_durs[ctl_fmt_dur_unit(ms) + 1].ms;
	v = ms / small * small + (ms % small >= small / 2 ? small : 0);
	i = ctl_fmt_dur_unit(v);
	k = snprintf(buf, len, "%" PRIu64 "%s", v / ctl_fmt_durs[i].ms,
	    ctl_fmt_durs[i].name);
	v %= ctl_fmt_durs[i].ms;
	if (v != 0 && k > 0 && (size_t)k < len)
		(void)snprintf(buf + k, len - (size_t)k, "%" PRIu64 "%s",
		    v / ctl_fmt_durs[i + 1].ms, ctl_fmt_durs[i + 1].name);
}

void
ctl_fmt_clean(const char *s, char *buf, size_t len)
{
	char	*p;

	(void)snprintf(buf, len, "%s", s);
	for (p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
