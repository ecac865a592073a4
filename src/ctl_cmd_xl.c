/*
 * ctl_cmd_xl.c: squeezerctl's commands for hosts run by xl or libvirt:
 * range (a guest's dynamic range), and xl: "xl create" with the memory
 * reserved first and handed to the new domain, and the receiving end of
 * "xl migrate" with the same care.  xl is $XL, else "xl" from $PATH; it
 * runs as a child that never outlives --timeout, and nothing stays
 * reserved when anything fails (a --ttl bounds even a squeezerctl killed
 * with SIGKILL).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "ctl_progress.h"
#include "ctl_rpc.h"
#include "ctl_xl.h"
#include "resv.h"

#define CTL_XL_SESSION		"xl"
#define CTL_XL_TTL_MS		(10 * 60 * 1000)
#define CTL_XL_CREATE_MS	(10 * 60 * 1000)	/* --timeout */
#define CTL_XL_RECEIVE_MS	(60 * 60 * 1000)
#define CTL_XL_STEP_MS		(60 * 1000)		/* domid, unpause */
#define CTL_XL_LOOK_MS		200	/* for the incoming domain */
#define CTL_XL_INCOMING		"--incoming"	/* xl's receiving name */
#define CTL_XL_ARGS_MAX		256
#define CTL_XL_BUF		65536
#define CTL_XL_CELL_MAX		128

/* ---- range --------------------------------------------------------------- */

static void
ctl_cmd_xl_range_text(const struct ctl *ctl, struct json_object *r)
{
	char	domid[32], min[32], max[32], smax[32];

	ctl_output_value(r, "domid", domid, sizeof(domid));
	ctl_output_size(ctl, r, "dynamic-min-kib", min, sizeof(min));
	ctl_output_size(ctl, r, "dynamic-max-kib", max, sizeof(max));
	ctl_output_size(ctl, r, "static-max-kib", smax, sizeof(smax));
	printf("domain %s: dynamic range %s to %s (static-max %s)\n", domid,
	    min, max, smax);
}

static int
ctl_cmd_xl_range_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params;
	int64_t			 min, max;
	int			 ex;

	if ((ex = ctl_cmd_size(ctl, "MIN", a->pos[1], &min)) != 0 ||
	    (ex = ctl_cmd_size(ctl, "MAX", a->pos[2], &max)) != 0)
		return ex;
	if (min > max)
		return ctl_cmd_bad_value(ctl, "MIN", a->pos[1],
		    "above MAX");
	params = json_object_new_object();
	if ((ex = ctl_cmd_add_domain(ctl, params, a->pos[0])) != 0) {
		json_object_put(params);
		return ex;
	}
	ctl_cmd_add_int(params, "dynamic-min-kib", min);
	ctl_cmd_add_int(params, "dynamic-max-kib", max);
	return ctl_cmd_exec(ctl, "domain.set-range", params,
	    ctl_cmd_xl_range_text);
}

const struct ctl_cmd ctl_cmd_xl_range = {
	"range", ctl_cmd_xl_range_run, "", 3, 3, "DOMID|NAME MIN MAX",
	"give a guest a dynamic range: 512M 2G",
	"Give domain DOMID (or the domain called NAME) the dynamic range MIN\n"
	"to MAX (memory/dynamic-min and memory/dynamic-max, as xapi writes\n"
	"them), so that the daemon balances it between the two, and balance\n"
	"the host.  MAX may not pass the guest's static-max (its maxmem), nor\n"
	"MIN go under 64 MiB, or 1/32 of static-max when that is more.  MIN\n"
	"= MAX holds a guest at one size.  dom0 only when the daemon manages\n"
	"it (manage-domain-zero).\n",
};

/* ---- xl: arguments ------------------------------------------------------- */

/* One xl command as the user asked for it. */
struct ctl_cmd_xl_req {
	const char	*xl;			/* $XL or "xl" */
	const char	*session;
	const char	*range;			/* --range MIN-MAX */
	int64_t		 min_kib, max_kib;
	uint64_t	 ttl_ms, timeout_ms, deadline_ms;
	bool		 paused;		/* -p: left paused */
	char		*args[CTL_XL_ARGS_MAX];	/* xl's, after its command */
	int		 nargs;
};

