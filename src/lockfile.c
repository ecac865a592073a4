/*
 * lockfile.c: the instance lock.  The lock belongs to the open file, so it
 * survives fork() (the daemonised child keeps it when the parent exits) and
 * goes with the last descriptor.  A process that opened the file just
 * before its holder removed it would lock a file nobody else sees: after
 * locking, the path must still name the file locked, else try again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockfile.h"

/* The pid a lock file names, or 0. */
static pid_t
lockfile_holder(int fd)
{
	char		 buf[24], *end;
	ssize_t		 n;
	long		 v;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || (*end != '\n' && *end != '\0') || v <= 0)
		return 0;
	return (pid_t)v;
}

/* The path names the file open on fd. */
static int
lockfile_same(const char *path, int fd)
{
	struct stat	a, b;

	if (fstat(fd, &a) == -1)
		return -errno;
	if (stat(path, &b) == -1)
		return errno == ENOENT ? 0 : -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
lockfile_setpid(int fd)
{
	char	buf[24];
	int	n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

int
lockfile_take(const char *path, int *ret_fd, pid_t *ret_holder)
{
	int	fd = -1, tries, rc = -EAGAIN;

	for (tries = 0; tries < 10; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0644);
		if (fd == -1)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			rc = -errno;
			if (rc == -EWOULDBLOCK)
				*ret_holder = lockfile_holder(fd);
			close(fd);
			return rc;
		}
		if ((rc = lockfile_same(path, fd)) == 1)
			break;
		close(fd);	/* removed meanwhile: lock the new one */
		fd = -1;
		if (rc < 0)
			return rc;
		rc = -EAGAIN;
	}
	if (fd == -1)
		return rc;
	if ((rc = lockfile_setpid(fd)) < 0) {
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

void
lockfile_release(const char *path, int fd)
{
	if (fd == -1)
		return;
	if (lockfile_same(path, fd) == 1)
		(void)unlink(path);
	close(fd);
}
