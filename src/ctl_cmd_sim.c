/*
 * ctl_cmd_sim.c: squeezerctl's commands that need no daemon: simulate (a
 * scenario against the real engine on a virtual clock) and plot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_output.h"
#include "ctl_plot.h"
#include "policy.h"
#include "scenario.h"
#include "simulate.h"

#define CTL_SIM_ERR_MAX		512

/*
 * simulate [-t] [--policy NAME] [--summary] FILE: exit 0; 2 on a malformed
 * file, 1 on anything else.  --policy overrides the scenario's policy.
 */
static int
ctl_cmd_sim_simulate_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct simulate_opts	opts = { .summary = a->summary };
	struct scenario		s;
	struct conf		probe;
	char			err[CTL_SIM_ERR_MAX];
	int			rc;

	conf_defaults(&probe);
	if (a->policy != NULL && conf_set(&probe, "policy", a->policy, err,
	    sizeof(err)) < 0)
		return ctl_cmd_bad_value(ctl, "policy", a->policy, err);
	if (scenario_load(a->pos[0], &s, err, sizeof(err)) < 0) {
		ctl->ctl_cmd = NULL;	/* the message starts with the file */
		(void)ctl_output_fail(ctl, "bad_file", "%s", err);
		return CTL_EXIT_USAGE;
	}
	if (a->policy != NULL)
		(void)conf_set(&s.conf, "policy", a->policy, err, sizeof(err));
	rc = simulate_run_opts(&s, &opts, stdout, a->trace ? stderr : NULL,
	    NULL);
	scenario_dispose(&s);
	if (rc < 0)
		return ctl_output_fail(ctl, "internal", "%s", strerror(-rc));
	return CTL_EXIT_OK;
}

const struct ctl_cmd ctl_cmd_sim_simulate = {
	"simulate", ctl_cmd_sim_simulate_run, "tPY", 1, 1,
	"[-t] [--policy NAME] [--summary] FILE",
	"run a scenario file against the engine on a virtual clock",
	"Run the scenario FILE against the real balancing engine on a\n"
	"simulated host and a virtual clock, without a daemon, and print\n"
	"the outcome of every step and the final state of the domains as\n"
	"JSON.  A malformed file gets one error naming its line and field,\n"
	"exit status 2, and nothing runs.\n"
	"\n"
	"  -t             also print one line per engine iteration on stderr\n"
	"  --policy NAME  use policy NAME instead of the scenario's\n"
	"  --summary      add what the guests felt over the whole run: the\n"
	"                 pressure (GiB-seconds short of what they use), the\n"
	"                 balloon churn, and the VM starts admitted\n",
};

static void
ctl_cmd_sim_plot_text(const struct ctl *ctl, struct json_object *r)
{
	(void)ctl;
	printf("wrote %s\n", ctl_output_str(r, "file"));
}

/* plot FILE [-o OUT.svg] [--policy NAME]: no daemon; exit 1 on any error. */
static int
ctl_cmd_sim_plot_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct simulate_opts	 opts = { 0 };
	struct json_object	*r;
	char			 err[CTL_SIM_ERR_MAX], *out;
	int			 ex;

	if (a->policy != NULL && (opts.policy = policy_find(a->policy)) ==
	    NULL)
		return ctl_cmd_bad_value(ctl, "policy", a->policy,
		    "no such policy");
	out = a->out != NULL ? strdup(a->out) : ctl_plot_default_out(a->pos[0]);
	if (out == NULL)
		return ctl_output_fail(ctl, "internal", "%s", strerror(ENOMEM));
	if (ctl_plot_run_opts(a->pos[0], out, &opts, err, sizeof(err)) < 0)
		ex = ctl_output_fail(ctl, "failed", "%s", err);
	else {
		r = json_object_new_object();
		json_object_object_add(r, "file", json_object_new_string(out));
		ctl->ctl_out->result(ctl, ctl_cmd_sim_plot_text, r, 0);
		json_object_put(r);
		ex = CTL_EXIT_OK;
	}
	free(out);
	return ex;
}

const struct ctl_cmd ctl_cmd_sim_plot = {
	"plot", ctl_cmd_sim_plot_run, "oP", 1, 1,
	"FILE [-o OUT.svg] [--policy NAME]",
	"draw a scenario's memory over time as SVG",
	"Run the scenario FILE as \"simulate\" does, and draw its trace as\n"
	"an SVG line chart in OUT.svg (default: FILE with .svg for .json):\n"
	"each domain's target (dashed) and actual memory (solid), and the\n"
	"host's free memory (black), over simulated time.  Print the name\n"
	"of the file written.\n"
	"\n"
	"  -o OUT.svg     write the chart there\n"
	"  --policy NAME  use policy NAME instead of the scenario's\n",
};
