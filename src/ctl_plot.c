/*
 * ctl_plot.c: "squeezerctl plot": a scenario's trace as a chart.  The trace
 * is simulate.c's (sim_trace): "t=S F<free> <outcome> <phase>; <domid>
 * T<target> A<actual> M<maxmem>[ U<used>]; ..." per engine iteration (and
 * balance check), KiB; U when the guest reports what it uses.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_plot.h"
#include "ctl_svg.h"
#include "host.h"
#include "policy.h"
#include "scenario.h"
#include "simulate.h"

#define CTL_PLOT_LABEL_MAX	32

/* One domain's samples; NAN where it was not in the iteration. */
struct ctl_plot_dom {
	int32_t	 domid;
	double	*target, *actual, *used;
	bool	 has_used;	/* it reported its use at least once */
	char	 colour[8];
	char	 label[CTL_PLOT_LABEL_MAX];
};

/* The trace: samples in time order, the domains ascending. */
struct ctl_plot {
	double			*t, *free;
	size_t			 n;
	struct ctl_plot_dom	*doms;
	size_t			 ndoms;
};

/* The time and free memory of a trace line; *rest: after them. */
static int
ctl_plot_head(const char *line, double *ret_t, double *ret_free,
    const char **rest)
{
	char	*end;

	if (strncmp(line, "t=", 2) != 0)
		return -EINVAL;
	*ret_t = strtod(line + 2, &end);
	if (end == line + 2 || strncmp(end, " F", 2) != 0)
		return -EINVAL;
	line = end + 2;
	*ret_free = (double)strtoll(line, &end, 10);
	if (end == line)
		return -EINVAL;
	*rest = end;
	return 0;
}

/* A number and what follows it; false if there is none. */
static bool
ctl_plot_num(const char **p, long long *ret)
{
	char	*end;

	*ret = strtoll(*p, &end, 10);
	if (end == *p)
		return false;
	*p = end;
	return true;
}

/*
 * The next "; D T<target> A<actual>" of a trace line; false at its end.
 * Not sscanf: glibc's measures the whole rest of the trace at each call,
 * which makes a long trace quadratic.
 */
static bool
ctl_plot_next(const char **s, int32_t *domid, double *target, double *actual,
    double *used)
{
	const char	*p = *s;
	long long	 d, t, a, m, u;

	/* within the line: strstr would run on into the next ones */
	while (*p != '\0' && *p != '\n' && (p[0] != ';' || p[1] != ' '))
		p++;
	if (p[0] != ';')
		return false;
	*s = p + 2;
	p += 2;
	if (!ctl_plot_num(&p, &d) || strncmp(p, " T", 2) != 0 ||
	    (p += 2, !ctl_plot_num(&p, &t)) || strncmp(p, " A", 2) != 0 ||
	    (p += 2, !ctl_plot_num(&p, &a)) || d < INT32_MIN || d > INT32_MAX)
		return false;
	*domid = (int32_t)d;
	*target = (double)t;
	*actual = (double)a;
	*used = NAN;
	if (strncmp(p, " M", 2) == 0 && (p += 2, ctl_plot_num(&p, &m)) &&
	    strncmp(p, " U", 2) == 0 && (p += 2, ctl_plot_num(&p, &u)))
		*used = (double)u;
	return true;
}

/* The index of domid among the domains, or where it would go. */
static size_t
ctl_plot_find(const struct ctl_plot *p, int32_t domid)
{
	size_t	i;

	for (i = 0; i < p->ndoms && p->doms[i].domid < domid; i++)
		;
	return i;
}