/* Our own options, taken out of the arguments: 1 taken, 0 not ours. */
static int
ctl_cmd_xl_own_opt(const struct ctl *ctl, struct ctl_cmd_xl_req *r, char **av,
    int ac, int *i)
{
	static const char *const names[] = { "--range", "--ttl", "--timeout",
	    "--deadline", "--session", NULL };
	const char	*v = NULL;
	size_t		 k, n;
	uint64_t	 ms = 0;

	for (k = 0; names[k] != NULL; k++) {
		n = strlen(names[k]);
		if (strncmp(av[*i], names[k], n) != 0)
			continue;
		if (av[*i][n] == '=')
			v = av[*i] + n + 1;
		else if (av[*i][n] == '\0' && *i + 1 < ac)
			v = av[++*i];
		else if (av[*i][n] == '\0')
			return ctl_output_usage(ctl, NULL, "option %s needs a "
			    "value", names[k]);
		else
			continue;
		break;
	}
	if (names[k] == NULL)
		return 0;
	if (k == 0)
		r->range = v;
	else if (k == 4)
		r->session = v;
	else if (ctl_parse_duration(v, &ms) < 0 || ms == 0)
		return ctl_cmd_bad_value(ctl, names[k] + 2, v, "not a duration "
		    "such as 30s, 10m or 1h");
	if (k == 1)
		r->ttl_ms = ms;
	else if (k == 2)
		r->timeout_ms = ms;
	else if (k == 3)
		r->deadline_ms = ms;
	return 1;
}

/*
 * An xl create option squeezerctl cannot wrap: -c, -V (xl would wait on
 * a console), -F (in the foreground until the guest dies), -n (a dry run:
 * run xl itself).  Notes -p.
 */
static int
ctl_cmd_xl_check_opt(const struct ctl *ctl, struct ctl_cmd_xl_req *r,
    const char *arg, bool *ret_takes_value)
{
	const char	*p;

	*ret_takes_value = false;
	if (strncmp(arg, "--vncviewer", 11) == 0)
		return ctl_output_usage(ctl, NULL, "xl option %s: xl would not "
		    "return; run \"xl vncviewer\" afterwards", arg);
	if (arg[0] != '-' || arg[1] == '-' || arg[1] == '\0')
		return 0;
	for (p = arg + 1; *p != '\0'; p++) {
		if (strchr("cVFn", *p) != NULL)
			return ctl_output_usage(ctl, NULL, "xl option -%c: %s",
			    *p, *p == 'n' ? "a dry run reserves nothing; run "
			    "xl create -n itself" : "xl would not return (run "
			    "xl console or vncviewer afterwards)");
		if (*p == 'p')
			r->paused = true;
		if (*p == 'f') {	/* -f FILE or -fFILE */
			*ret_takes_value = p[1] == '\0';
			break;
		}
	}
	return 0;
}

/* Read the xl command's arguments (after "create" or "migrate-receive"). */
static int
ctl_cmd_xl_parse(const struct ctl *ctl, bool create, int ac, char **av,
    struct ctl_cmd_xl_req *ret)
{
	struct ctl_cmd_xl_req	r;
	const char		*xl = getenv("XL");
	bool			 value = false, own = true;
	int			 i, ex;

	memset(&r, 0, sizeof(r));
	r.xl = xl != NULL && *xl != '\0' ? xl : "xl";
	r.session = CTL_XL_SESSION;
	r.ttl_ms = CTL_XL_TTL_MS;
	r.timeout_ms = create ? CTL_XL_CREATE_MS : CTL_XL_RECEIVE_MS;
	for (i = 0; i < ac; i++) {
		if (own && strcmp(av[i], "--") == 0) {
			own = false;	/* the rest is xl's */
			continue;
		}
		if (own && (ex = ctl_cmd_xl_own_opt(ctl, &r, av, ac,
		    &i)) != 0) {
			if (ex != 1)
				return ex;
			continue;
		}
		if (create && !value &&
		    (ex = ctl_cmd_xl_check_opt(ctl, &r, av[i], &value)) != 0)
			return ex;
		else if (value)
			value = false;
		if (r.nargs >= CTL_XL_ARGS_MAX - 8)
			return ctl_output_usage(ctl, NULL, "too many "
			    "arguments");
		r.args[r.nargs++] = av[i];
	}
	if (create && r.nargs == 0)
		return ctl_output_usage(ctl, NULL, "no xl configuration file");
	if (r.range != NULL && (ctl_parse_range(r.range, &r.min_kib,
	    &r.max_kib) < 0 || r.min_kib == 0))
		return ctl_cmd_bad_value(ctl, "range", r.range, "not two sizes "
		    "MIN-MAX with 0 < MIN <= MAX");
	*ret = r;
	return CTL_EXIT_OK;
}

/* argv for xl: xl, cmd, extra (may be NULL), then the user's arguments. */
static void
ctl_cmd_xl_argv(const struct ctl_cmd_xl_req *r, const char *cmd,
    const char *extra, char **argv)
{
	int	i, n = 0;

	argv[n++] = (char *)(uintptr_t)r->xl;
	argv[n++] = (char *)(uintptr_t)cmd;
	if (extra != NULL)
		argv[n++] = (char *)(uintptr_t)extra;
	for (i = 0; i < r->nargs; i++)
		argv[n++] = r->args[i];
	argv[n] = NULL;
}

/* ---- xl: running it ------------------------------------------------------ */

