/*
 * policy-bench: every policy on the same workloads, judged by what guests
 * feel ("make bench-policy").  Each workload is a scenario file run
 * through the simulator (simulate.c: the daemon's operation code on a
 * virtual clock) once per policy; the figures are the simulator's own
 * summary (pressure, churn, VM starts admitted: README "Benchmarks").
 *
 *   bench-policy [-u HOURS] [-o DIR] [-w WORKLOAD] WORKLOAD.json ...
 *	one line per policy, "policy NAME pressure-s X churn-gib Y admitted
 *	A/B" (all workloads together), then a table per workload, then an
 *	SVG per policy of one workload (-w, default the first) into DIR
 *	(squeezerctl plot's chart); -u stops every workload after HOURS of
 *	simulated time.
 *   bench-policy -p NAME [-t] [-u HOURS] FILE
 *	replay one scenario with any policy the benchmark knows (the
 *	re-implementations too): simulate --summary's JSON (and with -t
 *	simulate -t's trace on stderr).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_policies.h"
#include "ctl_plot.h"
#include "policy.h"
#include "scenario.h"
#include "simulate.h"

#define BENCH_MAX_WORKLOADS	16
#define BENCH_GIB		1048576.0	/* KiB */

struct bench_cell {
	struct simulate_summary	sum;
	double			wall_s;
};

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run one workload under one policy; its summary (JSON to out if set). */
static int
bench_run(const char *file, const struct policy *p, uint64_t until_ms,
    FILE *out, FILE *trace, struct bench_cell *ret)
{
	struct simulate_opts	opts = { .policy = p, .summary = true,
				    .until_ms = until_ms,
				    .poll_ms = bench_policy_poll_ms(p) };
	struct scenario		s;
	char			err[512];
	double			t0 = bench_now();
	int			rc;

	if ((rc = scenario_load(file, &s, err, sizeof(err))) < 0) {
		fprintf(stderr, "bench-policy: %s\n", err);
		return rc;
	}
	rc = simulate_run_opts(&s, &opts, out, trace, &ret->sum);
	scenario_dispose(&s);
	ret->wall_s = bench_now() - t0;
	if (rc < 0)
		fprintf(stderr, "bench-policy: %s, %s: %s\n", file, p->name,
		    strerror(-rc));
	return rc;
}

/* The workload's name: its file name without directory and ".json". */
static void
bench_name(const char *file, char *buf, size_t len)
{
	const char	*b = strrchr(file, '/');
	size_t		 n;

	b = b != NULL ? b + 1 : file;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".json") == 0)
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, b);
}

static void
bench_add(struct simulate_summary *to, const struct simulate_summary *s)
{
	to->time_ms += s->time_ms;
	to->stats.pressure_kib_s += s->stats.pressure_kib_s;
	to->stats.short_s += s->stats.short_s;
	if (s->stats.peak_short_kib > to->stats.peak_short_kib)
		to->stats.peak_short_kib = s->stats.peak_short_kib;
	to->stats.churn_kib += s->stats.churn_kib;
	to->starts += s->starts;
	to->admitted += s->admitted;
	to->admit_wait_ms += s->admit_wait_ms;
	to->balances += s->balances;
	to->errors += s->errors;
}

static void
bench_row(const char *workload, const char *policy,
    const struct simulate_summary *s, double wall_s)
{
	printf("%-8s %-15s %11.1f %9.1f %5zu/%-3zu %7.1f %8.2f %8.3f %8zu "
	    "%6zu %6.2f\n", workload, policy,
	    s->stats.pressure_kib_s / BENCH_GIB,
	    (double)s->stats.churn_kib / BENCH_GIB, s->admitted, s->starts,
	    s->admitted > 0 ? (double)s->admit_wait_ms / 1000.0 /
	    (double)s->admitted : 0.0, s->stats.short_s / 3600.0,
	    (double)s->stats.peak_short_kib / BENCH_GIB, s->balances,
	    s->errors, wall_s);
}

static void
bench_header(void)
{
	printf("%-8s %-15s %11s %9s %9s %7s %8s %8s %8s %6s %6s\n",
	    "workload", "policy", "pressure-s", "churn-gib", "admitted",
	    "wait-s", "short-h", "peak-gib", "balances", "errors", "wall-s");
}

/*
 * Does pressure lead?  At most half proportional's pressure-seconds, no
 * fewer starts admitted, and less churn than the qmemman rule while no
 * more pressure than it.
 */
