/*
 * squeezerctl: the admin CLI of squeezerd.  A command table, as xl's and
 * bgpctl's; errors are one specific line on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "simulate.h"

#define CTL_EXIT_BADFILE	2	/* simulate: malformed scenario */

struct ctl_cmd {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*usage;
	const char	*help;
};

static int	ctl_simulate(int, char **);
static int	ctl_help(int, char **);

static const struct ctl_cmd ctl_cmds[] = {
	{ "help", ctl_help, "help", "show this summary" },
	{ "simulate", ctl_simulate, "simulate [-t] FILE",
	    "run a scenario file against the engine on a virtual clock" },
};
#define CTL_NCMDS	(sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static void
ctl_usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: squeezerctl [-j] [-s socket] command [args]\n"
	    "commands:\n");
	for (i = 0; i < CTL_NCMDS; i++)
		fprintf(f, "  %-24s %s\n", ctl_cmds[i].usage, ctl_cmds[i].help);
}

static int
ctl_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctl_usage(stdout);
	return EXIT_SUCCESS;
}

/* simulate [-t] FILE: exit 0, 1 on an internal failure, 2 on a bad file. */
static int
ctl_simulate(int argc, char **argv)
{
	struct scenario	 s;
	FILE		*trace = NULL;
	char		 err[512];
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt(argc, argv, "t")) != -1) {
		switch (ch) {
		case 't':
			trace = stderr;
			break;
		default:
			fprintf(stderr, "usage: squeezerctl simulate [-t] FILE\n");
			return EXIT_FAILURE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: squeezerctl simulate [-t] FILE\n");
		return EXIT_FAILURE;
	}
	if (scenario_load(argv[optind], &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "squeezerctl: %s\n", err);
		return CTL_EXIT_BADFILE;
	}
	rc = simulate_run(&s, stdout, trace);
	scenario_dispose(&s);
	if (rc < 0) {
		fprintf(stderr, "squeezerctl: simulate: %s\n", strerror(-rc));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	size_t	i, n, match = CTL_NCMDS, nmatch = 0;
	int	ch;

	while ((ch = getopt(argc, argv, "+hjs:")) != -1) {
		switch (ch) {
		case 'j':
		case 's':
			break;	/* used by the daemon commands */
		case 'h':
			ctl_usage(stdout);
			return EXIT_SUCCESS;
		default:
			ctl_usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return EXIT_FAILURE;
	}
	n = strlen(argv[optind]);
	for (i = 0; i < CTL_NCMDS; i++) {
		if (strcmp(argv[optind], ctl_cmds[i].name) == 0) {
			match = i;
			nmatch = 1;
			break;
		}
		if (strncmp(argv[optind], ctl_cmds[i].name, n) == 0) {
			match = i;
			nmatch++;
		}
	}
	if (nmatch != 1) {
		fprintf(stderr, "squeezerctl: %s command \"%s\"; try "
		    "\"squeezerctl help\"\n", nmatch ? "ambiguous" : "unknown",
		    argv[optind]);
		return EXIT_FAILURE;
	}
	return ctl_cmds[match].run(argc - optind, argv + optind);
}
