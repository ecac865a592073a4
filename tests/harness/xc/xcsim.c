/*
 * xcsim -- drive the simulated Xen host that the libxenctrl test double
 * serves: create and destroy domains, move their memory, inject faults.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xcstate.h"

#define XCSIM_ERR_MAX	256

/* The command line of one run, and where its error message goes. */
struct xcsim_ctx {
	int		 argc;		/* after the command word */
	char		**argv;
	char		 err[XCSIM_ERR_MAX];
};

struct xcsim_cmd {
	const char	*name;
	int		 minargs, maxargs;	/* -1: any */
	bool		 edit, create;
	xcs_edit_fn	 fn;
	const char	*usage;
};

static void	xcsim_err(struct xcsim_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Record the one-line error of this run. */
static void
xcsim_err(struct xcsim_ctx *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* Parse a domid argument. */
static int
xcsim_domid(struct xcsim_ctx *c, const char *s, uint32_t *ret_domid)
{
	uint64_t	v;

	if (xcs_parse_u64(s, XCS_DOMID_MAX, &v) < 0) {
		xcsim_err(c, "bad domid '%s'", s);
		return -EINVAL;
	}
	*ret_domid = (uint32_t)v;
	return 0;
}

/* The domain argv[0] names, which must exist. */
static int
xcsim_dom(struct xcsim_ctx *c, struct xcs_state *st, struct xcs_dom **ret)
{
	struct xcs_dom	*d;
	uint32_t	 domid;
	int		 rc;

	if ((rc = xcsim_domid(c, c->argv[0], &domid)) < 0)
		return rc;
	if ((d = xcs_dom_find(st, domid)) == NULL) {
		xcsim_err(c, "dom %u: no such domain", domid);
		return -ESRCH;
	}
	*ret = d;
	return 0;
}

/* Apply one "key=value" to a domain; tot_pages growth consumes a claim. */
static int
xcsim_dom_kv(struct xcsim_ctx *c, struct xcs_dom *d, char *kv, bool raw)
{
	struct xcs_dom	 tmp = *d;
	uint64_t	 tot;
	char		*eq;
	int		 rc;

	if ((eq = strchr(kv, '=')) == NULL) {
		xcsim_err(c, "'%s': expected key=value", kv);
		return -EINVAL;
	}
	*eq = '\0';
	rc = xcs_dom_set(&tmp, kv, eq + 1);
	if (rc == -ENOENT)
		xcsim_err(c, "dom %u: unknown key '%s'", d->domid, kv);
	else if (rc < 0)
		xcsim_err(c, "dom %u: %s: bad number '%s'", d->domid, kv,
		    eq + 1);
	if (rc < 0)
		return rc;
	if (!raw && strcmp(kv, "tot_pages") == 0) {
		tot = tmp.tot_pages;
		tmp.tot_pages = d->tot_pages;
		xcs_dom_set_tot(&tmp, tot);
	}
	*d = tmp;
	return 0;
}

/* Check the edited host before it is written back. */
static int
xcsim_validate(struct xcsim_ctx *c, struct xcs_state *st)
{
	if (xcs_validate(st, c->err, sizeof(c->err)) < 0)
		return -EINVAL;
	return 0;
}

/* show */
static int
xcsim_show(struct xcs_state *st, void *arg)
{
	char	*text;
	int	 rc;

	(void)arg;
	if ((rc = xcs_format(st, &text)) < 0)
		return rc;
	fputs(text, stdout);
	printf("# free_pages=%llu outstanding_pages=%llu\n",
	    (unsigned long long)xcs_free_pages(st),
	    (unsigned long long)xcs_outstanding_pages(st));
	free(text);
	return 0;
}

/* create D k=v... (max_pages defaults to tot_pages) */
static int
xcsim_create(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	struct xcs_dom		*d;
	uint32_t		 domid;
	bool			 have_max = false;
	int			 i, rc;

	if ((rc = xcsim_domid(c, c->argv[0], &domid)) < 0)
		return rc;
	if ((rc = xcs_dom_add(st, domid, &d)) < 0) {
		xcsim_err(c, "dom %u: already exists", domid);
		return rc;
	}
	for (i = 1; i < c->argc; i++) {
		if (strncmp(c->argv[i], "max_pages=", 10) == 0)
			have_max = true;
		if ((rc = xcsim_dom_kv(c, d, c->argv[i], true)) < 0)
			return rc;
	}
	if (!have_max)
		d->max_pages = d->tot_pages;
	return xcsim_validate(c, st);
}

/* set D k=v... */
static int
xcsim_set(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	struct xcs_dom		*d;
	int			 i, rc;

	if ((rc = xcsim_dom(c, st, &d)) < 0)
		return rc;
	for (i = 1; i < c->argc; i++)
		if ((rc = xcsim_dom_kv(c, d, c->argv[i], false)) < 0)
			return rc;
	return xcsim_validate(c, st);
}

/* get D KEY | get host KEY */
static int
xcsim_get(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	struct xcs_dom		*d;
	uint64_t		 v;
	int			 rc;

	if (strcmp(c->argv[0], "host") == 0) {
		if (xcs_host_get(st, c->argv[1], &v) < 0) {
			xcsim_err(c, "host: unknown key '%s'", c->argv[1]);
			return -EINVAL;
		}
	} else {
		if ((rc = xcsim_dom(c, st, &d)) < 0)
			return rc;
		if (xcs_dom_get(d, c->argv[1], &v) < 0) {
			xcsim_err(c, "dom %u: unknown key '%s'", d->domid,
			    c->argv[1]);
			return -EINVAL;
		}
	}
	if (strcmp(c->argv[1], "flags") == 0)
		printf("0x%llx\n", (unsigned long long)v);
	else
		printf("%llu\n", (unsigned long long)v);
	return 0;
}

/*
 * alloc D PAGES: tot_pages to PAGES as a domain builder allocates it, from
 * the domain's claim first, then from free memory nobody else claimed;
 * ENOMEM (nothing changed) when that is not enough.
 */
static int
xcsim_alloc(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	struct xcs_dom		*d;
	uint64_t		 pages;
	int			 rc;

	if ((rc = xcsim_dom(c, st, &d)) < 0)
		return rc;
	if (xcs_parse_u64(c->argv[1], UINT32_MAX, &pages) < 0) {
		xcsim_err(c, "alloc: bad number '%s'", c->argv[1]);
		return -EINVAL;
	}
	if (pages > d->tot_pages &&
	    pages - d->tot_pages > xcs_avail_pages(st, d)) {
		xcsim_err(c, "dom %u: cannot allocate %llu pages: %llu "
		    "available", d->domid,
		    (unsigned long long)(pages - d->tot_pages),
		    (unsigned long long)xcs_avail_pages(st, d));
		return -ENOMEM;
	}
	xcs_dom_set_tot(d, pages);
	return 0;
}

/* destroy D */
static int
xcsim_destroy(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	struct xcs_dom		*d;
	int			 rc;

	if ((rc = xcsim_dom(c, st, &d)) < 0)
		return rc;
	if (d->domid == 0) {
		xcsim_err(c, "dom 0 cannot be destroyed (xenstored needs it)");
		return -EPERM;
	}
	return xcs_dom_remove(st, d->domid);
}

/* host k=v... (creates the state file if needed) */
static int
xcsim_host(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	char			*eq;
	int			 i, rc;

	for (i = 0; i < c->argc; i++) {
		if ((eq = strchr(c->argv[i], '=')) == NULL) {
			xcsim_err(c, "'%s': expected key=value", c->argv[i]);
			return -EINVAL;
		}
		*eq = '\0';
		rc = xcs_host_set(st, c->argv[i], eq + 1);
		if (rc == -ENOENT)
			xcsim_err(c, "host: unknown key '%s'", c->argv[i]);
		else if (rc < 0)
			xcsim_err(c, "host: %s: bad number '%s'", c->argv[i],
			    eq + 1);
		if (rc < 0)
			return rc;
	}
	return xcsim_validate(c, st);
}

/* fail CALL=ERRNO */
static int
xcsim_fail(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	char			*eq;
	int			 e;

	if ((eq = strchr(c->argv[0], '=')) == NULL) {
		xcsim_err(c, "'%s': expected CALL=ERRNO", c->argv[0]);
		return -EINVAL;
	}
	*eq = '\0';
	if (xcs_errno_parse(eq + 1, &e) < 0) {
		xcsim_err(c, "unknown errno '%s'", eq + 1);
		return -EINVAL;
	}
	if (xcs_fail_set(st, c->argv[0], e) < 0) {
		xcsim_err(c, "bad call name '%s'", c->argv[0]);
		return -EINVAL;
	}
	return 0;
}

/* unfail CALL */
static int
xcsim_unfail(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;

	xcs_fail_clear(st, c->argv[0]);
	return 0;
}

/* latency MS (0 turns it off) */
static int
xcsim_latency(struct xcs_state *st, void *arg)
{
	struct xcsim_ctx	*c = arg;
	uint64_t		 v;

	if (xcs_parse_u64(c->argv[0], 600000, &v) < 0) {
		xcsim_err(c, "latency: bad number '%s'", c->argv[0]);
		return -EINVAL;
	}
	st->latency_ms = (unsigned int)v;
	return 0;
}

static const struct xcsim_cmd xcsim_cmds[] = {
	{ "alloc",   2, 2,  true,  false, xcsim_alloc,   "alloc D PAGES" },
	{ "create",  1, -1, true,  false, xcsim_create,  "create D k=v..." },
	{ "destroy", 1, 1,  true,  false, xcsim_destroy, "destroy D" },
	{ "fail",    1, 1,  true,  false, xcsim_fail,	 "fail CALL=ERR" },
	{ "get",     2, 2,  false, false, xcsim_get,	 "get D|host KEY" },
	{ "host",    1, -1, true,  true,  xcsim_host,	 "host k=v..." },
	{ "latency", 1, 1,  true,  false, xcsim_latency, "latency MS" },
	{ "set",     2, -1, true,  false, xcsim_set,	 "set D k=v..." },
	{ "show",    0, 0,  false, false, xcsim_show,	 "show" },
	{ "unfail",  1, 1,  true,  false, xcsim_unfail,	 "unfail CALL" },
};

#define XCSIM_NCMDS	(sizeof(xcsim_cmds) / sizeof(xcsim_cmds[0]))

static void
usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: xcsim [-f state] command [args]\n"
	    "state: -f or $XENCTRL_SIM_STATE; commands:\n");
	for (i = 0; i < XCSIM_NCMDS; i++)
		fprintf(stderr, "\t%s\n", xcsim_cmds[i].usage);
	exit(1);
}

