/*
 * ctl_output.h: squeezerctl's output engine.  Results and errors go
 * through an ops table: ctl_output_text (tables, summaries and lines for
 * people, sizes in readable units) or ctl_output_json (-j: the daemon's
 * JSON, and errors as JSON objects on stdout too), as bgpctl's output and
 * json_output.
 */
#ifndef SQUEEZERD_CTL_OUTPUT_H
#define SQUEEZERD_CTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

#define CTL_OUT_LINE	0x1	/* JSON: on one line (top, call) */

struct ctl_output {
	/* A result: shown by text (NULL: as JSON), or as JSON. */
	void	(*result)(const struct ctl *, ctl_text_fn *text,
		    struct json_object *result, int flags);
	/*
	 * A failure: its word ("usage", "cannot_free" ...), a line for
	 * people, the usage line for a usage error (else NULL), and the
	 * daemon's error object when it said no (else NULL).
	 */
	void	(*error)(const struct ctl *, const char *word,
		    const char *text, const char *usage,
		    struct json_object *remote);
};

extern const struct ctl_output ctl_output_text;	/* ctl_output_text.c */
extern const struct ctl_output ctl_output_json;	/* ctl_output_json.c */

/* How a member of a result is shown in a table or summary. */
enum ctl_col_kind {
	CTL_COL_VALUE,		/* as it is; booleans yes/no; left-aligned */
	CTL_COL_INT,		/* as it is, right-aligned */
	CTL_COL_SIZE,		/* KiB, in the column's unit */
	CTL_COL_RANGE,		/* KiB: key, or key-key2 when key2 is there */
	CTL_COL_RATIO,		/* KiB: key/key2 (negatives as 0) */
	CTL_COL_DELTA,		/* KiB: "gives N" below 0, "takes N" above */
	CTL_COL_DURATION,	/* ms: "2.5s", "10m", "1y" */
	CTL_COL_ARROW,		/* no member: "->" */
};

/* A table column, or a labelled line of a summary. */
struct ctl_col {
	const char		*head;
	const char		*key;
	enum ctl_col_kind	 kind;
	const char		*key2;		/* RANGE, RATIO */
	bool			 optional;	/* shown if a row has it */
};

/*
 * ctl_output_text.c: print rows (an array of objects) as a table under a
 * header line; size columns name their unit in the header, "TARGET(GiB)".
 */
void	ctl_output_text_table(const struct ctl *, const struct ctl_col *,
	    size_t ncols, struct json_object *rows);

/* Print "label  value" lines, one per member of o; sizes with a unit. */
void	ctl_output_text_summary(const struct ctl *, const struct ctl_col *,
	    size_t n, struct json_object *o);

/* Format member key of o as a size with its unit ("1.5 GiB"); "-" if none. */
void	ctl_output_size(const struct ctl *, struct json_object *o,
	    const char *key, char *buf, size_t len);

/* Format member key of o as it is, for a terminal; "-" if none. */
void	ctl_output_value(struct json_object *o, const char *key, char *buf,
	    size_t len);

/* Print "what 3, 5" for a non-empty array of domids in o; else false. */
bool	ctl_output_text_domids(struct json_object *o, const char *key,
	    const char *what);

/* ctl_output.c: what both outputs share. */

/*
 * Say that the command failed: word, and a line for people made from
 * fmt; CTL_EXIT_FAIL.
 */
int	ctl_output_fail(const struct ctl *, const char *word, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Say that the daemon refused or failed (its error object): CTL_EXIT_FAIL. */
int	ctl_output_remote(const struct ctl *, struct json_object *err);

/* Say that the command was used wrongly, why, and its usage: CTL_EXIT_USAGE. */
int	ctl_output_usage(const struct ctl *, const char *usage,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The string member key of o, or "". */
const char	*ctl_output_str(struct json_object *o, const char *key);

/* The integer member key of o, if there is one. */
bool	ctl_output_int(struct json_object *o, const char *key, int64_t *ret);

#endif
