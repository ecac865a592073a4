/*
 * xsctl -- send one XS_CONTROL command to the xenstore server at
 * $XENSTORED_PATH through the real libxenstore, and print its answer.
 * For the end-to-end suite's fault injection on xsd-sim ("drop", "eagain
 * N", "delay MS", "fail TYPE ERRNO N", "reset"); it stands in for
 * xenstore-control, which comes with xen-utils and refuses to run without
 * a hypervisor when started through its /usr/bin wrapper.
 *
 *	xsctl COMMAND [ARG...]
 *
 * Exit status: 0 done, 1 refused or failed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#define XSCTL_MAX	4096	/* XENSTORE_PAYLOAD_MAX */

int
main(int argc, char *argv[])
{
	struct xs_handle	*xsh;
	char			 data[XSCTL_MAX];
	char			*ans;
	size_t			 len = 0, n;
	int			 i;

	if (argc < 2) {
		fprintf(stderr, "usage: xsctl command [arg ...]\n");
		return 2;
	}
	if (getenv("XENSTORED_PATH") == NULL) {
		fprintf(stderr, "xsctl: XENSTORED_PATH is not set\n");
		return 1;
	}
	/* The arguments after the command: "arg\0arg\0...". */
	for (i = 2; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		if (len + n > sizeof(data) - strlen(argv[1]) - 1) {
			fprintf(stderr, "xsctl: arguments too long\n");
			return 2;
		}
		memcpy(data + len, argv[i], n);
		len += n;
	}
	if ((xsh = xs_open(0)) == NULL) {
		perror("xsctl: xs_open");
		return 1;
	}
	ans = xs_control_command(xsh, argv[1], len > 0 ? data : NULL,
	    (unsigned int)len);
	if (ans == NULL) {
		perror("xsctl: XS_CONTROL");
		xs_close(xsh);
		return 1;
	}
	printf("%s\n", ans);
	free(ans);
	xs_close(xsh);
	return 0;
}
