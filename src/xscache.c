/*
 * xscache.c: a chained hash of xenstore paths.  Values and listings are
 * stored under distinct keys ("v" or "d" then the path) so one table holds
 * both; invalidation frees entries, so the cache never outgrows what is
 * alive in xenstore and was read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "xscache.h"

#define XSCACHE_BUCKETS	4096

struct xscache_ent {
	struct xscache_ent	*next;
	char			*key;	/* 'v' or 'd', then the path */
	char			*value;	/* v: NULL when absent */
	char			**names;	/* d */
	size_t			 nnames;
};

struct xscache {
	struct xscache_ent	*b[XSCACHE_BUCKETS];
	size_t			 n;
};

static uint32_t
xscache_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % XSCACHE_BUCKETS;
}

struct xscache *
xscache_new(void)
{
	return calloc(1, sizeof(struct xscache));
}

static void
xscache_ent_free(struct xscache_ent *e)
{
	free(e->key);
	free(e->value);
	backend_strv_free(e->names, e->nnames);
	free(e);
}

void
xscache_clear(struct xscache *c)
{
	struct xscache_ent	*e, *next;
	size_t			 i;

	for (i = 0; i < XSCACHE_BUCKETS; i++) {
		for (e = c->b[i]; e != NULL; e = next) {
			next = e->next;
			xscache_ent_free(e);
		}
		c->b[i] = NULL;
	}
	c->n = 0;
}

void
xscache_free(struct xscache *c)
{
	if (c == NULL)
		return;
	xscache_clear(c);
	free(c);
}

size_t
xscache_size(const struct xscache *c)
{
	return c->n;
}

/* Where the entry for kind and path is, or would be linked. */
static struct xscache_ent **
xscache_slot(struct xscache *c, char kind, const char *path)
{
	struct xscache_ent	**p;
	uint32_t		  h = xscache_hash(path) ^ (uint32_t)kind;

	for (p = &c->b[h % XSCACHE_BUCKETS]; *p != NULL; p = &(*p)->next)
		if ((*p)->key[0] == kind && strcmp((*p)->key + 1, path) == 0)
			break;
	return p;
}

static void
xscache_drop(struct xscache *c, char kind, const char *path)
{
	struct xscache_ent	**p = xscache_slot(c, kind, path), *e = *p;

	if (e == NULL)
		return;
	*p = e->next;
	xscache_ent_free(e);
	c->n--;
}

/* A fresh entry for kind and path, replacing any old one. */
static struct xscache_ent *
xscache_new_ent(struct xscache *c, char kind, const char *path)
{
	struct xscache_ent	*e, **p;
	size_t			 len = strlen(path);

	xscache_drop(c, kind, path);
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = malloc(len + 2)) == NULL) {
		free(e);
		return NULL;
	}
	e->key[0] = kind;
	memcpy(e->key + 1, path, len + 1);
	p = xscache_slot(c, kind, path);
	*p = e;
	c->n++;
	return e;
}

int
xscache_get(struct xscache *c, const char *path, char **ret)
{
	struct xscache_ent	*e = *xscache_slot(c, 'v', path);
	char			*v = NULL;

	if (e == NULL)
		return 0;
	if (e->value != NULL && (v = strdup(e->value)) == NULL)
		return -ENOMEM;
	*ret = v;
	return 1;
}

int
xscache_put(struct xscache *c, const char *path, const char *value)
{
	struct xscache_ent	*e = xscache_new_ent(c, 'v', path);

	if (e == NULL)
		return -ENOMEM;
	if (value != NULL && (e->value = strdup(value)) == NULL) {
		xscache_drop(c, 'v', path);
		return -ENOMEM;
	}
	return 0;
}

static int
xscache_copy(char *const *names, size_t n, char ***ret)
{
	char	**v;
	size_t	  i;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(names[i])) == NULL) {
			backend_strv_free(v, i);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

int
xscache_get_dir(struct xscache *c, const char *path, char ***ret,
    size_t *ret_n)
{
	struct xscache_ent	*e = *xscache_slot(c, 'd', path);
	int			 rc;

	if (e == NULL)
		return 0;
	if ((rc = xscache_copy(e->names, e->nnames, ret)) < 0)
		return rc;
	*ret_n = e->nnames;
	return 1;
}

int
xscache_put_dir(struct xscache *c, const char *path, char *const *names,
    size_t n)
{
	struct xscache_ent	*e = xscache_new_ent(c, 'd', path);

	if (e == NULL)
		return -ENOMEM;
	if (xscache_copy(names, n, &e->names) < 0) {
		xscache_drop(c, 'd', path);
		return -ENOMEM;
	}
	e->nnames = n;
	return 0;
}

void
xscache_invalidate(struct xscache *c, const char *path)
{
	char	buf[3200], *slash;

	if (strlen(path) >= sizeof(buf)) {
		xscache_clear(c);
		return;
	}
	xscache_drop(c, 'v', path);
	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {		/* the listings of path and its ancestors */
		xscache_drop(c, 'd', buf);
		if ((slash = strrchr(buf, '/')) == NULL || slash == buf)
			break;
		*slash = '\0';
	}
	xscache_drop(c, 'd', "/");
}
