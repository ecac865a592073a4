/* resv.c: reservations under /squeezed/state, as squeezed lays them out. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "backend.h"
#include "conf.h"
#include "host.h"
#include "resv.h"

bool
resv_name_ok(const char *s)
{
	size_t	n = strlen(s);

	/* xenstore's node characters, less the separator */
	return n > 0 && n <= RESV_NAME_MAX && strspn(s, RESV_NAME_CHARS) == n;
}

int
resv_uuid(char ret[37])
{
	unsigned char	b[16];
	size_t		i;
	int		n = 0;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -errno;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < sizeof(b); i++) {
		n += sprintf(ret + n, "%02x", b[i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			ret[n++] = '-';
	}
	ret[n] = '\0';
	return 0;
}

static int
resv_path(char *buf, size_t len, const char *session, const char *id,
    const char *child)
{
	int	n = snprintf(buf, len, RESV_ROOT "/%s%s%s%s%s", session,
	    id ? "/" : "", id ? id : "", child ? "/" : "", child ? child : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Read an integer node; -ENOENT when absent, -EINVAL when not a number. */
static int
resv_read_int(const struct backend_ops *be, void *ctx, const char *path,
    int64_t max, int64_t *ret)
{
	char	*v;
	int	 rc;

	if ((rc = be->read(ctx, path, &v)) < 0)
		return rc;
	rc = conf_parse_int(v, max, ret);
	free(v);
	return rc;
}

/* One reservation's value and children. */
static int
resv_read_one(const struct backend_ops *be, void *ctx, const char *session,
    const char *id, struct resv *r)
{
	char	path[512];
	int64_t	v;
	int	rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->session, sizeof(r->session), "%s", session);
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->kib = -1;
	r->domid = -1;
	if ((rc = resv_path(path, sizeof(path), session, id, NULL)) < 0)
		return rc;
	if (resv_read_int(be, ctx, path, HOST_MAX_KIB, &v) == 0)
		r->kib = v;
	(void)resv_path(path, sizeof(path), session, id, "in-transfer");
	if (resv_read_int(be, ctx, path, HOST_MAX_DOMID, &v) == 0)
		r->domid = (int32_t)v;
	(void)resv_path(path, sizeof(path), session, id, "expires-ms");
	if (resv_read_int(be, ctx, path, INT64_MAX, &v) == 0)
		r->expires_ms = (uint64_t)v;
	return 0;
}

static int
resv_append(struct resv **v, size_t *n, size_t *cap, const struct resv *r)
{
	struct resv	*nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = *r;
	return 0;
}

/* The reservations of one session, appended. */
static int
resv_list_session(const struct backend_ops *be, void *ctx,
    const char *session, struct resv **v, size_t *n, size_t *cap)
{
	struct resv	 r;
	char		 path[512], **ids = NULL;
	size_t		 nids = 0, i;
	int		 rc;

	if ((rc = resv_path(path, sizeof(path), session, NULL, NULL)) < 0)
		return 0;
	if ((rc = be->directory(ctx, path, &ids, &nids)) < 0)
		return rc == -ENOENT ? 0 : rc;
	for (i = 0; i < nids; i++) {
		if (!resv_name_ok(ids[i]))
			continue;
		if ((rc = resv_read_one(be, ctx, session, ids[i], &r)) < 0 ||
		    (rc = resv_append(v, n, cap, &r)) < 0)
			break;
		rc = 0;
	}
	backend_strv_free(ids, nids);
	return rc;
}

int
resv_list(const struct backend_ops *be, void *ctx, struct resv **ret,
    size_t *ret_n)
{
	struct resv	*v = NULL;
	char		**ss = NULL;
	size_t		 n = 0, cap = 0, nss = 0, i;
	int		 rc;

	rc = be->directory(ctx, RESV_ROOT, &ss, &nss);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	for (i = 0; i < nss; i++)
		if (resv_name_ok(ss[i]) && (rc = resv_list_session(be, ctx,
		    ss[i], &v, &n, &cap)) < 0)
			goto out;
	*ret = v;
	*ret_n = n;
	v = NULL;
	rc = 0;
out:
	backend_strv_free(ss, nss);
	free(v);
	return rc;
}

long
resv_find(const struct resv *v, size_t n, const char *session, const char *id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0 && (session == NULL ||
		    strcmp(v[i].session, session) == 0))
			return (long)i;
	return -1;
}

/* Write one reservation's nodes (value, expiry, in-transfer). */
static int
resv_write(const struct backend_ops *be, void *ctx, const struct resv *r)
{
	char	path[512], val[32];
	int	rc;

	if ((rc = resv_path(path, sizeof(path), r->session, r->id, NULL)) < 0)
		return rc;
	snprintf(val, sizeof(val), "%" PRId64, r->kib);
	if ((rc = be->write(ctx, path, val)) < 0)
		return rc;
	if (r->expires_ms != 0) {
		(void)resv_path(path, sizeof(path), r->session, r->id,
		    "expires-ms");
		snprintf(val, sizeof(val), "%" PRIu64, r->expires_ms);
		if ((rc = be->write(ctx, path, val)) < 0)
			return rc;
	}
	if (r->domid >= 0) {
		(void)resv_path(path, sizeof(path), r->session, r->id,
		    "in-transfer");
		snprintf(val, sizeof(val), "%" PRId32, r->domid);
		if ((rc = be->write(ctx, path, val)) < 0)
			return rc;
	}
	return 0;
}

/* Remove a reservation's nodes, keeping its session's directory. */
static int
resv_unwrite(const struct backend_ops *be, void *ctx, const char *session,
    const char *id)
{
	char	path[512];
	int	rc;

	if ((rc = resv_path(path, sizeof(path), session, id, NULL)) < 0)
		return rc;
	if ((rc = be->rm(ctx, path)) < 0 && rc != -ENOENT)
		return rc;
	return 0;
}

static int
resv_sync(const struct backend_ops *be, void *ctx)
{
	return be->sync != NULL ? be->sync(ctx) : 0;
}

int
resv_put(const struct backend_ops *be, void *ctx, const struct resv *r)
{
	int	rc;

	if ((rc = resv_unwrite(be, ctx, r->session, r->id)) < 0 ||
	    (rc = resv_write(be, ctx, r)) < 0)
		return rc;
	return resv_sync(be, ctx);
}

int
resv_add(const struct backend_ops *be, void *ctx, const struct resv *r)
{
	int	rc;

	if (!resv_name_ok(r->session) || !resv_name_ok(r->id))
		return -EINVAL;
	if ((rc = resv_write(be, ctx, r)) < 0 ||
	    (rc = resv_sync(be, ctx)) < 0) {
		/* not recorded: nothing of it may stay behind */
		(void)resv_unwrite(be, ctx, r->session, r->id);
		return rc;
	}
	return 0;
}

static int	resv_dom_write(const struct backend_ops *, void *, int32_t,
		    const char *, const char *);

int
resv_restore_domain(const struct backend_ops *be, void *ctx,
    const struct resv *r)
{
	char	path[128], val[32], *v;
	int	rc;

	snprintf(path, sizeof(path), "/local/domain/%" PRId32
	    "/memory/initial-reservation", r->domid);
	if (r->domid < 0 || r->kib < 0)
		return 0;
	if (be->read(ctx, path, &v) == 0) {
		free(v);
		return 0;
	}
	snprintf(val, sizeof(val), "%" PRId64, r->kib);
	if ((rc = resv_dom_write(be, ctx, r->domid, "initial-reservation",
	    val)) < 0 ||
	    (rc = resv_dom_write(be, ctx, r->domid, "reservation-id",
	    r->id)) < 0)
		return rc;
	return 1;
}

int
resv_remove(const struct backend_ops *be, void *ctx, const struct resv *r)
{
	int	rc;

	if ((rc = resv_unwrite(be, ctx, r->session, r->id)) < 0)
		return rc;
	if ((rc = resv_sync(be, ctx)) < 0) {
		/* not recorded: it stays, as it was */
		(void)resv_write(be, ctx, r);
		return rc;
	}
	return 0;
}

int
resv_drop_session(const struct backend_ops *be, void *ctx,
    const char *session)
{
	char	path[512];
	int	rc;

	if ((rc = resv_path(path, sizeof(path), session, NULL, NULL)) < 0)
		return rc;
	if ((rc = be->rm(ctx, path)) < 0 && rc != -ENOENT)
		return rc;
	return resv_sync(be, ctx);
}

static int
resv_dom_write(const struct backend_ops *be, void *ctx, int32_t domid,
    const char *key, const char *value)
{
	char	path[128];

	snprintf(path, sizeof(path), "/local/domain/%" PRId32 "/memory/%s",
	    domid, key);
	return be->write(ctx, path, value);
}

/* A domain's side of a transfer, written or (kib < 0) removed. */
static int
resv_dom_keys(const struct backend_ops *be, void *ctx, int32_t domid,
    const char *id, int64_t kib)
{
	char	val[32], path[128];
	int	rc;

	if (kib < 0) {
		snprintf(path, sizeof(path), "/local/domain/%" PRId32
		    "/memory/initial-reservation", domid);
		(void)be->rm(ctx, path);
		snprintf(path, sizeof(path), "/local/domain/%" PRId32
		    "/memory/reservation-id", domid);
		rc = be->rm(ctx, path);
		return rc == -ENOENT ? 0 : rc;
	}
	snprintf(val, sizeof(val), "%" PRId64, kib);
	if ((rc = resv_dom_write(be, ctx, domid, "initial-reservation",
	    val)) < 0)
		return rc;
	return resv_dom_write(be, ctx, domid, "reservation-id", id);
}

int
resv_transfer(const struct backend_ops *be, void *ctx, const struct resv *r,
    int32_t domid)
{
	struct resv	moved = *r;
	char		cur[RESV_NAME_MAX + 1];
	int		rc;

	moved.domid = domid;
	if ((rc = resv_dom_keys(be, ctx, domid, r->id, r->kib)) < 0 ||
	    (rc = resv_write(be, ctx, &moved)) < 0 ||
	    (rc = resv_sync(be, ctx)) < 0) {
		/* not recorded: the reservation stays where it was */
		if (r->domid != domid)
			(void)resv_dom_keys(be, ctx, domid, r->id, -1);
		(void)resv_unwrite(be, ctx, r->session, r->id);
		(void)resv_write(be, ctx, r);
		return rc;
	}
	/* moved: the domain it was given to before forgets it */
	if (r->domid >= 0 && r->domid != domid &&
	    resv_of_domain(be, ctx, r->domid, cur) == 0 &&
	    strcmp(cur, r->id) == 0) {
		(void)resv_dom_keys(be, ctx, r->domid, r->id, -1);
		(void)resv_sync(be, ctx);
	}
	return 0;
}

int
resv_of_domain(const struct backend_ops *be, void *ctx, int32_t domid,
    char ret[RESV_NAME_MAX + 1])
{
	char	path[128], *v;
	int	rc;

	snprintf(path, sizeof(path), "/local/domain/%" PRId32
	    "/memory/reservation-id", domid);
	if ((rc = be->read(ctx, path, &v)) < 0)
		return rc;
	if (!resv_name_ok(v))
		rc = -ENOENT;
	else {
		snprintf(ret, RESV_NAME_MAX + 1, "%s", v);
		rc = 0;
	}
	free(v);
	return rc;
}

int
resv_pin_list(const struct backend_ops *be, void *ctx, struct resv_pin **ret,
    size_t *ret_n)
{
	struct resv_pin	*v;
	char		**names = NULL, path[128];
	size_t		 n = 0, k = 0, i;
	int64_t		 x;
	int		 rc;

	rc = be->directory(ctx, RESV_PIN_ROOT, &names, &n);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		backend_strv_free(names, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (conf_parse_int(names[i], HOST_MAX_DOMID, &x) < 0)
			continue;
		v[k].domid = (int32_t)x;
		snprintf(path, sizeof(path), RESV_PIN_ROOT "/%s", names[i]);
		if (resv_read_int(be, ctx, path, HOST_MAX_KIB, &v[k].kib) < 0)
			continue;
		snprintf(path, sizeof(path), RESV_PIN_ROOT "/%s/expires-ms",
		    names[i]);
		if (resv_read_int(be, ctx, path, INT64_MAX, &x) == 0)
			v[k].expires_ms = (uint64_t)x;
		k++;
	}
	backend_strv_free(names, n);
	*ret = v;
	*ret_n = k;
	return 0;
}

int
resv_pin_set(const struct backend_ops *be, void *ctx,
    const struct resv_pin *p)
{
	char	path[128], val[32];
	int	rc;

	snprintf(path, sizeof(path), RESV_PIN_ROOT "/%" PRId32 "/expires-ms",
	    p->domid);
	snprintf(val, sizeof(val), "%" PRIu64, p->expires_ms);
	if ((rc = be->write(ctx, path, val)) < 0)
		return rc;
	snprintf(path, sizeof(path), RESV_PIN_ROOT "/%" PRId32, p->domid);
	snprintf(val, sizeof(val), "%" PRId64, p->kib);
	if ((rc = be->write(ctx, path, val)) < 0)
		return rc;
	return be->sync != NULL ? be->sync(ctx) : 0;
}

int
resv_pin_clear(const struct backend_ops *be, void *ctx, int32_t domid)
{
	char	path[128];
	int	rc;

	snprintf(path, sizeof(path), RESV_PIN_ROOT "/%" PRId32, domid);
	if ((rc = be->rm(ctx, path)) < 0 && rc != -ENOENT)
		return rc;
	return be->sync != NULL ? be->sync(ctx) : 0;
}
