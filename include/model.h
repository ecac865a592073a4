/*
 * model.h: squeezed's host model (Squeeze_xen) over a backend: the host
 * snapshot of squeezed-reference section 3.2 (never-booted domains counted by
 * initial-reservation, memory-offset calibration, outstanding reservations
 * subtracted), execute_action with Xen's maxmem offsets (3.3, 3.4), and the
 * memory/uncooperative flag.  It does no logging: it records what the
 * daemon should report.
 */
#ifndef SQUEEZERD_MODEL_H
#define SQUEEZERD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "resv.h"

struct backend_ops;
struct conf_range_rule;

#define MODEL_NAME_MAX		128	/* a name kept: at most 127 bytes */

/* Where a booted domain's dynamic range comes from. */
enum model_range_src {
	MODEL_RANGE_NONE,	/* none: fixed at its target */
	MODEL_RANGE_XENSTORE,	/* memory/dynamic-min and -max */
	MODEL_RANGE_RULE,	/* a guest-range rule of the configuration */
};

/* What the model knows of a domain beyond the engine's view. */
struct model_dom {
	int32_t		 domid;
	bool		 in_snapshot;	/* false: skipped (see skip_why) */
	bool		 booted;	/* feature-balloon or data/updated */
	bool		 uncooperative;	/* memory/uncooperative exists */
	bool		 type_known;
	int64_t		 xen_offset_kib;	/* 1024 for hvm, pvh */
	int64_t		 mem_offset_kib;	/* memory-offset */
	int64_t		 known_offset_kib;	/* as last read or measured */
	bool		 offset_known;
	int64_t		 raw_max_kib;	/* Xen's maxmem */
	int64_t		 claim_kib;	/* Xen claim still outstanding */
	int64_t		 initial_kib;	/* initial-reservation, or -1 */
	int64_t		 dyn_min_kib;	/* as in xenstore (a pin hides it) */
	int64_t		 dyn_max_kib;
	int64_t		 pin_kib;	/* migrating: its pinned target, or -1 */
	const char	*skip_why;	/* a key missing or not a number */
	bool		 skip_reported;
	/* /local/domain/N/name: printable ASCII, else "" (unknown) */
	char		 name[MODEL_NAME_MAX];
	int64_t		 static_max_kib;	/* memory/static-max, or -1 */
	enum model_range_src range_src;
	/* the last memory/target we wrote and tried to write */
	bool		 has_own_target;
	int64_t		 own_target_kib, tried_target_kib;
	/*
	 * Someone else (xl mem-set) set the target of a guest balanced by a
	 * rule: it is now fixed there (dynamic-min = dynamic-max = target
	 * written to xenstore); the daemon says so once.
	 */
	int64_t		 fixed_by_operator_kib;	/* -1: no */
};

struct model_stats {
	int64_t		total_kib;
	int64_t		physical_free_kib;	/* free + scrub */
	int64_t		reserved_kib;		/* reservations counted */
	int64_t		unbooted_kib;		/* initial-reservations counted */
	int64_t		claimed_kib;		/* Xen claims outstanding */
	int64_t		covered_claims_kib;	/* ... made for those */
	size_t		nresv;
};

struct model;

struct model	*model_new(const struct backend_ops *, void *ctx,
		    bool include_dom0);
void		 model_free(struct model *);

/*
 * Whether domid 0 takes part (manage-domain-zero), and the floor its
 * dynamic-min never goes under, whatever xenstore says.
 */
void	model_set_dom0(struct model *, bool include_dom0, int64_t floor_kib);

/* The guest-range rules for domains without a range (copied). */
void	model_set_rules(struct model *, const struct conf_range_rule *,
	    size_t n);

/* The first domain called name, and how many are (*ret_n), or NULL. */
struct model_dom	*model_dom_named(struct model *, const char *name,
			    size_t *ret_n);

/* Write a domain's memory/dynamic-min and -max (never min > max between). */
int	model_set_range(struct model *, int32_t domid, int64_t min_kib,
	    int64_t max_kib);

/* Bring the backend to now_ms and take a fresh snapshot. */
int	model_refresh(struct model *, uint64_t now_ms);

const struct host_snapshot	*model_snapshot(const struct model *);
/* True when the record changed since the snapshot was taken. */
bool				 model_stale(const struct model *);
const struct model_stats	*model_stats(const struct model *);
/*
 * The reservations and pins: the daemon's own record, read from the store
 * (/squeezed) at the first refresh and kept since by the functions below,
 * which change the store first and the record only when the store took it.
 * It is what the snapshot counts and what a new xenstored gets back.
 */
const struct resv		*model_resv(const struct model *, size_t *ret_n);
const struct resv_pin		*model_pin_list(const struct model *,
				    size_t *ret_n);
/* By id (in session, unless NULL), or NULL. */
const struct resv	*model_resv_find(const struct model *,
			    const char *session, const char *id);
/* The reservation transferred to domid, or NULL. */
const struct resv	*model_resv_of_domain(const struct model *,
			    int32_t domid);
int	model_resv_add(struct model *, const struct resv *);
int	model_resv_remove(struct model *, const char *session,
	    const char *id);
int	model_resv_transfer(struct model *, const char *session,
	    const char *id, int32_t domid);
/* squeezed's login: every reservation of the session goes. */
int	model_resv_drop_session(struct model *, const char *session,
	    size_t *ret_n);
const struct resv_pin	*model_pin_find(const struct model *, int32_t domid);
int	model_pin_set(struct model *, const struct resv_pin *);
int	model_pin_clear(struct model *, int32_t domid);
/* Make the store say what the record says (after a new xenstored). */
int	model_restore_store(struct model *, size_t *ret_changed);

/* Every domain the hypervisor listed, ascending domid. */
struct model_dom	*model_doms(struct model *, size_t *ret_n);
struct model_dom	*model_dom(struct model *, int32_t domid);

/* squeezed's execute_action on a snapshot domain. */
int	model_apply(struct model *, const struct hv_domain *, int64_t target);

/* squeezed's set_maxmem(domid, kib): Xen maxmem = kib + the offsets. */
int	model_set_maxmem(struct model *, int32_t domid, int64_t kib);

/* dom0's memory (KiB): squeezed's get_total_memory. */
int64_t	model_dom0_kib(struct model *);

/*
 * The host's free memory at boot (KiB; squeezed's get_host_initial_free),
 * measured at our first start since boot (or taken from squeezed's
 * boot_time_memory file, bootmem.c) and kept in xenstore there.
 */
#define MODEL_BOOT_FREE_PATH	"/squeezed/boot-time-host-free-kib"
int64_t	model_boot_free_kib(struct model *);

/* Write or remove memory/uncooperative when it differs. */
int	model_set_uncooperative(struct model *, int32_t domid, bool);

#endif
