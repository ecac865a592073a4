/*
 * ctl_cmd_host.c: squeezerctl's commands about the host and the daemon:
 * status, domains, balance, plan, policy, config, metrics, call.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "ctl_progress.h"

#define CTL_HOST_CELL_MAX	128
#define CTL_HOST_LINE_MAX	1024
#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))

void
ctl_cmd_host_status_text(const struct ctl *ctl, struct json_object *r)
{
	static const struct ctl_col lines[] = {
		{ "total", "total-kib", CTL_COL_SIZE, NULL, false },
		{ "free", "free-kib", CTL_COL_SIZE, NULL, false },
		{ "physical-free", "physical-free-kib", CTL_COL_SIZE, NULL,
		    false },
		{ "reserved", "reserved-kib", CTL_COL_SIZE, NULL, false },
		{ "reclaimable", "reclaimable-kib", CTL_COL_SIZE, NULL, false },
		{ "host-reserve", "host-reserve-kib", CTL_COL_SIZE, NULL,
		    false },
		{ "domains", "domains", CTL_COL_VALUE, NULL, false },
		{ "reservations", "reservations", CTL_COL_VALUE, NULL, false },
		{ "pending", "pending", CTL_COL_VALUE, NULL, false },
		{ "busy", "busy", CTL_COL_VALUE, NULL, false },
		{ "policy", "policy", CTL_COL_VALUE, NULL, false },
		{ "backend", "backend", CTL_COL_VALUE, NULL, false },
	};
	static const struct ctl_col nodes[] = {
		{ "NODE", "node", CTL_COL_INT, NULL, false },
		{ "TOTAL", "total-kib", CTL_COL_SIZE, NULL, false },
		{ "FREE", "free-kib", CTL_COL_SIZE, NULL, false },
	};
	struct json_object	*n, *w;
	char			 line[CTL_HOST_LINE_MAX];
	size_t			 i;

	ctl_output_text_summary(ctl, lines, NITEMS(lines), r);
	if (json_object_object_get_ex(r, "warnings", &w) &&
	    json_object_is_type(w, json_type_array))
		for (i = 0; i < json_object_array_length(w); i++) {
			ctl_fmt_clean(json_object_get_string(
			    json_object_array_get_idx(w, i)), line,
			    sizeof(line));
			printf("warning: %s\n", line);
		}
	if (json_object_object_get_ex(r, "nodes", &n) &&
	    json_object_is_type(n, json_type_array)) {
		printf("\n");		/* per NUMA node (Xen backend) */
		ctl_output_text_table(ctl, nodes, NITEMS(nodes), n);
	}
}

void
ctl_cmd_host_domains_text(const struct ctl *ctl, struct json_object *r)
{
	static const struct ctl_col cols[] = {
		{ "DOMID", "domid", CTL_COL_INT, NULL, false },
		{ "NAME", "name", CTL_COL_VALUE, NULL, true },
		{ "DYN-MIN", "dynamic-min-kib", CTL_COL_SIZE, NULL, false },
		{ "DYN-MAX", "dynamic-max-kib", CTL_COL_SIZE, NULL, false },
		{ "TARGET", "target-kib", CTL_COL_SIZE, NULL, false },
		{ "ACTUAL", "actual-kib", CTL_COL_SIZE, NULL, false },
		{ "MAXMEM", "maxmem-kib", CTL_COL_SIZE, NULL, false },
		{ "STATE", "state", CTL_COL_VALUE, NULL, false },
	};

	ctl_output_text_table(ctl, cols, NITEMS(cols), r);
}

/* A command that takes no arguments: call method, show it with text. */
static int
ctl_cmd_host_simple(struct ctl *ctl, const char *method, ctl_text_fn *text)
{
	return ctl_cmd_exec(ctl, method, NULL, text);
}

static int
ctl_cmd_host_status_run(struct ctl *ctl, const struct ctl_args *a)
{
	(void)a;
	return ctl_cmd_host_simple(ctl, "host.status",
	    ctl_cmd_host_status_text);
}

