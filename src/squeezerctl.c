/*
 * squeezerctl: the admin CLI of squeezerd.  A command table, as xl's and
 * bgpctl's; errors are one specific line on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "ctl_parse.h"
#include "ctl_plot.h"
#include "ctl_rpc.h"
#include "resv.h"
#include "scenario.h"
#include "simulate.h"

#define CTL_EXIT_BADFILE	2	/* simulate: malformed scenario */
#define CTL_USAGE		"usage: squeezerctl [-j] [-s socket] command [args]"
#define CTL_BAD_SIZE		"not a size such as 512M, 2GiB or 1048576 (KiB)"
#define CTL_DOMID_MAX		32751
#define CTL_CELL_MAX		128	/* longest table cell shown */
#define CTL_USAGE_WIDTH		28
#define CTL_MAXCOLS		8	/* columns of a table */
#define CTL_PROGRESS_MS		250	/* reserve --deadline: a look */
#define CTL_PROGRESS_LINE_MS	1000	/* not a tty: a line at most */
#define CTL_JSON_PRETTY		(JSON_C_TO_STRING_PRETTY | \
	JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
#define CTL_JSON_PLAIN		(JSON_C_TO_STRING_PLAIN | \
	JSON_C_TO_STRING_NOSLASHESCAPE)
#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))

static bool		 arg_json;			/* -j */
static const char	*arg_socket = CTL_RPC_SOCKET;	/* -s */

struct ctl_cmd {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*usage;
	const char	*help;
};

/* A command's options and positional arguments. */
struct ctl_args {
	const char	 *session, *ttl, *deadline;	/* --session ... */
	const char	 *id, *min, *overhead;		/* --id ... */
	const char	 *node;				/* --node */
	const char	 *interval, *count, *out;	/* -i, -n, -o */
	char		**pos;
	int		  npos;
};

/* How a member of a result is shown. */
enum ctl_kind {
	CTL_VALUE,	/* as it is; booleans as yes/no; left-aligned */
	CTL_INT,	/* as it is, right-aligned */
	CTL_MIB,	/* KiB shown as MiB with one decimal */
	CTL_SECS,	/* milliseconds shown as seconds */
	CTL_DELTA,	/* KiB: "gives N" below 0, "takes N" above */
	CTL_ARROW,	/* no member: "->" */
};

/* A table column, or a labelled line of a summary. */
struct ctl_col {
	const char	*head;
	const char	*key;
	enum ctl_kind	 kind;
};

typedef void	ctl_text_fn(struct json_object *);

static int	ctl_help(int, char **);
static int	ctl_simulate(int, char **);
static int	ctl_status(int, char **);
static int	ctl_domains(int, char **);
static int	ctl_reservations(int, char **);
static int	ctl_reserve(int, char **);
static int	ctl_transfer(int, char **);
static int	ctl_delete(int, char **);
static int	ctl_login(int, char **);
static int	ctl_balance(int, char **);
static int	ctl_plan(int, char **);
static int	ctl_config(int, char **);
static int	ctl_top(int, char **);
static int	ctl_call(int, char **);
static int	ctl_pending(int, char **);
static int	ctl_cancel(int, char **);
static int	ctl_migrate_in(int, char **);
static int	ctl_migrate_out(int, char **);
static int	ctl_migrate_end(int, char **);
static int	ctl_policy(int, char **);
static int	ctl_metrics(int, char **);
static int	ctl_plot(int, char **);

static const struct ctl_cmd ctl_cmds[] = {
	{ "help", ctl_help, "help", "show this summary" },
	{ "status", ctl_status, "status",
	    "show the host's memory and the daemon's state" },
	{ "domains", ctl_domains, "domains",
	    "list the domains and their memory (MiB)" },
	{ "reservations", ctl_reservations, "reservations [--session S]",
	    "list the reservations" },
	{ "reserve", ctl_reserve,
	    "reserve SIZE|MIN-MAX [--session S] [--id ID] [--ttl T] "
	    "[--deadline T] [--node N]",
	    "reserve host memory: 512M, 2G, 1G-2G (bare: KiB)" },
	{ "pending", ctl_pending, "pending",
	    "list the reserves waiting or running" },
	{ "cancel", ctl_cancel, "cancel ID",
	    "end a pending reserve; what it took goes back" },
	{ "transfer", ctl_transfer, "transfer ID DOMID [--session S]",
	    "hand a reservation to a domain" },
	{ "delete", ctl_delete, "delete ID [--session S]",
	    "delete a reservation" },
	{ "login", ctl_login, "login SESSION",
	    "start SESSION afresh (drops its reservations)" },
	{ "migrate-in", ctl_migrate_in, "migrate-in ACTUAL [--min DYNMIN] "
	    "[--overhead SIZE] [--session S] [--deadline T]",
	    "reserve memory for an incoming VM" },
	{ "migrate-out", ctl_migrate_out,
	    "migrate-out DOMID MAX [--deadline T]",
	    "fit an outgoing VM in MAX, and pin it" },
	{ "migrate-end", ctl_migrate_end, "migrate-end DOMID done|aborted",
	    "end a VM's outgoing migration: unpin it" },
	{ "balance", ctl_balance, "balance", "balance the domains now" },
	{ "plan", ctl_plan, "plan [SIZE]",
	    "show the moves to free SIZE, and from whom" },
	{ "policy", ctl_policy, "policy [NAME]",
	    "show the balancing policy, or switch to NAME" },
	{ "config", ctl_config, "config", "show the daemon's configuration" },
	{ "metrics", ctl_metrics, "metrics",
	    "print the daemon's metrics (Prometheus text)" },
	{ "top", ctl_top, "top [-i INTERVAL] [-n COUNT]",
	    "refresh status and domains every INTERVAL" },
	{ "call", ctl_call, "call METHOD [PARAMS-JSON]",
	    "send a raw request, print the result JSON" },
	{ "simulate", ctl_simulate, "simulate [-t] [--policy NAME] FILE",
	    "run a scenario file against the engine on a virtual clock" },
	{ "plot", ctl_plot, "plot FILE [-o OUT.svg]",
	    "draw a scenario's memory over time as SVG" },
};
#define CTL_NCMDS	NITEMS(ctl_cmds)

static const struct option ctl_longopts[] = {
	{ "session", required_argument, NULL, 'S' },
	{ "ttl", required_argument, NULL, 'T' },
	{ "deadline", required_argument, NULL, 'D' },
	{ "id", required_argument, NULL, 'I' },
	{ "min", required_argument, NULL, 'M' },
	{ "overhead", required_argument, NULL, 'O' },
	{ "node", required_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 },
};

