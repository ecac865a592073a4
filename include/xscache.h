/*
 * xscache.h: what xenstore said, kept until a watch event says it changed
 * (squeezed's key cache, squeezed-reference 2.4): values, absences and
 * directory listings by path.  An event at a path invalidates that path's
 * value and listing, and the listings of all its ancestors.
 */
#ifndef SQUEEZERD_XSCACHE_H
#define SQUEEZERD_XSCACHE_H

#include <stdbool.h>
#include <stddef.h>

struct xscache;

struct xscache	*xscache_new(void);
void		 xscache_free(struct xscache *);
void		 xscache_clear(struct xscache *);

/*
 * Look up a value: 1 and *ret (malloc'd, or NULL for "absent") when
 * cached, 0 when not.  -ENOMEM on allocation failure.
 */
int	xscache_get(struct xscache *, const char *path, char **ret);
/* Remember a value (NULL: absent). */
int	xscache_put(struct xscache *, const char *path, const char *value);

/* The same for directory listings (names copied in and out). */
int	xscache_get_dir(struct xscache *, const char *path, char ***ret,
	    size_t *ret_n);
int	xscache_put_dir(struct xscache *, const char *path,
	    char *const *names, size_t n);

/* A watch event at path. */
void	xscache_invalidate(struct xscache *, const char *path);

size_t	xscache_size(const struct xscache *);

#endif
