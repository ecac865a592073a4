/*
 * ctl_parse.c: squeezerctl's parsers: the command table (as xl's
 * cmdtable and bgpctl's parser), each command's options and arguments,
 * and the sizes and durations they take (squeezerd.conf's grammar).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_output.h"
#include "ctl_parse.h"

#define CTL_PARSE_SIZE_MAX	64	/* longest size text of a range */
#define CTL_PARSE_NAME_WIDTH	14	/* the command names of --help */
#define CTL_PARSE_LINE_MAX	512
#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))

/* In the order --help lists them. */
static const struct ctl_cmd *const ctl_parse_cmds[] = {
	&ctl_parse_help_cmd,
	&ctl_cmd_host_status,
	&ctl_cmd_host_domains,
	&ctl_cmd_resv_reservations,
	&ctl_cmd_resv_reserve,
	&ctl_cmd_resv_pending,
	&ctl_cmd_resv_cancel,
	&ctl_cmd_resv_transfer,
	&ctl_cmd_resv_delete,
	&ctl_cmd_resv_login,
	&ctl_cmd_mig_in,
	&ctl_cmd_mig_out,
	&ctl_cmd_mig_end,
	&ctl_cmd_xl_range,
	&ctl_cmd_xl_xl,
	&ctl_cmd_host_balance,
	&ctl_cmd_host_plan,
	&ctl_cmd_host_policy,
	&ctl_cmd_host_config,
	&ctl_cmd_host_metrics,
	&ctl_top_cmd,
	&ctl_cmd_host_call,
	&ctl_cmd_sim_simulate,
	&ctl_cmd_sim_plot,
};