/* Count the samples and collect the domains (the first pass). */
static int
ctl_plot_scan(struct ctl_plot *p, const char *text)
{
	struct ctl_plot_dom	*v;
	const char		*line, *rest;
	double			 t, fr, tg, ac, us;
	int32_t			 domid;
	size_t			 i;

	for (line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (ctl_plot_head(line, &t, &fr, &rest) == 0) {
			p->n++;
			while (ctl_plot_next(&rest, &domid, &tg, &ac, &us)) {
				i = ctl_plot_find(p, domid);
				if (i < p->ndoms && p->doms[i].domid == domid) {
					p->doms[i].has_used |= !isnan(us);
					continue;
				}
				if (p->ndoms > HOST_MAX_DOMID || (v = realloc(
				    p->doms, (p->ndoms + 1) * sizeof(*v))) ==
				    NULL)
					return -ENOMEM;
				p->doms = v;
				memmove(v + i + 1, v + i,
				    (p->ndoms++ - i) * sizeof(*v));
				memset(&v[i], 0, sizeof(v[i]));
				v[i].domid = domid;
				v[i].has_used = !isnan(us);
			}
		}
		if (strchr(line, '\n') == NULL)
			break;
	}
	return 0;
}

/* An array of n NANs. */
static double *
ctl_plot_nans(size_t n)
{
	double	*v;
	size_t	 i;

	if ((v = calloc(n, sizeof(*v))) != NULL)
		for (i = 0; i < n; i++)
			v[i] = NAN;
	return v;
}

/* Fill the samples (the second pass). */
static int
ctl_plot_fill(struct ctl_plot *p, const char *text)
{
	const char	*line, *rest;
	double		 tg, ac, us;
	int32_t		 domid;
	size_t		 i, k = 0;

	if ((p->t = ctl_plot_nans(p->n)) == NULL ||
	    (p->free = ctl_plot_nans(p->n)) == NULL)
		return -ENOMEM;
	for (i = 0; i < p->ndoms; i++)
		if ((p->doms[i].target = ctl_plot_nans(p->n)) == NULL ||
		    (p->doms[i].actual = ctl_plot_nans(p->n)) == NULL ||
		    (p->doms[i].used = ctl_plot_nans(p->n)) == NULL)
			return -ENOMEM;
	for (line = text; *line != '\0' && k < p->n;
	    line = strchr(line, '\n') + 1) {
		if (ctl_plot_head(line, &p->t[k], &p->free[k], &rest) == 0) {
			while (ctl_plot_next(&rest, &domid, &tg, &ac, &us)) {
				i = ctl_plot_find(p, domid);
				p->doms[i].target[k] = tg;
				p->doms[i].actual[k] = ac;
				p->doms[i].used[k] = us;
			}
			k++;
		}
		if (strchr(line, '\n') == NULL)
			break;
	}
	return 0;
}

static void
ctl_plot_dispose(struct ctl_plot *p)
{
	size_t	i;

	for (i = 0; i < p->ndoms; i++) {
		free(p->doms[i].target);
		free(p->doms[i].actual);
		free(p->doms[i].used);
	}
	free(p->doms);
	free(p->t);
	free(p->free);
}

/*
 * The chart: per domain its target (dashed), actual (solid) and, if it
 * reports it, what it uses (dotted); the host's free memory.
 */
