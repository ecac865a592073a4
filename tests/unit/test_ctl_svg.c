/*
 * Unit tests of the SVG chart writer of "squeezerctl plot": axis ranges and
 * steps, tick labels, the pixel mapping, colours, and a whole chart.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ctl_svg.h"

#define MIB(x)	((double)(x) * 1024)
#define GIB(x)	((double)(x) * 1048576)

static const struct {
	const char		*what;
	enum ctl_svg_unit	 unit;
	double			 lo, hi;
	int			 max_ticks;
	double			 want_lo, want_hi, want_step;
	const char		*want_unit;
} axes[] = {
	{ "0-10 s in 10", CTL_SVG_SECS, 0, 10, 10, 0, 10, 1, "s" },
	{ "10-20.2 s in 10: 2 s", CTL_SVG_SECS, 10, 20.2, 10, 10, 22, 2,
	    "s" },
	{ "floating 10.3 s is not 10.4", CTL_SVG_SECS, 10.3, 10.3 + 0.6, 10,
	    10.3, 10.9, 0.1, "s" },
	{ "0-0.35 s: 0.05 is no step", CTL_SVG_SECS, 0, 0.35, 4, 0, 0.4, 0.1,
	    "s" },
	{ "0-1234 s in 8: 200 s", CTL_SVG_SECS, 0, 1234, 8, 0, 1400, 200,
	    "s" },
	{ "an instant is widened to a second", CTL_SVG_SECS, 5, 5, 10, 5, 6,
	    0.1, "s" },
	{ "0-16 GiB in 8: 2 GiB", CTL_SVG_KIB, 0, GIB(16), 8, 0, GIB(16),
	    GIB(2), "GiB" },
	{ "0-33 GiB in 8: 8 GiB, up to 40", CTL_SVG_KIB, 0, GIB(33), 8, 0,
	    GIB(40), GIB(8), "GiB" },
	{ "0-3000 MiB in 6: 512 MiB, in GiB", CTL_SVG_KIB, 0, MIB(3000), 6, 0,
	    MIB(3072), MIB(512), "GiB" },
	{ "-300..700 MiB in 5: 256 MiB, in MiB", CTL_SVG_KIB, MIB(-300),
	    MIB(700), 5, MIB(-512), MIB(768), MIB(256), "MiB" },
	{ "0-100 KiB in 4: 32 KiB", CTL_SVG_KIB, 0, 100, 4, 0, 128, 32,
	    "KiB" },
	{ "an empty range is widened to a MiB", CTL_SVG_KIB, 0, 0, 4, 0,
	    MIB(1), MIB(0.25), "MiB" },
};

static void
test_axes(void **state)
{
	struct ctl_svg_axis	a;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(axes) / sizeof(axes[0]); i++) {
		assert_int_equal(ctl_svg_axis_make(axes[i].unit, axes[i].lo,
		    axes[i].hi, axes[i].max_ticks, &a), 0);
		if (fabs(a.lo - axes[i].want_lo) > 1e-6 ||
		    fabs(a.hi - axes[i].want_hi) > 1e-6 ||
		    fabs(a.step - axes[i].want_step) > 1e-6 ||
		    strcmp(a.label_unit, axes[i].want_unit) != 0)
			fail_msg("%s: [%g, %g] step %g %s, want [%g, %g] step "
			    "%g %s", axes[i].what, a.lo, a.hi, a.step,
			    a.label_unit, axes[i].want_lo, axes[i].want_hi,
			    axes[i].want_step, axes[i].want_unit);
		/* a whole number of intervals, no more than asked */
		assert_true(fabs((a.hi - a.lo) / a.step -
		    round((a.hi - a.lo) / a.step)) < 1e-6);
		assert_true(round((a.hi - a.lo) / a.step) <=
		    axes[i].max_ticks);
		assert_true(a.lo <= axes[i].lo && a.hi >= axes[i].hi);
	}
}

static void
test_axis_bad(void **state)
{
	struct ctl_svg_axis	a;

	(void)state;
	assert_int_equal(ctl_svg_axis_make(CTL_SVG_SECS, 2, 1, 5, &a),
	    -EINVAL);
	assert_int_equal(ctl_svg_axis_make(CTL_SVG_SECS, 0, 1, 0, &a),
	    -EINVAL);
	assert_int_equal(ctl_svg_axis_make(CTL_SVG_KIB, 0, INFINITY, 5, &a),
	    -EINVAL);
	assert_int_equal(ctl_svg_axis_make(CTL_SVG_KIB, NAN, 1, 5, &a),
	    -EINVAL);
}