/* Every command option; a command takes those its opts letters name. */
static const struct option ctl_parse_longopts[] = {
	{ "session", required_argument, NULL, 'S' },
	{ "ttl", required_argument, NULL, 'T' },
	{ "deadline", required_argument, NULL, 'D' },
	{ "id", required_argument, NULL, 'I' },
	{ "min", required_argument, NULL, 'M' },
	{ "overhead", required_argument, NULL, 'O' },
	{ "node", required_argument, NULL, 'N' },
	{ "policy", required_argument, NULL, 'P' },
	{ "summary", no_argument, NULL, 'Y' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};
#define CTL_PARSE_SHORTOPTS	":hi:n:o:t"

int
ctl_parse_size(const char *s, int64_t *ret_kib)
{
	return conf_parse_size(s, INT64_MAX, ret_kib);
}

int
ctl_parse_range(const char *s, int64_t *ret_min_kib, int64_t *ret_max_kib)
{
	char		 lo_s[CTL_PARSE_SIZE_MAX];
	const char	*dash;
	int64_t		 lo, hi;
	int		 rc;

	if (s == NULL || (dash = strchr(s, '-')) == NULL ||
	    (size_t)(dash - s) >= sizeof(lo_s))
		return -EINVAL;
	memcpy(lo_s, s, (size_t)(dash - s));
	lo_s[dash - s] = '\0';
	if ((rc = ctl_parse_size(lo_s, &lo)) < 0 ||
	    (rc = ctl_parse_size(dash + 1, &hi)) < 0)
		return rc;
	if (lo > hi)
		return -EINVAL;
	*ret_min_kib = lo;
	*ret_max_kib = hi;
	return 0;
}

int
ctl_parse_duration(const char *s, uint64_t *ret_ms)
{
	return conf_parse_duration(s, CTL_DURATION_MAX_MS, ret_ms);
}

void
ctl_parse_usage_line(const struct ctl_cmd *cmd, char *buf, size_t len)
{
	(void)snprintf(buf, len, "usage: squeezerctl %s%s%s", cmd->name,
	    cmd->usage[0] != '\0' ? " " : "", cmd->usage);
}

void
ctl_parse_usage(FILE *f)
{
	size_t	i;

	fprintf(f,
	    "usage: squeezerctl [-hjV] [-s socket] [-u unit] command [args]\n"
	    "\n"
	    "Query and drive squeezerd, the Xen dom0 memory balancer.\n"
	    "\n"
	    "options:\n"
	    "  -h, --help         show this help and exit\n"
	    "  -j, --json         print results and errors as JSON\n"
	    "  -s, --socket PATH  the daemon's control socket "
	    "(/run/squeezerd/socket)\n"
	    "  -u, --unit UNIT    sizes in UNIT: K, M, G or T "
	    "(default: readable)\n"
	    "  -V, --version      show the version and exit\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < NITEMS(ctl_parse_cmds); i++)
		fprintf(f, "  %-*s %s\n", CTL_PARSE_NAME_WIDTH,
		    ctl_parse_cmds[i]->name, ctl_parse_cmds[i]->summary);
	fprintf(f,
	    "\n"
	    "Sizes: 512M, 2G, 1.5G (K, M, G, T: powers of 1024; a bare "
	    "number is KiB).\n"
	    "Durations: 500ms, 30s, 10m, 1h30m (a bare number is seconds).\n"
	    "Exit status: 0 done, 1 refused or failed, 2 usage error.\n"
	    "\"squeezerctl help COMMAND\" or \"squeezerctl COMMAND --help\" "
	    "tells more.\n");
}

void
ctl_parse_cmd_help(FILE *f, const struct ctl_cmd *cmd)
{
	char	line[CTL_PARSE_LINE_MAX];

	ctl_parse_usage_line(cmd, line, sizeof(line));
	fprintf(f, "%s\n\n%s", line, cmd->help);
}

/* Say which commands word could be: "status, domains ..." on stderr. */
static void
ctl_parse_choices(const char *word, char *buf, size_t len)
{
	size_t	i, n = strlen(word), k = 0;
	bool	any = false;

	buf[0] = '\0';
	for (i = 0; i < NITEMS(ctl_parse_cmds); i++)
		if (strncmp(word, ctl_parse_cmds[i]->name, n) == 0)
			any = true;
	for (i = 0; i < NITEMS(ctl_parse_cmds) && k < len; i++) {
		if (any && strncmp(word, ctl_parse_cmds[i]->name, n) != 0)
			continue;
		k += (size_t)snprintf(buf + k, len - k, "%s%s",
		    k > 0 ? ", " : "", ctl_parse_cmds[i]->name);
	}
}

const struct ctl_cmd *
ctl_parse_find(const struct ctl *ctl, const char *word)
{
	char	choices[CTL_PARSE_LINE_MAX];
	size_t	i, n = strlen(word), match = 0, nmatch = 0;

	for (i = 0; i < NITEMS(ctl_parse_cmds); i++) {
		if (strcmp(word, ctl_parse_cmds[i]->name) == 0)
			return ctl_parse_cmds[i];
		if (n > 0 && strncmp(word, ctl_parse_cmds[i]->name, n) == 0) {
			match = i;
			nmatch++;
		}
	}
	if (nmatch == 1)
		return ctl_parse_cmds[match];
	ctl_parse_choices(nmatch > 0 ? word : "", choices, sizeof(choices));
	(void)ctl_output_usage(ctl, NULL, "%s command \"%.64s\"; %s: %s",
	    nmatch > 0 ? "ambiguous" : "unknown", word,
	    nmatch > 0 ? "it could be" : "the commands are", choices);
	return NULL;
}

/* Store the value of option ch in a. */
static void
ctl_parse_store(struct ctl_args *a, int ch, char *value)
{
	switch (ch) {
	case 'S':
		a->session = value;
		break;
	case 'T':
		a->ttl = value;
		break;
	case 'D':
		a->deadline = value;
		break;
	case 'I':
		a->id = value;
		break;
	case 'M':
		a->min = value;
		break;
	case 'O':
		a->overhead = value;
		break;
	case 'N':
		a->node = value;
		break;
	case 'P':
		a->policy = value;
		break;
	case 'i':
		a->interval = value;
		break;
	case 'n':
		a->count = value;
		break;
	case 'o':
		a->out = value;
		break;
	case 't':
		a->trace = true;
		break;
	case 'Y':
		a->summary = true;
		break;
	default:
		break;
	}
}

/* The name of option ch: "--session", "-i". */
static void
ctl_parse_opt_name(int ch, char *buf, size_t len)
{
	const struct option	*o;

	for (o = ctl_parse_longopts; o->name != NULL; o++)
		if (o->val == ch) {
			(void)snprintf(buf, len, "--%s", o->name);
			return;
		}
	(void)snprintf(buf, len, "-%c", ch);
}

/* Say what is wrong with option ch (getopt's last answer): usage. */
static int
ctl_parse_bad_opt(const struct ctl *ctl, const struct ctl_cmd *cmd,
    char **argv, int ch)
{
	char	usage[CTL_PARSE_LINE_MAX], name[64];

	ctl_parse_usage_line(cmd, usage, sizeof(usage));
	if (ch == '?' && optopt == 0)	/* an unknown long option */
		(void)snprintf(name, sizeof(name), "%.40s", argv[optind - 1]);
	else
		ctl_parse_opt_name(ch == '?' || ch == ':' ? optopt : ch, name,
		    sizeof(name));
	if (ch == ':')
		return ctl_output_usage(ctl, usage, "option %s needs a value",
		    name);
	if (ch == '?')
		return ctl_output_usage(ctl, usage, "unknown option %s", name);
	return ctl_output_usage(ctl, usage, "%s takes no option %s",
	    cmd->name, name);
}

/* The arguments from optind on: as many as cmd takes? */
static int
ctl_parse_count(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv, struct ctl_args *a)
{
	char	usage[CTL_PARSE_LINE_MAX];

	a->pos = argv + optind;
	a->npos = argc - optind;
	if (a->npos < cmd->minpos || a->npos > cmd->maxpos) {
		ctl_parse_usage_line(cmd, usage, sizeof(usage));
		return ctl_output_usage(ctl, usage, "%s arguments",
		    a->npos < cmd->minpos ? "missing" : "too many");
	}
	return 0;
}

int
ctl_parse_args(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv, struct ctl_args *ret)
{
	struct ctl_args	a = { 0 };
	int		ch, rc;

	if (cmd->opts[0] == '-') {	/* it reads its own options */
		if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			ctl_parse_cmd_help(stdout, cmd);
			return -1;
		}
		optind = 1;
		if ((rc = ctl_parse_count(ctl, cmd, argc, argv, &a)) == 0)
			*ret = a;
		return rc;
	}
	optind = 0;	/* glibc: start over, permuting, unlike main's "+" */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, CTL_PARSE_SHORTOPTS,
	    ctl_parse_longopts, NULL)) != -1) {
		if (ch == 'h') {
			ctl_parse_cmd_help(stdout, cmd);
			return -1;
		}
		if (ch == '?' || ch == ':' || strchr(cmd->opts, ch) == NULL)
			return ctl_parse_bad_opt(ctl, cmd, argv, ch);
		ctl_parse_store(&a, ch, optarg);
	}
	if ((rc = ctl_parse_count(ctl, cmd, argc, argv, &a)) == 0)
		*ret = a;
	return rc;
}

/* help [COMMAND]: the summary, or one command's help. */
static int
ctl_parse_help_run(struct ctl *ctl, const struct ctl_args *a)
{
	const struct ctl_cmd	*cmd;

	if (a->npos == 0) {
		ctl_parse_usage(stdout);
		return CTL_EXIT_OK;
	}
	if ((cmd = ctl_parse_find(ctl, a->pos[0])) == NULL)
		return CTL_EXIT_USAGE;
	ctl_parse_cmd_help(stdout, cmd);
	return CTL_EXIT_OK;
}

const struct ctl_cmd ctl_parse_help_cmd = {
	"help", ctl_parse_help_run, "", 0, 1, "[COMMAND]",
	"show the commands, or what COMMAND does",
	"Without COMMAND, list the options and the commands; with it, say\n"
	"what COMMAND does and takes, as \"squeezerctl COMMAND --help\"\n"
	"does.\n",
};
