/*
 * ctl_svg.c: a line chart as SVG 1.1, written by hand: nice ticks, a grid,
 * one polyline per series, a legend on the right.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl_svg.h"

#define CTL_SVG_WIDTH		960
#define CTL_SVG_MIN_HEIGHT	540
#define CTL_SVG_LEFT		90	/* the plot area's margins, px */
#define CTL_SVG_RIGHT		200	/* the legend is in it */
#define CTL_SVG_TOP		50
#define CTL_SVG_BOTTOM		60
#define CTL_SVG_KEY_STEP	18	/* legend line spacing, px */
#define CTL_SVG_X_TICKS		10	/* at most, intervals */
#define CTL_SVG_Y_TICKS		8
#define CTL_SVG_EPS		1e-9
#define CTL_SVG_MAX_STEPS	1000
#define CTL_SVG_KIB_PER_MIB	1024.0
#define CTL_SVG_KIB_PER_GIB	1048576.0

/* The plot area, px. */
struct ctl_svg_box {
	double	left, right, top, bottom;
	int	width, height;
};

/* The i-th candidate step: 0.1, 0.2, 0.5, 1, 2, 5 ... s; or 2^i KiB. */
static double
ctl_svg_step(enum ctl_svg_unit unit, int i)
{
	static const double	m[] = { 1, 2, 5 };

	if (unit == CTL_SVG_KIB)
		return ldexp(1.0, i);
	return m[i % 3] * pow(10.0, i / 3 - 1);
}

/* Labels in the largest unit a quarter step of which still is a step. */
static void
ctl_svg_axis_unit(struct ctl_svg_axis *a)
{
	double	big = fmax(fabs(a->lo), fabs(a->hi));

	a->label_div = 1;
	a->label_unit = a->unit == CTL_SVG_SECS ? "s" : "KiB";
	if (a->unit == CTL_SVG_SECS)
		return;
	if (big >= CTL_SVG_KIB_PER_GIB && a->step >= CTL_SVG_KIB_PER_GIB / 4) {
		a->label_div = CTL_SVG_KIB_PER_GIB;
		a->label_unit = "GiB";
	} else if (big >= CTL_SVG_KIB_PER_MIB &&
	    a->step >= CTL_SVG_KIB_PER_MIB / 4) {
		a->label_div = CTL_SVG_KIB_PER_MIB;
		a->label_unit = "MiB";
	}
}

int
ctl_svg_axis_make(enum ctl_svg_unit unit, double lo, double hi,
    int max_ticks, struct ctl_svg_axis *ret)
{
	double	step, a, b;
	int	i;

	if (max_ticks < 1 || !isfinite(lo) || !isfinite(hi) || lo > hi)
		return -EINVAL;
	if (hi == lo)
		hi = lo + (unit == CTL_SVG_KIB ? CTL_SVG_KIB_PER_MIB : 1.0);
	for (i = 0; i < CTL_SVG_MAX_STEPS; i++) {
		step = ctl_svg_step(unit, i);
		a = floor(lo / step + CTL_SVG_EPS) * step;
		b = ceil(hi / step - CTL_SVG_EPS) * step;
		if (b <= a)
			b = a + step;
		if ((b - a) / step <= max_ticks + CTL_SVG_EPS)
			break;
	}
	if (i == CTL_SVG_MAX_STEPS)
		return -ERANGE;
	ret->unit = unit;
	ret->lo = a;
	ret->hi = b;
	ret->step = step;
	ctl_svg_axis_unit(ret);
	return 0;
}

void
ctl_svg_label(const struct ctl_svg_axis *a, double v, char *buf, size_t len)
{
	double	x = v / a->label_div;
	size_t	n;

	if (fabs(x) < CTL_SVG_EPS) {
		(void)snprintf(buf, len, "0");
		return;
	}
	(void)snprintf(buf, len, "%.2f", x);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	(void)snprintf(buf + n, len > n ? len - n : 0, " %s", a->label_unit);
}

double
ctl_svg_map(const struct ctl_svg_axis *a, double v, double p_lo, double p_hi)
{
	return p_lo + (v - a->lo) / (a->hi - a->lo) * (p_hi - p_lo);
}

/* An HSL colour (h in degrees, s and l in [0, 1]) as "#rrggbb". */
static void
ctl_svg_hsl(double h, double s, double l, char buf[8])
{
	double	c = (1 - fabs(2 * l - 1)) * s, hp = fmod(h, 360) / 60;
	double	x = c * (1 - fabs(fmod(hp, 2) - 1)), m = l - c / 2;
	double	rgb[3] = { 0, 0, 0 };

	switch ((int)hp) {
	case 0:  rgb[0] = c; rgb[1] = x; break;
	case 1:  rgb[0] = x; rgb[1] = c; break;
	case 2:  rgb[1] = c; rgb[2] = x; break;
	case 3:  rgb[1] = x; rgb[2] = c; break;
	case 4:  rgb[0] = x; rgb[2] = c; break;
	default: rgb[0] = c; rgb[2] = x; break;
	}
	(void)snprintf(buf, 8, "#%02x%02x%02x", (int)lround((rgb[0] + m) * 255),
	    (int)lround((rgb[1] + m) * 255), (int)lround((rgb[2] + m) * 255));
}

