/*
 * host.h: the host snapshot every engine step and policy works on.
 *
 * All sizes are KiB.  Sizes are signed: squeezed's arithmetic is int64 and
 * host free memory can go negative once reservations are subtracted.
 */
#ifndef SQUEEZERD_HOST_H
#define SQUEEZERD_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One domain as the engine sees it. */
struct hv_domain {
	int32_t		domid;		/* -1: the pseudo domain of free_range */
	bool		can_balloon;	/* control/feature-balloon present */
	int64_t		dyn_min_kib;
	int64_t		dyn_max_kib;
	int64_t		target_kib;	/* current memory/target */
	int64_t		actual_kib;	/* tot_pages - memory-offset */
	int64_t		maxmem_kib;	/* Xen maxmem less Xen's own offset */
	int64_t		inaccuracy_kib;	/* how close counts as "on target" */
	/*
	 * What the toolstack and the guest say about the domain, for the
	 * weighted and pressure policies.  Zero (the default of every
	 * initialiser) means "not said": weight 0 is HOST_WEIGHT_DEFAULT, and
	 * the other two count only with their has_ flag.  The guest writes
	 * the data/ keys, so these are hints, parsed strictly, never trusted.
	 */
	int32_t		weight;		/* memory/weight 1..10000; 0: default */
	bool		has_mem_used;	/* data/meminfo_{total,free} valid */
	bool		has_pressure;	/* data/memory-pressure valid */
	int64_t		mem_used_kib;	/* meminfo_total - meminfo_free */
	int32_t		pressure_avg10_x100;	/* PSI avg10 x 100, 0..10000 */
};

/* A host: its domains sorted by ascending domid, and its free memory. */
struct host_snapshot {
	struct hv_domain	*doms;
	size_t			 ndoms;
	int64_t			 free_kib;	/* less outstanding reservations */
};

#define HOST_DEFAULT_INACCURACY_KIB	4
#define HOST_MAX_KIB			(INT64_C(1) << 40)	/* 1 PiB */
#define HOST_MAX_DOMID			0x7fef	/* below DOMID_FIRST_RESERVED */
#define HOST_WEIGHT_DEFAULT		100	/* memory/weight absent or bad */
#define HOST_WEIGHT_MAX			10000
#define HOST_PRESSURE_MAX_X100		10000	/* avg10 is a percentage */

/* |actual - target| <= inaccuracy */
bool	host_hit_target(int64_t inaccuracy_kib, int64_t actual_kib,
	    int64_t target_kib);

/* Minimum a domain frees when sent to dynamic-min (squeezed's min_freeable). */
int64_t	host_min_freeable(const struct hv_domain *, bool compensate);

/* max(0, dynamic-max - dynamic-min) */
int64_t	host_range(const struct hv_domain *);

/* A domain's weight: memory/weight if valid, else HOST_WEIGHT_DEFAULT. */
int32_t	host_weight(const struct hv_domain *);

/*
 * A strict decimal "D[.D[D]]" (at most 2 decimals, no sign, no spaces) as
 * hundredths, at most max: "12.34" is 1234.  -EINVAL if not one, -ERANGE
 * above max.
 */
int	host_parse_x100(const char *s, int64_t max, int64_t *ret);

/*
 * Whole granules (granularity-kib), the one place sizes and targets are
 * rounded: down and up to a multiple of g (g <= 1: unchanged).  Up stays
 * put when rounding would pass HOST_MAX_KIB.
 */
static inline int64_t
host_granule_down(int64_t kib, int64_t g)
{
	if (g <= 1)
		return kib;
	return kib - (kib % g + g) % g;	/* towards minus infinity */
}

int64_t	host_granule_up(int64_t kib, int64_t g);

/* What the balloons could give back: everything above dynamic-min. */
int64_t	host_reclaimable(const struct host_snapshot *);

/* Index of domid in a snapshot, or -1. */
long	host_find(const struct host_snapshot *, int32_t domid);

/* 0 when the snapshot is sorted by domid without duplicates, else -EINVAL. */
int	host_check(const struct host_snapshot *);

#endif
