/*
 * sdnotify.c: sd_notify(3) and sd_watchdog_enabled(3) without libsystemd,
 * after Xen's tools/include/xen-sd-notify.h: a datagram to $NOTIFY_SOCKET,
 * and the watchdog interval from $WATCHDOG_USEC and $WATCHDOG_PID.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

/* Fill sun from a $NOTIFY_SOCKET value; the address length in ret_len. */
static int
sdnotify_addr(const char *e, struct sockaddr_un *sun, socklen_t *ret_len)
{
	size_t	n = strlen(e);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (e[0] == '@') {
		/* abstract: a leading NUL, no trailing one, length exact */
		if (n < 2)
			return -EINVAL;
		if (n > sizeof(sun->sun_path))
			return -ENAMETOOLONG;
		memcpy(sun->sun_path + 1, e + 1, n - 1);
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    n);
		return 0;
	}
	if (e[0] != '/')
		return n == 0 ? -EINVAL : -EAFNOSUPPORT;
	if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", e) >=
	    sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

int
sdnotify(const char *state)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	const char		*e;
	size_t			 n;
	ssize_t			 r;
	int			 fd, rc;

	if (state == NULL || *state == '\0')
		return -EINVAL;
	if ((e = getenv("NOTIFY_SOCKET")) == NULL)
		return 0;
	if ((rc = sdnotify_addr(e, &sun, &len)) < 0)
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	n = strlen(state);
	r = sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sun, len);
	if (r == -1)
		rc = -errno;
	else
		rc = (size_t)r == n ? 0 : -EMSGSIZE;	/* datagrams are whole */
	(void)close(fd);
	return rc;
}

/* Parse a positive decimal number no larger than max: digits only. */
static int
sdnotify_parse(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t	v = 0;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s != '\0' || v == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
sdnotify_watchdog_usec(uint64_t *ret_usec)
{
	const char	*s;
	uint64_t	 usec, pid;
	int		 rc;

	if ((s = getenv("WATCHDOG_USEC")) == NULL) {
		*ret_usec = 0;
		return 0;
	}
	/* below UINT64_MAX: systemd's USEC_INFINITY means "no watchdog" */
	if ((rc = sdnotify_parse(s, UINT64_MAX - 1, &usec)) < 0)
		return rc;
	if ((s = getenv("WATCHDOG_PID")) != NULL) {
		if ((rc = sdnotify_parse(s, INT32_MAX, &pid)) < 0)
			return rc;
		if (pid != (uint64_t)getpid()) {
			*ret_usec = 0;	/* meant for another process */
			return 0;
		}
	}
	*ret_usec = usec;
	return 0;
}
