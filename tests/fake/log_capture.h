/*
 * log_capture.h: a link-time replacement for src/log.c in unit tests
 * (STYLE H21): every line is kept in memory so a test can assert on what
 * was logged.  LOG_CAPTURE_VERBOSE=1 in the environment also prints them.
 */
#ifndef SQUEEZERD_LOG_CAPTURE_H
#define SQUEEZERD_LOG_CAPTURE_H

#include <stddef.h>

/* Everything logged since the last reset, one "level: text\n" a line. */
const char	*log_capture_text(void);
/* How many lines logged since the last reset contain needle. */
size_t		 log_capture_count(const char *needle);
void		 log_capture_reset(void);

#endif