static void
ctl_usage(FILE *f)
{
	size_t	i;

	fprintf(f, CTL_USAGE "\ncommands:\n");
	for (i = 0; i < CTL_NCMDS; i++) {
		if (strlen(ctl_cmds[i].usage) <= CTL_USAGE_WIDTH)
			fprintf(f, "  %-*s %s\n", CTL_USAGE_WIDTH,
			    ctl_cmds[i].usage, ctl_cmds[i].help);
		else
			fprintf(f, "  %s\n  %-*s %s\n", ctl_cmds[i].usage,
			    CTL_USAGE_WIDTH, "", ctl_cmds[i].help);
	}
}

/* Print the usage line of the command name on stderr: EXIT_FAILURE. */
static int
ctl_bad_usage(const char *name)
{
	size_t	i;

	for (i = 0; i < CTL_NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			fprintf(stderr, "usage: squeezerctl %s\n",
			    ctl_cmds[i].usage);
	return EXIT_FAILURE;
}

/* Say that the argument value of what is wrong, and why: EXIT_FAILURE. */
static int
ctl_bad_value(const char *cmd, const char *what, const char *value,
    const char *why)
{
	fprintf(stderr, "squeezerctl: %s: bad %s \"%s\": %s\n", cmd, what,
	    value, why);
	return EXIT_FAILURE;
}

static int
ctl_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctl_usage(stdout);
	return EXIT_SUCCESS;
}

/*
 * simulate [-t] [--policy NAME] FILE: exit 0, 1 on an internal failure or
 * bad usage, 2 on a bad file.  --policy overrides the scenario's policy.
 */
static int
ctl_simulate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct scenario	 s;
	struct conf	 probe;
	const char	*policy = NULL;
	FILE		*trace = NULL;
	char		 err[512];
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "t", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			trace = stderr;
			break;
		case 'P':
			policy = optarg;
			break;
		default:
			fprintf(stderr, "usage: squeezerctl simulate [-t] "
			    "[--policy NAME] FILE\n");
			return EXIT_FAILURE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: squeezerctl simulate [-t] "
		    "[--policy NAME] FILE\n");
		return EXIT_FAILURE;
	}
	conf_defaults(&probe);
	if (policy != NULL && conf_set(&probe, "policy", policy, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "squeezerctl: simulate: %s\n", err);
		return EXIT_FAILURE;
	}
	if (scenario_load(argv[optind], &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "squeezerctl: %s\n", err);
		return CTL_EXIT_BADFILE;
	}
	if (policy != NULL)
		(void)conf_set(&s.conf, "policy", policy, err, sizeof(err));
	rc = simulate_run(&s, stdout, trace);
	scenario_dispose(&s);
	if (rc < 0) {
		fprintf(stderr, "squeezerctl: simulate: %s\n", strerror(-rc));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/*
 * Parse a command's options, only those in allowed ("S" --session, "T"
 * --ttl, "D" --deadline, "I" --id, "M" --min, "O" --overhead, "N" --node,
 * "i" -i, "n" -n, "o" -o), and minpos..maxpos positional arguments; options may follow
 * them.  -EINVAL on bad usage.
 */
static int
ctl_args(int argc, char **argv, const char *allowed, int minpos, int maxpos,
    struct ctl_args *ret)
{
	struct ctl_args	a = { 0 };
	int		ch;

	optind = 0;	/* glibc: start over, permuting, unlike main's "+" */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "i:n:o:", ctl_longopts,
	    NULL)) != -1) {
		if (ch == '?' || strchr(allowed, ch) == NULL)
			return -EINVAL;
		switch (ch) {
		case 'S':
			a.session = optarg;
			break;
		case 'T':
			a.ttl = optarg;
			break;
		case 'D':
			a.deadline = optarg;
			break;
		case 'I':
			a.id = optarg;
			break;
		case 'M':
			a.min = optarg;
			break;
		case 'O':
			a.overhead = optarg;
			break;
		case 'N':
			a.node = optarg;
			break;
		case 'i':
			a.interval = optarg;
			break;
		case 'o':
			a.out = optarg;
			break;
		default:
			a.count = optarg;
			break;
		}
	}
	a.pos = argv + optind;
	a.npos = argc - optind;
	if (a.npos < minpos || a.npos > maxpos)
		return -EINVAL;
	*ret = a;
	return 0;
}

/* Copy s for a terminal: control characters become '?'. */
static void
ctl_clean(const char *s, char *buf, size_t len)
{
	char	*p;

	(void)snprintf(buf, len, "%s", s);
	for (p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Format KiB as MiB with one decimal. */
static void
ctl_mib(int64_t kib, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%.1f", (double)kib / 1024.0);
}

/* Format a number as kind says. */
static void
ctl_fmt_num(int64_t n, enum ctl_kind kind, char *buf, size_t len)
{
	char	mib[64];

	switch (kind) {
	case CTL_MIB:
		ctl_mib(n, buf, len);
		break;
	case CTL_SECS:
		(void)snprintf(buf, len, "%.1fs", (double)n / 1000.0);
		break;
	case CTL_DELTA:
		ctl_mib(n < 0 ? -n : n, mib, sizeof(mib));
		(void)snprintf(buf, len, "%s %s MiB", n < 0 ? "gives" :
		    n > 0 ? "takes" : "keeps", mib);
		break;
	default:
		(void)snprintf(buf, len, "%" PRId64, n);
		break;
	}
}

/* Format a value as it is: "-" for none, booleans as yes/no. */
static void
ctl_fmt_value(struct json_object *v, char *buf, size_t len)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		(void)snprintf(buf, len, "-");
		break;
	case json_type_boolean:
		(void)snprintf(buf, len, "%s",
		    json_object_get_boolean(v) ? "yes" : "no");
		break;
	case json_type_string:
		ctl_clean(json_object_get_string(v), buf, len);
		break;
	default:
		ctl_clean(json_object_to_json_string_ext(v, CTL_JSON_PLAIN),
		    buf, len);
		break;
	}
}

/* Format the member key of o as kind says; "-" when it is absent. */
static void
ctl_fmt(struct json_object *o, const char *key, enum ctl_kind kind,
    char *buf, size_t len)
{
	struct json_object	*v = NULL;

	if (kind == CTL_ARROW)
		(void)snprintf(buf, len, "->");
	else if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		(void)snprintf(buf, len, "-");
	else if (kind == CTL_VALUE || kind == CTL_INT ||
	    !json_object_is_type(v, json_type_int))
		ctl_fmt_value(v, buf, len);
	else
		ctl_fmt_num(json_object_get_int64(v), kind, buf, len);
}

/* Print one table line: the header when row is NULL. */
static void
ctl_table_line(const struct ctl_col *cols, size_t ncols, const int *width,
    struct json_object *row)
{
	char	cell[CTL_CELL_MAX];
	size_t	j;
	bool	left;

