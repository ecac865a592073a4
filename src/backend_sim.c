/*
 * backend_sim.c: a simulated Xen host behind the backend ops: the balloon
 * physics of sim.c, an in-memory xenstore, and a state file that outlives
 * the daemon the way the hypervisor and xenstored outlive a real one (so a
 * kill -9 and restart finds every domain and reservation where it was).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backend.h"
#include "backend_sim.h"
#include "conf.h"
#include "scenario.h"
#include "sim.h"
#include "xstore.h"

#define SIMB_STATE_VERSION	1
#define SIMB_MAX_STATE		(64u << 20)

extern const char sim_default_host[];	/* build/sim_default_host.c */

struct simb {
	struct sim_host	 h;
	struct xstore	*xs;
	int64_t		 total_kib;
	char		*state_file;
	bool		 dirty;		/* xenstore or domains changed */
	bool		 moved;		/* only balloons moved */
	uint64_t	 saved_ms;
};

#define SIMB_SAVE_MOVES_MS	1000	/* balloon progress: saved this often */

/* Strictly decimal KiB, or -1. */
static int64_t
simb_parse_kib(const char *s)
{
	int64_t	v;

	if (conf_parse_int(s, HOST_MAX_KIB, &v) < 0)
		return -1;
	return v;
}

static int
simb_dom_write(struct simb *sb, int32_t domid, const char *key,
    const char *value)
{
	char	path[128];

	snprintf(path, sizeof(path), "/local/domain/%" PRId32 "/%s", domid,
	    key);
	sb->dirty = true;
	return xstore_write(sb->xs, path, value);
}

static int
simb_dom_write_kib(struct simb *sb, int32_t domid, const char *key,
    int64_t kib)
{
	char	v[32];

	snprintf(v, sizeof(v), "%" PRId64, kib);
	return simb_dom_write(sb, domid, key, v);
}

/*
 * What the scenario says the toolstack and the guest agent report (as they
 * are at the start: a "used-kib-at" series does not play in the daemon).
 */
static int
simb_write_guest(struct simb *sb, const struct hv_domain *d)
{
	char	v[32];
	int64_t	total;
	int	rc = 0;

	if (d->weight > 0)
		rc |= simb_dom_write_kib(sb, d->domid, "memory/weight",
		    d->weight);
	if (d->has_mem_used) {
		total = d->actual_kib > d->mem_used_kib ? d->actual_kib :
		    d->mem_used_kib;
		rc |= simb_dom_write_kib(sb, d->domid, "data/meminfo_total",
		    total);
		rc |= simb_dom_write_kib(sb, d->domid, "data/meminfo_free",
		    total - d->mem_used_kib);
	}
	if (d->has_pressure) {
		snprintf(v, sizeof(v), "%d.%02d", d->pressure_avg10_x100 / 100,
		    d->pressure_avg10_x100 % 100);
		rc |= simb_dom_write(sb, d->domid, "data/memory-pressure", v);
	}
	return rc;
}

/* The keys a toolstack and a booted guest leave in xenstore. */
static int
simb_write_booted(struct simb *sb, const struct sim_dom *s, bool offset)
{
	const struct hv_domain	*d = &s->d;
	int			 rc = 0;

	rc |= simb_dom_write_kib(sb, d->domid, "domid", d->domid);
	rc |= simb_dom_write(sb, d->domid, "domain-type", "pv");
	rc |= simb_dom_write_kib(sb, d->domid, "memory/static-max",
	    d->dyn_max_kib);
	rc |= simb_dom_write_kib(sb, d->domid, "memory/dynamic-min",
	    d->dyn_min_kib);
	rc |= simb_dom_write_kib(sb, d->domid, "memory/dynamic-max",
	    d->dyn_max_kib);
	rc |= simb_dom_write_kib(sb, d->domid, "memory/target", d->target_kib);
	if (offset)
		rc |= simb_dom_write(sb, d->domid, "memory/memory-offset", "0");
	if (s->b.model != SIM_NONE)
		rc |= simb_dom_write(sb, d->domid, "control/feature-balloon",
		    "1");
	rc |= simb_dom_write(sb, d->domid, "data/updated", "1");
	rc |= simb_write_guest(sb, d);
	return rc < 0 ? -ENOMEM : 0;
}

