/*
 * bench_policies.h: the policies "make bench-policy" compares: the
 * daemon's own (policy/), and re-implementations of two published rules
 * that live in the benchmark only.  The daemon cannot run these two
 * ("policy =" and policy.set know only policy/'s), and they are not
 * documented as its policies: they are yardsticks.
 */
#ifndef SQUEEZERD_BENCH_POLICIES_H
#define SQUEEZERD_BENCH_POLICIES_H

#include <stdint.h>

struct policy;

/* Qubes qmemman's balance rule (qmemman_reimpl.c). */
extern const struct policy bench_policy_qmemman;

/* Proxmox VE's automatic ballooning (proxmox_reimpl.c). */
extern const struct policy bench_policy_proxmox;

/* Every policy the benchmark runs, in its order, NULL-terminated. */
const struct policy *const	*bench_policies(void);

/*
 * The poll interval a policy runs with, when its rule has a cadence of its
 * own (Proxmox's 10 s rounds); 0: the scenario's.
 */
uint64_t			 bench_policy_poll_ms(const struct policy *);

/* The one named name, or NULL. */
const struct policy		*bench_policy_find(const char *name);

#endif