	for (j = 0; j < ncols; j++) {
		if (row == NULL)
			(void)snprintf(cell, sizeof(cell), "%s", cols[j].head);
		else
			ctl_fmt(row, cols[j].key, cols[j].kind, cell,
			    sizeof(cell));
		left = cols[j].kind == CTL_VALUE || cols[j].kind == CTL_DELTA ||
		    cols[j].kind == CTL_ARROW;
		if (j + 1 == ncols && left)
			printf("%s\n", cell);
		else
			printf("%*s%s", left ? -width[j] : width[j], cell,
			    j + 1 == ncols ? "\n" : "  ");
	}
}

/* Print rows, an array of objects, as a table under a header line. */
static void
ctl_table(const struct ctl_col *cols, size_t ncols, struct json_object *rows)
{
	char	cell[CTL_CELL_MAX];
	int	width[CTL_MAXCOLS];
	size_t	i, j, n = 0;

	if (ncols > CTL_MAXCOLS)
		ncols = CTL_MAXCOLS;
	if (json_object_is_type(rows, json_type_array))
		n = json_object_array_length(rows);
	for (j = 0; j < ncols; j++)
		width[j] = (int)strlen(cols[j].head);
	for (i = 0; i < n; i++)
		for (j = 0; j < ncols; j++) {
			ctl_fmt(json_object_array_get_idx(rows, i), cols[j].key,
			    cols[j].kind, cell, sizeof(cell));
			if ((int)strlen(cell) > width[j])
				width[j] = (int)strlen(cell);
		}
	ctl_table_line(cols, ncols, width, NULL);
	for (i = 0; i < n; i++)
		ctl_table_line(cols, ncols, width,
		    json_object_array_get_idx(rows, i));
}

/* Print "label  value" lines, one per member; MiB with their unit. */
static void
ctl_summary(const struct ctl_col *lines, size_t n, struct json_object *o)
{
	char	v[CTL_CELL_MAX];
	size_t	i;

	for (i = 0; i < n; i++) {
		ctl_fmt(o, lines[i].key, lines[i].kind, v, sizeof(v));
		printf("%-13s %12s%s\n", lines[i].head, v,
		    lines[i].kind == CTL_MIB && strcmp(v, "-") != 0 ?
		    " MiB" : "");
	}
}

/* Print "what 3, 5" for a non-empty array of domids in o; else false. */
static bool
ctl_print_domids(struct json_object *o, const char *key, const char *what)
{
	struct json_object	*a;
	size_t			 i, n;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) == 0)
		return false;
	printf("%s", what);
	for (i = 0; i < n; i++)
		printf("%s%" PRId64, i > 0 ? ", " : " ",
		    json_object_get_int64(json_object_array_get_idx(a, i)));
	return true;
}

static void
ctl_print_json(struct json_object *o, int flags)
{
	printf("%s\n", json_object_to_json_string_ext(o, flags));
}

/* Connect to arg_socket, or say why not. */
static int
ctl_connect(struct ctl_rpc **ret)
{
	int	rc;

	if ((rc = ctl_rpc_open(arg_socket, ret)) < 0)
		fprintf(stderr, "squeezerctl: cannot connect to %s: %s\n",
		    arg_socket, strerror(-rc));
	return rc;
}

/* The string member key of o, or "". */
static const char *
ctl_get_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* The integer member key of o, if there is one. */
static bool
ctl_get_int(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return true;
}

/* A monotonic clock, ms. */
static uint64_t
ctl_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* What a reserve with --deadline shows on stderr while it waits. */
struct ctl_progress {
	const char	*id;		/* the reserve's */
	struct ctl_rpc	*rpc;		/* a second connection */
	bool		 tty;		/* stderr: overwrite the line */
	bool		 shown;
	uint64_t	 last_ms;	/* when a line last went out */
};

/* "  freed X of Y MiB, Zs left" for the pending reserve o. */
static void
ctl_progress_line(struct json_object *o, char *buf, size_t len)
{
	struct json_object	*running = NULL;
	char			 freed[32], needed[32];
	int64_t			 f, n, left;
	size_t			 k;

	(void)json_object_object_get_ex(o, "running", &running);
	if (json_object_get_boolean(running) &&
	    ctl_get_int(o, "freed-kib", &f) &&
	    ctl_get_int(o, "needed-kib", &n)) {
		ctl_mib(f < 0 ? 0 : f, freed, sizeof(freed));
		ctl_mib(n < 0 ? 0 : n, needed, sizeof(needed));
		(void)snprintf(buf, len, "  freed %s of %s MiB", freed, needed);
	} else
		(void)snprintf(buf, len, "  waiting for the operations ahead");
	k = strlen(buf);
	if (ctl_get_int(o, "deadline-in-ms", &left))
		(void)snprintf(buf + k, len - k, ", %.1fs left",
		    (double)left / 1000.0);
}

/* Every CTL_PROGRESS_MS while the reserve waits: how far is it? */
static void
ctl_progress_tick(void *arg)
{
	struct ctl_progress	*p = arg;
	struct json_object	*list = NULL, *o = NULL;
	char			 line[128];
	uint64_t		 now = ctl_now_ms();
	size_t			 i, n = 0;

	if (!p->tty && p->shown && now - p->last_ms < CTL_PROGRESS_LINE_MS)
		return;
	if (p->rpc == NULL && ctl_rpc_open(arg_socket, &p->rpc) < 0)
		return;
	if (ctl_rpc_call(p->rpc, "reservation.pending", NULL, &list) < 0) {
		ctl_rpc_free(p->rpc);	/* afresh at the next tick */
		p->rpc = NULL;
		return;
	}
	if (json_object_is_type(list, json_type_array))
		n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(list, i);
		if (strcmp(ctl_get_str(o, "id"), p->id) == 0)
			break;
	}
	if (i < n) {
		ctl_progress_line(o, line, sizeof(line));
		fprintf(stderr, p->tty ? "\r%s\033[K" : "%s\n", line);
		(void)fflush(stderr);
		p->shown = true;
		p->last_ms = now;
	}
	json_object_put(list);
}

/* The reserve is over: end the progress line, drop the connection. */
static void
ctl_progress_end(struct ctl_progress *p)
{
	if (p == NULL)
		return;
	if (p->tty && p->shown)
		fputc('\n', stderr);
	ctl_rpc_free(p->rpc);
	p->rpc = NULL;
}

/*
 * Call method with params (consumed; NULL for none), showing prog (unless
 * NULL) while it waits.  The result in *ret, or the failure said.
 */
