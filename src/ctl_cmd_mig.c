/*
 * ctl_cmd_mig.c: squeezerctl's commands for live migration without
 * needless ballooning: migrate-in on the destination, migrate-out and
 * migrate-end on the source.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_output.h"
#include "ctl_progress.h"

#define CTL_MIG_CELL_MAX	128

static void
ctl_cmd_mig_in_text(const struct ctl *ctl, struct json_object *r)
{
	char	id[CTL_MIG_CELL_MAX], size[32];

	ctl_output_value(r, "id", id, sizeof(id));
	ctl_output_size(ctl, r, "kib", size, sizeof(size));
	printf("reserved %s for the incoming VM: %s\n", size, id);
}

/* Add migrate-in's sizes: ACTUAL, --min (default ACTUAL), --overhead. */
static int
ctl_cmd_mig_in_sizes(const struct ctl *ctl, const struct ctl_args *a,
    struct json_object *params)
{
	int64_t	actual, dmin = 0, over = 0;
	int	ex;

	if ((ex = ctl_cmd_size(ctl, "size", a->pos[0], &actual)) != 0 ||
	    (a->min != NULL &&
	    (ex = ctl_cmd_size(ctl, "--min", a->min, &dmin)) != 0) ||
	    (a->overhead != NULL &&
	    (ex = ctl_cmd_size(ctl, "--overhead", a->overhead, &over)) != 0))
		return ex;
	if (actual == 0)
		return ctl_cmd_bad_value(ctl, "size", a->pos[0],
		    "must be more than 0");
	if (a->min == NULL)
		dmin = actual;
	else if (dmin > actual)
		return ctl_cmd_bad_value(ctl, "dynamic-min", a->min,
		    "above the VM's size");
	ctl_cmd_add_int(params, "actual-kib", actual);
	ctl_cmd_add_int(params, "dynamic-min-kib", dmin);
	if (a->overhead != NULL)
		ctl_cmd_add_int(params, "overhead-kib", over);
	return CTL_EXIT_OK;
}

static int
ctl_cmd_mig_in_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = ctl_cmd_session_params(a);
	int			 ex;

	if ((ex = ctl_cmd_mig_in_sizes(ctl, a, params)) != 0 ||
	    (ex = ctl_cmd_times(ctl, a, params)) != 0 ||
	    (ex = ctl_cmd_reserve_id(ctl, a, params)) != 0) {
		json_object_put(params);
		return ex;
	}
	return ctl_cmd_resv_send(ctl, "migration.reserve", params,
	    ctl_cmd_mig_in_text);
}

const struct ctl_cmd ctl_cmd_mig_in = {
	"migrate-in", ctl_cmd_mig_in_run, "SDMOI", 1, 1,
	"ACTUAL [--min DYNMIN] [--overhead SIZE] [--session S] [--id ID] "
	"[--deadline T]",
	"reserve memory for an incoming VM",
	"On the destination of a live migration, reserve memory for the\n"
	"incoming VM, which has ACTUAL now and may be ballooned to DYNMIN\n"
	"(its dynamic-min; default ACTUAL): all of ACTUAL if that can be\n"
	"freed, else as much as can, but at least DYNMIN, each plus SIZE of\n"
	"overhead (default none).  Print the size reserved and the\n"
	"reservation id; hand it to the domain with \"transfer\".\n"
	"--session, --id and --deadline are as for \"reserve\", progress\n"
	"included.\n",
};

static void
ctl_cmd_mig_out_text(const struct ctl *ctl, struct json_object *r)
{
	struct json_object	*b = NULL;
	char			 domid[32], target[32], actual[32];

	ctl_output_value(r, "domid", domid, sizeof(domid));
	ctl_output_size(ctl, r, "target-kib", target, sizeof(target));
	ctl_output_size(ctl, r, "actual-kib", actual, sizeof(actual));
	(void)json_object_object_get_ex(r, "ballooned", &b);
	if (json_object_get_boolean(b))
		printf("domain %s ballooned down to %s (actual %s); pinned "
		    "until migrate-end\n", domid, target, actual);
	else
		printf("domain %s not ballooned: its target %s fits (actual "
		    "%s); pinned until migrate-end\n", domid, target, actual);
}

static int
ctl_cmd_mig_out_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ctl_progress	 prog;
	struct json_object	*params;
	int64_t			 domid, max;
	int			 ex;

	if ((ex = ctl_cmd_domid(ctl, a->pos[0], &domid)) != 0 ||
	    (ex = ctl_cmd_size(ctl, "size", a->pos[1], &max)) != 0)
		return ex;
	params = json_object_new_object();
	ctl_cmd_add_int(params, "domid", domid);
	ctl_cmd_add_int(params, "max-kib", max);
	if ((ex = ctl_cmd_times(ctl, a, params)) != 0) {
		json_object_put(params);
		return ex;
	}
	if (!ctl_progress_init(&prog, ctl, CTL_PROGRESS_DOMAIN))
		return ctl_cmd_exec(ctl, "migration.prepare", params,
		    ctl_cmd_mig_out_text);
	prog.domid = domid;
	return ctl_cmd_exec_progress(ctl, "migration.prepare", params,
	    ctl_cmd_mig_out_text, &prog);
}

const struct ctl_cmd ctl_cmd_mig_out = {
	"migrate-out", ctl_cmd_mig_out_run, "D", 2, 2,
	"DOMID MAX [--deadline T]",
	"fit an outgoing VM in MAX, and pin it",
	"On the source of a live migration, make domain DOMID fit in MAX,\n"
	"what the destination reserved less the overhead: balloon it down\n"
	"to MAX only if its target is above it, then pin its target there,\n"
	"so that no balance moves it until migrate-end (or the daemon's\n"
	"migration-timeout).  Print whether it was ballooned, and its\n"
	"target and actual memory.  On a terminal, a line on stderr shows\n"
	"the domain's memory meanwhile.\n",
};

static void
ctl_cmd_mig_end_text(const struct ctl *ctl, struct json_object *r)
{
	char	domid[32], outcome[CTL_MIG_CELL_MAX];

	(void)ctl;
	ctl_output_value(r, "domid", domid, sizeof(domid));
	ctl_output_value(r, "outcome", outcome, sizeof(outcome));
	printf("domain %s: migration %s\n", domid, outcome);
}

static int
ctl_cmd_mig_end_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params;
	int64_t			 domid;
	int			 ex;

	if ((ex = ctl_cmd_domid(ctl, a->pos[0], &domid)) != 0)
		return ex;
	if (strcmp(a->pos[1], "done") != 0 && strcmp(a->pos[1], "aborted") != 0)
		return ctl_cmd_bad_value(ctl, "outcome", a->pos[1],
		    "neither done nor aborted");
	params = json_object_new_object();
	ctl_cmd_add_int(params, "domid", domid);
	ctl_cmd_add_str(params, "outcome", a->pos[1]);
	return ctl_cmd_exec(ctl, "migration.end", params, ctl_cmd_mig_end_text);
}

const struct ctl_cmd ctl_cmd_mig_end = {
	"migrate-end", ctl_cmd_mig_end_run, "", 2, 2, "DOMID done|aborted",
	"end a VM's outgoing migration: unpin it",
	"End domain DOMID's outgoing migration: \"aborted\" unpins it at\n"
	"once, so that its own dynamic range applies again; \"done\" keeps\n"
	"it pinned until the domain is gone, and its memory then goes to\n"
	"the others.\n",
};