const struct ctl_cmd ctl_cmd_host_status = {
	"status", ctl_cmd_host_status_run, "", 0, 0, "",
	"show the host's memory and the daemon's state",
	"Show the host's total memory; what the balancer counts as free\n"
	"(physical free memory less reservations and the initial\n"
	"reservations of domains not yet booted: it may be negative);\n"
	"physical free memory; memory reserved; what the balloons hold\n"
	"above their dynamic-min; the host reserve; the numbers of domains,\n"
	"reservations and queued operations; whether one is running; the\n"
	"policy and the backend.  With the xen backend, the memory of each\n"
	"NUMA node.\n",
};

static int
ctl_cmd_host_domains_run(struct ctl *ctl, const struct ctl_args *a)
{
	(void)a;
	return ctl_cmd_host_simple(ctl, "domain.list",
	    ctl_cmd_host_domains_text);
}

const struct ctl_cmd ctl_cmd_host_domains = {
	"domains", ctl_cmd_host_domains_run, "", 0, 0, "",
	"list the domains and their memory",
	"List each domain's id (and name, when the daemon knows it),\n"
	"dynamic-min, dynamic-max, balloon target, actual memory and\n"
	"maxmem, and its state: active; inactive (stuck during the last\n"
	"operation); uncooperative (off its target for\n"
	"uncooperative-after); fixed (no balloon driver, or not booted\n"
	"yet).\n",
};

static void
ctl_cmd_host_balance_text(const struct ctl *ctl, struct json_object *r)
{
	struct json_object	*d = NULL;
	char			 outcome[CTL_HOST_CELL_MAX], free_s[32];
	bool			 one;

	ctl_output_value(r, "outcome", outcome, sizeof(outcome));
	ctl_output_size(ctl, r, "free-kib", free_s, sizeof(free_s));
	printf("%s: %s free", outcome, free_s);
	(void)json_object_object_get_ex(r, "domids", &d);
	one = json_object_is_type(d, json_type_array) &&
	    json_object_array_length(d) == 1;
	if (ctl_output_text_domids(r, "domids", one ? "; domain" : "; domains"))
		printf(" did not reach %s", one ? "its target" :
		    "their targets");
	printf("\n");
}

/* balance: exit 1 unless the outcome is "balanced". */
static int
ctl_cmd_host_balance_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ctl_progress	 prog;
	struct json_object	*r = NULL;
	int			 ex;

	(void)a;
	ex = ctl_cmd_fetch(ctl, "balance", NULL, ctl_progress_init(&prog, ctl,
	    CTL_PROGRESS_BALANCE) ? &prog : NULL, &r);
	if (ex != CTL_EXIT_OK)
		return ex;
	ctl->ctl_out->result(ctl, ctl_cmd_host_balance_text, r, 0);
	if (strcmp(ctl_output_str(r, "outcome"), "balanced") != 0)
		ex = CTL_EXIT_FAIL;
	json_object_put(r);
	return ex;
}

const struct ctl_cmd ctl_cmd_host_balance = {
	"balance", ctl_cmd_host_balance_run, "", 0, 0, "",
	"balance the domains now",
	"Wait until the host is balanced and print the outcome (balanced or\n"
	"refused), the free memory and the domains that did not reach their\n"
	"targets.  A refused balance exits 1.  On a terminal, a line on\n"
	"stderr shows how many domains are still moving meanwhile.\n",
};