void
ctl_svg_colour(size_t i, char buf[8])
{
	/* Tableau's palette without its grey, then more of the kind */
	static const char *const	palette[] = { "#1f77b4", "#ff7f0e",
	    "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
	    "#17becf", "#393b79", "#637939", "#8c6d31" };
	size_t				np;

	np = sizeof(palette) / sizeof(palette[0]);
	if (i < np) {
		(void)snprintf(buf, 8, "%s", palette[i]);
		return;
	}
	/* golden-angle hues, two lightnesses: no two alike */
	ctl_svg_hsl((double)(i - np) * 137.50776, 0.65,
	    (i - np) % 2 ? 0.35 : 0.5, buf);
}

/* Text for an XML document: markup escaped, control characters '?'. */
static void
ctl_svg_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s,
			    f);
			break;
		}
	}
}

/* The data's extent over every point of every series; false: none. */
static bool
ctl_svg_extent(const struct ctl_svg_chart *c, double *x0, double *x1,
    double *y0, double *y1)
{
	const struct ctl_svg_series	*s;
	bool				 any = false;
	size_t				 i, k;

	*x0 = *y0 = HUGE_VAL;
	*x1 = *y1 = -HUGE_VAL;
	for (k = 0; k < c->nseries; k++)
		for (s = &c->series[k], i = 0; i < s->n; i++) {
			if (isnan(s->y[i]) || !isfinite(s->x[i]))
				continue;
			*x0 = fmin(*x0, s->x[i]);
			*x1 = fmax(*x1, s->x[i]);
			*y0 = fmin(*y0, s->y[i]);
			*y1 = fmax(*y1, s->y[i]);
			any = true;
		}
	if (any && c->y_zero) {
		*y0 = fmin(*y0, 0);
		*y1 = fmax(*y1, 0);
	}
	return any;
}

/* The grid, the tick labels and the frame. */
static void
ctl_svg_axes(FILE *f, const struct ctl_svg_box *b,
    const struct ctl_svg_axis *x, const struct ctl_svg_axis *y)
{
	char	label[64];
	double	p;
	long	k, n;

	fprintf(f, "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
	for (n = lround((x->hi - x->lo) / x->step), k = 0; k <= n; k++) {
		p = ctl_svg_map(x, x->lo + (double)k * x->step, b->left,
		    b->right);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", p, b->top, p, b->bottom);
	}
	for (n = lround((y->hi - y->lo) / y->step), k = 0; k <= n; k++) {
		p = ctl_svg_map(y, y->lo + (double)k * y->step, b->bottom,
		    b->top);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", b->left, p, b->right, p);
	}
	fprintf(f, "</g>\n<g font-size=\"11\" fill=\"#333333\">\n");
	for (n = lround((x->hi - x->lo) / x->step), k = 0; k <= n; k++) {
		ctl_svg_label(x, x->lo + (double)k * x->step, label,
		    sizeof(label));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
		    "%s</text>\n", ctl_svg_map(x, x->lo + (double)k * x->step,
		    b->left, b->right), b->bottom + 16, label);
	}
	for (n = lround((y->hi - y->lo) / y->step), k = 0; k <= n; k++) {
		ctl_svg_label(y, y->lo + (double)k * y->step, label,
		    sizeof(label));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
		    "%s</text>\n", b->left - 6, ctl_svg_map(y, y->lo +
		    (double)k * y->step, b->bottom, b->top) + 4, label);
	}
	fprintf(f, "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\" fill=\"none\" stroke=\"#000000\"/>\n", b->left,
	    b->top, b->right - b->left, b->bottom - b->top);
	if (y->lo < 0 && y->hi > 0) {
		p = ctl_svg_map(y, 0, b->bottom, b->top);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#000000\"/>\n", b->left, p, b->right,
		    p);
	}
}

/* The chart's title and the axes' titles. */
static void
ctl_svg_titles(FILE *f, const struct ctl_svg_box *b,
    const struct ctl_svg_chart *c)
{
	double	mid_y = (b->top + b->bottom) / 2;

	fprintf(f, "<text x=\"%.1f\" y=\"30\" font-size=\"15\" "
	    "text-anchor=\"middle\">", (b->left + b->right) / 2);
	ctl_svg_text(f, c->title != NULL ? c->title : "");
	fprintf(f, "</text>\n<text x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\">", (b->left + b->right) / 2,
	    b->bottom + 40);
	ctl_svg_text(f, c->x_title != NULL ? c->x_title : "");
	fprintf(f, "</text>\n<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 20 %.1f)\">", mid_y, mid_y);
	ctl_svg_text(f, c->y_title != NULL ? c->y_title : "");
	fprintf(f, "</text>\n");
}