/* Look a command up and check its argument count. */
static const struct xcsim_cmd *
xcsim_lookup(const char *name, int nargs)
{
	const struct xcsim_cmd	*cmd = NULL;
	size_t			 i;

	for (i = 0; i < XCSIM_NCMDS; i++)
		if (strcmp(name, xcsim_cmds[i].name) == 0)
			cmd = &xcsim_cmds[i];
	if (cmd == NULL) {
		fprintf(stderr, "xcsim: unknown command '%s' (commands:", name);
		for (i = 0; i < XCSIM_NCMDS; i++)
			fprintf(stderr, " %s", xcsim_cmds[i].name);
		fprintf(stderr, ")\n");
		exit(1);
	}
	if (nargs < cmd->minargs || (cmd->maxargs >= 0 &&
	    nargs > cmd->maxargs)) {
		fprintf(stderr, "usage: xcsim %s\n", cmd->usage);
		exit(1);
	}
	return cmd;
}

int
main(int argc, char *argv[])
{
	const struct xcsim_cmd	*cmd;
	struct xcsim_ctx	 c;
	const char		*path;
	char			 err[512];
	int			 ch, rc;

	path = getenv("XENCTRL_SIM_STATE");
	while ((ch = getopt(argc, argv, "f:")) != -1) {
		if (ch != 'f')
			usage();
		path = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (path == NULL || *path == '\0') {
		fprintf(stderr, "xcsim: no state file: set XENCTRL_SIM_STATE "
		    "or use -f\n");
		return 1;
	}
	cmd = xcsim_lookup(argv[0], argc - 1);
	memset(&c, 0, sizeof(c));
	c.argc = argc - 1;
	c.argv = argv + 1;
	if (cmd->edit)
		rc = xcs_edit(path, cmd->create, cmd->fn, &c, err, sizeof(err));
	else
		rc = xcs_read(path, cmd->fn, &c, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "xcsim: %s\n", err[0] != '\0' ? err :
		    c.err[0] != '\0' ? c.err : strerror(-rc));
		return 1;
	}
	if (fflush(stdout) == EOF)
		return 1;
	return 0;
}