static int
ctl_fetch(const char *name, const char *method, struct json_object *params,
    struct ctl_progress *prog, struct json_object **ret)
{
	struct ctl_rpc	*rpc = NULL;
	int		 rc;

	if ((rc = ctl_connect(&rpc)) == 0) {
		rc = ctl_rpc_call_ticking(rpc, method, params,
		    prog != NULL ? CTL_PROGRESS_MS : 0, ctl_progress_tick, prog,
		    ret);
		ctl_progress_end(prog);
		if (rc < 0)
			fprintf(stderr, "squeezerctl: %s: %s\n", name,
			    ctl_rpc_strerror(rpc));
	}
	json_object_put(params);
	ctl_rpc_free(rpc);
	return rc;
}

/*
 * Call method with params (consumed; NULL for none) and print the result:
 * as JSON with -j or without text, else with text.  With prog, show the
 * reserve's progress meanwhile.  Returns an exit code.
 */
static int
ctl_exec_progress(const char *name, const char *method,
    struct json_object *params, ctl_text_fn *text, struct ctl_progress *prog)
{
	struct json_object	*result = NULL;

	if (ctl_fetch(name, method, params, prog, &result) < 0)
		return EXIT_FAILURE;
	if (arg_json || text == NULL)
		ctl_print_json(result, CTL_JSON_PRETTY);
	else
		text(result);
	json_object_put(result);
	return EXIT_SUCCESS;
}

static int
ctl_exec(const char *name, const char *method, struct json_object *params,
    ctl_text_fn *text)
{
	return ctl_exec_progress(name, method, params, text, NULL);
}

/* Add the string member key to params when s is set. */
static void
ctl_add_str(struct json_object *params, const char *key, const char *s)
{
	if (s != NULL)
		json_object_object_add(params, key, json_object_new_string(s));
}

/* A new params object with the session, when one was given. */
static struct json_object *
ctl_session_params(const struct ctl_args *a)
{
	struct json_object	*params = json_object_new_object();

	ctl_add_str(params, "session", a->session);
	return params;
}

static void
ctl_text_status(struct json_object *r)
{
	static const struct ctl_col lines[] = {
		{ "total", "total-kib", CTL_MIB },
		{ "free", "free-kib", CTL_MIB },
		{ "physical-free", "physical-free-kib", CTL_MIB },
		{ "reserved", "reserved-kib", CTL_MIB },
		{ "reclaimable", "reclaimable-kib", CTL_MIB },
		{ "host-reserve", "host-reserve-kib", CTL_MIB },
		{ "domains", "domains", CTL_VALUE },
		{ "reservations", "reservations", CTL_VALUE },
		{ "pending", "pending", CTL_VALUE },
		{ "busy", "busy", CTL_VALUE },
		{ "policy", "policy", CTL_VALUE },
		{ "backend", "backend", CTL_VALUE },
	};

	static const struct ctl_col nodes[] = {
		{ "NODE", "node", CTL_INT },
		{ "TOTAL", "total-kib", CTL_MIB },
		{ "FREE", "free-kib", CTL_MIB },
	};
	struct json_object	*n;

	ctl_summary(lines, NITEMS(lines), r);
	if (json_object_object_get_ex(r, "nodes", &n) &&
	    json_object_is_type(n, json_type_array)) {
		printf("\n");		/* per NUMA node (Xen backend) */
		ctl_table(nodes, NITEMS(nodes), n);
	}
}

static void
ctl_text_domains(struct json_object *r)
{
	static const struct ctl_col cols[] = {
		{ "DOMID", "domid", CTL_INT },
		{ "DYN-MIN", "dynamic-min-kib", CTL_MIB },
		{ "DYN-MAX", "dynamic-max-kib", CTL_MIB },
		{ "TARGET", "target-kib", CTL_MIB },
		{ "ACTUAL", "actual-kib", CTL_MIB },
		{ "MAXMEM", "maxmem-kib", CTL_MIB },
		{ "STATE", "state", CTL_VALUE },
	};

	ctl_table(cols, NITEMS(cols), r);
}

static void
ctl_text_reservations(struct json_object *r)
{
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_VALUE },
		{ "SESSION", "session", CTL_VALUE },
		{ "SIZE", "kib", CTL_MIB },
		{ "DOMID", "domid", CTL_INT },
		{ "EXPIRES", "expires-in-ms", CTL_SECS },
	};

	ctl_table(cols, NITEMS(cols), r);
}

static void
ctl_text_reserve(struct json_object *r)
{
	char	id[CTL_CELL_MAX], mib[64];

	ctl_fmt(r, "id", CTL_VALUE, id, sizeof(id));
	ctl_fmt(r, "kib", CTL_MIB, mib, sizeof(mib));
	printf("reserved %s MiB: %s\n", mib, id);
}

static void
ctl_text_transfer(struct json_object *r)
{
	char	id[CTL_CELL_MAX], mib[64], domid[32];

	ctl_fmt(r, "id", CTL_VALUE, id, sizeof(id));
	ctl_fmt(r, "kib", CTL_MIB, mib, sizeof(mib));
	ctl_fmt(r, "domid", CTL_INT, domid, sizeof(domid));
	printf("transferred %s MiB to domain %s: %s\n", mib, domid, id);
}

static void
ctl_text_delete(struct json_object *r)
{
	char	id[CTL_CELL_MAX], mib[64];

	ctl_fmt(r, "id", CTL_VALUE, id, sizeof(id));
	ctl_fmt(r, "kib", CTL_MIB, mib, sizeof(mib));
	printf("deleted %s MiB: %s\n", mib, id);
}

static void
ctl_text_login(struct json_object *r)
{
	struct json_object	*d = NULL;
	char			 session[CTL_CELL_MAX];
	int64_t			 n = 0;

	ctl_fmt(r, "session", CTL_VALUE, session, sizeof(session));
	(void)json_object_object_get_ex(r, "dropped", &d);
	if (json_object_is_type(d, json_type_array))
		n = (int64_t)json_object_array_length(d);
	else if (json_object_is_type(d, json_type_int))
		n = json_object_get_int64(d);
	printf("session %s: %" PRId64 " earlier reservation%s dropped\n",
	    session, n, n == 1 ? "" : "s");
}

static void
ctl_text_balance(struct json_object *r)
{
	char	outcome[CTL_CELL_MAX], mib[64];

	ctl_fmt(r, "outcome", CTL_VALUE, outcome, sizeof(outcome));
	ctl_fmt(r, "free-kib", CTL_MIB, mib, sizeof(mib));
	printf("%s: %s MiB free", outcome, mib);
	(void)ctl_print_domids(r, "domids", "; domains");
	printf("\n");
}

