/* host.c: small helpers over a host snapshot, squeezed's definitions. */
#include <ctype.h>
#include <errno.h>

#include "host.h"

bool
host_hit_target(int64_t inaccuracy_kib, int64_t actual_kib, int64_t target_kib)
{
	int64_t	delta = actual_kib - target_kib;

	if (delta < 0)
		delta = -delta;
	return delta <= inaccuracy_kib;
}

int64_t
host_min_freeable(const struct hv_domain *d, bool compensate)
{
	int64_t	v = d->actual_kib - d->dyn_min_kib;

	if (compensate)
		v -= 2 * d->inaccuracy_kib;
	return v > 0 ? v : 0;
}

int64_t
host_range(const struct hv_domain *d)
{
	int64_t	v = d->dyn_max_kib - d->dyn_min_kib;

	return v > 0 ? v : 0;
}

int32_t
host_weight(const struct hv_domain *d)
{
	return d->weight >= 1 && d->weight <= HOST_WEIGHT_MAX ? d->weight :
	    HOST_WEIGHT_DEFAULT;
}

int
host_parse_x100(const char *s, int64_t max, int64_t *ret)
{
	int64_t	v = 0;
	int	nfrac = 0;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > max / 100)	/* also bounds the digits read */
			return -ERANGE;
	}
	v *= 100;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s) && nfrac < 2; s++, nfrac++)
			v += (*s - '0') * (nfrac == 0 ? 10 : 1);
		if (nfrac == 0)
			return -EINVAL;		/* "12." */
	}
	if (*s != '\0')
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

long
host_find(const struct host_snapshot *h, int32_t domid)
{
	size_t	lo = 0, hi = h->ndoms, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (h->doms[mid].domid == domid)
			return (long)mid;
		if (h->doms[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
host_check(const struct host_snapshot *h)
{
	size_t	i;

	if (h->ndoms > 0 && h->doms == NULL)
		return -EINVAL;
	for (i = 1; i < h->ndoms; i++)
		if (h->doms[i - 1].domid >= h->doms[i].domid)
			return -EINVAL;
	return 0;
}

int64_t
host_reclaimable(const struct host_snapshot *s)
{
	int64_t	sum = 0;
	size_t	i;

	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon &&
		    s->doms[i].actual_kib > s->doms[i].dyn_min_kib)
			sum += s->doms[i].actual_kib - s->doms[i].dyn_min_kib;
	return sum;
}

int64_t
host_granule_up(int64_t kib, int64_t g)
{
	int64_t	down = host_granule_down(kib, g);

	if (down == kib || down > HOST_MAX_KIB - g)
		return kib;
	return down + g;
}