/*
 * Run argv until timeout_ms from now, its stdout as how says (its text in
 * *ret_out for a pipe); 0 with its exit status, else said and -errno.
 */
static int
ctl_cmd_xl_exec(const struct ctl *ctl, char **argv, enum ctl_xl_out how,
    uint64_t timeout_ms, ctl_xl_tick_fn *tick, void *arg, char **ret_out,
    int *ret_status)
{
	struct ctl_xl_child	c;
	int			rc;

	if ((rc = ctl_xl_spawn(argv, false, how, &c)) < 0) {
		(void)ctl_output_fail(ctl, "xl_failed", "cannot start %s: %s",
		    argv[0], strerror(-rc));
		return rc;
	}
	if ((rc = ctl_xl_wait(&c, ctl_xl_now_ms() + timeout_ms, tick, arg,
	    ret_out, ret_status)) == -ETIMEDOUT)
		(void)ctl_output_fail(ctl, "timeout", "%s %s did not finish "
		    "within %" PRIu64 " s: stopped", argv[0], argv[1],
		    timeout_ms / 1000);
	else if (rc == -EINTR)
		(void)ctl_output_fail(ctl, "interrupted", "%s %s stopped: "
		    "signal %d", argv[0], argv[1], ctl_xl_signalled());
	return rc;
}

/* The exit status for a child that did not finish: rc from ctl_cmd_xl_exec. */
static int
ctl_cmd_xl_ex(int rc)
{
	return rc == -EINTR ? 128 + ctl_xl_signalled() : CTL_EXIT_FAIL;
}

/* A call whose failure is said: 0, or CTL_EXIT_FAIL. */
static int
ctl_cmd_xl_call(const struct ctl *ctl, const char *method,
    struct json_object *params, struct json_object **ret)
{
	struct json_object	*r = NULL;
	int			 ex;

	ex = ctl_cmd_fetch(ctl, method, params, NULL, &r);
	if (ret != NULL && ex == 0)
		*ret = r;
	else
		json_object_put(r);
	return ex;
}

/* A call whose failure is not said (polling): 0 or -errno. */
static int
ctl_cmd_xl_call_quiet(const struct ctl *ctl, const char *method,
    struct json_object *params, struct json_object **ret)
{
	struct ctl_rpc	*rpc = NULL;
	int		 rc;

	if ((rc = ctl_rpc_open(ctl->ctl_socket, &rpc)) == 0)
		rc = ctl_rpc_call(rpc, method, params, ret);
	ctl_rpc_free(rpc);
	json_object_put(params);
	return rc;
}

/* The reservation a wrapped command makes and hands over. */
struct ctl_cmd_xl_resv {
	char	id[RESV_NAME_MAX + 1];
	int64_t	kib;
	bool	made;
	bool	transferred;
	int64_t	domid;
};

/* Reserve what the guest needs, waiting with a progress line. */
static int
ctl_cmd_xl_reserve(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    const struct ctl_xl_guest *g, struct ctl_cmd_xl_resv *ret)
{
	struct ctl_progress	 prog;
	struct json_object	*params = json_object_new_object(), *res = NULL;
	bool			 shown;
	int			 rc, ex;

	memset(ret, 0, sizeof(*ret));
	ret->domid = -1;
	if ((rc = resv_uuid(ret->id)) < 0) {
		json_object_put(params);
		return ctl_output_fail(ctl, "internal", "no random id: %s",
		    strerror(-rc));
	}
	ctl_cmd_add_int(params, "kib", g->need_kib);
	ctl_cmd_add_str(params, "session", r->session);
	ctl_cmd_add_str(params, "id", ret->id);
	ctl_cmd_add_int(params, "ttl-s", (int64_t)((r->ttl_ms + 999) / 1000));
	if (r->deadline_ms != 0)
		ctl_cmd_add_int(params, "deadline-ms", (int64_t)r->deadline_ms);
	if ((shown = ctl_progress_init(&prog, ctl, CTL_PROGRESS_RESERVE)))
		prog.id = ret->id;
	ex = ctl_cmd_fetch(ctl, "reserve", params, shown ? &prog : NULL, &res);
	if (ex == 0) {
		ret->made = true;
		if (!ctl_output_int(res, "kib", &ret->kib))
			ret->kib = g->need_kib;
	}
	json_object_put(res);
	return ex;
}

/*
 * Delete the reservation if it is still there (the daemon releases it
 * itself when the domain it went to is destroyed): 0, or said and 1.
 */
