/*
 * ctl_output_text.c: squeezerctl's output for people: each command's text
 * (tables and summaries built here, sizes in a readable unit or -u's),
 * errors as one line on stderr.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"

#define CTL_TEXT_CELL_MAX	128	/* longest cell shown */
#define CTL_TEXT_MAXCOLS	10	/* columns of a table */
#define CTL_TEXT_JSON		(JSON_C_TO_STRING_PRETTY | \
	JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* A table being printed: its columns, and how each is shown. */
struct ctl_output_text_tab {
	const struct ctl_col	*cols;
	size_t			 ncols;
	int			 unit[CTL_TEXT_MAXCOLS];
	int			 width[CTL_TEXT_MAXCOLS];
	bool			 shown[CTL_TEXT_MAXCOLS];
};

/* Is a column of this kind a size, with a unit? */
static bool
ctl_output_text_is_size(enum ctl_col_kind kind)
{
	return kind == CTL_COL_SIZE || kind == CTL_COL_RANGE ||
	    kind == CTL_COL_RATIO || kind == CTL_COL_DELTA;
}

/* Is a column of this kind left-aligned? */
static bool
ctl_output_text_is_left(enum ctl_col_kind kind)
{
	return kind == CTL_COL_VALUE || kind == CTL_COL_DELTA ||
	    kind == CTL_COL_ARROW;
}

/* Format the sizes of cell c of row in unit: "1.5", "1.0-2.0", "2/7". */
static bool
ctl_output_text_size_cell(const struct ctl_col *c, struct json_object *row,
    int unit, char *buf, size_t len)
{
	char	a[32], b[32];
	int64_t	x, y;

	if (!ctl_output_int(row, c->key, &x))
		return false;
	if (c->kind == CTL_COL_RATIO && !ctl_output_int(row, c->key2, &y))
		return false;
	if (c->kind == CTL_COL_DELTA) {
		ctl_fmt_number(x < 0 ? -x : x, unit, a, sizeof(a));
		(void)snprintf(buf, len, "%s %s", x < 0 ? "gives" : x > 0 ?
		    "takes" : "keeps", a);
		return true;
	}
	if (c->kind == CTL_COL_RATIO && x < 0)
		x = 0;
	ctl_fmt_number(x, unit, a, sizeof(a));
	if (c->kind == CTL_COL_SIZE || (c->kind == CTL_COL_RANGE &&
	    (c->key2 == NULL || !ctl_output_int(row, c->key2, &y)))) {
		(void)snprintf(buf, len, "%s", a);
		return true;
	}
	ctl_fmt_number(y < 0 ? 0 : y, unit, b, sizeof(b));
	(void)snprintf(buf, len, "%s%s%s", a,
	    c->kind == CTL_COL_RANGE ? "-" : "/", b);
	return true;
}

/* Format the cell of column j for row. */
static void
ctl_output_text_cell(const struct ctl_output_text_tab *t, size_t j,
    struct json_object *row, char *buf, size_t len)
{
	const struct ctl_col	*c = &t->cols[j];
	int64_t			 ms;

	if (c->kind == CTL_COL_ARROW)
		(void)snprintf(buf, len, "->");
	else if (ctl_output_text_is_size(c->kind) &&
	    ctl_output_text_size_cell(c, row, t->unit[j], buf, len))
		return;
	else if (c->kind == CTL_COL_DURATION && ctl_output_int(row, c->key,
	    &ms))
		ctl_fmt_duration(ms < 0 ? 0 : (uint64_t)ms, buf, len);
	else
		ctl_output_value(row, c->key, buf, len);
}

/* The largest size of column c in rows, as a magnitude. */
static int64_t
ctl_output_text_col_max(const struct ctl_col *c, struct json_object *rows,
    size_t n)
{
	struct json_object	*row;
	int64_t			 v, max = 0;
	size_t			 i;

	if (!ctl_output_text_is_size(c->kind))
		return 0;
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(rows, i);
		if (ctl_output_int(row, c->key, &v) && llabs(v) > max)
			max = llabs(v);
		if (c->key2 != NULL && ctl_output_int(row, c->key2, &v) &&
		    llabs(v) > max)
			max = llabs(v);
	}
	return max;
}

/* Is column c there in any of the rows? */
static bool
ctl_output_text_col_present(const struct ctl_col *c, struct json_object *rows,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(rows,
		    i), c->key, NULL))
			return true;
	return false;
}

/* The header of column j: "TARGET(GiB)" for sizes. */
static void
ctl_output_text_head(const struct ctl_output_text_tab *t, size_t j, char *buf,
    size_t len)
{
	if (ctl_output_text_is_size(t->cols[j].kind))
		(void)snprintf(buf, len, "%s(%s)", t->cols[j].head,
		    ctl_fmt_unit_name(t->unit[j]));
	else
		(void)snprintf(buf, len, "%s", t->cols[j].head);
}

/* Print one line of the table: the header when row is NULL. */
static void
ctl_output_text_line(const struct ctl_output_text_tab *t,
    struct json_object *row)
{
	char	cell[CTL_TEXT_CELL_MAX];
	size_t	j, last = 0;
	bool	left;

