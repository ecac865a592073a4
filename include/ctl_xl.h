/*
 * ctl_xl.h: what squeezerctl's xl commands need of xl and libxl: the
 * memory libxl will take for a guest (libxl_domain_need_memory's rules,
 * from the JSON domain configuration xl's dry run or a migration stream
 * gives), the head of an xl migration stream, and xl itself run as a
 * child with a deadline.
 */
#ifndef SQUEEZERD_CTL_XL_H
#define SQUEEZERD_CTL_XL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_XL_NAME_MAX		128
#define CTL_XL_OUT_MAX		(4u << 20)	/* xl's stdout we keep */
#define CTL_XL_CONFIG_MAX	(1u << 20)	/* a stream's configuration */
#define CTL_XL_HDR_LEN		48		/* xl's save_file_header */

/* A guest as libxl's domain configuration describes it (KiB). */
struct ctl_xl_guest {
	char	name[CTL_XL_NAME_MAX];
	char	type[8];		/* "pv", "pvh" or "hvm" */
	int64_t	target_kib;		/* b_info.target_memkb */
	int64_t	max_kib;		/* b_info.max_memkb */
	int64_t	shadow_kib;		/* as libxl defaults it */
	int64_t	need_kib;		/* libxl_domain_need_memory() */
};

/*
 * Read libxl's JSON domain configuration (libxl_domain_config_to_json, as
 * "xl create -n" prints it) and work out what the guest needs: its target,
 * shadow (paging) memory and IOMMU tables as libxl 4.17 defaults them,
 * 1 MiB more for PV or 2 MiB for HVM and PVH (plus a device-model stub
 * domain and its video memory), rounded up to 2 MiB.  -EINVAL with a
 * message in err.
 */
int	ctl_xl_guest(const char *json, struct ctl_xl_guest *ret, char *err,
	    size_t errlen);

/*
 * The head of an xl save or migration stream: its header and optional
 * data.  With len bytes of buf: 0 and the configuration (malloc'd) in
 * *ret_config; -EAGAIN when the head is *ret_need bytes long and more are
 * needed; -EINVAL (a message in err) when it is not xl's.
 */
int	ctl_xl_stream_head(const unsigned char *buf, size_t len,
	    size_t *ret_need, char **ret_config, char *err, size_t errlen);

/* A child: xl. */
struct ctl_xl_child {
	pid_t	pid;
	int	in_fd;		/* its stdin's write end, or -1 (ours) */
	int	out_fd;		/* its stdout's read end, or -1 */
};

/* Where a child's stdout goes. */
enum ctl_xl_out {
	CTL_XL_OUT_PIPE,	/* read by ctl_xl_wait() */
	CTL_XL_OUT_STDERR,	/* our stderr: stdout stays ours (-j) */
	CTL_XL_OUT_INHERIT,	/* our stdout (a migration's channel) */
};

/* Start argv (argv[0] from $PATH); pipe_in: give it a stdin pipe. */
int	ctl_xl_spawn(char *const argv[], bool pipe_in, enum ctl_xl_out,
	    struct ctl_xl_child *ret);

/* What ctl_xl_wait() calls now and then while the child runs. */
typedef void	ctl_xl_tick_fn(void *arg);

/*
 * Wait for the child until deadline_ms (ctl_xl_now_ms()), keeping its
 * stdout (a pipe) in *ret_out (malloc'd, NUL-terminated) when ret_out is
 * not NULL, and calling tick(arg) (unless NULL) every 50 ms or so: 0 and
 * its exit status (128 + a signal's number) in *ret_status; -ETIMEDOUT or
 * -EINTR (a signal caught) when it was stopped first.
 */
int	ctl_xl_wait(struct ctl_xl_child *, uint64_t deadline_ms,
	    ctl_xl_tick_fn *tick, void *arg, char **ret_out, int *ret_status);

/* Stop the child: SIGTERM, SIGKILL 5 s later; reap it. */
void	ctl_xl_kill(struct ctl_xl_child *);

/* The monotonic clock, ms. */
uint64_t	ctl_xl_now_ms(void);

/*
 * From now on SIGINT, SIGTERM and SIGHUP are caught (so that nothing is
 * left reserved); ctl_xl_signalled() says which came, 0 if none.
 */
void	ctl_xl_catch_signals(void);
int	ctl_xl_signalled(void);

#endif