static void
ctl_cmd_host_plan_text(const struct ctl *ctl, struct json_object *r)
{
	static const struct ctl_col lines[] = {
		{ "outcome", "outcome", CTL_COL_VALUE, NULL, false },
		{ "phase", "phase", CTL_COL_VALUE, NULL, false },
		{ "required", "required-kib", CTL_COL_SIZE, NULL, false },
		{ "free", "free-kib", CTL_COL_SIZE, NULL, false },
	};
	static const struct ctl_col cols[] = {
		{ "DOMID", "domid", CTL_COL_INT, NULL, false },
		{ "ACTUAL", "actual-kib", CTL_COL_SIZE, NULL, false },
		{ "", NULL, CTL_COL_ARROW, NULL, false },
		{ "TARGET", "target-kib", CTL_COL_SIZE, NULL, false },
		{ "CHANGE", "delta-kib", CTL_COL_DELTA, NULL, false },
	};
	static const struct ctl_col held[] = {
		{ "LEFT OUT", "domid", CTL_COL_INT, NULL, false },
		{ "WHY", "why", CTL_COL_VALUE, NULL, false },
	};
	struct json_object	*actions = NULL, *h = NULL;

	ctl_output_text_summary(ctl, lines, NITEMS(lines), r);
	if (ctl_output_text_domids(r, "domids", "domains"))
		printf("\n");
	(void)json_object_object_get_ex(r, "held", &h);
	if (json_object_is_type(h, json_type_array) &&
	    json_object_array_length(h) > 0)
		ctl_output_text_table(ctl, held, NITEMS(held), h);
	(void)json_object_object_get_ex(r, "actions", &actions);
	if (!json_object_is_type(actions, json_type_array) ||
	    json_object_array_length(actions) == 0)
		printf("nothing to do\n");
	else
		ctl_output_text_table(ctl, cols, NITEMS(cols), actions);
}

static int
ctl_cmd_host_plan_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = NULL;
	int64_t			 kib;
	int			 ex;

	if (a->npos == 1) {
		if ((ex = ctl_cmd_size(ctl, "size", a->pos[0], &kib)) != 0)
			return ex;
		params = json_object_new_object();
		ctl_cmd_add_int(params, "kib", kib);
	}
	return ctl_cmd_exec(ctl, "plan", params, ctl_cmd_host_plan_text);
}

const struct ctl_cmd ctl_cmd_host_plan = {
	"plan", ctl_cmd_host_plan_run, "", 0, 1, "[SIZE]",
	"show the moves to free SIZE, and from whom",
	"What a reservation of SIZE (without it, a balance) would do next,\n"
	"changing nothing: the outcome (adjust, success, cannot_free or\n"
	"refused), the phase (freeing or allocating), the free memory aimed\n"
	"for and the free memory now, and each domain whose target would\n"
	"change: its actual memory, its new target, how much it gives or\n"
	"takes.\n",
};

static void
ctl_cmd_host_policy_set_text(const struct ctl *ctl, struct json_object *r)
{
	char	now[CTL_HOST_CELL_MAX], was[CTL_HOST_CELL_MAX];

	(void)ctl;
	ctl_output_value(r, "policy", now, sizeof(now));
	ctl_output_value(r, "previous", was, sizeof(was));
	printf("policy %s (was %s)\n", now, was);
}

static void
ctl_cmd_host_policy_text(const struct ctl *ctl, struct json_object *r)
{
	char	name[CTL_HOST_CELL_MAX];

	(void)ctl;
	ctl_output_value(r, "policy", name, sizeof(name));
	printf("%s\n", name);
}

/* policy [NAME]: config.get's policy, or policy.set. */
static int
ctl_cmd_host_policy_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params, *conf = NULL, *v = NULL, *o;
	int			 ex;

	if (a->npos == 1) {
		params = json_object_new_object();
		ctl_cmd_add_str(params, "policy", a->pos[0]);
		return ctl_cmd_exec(ctl, "policy.set", params,
		    ctl_cmd_host_policy_set_text);
	}
	if ((ex = ctl_cmd_fetch(ctl, "config.get", NULL, NULL, &conf)) != 0)
		return ex;
	(void)json_object_object_get_ex(conf, "policy", &v);
	o = json_object_new_object();
	json_object_object_add(o, "policy", json_object_get(v));
	ctl->ctl_out->result(ctl, ctl_cmd_host_policy_text, o, 0);
	json_object_put(o);
	json_object_put(conf);
	return CTL_EXIT_OK;
}

const struct ctl_cmd ctl_cmd_host_policy = {
	"policy", ctl_cmd_host_policy_run, "", 0, 1, "[NAME]",
	"show the balancing policy, or switch to NAME",
	"Without NAME, print the policy the daemon runs.  With it, switch\n"
	"to policy NAME (proportional, weighted or pressure) and balance\n"
	"the host with it at once; print the new and the previous policy.\n"
	"The switch lasts until the daemon rereads its configuration file.\n",
};