static int
ctl_cmd_xl_unreserve(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    struct ctl_cmd_xl_resv *v)
{
	struct json_object	*params, *res = NULL;
	struct ctl_rpc		*rpc = NULL;
	int			 rc, ex = CTL_EXIT_FAIL;

	if (!v->made)
		return CTL_EXIT_OK;
	if (ctl_cmd_connect(ctl, &rpc) < 0)
		return CTL_EXIT_FAIL;
	params = json_object_new_object();
	ctl_cmd_add_str(params, "id", v->id);
	ctl_cmd_add_str(params, "session", r->session);
	rc = ctl_rpc_call(rpc, "reservation.delete", params, &res);
	if (rc == 0 || (rc == -EREMOTEIO && strcmp(ctl_output_str(
	    ctl_rpc_error(rpc), "message"), "unknown_reservation") == 0)) {
		v->made = false;
		ex = CTL_EXIT_OK;
	} else
		ex = ctl_cmd_failed(ctl, rpc, rc);
	json_object_put(params);
	json_object_put(res);
	ctl_rpc_free(rpc);
	return ex;
}

/*
 * Hand the reservation to domid, or to the domain called name; quiet:
 * while waiting for that domain to be made (failures are not said).
 */
static int
ctl_cmd_xl_transfer(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    struct ctl_cmd_xl_resv *v, int64_t domid, const char *name, bool quiet)
{
	struct json_object	*params = json_object_new_object(), *res = NULL;
	int			 rc;

	ctl_cmd_add_str(params, "id", v->id);
	ctl_cmd_add_str(params, "session", r->session);
	if (name != NULL)
		ctl_cmd_add_str(params, "name", name);
	else
		ctl_cmd_add_int(params, "domid", domid);
	rc = quiet ? ctl_cmd_xl_call_quiet(ctl, "reservation.transfer", params,
	    &res) : ctl_cmd_xl_call(ctl, "reservation.transfer", params, &res);
	if (rc == 0 && ctl_output_int(res, "domid", &v->domid))
		v->transferred = true;
	json_object_put(res);
	return rc;
}

/* A transfer in waiting: to the domain called name once it is made. */
struct ctl_cmd_xl_pending {
	const struct ctl	*ctl;
	const struct ctl_cmd_xl_req	*req;
	struct ctl_cmd_xl_resv	*v;
	const char		*name;
	uint64_t		 looked_ms;
};

/*
 * While xl makes the domain: hand it the reservation as soon as it is
 * there, before libxl allocates its memory, so that nothing is counted
 * twice meanwhile (the reservation and the memory it became).
 */
static void
ctl_cmd_xl_transfer_soon(void *arg)
{
	struct ctl_cmd_xl_pending	*p = arg;

	if (p->v->transferred || !p->v->made ||
	    ctl_xl_now_ms() - p->looked_ms < CTL_XL_LOOK_MS)
		return;
	p->looked_ms = ctl_xl_now_ms();
	(void)ctl_cmd_xl_transfer(p->ctl, p->req, p->v, -1, p->name, true);
}

/* ---- xl create ----------------------------------------------------------- */

/* The dry run: what the guest is and needs. */
static int
ctl_cmd_xl_dry_run(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    struct ctl_xl_guest *ret)
{
	char	*argv[CTL_XL_ARGS_MAX], *out = NULL, err[256];
	int	 rc, st = 0, ex = CTL_EXIT_FAIL;

	ctl_cmd_xl_argv(r, "create", "-n", argv);
	if ((rc = ctl_cmd_xl_exec(ctl, argv, CTL_XL_OUT_PIPE, r->timeout_ms,
	    NULL, NULL, &out, &st)) < 0)
		return ctl_cmd_xl_ex(rc);
	if (st != 0) {
		(void)ctl_output_fail(ctl, "xl_failed", "%s create -n (the dry "
		    "run) exited with status %d", r->xl, st);
		ex = st;
	} else if (ctl_xl_guest(out != NULL ? out : "", ret, err,
	    sizeof(err)) < 0)
		(void)ctl_output_fail(ctl, "xl_failed", "%s create -n: %s",
		    r->xl, err);
	else
		ex = CTL_EXIT_OK;
	free(out);
	return ex;
}

/* What --range asks, checked against the guest before anything is made. */
static int
ctl_cmd_xl_check_range(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    const struct ctl_xl_guest *g)
{
	if (r->range == NULL || r->max_kib <= g->max_kib)
		return CTL_EXIT_OK;
	return ctl_cmd_bad_value(ctl, "range", r->range, "MAX is above the "
	    "guest's maxmem (its static-max)");
}

/* The new domain's id: "xl domid NAME". */
static int
ctl_cmd_xl_domid(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    const struct ctl_xl_guest *g, int64_t *ret)
{
	char	*argv[4], *out = NULL, *end;
	long	 v;
	int	 rc, st = 0, ex = CTL_EXIT_FAIL;

	argv[0] = (char *)(uintptr_t)r->xl;
	argv[1] = (char *)(uintptr_t)"domid";
	argv[2] = (char *)(uintptr_t)g->name;
	argv[3] = NULL;
	if ((rc = ctl_cmd_xl_exec(ctl, argv, CTL_XL_OUT_PIPE, CTL_XL_STEP_MS,
	    NULL, NULL, &out, &st)) < 0)
		return ctl_cmd_xl_ex(rc);
	errno = 0;
	v = out != NULL ? strtol(out, &end, 10) : -1;
	if (st == 0 && out != NULL && end != out && errno == 0 && v >= 0 &&
	    v <= 32751 && (*end == '\0' || *end == '\n')) {
		*ret = v;
		ex = CTL_EXIT_OK;
	} else
		(void)ctl_output_fail(ctl, "xl_failed", "%s domid %s: no "
		    "domid (exit status %d)", r->xl, g->name, st);
	free(out);
	return ex;
}

