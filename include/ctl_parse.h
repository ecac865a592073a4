/*
 * ctl_parse.h: squeezerctl's parsers: the command table and each
 * command's arguments, sizes, size ranges and durations.  The value parsers
 * return 0, -EINVAL for malformed text or -ERANGE for a value out of
 * range, and write their ret_* only on success.
 */
#ifndef SQUEEZERD_CTL_PARSE_H
#define SQUEEZERD_CTL_PARSE_H

#include <stdint.h>
#include <stdio.h>

/* Longest duration squeezerctl takes: a year, as the daemon's ttl-s. */
#define CTL_DURATION_MAX_MS	(UINT64_C(31536000) * 1000)

/*
 * Parse a size into KiB, as squeezerd.conf (conf_parse_size): digits, an
 * optional fraction, then an optional unit K, M, G or T (any case, powers
 * of 1024) optionally followed by "B" or "iB"; a bare number is KiB, and
 * a fraction needs M, G or T.  "512M", "2GiB", "1.5G", "1048576K", "1t".
 */
int	ctl_parse_size(const char *s, int64_t *ret_kib);

/* Parse "MIN-MAX", two sizes with MIN <= MAX: "1G-2G". */
int	ctl_parse_range(const char *s, int64_t *ret_min_kib,
	    int64_t *ret_max_kib);

/*
 * Parse a duration into milliseconds, as squeezerd.conf: "500ms", "2s",
 * "1.5s", "10m", "1h30m"; a bare number is seconds.  At most
 * CTL_DURATION_MAX_MS.
 */
int	ctl_parse_duration(const char *s, uint64_t *ret_ms);

struct ctl;
struct ctl_args;
struct ctl_cmd;

/*
 * The command named word, or an unambiguous prefix of one; NULL when none
 * or several match (the choices are said).
 */
const struct ctl_cmd	*ctl_parse_find(const struct ctl *, const char *word);

/*
 * Parse a command's arguments, argv[0] being its name.  Returns 0 with
 * *ret filled, CTL_EXIT_USAGE when they are wrong (said, with the usage
 * line), or -1 after printing the command's help (--help or -h).
 */
int	ctl_parse_args(const struct ctl *, const struct ctl_cmd *, int argc,
	    char **argv, struct ctl_args *ret);

/* Print squeezerctl's usage, options and the commands, a line each. */
void	ctl_parse_usage(FILE *);

/* Print a command's usage line and help. */
void	ctl_parse_cmd_help(FILE *, const struct ctl_cmd *);

/* The usage line of a command: "usage: squeezerctl NAME ARGS". */
void	ctl_parse_usage_line(const struct ctl_cmd *, char *buf, size_t len);

/* The help command: a summary, or a command's help. */
extern const struct ctl_cmd ctl_parse_help_cmd;

#endif