/* The stroke-dasharray attribute of a line style. */
static const char *
ctl_svg_dash(int style)
{
	switch (style) {
	case CTL_SVG_DASHED:
		return " stroke-dasharray=\"6 3\"";
	case CTL_SVG_DOTTED:
		return " stroke-dasharray=\"1.5 3\"";
	default:
		return "";
	}
}

/* Inside a flat run (both neighbours at the same value): not drawn. */
static bool
ctl_svg_flat(const struct ctl_svg_series *s, size_t i)
{
	return i > 0 && i + 1 < s->n && s->y[i - 1] == s->y[i] &&
	    s->y[i + 1] == s->y[i];
}

/* One series: a polyline of its points, less those that add nothing. */
static void
ctl_svg_polyline(FILE *f, const struct ctl_svg_box *b,
    const struct ctl_svg_axis *x, const struct ctl_svg_axis *y,
    const struct ctl_svg_series *s)
{
	double	px, py, lx = NAN, ly = NAN;
	size_t	i;

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"%.1f\"%s points=\"", s->colour, s->width,
	    ctl_svg_dash(s->dashed));
	for (i = 0; i < s->n; i++) {
		if (isnan(s->y[i]) || ctl_svg_flat(s, i))
			continue;
		/* to a tenth of a pixel, as written */
		px = round(ctl_svg_map(x, s->x[i], b->left, b->right) * 10);
		py = round(ctl_svg_map(y, s->y[i], b->bottom, b->top) * 10);
		if (px == lx && py == ly)
			continue;
		fprintf(f, "%s%.1f,%.1f", isnan(lx) ? "" : " ", px / 10,
		    py / 10);
		lx = px;
		ly = py;
	}
	fprintf(f, "\"/>\n");
}

static void
ctl_svg_legend(FILE *f, const struct ctl_svg_box *b,
    const struct ctl_svg_chart *c)
{
	double	x = b->right + 16, y;
	size_t	k;

	fprintf(f, "<g font-size=\"12\">\n");
	for (k = 0; k < c->nkeys; k++) {
		y = b->top + 8 + (double)k * CTL_SVG_KEY_STEP;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", x, y,
		    x + 28, y, c->keys[k].colour,
		    ctl_svg_dash(c->keys[k].dashed));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 36, y + 4);
		ctl_svg_text(f, c->keys[k].label);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</g>\n");
}

int
ctl_svg_write(FILE *f, const struct ctl_svg_chart *c)
{
	struct ctl_svg_axis	x, y;
	struct ctl_svg_box	b;
	double			x0, x1, y0, y1;
	size_t			k;
	int			rc;

	if (!ctl_svg_extent(c, &x0, &x1, &y0, &y1))
		return -ENODATA;
	if ((rc = ctl_svg_axis_make(c->x_unit, x0, x1, CTL_SVG_X_TICKS,
	    &x)) < 0 || (rc = ctl_svg_axis_make(c->y_unit, y0, y1,
	    CTL_SVG_Y_TICKS, &y)) < 0)
		return rc;
	b.width = CTL_SVG_WIDTH;
	b.height = CTL_SVG_TOP + CTL_SVG_BOTTOM + 40 +
	    (int)c->nkeys * CTL_SVG_KEY_STEP;
	if (b.height < CTL_SVG_MIN_HEIGHT)
		b.height = CTL_SVG_MIN_HEIGHT;
	b.left = CTL_SVG_LEFT;
	b.right = b.width - CTL_SVG_RIGHT;
	b.top = CTL_SVG_TOP;
	b.bottom = b.height - CTL_SVG_BOTTOM;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "font-family=\"sans-serif\">\n<title>", b.width, b.height, b.width,
	    b.height);
	ctl_svg_text(f, c->title != NULL ? c->title : "");
	fprintf(f, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\"/>\n", b.width, b.height);
	ctl_svg_axes(f, &b, &x, &y);
	ctl_svg_titles(f, &b, c);
	fprintf(f, "<g stroke-linejoin=\"round\">\n");
	for (k = 0; k < c->nseries; k++)
		ctl_svg_polyline(f, &b, &x, &y, &c->series[k]);
	fprintf(f, "</g>\n");
	ctl_svg_legend(f, &b, c);
	fprintf(f, "</svg>\n");
	return ferror(f) ? -EIO : 0;
}