static void
test_labels(void **state)
{
	static const struct {
		enum ctl_svg_unit	 unit;
		double			 lo, hi, v;
		const char		*want;
	} labels[] = {
		{ CTL_SVG_KIB, 0, GIB(16), GIB(4), "4 GiB" },
		{ CTL_SVG_KIB, 0, GIB(16), 0, "0" },
		{ CTL_SVG_KIB, 0, MIB(3000), MIB(1536), "1.5 GiB" },
		{ CTL_SVG_KIB, 0, MIB(3000), MIB(512), "0.5 GiB" },
		{ CTL_SVG_KIB, MIB(-300), MIB(700), MIB(-256), "-256 MiB" },
		{ CTL_SVG_KIB, 0, 100, 64, "64 KiB" },
		{ CTL_SVG_SECS, 0, 10, 7, "7 s" },
		{ CTL_SVG_SECS, 10.3, 10.9, 10.3 + 0.1 * 4, "10.7 s" },
	};
	struct ctl_svg_axis	a;
	char			buf[64];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		assert_int_equal(ctl_svg_axis_make(labels[i].unit, labels[i].lo,
		    labels[i].hi, 8, &a), 0);
		ctl_svg_label(&a, labels[i].v, buf, sizeof(buf));
		assert_string_equal(buf, labels[i].want);
	}
	ctl_svg_label(&a, -1e-12, buf, sizeof(buf));
	assert_string_equal(buf, "0");		/* never "-0" */
}

static void
test_map(void **state)
{
	struct ctl_svg_axis	a;

	(void)state;
	assert_int_equal(ctl_svg_axis_make(CTL_SVG_SECS, 0, 10, 10, &a), 0);
	assert_true(fabs(ctl_svg_map(&a, 5, 100, 200) - 150) < 1e-9);
	assert_true(fabs(ctl_svg_map(&a, 0, 100, 200) - 100) < 1e-9);
	/* upwards: the y axis */
	assert_true(fabs(ctl_svg_map(&a, 10, 480, 50) - 50) < 1e-9);
	assert_true(fabs(ctl_svg_map(&a, 2.5, 480, 50) - 372.5) < 1e-9);
}

static void
test_colours(void **state)
{
	char	c[64][8];
	size_t	i, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		ctl_svg_colour(i, c[i]);
		assert_int_equal(strlen(c[i]), 7);
		assert_int_equal(c[i][0], '#');
		assert_string_not_equal(c[i], "#000000");	/* host free */
		for (j = 0; j < i; j++)
			assert_string_not_equal(c[i], c[j]);
	}
}

/* A small chart: one polyline per series, markup escaped, tags closed. */
static void
test_chart(void **state)
{
	static const double	x[] = { 0, 1, 2, 3 };
	static const double	y1[] = { 0, GIB(1), GIB(1), GIB(2) };
	double			y2[] = { GIB(3), NAN, GIB(2), GIB(2) };
	struct ctl_svg_series	s[] = {
		{ "#1f77b4", true, 1.2, x, y1, 4 },
		{ "#ff7f0e", false, 1.5, x, y2, 4 },
	};
	struct ctl_svg_key	k[] = { { "a < b & c", "#1f77b4", false } };
	struct ctl_svg_chart	c = { .title = "t\"1\"", .x_unit =
	    CTL_SVG_SECS, .y_unit = CTL_SVG_KIB, .y_zero = true,
	    .series = s, .nseries = 2, .keys = k, .nkeys = 1 };
	char			*text = NULL, *p;
	size_t			 len = 0, n = 0;
	FILE			*f;

	(void)state;
	assert_non_null(f = open_memstream(&text, &len));
	assert_int_equal(ctl_svg_write(f, &c), 0);
	assert_int_equal(fclose(f), 0);
	for (p = text; (p = strstr(p, "<polyline")) != NULL; p++)
		n++;
	assert_int_equal(n, 2);
	assert_non_null(strstr(text, "a &lt; b &amp; c"));
	assert_non_null(strstr(text, "t&quot;1&quot;"));
	assert_non_null(strstr(text, "stroke-dasharray"));
	assert_non_null(strstr(text, ">3 GiB<"));
	assert_non_null(strstr(text, "</svg>\n"));
	/* the NAN is no point: 3 of the second series */
	p = strstr(strstr(text, "#ff7f0e\" stroke-width"), "points=\"");
	assert_non_null(p);
	for (n = 1, p += 8; *p != '"'; p++)
		n += *p == ' ';
	assert_int_equal(n, 3);
	free(text);
	c.nseries = 0;
	assert_non_null(f = open_memstream(&text, &len));
	assert_int_equal(ctl_svg_write(f, &c), -ENODATA);
	fclose(f);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axes),
		cmocka_unit_test(test_axis_bad),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_chart),
	};

	return cmocka_run_group_tests_name("ctl_svg", tests, NULL, NULL);
}