static void
bench_verdict(const struct simulate_summary *tot, size_t np)
{
	const struct simulate_summary	*prop = NULL, *pres = NULL, *qm = NULL;
	const struct policy *const	*all = bench_policies();
	size_t				 i;

	for (i = 0; i < np; i++) {
		if (all[i] == &policy_proportional)
			prop = &tot[i];
		else if (all[i] == &policy_pressure)
			pres = &tot[i];
		else if (all[i] == &bench_policy_qmemman)
			qm = &tot[i];
	}
	if (prop == NULL || pres == NULL || qm == NULL)
		return;
	printf("pressure against proportional: %.3f x the pressure-seconds "
	    "(at most 0.5), %zu against %zu starts admitted\n",
	    pres->stats.pressure_kib_s / prop->stats.pressure_kib_s,
	    pres->admitted, prop->admitted);
	printf("pressure against %s: %.3f x the churn (below 1) at "
	    "%.3f x the pressure-seconds (at most 1)\n",
	    bench_policy_qmemman.name, (double)pres->stats.churn_kib /
	    (double)qm->stats.churn_kib, pres->stats.pressure_kib_s /
	    qm->stats.pressure_kib_s);
}

/* The charts: one workload under every policy, squeezerctl plot's. */
static int
bench_plots(const char *file, const char *dir)
{
	const struct policy *const	*all = bench_policies();
	struct simulate_opts		 opts = { 0 };
	char				 out[1024], name[128], err[512];
	size_t				 i;

	bench_name(file, name, sizeof(name));
	for (i = 0; all[i] != NULL; i++) {
		snprintf(out, sizeof(out), "%s/%s-%s.svg", dir, name,
		    all[i]->name);
		opts.policy = all[i];
		opts.poll_ms = bench_policy_poll_ms(all[i]);
		if (ctl_plot_run_opts(file, out, &opts, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "bench-policy: %s\n", err);
			return -1;
		}
		printf("wrote %s\n", out);
	}
	return 0;
}

static int
bench_all(char **files, size_t nfiles, uint64_t until_ms, const char *dir,
    const char *plot)
{
	const struct policy *const	*all = bench_policies();
	struct bench_cell		 cells[BENCH_MAX_WORKLOADS][8];
	struct simulate_summary		 tot[8];
	char				 name[128];
	size_t				 w, p, np;
	double				 wall;

	for (np = 0; all[np] != NULL; np++)
		;
	memset(tot, 0, sizeof(tot));
	for (p = 0; p < np; p++) {
		wall = 0;
		for (w = 0; w < nfiles; w++) {
			if (bench_run(files[w], all[p], until_ms, NULL, NULL,
			    &cells[w][p]) < 0)
				return 1;
			bench_add(&tot[p], &cells[w][p].sum);
			wall += cells[w][p].wall_s;
		}
		printf("policy %s pressure-s %.1f churn-gib %.1f admitted "
		    "%zu/%zu\n", all[p]->name,
		    tot[p].stats.pressure_kib_s / BENCH_GIB,
		    (double)tot[p].stats.churn_kib / BENCH_GIB,
		    tot[p].admitted, tot[p].starts);
		fflush(stdout);
	}
	printf("\n");
	bench_header();
	for (w = 0; w < nfiles; w++) {
		bench_name(files[w], name, sizeof(name));
		for (p = 0; p < np; p++)
			bench_row(name, all[p]->name, &cells[w][p].sum,
			    cells[w][p].wall_s);
	}
	for (p = 0; p < np; p++) {
		wall = 0;
		for (w = 0; w < nfiles; w++)
			wall += cells[w][p].wall_s;
		bench_row("all", all[p]->name, &tot[p], wall);
	}
	printf("(pressure-s: GiB-seconds guests spent below what they use; "
	    "churn-gib: GiB the balloons moved; wait-s: mean time a start "
	    "waited for its reservation; short-h: guest-hours short; "
	    "peak-gib: the most all guests were short at once)\n\n");
	bench_verdict(tot, np);
	return bench_plots(plot != NULL ? plot : files[0], dir) < 0 ? 1 : 0;
}

static void
bench_usage(void)
{
	fprintf(stderr, "usage: bench-policy [-u HOURS] [-o DIR] "
	    "[-w WORKLOAD] WORKLOAD.json ...\n"
	    "       bench-policy -p POLICY [-t] [-u HOURS] FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct policy	*one = NULL;
	struct bench_cell	 cell;
	const char		*dir = ".", *plot = NULL;
	uint64_t		 until_ms = 0;
	bool			 trace = false;
	int			 ch;

	while ((ch = getopt(argc, argv, "o:p:tu:w:")) != -1) {
		switch (ch) {
		case 't':
			trace = true;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'p':
			if ((one = bench_policy_find(optarg)) == NULL) {
				fprintf(stderr, "bench-policy: no policy %s\n",
				    optarg);
				return 2;
			}
			break;
		case 'u':
			until_ms = (uint64_t)(atof(optarg) * 3600000.0);
			break;
		case 'w':
			plot = optarg;
			break;
		default:
			bench_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > BENCH_MAX_WORKLOADS || (one != NULL &&
	    argc != 1))
		bench_usage();
	if (one != NULL)
		return bench_run(argv[0], one, until_ms, stdout,
		    trace ? stderr : NULL, &cell) < 0;
	return bench_all(argv, (size_t)argc, until_ms, dir, plot);
}
