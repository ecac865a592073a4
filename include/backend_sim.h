/*
 * backend_sim.h: the simulated host's extra controls.  With --backend=sim
 * nobody else plays hypervisor and toolstack, so the daemon offers these
 * through its sim.* RPC methods.
 */
#ifndef SQUEEZERD_BACKEND_SIM_H
#define SQUEEZERD_BACKEND_SIM_H

#include <stdint.h>

#include "sim.h"

struct conf;

/* Apply a host file's "config" (NULL: the built-in host's) over c. */
int	backend_sim_host_conf(const char *host_file, struct conf *c,
	    char *err, size_t errlen);

/* An empty domain, not built; domid < 0 picks the lowest free one >= 1. */
int	backend_sim_create(void *ctx, int32_t domid, int32_t *ret_domid);

/*
 * Build a created domain: allocate target_kib (-ENOMEM when the host lacks
 * it), write its memory keys, and boot its guest with the balloon model.
 */
int	backend_sim_build(void *ctx, int32_t domid, int64_t target_kib,
	    int64_t dyn_min_kib, int64_t dyn_max_kib,
	    const struct sim_balloon *);

/* Destroy a domain, returning its memory to the host. */
int	backend_sim_destroy(void *ctx, int32_t domid, int64_t *ret_freed_kib);

#endif
