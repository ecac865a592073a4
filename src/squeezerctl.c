/*
 * squeezerctl: the admin CLI of squeezerd.  main() reads the global
 * options and runs a command of the table (ctl_parse.c); the commands live
 * in ctl_cmd_*.c and ctl_top.c, and show what they get through the output
 * engine (ctl_output*.c).  Exit status: 0 done, 1 refused or failed, 2 a
 * usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "ctl_rpc.h"
#include "version.h"

#define CTL_USAGE_LINE	"usage: squeezerctl [-hjV] [-s socket] [-u unit] " \
	"command [args]"

static const struct option ctl_main_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "socket", required_argument, NULL, 's' },
	{ "unit", required_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Read the global options into ctl; -1 when squeezerctl is done (--help,
 * --version), else 0 or CTL_EXIT_USAGE.
 */
static int
ctl_main_opts(struct ctl *ctl, int argc, char **argv)
{
	int	ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hjs:u:V", ctl_main_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			ctl_parse_usage(stdout);
			return -1;
		case 'V':
			printf("squeezerctl %s\n", SQUEEZERD_VERSION);
			return -1;
		case 'j':
			ctl->ctl_json = true;
			ctl->ctl_out = &ctl_output_json;
			break;
		case 's':
			ctl->ctl_socket = optarg;
			break;
		case 'u':
			if (ctl_fmt_parse_unit(optarg, &ctl->ctl_unit) < 0)
				return ctl_output_usage(ctl, CTL_USAGE_LINE,
				    "bad unit \"%.32s\": not K, M, G or T",
				    optarg);
			break;
		case ':':
			return ctl_output_usage(ctl, CTL_USAGE_LINE,
			    "option %.40s needs a value", argv[optind - 1]);
		default:
			return ctl_output_usage(ctl, CTL_USAGE_LINE,
			    "unknown option %.40s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_output_usage(ctl, CTL_USAGE_LINE, "no command");
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctl		 ctl = {
		.ctl_socket = CTL_RPC_SOCKET,
		.ctl_out = &ctl_output_text,
		.ctl_unit = CTL_FMT_AUTO,
		.ctl_progress = isatty(STDERR_FILENO),
	};
	const struct ctl_cmd	*cmd;
	struct ctl_args		 a;
	int			 ex;

	if ((ex = ctl_main_opts(&ctl, argc, argv)) != 0)
		return ex < 0 ? CTL_EXIT_OK : ex;
	if ((cmd = ctl_parse_find(&ctl, argv[optind])) == NULL)
		return CTL_EXIT_USAGE;
	ctl.ctl_cmd = cmd->name;
	ex = ctl_parse_args(&ctl, cmd, argc - optind, argv + optind, &a);
	if (ex == 0)
		ex = cmd->run(&ctl, &a);
	else if (ex < 0)
		ex = CTL_EXIT_OK;	/* COMMAND --help */
	errno = EIO;	/* for an earlier failed write */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "squeezerctl: cannot write the output: %s\n",
		    strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return ex;
}
