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
#include "ctl_rpc.h"
#include "scenario.h"
#include "simulate.h"

#define CTL_EXIT_BADFILE	2	/* simulate: malformed scenario */
#define CTL_USAGE		"usage: squeezerctl [-j] [-s socket] command [args]"
#define CTL_BAD_SIZE		"not a size such as 512M, 2GiB or 1048576 (KiB)"
#define CTL_DOMID_MAX		32751
#define CTL_CELL_MAX		128	/* longest table cell shown */
#define CTL_USAGE_WIDTH		28
#define CTL_MAXCOLS		8	/* columns of a table */
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
	const char	 *interval, *count;		/* -i, -n */
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

static const struct ctl_cmd ctl_cmds[] = {
	{ "help", ctl_help, "help", "show this summary" },
	{ "status", ctl_status, "status",
	    "show the host's memory and the daemon's state" },
	{ "domains", ctl_domains, "domains",
	    "list the domains and their memory (MiB)" },
	{ "reservations", ctl_reservations, "reservations [--session S]",
	    "list the reservations" },
	{ "reserve", ctl_reserve,
	    "reserve SIZE|MIN-MAX [--session S] [--ttl T] [--deadline T]",
	    "reserve host memory: 512M, 2G, 1G-2G (bare: KiB)" },
	{ "transfer", ctl_transfer, "transfer ID DOMID [--session S]",
	    "hand a reservation to a domain" },
	{ "delete", ctl_delete, "delete ID [--session S]",
	    "delete a reservation" },
	{ "login", ctl_login, "login SESSION",
	    "start SESSION afresh (drops its reservations)" },
	{ "balance", ctl_balance, "balance", "balance the domains now" },
	{ "plan", ctl_plan, "plan [SIZE]",
	    "show the moves to free SIZE, and from whom" },
	{ "config", ctl_config, "config", "show the daemon's configuration" },
	{ "top", ctl_top, "top [-i INTERVAL] [-n COUNT]",
	    "refresh status and domains every INTERVAL" },
	{ "call", ctl_call, "call METHOD [PARAMS-JSON]",
	    "send a raw request, print the result JSON" },
	{ "simulate", ctl_simulate, "simulate [-t] FILE",
	    "run a scenario file against the engine on a virtual clock" },
};
#define CTL_NCMDS	NITEMS(ctl_cmds)

static const struct option ctl_longopts[] = {
	{ "session", required_argument, NULL, 'S' },
	{ "ttl", required_argument, NULL, 'T' },
	{ "deadline", required_argument, NULL, 'D' },
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

/* simulate [-t] FILE: exit 0, 1 on an internal failure, 2 on a bad file. */
static int
ctl_simulate(int argc, char **argv)
{
	struct scenario	 s;
	FILE		*trace = NULL;
	char		 err[512];
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt(argc, argv, "t")) != -1) {
		switch (ch) {
		case 't':
			trace = stderr;
			break;
		default:
			fprintf(stderr, "usage: squeezerctl simulate [-t] FILE\n");
			return EXIT_FAILURE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: squeezerctl simulate [-t] FILE\n");
		return EXIT_FAILURE;
	}
	if (scenario_load(argv[optind], &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "squeezerctl: %s\n", err);
		return CTL_EXIT_BADFILE;
	}
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
 * --ttl, "D" --deadline, "i" -i, "n" -n), and minpos..maxpos positional
 * arguments; options may follow them.  -EINVAL on bad usage.
 */
static int
ctl_args(int argc, char **argv, const char *allowed, int minpos, int maxpos,
    struct ctl_args *ret)
{
	struct ctl_args	a = { 0 };
	int		ch;

	optind = 0;	/* glibc: start over, permuting, unlike main's "+" */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "i:n:", ctl_longopts,
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
		case 'i':
			a.interval = optarg;
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

/*
 * Call method with params (consumed; NULL for none) and print the result:
 * as JSON with -j or without text, else with text.  Returns an exit code.
 */
static int
ctl_exec(const char *name, const char *method, struct json_object *params,
    ctl_text_fn *text)
{
	struct ctl_rpc		*rpc = NULL;
	struct json_object	*result = NULL;
	int			 ret = EXIT_FAILURE;

	if (ctl_connect(&rpc) < 0)
		goto out;
	if (ctl_rpc_call(rpc, method, params, &result) < 0) {
		fprintf(stderr, "squeezerctl: %s: %s\n", name,
		    ctl_rpc_strerror(rpc));
		goto out;
	}
	if (arg_json || text == NULL)
		ctl_print_json(result, CTL_JSON_PRETTY);
	else
		text(result);
	ret = EXIT_SUCCESS;
out:
	json_object_put(result);
	json_object_put(params);
	ctl_rpc_free(rpc);
	return ret;
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

	ctl_summary(lines, NITEMS(lines), r);
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
ctl_reserve_times(const struct ctl_args *a, struct json_object *params)
{
	uint64_t	ms;

	if (a->ttl != NULL) {
		if (ctl_parse_duration(a->ttl, &ms) < 0 || ms == 0 ||
		    ms % 1000 != 0)
			return ctl_bad_value("reserve", "ttl", a->ttl,
			    "not whole seconds from 1s to 31536000s");
		json_object_object_add(params, "ttl-s",
		    json_object_new_int64((int64_t)(ms / 1000)));
	}
	if (a->deadline != NULL) {
		if (ctl_parse_duration(a->deadline, &ms) < 0)
			return ctl_bad_value("reserve", "deadline", a->deadline,
			    "not a duration (500ms, 2s, 1.5s) of at most a "
			    "year");
		json_object_object_add(params, "deadline-ms",
		    json_object_new_int64((int64_t)ms));
	}
	return EXIT_SUCCESS;
}

static int
ctl_reserve(int argc, char **argv)
{
	struct ctl_args		 a;
	struct json_object	*params;

	if (ctl_args(argc, argv, "STD", 1, 1, &a) < 0)
		return ctl_bad_usage("reserve");
	params = ctl_session_params(&a);
	if (ctl_reserve_size(a.pos[0], params) != EXIT_SUCCESS ||
	    ctl_reserve_times(&a, params) != EXIT_SUCCESS) {
		json_object_put(params);
		return EXIT_FAILURE;
	}
	return ctl_exec("reserve", "reserve", params, ctl_text_reserve);
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