static void
ctl_text_plan(struct json_object *r)
{
	static const struct ctl_col lines[] = {
		{ "outcome", "outcome", CTL_VALUE },
		{ "phase", "phase", CTL_VALUE },
		{ "required", "required-kib", CTL_MIB },
		{ "free", "free-kib", CTL_MIB },
	};
	static const struct ctl_col cols[] = {
		{ "DOMID", "domid", CTL_INT },
		{ "ACTUAL", "actual-kib", CTL_MIB },
		{ "", NULL, CTL_ARROW },
		{ "TARGET", "target-kib", CTL_MIB },
		{ "CHANGE", "delta-kib", CTL_DELTA },
	};
	struct json_object	*actions = NULL;

	ctl_summary(lines, NITEMS(lines), r);
	if (ctl_print_domids(r, "domids", "domains      "))
		printf("\n");
	(void)json_object_object_get_ex(r, "actions", &actions);
	if (!json_object_is_type(actions, json_type_array) ||
	    json_object_array_length(actions) == 0)
		printf("nothing to do\n");
	else
		ctl_table(cols, NITEMS(cols), actions);
}

static void
ctl_text_config(struct json_object *r)
{
	struct json_object_iterator	it, end;
	char				key[CTL_CELL_MAX], v[CTL_CELL_MAX];

	it = json_object_iter_begin(r);
	end = json_object_iter_end(r);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		ctl_clean(json_object_iter_peek_name(&it), key, sizeof(key));
		ctl_fmt_value(json_object_iter_peek_value(&it), v, sizeof(v));
		printf("%s = %s\n", key, v);
	}
}

/* A command that takes no arguments: call method, print with text. */
static int
ctl_simple(int argc, char **argv, const char *name, const char *method,
    ctl_text_fn *text)
{
	struct ctl_args	a;

	if (ctl_args(argc, argv, "", 0, 0, &a) < 0)
		return ctl_bad_usage(name);
	return ctl_exec(name, method, NULL, text);
}

static int
ctl_status(int argc, char **argv)
{
	return ctl_simple(argc, argv, "status", "host.status",
	    ctl_text_status);
}

static int
ctl_domains(int argc, char **argv)
{
	return ctl_simple(argc, argv, "domains", "domain.list",
	    ctl_text_domains);
}

static int
ctl_balance(int argc, char **argv)
{
	return ctl_simple(argc, argv, "balance", "balance", ctl_text_balance);
}

static int
ctl_config(int argc, char **argv)
{
	return ctl_simple(argc, argv, "config", "config.get",
	    ctl_text_config);
}

static int
ctl_reservations(int argc, char **argv)
{
	struct ctl_args	a;

	if (ctl_args(argc, argv, "S", 0, 0, &a) < 0)
		return ctl_bad_usage("reservations");
	return ctl_exec("reservations", "reservation.list",
	    ctl_session_params(&a), ctl_text_reservations);
}

/* Add the reserve amount: kib, or min-kib and max-kib; none may be 0. */
static int
ctl_reserve_size(const char *s, struct json_object *params)
{
	int64_t	lo, hi;
	bool	range = strchr(s, '-') != NULL;
	int	rc;

	if (!range) {
		if ((rc = ctl_parse_size(s, &lo)) < 0)
			return ctl_bad_value("reserve", "size", s,
			    rc == -ERANGE ? "too large" : CTL_BAD_SIZE);
		hi = lo;
	} else if ((rc = ctl_parse_range(s, &lo, &hi)) < 0)
		return ctl_bad_value("reserve", "range", s, rc == -ERANGE ?
		    "too large" : "not two sizes MIN-MAX with MIN <= MAX");
	if (lo == 0)
		return ctl_bad_value("reserve", "size", s,
		    "must be more than 0");
	if (!range)
		json_object_object_add(params, "kib",
		    json_object_new_int64(lo));
	else {
		json_object_object_add(params, "min-kib",
		    json_object_new_int64(lo));
		json_object_object_add(params, "max-kib",
		    json_object_new_int64(hi));
	}
	return EXIT_SUCCESS;
}

/* Add ttl-s (whole seconds) and deadline-ms when they were given. */
static int
ctl_reserve_times(const char *cmd, const struct ctl_args *a,
    struct json_object *params)
{
	uint64_t	ms;

	if (a->ttl != NULL) {
		if (ctl_parse_duration(a->ttl, &ms) < 0 || ms == 0 ||
		    ms % 1000 != 0)
			return ctl_bad_value(cmd, "ttl", a->ttl,
			    "not whole seconds from 1s to 31536000s");
		json_object_object_add(params, "ttl-s",
		    json_object_new_int64((int64_t)(ms / 1000)));
	}
	if (a->deadline != NULL) {
		if (ctl_parse_duration(a->deadline, &ms) < 0)
			return ctl_bad_value(cmd, "deadline", a->deadline,
			    "not a duration (500ms, 2s, 1.5s) of at most a "
			    "year");
		json_object_object_add(params, "deadline-ms",
		    json_object_new_int64((int64_t)ms));
	}
	return EXIT_SUCCESS;
}

/*
 * Add the reserve's id, --id or a fresh UUID, so that its entry in
 * reservation.pending can be found (and cancelled) while it waits.
 */
static int
ctl_reserve_id(const char *cmd, const struct ctl_args *a,
    struct json_object *params)
{
	char	uuid[37];
	int	rc;

	if (a->id != NULL) {
		ctl_add_str(params, "id", a->id);
		return EXIT_SUCCESS;
	}
	if ((rc = resv_uuid(uuid)) < 0) {
		fprintf(stderr, "squeezerctl: %s: no random id: %s\n", cmd,
		    strerror(-rc));
		return EXIT_FAILURE;
	}
	ctl_add_str(params, "id", uuid);
	return EXIT_SUCCESS;
}

/* Send a reserve of params (consumed); with --deadline, show progress. */
static int
ctl_reserve_exec(const char *cmd, const char *method,
    const struct ctl_args *a, struct json_object *params, ctl_text_fn *text)
{
	struct ctl_progress	p = { .id = ctl_get_str(params, "id"),
	    .tty = isatty(STDERR_FILENO) };

	return ctl_exec_progress(cmd, method, params, text,
	    a->deadline != NULL ? &p : NULL);
}

static int
ctl_reserve(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;

	int64_t			 node;

	if (ctl_args(argc, argv, "STDIN", 1, 1, &a) < 0)
		return ctl_bad_usage("reserve");
	if (a.node != NULL && conf_parse_int(a.node, 1023, &node) < 0)
		return ctl_bad_value("reserve", "node", a.node,
		    "not a NUMA node number");
	params = ctl_session_params(&a);
	if (a.node != NULL)
		json_object_object_add(params, "node",
		    json_object_new_int64(node));
	if (ctl_reserve_size(a.pos[0], params) != EXIT_SUCCESS ||
	    ctl_reserve_times("reserve", &a, params) != EXIT_SUCCESS ||
	    ctl_reserve_id("reserve", &a, params) != EXIT_SUCCESS) {
		json_object_put(params);
		return EXIT_FAILURE;
	}
	return ctl_reserve_exec("reserve", "reserve", &a, params,
	    ctl_text_reserve);
}