/* Populate from a scenario's host (its domains are taken over). */
static int
simb_from_scenario(struct simb *sb, struct scenario *s, uint64_t now_ms)
{
	size_t	i;
	int	rc;

	sb->h = s->host;
	memset(&s->host, 0, sizeof(s->host));
	sb->h.now_ms = now_ms;
	sb->total_kib = sb->h.free_kib;
	for (i = 0; i < sb->h.ndoms; i++) {
		sb->h.doms[i].last_update_ms = now_ms;
		/* a use series plays only in simulate; the scenario owns it */
		sb->h.doms[i].used_at = NULL;
		sb->h.doms[i].nused_at = 0;
		sb->total_kib += sb->h.doms[i].d.actual_kib;
		if ((rc = simb_write_booted(sb, &sb->h.doms[i], true)) < 0)
			return rc;
	}
	return 0;
}

/* --- the state file --- */

static struct json_object *
simb_json_dom(const struct sim_dom *s)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "domid", json_object_new_int(s->d.domid));
	json_object_object_add(o, "tot-kib",
	    json_object_new_int64(s->d.actual_kib));
	json_object_object_add(o, "max-kib",
	    json_object_new_int64(s->d.maxmem_kib));
	json_object_object_add(o, "target-kib",
	    json_object_new_int64(s->d.target_kib));
	json_object_object_add(o, "inaccuracy-kib",
	    json_object_new_int64(s->d.inaccuracy_kib));
	json_object_object_add(o, "model", json_object_new_int(s->b.model));
	json_object_object_add(o, "rate-kib-s",
	    json_object_new_int64(s->b.rate_kib_s));
	json_object_object_add(o, "limit-kib",
	    json_object_new_int64(s->b.limit_kib));
	json_object_object_add(o, "period-s",
	    json_object_new_double(s->b.period_s));
	return o;
}

static struct json_object *
simb_json_state(const struct simb *sb)
{
	struct json_object	*root = json_object_new_object();
	struct json_object	*doms = json_object_new_array(), *st, *kv;
	const char		*p, *v;
	size_t			 i;

	json_object_object_add(root, "version",
	    json_object_new_int(SIMB_STATE_VERSION));
	json_object_object_add(root, "clock-ms",
	    json_object_new_int64((int64_t)sb->h.now_ms));
	json_object_object_add(root, "total-kib",
	    json_object_new_int64(sb->total_kib));
	json_object_object_add(root, "free-kib",
	    json_object_new_int64(sb->h.free_kib));
	for (i = 0; i < sb->h.ndoms; i++)
		json_object_array_add(doms, simb_json_dom(&sb->h.doms[i]));
	json_object_object_add(root, "domains", doms);
	st = json_object_new_array();
	for (i = 0; i < xstore_count(sb->xs); i++) {
		xstore_entry(sb->xs, i, &p, &v);
		kv = json_object_new_array();
		json_object_array_add(kv, json_object_new_string(p));
		json_object_array_add(kv, json_object_new_string(v));
		json_object_array_add(st, kv);
	}
	json_object_object_add(root, "xenstore", st);
	return root;
}

/* Write the state file atomically (temporary file, then rename). */
static int
simb_save(struct simb *sb)
{
	struct json_object	*root;
	const char		*text;
	char			 tmp[4096];
	FILE			*f;
	int			 rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", sb->state_file) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	root = simb_json_state(sb);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	if ((f = fopen(tmp, "we")) == NULL) {
		rc = -errno;
		goto out;
	}
	if (fputs(text, f) == EOF || fputc('\n', f) == EOF) {
		rc = -EIO;
		(void)fclose(f);
		goto out;
	}
	if (fclose(f) == EOF || rename(tmp, sb->state_file) == -1) {
		rc = -errno;
		goto out;
	}
	sb->dirty = sb->moved = false;
	sb->saved_ms = sb->h.now_ms;
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