/* Is key a size of squeezerd.conf: "...-kib"? */
static bool
ctl_cmd_host_is_size_key(const char *key)
{
	size_t	n = strlen(key);

	return n > 4 && strcmp(key + n - 4, "-kib") == 0;
}

/* "key = value" lines that squeezerd.conf takes back as they are. */
static void
ctl_cmd_host_config_text(const struct ctl *ctl, struct json_object *r)
{
	struct json_object_iterator	 it, end;
	struct json_object		*v;
	char				 key[CTL_HOST_CELL_MAX];
	char				 val[CTL_HOST_CELL_MAX];

	(void)ctl;
	it = json_object_iter_begin(r);
	end = json_object_iter_end(r);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		ctl_fmt_clean(json_object_iter_peek_name(&it), key,
		    sizeof(key));
		v = json_object_iter_peek_value(&it);
		if (ctl_cmd_host_is_size_key(key) &&
		    json_object_is_type(v, json_type_int))
			conf_fmt_size(json_object_get_int64(v), val,
			    sizeof(val));
		else
			ctl_output_value(r, json_object_iter_peek_name(&it),
			    val, sizeof(val));
		printf("%s = %s\n", key, val);
	}
}

static int
ctl_cmd_host_config_run(struct ctl *ctl, const struct ctl_args *a)
{
	(void)a;
	return ctl_cmd_host_simple(ctl, "config.get", ctl_cmd_host_config_text);
}

const struct ctl_cmd ctl_cmd_host_config = {
	"config", ctl_cmd_host_config_run, "", 0, 0, "",
	"show the daemon's configuration",
	"Print the daemon's configuration: one \"key = value\" line per key\n"
	"of squeezerd.conf(5), sizes in the largest unit that holds them\n"
	"whole (72M, 1G): the output is a configuration file that\n"
	"\"squeezerd -n\" accepts.  With -j, sizes are numbers of KiB.\n",
};

/* The text as it is, but no control characters other than line ends. */
static void
ctl_cmd_host_metrics_text(const struct ctl *ctl, struct json_object *r)
{
	const char	*t = ctl_output_str(r, "text"), *p;

	(void)ctl;
	for (p = t; *p != '\0'; p++)
		putchar(*p == '\n' || ((unsigned char)*p >= 0x20 &&
		    *p != 0x7f) ? *p : '?');
	if (p > t && p[-1] != '\n')
		putchar('\n');
}

static int
ctl_cmd_host_metrics_run(struct ctl *ctl, const struct ctl_args *a)
{
	(void)a;
	return ctl_cmd_host_simple(ctl, "metrics", ctl_cmd_host_metrics_text);
}

const struct ctl_cmd ctl_cmd_host_metrics = {
	"metrics", ctl_cmd_host_metrics_run, "", 0, 0, "",
	"print the daemon's metrics (Prometheus text)",
	"Print the daemon's metrics as they are, in the Prometheus text\n"
	"exposition format.\n",
};

static void
ctl_cmd_host_call_text(const struct ctl *ctl, struct json_object *r)
{
	(void)ctl;
	printf("%s\n", json_object_to_json_string_ext(r,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* call METHOD [PARAMS-JSON] */
static int
ctl_cmd_host_call_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = NULL;
	enum json_tokener_error	 jerr;

	if (a->npos == 2) {
		params = json_tokener_parse_verbose(a->pos[1], &jerr);
		if (!json_object_is_type(params, json_type_object)) {
			json_object_put(params);
			return ctl_cmd_bad_value(ctl, "PARAMS-JSON", a->pos[1],
			    params == NULL ? json_tokener_error_desc(jerr) :
			    "not a JSON object");
		}
	}
	return ctl_cmd_exec(ctl, a->pos[0], params, ctl_cmd_host_call_text);
}

const struct ctl_cmd ctl_cmd_host_call = {
	"call", ctl_cmd_host_call_run, "", 1, 2, "METHOD [PARAMS-JSON]",
	"send a raw request, print the result JSON",
	"Send one request of the native dialect, method METHOD with the\n"
	"parameters PARAMS-JSON (a JSON object), and print the result as\n"
	"one line of JSON.  Every method is reachable so, such as the sim.*\n"
	"ones of the simulated backend.\n",
};
