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
};

struct policy {
	const char	*name;
	const char	*description;
	/* Write one target per input domain into ret_targets[in->ndoms]. */
	int		(*compute)(const struct policy_input *in,
			    int64_t *ret_targets);
};

extern const struct policy policy_proportional;

/* The policy registered under name, or NULL. */
const struct policy	*policy_find(const char *name);

/* The registered policies, NULL-terminated. */
const struct policy *const	*policy_all(void);

#endif
