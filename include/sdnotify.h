/*
 * sdnotify.h: systemd's service notification protocol without libsystemd
 * (STYLE H17).  A notification is one datagram of "KEY=value" lines sent to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace); the protocol is documented as stable in sd_notify(3).
 */
#ifndef SQUEEZERD_SDNOTIFY_H
#define SQUEEZERD_SDNOTIFY_H

#include <stdint.h>

/*
 * Send state ("READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1",
 * "STATUS=...", newline-separated) to $NOTIFY_SOCKET.  0 when it was sent
 * or when $NOTIFY_SOCKET is unset (not run by systemd), else -errno:
 * -EINVAL (no state, empty or bare "@" address), -EAFNOSUPPORT (neither a
 * path nor "@name"), -ENAMETOOLONG (does not fit sun_path), or what
 * socket(2) and sendto(2) failed with.
 */
int	sdnotify(const char *state);

/*
 * The watchdog interval systemd asks for ($WATCHDOG_USEC, WatchdogSec=),
 * in microseconds: *ret_usec is 0 when there is none, or when $WATCHDOG_PID
 * is set and names another process.  -EINVAL (*ret_usec untouched) when a
 * variable is not a positive decimal number.
 */
int	sdnotify_watchdog_usec(uint64_t *ret_usec);

#endif
