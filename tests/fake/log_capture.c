/*
 * log_capture.c: the logger of include/log.h for unit tests: lines go to
 * a buffer the test reads (tests/fake/log_capture.h), not to stderr or
 * syslog.  fatal() and fatalx() abort: after start-up they are broken
 * invariants, which a test must see.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "log_capture.h"

#define LOG_CAPTURE_MAX	(256 * 1024)

static char	log_capture_buf[LOG_CAPTURE_MAX];
static size_t	log_capture_len;

static void __attribute__((format(printf, 2, 0)))
log_capture_vlog(const char *level, const char *fmt, va_list ap)
{
	char	msg[1024];
	int	saved_errno = errno, n;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (getenv("LOG_CAPTURE_VERBOSE") != NULL)
		fprintf(stderr, "log: %s: %s\n", level, msg);
	n = snprintf(log_capture_buf + log_capture_len,
	    sizeof(log_capture_buf) - log_capture_len, "%s: %s\n", level, msg);
	if (n > 0 && (size_t)n < sizeof(log_capture_buf) - log_capture_len)
		log_capture_len += (size_t)n;
	errno = saved_errno;
}

const char *
log_capture_text(void)
{
	return log_capture_buf;
}

size_t
log_capture_count(const char *needle)
{
	char	*p = log_capture_buf, *nl;
	size_t	 n = 0;

	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';		/* one line at a time */
		if (strstr(p, needle) != NULL)
			n++;
		*nl = '\n';
	}
	return n;
}

void
log_capture_reset(void)
{
	log_capture_len = 0;
	log_capture_buf[0] = '\0';
}

void
log_init(bool foreground, int verbose)
{
	(void)foreground;
	(void)verbose;
}

void
log_setverbose(int v)
{
	(void)v;
}

#define LOG_CAPTURE_FN(name, level)	\
void					\
name(const char *fmt, ...)		\
{					\
	va_list	ap;			\
					\
	va_start(ap, fmt);		\
	log_capture_vlog(level, fmt, ap);	\
	va_end(ap);			\
}
LOG_CAPTURE_FN(log_warn, "warning")
LOG_CAPTURE_FN(log_warnx, "warning")
LOG_CAPTURE_FN(log_info, "info")
LOG_CAPTURE_FN(log_debug, "debug")

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