/* "xl unpause WHO" (a domid or the name): its exit status. */
static int
ctl_cmd_xl_unpause(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    const char *who)
{
	char	*argv[4];
	int	 rc, st = 0;

	argv[0] = (char *)(uintptr_t)r->xl;
	argv[1] = (char *)(uintptr_t)"unpause";
	argv[2] = (char *)(uintptr_t)who;
	argv[3] = NULL;
	if ((rc = ctl_cmd_xl_exec(ctl, argv, CTL_XL_OUT_STDERR, CTL_XL_STEP_MS,
	    NULL, NULL, NULL, &st)) < 0)
		return ctl_cmd_xl_ex(rc);
	if (st != 0)
		(void)ctl_output_fail(ctl, "xl_failed", "%s unpause %s exited "
		    "with status %d", r->xl, who, st);
	return st;
}

/* Give the new domain the range --range asked for. */
static int
ctl_cmd_xl_set_range(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    int64_t domid)
{
	struct json_object	*params;

	if (r->range == NULL)
		return CTL_EXIT_OK;
	params = json_object_new_object();
	ctl_cmd_add_int(params, "domid", domid);
	ctl_cmd_add_int(params, "dynamic-min-kib", r->min_kib);
	ctl_cmd_add_int(params, "dynamic-max-kib", r->max_kib);
	return ctl_cmd_xl_call(ctl, "domain.set-range", params, NULL);
}

static void
ctl_cmd_xl_created_text(const struct ctl *ctl, struct json_object *o)
{
	char	name[CTL_XL_CELL_MAX], domid[32], size[32], id[CTL_XL_CELL_MAX];

	ctl_output_value(o, "name", name, sizeof(name));
	ctl_output_value(o, "domid", domid, sizeof(domid));
	ctl_output_size(ctl, o, "kib", size, sizeof(size));
	ctl_output_value(o, "id", id, sizeof(id));
	printf("%s: domain %s %s with %s reserved for it (%s)\n", name, domid,
	    json_object_get_boolean(json_object_object_get(o, "paused")) ?
	    "created, paused," : "started", size, id);
}

/* Say what was made: the guest, its domain and the reservation it had. */
static void
ctl_cmd_xl_created(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    const struct ctl_xl_guest *g, const struct ctl_cmd_xl_resv *v)
{
	struct json_object	*o = json_object_new_object();

	ctl_cmd_add_str(o, "name", g->name);
	ctl_cmd_add_int(o, "domid", v->domid);
	ctl_cmd_add_str(o, "id", v->id);
	ctl_cmd_add_int(o, "kib", v->kib);
	ctl_cmd_add_int(o, "need-kib", g->need_kib);
	json_object_object_add(o, "paused", json_object_new_boolean(r->paused));
	if (r->range != NULL) {
		ctl_cmd_add_int(o, "dynamic-min-kib", r->min_kib);
		ctl_cmd_add_int(o, "dynamic-max-kib", r->max_kib);
	}
	ctl->ctl_out->result(ctl, ctl_cmd_xl_created_text, o, 0);
	json_object_put(o);
}

/*
 * After "xl create -p" made the domain: find it, hand it the reservation
 * (then delete it: the domain has its memory, and its initial-reservation
 * counts it until it boots), its range, and unpause it unless -p.
 */
static int
ctl_cmd_xl_settle(const struct ctl *ctl, const struct ctl_cmd_xl_req *r,
    const struct ctl_xl_guest *g, struct ctl_cmd_xl_resv *v)
{
	char	domid[16];
	int	ex, bad = 0, st;

	int64_t	d = -1;

	if ((ex = ctl_cmd_xl_domid(ctl, r, g, &d)) != 0) {
		(void)ctl_cmd_xl_unreserve(ctl, r, v);
		if (!r->paused)
			(void)ctl_cmd_xl_unpause(ctl, r, g->name);
		return ex;
	}
	(void)snprintf(domid, sizeof(domid), "%" PRId64, d);
	if (v->transferred && v->domid != d) {
		(void)ctl_output_fail(ctl, "incomplete", "the reservation went "
		    "to domain %" PRId64 ", but %s is domain %s", v->domid,
		    g->name, domid);
		bad = 1;
	} else if (!v->transferred)
		bad |= ctl_cmd_xl_transfer(ctl, r, v, d, NULL, false) != 0;
	v->domid = d;
	bad |= ctl_cmd_xl_set_range(ctl, r, v->domid) != 0;
	bad |= ctl_cmd_xl_unreserve(ctl, r, v) != 0;
	if (!r->paused && (st = ctl_cmd_xl_unpause(ctl, r, domid)) != 0)
		return st;
	if (bad)
		return ctl_output_fail(ctl, "incomplete", "%s is domain %s%s, "
		    "but not every step after the create was done (above)",
		    g->name, domid, r->paused ? " (paused)" : " and runs");
	return CTL_EXIT_OK;
}