static int64_t
simb_get_int(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* One domain of the state file. */
static int
simb_load_dom(struct json_object *o, uint64_t clock_ms, struct sim_dom *ret)
{
	struct sim_dom		 s;
	struct json_object	*v;
	int64_t			 model;

	memset(&s, 0, sizeof(s));
	s.d.domid = (int32_t)simb_get_int(o, "domid");
	s.d.actual_kib = simb_get_int(o, "tot-kib");
	s.d.maxmem_kib = simb_get_int(o, "max-kib");
	s.d.target_kib = simb_get_int(o, "target-kib");
	s.d.inaccuracy_kib = simb_get_int(o, "inaccuracy-kib");
	model = simb_get_int(o, "model");
	s.b.rate_kib_s = simb_get_int(o, "rate-kib-s");
	s.b.limit_kib = simb_get_int(o, "limit-kib");
	if (!json_object_object_get_ex(o, "period-s", &v))
		return -EINVAL;
	s.b.period_s = json_object_get_double(v);
	if (s.d.domid < 0 || s.d.domid > HOST_MAX_DOMID || s.d.actual_kib < 0 ||
	    s.d.maxmem_kib < 0 || s.d.inaccuracy_kib < 0 || model < 0 ||
	    model > SIM_TRICKLE || s.b.rate_kib_s < 0 || s.b.period_s < 0)
		return -EINVAL;
	s.b.model = (enum sim_model)model;
	s.d.can_balloon = s.b.model != SIM_NONE;
	s.last_update_ms = clock_ms;
	*ret = s;
	return 0;
}

static int
simb_load_store(struct simb *sb, struct json_object *st)
{
	struct json_object	*kv, *p, *v;
	size_t			 i;
	int			 rc;

	for (i = 0; i < json_object_array_length(st); i++) {
		kv = json_object_array_get_idx(st, i);
		if (!json_object_is_type(kv, json_type_array) ||
		    json_object_array_length(kv) != 2)
			return -EINVAL;
		p = json_object_array_get_idx(kv, 0);
		v = json_object_array_get_idx(kv, 1);
		if (!json_object_is_type(p, json_type_string) ||
		    !json_object_is_type(v, json_type_string))
			return -EINVAL;
		rc = xstore_write(sb->xs, json_object_get_string(p),
		    json_object_get_string(v));
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Resume from a state file written by an earlier run. */
static int
simb_load(struct simb *sb, struct json_object *root)
{
	struct json_object	*doms, *st;
	struct sim_dom		*sd = NULL;
	int64_t			 clock_ms;
	size_t			 i, n;
	int			 rc;

	clock_ms = simb_get_int(root, "clock-ms");
	sb->total_kib = simb_get_int(root, "total-kib");
	if (simb_get_int(root, "version") != SIMB_STATE_VERSION ||
	    clock_ms < 0 || sb->total_kib < 0 ||
	    !json_object_object_get_ex(root, "domains", &doms) ||
	    !json_object_is_type(doms, json_type_array) ||
	    !json_object_object_get_ex(root, "xenstore", &st) ||
	    !json_object_is_type(st, json_type_array))
		return -EINVAL;
	n = json_object_array_length(doms);
	if ((sd = calloc(n + 1, sizeof(*sd))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if ((rc = simb_load_dom(json_object_array_get_idx(doms, i),
		    (uint64_t)clock_ms, &sd[i])) < 0)
			goto out;
	if ((rc = sim_host_init(&sb->h, sd, n, simb_get_int(root,
	    "free-kib"))) < 0)
		goto out;
	sd = NULL;
	sb->h.now_ms = (uint64_t)clock_ms;
	rc = simb_load_store(sb, st);
out:
	free(sd);
	return rc;
}

/* Load the state file if there is one: 1 when loaded, 0 when absent. */
static int
simb_load_file(struct simb *sb, char *err, size_t errlen)
{
	struct json_object	*root;
	int			 rc;

	if (access(sb->state_file, F_OK) == -1)
		return errno == ENOENT ? 0 : -errno;
	if ((root = json_object_from_file(sb->state_file)) == NULL) {
		snprintf(err, errlen, "%s: not a simulator state file: %s",
		    sb->state_file, json_util_get_last_err());
		return -EINVAL;
	}
	rc = simb_load(sb, root);
	json_object_put(root);
	if (rc < 0) {
		snprintf(err, errlen, "%s: bad simulator state: %s",
		    sb->state_file, strerror(-rc));
		return rc;
	}
	return 1;
}

static void
simb_close(void *ctx)
{
	struct simb	*sb = ctx;

	if (sb == NULL)
		return;
	sim_host_dispose(&sb->h);
	xstore_free(sb->xs);
	free(sb->state_file);
	free(sb);
}

static int
simb_host(const struct backend_args *a, struct scenario *s, char *err,
    size_t errlen)
{
	if (a->host_file != NULL)
		return scenario_load_over(a->host_file, a->conf, s, err,
		    errlen);
	return scenario_parse_over("(built-in host)", sim_default_host,
	    strlen(sim_default_host), a->conf, s, err, errlen);
}

int
backend_sim_host_conf(const char *host_file, struct conf *c, char *err,
    size_t errlen)
{
	struct backend_args	a = { .host_file = host_file, .conf = c };
	struct scenario		s;
	int			rc;

	if ((rc = simb_host(&a, &s, err, errlen)) < 0)
		return rc;
	*c = s.conf;
	scenario_dispose(&s);
	return 0;
}

/* The state file: as given, or beside the control socket. */
static char *
simb_state_path(const struct backend_args *a)
{
	char	*p;
	size_t	 n;

	if (a->state_file != NULL)
		return strdup(a->state_file);
	if (a->socket_path == NULL)
		return NULL;
	n = strlen(a->socket_path) + sizeof(".sim");
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s.sim", a->socket_path);
	return p;
}

static int
simb_open(const struct backend_args *a, void **ret_ctx, char *err,
    size_t errlen)
{
	struct simb	*sb;
	struct scenario	 s;
	int		 rc;

	memset(&s, 0, sizeof(s));
	if ((sb = calloc(1, sizeof(*sb))) == NULL ||
	    (sb->xs = xstore_new()) == NULL ||
	    (sb->state_file = simb_state_path(a)) == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((rc = simb_host(a, &s, err, errlen)) < 0)
		goto out;
	*a->conf = s.conf;
	if ((rc = simb_load_file(sb, err, errlen)) < 0)
		goto out;
	if (rc == 0 && (rc = simb_from_scenario(sb, &s, a->now_ms)) < 0) {
		snprintf(err, errlen, "cannot build the simulated host: %s",
		    strerror(-rc));
		goto out;
	}
	if ((rc = simb_save(sb)) < 0) {
		snprintf(err, errlen, "%s: %s", sb->state_file, strerror(-rc));
		goto out;
	}
	*ret_ctx = sb;
	sb = NULL;
	rc = 0;
out:
	scenario_dispose(&s);
	simb_close(sb);
	return rc;
}

static int
simb_physinfo(void *ctx, struct backend_physinfo *ret)
{
	struct simb	*sb = ctx;

	ret->total_kib = sb->total_kib;
	ret->free_kib = sb->h.free_kib;
	ret->scrub_kib = 0;
	ret->claimed_kib = 0;
	return 0;
}

static int
simb_domains(void *ctx, struct backend_dominfo **ret, size_t *ret_n)
{
	struct simb		*sb = ctx;
	struct backend_dominfo	*v;
	const struct sim_dom	*s;
	size_t			 i;

	if ((v = calloc(sb->h.ndoms + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < sb->h.ndoms; i++) {
		s = &sb->h.doms[sb->h.by_domid[i]];
		v[i] = (struct backend_dominfo){ .domid = s->d.domid,
		    .tot_kib = s->d.actual_kib, .max_kib = s->d.maxmem_kib };
	}
	*ret = v;
	*ret_n = sb->h.ndoms;
	return 0;
}

static int
simb_set_maxmem(void *ctx, int32_t domid, int64_t kib)
{
	struct simb	*sb = ctx;
	struct sim_dom	*s = sim_find(&sb->h, domid);

	if (s == NULL)
		return -ESRCH;
	if (kib < 0 || kib > HOST_MAX_KIB)
		return -EINVAL;
	s->d.maxmem_kib = kib;
	sb->dirty = true;
	return 0;
}

static int
simb_read(void *ctx, const char *path, char **ret)
{
	struct simb	*sb = ctx;

	return xstore_read(sb->xs, path, ret);
}

static int
simb_write(void *ctx, const char *path, const char *value)
{
	struct simb	*sb = ctx;

	sb->dirty = true;
	return xstore_write(sb->xs, path, value);
}

static int
simb_rm(void *ctx, const char *path)
{
	struct simb	*sb = ctx;

	sb->dirty = true;
	return xstore_rm(sb->xs, path);
}

static int
simb_directory(void *ctx, const char *path, char ***ret, size_t *ret_n)
{
	struct simb	*sb = ctx;

	return xstore_directory(sb->xs, path, ret, ret_n);
}

/* What the guest's balloon driver reads: its memory/target. */
static void
simb_read_target(struct simb *sb, struct sim_dom *s)
{
	char	path[64], *v;
	int64_t	kib;

	snprintf(path, sizeof(path), "/local/domain/%" PRId32
	    "/memory/target", s->d.domid);
	if (xstore_read(sb->xs, path, &v) < 0)
		return;
	if ((kib = simb_parse_kib(v)) >= 0)
		s->d.target_kib = kib;	/* garbage: the driver ignores it */
	free(v);
}

static int
simb_tick(void *ctx, uint64_t now_ms)
{
	struct simb	*sb = ctx;
	int64_t		 before = sb->h.free_kib;
	size_t		 i;

	if (now_ms <= sb->h.now_ms)
		return 0;
	for (i = 0; i < sb->h.ndoms; i++)
		simb_read_target(sb, &sb->h.doms[i]);
	(void)sim_advance(&sb->h, now_ms, false, NULL, 0);
	if (sb->h.free_kib != before)
		sb->moved = true;
	return 0;
}

static int
simb_sync(void *ctx)
{
	struct simb	*sb = ctx;

	if (sb->dirty || (sb->moved &&
	    sb->h.now_ms - sb->saved_ms >= SIMB_SAVE_MOVES_MS))
		return simb_save(sb);
	return 0;
}

const struct backend_ops backend_sim_ops = {
	.name		= "sim",
	.flags		= BACKEND_DOM0_GUEST | BACKEND_TOOLSTACK,
	.host_conf	= backend_sim_host_conf,
	.open		= simb_open,
	.close		= simb_close,
	.physinfo	= simb_physinfo,
	.domains	= simb_domains,
	.set_maxmem	= simb_set_maxmem,
	.read		= simb_read,
	.write		= simb_write,
	.rm		= simb_rm,
	.directory	= simb_directory,
	.tick		= simb_tick,
	.sync		= simb_sync,
};

/* --- the toolstack's part (sim.* RPC methods) --- */

int
backend_sim_create(void *ctx, int32_t domid, int32_t *ret_domid)
{
	struct simb	*sb = ctx;
	struct sim_dom	 s;
	int		 rc;

	if (domid < 0)
		for (domid = 1; domid <= HOST_MAX_DOMID &&
		    sim_find(&sb->h, domid) != NULL; domid++)
			;
	if (domid > HOST_MAX_DOMID)
		return -ENOSPC;
	memset(&s, 0, sizeof(s));
	s.d.domid = domid;
	s.d.inaccuracy_kib = HOST_DEFAULT_INACCURACY_KIB;
	s.b.model = SIM_STUCK;		/* nothing runs before the build */
	s.b.rate_kib_s = SIM_DEFAULT_RATE_KIB_S;
	s.b.period_s = 1.0;
	s.last_update_ms = sb->h.now_ms;
	if ((rc = sim_host_add(&sb->h, &s)) < 0)
		return rc;
	if ((rc = simb_dom_write_kib(sb, domid, "domid", domid)) < 0)
		return rc;
	*ret_domid = domid;
	return 0;
}

int
backend_sim_build(void *ctx, int32_t domid, int64_t target_kib,
    int64_t dyn_min_kib, int64_t dyn_max_kib, const struct sim_balloon *b)
{
	struct simb	*sb = ctx;
	struct sim_dom	*s = sim_find(&sb->h, domid);

	if (s == NULL)
		return -ESRCH;
	if (s->d.actual_kib != 0)
		return -EEXIST;		/* built already */
	if (target_kib > sb->h.free_kib)
		return -ENOMEM;
	s->d.actual_kib = s->d.target_kib = target_kib;
	if (s->d.maxmem_kib < target_kib)
		s->d.maxmem_kib = target_kib;
	s->d.dyn_min_kib = dyn_min_kib;
	s->d.dyn_max_kib = dyn_max_kib;
	s->d.can_balloon = b->model != SIM_NONE;
	s->b = *b;
	s->last_update_ms = sb->h.now_ms;
	sb->h.free_kib -= target_kib;
	return simb_write_booted(sb, s, false);
}

int
backend_sim_destroy(void *ctx, int32_t domid, int64_t *ret_freed_kib)
{
	struct simb	*sb = ctx;
	struct sim_dom	*s = sim_find(&sb->h, domid);
	char		 path[64];
	int64_t		 freed;
	int		 rc;

	if (s == NULL)
		return -ESRCH;
	freed = s->d.actual_kib;
	if ((rc = sim_host_remove(&sb->h, domid)) < 0)
		return rc;
	sb->h.free_kib += freed;
	snprintf(path, sizeof(path), "/local/domain/%" PRId32, domid);
	(void)xstore_rm(sb->xs, path);
	sb->dirty = true;
	*ret_freed_kib = freed;
	return 0;
}
