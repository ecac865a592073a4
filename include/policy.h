/*
 * policy.h: the public interface of a balancing policy.
 *
 * A policy is a pure function of a host snapshot: it does no I/O, reads no
 * clock, does not log, keeps no state and does not allocate.  The caller
 * owns every array.  Given the domains the engine may move and a host
 * free-memory target, it proposes a balloon target for each of them.  The
 * engine quantises the targets (granularity-kib), splits them in two phases
 * (free before grow) and applies them.
 */
#ifndef SQUEEZERD_POLICY_H
#define SQUEEZERD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_domain;

struct policy_input {
	const struct hv_domain	*doms;		/* the domains to divide among */
	size_t			 ndoms;
	int64_t			 host_free_kib;
	int64_t			 host_target_kib;	/* free memory to keep */
	bool			 inaccuracy_compensation;	/* squeezed default */
	int64_t			 granularity_kib;	/* engine's; 0, 1: none */
};

struct policy {
	const char	*name;
	const char	*description;
	/* Write one target per input domain into ret_targets[in->ndoms]. */
	int		(*compute)(const struct policy_input *in,
			    int64_t *ret_targets);
};

extern const struct policy policy_proportional;	/* squeezed's */
extern const struct policy policy_weighted;	/* memory/weight */
extern const struct policy policy_pressure;	/* guest memory use */

/* The policy registered under name, or NULL. */
const struct policy	*policy_find(const char *name);

/* The registered policies, NULL-terminated. */
const struct policy *const	*policy_all(void);

/* Helpers shared by the policies (pure, like them). */

/* -EINVAL unless in and ret_targets can be read and written. */
int	policy_check(const struct policy_input *, const int64_t *ret_targets);

/*
 * What the domains may hold above dynamic-min in all: the surplus (host
 * free + what each domain could free down to dynamic-min - host target),
 * at least 0 and at most the sum of the ranges.  proportional's targets
 * never add up to more; no other policy's may.
 */
int64_t	policy_budget(const struct policy_input *in);

/* floor(a * b / c) for a, b >= 0 and c > 0, exact (128-bit); 0 if c <= 0. */
int64_t	policy_muldiv(int64_t a, int64_t b, int64_t c);

#endif
