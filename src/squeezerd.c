/*
 * squeezerd: the Xen dom0 memory-balancing daemon.
 *
 * This build checks and prints its configuration (-n, -nv).  The event
 * loop, the RPC server and the backends are the daemon issue's work; until
 * they land, starting the daemon says so and exits with status 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define SQUEEZERD_CONF	"/etc/squeezerd.conf"

static const char	*arg_conf = SQUEEZERD_CONF;
static int		 arg_check, arg_verbose;

static void
usage(FILE *f)
{
	fprintf(f, "usage: squeezerd [-dnv] [-f file] [-s socket]\n");
}

int
main(int argc, char **argv)
{
	struct conf	c;
	int		ch;

	while ((ch = getopt(argc, argv, "df:hns:v")) != -1) {
		switch (ch) {
		case 'd':
		case 's':
			break;
		case 'f':
			arg_conf = optarg;
			break;
		case 'n':
			arg_check = 1;
			break;
		case 'v':
			arg_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (conf_load(arg_conf, stderr, &c) < 0)
		return EXIT_FAILURE;
	if (arg_check) {
		if (arg_verbose)
			conf_print(&c, stdout);
		else
			fprintf(stderr, "configuration OK\n");
		return EXIT_SUCCESS;
	}
	fprintf(stderr, "squeezerd: the event loop and RPC server are not in "
	    "this build yet; use -n to check a configuration\n");
	return EXIT_FAILURE;
}
