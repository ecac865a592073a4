/*
 * peercred.h: who is at the other end of a Unix stream socket: the uid and
 * primary gid of SO_PEERCRED and the supplementary groups of SO_PEERGROUPS
 * (the groups the client process really has, not those /etc/group lists).
 */
#ifndef SQUEEZERD_PEERCRED_H
#define SQUEEZERD_PEERCRED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct peercred {
	uid_t	 uid;
	gid_t	 gid;		/* primary */
	gid_t	*groups;	/* supplementary */
	size_t	 ngroups;
	bool	 from_db;	/* no SO_PEERGROUPS: the user's groups in the
				   group database (getgrouplist) instead */
};

/* The peer's credentials (0 or -errno); ret is disposed of by the caller. */
int	peercred_get(int fd, struct peercred *ret);

/* The peer's primary or one of its supplementary groups is gid. */
bool	peercred_in_group(const struct peercred *, gid_t gid);

/* Free the groups. NULL-safe. */
void	peercred_dispose(struct peercred *);

#endif