static int
ctl_cmd_xl_create(struct ctl *ctl, int ac, char **av)
{
	struct ctl_cmd_xl_req	r;
	struct ctl_xl_guest	g;
	struct ctl_cmd_xl_resv	v;
	char			*argv[CTL_XL_ARGS_MAX];
	struct ctl_cmd_xl_pending	p;
	int			 ex, rc, st = 0;

	if ((ex = ctl_cmd_xl_parse(ctl, true, ac, av, &r)) != 0 ||
	    (ex = ctl_cmd_xl_dry_run(ctl, &r, &g)) != 0 ||
	    (ex = ctl_cmd_xl_check_range(ctl, &r, &g)) != 0 ||
	    (ex = ctl_cmd_xl_reserve(ctl, &r, &g, &v)) != 0)
		return ex;
	ctl_xl_catch_signals();		/* from now on, clean up first */
	ctl_cmd_xl_argv(&r, "create", "-p", argv);
	p = (struct ctl_cmd_xl_pending){ ctl, &r, &v, g.name, 0 };
	if ((rc = ctl_cmd_xl_exec(ctl, argv, CTL_XL_OUT_STDERR, r.timeout_ms,
	    ctl_cmd_xl_transfer_soon, &p, NULL, &st)) < 0 || st != 0) {
		if (rc == 0)
			(void)ctl_output_fail(ctl, "xl_failed", "%s create "
			    "exited with status %d; nothing stays reserved",
			    r.xl, st);
		(void)ctl_cmd_xl_unreserve(ctl, &r, &v);
		return rc < 0 ? ctl_cmd_xl_ex(rc) : st;
	}
	if ((ex = ctl_cmd_xl_settle(ctl, &r, &g, &v)) != 0)
		return ex;
	ctl_cmd_xl_created(ctl, &r, &g, &v);
	return CTL_EXIT_OK;
}

/* ---- xl migrate-receive -------------------------------------------------- */

/* A migration being received: the stream from our stdin to xl's. */
struct ctl_cmd_xl_recv {
	const struct ctl	*ctl;
	const struct ctl_cmd_xl_req	*req;
	struct ctl_xl_child	 child;
	unsigned char		*head;		/* the stream's first bytes */
	size_t			 nhead, caphead;
	unsigned char		 buf[CTL_XL_BUF];	/* read, not yet sent */
	size_t			 off, len;
	bool			 in_eof;
	int			 status;	/* xl's, once reaped; or -1 */
	struct ctl_xl_guest	 g;
	struct ctl_cmd_xl_resv	 v;
	char			 incoming[CTL_XL_NAME_MAX + 16];
	struct ctl_cmd_xl_pending	 pending;	/* to NAME--incoming */
	uint64_t		 deadline_ms;
};

/*
 * Wait for stdin (or the pipe to xl, for_out) up to CTL_XL_LOOK_MS: 1 when
 * it is ready, 0 when not yet.
 */
static int
ctl_cmd_xl_recv_poll(struct ctl_cmd_xl_recv *x, bool for_out)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = for_out ? x->child.in_fd : STDIN_FILENO;
	pfd.events = for_out ? POLLOUT : POLLIN;
	if (ctl_xl_signalled() != 0)
		return -EINTR;
	if (ctl_xl_now_ms() >= x->deadline_ms)
		return -ETIMEDOUT;
	if ((r = poll(&pfd, 1, CTL_XL_LOOK_MS)) == -1 && errno != EINTR)
		return -errno;
	return r > 0;
}

