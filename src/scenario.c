/*
 * scenario.c: the scenario parser.  json-c parses; a small scanner maps a
 * field's path (e.g. "domains[2].balloon.model") back to its line, so every
 * error names the field and the line, and nothing runs on a bad file.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scenario.h"

#define SCEN_PATH_MAX	128
#define SCEN_MAX_WAIT_S	(30.0 * 86400)

struct scen_ctx {
	const char	*name;		/* file name for messages */
	const char	*text;
	size_t		 len;
	char		*err;
	size_t		 errlen;
	struct scenario	*s;		/* being built: owns series, starts */
};

struct scen_key {
	const char	*name;
	json_type	 type;		/* json_type_null: any scalar */
};

static const char *const scen_op_names[] = {
	[SCEN_FREE]		= "free",
	[SCEN_RESERVE]		= "reserve",
	[SCEN_RESERVE_RANGE]	= "reserve-range",
	[SCEN_BALANCE]		= "balance",
	[SCEN_CONSUME]		= "consume",
	[SCEN_WAIT]		= "wait",
	[SCEN_PLAN]		= "plan",
	[SCEN_MIGRATION_RESERVE] = "migration-reserve",
	[SCEN_MIGRATION_PREPARE] = "migration-prepare",
	[SCEN_MIGRATION_END]	= "migration-end",
	[SCEN_START]		= "start",
	[SCEN_STOP]		= "stop",
	[SCEN_RUN]		= "run",
};
#define SCEN_NOPS	(sizeof(scen_op_names) / sizeof(scen_op_names[0]))

const char *
scen_op_name(enum scen_op op)
{
	return (size_t)op < SCEN_NOPS ? scen_op_names[op] : "unknown";
}

/* --- path -> line locator (runs only on valid JSON, only on errors) --- */

struct scen_loc {
	const char	*p, *end;
	unsigned int	 line;
};

static void
scen_loc_ws(struct scen_loc *l)
{
	for (; l->p < l->end && isspace((unsigned char)*l->p); l->p++)
		if (*l->p == '\n')
			l->line++;
}

static void
scen_loc_string(struct scen_loc *l)
{
	for (l->p++; l->p < l->end && *l->p != '"'; l->p++)
		if (*l->p == '\\' && l->p + 1 < l->end)
			l->p++;
	if (l->p < l->end)
		l->p++;
}

static void
scen_loc_skip(struct scen_loc *l)
{
	int	level = 0;

	scen_loc_ws(l);
	if (l->p >= l->end)
		return;
	if (*l->p == '"') {
		scen_loc_string(l);
		return;
	}
	if (*l->p != '{' && *l->p != '[') {
		while (l->p < l->end && !strchr(",}] \t\r\n", *l->p))
			l->p++;
		return;
	}
	for (; l->p < l->end; l->p++) {
		if (*l->p == '"') {
			scen_loc_string(l);
			l->p--;
		} else if (*l->p == '\n')
			l->line++;
		else if (*l->p == '{' || *l->p == '[')
			level++;
		else if (*l->p == '}' || *l->p == ']') {
			if (--level == 0) {
				l->p++;
				return;
			}
		}
	}
}

/* Find the next path component in an object (key) or array (index). */
static bool
scen_loc_enter(struct scen_loc *l, const char *comp, size_t clen, long idx)
{
	const char	*k;
	long		 i = 0;

	scen_loc_ws(l);
	if (l->p >= l->end || (*l->p != '{' && *l->p != '['))
		return false;
	if ((*l->p == '{') != (idx < 0))
		return false;
	for (l->p++;;) {
		scen_loc_ws(l);
		if (l->p >= l->end || *l->p == '}' || *l->p == ']')
			return false;
		if (idx < 0) {
			k = l->p + 1;
			scen_loc_string(l);
			scen_loc_ws(l);
			l->p++;		/* ':' */
			if ((size_t)(l->p - 2 - k) >= clen &&
			    strncmp(k, comp, clen) == 0 && k[clen] == '"')
				return true;
		} else if (i++ == idx)
			return true;
		scen_loc_skip(l);
		scen_loc_ws(l);
		if (l->p < l->end && *l->p == ',')
			l->p++;
	}
}

/* The line of the value at path, or of the deepest part of it found. */
static unsigned int
scen_loc_line(const struct scen_ctx *c, const char *path)
{
	struct scen_loc	 l = { c->text, c->text + c->len, 1 };
	struct scen_loc	 best;
	const char	*p = path, *q;
	size_t		 n;
	long		 idx;

	scen_loc_ws(&l);
	best = l;
	while (*p != '\0') {
		if (*p == '.')
			p++;
		if (*p == '[') {
			idx = strtol(p + 1, NULL, 10);
			if ((q = strchr(p, ']')) == NULL)
				break;	/* a key with a '[' of its own */
			p = q + 1;
			if (!scen_loc_enter(&l, NULL, 0, idx))
				break;
		} else {
			n = strcspn(p, ".[");
			if (!scen_loc_enter(&l, p, n, -1))
				break;
			p += n;
		}
		scen_loc_ws(&l);
		best = l;
	}
	return best.line;
}

