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

struct conf {
	int64_t		host_reserve_kib;
	int64_t		balance_tolerance_kib;
	int64_t		granularity_kib;
	uint64_t	stuck_after_ms;
	uint64_t	uncooperative_after_ms;
	uint64_t	poll_interval_ms;
	uint64_t	balance_interval_ms;
	uint64_t	migration_timeout_ms;
	int64_t		min_progress_kib_s;
	bool		manage_dom0;
	int64_t		dom0_dyn_min_kib;
	int64_t		dom0_dyn_max_kib;	/* 0: auto */
	int64_t		dom0_floor_kib;		/* never below, whatever xenstore says */
	bool		two_phase;
	bool		inaccuracy_compensation;
	char		policy[CONF_POLICY_MAX];
	char		socket_group[CONF_GROUP_MAX];	/* may change things */
	unsigned int	socket_mode;			/* 0600, 0660, 0666 */
	bool		use_switch;	/* serve xapi's message-switch */
	char		switch_path[CONF_SOCKPATH_MAX];
	char		queue_name[CONF_QUEUE_MAX];
	char		boot_time_file[CONF_PATH_MAX];	/* "": not written */
	char		xmlrpc_socket[CONF_SOCKPATH_MAX];	/* "": none */
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

/* Print every key in canonical form ("-nv"): the output parses again. */
void	conf_print(const struct conf *, FILE *);

struct engine_conf;

/* The engine's settings from a configuration (-EINVAL: unknown policy). */
int	conf_engine(const struct conf *, struct engine_conf *ret);

/* Parse a duration ("5", "5s", "0.5s", "500ms"; bare numbers are seconds). */
int	conf_parse_duration(const char *, uint64_t max_ms, uint64_t *ret_ms);

/* Parse a strictly decimal, non-negative integer no larger than max. */
int	conf_parse_int(const char *, int64_t max, int64_t *ret);

#endif
