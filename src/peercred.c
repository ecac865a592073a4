/*
 * peercred.c: a Unix socket peer's uid, gid and groups.  SO_PEERGROUPS
 * (Linux 4.13) gives the groups the client process had when it connected;
 * an older kernel answers ENOPROTOOPT, and then the user's groups in the
 * group database stand in for them, as getgrouplist(3) finds them.
 */
#define _GNU_SOURCE	/* struct ucred, SO_PEERCRED, getgrouplist */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "peercred.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59	/* asm-generic/socket.h */
#endif

#define PEERCRED_MAX_GROUPS	65536	/* NGROUPS_MAX */

/* SO_PEERGROUPS, growing the buffer once if the kernel asks for more. */
static int
peercred_peergroups(int fd, gid_t **ret_groups, size_t *ret_n)
{
	gid_t		*g = NULL, *ng;
	socklen_t	 len = 32 * sizeof(gid_t);
	int		 tries, rc = -ERANGE;

	for (tries = 0; tries < 3 && rc == -ERANGE; tries++) {
		if (len > PEERCRED_MAX_GROUPS * sizeof(gid_t) ||
		    (ng = realloc(g, len > 0 ? len : 1)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		g = ng;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
			*ret_groups = g;
			*ret_n = len / sizeof(gid_t);
			return 0;
		}
		rc = -errno;
	}
	free(g);
	return rc;
}

/* The user's groups as the group database lists them (the fallback). */
static int
peercred_dbgroups(uid_t uid, gid_t gid, gid_t **ret_groups, size_t *ret_n)
{
	struct passwd	*pw;
	gid_t		*g = NULL, *ng;
	int		 n = 32, tries;

	errno = 0;
	if ((pw = getpwuid(uid)) == NULL) {
		*ret_groups = NULL;	/* no such user: no other groups */
		*ret_n = 0;
		return 0;
	}
	for (tries = 0; tries < 3; tries++) {
		if (n <= 0 || n > PEERCRED_MAX_GROUPS || (ng = realloc(g,
		    (size_t)n * sizeof(gid_t))) == NULL)
			break;
		g = ng;
		if (getgrouplist(pw->pw_name, gid, g, &n) >= 0) {
			*ret_groups = g;
			*ret_n = (size_t)n;
			return 0;
		}
	}
	free(g);
	return -ENOMEM;
}

int
peercred_get(int fd, struct peercred *ret)
{
	struct ucred	cr;
	socklen_t	len = sizeof(cr);
	gid_t		*groups = NULL;
	size_t		 n = 0;
	bool		 from_db = false;
	int		 rc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return -errno;
	rc = peercred_peergroups(fd, &groups, &n);
	if (rc == -ENOPROTOOPT) {
		from_db = true;
		rc = peercred_dbgroups(cr.uid, cr.gid, &groups, &n);
	}
	if (rc < 0)
		return rc;
	*ret = (struct peercred){ .uid = cr.uid, .gid = cr.gid,
	    .groups = groups, .ngroups = n, .from_db = from_db };
	return 0;
}

bool
peercred_in_group(const struct peercred *c, gid_t gid)
{
	size_t	i;

	if (c->gid == gid)
		return true;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void
peercred_dispose(struct peercred *c)
{
	if (c == NULL)
		return;
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
}
