/* ctl_parse.c: squeezerctl's argument parsers (sizes, ranges, durations). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "ctl_parse.h"

/* KiB per unit of the suffix [s, s + n): "", K, M, G, T, with B or iB. */
static int
ctl_parse_unit(const char *s, size_t n, int64_t *ret_mult)
{
	static const char	 units[] = "kmgt";
	const char		*u;

	if (n == 0) {
		*ret_mult = 1;
		return 0;
	}
	if (*s == '\0' ||
	    (u = strchr(units, tolower((unsigned char)*s))) == NULL)
		return -EINVAL;
	s++;
	n--;
	if (n != 0 && !(n == 1 && strncasecmp(s, "b", 1) == 0) &&
	    !(n == 2 && strncasecmp(s, "ib", 2) == 0))
		return -EINVAL;
	*ret_mult = INT64_C(1) << (10 * (u - units));
	return 0;
}

/* Parse the size [s, s + n) into KiB. */
static int
ctl_parse_size_n(const char *s, size_t n, int64_t *ret_kib)
{
	int64_t	v = 0, mult;
	size_t	i;
	int	rc;

	/* digits first: no sign, no space, no empty number */
	if (n == 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++) {
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (s[i] - '0');
	}
	if ((rc = ctl_parse_unit(s + i, n - i, &mult)) < 0)
		return rc;
	if (v > INT64_MAX / mult)
		return -ERANGE;
	*ret_kib = v * mult;
	return 0;
}

int
ctl_parse_size(const char *s, int64_t *ret_kib)
{
	if (s == NULL)
		return -EINVAL;
	return ctl_parse_size_n(s, strlen(s), ret_kib);
}

int
ctl_parse_range(const char *s, int64_t *ret_min_kib, int64_t *ret_max_kib)
{
	const char	*dash;
	int64_t		 lo, hi;
	int		 rc;

	if (s == NULL || (dash = strchr(s, '-')) == NULL)
		return -EINVAL;
	if ((rc = ctl_parse_size_n(s, (size_t)(dash - s), &lo)) < 0 ||
	    (rc = ctl_parse_size(dash + 1, &hi)) < 0)
		return rc;
	if (lo > hi)
		return -EINVAL;
	*ret_min_kib = lo;
	*ret_max_kib = hi;
	return 0;
}

int
ctl_parse_duration(const char *s, uint64_t *ret_ms)
{
	return conf_parse_duration(s, CTL_DURATION_MAX_MS, ret_ms);
}