static int
ctl_plot_draw(struct ctl_plot *p, const char *title, FILE *f)
{
	struct ctl_svg_series	*s;
	struct ctl_svg_key	*k;
	struct ctl_svg_chart	 c = { .title = title, .x_unit = CTL_SVG_SECS,
	    .y_unit = CTL_SVG_KIB, .y_zero = true,
	    .x_title = "simulated time", .y_title = "memory" };
	size_t			 i, ns = 0, nk = 0;
	bool			 any_used = false;
	int			 rc;

	s = calloc(3 * p->ndoms + 1, sizeof(*s));
	k = calloc(p->ndoms + 4, sizeof(*k));
	if (s == NULL || k == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	k[nk++] = (struct ctl_svg_key){ "host free", "#000000",
	    CTL_SVG_SOLID };
	for (i = 0; i < p->ndoms; i++) {
		ctl_svg_colour(i, p->doms[i].colour);
		snprintf(p->doms[i].label, sizeof(p->doms[i].label),
		    "domain %" PRId32, p->doms[i].domid);
		s[ns++] = (struct ctl_svg_series){ p->doms[i].colour,
		    CTL_SVG_DASHED, 1.2, p->t, p->doms[i].target, p->n };
		s[ns++] = (struct ctl_svg_series){ p->doms[i].colour,
		    CTL_SVG_SOLID, 1.5, p->t, p->doms[i].actual, p->n };
		if (p->doms[i].has_used) {
			s[ns++] = (struct ctl_svg_series){ p->doms[i].colour,
			    CTL_SVG_DOTTED, 1.2, p->t, p->doms[i].used, p->n };
			any_used = true;
		}
		k[nk++] = (struct ctl_svg_key){ p->doms[i].label,
		    p->doms[i].colour, CTL_SVG_SOLID };
	}
	s[ns++] = (struct ctl_svg_series){ "#000000", CTL_SVG_SOLID, 2.0,
	    p->t, p->free, p->n };
	k[nk++] = (struct ctl_svg_key){ "target (dashed)", "#888888",
	    CTL_SVG_DASHED };
	k[nk++] = (struct ctl_svg_key){ "actual (solid)", "#888888",
	    CTL_SVG_SOLID };
	if (any_used)
		k[nk++] = (struct ctl_svg_key){ "in use (dotted)", "#888888",
		    CTL_SVG_DOTTED };
	c.series = s;
	c.nseries = ns;
	c.keys = k;
	c.nkeys = nk;
	rc = ctl_svg_write(f, &c);
out:
	free(s);
	free(k);
	return rc;
}

/* Run the scenario; its trace in *ret_text (malloc'd). */
static int
ctl_plot_simulate(const char *in, const struct simulate_opts *opts,
    char **ret_text, char *err, size_t errlen)
{
	struct scenario		 s;
	FILE			*trace, *out;
	char			*discard = NULL;
	size_t			 tlen = 0, dlen = 0;
	int			 rc;

	if (scenario_load(in, &s, err, errlen) < 0)
		return -EINVAL;
	*ret_text = NULL;
	trace = open_memstream(ret_text, &tlen);
	out = open_memstream(&discard, &dlen);
	rc = trace == NULL || out == NULL ? -ENOMEM :
	    simulate_run_opts(&s, opts, out, trace, NULL);
	if ((trace != NULL && fclose(trace) != 0) ||
	    (out != NULL && fclose(out) != 0))
		rc = -ENOMEM;
	free(discard);
	scenario_dispose(&s);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot simulate: %s", in,
		    strerror(-rc));
		free(*ret_text);
		*ret_text = NULL;
	}
	return rc;
}

int
ctl_plot_run(const char *in, const char *out, char *err, size_t errlen)
{
	return ctl_plot_run_opts(in, out, NULL, err, errlen);
}

int
ctl_plot_run_opts(const char *in, const char *out,
    const struct simulate_opts *opts, char *err, size_t errlen)
{
	const struct policy	*policy = opts != NULL ? opts->policy : NULL;
	struct ctl_plot		 p = { 0 };
	FILE			*f;
	char			*text = NULL, title[256];
	int			 rc;

	snprintf(title, sizeof(title), "%s, policy %s", in,
	    policy != NULL ? policy->name : "");
	if ((rc = ctl_plot_simulate(in, opts, &text, err, errlen)) < 0)
		return rc;
	if ((rc = ctl_plot_scan(&p, text)) < 0 ||
	    (rc = ctl_plot_fill(&p, text)) < 0) {
		snprintf(err, errlen, "%s: %s", in, strerror(-rc));
		goto out;
	}
	if (p.n == 0) {
		snprintf(err, errlen, "%s: no engine iteration ran: nothing "
		    "to plot", in);
		rc = -ENODATA;
		goto out;
	}
	if ((f = fopen(out, "w")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", out,
		    strerror(-rc));
		goto out;
	}
	rc = ctl_plot_draw(&p, policy != NULL ? title : in, f);
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "cannot write %s: %s", out,
		    strerror(-rc));
		(void)unlink(out);	/* no half a chart */
	}
out:
	ctl_plot_dispose(&p);
	free(text);
	return rc;
}

char *
ctl_plot_default_out(const char *in)
{
	size_t	 n = strlen(in);
	char	*out;

	if (n >= 5 && strcmp(in + n - 5, ".json") == 0)
		n -= 5;
	if ((out = malloc(n + 5)) == NULL)
		return NULL;
	memcpy(out, in, n);
	memcpy(out + n, ".svg", 5);
	return out;
}