static int
ctl_transfer(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;
	int64_t			 domid;

	if (ctl_args(argc, argv, "S", 2, 2, &a) < 0)
		return ctl_bad_usage("transfer");
	if (conf_parse_int(a.pos[1], CTL_DOMID_MAX, &domid) < 0)
		return ctl_bad_value("transfer", "domid", a.pos[1],
		    "not an integer from 0 to 32751");
	params = ctl_session_params(&a);
	ctl_add_str(params, "id", a.pos[0]);
	json_object_object_add(params, "domid", json_object_new_int64(domid));
	return ctl_exec("transfer", "reservation.transfer", params,
	    ctl_text_transfer);
}

static int
ctl_delete(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;

	if (ctl_args(argc, argv, "S", 1, 1, &a) < 0)
		return ctl_bad_usage("delete");
	params = ctl_session_params(&a);
	ctl_add_str(params, "id", a.pos[0]);
	return ctl_exec("delete", "reservation.delete", params,
	    ctl_text_delete);
}

static int
ctl_login(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;

	if (ctl_args(argc, argv, "", 1, 1, &a) < 0)
		return ctl_bad_usage("login");
	params = json_object_new_object();
	ctl_add_str(params, "session", a.pos[0]);
	return ctl_exec("login", "login", params, ctl_text_login);
}

static int
ctl_plan(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;
	int64_t			 kib;
	int			 rc;

	if (ctl_args(argc, argv, "", 0, 1, &a) < 0)
		return ctl_bad_usage("plan");
	params = json_object_new_object();
	if (a.npos == 1) {
		if ((rc = ctl_parse_size(a.pos[0], &kib)) < 0) {
			json_object_put(params);
			return ctl_bad_value("plan", "size", a.pos[0],
			    rc == -ERANGE ? "too large" : CTL_BAD_SIZE);
		}
		json_object_object_add(params, "kib",
		    json_object_new_int64(kib));
	}
	return ctl_exec("plan", "plan", params, ctl_text_plan);
}

/* Parse the size s, argument what of cmd; an exit code. */
static int
ctl_size_arg(const char *cmd, const char *what, const char *s, int64_t *ret)
{
	int	rc;

	if ((rc = ctl_parse_size(s, ret)) < 0)
		return ctl_bad_value(cmd, what, s, rc == -ERANGE ?
		    "too large" : CTL_BAD_SIZE);
	return EXIT_SUCCESS;
}

/* Parse the domid s, argument of cmd; an exit code. */
static int
ctl_domid_arg(const char *cmd, const char *s, int64_t *ret)
{
	if (conf_parse_int(s, CTL_DOMID_MAX, ret) < 0)
		return ctl_bad_value(cmd, "domid", s,
		    "not an integer from 0 to 32751");
	return EXIT_SUCCESS;
}

/* Add the cells pending shows made of two members: SIZE, FREED/NEEDED. */
static void
ctl_pending_cells(struct json_object *o)
{
	char	a[32], b[32], cell[80];
	int64_t	x, y;

	if (ctl_get_int(o, "kib", &x)) {
		ctl_mib(x, a, sizeof(a));
		if (ctl_get_int(o, "max-kib", &y)) {
			ctl_mib(y, b, sizeof(b));
			(void)snprintf(cell, sizeof(cell), "%s-%s", a, b);
		} else
			(void)snprintf(cell, sizeof(cell), "%s", a);
		json_object_object_add(o, "ctl-size",
		    json_object_new_string(cell));
	}
	if (ctl_get_int(o, "freed-kib", &x) &&
	    ctl_get_int(o, "needed-kib", &y)) {
		ctl_mib(x < 0 ? 0 : x, a, sizeof(a));
		ctl_mib(y < 0 ? 0 : y, b, sizeof(b));
		(void)snprintf(cell, sizeof(cell), "%s/%s", a, b);
		json_object_object_add(o, "ctl-progress",
		    json_object_new_string(cell));
	}
}

static void
ctl_text_pending(struct json_object *r)
{
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_VALUE },
		{ "SESSION", "session", CTL_VALUE },
		{ "SIZE", "ctl-size", CTL_INT },
		{ "RUNNING", "running", CTL_VALUE },
		{ "FREED/NEEDED", "ctl-progress", CTL_INT },
		{ "ELAPSED", "elapsed-ms", CTL_SECS },
		{ "DEADLINE-LEFT", "deadline-in-ms", CTL_SECS },
	};
	size_t	i, n = 0;

	if (json_object_is_type(r, json_type_array))
		n = json_object_array_length(r);
	for (i = 0; i < n; i++)
		ctl_pending_cells(json_object_array_get_idx(r, i));
	ctl_table(cols, NITEMS(cols), r);
}

static int
ctl_pending(int argc, char **argv)
{
	return ctl_simple(argc, argv, "pending", "reservation.pending",
	    ctl_text_pending);
}

static void
ctl_text_cancel(struct json_object *r)
{
	char	id[CTL_CELL_MAX];

	ctl_fmt(r, "id", CTL_VALUE, id, sizeof(id));
	printf("cancelled %s\n", id);
}

static int
ctl_cancel(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;

	if (ctl_args(argc, argv, "", 1, 1, &a) < 0)
		return ctl_bad_usage("cancel");
	params = json_object_new_object();
	ctl_add_str(params, "id", a.pos[0]);
	return ctl_exec("cancel", "reservation.cancel", params,
	    ctl_text_cancel);
}

static void
ctl_text_migrate_in(struct json_object *r)
{
	char	id[CTL_CELL_MAX], mib[64];

	ctl_fmt(r, "id", CTL_VALUE, id, sizeof(id));
	ctl_fmt(r, "kib", CTL_MIB, mib, sizeof(mib));
	printf("reserved %s MiB for the incoming VM: %s\n", mib, id);
}