/* Report "name:line: path: message" once; always returns -EINVAL. */
static int
scen_fail(const struct scen_ctx *c, const char *path, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u: %s%s%s", c->name,
	    scen_loc_line(c, path), path, *path != '\0' ? ": " : "", msg);
	return -EINVAL;
}

/* --- typed field access --- */

/* path.key into buf; a path too long for buf is cut (messages only). */
static const char *
scen_join(char *buf, size_t len, const char *path, const char *key)
{
	int	n = snprintf(buf, len, "%s%s%s", path, *path ? "." : "", key);

	if (n < 0)
		buf[0] = '\0';
	return buf;
}

static const char *
scen_type_name(json_type t)
{
	switch (t) {
	case json_type_null:	return "null";
	case json_type_boolean:	return "a boolean";
	case json_type_double:	return "a number";
	case json_type_int:	return "an integer";
	case json_type_object:	return "an object";
	case json_type_array:	return "an array";
	case json_type_string:	return "a string";
	}
	return "unknown";
}

/* Reject keys of obj not in keys[]. */
static int
scen_check_keys(const struct scen_ctx *c, const char *path,
    struct json_object *obj, const char *const *keys)
{
	char	sub[SCEN_PATH_MAX + 64];
	size_t	i;

	json_object_object_foreach(obj, k, v) {
		(void)v;
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			scen_join(sub, sizeof(sub), path, k);
			return scen_fail(c, sub, "unknown field");
		}
	}
	return 0;
}

