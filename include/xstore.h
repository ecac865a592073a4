/*
 * xstore.h: a small in-memory xenstore (paths and values), the simulated
 * host's store.  Writing a node makes its parents exist; removing one
 * removes its subtree.
 */
#ifndef SQUEEZERD_XSTORE_H
#define SQUEEZERD_XSTORE_H

#include <stddef.h>

struct xstore;

struct xstore	*xstore_new(void);
void		 xstore_free(struct xstore *);

int	xstore_read(const struct xstore *, const char *path, char **ret);
int	xstore_write(struct xstore *, const char *path, const char *value);
int	xstore_rm(struct xstore *, const char *path);
int	xstore_directory(const struct xstore *, const char *path, char ***ret,
	    size_t *ret_n);

/* Visit every explicitly written node in path order. */
size_t	xstore_count(const struct xstore *);
void	xstore_entry(const struct xstore *, size_t i, const char **ret_path,
	    const char **ret_value);

/* A well-formed absolute path: "/", no "//", no trailing "/", printable. */
int	xstore_check_path(const char *);

#endif
