/*
 * scenario.h: the scenario file format (DESIGN.md section 6, a contract):
 * a simulated host, its domains and balloon models, and steps to run.
 */
#ifndef SQUEEZERD_SCENARIO_H
#define SQUEEZERD_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "engine.h"
#include "sim.h"

enum scen_op {
	SCEN_FREE,
	SCEN_RESERVE,
	SCEN_RESERVE_RANGE,
	SCEN_BALANCE,
	SCEN_CONSUME,
	SCEN_WAIT,
	SCEN_PLAN,
	SCEN_MIGRATION_RESERVE,	/* destination: all it has, if it can */
	SCEN_MIGRATION_PREPARE,	/* source: down only to what it got */
	SCEN_MIGRATION_END,
	SCEN_START,		/* a VM start: reserve, then the domain */
	SCEN_STOP,		/* a VM stops: its memory is free */
	SCEN_RUN,		/* the daemon's periodic balancing, for s */
};

struct scen_step {
	enum scen_op	op;
	bool		has_kib;
	int64_t		kib;		/* free, reserve, consume, plan */
	int64_t		min_kib, max_kib;	/* reserve-range */
	bool		has_until;	/* free */
	enum engine_cond until_cond;
	int64_t		until_kib;
	uint64_t	wait_ms;	/* wait, run */
	uint64_t	deadline_ms;	/* reserve, reserve-range; 0: none */
	int32_t		domid;		/* migration-prepare, -end; stop */
	bool		done;		/* migration-end: done, not aborted */
	size_t		start;		/* start: its domain, in starts[] */
};

struct scenario {
	struct conf		 conf;
	struct sim_host		 host;
	struct scen_step	*steps;
	size_t			 nsteps;
	struct sim_dom		*starts;	/* start steps' domains */
	size_t			 nstarts;
	/* every "used-kib-at" series: the domains point into them */
	struct sim_used_point	**series;
	size_t			 nseries;
};

#define SCEN_MAX_FILE	(64u << 20)	/* bytes */
#define SCEN_MAX_STEPS	100000

/*
 * Parse a scenario from text (name is used in messages).  On error returns
 * -EINVAL and writes one message "name:line: field: problem" to err.
 */
int	scenario_parse(const char *name, const char *text, size_t len,
	    struct scenario *ret, char *err, size_t errlen);

/* Read and parse a file ("-" is standard input). */
int	scenario_load(const char *path, struct scenario *ret, char *err,
	    size_t errlen);

/* The same, with the file's "config" applied over base, not the defaults. */
int	scenario_parse_over(const char *name, const char *text, size_t len,
	    const struct conf *base, struct scenario *ret, char *err,
	    size_t errlen);
int	scenario_load_over(const char *path, const struct conf *base,
	    struct scenario *ret, char *err, size_t errlen);

void	scenario_dispose(struct scenario *);

const char	*scen_op_name(enum scen_op);

#endif