/* An integer field in [min, max]; absent: *ret = def, or an error if req. */
static int
scen_int(const struct scen_ctx *c, const char *path, struct json_object *obj,
    const char *key, bool req, int64_t def, int64_t min, int64_t max,
    int64_t *ret)
{
	struct json_object	*v;
	char			 sub[SCEN_PATH_MAX + 64];
	int64_t			 x;

	scen_join(sub, sizeof(sub), path, key);
	if (!json_object_object_get_ex(obj, key, &v)) {
		if (req)
			return scen_fail(c, path, "missing field \"%s\"", key);
		*ret = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return scen_fail(c, sub, "must be an integer, not %s",
		    scen_type_name(json_object_get_type(v)));
	errno = 0;
	x = json_object_get_int64(v);
	if (errno == ERANGE || x < min || x > max)
		return scen_fail(c, sub, "%s is out of range [%" PRId64 ", %"
		    PRId64 "]", json_object_get_string(v), min, max);
	*ret = x;
	return 0;
}

/* A positive number of seconds, up to max. */
static int
scen_secs(const struct scen_ctx *c, const char *path, struct json_object *obj,
    const char *key, bool req, double max, double *ret)
{
	struct json_object	*v;
	char			 sub[SCEN_PATH_MAX + 64];
	double			 x;

	scen_join(sub, sizeof(sub), path, key);
	if (!json_object_object_get_ex(obj, key, &v)) {
		if (req)
			return scen_fail(c, path, "missing field \"%s\"", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return scen_fail(c, sub, "must be a number of seconds, not %s",
		    scen_type_name(json_object_get_type(v)));
	x = json_object_get_double(v);
	if (!isfinite(x) || x <= 0.0 || x > max)
		return scen_fail(c, sub, "must be more than 0 and at most %.0f "
		    "seconds", max);
	*ret = x;
	return 0;
}

/* A boolean field. */
static int
scen_bool(const struct scen_ctx *c, const char *path, struct json_object *obj,
    const char *key, bool def, bool *ret, bool *ret_given)
{
	struct json_object	*v;
	char			 sub[SCEN_PATH_MAX + 64];

	scen_join(sub, sizeof(sub), path, key);
	*ret_given = json_object_object_get_ex(obj, key, &v);
	if (!*ret_given) {
		*ret = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_boolean))
		return scen_fail(c, sub, "must be true or false, not %s",
		    scen_type_name(json_object_get_type(v)));
	*ret = json_object_get_boolean(v);
	return 0;
}

/* A member that must be an object or array of the given type, or absent. */
static int
scen_member(const struct scen_ctx *c, const char *path,
    struct json_object *obj, const char *key, json_type type,
    struct json_object **ret)
{
	char	sub[SCEN_PATH_MAX + 64];

	*ret = NULL;
	if (!json_object_object_get_ex(obj, key, ret))
		return 0;
	scen_join(sub, sizeof(sub), path, key);
	if (!json_object_is_type(*ret, type))
		return scen_fail(c, sub, "must be %s, not %s",
		    scen_type_name(type),
		    scen_type_name(json_object_get_type(*ret)));
	return 0;
}

/* --- sections --- */

/* "config": the keys of squeezerd.conf, values as strings, numbers, bools. */
static int
scen_config(const struct scen_ctx *c, struct json_object *obj,
    struct conf *conf)
{
	char	path[SCEN_PATH_MAX], val[64], msg[256];

	json_object_object_foreach(obj, k, v) {
		scen_join(path, sizeof(path), "config", k);
		switch (json_object_get_type(v)) {
		case json_type_string:
			snprintf(val, sizeof(val), "%s",
			    json_object_get_string(v));
			break;
		case json_type_int:
			snprintf(val, sizeof(val), "%" PRId64,
			    json_object_get_int64(v));
			break;
		case json_type_double:
			snprintf(val, sizeof(val), "%.6f",
			    json_object_get_double(v));
			break;
		case json_type_boolean:
			snprintf(val, sizeof(val), "%s",
			    json_object_get_boolean(v) ? "yes" : "no");
			break;
		default:
			return scen_fail(c, path, "must be a string, number or "
			    "boolean, not %s",
			    scen_type_name(json_object_get_type(v)));
		}
		if (conf_set(conf, k, val, msg, sizeof(msg)) < 0)
			return scen_fail(c, path, "%s", msg);
	}
	return 0;
}

static const char *const scen_balloon_keys[] = {
	"model", "rate-kib-s", "limit-kib", "period-s", NULL
};

/* A domain's "balloon" object. */
static int
scen_balloon(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct sim_balloon *b)
{
	struct json_object	*v;
	char			 sub[SCEN_PATH_MAX + 64];
	int			 rc;

	b->model = SIM_NORMAL;
	b->rate_kib_s = SIM_DEFAULT_RATE_KIB_S;
	if (obj == NULL)
		return 0;
	if ((rc = scen_check_keys(c, path, obj, scen_balloon_keys)) < 0)
		return rc;
	if (json_object_object_get_ex(obj, "model", &v)) {
		scen_join(sub, sizeof(sub), path, "model");
		if (!json_object_is_type(v, json_type_string) ||
		    sim_model_parse(json_object_get_string(v), &b->model) < 0)
			return scen_fail(c, sub, "unknown balloon model (expected "
			    "normal, floor, ceiling, stuck, intermittent, "
			    "trickle or none)");
	}
	if ((rc = scen_int(c, path, obj, "rate-kib-s", false,
	    SIM_DEFAULT_RATE_KIB_S, 1, HOST_MAX_KIB, &b->rate_kib_s)) < 0)
		return rc;
	if ((rc = scen_int(c, path, obj, "limit-kib", b->model == SIM_FLOOR ||
	    b->model == SIM_CEILING, 0, 0, HOST_MAX_KIB, &b->limit_kib)) < 0)
		return rc;
	return scen_secs(c, path, obj, "period-s",
	    b->model == SIM_INTERMITTENT || b->model == SIM_TRICKLE,
	    SCEN_MAX_WAIT_S, &b->period_s);
}

static const char *const scen_memory_keys[] = {
	"used-kib", "pressure", "used-kib-at", NULL
};

/* "memory.pressure": what the guest reports as PSI some avg10, 0..100. */
static int
scen_pressure(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct hv_domain *d)
{
	struct json_object	*v;
	char			 sub[SCEN_PATH_MAX + 64];
	double			 x;

	if (!json_object_object_get_ex(obj, "pressure", &v))
		return 0;
	scen_join(sub, sizeof(sub), path, "pressure");
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return scen_fail(c, sub, "must be a number, not %s",
		    scen_type_name(json_object_get_type(v)));
	x = json_object_get_double(v);
	if (!isfinite(x) || x < 0.0 || x > 100.0)
		return scen_fail(c, sub, "must be from 0 to 100 (PSI avg10)");
	d->has_pressure = true;
	d->pressure_avg10_x100 = (int32_t)llround(x * 100.0);
	return 0;
}

/* One point [seconds, kib] of "memory.used-kib-at". */
static int
scen_used_point(const struct scen_ctx *c, const char *path,
    struct json_object *pt, struct sim_used_point *ret)
{
	struct json_object	*t, *k;
	double			 secs;
	int64_t			 kib;

	if (!json_object_is_type(pt, json_type_array) ||
	    json_object_array_length(pt) != 2)
		return scen_fail(c, path, "must be [seconds, kib]");
	t = json_object_array_get_idx(pt, 0);
	k = json_object_array_get_idx(pt, 1);
	if ((!json_object_is_type(t, json_type_int) &&
	    !json_object_is_type(t, json_type_double)) ||
	    !json_object_is_type(k, json_type_int))
		return scen_fail(c, path, "must be [seconds, kib]");
	secs = json_object_get_double(t);
	errno = 0;
	kib = json_object_get_int64(k);
	if (!isfinite(secs) || secs < 0.0 || secs > SCEN_MAX_WAIT_S ||
	    errno == ERANGE || kib < 0 || kib > HOST_MAX_KIB)
		return scen_fail(c, path, "must be [seconds, kib] with seconds "
		    "from 0 to %.0f and kib from 0 to %" PRId64,
		    SCEN_MAX_WAIT_S, HOST_MAX_KIB);
	ret->t_ms = (uint64_t)llround(secs * 1000.0);
	ret->used_kib = kib;
	return 0;
}

/* A new series of n points, owned by the scenario being built. */
static struct sim_used_point *
scen_new_series(const struct scen_ctx *c, size_t n)
{
	struct scenario		  *s = c->s;
	struct sim_used_point	 **v, *pts;

	if ((pts = calloc(n + 1, sizeof(*pts))) == NULL)
		return NULL;
	if ((v = realloc(s->series, (s->nseries + 1) * sizeof(*v))) == NULL) {
		free(pts);
		return NULL;
	}
	s->series = v;
	s->series[s->nseries++] = pts;
	return pts;
}

/* "memory.used-kib-at": [[seconds, kib], ...], times increasing. */
static int
scen_used_at(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct sim_dom *s)
{
	struct json_object	*arr;
	struct sim_used_point	*pts;
	char			 sub[SCEN_PATH_MAX + 112];	/* path[i] */
	size_t			 i, n;
	int			 rc;

	if ((rc = scen_member(c, path, obj, "used-kib-at", json_type_array,
	    &arr)) < 0 || arr == NULL)
		return rc;
	n = json_object_array_length(arr);
	if (n > SIM_USED_POINTS) {
		scen_join(sub, sizeof(sub), path, "used-kib-at");
		return scen_fail(c, sub, "more than %d points",
		    SIM_USED_POINTS);
	}
	if ((pts = scen_new_series(c, n)) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s.used-kib-at[%zu]", path, i);
		if ((rc = scen_used_point(c, sub,
		    json_object_array_get_idx(arr, i), &pts[i])) < 0)
			return rc;
		if (i > 0 && pts[i].t_ms <= pts[i - 1].t_ms)
			return scen_fail(c, sub, "times must increase");
	}
	s->used_at = pts;
	s->nused_at = n;
	s->used_next = 0;
	if (n > 0 && pts[0].t_ms == 0) {	/* the start, for all */
		s->d.has_mem_used = true;
		s->d.mem_used_kib = pts[0].used_kib;
	}
	return 0;
}

/* A domain's "weight" and "memory": what its toolstack and guest say. */
static int
scen_guest(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct sim_dom *s)
{
	struct json_object	*m;
	char			 sub[SCEN_PATH_MAX + 64];
	int64_t			 x;
	int			 rc;

	if ((rc = scen_int(c, path, obj, "weight", false, 0, 1,
	    HOST_WEIGHT_MAX, &x)) < 0)
		return rc;
	s->d.weight = (int32_t)x;
	if ((rc = scen_member(c, path, obj, "memory", json_type_object,
	    &m)) < 0 || m == NULL)
		return rc;
	scen_join(sub, sizeof(sub), path, "memory");
	if ((rc = scen_check_keys(c, sub, m, scen_memory_keys)) < 0 ||
	    (rc = scen_int(c, sub, m, "used-kib", false, -1, 0, HOST_MAX_KIB,
	    &x)) < 0 || (rc = scen_pressure(c, sub, m, &s->d)) < 0)
		return rc;
	if (x >= 0) {
		s->d.has_mem_used = true;
		s->d.mem_used_kib = x;
	}
	return scen_used_at(c, sub, m, s);
}

static const char *const scen_domain_keys[] = {
	"domid", "dynamic-min-kib", "dynamic-max-kib", "target-kib",
	"actual-kib", "maxmem-kib", "inaccuracy-kib", "can-balloon", "balloon",
	"weight", "memory", NULL
};

/* A start step's domain: its memory is what the reservation obtains. */
static const char *const scen_start_keys[] = {
	"domid", "dynamic-min-kib", "dynamic-max-kib", "inaccuracy-kib",
	"can-balloon", "balloon", "weight", "memory", NULL
};

/* One element of "domains", or a start step's domain (started). */
static int
scen_domain(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct sim_dom *s, bool started)
{
	struct hv_domain	*d = &s->d;
	struct json_object	*b;
	int64_t			 domid;
	bool			 given;
	int			 rc;

	if (!json_object_is_type(obj, json_type_object))
		return scen_fail(c, path, "a domain must be an object");
	if ((rc = scen_check_keys(c, path, obj, started ? scen_start_keys :
	    scen_domain_keys)) < 0 ||
	    (rc = scen_int(c, path, obj, "domid", true, 0, 0, HOST_MAX_DOMID,
	    &domid)) < 0 ||
	    (rc = scen_int(c, path, obj, "dynamic-min-kib", true, 0, 0,
	    HOST_MAX_KIB, &d->dyn_min_kib)) < 0 ||
	    (rc = scen_int(c, path, obj, "dynamic-max-kib", true, 0, 0,
	    HOST_MAX_KIB, &d->dyn_max_kib)) < 0 ||
	    (rc = scen_int(c, path, obj, "target-kib", !started, 0, 0,
	    HOST_MAX_KIB, &d->target_kib)) < 0 ||
	    (rc = scen_int(c, path, obj, "actual-kib", false, d->target_kib, 0,
	    HOST_MAX_KIB, &d->actual_kib)) < 0 ||
	    (rc = scen_int(c, path, obj, "maxmem-kib", false, d->target_kib, 0,
	    HOST_MAX_KIB, &d->maxmem_kib)) < 0 ||
	    (rc = scen_int(c, path, obj, "inaccuracy-kib", false,
	    HOST_DEFAULT_INACCURACY_KIB, 0, 1 << 20, &d->inaccuracy_kib)) < 0 ||
	    (rc = scen_bool(c, path, obj, "can-balloon", true, &d->can_balloon,
	    &given)) < 0)
		return rc;
	d->domid = (int32_t)domid;
	if (d->dyn_min_kib > d->dyn_max_kib)
		return scen_fail(c, path, "dynamic-min-kib %" PRId64 " is above "
		    "dynamic-max-kib %" PRId64, d->dyn_min_kib, d->dyn_max_kib);
	if ((rc = scen_member(c, path, obj, "balloon", json_type_object,
	    &b)) < 0)
		return rc;
	{
		char	sub[SCEN_PATH_MAX + 64];

		scen_join(sub, sizeof(sub), path, "balloon");
		if ((rc = scen_balloon(c, sub, b, &s->b)) < 0)
			return rc;
	}
	if (s->b.model == SIM_NONE) {
		if (given && d->can_balloon)
			return scen_fail(c, path, "can-balloon is true but the "
			    "balloon model is \"none\"");
		d->can_balloon = false;
	}
	return scen_guest(c, path, obj, s);
}

/* "domains": the simulated guests, in update order. */
static int
scen_domains(const struct scen_ctx *c, struct json_object *arr,
    struct sim_dom **ret, size_t *ret_n)
{
	struct sim_dom	*doms;
	uint8_t		 seen[(HOST_MAX_DOMID + 8) / 8] = { 0 };
	char		 path[SCEN_PATH_MAX];
	size_t		 i, n = arr != NULL ? json_object_array_length(arr) : 0;
	int32_t		 id;
	int		 rc;

	if (n > (size_t)HOST_MAX_DOMID + 1)
		return scen_fail(c, "domains", "more than %d domains",
		    HOST_MAX_DOMID + 1);
	if ((doms = calloc(n + 1, sizeof(*doms))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "domains[%zu]", i);
		if ((rc = scen_domain(c, path,
		    json_object_array_get_idx(arr, i), &doms[i], false)) < 0) {
			free(doms);
			return rc;
		}
		id = doms[i].d.domid;
		if (seen[id / 8] & (1u << (id % 8))) {
			free(doms);
			snprintf(path, sizeof(path), "domains[%zu].domid", i);
			return scen_fail(c, path, "domid %d appears twice",
			    (int)id);
		}
		seen[id / 8] |= (uint8_t)(1u << (id % 8));
	}
	*ret = doms;
	*ret_n = n;
	return 0;
}

/* Which fields each op takes (after "op"). */
static const char *const scen_step_keys[][6] = {
	[SCEN_FREE]		= { "op", "kib", "until", NULL },
	[SCEN_RESERVE]		= { "op", "kib", "deadline-s", NULL },
	[SCEN_RESERVE_RANGE]	= { "op", "min-kib", "max-kib", "deadline-s",
				    NULL },
	[SCEN_BALANCE]		= { "op", NULL },
	[SCEN_CONSUME]		= { "op", "kib", NULL },
	[SCEN_WAIT]		= { "op", "s", NULL },
	[SCEN_PLAN]		= { "op", "kib", NULL },
	[SCEN_MIGRATION_RESERVE] = { "op", "actual-kib", "dynamic-min-kib",
				    "overhead-kib", "deadline-s", NULL },
	[SCEN_MIGRATION_PREPARE] = { "op", "domid", "max-kib", "deadline-s",
				    NULL },
	[SCEN_MIGRATION_END]	= { "op", "domid", "outcome", NULL },
	[SCEN_START]		= { "op", "domain", "deadline-s", NULL },
	[SCEN_STOP]		= { "op", "domid", NULL },
	[SCEN_RUN]		= { "op", "s", NULL },
};

/* free's "until": "ge:M" or "le:M". */
static int
scen_until(const struct scen_ctx *c, const char *path, struct json_object *obj,
    struct scen_step *st)
{
	struct json_object	*v;
	char			 sub[SCEN_PATH_MAX + 64];
	const char		*s;

	if (!json_object_object_get_ex(obj, "until", &v))
		return 0;
	scen_join(sub, sizeof(sub), path, "until");
	s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
	if ((strncmp(s, "ge:", 3) != 0 && strncmp(s, "le:", 3) != 0) ||
	    conf_parse_int(s + 3, HOST_MAX_KIB, &st->until_kib) < 0)
		return scen_fail(c, sub, "must be \"ge:KIB\" or \"le:KIB\"");
	st->has_until = true;
	st->until_cond = s[0] == 'g' ? ENGINE_COND_GE : ENGINE_COND_LE;
	return 0;
}

/* reserve's optional "deadline-s". */
static int
scen_deadline(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct scen_step *st)
{
	double	secs = 0.0;
	int	rc;

	if ((rc = scen_secs(c, path, obj, "deadline-s", false,
	    SCEN_MAX_WAIT_S, &secs)) < 0)
		return rc;
	st->deadline_ms = (uint64_t)llround(secs * 1000.0);
	return 0;
}

/* The three migration steps' fields. */
static int
scen_migration(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct scen_step *st)
{
	struct json_object	*v;
	int64_t			 actual, dmin, over, domid;
	int			 rc;

	if (st->op == SCEN_MIGRATION_RESERVE) {
		if ((rc = scen_deadline(c, path, obj, st)) < 0 ||
		    (rc = scen_int(c, path, obj, "actual-kib", true, 0, 0,
		    HOST_MAX_KIB, &actual)) < 0 ||
		    (rc = scen_int(c, path, obj, "dynamic-min-kib", true, 0, 0,
		    actual, &dmin)) < 0 ||
		    (rc = scen_int(c, path, obj, "overhead-kib", false, 0, 0,
		    HOST_MAX_KIB, &over)) < 0)
			return rc;
		st->min_kib = dmin + over;
		st->max_kib = actual + over;
		return 0;
	}
	if ((rc = scen_int(c, path, obj, "domid", true, 0, 0, HOST_MAX_DOMID,
	    &domid)) < 0)
		return rc;
	st->domid = (int32_t)domid;
	if (st->op == SCEN_MIGRATION_PREPARE)
		return (rc = scen_deadline(c, path, obj, st)) < 0 ? rc :
		    scen_int(c, path, obj, "max-kib", true, 0, 0, HOST_MAX_KIB,
		    &st->kib);
	if (!json_object_object_get_ex(obj, "outcome", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (strcmp(json_object_get_string(v), "done") != 0 &&
	    strcmp(json_object_get_string(v), "aborted") != 0))
		return scen_fail(c, path, "outcome must be \"done\" or "
		    "\"aborted\"");
	st->done = json_object_get_string(v)[0] == 'd';
	return 0;
}

/*
 * A start step's "domain": a domain as in "domains", without target-kib,
 * actual-kib and maxmem-kib (the reservation decides them).
 */
static int
scen_start(const struct scen_ctx *c, const char *path,
    struct json_object *obj, struct scen_step *st)
{
	struct scenario		*s = c->s;
	struct json_object	*dom;
	struct sim_dom		*v;
	char			 sub[SCEN_PATH_MAX + 64];
	int			 rc;

	if (!json_object_object_get_ex(obj, "domain", &dom))
		return scen_fail(c, path, "missing field \"domain\"");
	if ((v = realloc(s->starts, (s->nstarts + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	s->starts = v;
	memset(&v[s->nstarts], 0, sizeof(*v));
	scen_join(sub, sizeof(sub), path, "domain");
	if ((rc = scen_domain(c, sub, dom, &v[s->nstarts], true)) < 0)
		return rc;
	st->start = s->nstarts++;
	return 0;
}

/* One element of "steps". */
static int
scen_step(const struct scen_ctx *c, const char *path, struct json_object *obj,
    struct scen_step *st)
{
	struct json_object	*v;
	const char		*op;
	double			 secs = 0.0;
	int64_t			 domid;
	size_t			 i;
	int			 rc;

	if (!json_object_is_type(obj, json_type_object))
		return scen_fail(c, path, "a step must be an object");
	if (!json_object_object_get_ex(obj, "op", &v))
		return scen_fail(c, path, "missing field \"op\"");
	op = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
	for (i = 0; i < SCEN_NOPS; i++)
		if (strcmp(op, scen_op_names[i]) == 0)
			break;
	if (i == SCEN_NOPS) {
		char	sub[SCEN_PATH_MAX + 64];

		scen_join(sub, sizeof(sub), path, "op");
		return scen_fail(c, sub, "unknown op (expected free, reserve, "
		    "reserve-range, balance, consume, wait, plan, "
		    "migration-reserve, migration-prepare, migration-end, "
		    "start, stop or run)");
	}
	st->op = (enum scen_op)i;
	if ((rc = scen_check_keys(c, path, obj, scen_step_keys[i])) < 0)
		return rc;
	st->has_kib = json_object_object_get_ex(obj, "kib", &v);
	switch (st->op) {
	case SCEN_FREE:
		if ((rc = scen_until(c, path, obj, st)) < 0)
			return rc;
		/* FALLTHROUGH */
	case SCEN_RESERVE:
	case SCEN_CONSUME:
	case SCEN_PLAN:
		if (st->op == SCEN_RESERVE && (rc = scen_deadline(c, path, obj,
		    st)) < 0)
			return rc;
		return scen_int(c, path, obj, "kib", st->op != SCEN_PLAN, 0, 0,
		    HOST_MAX_KIB, &st->kib);
	case SCEN_RESERVE_RANGE:
		if ((rc = scen_deadline(c, path, obj, st)) < 0)
			return rc;
		if ((rc = scen_int(c, path, obj, "min-kib", true, 0, 0,
		    HOST_MAX_KIB, &st->min_kib)) < 0 ||
		    (rc = scen_int(c, path, obj, "max-kib", true, 0, 0,
		    HOST_MAX_KIB, &st->max_kib)) < 0)
			return rc;
		if (st->min_kib > st->max_kib)
			return scen_fail(c, path, "min-kib is above max-kib");
		return 0;
	case SCEN_WAIT:
	case SCEN_RUN:
		if ((rc = scen_secs(c, path, obj, "s", true, SCEN_MAX_WAIT_S,
		    &secs)) < 0)
			return rc;
		st->wait_ms = (uint64_t)llround(secs * 1000.0);
		return 0;
	case SCEN_BALANCE:
		return 0;
	case SCEN_START:
		return (rc = scen_deadline(c, path, obj, st)) < 0 ? rc :
		    scen_start(c, path, obj, st);
	case SCEN_STOP:
		if ((rc = scen_int(c, path, obj, "domid", true, 0, 0,
		    HOST_MAX_DOMID, &domid)) < 0)
			return rc;
		st->domid = (int32_t)domid;
		return 0;
	default:
		return scen_migration(c, path, obj, st);
	}
	return 0;
}

static int
scen_steps(const struct scen_ctx *c, struct json_object *arr,
    struct scen_step **ret, size_t *ret_n)
{
	struct scen_step	*steps;
	char			 path[SCEN_PATH_MAX];
	size_t			 i, n = arr != NULL ?
				    json_object_array_length(arr) : 0;
	int			 rc;

	if (n > SCEN_MAX_STEPS)
		return scen_fail(c, "steps", "more than %d steps",
		    SCEN_MAX_STEPS);
	if ((steps = calloc(n + 1, sizeof(*steps))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "steps[%zu]", i);
		if ((rc = scen_step(c, path, json_object_array_get_idx(arr, i),
		    &steps[i])) < 0) {
			free(steps);
			return rc;
		}
	}
	*ret = steps;
	*ret_n = n;
	return 0;
}

static const char *const scen_top_keys[] = {
	"config", "host", "domains", "steps", NULL
};
static const char *const scen_host_keys[] = { "free-kib", NULL };

/* Parse text into a JSON document; syntax errors with their line. */
static int
scen_json(const struct scen_ctx *c, struct json_object **ret)
{
	struct json_tokener	*tok;
	struct json_object	*root;
	enum json_tokener_error	 jerr;
	const char		*why;
	size_t			 end, i;
	unsigned int		 line = 1;

	if ((tok = json_tokener_new_ex(32)) == NULL)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, c->text, (int)c->len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root != NULL && jerr == json_tokener_success) {
		for (i = end; i < c->len && isspace((unsigned char)c->text[i]);)
			i++;
		if (i == c->len) {
			*ret = root;
			return 0;
		}
		end = i;
		why = "trailing data";
	} else if (jerr == json_tokener_continue) {
		end = c->len;
		why = "unexpected end of data";
	} else
		why = json_tokener_error_desc(jerr);
	json_object_put(root);
	for (i = 0; i < end && i < c->len; i++)
		line += c->text[i] == '\n';
	snprintf(c->err, c->errlen, "%s:%u: invalid JSON: %s", c->name, line,
	    why);
	return -EINVAL;
}

int
scenario_parse(const char *name, const char *text, size_t len,
    struct scenario *ret, char *err, size_t errlen)
{
	return scenario_parse_over(name, text, len, NULL, ret, err, errlen);
}

int
scenario_parse_over(const char *name, const char *text, size_t len,
    const struct conf *base, struct scenario *ret, char *err, size_t errlen)
{
	struct scenario		 s;
	struct scen_ctx		 c = { name, text, len, err, errlen, &s };
	struct json_object	*root = NULL, *conf, *host, *doms, *steps;
	struct sim_dom		*simdoms = NULL;
	size_t			 ndoms = 0;
	int64_t			 free_kib = 0;
	int			 rc;

	memset(&s, 0, sizeof(s));
	if (base != NULL)
		s.conf = *base;
	else
		conf_defaults(&s.conf);
	if (len > SCEN_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %u bytes", name,
		    SCEN_MAX_FILE);
		return -EINVAL;
	}
	if ((rc = scen_json(&c, &root)) < 0)
		return rc;
	if (!json_object_is_type(root, json_type_object)) {
		rc = scen_fail(&c, "", "a scenario must be a JSON object");
		goto out;
	}
	if ((rc = scen_check_keys(&c, "", root, scen_top_keys)) < 0 ||
	    (rc = scen_member(&c, "", root, "config", json_type_object,
	    &conf)) < 0 ||
	    (rc = scen_member(&c, "", root, "host", json_type_object,
	    &host)) < 0 ||
	    (rc = scen_member(&c, "", root, "domains", json_type_array,
	    &doms)) < 0 ||
	    (rc = scen_member(&c, "", root, "steps", json_type_array,
	    &steps)) < 0)
		goto out;
	if (conf != NULL && (rc = scen_config(&c, conf, &s.conf)) < 0)
		goto out;
	if (host != NULL && ((rc = scen_check_keys(&c, "host", host,
	    scen_host_keys)) < 0 || (rc = scen_int(&c, "host", host,
	    "free-kib", false, 0, 0, HOST_MAX_KIB, &free_kib)) < 0))
		goto out;
	if ((rc = scen_domains(&c, doms, &simdoms, &ndoms)) < 0 ||
	    (rc = scen_steps(&c, steps, &s.steps, &s.nsteps)) < 0)
		goto out;
	if ((rc = sim_host_init(&s.host, simdoms, ndoms, free_kib)) < 0) {
		if (rc == -EEXIST)
			rc = scen_fail(&c, "domains", "two domains have the "
			    "same domid");
		goto out;
	}
	simdoms = NULL;		/* the host owns them now */
	*ret = s;
	rc = 0;
out:
	if (rc < 0) {
		free(simdoms);
		scenario_dispose(&s);
	}
	json_object_put(root);
	return rc;
}

int
scenario_load(const char *path, struct scenario *ret, char *err,
    size_t errlen)
{
	return scenario_load_over(path, NULL, ret, err, errlen);
}

int
scenario_load_over(const char *path, const struct conf *base,
    struct scenario *ret, char *err, size_t errlen)
{
	FILE	*f;
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = 0, n;
	int	 rc;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > SCEN_MAX_FILE + 1)
				cap = SCEN_MAX_FILE + 1;
			if (len == cap) {
				snprintf(err, errlen, "%s: larger than %u "
				    "bytes", path, SCEN_MAX_FILE);
				rc = -EFBIG;
				goto out;
			}
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				rc = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			buf = nbuf;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -EIO;
		goto out;
	}
	buf[len] = '\0';
	rc = scenario_parse_over(path, buf, len, base, ret, err, errlen);
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

void
scenario_dispose(struct scenario *s)
{
	size_t	i;

	if (s == NULL)
		return;
	sim_host_dispose(&s->host);
	free(s->steps);
	free(s->starts);
	for (i = 0; i < s->nseries; i++)
		free(s->series[i]);
	free(s->series);
	memset(s, 0, sizeof(*s));
}