/* Add migrate-in's sizes: ACTUAL, --min (default ACTUAL), --overhead. */
static int
ctl_migrate_sizes(const struct ctl_args *a, struct json_object *params)
{
	int64_t	actual, dmin = 0, over = 0;

	if (ctl_size_arg("migrate-in", "size", a->pos[0], &actual) != 0 ||
	    (a->min != NULL && ctl_size_arg("migrate-in", "dynamic-min",
	    a->min, &dmin) != 0) ||
	    (a->overhead != NULL && ctl_size_arg("migrate-in", "overhead",
	    a->overhead, &over) != 0))
		return EXIT_FAILURE;
	if (actual == 0)
		return ctl_bad_value("migrate-in", "size", a->pos[0],
		    "must be more than 0");
	if (a->min == NULL)
		dmin = actual;
	else if (dmin > actual)
		return ctl_bad_value("migrate-in", "dynamic-min", a->min,
		    "above the VM's size");
	json_object_object_add(params, "actual-kib",
	    json_object_new_int64(actual));
	json_object_object_add(params, "dynamic-min-kib",
	    json_object_new_int64(dmin));
	if (a->overhead != NULL)
		json_object_object_add(params, "overhead-kib",
		    json_object_new_int64(over));
	return EXIT_SUCCESS;
}

static int
ctl_migrate_in(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;

	if (ctl_args(argc, argv, "SDMO", 1, 1, &a) < 0)
		return ctl_bad_usage("migrate-in");
	params = ctl_session_params(&a);
	if (ctl_migrate_sizes(&a, params) != EXIT_SUCCESS ||
	    ctl_reserve_times("migrate-in", &a, params) != EXIT_SUCCESS ||
	    ctl_reserve_id("migrate-in", &a, params) != EXIT_SUCCESS) {
		json_object_put(params);
		return EXIT_FAILURE;
	}
	return ctl_reserve_exec("migrate-in", "migration.reserve", &a, params,
	    ctl_text_migrate_in);
}

static void
ctl_text_migrate_out(struct json_object *r)
{
	struct json_object	*b = NULL;
	char			 domid[32], target[64], actual[64];

	ctl_fmt(r, "domid", CTL_INT, domid, sizeof(domid));
	ctl_fmt(r, "target-kib", CTL_MIB, target, sizeof(target));
	ctl_fmt(r, "actual-kib", CTL_MIB, actual, sizeof(actual));
	(void)json_object_object_get_ex(r, "ballooned", &b);
	if (json_object_get_boolean(b))
		printf("domain %s ballooned down to %s MiB (actual %s MiB); "
		    "pinned until migrate-end\n", domid, target, actual);
	else
		printf("domain %s not ballooned: its target %s MiB fits "
		    "(actual %s MiB); pinned until migrate-end\n", domid,
		    target, actual);
}

static int
ctl_migrate_out(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;
	int64_t			 domid, max;

	if (ctl_args(argc, argv, "D", 2, 2, &a) < 0)
		return ctl_bad_usage("migrate-out");
	if (ctl_domid_arg("migrate-out", a.pos[0], &domid) != EXIT_SUCCESS ||
	    ctl_size_arg("migrate-out", "size", a.pos[1], &max) !=
	    EXIT_SUCCESS)
		return EXIT_FAILURE;
	params = json_object_new_object();
	json_object_object_add(params, "domid", json_object_new_int64(domid));
	json_object_object_add(params, "max-kib", json_object_new_int64(max));
	if (ctl_reserve_times("migrate-out", &a, params) != EXIT_SUCCESS) {
		json_object_put(params);
		return EXIT_FAILURE;
	}
	return ctl_exec("migrate-out", "migration.prepare", params,
	    ctl_text_migrate_out);
}

static void
ctl_text_migrate_end(struct json_object *r)
{
	char	domid[32], outcome[CTL_CELL_MAX];

	ctl_fmt(r, "domid", CTL_INT, domid, sizeof(domid));
	ctl_fmt(r, "outcome", CTL_VALUE, outcome, sizeof(outcome));
	printf("domain %s: migration %s\n", domid, outcome);
}

static int
ctl_migrate_end(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;
	int64_t			 domid;

	if (ctl_args(argc, argv, "", 2, 2, &a) < 0)
		return ctl_bad_usage("migrate-end");
	if (ctl_domid_arg("migrate-end", a.pos[0], &domid) != EXIT_SUCCESS)
		return EXIT_FAILURE;
	if (strcmp(a.pos[1], "done") != 0 && strcmp(a.pos[1], "aborted") != 0)
		return ctl_bad_value("migrate-end", "outcome", a.pos[1],
		    "neither done nor aborted");
	params = json_object_new_object();
	json_object_object_add(params, "domid", json_object_new_int64(domid));
	ctl_add_str(params, "outcome", a.pos[1]);
	return ctl_exec("migrate-end", "migration.end", params,
	    ctl_text_migrate_end);
}

static void
ctl_text_policy_set(struct json_object *r)
{
	char	now[CTL_CELL_MAX], was[CTL_CELL_MAX];

	ctl_fmt(r, "policy", CTL_VALUE, now, sizeof(now));
	ctl_fmt(r, "previous", CTL_VALUE, was, sizeof(was));
	printf("policy %s (was %s)\n", now, was);
}

/* policy [NAME]: config.get's policy, or policy.set. */
static int
ctl_policy(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params, *conf = NULL, *v = NULL, *o;
	char			 name[CTL_CELL_MAX];

	if (ctl_args(argc, argv, "", 0, 1, &a) < 0)
		return ctl_bad_usage("policy");
	if (a.npos == 1) {
		params = json_object_new_object();
		ctl_add_str(params, "policy", a.pos[0]);
		return ctl_exec("policy", "policy.set", params,
		    ctl_text_policy_set);
	}
	if (ctl_fetch("policy", "config.get", NULL, NULL, &conf) < 0)
		return EXIT_FAILURE;
	if (arg_json) {
		(void)json_object_object_get_ex(conf, "policy", &v);
		o = json_object_new_object();
		json_object_object_add(o, "policy", json_object_get(v));
		ctl_print_json(o, CTL_JSON_PRETTY);
		json_object_put(o);
	} else {
		ctl_fmt(conf, "policy", CTL_VALUE, name, sizeof(name));
		printf("%s\n", name);
	}
	json_object_put(conf);
	return EXIT_SUCCESS;
}

/* The text as it is, but no control characters other than line ends. */
static void
ctl_text_metrics(struct json_object *r)
{
	const char	*t = ctl_get_str(r, "text"), *p;

	for (p = t; *p != '\0'; p++)
		putchar(*p == '\n' || ((unsigned char)*p >= 0x20 &&
		    *p != 0x7f) ? *p : '?');
	if (p > t && p[-1] != '\n')
		putchar('\n');
}

static int
ctl_metrics(int argc, char **argv)
{
	return ctl_simple(argc, argv, "metrics", "metrics", ctl_text_metrics);
}

