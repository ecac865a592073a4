/*
 * ctl_plot.h: "squeezerctl plot": run a scenario as "simulate -t" does and
 * draw its trace (one line per engine iteration: the time, the host's free
 * memory, each domain's target and actual memory) as an SVG line chart.
 */
#ifndef SQUEEZERD_CTL_PLOT_H
#define SQUEEZERD_CTL_PLOT_H

#include <stddef.h>

/*
 * Run the scenario file in and write the chart to out.  Returns 0, or
 * -errno with a message (naming the file) in err: -EINVAL for a malformed
 * scenario, -ENODATA when it ran no engine iteration (nothing to draw).
 */
int	ctl_plot_run(const char *in, const char *out, char *err,
	    size_t errlen);

struct simulate_opts;

/* The same, run with opts (its policy and poll interval; NULL: none). */
int	ctl_plot_run_opts(const char *in, const char *out,
	    const struct simulate_opts *opts, char *err, size_t errlen);

/* The default output file: in with ".json" (or nothing) replaced by ".svg". */
char	*ctl_plot_default_out(const char *in);

#endif
