/*
 * log.h: the daemon's only logger.  In the foreground (-d, as under
 * systemd) lines go to stderr, which journald collects; a daemonized run
 * logs to syslog(LOG_DAEMON).  Only the logging layer logs: main, the RPC
 * server and the balancer; modules below them return errors.
 */
#ifndef SQUEEZERD_LOG_H
#define SQUEEZERD_LOG_H

#include <stdbool.h>


void	log_init(bool foreground, int verbose);
void	log_setverbose(int);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void	fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
