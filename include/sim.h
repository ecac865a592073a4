/*
 * sim.h: a simulated Xen host with simulated balloon drivers (the physics of
 * the scenario format, DESIGN.md section 6).  Used by "squeezerctl
 * simulate" on a virtual clock and by "squeezerd --backend=sim" in real time.
 */
#ifndef SQUEEZERD_SIM_H
#define SQUEEZERD_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "host.h"

enum sim_model {
	SIM_NORMAL,		/* moves at rate, stops inaccuracy short */
	SIM_FLOOR,		/* never goes below limit */
	SIM_CEILING,		/* never goes above limit */
	SIM_STUCK,		/* never moves */
	SIM_INTERMITTENT,	/* moves only in even periods */
	SIM_NONE,		/* no balloon driver */
	SIM_TRICKLE,		/* rate x period at each period's end */
};

struct sim_balloon {
	enum sim_model	model;
	int64_t		rate_kib_s;
	int64_t		limit_kib;
	double		period_s;
};

#define SIM_USED_POINTS	100000	/* at most, per domain */

/* From t_ms on, the guest reports used_kib (scenario "used-kib-at"). */
struct sim_used_point {
	uint64_t	t_ms;
	int64_t		used_kib;
};

struct sim_dom {
	struct hv_domain	d;	/* its weight, use: as reported */
	struct sim_balloon	b;
	uint64_t		last_update_ms;
	/* the series is not the domain's: its owner (the scenario) keeps it */
	const struct sim_used_point *used_at;	/* ascending t_ms */
	size_t			nused_at;
	size_t			used_next;	/* the first point not seen */
};

/* A domain leaving by migration: its range is this one value. */
struct sim_pin {
	int32_t		domid;
	int64_t		kib;
};

/*
 * What the guests felt and what the balloons did, over all simulated time
 * (sim_advance): a guest that reports using more than it has is short by
 * the difference.
 */
struct sim_stats {
	double		pressure_kib_s;	/* shortfalls integrated over time */
	double		short_s;	/* time each guest was short, summed */
	int64_t		peak_short_kib;	/* the largest total shortfall seen */
	int64_t		churn_kib;	/* every balloon move, up or down */
	uint64_t	reports;	/* series points reached */
};

struct sim_host {
	struct sim_dom		*doms;		/* in scenario order */
	size_t			 ndoms;
	size_t			*by_domid;	/* indices sorted by domid */
	struct hv_domain	*snap;		/* snapshot buffer */
	int64_t			 free_kib;	/* physically free */
	int64_t			 reserved_kib;	/* promised by reservations */
	uint64_t		 now_ms;
	struct sim_pin		*pins;
	size_t			 npins;
	struct sim_stats	 stats;
};

#define SIM_DEFAULT_RATE_KIB_S	1048576		/* 1 GiB/s */

/* Take ownership of doms[n] (malloc'd); domids must be unique. */
int	sim_host_init(struct sim_host *, struct sim_dom *doms, size_t n,
	    int64_t free_kib);
void	sim_host_dispose(struct sim_host *);

/* Pin a domain's range at kib (migration), or unpin it (kib < 0). */
int	sim_pin(struct sim_host *, int32_t domid, int64_t kib);

/* Add a domain (copied); -EEXIST if its domid is taken. */
int	sim_host_add(struct sim_host *, const struct sim_dom *);

/* Remove a domain; -ENOENT if there is none with that domid. */
int	sim_host_remove(struct sim_host *, int32_t domid);

/*
 * The engine's view: domains by domid, free less reservations, and what
 * each guest reports using as of now (its "used-kib-at" series).
 */
void	sim_snapshot(struct sim_host *, struct host_snapshot *ret);

/*
 * Let the balloons move until to_ms.  With strict set, a balloon that wants
 * more memory than is free is an error (squeezed's simulator invariant: the
 * engine must never make the host overcommit); otherwise it takes what is
 * free.  Writes a message to err on error.  Adds to the host's stats: the
 * balloons' moves, and each guest's shortfall (what it reports in use at
 * the start of the interval, less what it has) over the interval, by the
 * trapezoid rule between its start and its end.
 */
int	sim_advance(struct sim_host *, uint64_t to_ms, bool strict,
	    char *err, size_t errlen);

/* The index of domid, or NULL. */
struct sim_dom	*sim_find(struct sim_host *, int32_t domid);

/* engine_apply() operations on a struct sim_host. */
extern const struct engine_apply_ops sim_apply_ops;

int		 sim_model_parse(const char *, enum sim_model *ret);

#endif
