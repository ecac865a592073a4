/*
 * ctl_svg.h: a line chart written by hand as SVG, for "squeezerctl plot":
 * axes with "nice" ticks (seconds in steps of 1, 2 or 5 x 10^k; memory in
 * power-of-two KiB, labelled in KiB, MiB or GiB), a grid, one polyline per
 * series and a legend.  No I/O but the FILE given.
 */
#ifndef SQUEEZERD_CTL_SVG_H
#define SQUEEZERD_CTL_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ctl_svg_unit {
	CTL_SVG_SECS,		/* values in s, labels "10 s" */
	CTL_SVG_KIB,		/* values in KiB, labels "512 MiB", "2 GiB" */
};

/* An axis: whole ticks lo, lo + step, ..., hi. */
struct ctl_svg_axis {
	enum ctl_svg_unit	unit;
	double			lo, hi, step;
	double			label_div;	/* labels: value / label_div */
	const char		*label_unit;	/* "s", "KiB", "MiB", "GiB" */
};

/*
 * Choose the axis for data in [lo, hi] (lo <= hi): the smallest step
 * (at least 0.1 s, or 1 KiB) that covers the range, widened to whole
 * steps, in at most max_ticks intervals (max_ticks >= 1).  An empty range
 * is widened first.  Returns 0, or -EINVAL for bad arguments.
 */
int	ctl_svg_axis_make(enum ctl_svg_unit, double lo, double hi,
	    int max_ticks, struct ctl_svg_axis *ret);

/* The label of tick value v: "0", "1.5 GiB", "-256 MiB", "12.5 s". */
void	ctl_svg_label(const struct ctl_svg_axis *, double v, char *buf,
	    size_t len);

/* Map v on the axis to the pixel range [p_lo, p_hi] (p_hi < p_lo: up). */
double	ctl_svg_map(const struct ctl_svg_axis *, double v, double p_lo,
	    double p_hi);

/* The colour "#rrggbb" of series i: distinct for each i. */
void	ctl_svg_colour(size_t i, char buf[8]);

/* How a line is drawn (true and false are dashed and solid). */
#define CTL_SVG_SOLID	0
#define CTL_SVG_DASHED	1
#define CTL_SVG_DOTTED	2

struct ctl_svg_series {
	const char	*colour;	/* "#rrggbb" */
	int		 dashed;	/* CTL_SVG_SOLID, _DASHED, _DOTTED */
	double		 width;		/* stroke, px */
	const double	*x, *y;		/* n points; NAN in y: no point */
	size_t		 n;
};

struct ctl_svg_key {
	const char	*label;
	const char	*colour;
	int		 dashed;	/* as the series' */
};

struct ctl_svg_chart {
	const char			*title;
	const char			*x_title, *y_title;
	enum ctl_svg_unit		 x_unit, y_unit;
	bool				 y_zero;	/* the y axis shows 0 */
	const struct ctl_svg_series	*series;
	size_t				 nseries;
	const struct ctl_svg_key	*keys;		/* the legend */
	size_t				 nkeys;
};

/* Write the chart as a whole SVG document; -errno when f failed. */
int	ctl_svg_write(FILE *, const struct ctl_svg_chart *);

#endif