/* Read the stream's head (header, configuration) from stdin. */
static int
ctl_cmd_xl_recv_head(struct ctl_cmd_xl_recv *x, char **ret_config)
{
	char		 err[256];
	size_t		 need = CTL_XL_HDR_LEN;
	unsigned char	*v;
	ssize_t		 n;
	int		 rc;

	for (;;) {
		rc = ctl_xl_stream_head(x->head, x->nhead, &need, ret_config,
		    err, sizeof(err));
		if (rc != -EAGAIN)
			break;
		if (need > x->caphead) {
			if ((v = realloc(x->head, need)) == NULL)
				return -ENOMEM;
			x->head = v;
			x->caphead = need;
		}
		if ((rc = ctl_cmd_xl_recv_poll(x, false)) < 0)
			return rc;
		if (rc == 0)
			continue;
		n = read(STDIN_FILENO, x->head + x->nhead, need - x->nhead);
		if (n == 0) {
			snprintf(err, sizeof(err), "the stream ended after %zu "
			    "bytes, in its header", x->nhead);
			rc = -EINVAL;
			break;
		}
		if (n > 0)
			x->nhead += (size_t)n;
		else if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	if (rc < 0)
		(void)ctl_output_fail(x->ctl, "bad_stream", "%s", err);
	return rc;
}

/* Write all of [p, p + n) to xl, waiting for it as needed. */
static int
ctl_cmd_xl_recv_write(struct ctl_cmd_xl_recv *x, const unsigned char *p,
    size_t n)
{
	ssize_t	w;
	int	rc;

	while (n > 0) {
		if ((w = write(x->child.in_fd, p, n)) > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno != EAGAIN && errno != EINTR)
			return -errno;		/* EPIPE: xl has gone */
		if ((rc = ctl_cmd_xl_recv_poll(x, true)) < 0)
			return rc;
	}
	return 0;
}

/* Copy stdin to xl until stdin ends, handing over the reservation. */
static int
ctl_cmd_xl_recv_pump(struct ctl_cmd_xl_recv *x)
{
	ssize_t	n;
	int	rc, st;

	if ((rc = ctl_cmd_xl_recv_write(x, x->head, x->nhead)) < 0)
		return rc;
	while (!x->in_eof) {
		if (waitpid(x->child.pid, &st, WNOHANG) == x->child.pid) {
			x->status = WIFEXITED(st) ? WEXITSTATUS(st) :
			    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
			x->child.pid = -1;	/* done before the stream */
			return 0;
		}
		ctl_cmd_xl_transfer_soon(&x->pending);
		if ((rc = ctl_cmd_xl_recv_poll(x, false)) < 0)
			return rc;
		if (rc == 0)
			continue;
		if ((n = read(STDIN_FILENO, x->buf, sizeof(x->buf))) == 0)
			x->in_eof = true;
		else if (n > 0 && (rc = ctl_cmd_xl_recv_write(x, x->buf,
		    (size_t)n)) < 0)
			return rc;
		else if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

/* Reserve for the stream's guest, then let the stream through. */
static int
ctl_cmd_xl_recv_run(struct ctl_cmd_xl_recv *x, int *ret_status)
{
	char	*config = NULL, err[256];
	int	 rc, ex;

	if ((rc = ctl_cmd_xl_recv_head(x, &config)) < 0)
		return rc;
	rc = ctl_xl_guest(config, &x->g, err, sizeof(err));
	free(config);
	if (rc < 0) {
		(void)ctl_output_fail(x->ctl, "bad_stream", "the stream's "
		    "configuration: %s", err);
		return rc;
	}
	(void)snprintf(x->incoming, sizeof(x->incoming), "%s%s", x->g.name,
	    CTL_XL_INCOMING);
	x->pending = (struct ctl_cmd_xl_pending){ x->ctl, x->req, &x->v,
	    x->incoming, 0 };
	if ((ex = ctl_cmd_xl_reserve(x->ctl, x->req, &x->g, &x->v)) != 0)
		return -ECANCELED;	/* said */
	rc = ctl_cmd_xl_recv_pump(x);
	if (rc == -EPIPE)
		rc = 0;		/* xl stopped reading: its status says */
	if (rc < 0)
		return rc;
	close(x->child.in_fd);
	x->child.in_fd = -1;
	if (x->child.pid < 0) {
		*ret_status = x->status;
		return 0;
	}
	return ctl_xl_wait(&x->child, x->deadline_ms, ctl_cmd_xl_transfer_soon,
	    &x->pending, NULL, ret_status);
}

/* Say on stderr (stdout is the channel) what was reserved, and for whom. */
static void
ctl_cmd_xl_received_text(const struct ctl *ctl, const struct ctl_cmd_xl_recv *x)
{
	char	size[32];

	ctl_fmt_size(x->v.kib, ctl->ctl_unit != CTL_FMT_AUTO ? ctl->ctl_unit :
	    ctl_fmt_unit_for(x->v.kib), size, sizeof(size));
	if (x->v.transferred)
		fprintf(stderr, "squeezerctl: xl migrate-receive: %s: %s "
		    "reserved, handed to domain %" PRId64 "\n", x->g.name, size,
		    x->v.domid);
	else
		fprintf(stderr, "squeezerctl: xl migrate-receive: %s: %s "
		    "reserved; the incoming domain was not seen\n", x->g.name,
		    size);
}

static int
ctl_cmd_xl_receive(struct ctl *ctl, int ac, char **av)
{
	struct ctl_cmd_xl_req	 r;
	struct ctl_cmd_xl_recv	*x;
	char			*argv[CTL_XL_ARGS_MAX];
	int			 ex, rc, st = CTL_EXIT_FAIL;

	if (ctl->ctl_json)
		return ctl_output_usage(ctl, NULL, "no -j with xl "
		    "migrate-receive: its stdout is the migration's channel");
	if ((ex = ctl_cmd_xl_parse(ctl, false, ac, av, &r)) != 0)
		return ex;
	if (r.range != NULL)
		return ctl_output_usage(ctl, NULL, "--range is for xl create");
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return ctl_output_fail(ctl, "internal", "out of memory");
	x->ctl = ctl;
	x->req = &r;
	x->deadline_ms = ctl_xl_now_ms() + r.timeout_ms;
	ctl_xl_catch_signals();
	ctl_cmd_xl_argv(&r, "migrate-receive", NULL, argv);
	/* xl speaks first (its banner on our stdout), then reads */
	if ((rc = ctl_xl_spawn(argv, true, CTL_XL_OUT_INHERIT,
	    &x->child)) < 0) {
		ex = ctl_output_fail(ctl, "xl_failed", "cannot start %s: %s",
		    r.xl, strerror(-rc));
		free(x);
		return ex;
	}
	rc = ctl_cmd_xl_recv_run(x, &st);
	if (rc < 0) {
		if (rc == -ETIMEDOUT || rc == -EINTR)
			(void)ctl_output_fail(ctl, rc == -EINTR ?
			    "interrupted" : "timeout", "%s migrate-receive "
			    "stopped: %s", r.xl, rc == -EINTR ? "a signal" :
			    "--timeout passed");
		else if (rc != -EINVAL && rc != -ECANCELED)
			(void)ctl_output_fail(ctl, "io_error", "the migration "
			    "stream: %s", strerror(-rc));
		ctl_xl_kill(&x->child);
		st = ctl_cmd_xl_ex(rc);
	} else if (x->v.made)
		ctl_cmd_xl_received_text(ctl, x);
	if (ctl_cmd_xl_unreserve(ctl, &r, &x->v) != 0 && st == 0)
		st = CTL_EXIT_FAIL;
	free(x->head);
	free(x);
	return st;
}

/* ---- xl ------------------------------------------------------------------ */

static int
ctl_cmd_xl_run(struct ctl *ctl, const struct ctl_args *a)
{
	if (strcmp(a->pos[0], "create") == 0)
		return ctl_cmd_xl_create(ctl, a->npos - 1, a->pos + 1);
	if (strcmp(a->pos[0], "migrate-receive") == 0)
		return ctl_cmd_xl_receive(ctl, a->npos - 1, a->pos + 1);
	return ctl_output_usage(ctl, NULL, "xl takes create or "
	    "migrate-receive, not \"%.32s\"", a->pos[0]);
}

const struct ctl_cmd ctl_cmd_xl_xl = {
	"xl", ctl_cmd_xl_run, "-", 1, CTL_XL_ARGS_MAX,
	"create [OPTIONS] [XL-OPTIONS] CONFIG [KEY=VALUE...] | "
	"migrate-receive [OPTIONS] [XL-OPTIONS]",
	"start or receive an xl guest, memory reserved first",
	"xl create: run \"xl create -n\" (a dry run) to learn the guest's\n"
	"name and memory, reserve what libxl will need for it (its memory,\n"
	"shadow memory, 1 MiB for PV or 2 MiB for HVM and PVH, in 2 MiB),\n"
	"run \"xl create -p\", hand the reservation to the new domain (\"xl\n"
	"domid NAME\"), give it --range, delete the reservation (the domain\n"
	"holds the memory now) and unpause it (unless -p was given).  If\n"
	"anything fails, nothing stays reserved; xl's exit status is passed\n"
	"through.  xl is $XL, else xl from $PATH.  -c, -V, -F and -n are\n"
	"refused (xl would not return, or reserve nothing).\n"
	"\n"
	"xl migrate-receive: the receiving end of a migration, for\n"
	"  xl migrate -s \"\" GUEST \"ssh HOST squeezerctl xl "
	"migrate-receive\"\n"
	"it runs \"xl migrate-receive\", reads the guest's configuration at\n"
	"the head of the stream, reserves what it needs, lets the stream\n"
	"through, hands the reservation to the incoming domain and deletes\n"
	"it when xl is done.  Its stdout is the migration's channel: no -j.\n"
	"\n"
	"  --range MIN-MAX  create: the new guest's dynamic range (1G-4G)\n"
	"  --ttl T          the reservation lapses after T if squeezerctl\n"
	"                   dies (default 10m)\n"
	"  --timeout T      stop xl after T (create 10m, migrate-receive 1h)\n"
	"  --deadline T     give up the reserve after T\n"
	"  --session S      the reservation's session (default xl)\n"
	"  --               the arguments after it are xl's\n",
};