/* plot FILE [-o OUT.svg]: no daemon; exit 1 on any error. */
static int
ctl_plot(int argc, char **argv)
{
	struct ctl_args	 a;
	char		 err[512], *out;
	int		 rc;

	if (ctl_args(argc, argv, "o", 1, 1, &a) < 0)
		return ctl_bad_usage("plot");
	out = a.out != NULL ? strdup(a.out) : ctl_plot_default_out(a.pos[0]);
	if (out == NULL) {
		fprintf(stderr, "squeezerctl: plot: %s\n", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	if ((rc = ctl_plot_run(a.pos[0], out, err, sizeof(err))) < 0)
		fprintf(stderr, "squeezerctl: plot: %s\n", err);
	else
		printf("wrote %s\n", out);
	free(out);
	return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void
ctl_text_call(struct json_object *r)
{
	ctl_print_json(r, CTL_JSON_PLAIN);
}

/* call METHOD [PARAMS-JSON]: errors are prefixed with the method. */
static int
ctl_call(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params = NULL;
	enum json_tokener_error	 jerr;

	if (ctl_args(argc, argv, "", 1, 2, &a) < 0)
		return ctl_bad_usage("call");
	if (a.npos == 2) {
		params = json_tokener_parse_verbose(a.pos[1], &jerr);
		if (!json_object_is_type(params, json_type_object)) {
			json_object_put(params);
			return ctl_bad_value("call", "PARAMS-JSON", a.pos[1],
			    params == NULL ? json_tokener_error_desc(jerr) :
			    "not a JSON object");
		}
	}
	return ctl_exec(a.pos[0], a.pos[0], params, ctl_text_call);
}

/* Parse top's -i and -n: a positive interval and count (0: no end). */
static int
ctl_top_opts(const struct ctl_args *a, uint64_t *ret_interval_ms,
    int64_t *ret_count)
{
	uint64_t	ms = 1000;
	int64_t		count = 0;

	if (a->interval != NULL &&
	    (ctl_parse_duration(a->interval, &ms) < 0 || ms == 0))
		return ctl_bad_value("top", "interval", a->interval,
		    "not a duration (500ms, 2s, 1.5s) above 0");
	if (a->count != NULL &&
	    (conf_parse_int(a->count, INT_MAX, &count) < 0 || count == 0))
		return ctl_bad_value("top", "count", a->count,
		    "not an integer from 1 to 2147483647");
	*ret_interval_ms = ms;
	*ret_count = count;
	return EXIT_SUCCESS;
}

/* Sleep ms; true when SIGINT or SIGTERM (blocked) came meanwhile. */
static bool
ctl_top_wait(const sigset_t *sigs, uint64_t ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	return sigtimedwait(sigs, NULL, &ts) > 0;
}

/* Print one screen: the status and the domains (with -j: one line). */
static void
ctl_top_print(struct json_object *status, struct json_object *doms,
    bool tty, bool first)
{
	struct json_object	*o;

	if (arg_json) {
		o = json_object_new_object();
		json_object_object_add(o, "status", json_object_get(status));
		json_object_object_add(o, "domains", json_object_get(doms));
		ctl_print_json(o, CTL_JSON_PLAIN);
		json_object_put(o);
		return;
	}
	if (tty)
		printf("\033[H\033[2J");
	else if (!first)
		printf("\n");
	ctl_text_status(status);
	printf("\n");
	ctl_text_domains(doms);
}

/* Fetch and print one screen. */
static int
ctl_top_once(struct ctl_rpc *rpc, bool tty, bool first)
{
	struct json_object	*status = NULL, *doms = NULL;
	int			 rc;

	if ((rc = ctl_rpc_call(rpc, "host.status", NULL, &status)) < 0 ||
	    (rc = ctl_rpc_call(rpc, "domain.list", NULL, &doms)) < 0) {
		fprintf(stderr, "squeezerctl: top: %s\n",
		    ctl_rpc_strerror(rpc));
		goto out;
	}
	ctl_top_print(status, doms, tty, first);
	if (fflush(stdout) == EOF)
		rc = -errno;
out:
	json_object_put(status);
	json_object_put(doms);
	return rc;
}

/* top [-i INTERVAL] [-n COUNT]: refresh until COUNT, SIGINT or SIGTERM. */
static int
ctl_top(int argc, char **argv)
{
	struct ctl_args	 a;
	struct ctl_rpc	*rpc = NULL;
	sigset_t	 sigs;
	uint64_t	 interval_ms;
	int64_t		 count, i;
	bool		 tty = isatty(STDOUT_FILENO);
	int		 ret = EXIT_FAILURE;

	if (ctl_args(argc, argv, "in", 0, 0, &a) < 0)
		return ctl_bad_usage("top");
	if (ctl_top_opts(&a, &interval_ms, &count) != EXIT_SUCCESS)
		return EXIT_FAILURE;
	/* held pending until ctl_top_wait: an interrupted screen is whole */
	(void)sigemptyset(&sigs);
	(void)sigaddset(&sigs, SIGINT);
	(void)sigaddset(&sigs, SIGTERM);
	(void)sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (ctl_connect(&rpc) < 0)
		goto out;
	for (i = 0; count == 0 || i < count; i++) {
		if (i > 0 && ctl_top_wait(&sigs, interval_ms))
			break;
		if (ctl_top_once(rpc, tty, i == 0) < 0)
			goto out;
	}
	ret = EXIT_SUCCESS;
out:
	ctl_rpc_free(rpc);
	return ret;
}

/* Find the command word: exact, or an unambiguous prefix. */
static const struct ctl_cmd *
ctl_find(const char *word)
{
	size_t	i, n = strlen(word), match = CTL_NCMDS, nmatch = 0;

	for (i = 0; i < CTL_NCMDS; i++) {
		if (strcmp(word, ctl_cmds[i].name) == 0)
			return &ctl_cmds[i];
		if (strncmp(word, ctl_cmds[i].name, n) == 0) {
			match = i;
			nmatch++;
		}
	}
	if (nmatch != 1) {
		fprintf(stderr, "squeezerctl: %s command \"%s\"; try "
		    "\"squeezerctl help\"\n", nmatch ? "ambiguous" : "unknown",
		    word);
		return NULL;
	}
	return &ctl_cmds[match];
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	int			 ch, ret;

	while ((ch = getopt(argc, argv, "+hjs:")) != -1) {
		switch (ch) {
		case 'j':
			arg_json = true;
			break;
		case 's':
			arg_socket = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, CTL_USAGE "\n");
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, CTL_USAGE "\n");
		return EXIT_FAILURE;
	}
	if ((cmd = ctl_find(argv[optind])) == NULL)
		return EXIT_FAILURE;
	ret = cmd->run(argc - optind, argv + optind);
	errno = EIO;	/* for an earlier failed write */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "squeezerctl: cannot write the output: %s\n",
		    strerror(errno));
		return EXIT_FAILURE;
	}
	return ret;
}