	for (j = 0; j < t->ncols; j++)
		if (t->shown[j])
			last = j;
	for (j = 0; j < t->ncols; j++) {
		if (!t->shown[j])
			continue;
		if (row == NULL)
			ctl_output_text_head(t, j, cell, sizeof(cell));
		else
			ctl_output_text_cell(t, j, row, cell, sizeof(cell));
		left = ctl_output_text_is_left(t->cols[j].kind);
		if (j == last && left)
			printf("%s\n", cell);
		else
			printf("%*s%s", left ? -t->width[j] : t->width[j],
			    cell, j == last ? "\n" : "  ");
	}
}

/* Choose each column's unit and width, and whether it is shown. */
static void
ctl_output_text_layout(const struct ctl *ctl, struct ctl_output_text_tab *t,
    struct json_object *rows, size_t n)
{
	const struct ctl_col	*c;
	char			 cell[CTL_TEXT_CELL_MAX];
	size_t			 i, j;

	for (j = 0; j < t->ncols; j++) {
		c = &t->cols[j];
		t->shown[j] = !c->optional || (c->key != NULL &&
		    ctl_output_text_col_present(c, rows, n));
		t->unit[j] = ctl->ctl_unit != CTL_FMT_AUTO ? ctl->ctl_unit :
		    ctl_fmt_unit_for(ctl_output_text_col_max(c, rows, n));
		ctl_output_text_head(t, j, cell, sizeof(cell));
		t->width[j] = (int)strlen(cell);
		for (i = 0; i < n; i++) {
			ctl_output_text_cell(t, j,
			    json_object_array_get_idx(rows, i), cell,
			    sizeof(cell));
			if ((int)strlen(cell) > t->width[j])
				t->width[j] = (int)strlen(cell);
		}
	}
}

void
ctl_output_text_table(const struct ctl *ctl, const struct ctl_col *cols,
    size_t ncols, struct json_object *rows)
{
	struct ctl_output_text_tab	t = { .cols = cols };
	size_t			i, n = 0;

	t.ncols = ncols > CTL_TEXT_MAXCOLS ? CTL_TEXT_MAXCOLS : ncols;
	if (json_object_is_type(rows, json_type_array))
		n = json_object_array_length(rows);
	ctl_output_text_layout(ctl, &t, rows, n);
	ctl_output_text_line(&t, NULL);
	for (i = 0; i < n; i++)
		ctl_output_text_line(&t, json_object_array_get_idx(rows, i));
}

/* Format line i of a summary: a size with its unit, else as a cell. */
static void
ctl_output_text_summary_value(const struct ctl *ctl, const struct ctl_col *c,
    struct json_object *o, char *buf, size_t len)
{
	int64_t	v;

	if (c->kind == CTL_COL_SIZE)
		ctl_output_size(ctl, o, c->key, buf, len);
	else if (c->kind == CTL_COL_DURATION && ctl_output_int(o, c->key, &v))
		ctl_fmt_duration(v < 0 ? 0 : (uint64_t)v, buf, len);
	else
		ctl_output_value(o, c->key, buf, len);
}

void
ctl_output_text_summary(const struct ctl *ctl, const struct ctl_col *lines,
    size_t n, struct json_object *o)
{
	char	v[CTL_TEXT_CELL_MAX];
	size_t	i;
	int	lw = 0, vw = 0;

	for (i = 0; i < n; i++) {
		ctl_output_text_summary_value(ctl, &lines[i], o, v, sizeof(v));
		if ((int)strlen(lines[i].head) > lw)
			lw = (int)strlen(lines[i].head);
		if ((int)strlen(v) > vw)
			vw = (int)strlen(v);
	}
	for (i = 0; i < n; i++) {
		ctl_output_text_summary_value(ctl, &lines[i], o, v, sizeof(v));
		printf("%-*s  %*s\n", lw, lines[i].head, vw, v);
	}
}

bool
ctl_output_text_domids(struct json_object *o, const char *key, const char *what)
{
	struct json_object	*a;
	size_t			 i, n;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) == 0)
		return false;
	printf("%s", what);
	for (i = 0; i < n; i++)
		printf("%s%" PRId64, i > 0 ? ", " : " ",
		    json_object_get_int64(json_object_array_get_idx(a, i)));
	return true;
}

static void
ctl_output_text_result(const struct ctl *ctl, ctl_text_fn *text,
    struct json_object *result, int flags)
{
	if (text != NULL)
		text(ctl, result);
	else
		printf("%s\n", json_object_to_json_string_ext(result,
		    (flags & CTL_OUT_LINE) ? JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE : CTL_TEXT_JSON));
}

/* One line on stderr, and the usage line after a usage error. */
static void
ctl_output_text_error(const struct ctl *ctl, const char *word, const char *text,
    const char *usage, struct json_object *remote)
{
	(void)word;
	(void)remote;
	(void)fflush(stdout);	/* what came before it comes first */
	fprintf(stderr, "squeezerctl: %s%s%s\n",
	    ctl->ctl_cmd != NULL ? ctl->ctl_cmd : "",
	    ctl->ctl_cmd != NULL ? ": " : "", text);
	if (usage != NULL)
		fprintf(stderr, "%s\n", usage);
}

const struct ctl_output ctl_output_text = {
	.result	= ctl_output_text_result,
	.error	= ctl_output_text_error,
};
