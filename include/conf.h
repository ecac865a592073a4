/*
 * conf.h: squeezerd.conf, a line-oriented "key = value" file with a sorted
 * keyword table.  The scenario format's "config" object takes the same keys.
 */
#ifndef SQUEEZERD_CONF_H
#define SQUEEZERD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_POLICY_MAX		32
#define CONF_GROUP_MAX		32
#define CONF_SOCKPATH_MAX	108	/* sun_path, with its NUL */
#define CONF_QUEUE_MAX		128
#define CONF_PATH_MAX		256
#define CONF_RANGE_RULES_MAX	16
#define CONF_RANGE_PATTERN_MAX	64
#define CONF_RANGE_FLOOR_KIB	65536	/* no dynamic-min below 64 MiB */

/*
 * A guest-range rule: a guest with no dynamic range of its own whose name
 * matches pattern (fnmatch(3)) is balanced between min and max, each KiB
 * or, with its _pct flag, a per cent (1-100) of the guest's static-max.
 */
struct conf_range_rule {
	char	pattern[CONF_RANGE_PATTERN_MAX];
	int64_t	min, max;
	bool	min_pct, max_pct;
};

struct conf {
	int64_t		host_reserve_kib;
	int64_t		balance_tolerance_kib;
	int64_t		granularity_kib;
	uint64_t	stuck_after_ms;
	uint64_t	uncooperative_after_ms;
	uint64_t	poll_interval_ms;
	uint64_t	balance_interval_ms;
	uint64_t	migration_timeout_ms;
	uint64_t	operation_timeout_ms;	/* no operation runs longer */
	int64_t		min_progress_kib_s;
	bool		manage_dom0;
	int64_t		dom0_dyn_min_kib;
	int64_t		dom0_dyn_max_kib;	/* 0: auto */
	int64_t		dom0_floor_kib;		/* never below, whatever xenstore says */
	bool		two_phase;
	bool		remember_stuck;	/* later operations leave them out */
	bool		inaccuracy_compensation;
	char		policy[CONF_POLICY_MAX];
	char		socket_group[CONF_GROUP_MAX];	/* may change things */
	unsigned int	socket_mode;			/* 0600, 0660, 0666 */
	uint64_t	client_idle_timeout_ms;	/* nothing pending: closed */
	int64_t		max_clients_per_user;	/* neither root nor group */
	bool		use_switch;	/* serve xapi's message-switch */
	char		switch_path[CONF_SOCKPATH_MAX];
	char		queue_name[CONF_QUEUE_MAX];
	char		boot_time_file[CONF_PATH_MAX];	/* "": not written */
	char		xmlrpc_socket[CONF_SOCKPATH_MAX];	/* "": none */
	struct conf_range_rule	guest_range[CONF_RANGE_RULES_MAX];
	size_t		nguest_range;		/* first match wins */
	char		xl_conf[CONF_PATH_MAX];	/* "": not checked */
};

/* squeezerd's defaults: squeezed's constants, 2 MiB granularity. */
void	conf_defaults(struct conf *);

/*
 * Set one key from its text value.  On error returns -EINVAL (or -ENOENT
 * for an unknown key), changes nothing and writes a message to err.
 */
int	conf_set(struct conf *, const char *key, const char *value,
	    char *err, size_t errlen);

/*
 * Load a file over the defaults; every error is written to errf as
 * "file:line: message" and counted.  *ret is written only on success.
 */
int	conf_load(const char *path, FILE *errf, struct conf *ret);

/*
 * Print every key in canonical form ("-nv"): sizes in the largest unit
 * that holds them whole ("72M", "1G", "512"), durations in the largest
 * units ("1h", "1m30s", "1.5s", "500ms"), the socket mode in octal.  The
 * output parses again to the same configuration.
 */
void	conf_print(const struct conf *, FILE *);

/* As conf_print(); with CONF_WRITE_KIB, sizes as bare KiB ("73728"). */
#define CONF_WRITE_KIB	0x1
void	conf_write(const struct conf *, FILE *, int flags);

struct engine_conf;

/* The engine's settings from a configuration (-EINVAL: unknown policy). */
int	conf_engine(const struct conf *, struct engine_conf *ret);

/*
 * Parse a duration into ms, at most max_ms: numbers with units, largest
 * first, each with an optional fraction: "500ms", "5s", "1.5s", "10m",
 * "1h30m", "2d", "1y" (365 days); a bare number is seconds ("5", "0.5").
 * Lower-case units only ("1M" is not a duration).  -EINVAL or -ERANGE.
 */
int	conf_parse_duration(const char *, uint64_t max_ms, uint64_t *ret_ms);

/*
 * Parse a size into KiB, at most max: digits, an optional fraction, and
 * an optional unit K, M, G or T (any case, powers of 1024, as xl), itself
 * optionally followed by "B" or "iB"; a bare number is KiB.  A fraction
 * needs M, G or T and is rounded to the KiB.  "512M", "2GiB", "1.5G",
 * "73728".  -EINVAL or -ERANGE.
 */
int	conf_parse_size(const char *, int64_t max, int64_t *ret_kib);

/* Write kib exactly, in the largest unit that holds it whole: "72M". */
void	conf_fmt_size(int64_t kib, char *buf, size_t len);

/* Write ms exactly, largest units first: "1h", "1m30s", "1.5s", "0s". */
void	conf_fmt_duration(uint64_t ms, char *buf, size_t len);

/* Parse a strictly decimal, non-negative integer no larger than max. */
int	conf_parse_int(const char *, int64_t max, int64_t *ret);

/*
 * The lowest dynamic-min a domain of static_max_kib may be given: 64 MiB,
 * or 1/32 of static-max when that is more (a Linux guest's page array
 * alone is 1/64 of the memory it may grow to).
 */
int64_t	conf_range_floor_kib(int64_t static_max_kib);

/* The first of the n rules whose pattern matches name, or NULL. */
const struct conf_range_rule	*conf_range_match(
				    const struct conf_range_rule *, size_t n,
				    const char *name);

/*
 * A rule's range for a guest whose static-max is static_max_kib: the
 * per cents taken of it, then max capped at it and min at max.
 */
void	conf_range_resolve(const struct conf_range_rule *,
	    int64_t static_max_kib, int64_t *ret_min_kib, int64_t *ret_max_kib);

#endif
