/*
 * xstore.c: the simulated xenstore, a sorted array of (path, value) with
 * binary search.  Children of a directory are contiguous in path order, so a
 * directory listing is one scan of a range.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xstore.h"

#define XSTORE_PATH_MAX		3072	/* XENSTORE_ABS_PATH_MAX */
#define XSTORE_VALUE_MAX	4096	/* XENSTORE_PAYLOAD_MAX */

struct xstore_node {
	char	*path;
	char	*value;
};

struct xstore {
	struct xstore_node	*n;
	size_t			 len, cap;
};

struct xstore *
xstore_new(void)
{
	return calloc(1, sizeof(struct xstore));
}

void
xstore_free(struct xstore *x)
{
	size_t	i;

	if (x == NULL)
		return;
	for (i = 0; i < x->len; i++) {
		free(x->n[i].path);
		free(x->n[i].value);
	}
	free(x->n);
	free(x);
}

int
xstore_check_path(const char *p)
{
	size_t	len = strlen(p), i;

	if (len == 0 || len > XSTORE_PATH_MAX || p[0] != '/')
		return -EINVAL;
	if (len > 1 && p[len - 1] == '/')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
			return -EINVAL;
		if (p[i] == '/' && p[i + 1] == '/')
			return -EINVAL;
	}
	return 0;
}

/* Index of the first node >= path. */
static size_t
xstore_lower(const struct xstore *x, const char *path)
{
	size_t	lo = 0, hi = x->len, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(x->n[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* True when path is dir itself or below it. */
static bool
xstore_under(const char *path, const char *dir)
{
	size_t	n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

/* True when some node lies strictly below dir (so dir exists implicitly). */
static bool
xstore_has_children(const struct xstore *x, const char *dir)
{
	size_t	i = xstore_lower(x, dir);

	for (; i < x->len && strncmp(x->n[i].path, dir, strlen(dir)) == 0;
	    i++)
		if (xstore_under(x->n[i].path, dir) &&
		    strcmp(x->n[i].path, dir) != 0)
			return true;
	return false;
}

int
xstore_read(const struct xstore *x, const char *path, char **ret)
{
	size_t	i;
	char	*v;

	if (xstore_check_path(path) < 0)
		return -EINVAL;
	i = xstore_lower(x, path);
	if (i < x->len && strcmp(x->n[i].path, path) == 0)
		v = strdup(x->n[i].value);
	else if (strcmp(path, "/") == 0 || xstore_has_children(x, path))
		v = strdup("");
	else
		return -ENOENT;
	if (v == NULL)
		return -ENOMEM;
	*ret = v;
	return 0;
}

int
xstore_write(struct xstore *x, const char *path, const char *value)
{
	struct xstore_node	*nn;
	size_t			 i;
	char			*p, *v;

	if (xstore_check_path(path) < 0 || strlen(value) > XSTORE_VALUE_MAX)
		return -EINVAL;
	if ((v = strdup(value)) == NULL)
		return -ENOMEM;
	i = xstore_lower(x, path);
	if (i < x->len && strcmp(x->n[i].path, path) == 0) {
		free(x->n[i].value);
		x->n[i].value = v;
		return 0;
	}
	if (x->len == x->cap) {
		nn = realloc(x->n, (x->cap ? x->cap * 2 : 64) * sizeof(*nn));
		if (nn == NULL)
			goto out_free;
		x->n = nn;
		x->cap = x->cap ? x->cap * 2 : 64;
	}
	if ((p = strdup(path)) == NULL)
		goto out_free;
	memmove(&x->n[i + 1], &x->n[i], (x->len - i) * sizeof(*x->n));
	x->n[i] = (struct xstore_node){ p, v };
	x->len++;
	return 0;
out_free:
	free(v);
	return -ENOMEM;
}

int
xstore_rm(struct xstore *x, const char *path)
{
	size_t	i, j;

	if (xstore_check_path(path) < 0)
		return -EINVAL;
	i = j = xstore_lower(x, path);
	while (j < x->len && xstore_under(x->n[j].path, path)) {
		free(x->n[j].path);
		free(x->n[j].value);
		j++;
	}
	/* "/a/b-c" sorts between "/a/b" and "/a/b/c": skip, don't stop. */
	while (j < x->len && strncmp(x->n[j].path, path, strlen(path)) == 0) {
		if (!xstore_under(x->n[j].path, path)) {
			x->n[i++] = x->n[j++];
			continue;
		}
		free(x->n[j].path);
		free(x->n[j].value);
		j++;
	}
	memmove(&x->n[i], &x->n[j], (x->len - j) * sizeof(*x->n));
	x->len -= j - i;
	return 0;
}

static int
xstore_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the first component of path below dir to v, if new. */
static int
xstore_push_child(char ***v, size_t *n, const char *rest)
{
	const char	*slash = strchr(rest, '/');
	size_t		 len = slash ? (size_t)(slash - rest) : strlen(rest);
	char		**nv;

	if (*n > 0 && strlen((*v)[*n - 1]) == len &&
	    strncmp((*v)[*n - 1], rest, len) == 0)
		return 0;
	if ((nv = realloc(*v, (*n + 1) * sizeof(**v))) == NULL)
		return -ENOMEM;
	*v = nv;
	if ((nv[*n] = strndup(rest, len)) == NULL)
		return -ENOMEM;
	(*n)++;
	return 0;
}

int
xstore_directory(const struct xstore *x, const char *path, char ***ret,
    size_t *ret_n)
{
	char	**v = NULL, *dummy;
	size_t	 n = 0, i, plen = strcmp(path, "/") == 0 ? 0 : strlen(path), k, w;
	int	 rc;

	if ((rc = xstore_read(x, path, &dummy)) < 0)
		return rc;
	free(dummy);
	for (i = xstore_lower(x, path); i < x->len; i++) {
		if (strncmp(x->n[i].path, path, plen) != 0)
			break;
		if (x->n[i].path[plen] != '/' || x->n[i].path[plen + 1] == '\0')
			continue;
		if ((rc = xstore_push_child(&v, &n, x->n[i].path + plen + 1)) < 0)
			goto out;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), xstore_cmp_str);
	for (k = w = 0; k < n; k++) {	/* drop duplicates left by "b-c" */
		if (w > 0 && strcmp(v[w - 1], v[k]) == 0)
			free(v[k]);
		else
			v[w++] = v[k];
	}
	*ret = v;
	*ret_n = w;
	return 0;
out:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}

size_t
xstore_count(const struct xstore *x)
{
	return x->len;
}

void
xstore_entry(const struct xstore *x, size_t i, const char **ret_path,
    const char **ret_value)
{
	*ret_path = x->n[i].path;
	*ret_value = x->n[i].value;
}
