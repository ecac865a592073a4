/*
 * lockfile.h: one daemon per control socket.  An flock(2) on a file beside
 * the socket, holding the daemon's pid, taken before anything else is
 * touched and kept (across fork) until exit.
 */
#ifndef SQUEEZERD_LOCKFILE_H
#define SQUEEZERD_LOCKFILE_H

#include <sys/types.h>

/*
 * Create (if need be) and lock path without waiting, and write our pid in
 * it.  -EWOULDBLOCK when another process holds it: *ret_holder is its pid
 * as the file says (0 if it says none).  *ret_fd is the lock.
 */
int	lockfile_take(const char *path, int *ret_fd, pid_t *ret_holder);

/* Write our pid again (the child's, after fork). */
int	lockfile_setpid(int fd);

/* Remove path if it is still the locked file, then unlock. fd -1: none. */
void	lockfile_release(const char *path, int fd);

#endif
