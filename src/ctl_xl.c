/*
 * ctl_xl.c: what squeezerctl's xl commands need of xl and libxl: libxl's
 * rules for the memory a guest takes (libxl_mem.c, libxl_create.c of Xen
 * 4.17), the head of an xl migration stream (xl.h), and xl run as a child
 * that never outlives its deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl_xl.h"

#define CTL_XL_KIB_MAX		(INT64_C(1) << 40)
#define CTL_XL_VCPUS_MAX	(INT64_C(1) << 20)
#define CTL_XL_PV_EXTRA_KIB	1024	/* LIBXL_PV_EXTRA_MEMORY */
#define CTL_XL_HVM_EXTRA_KIB	2048	/* LIBXL_HVM_EXTRA_MEMORY */
#define CTL_XL_ROUND_KIB	2048
#define CTL_XL_KILL_GRACE_MS	5000
#define CTL_XL_POLL_MS		50
#define CTL_XL_BYTEORDER	UINT32_C(0x01020304)
#define CTL_XL_FLAG_JSON	UINT32_C(1)	/* XL_MANDATORY_FLAG_JSON */

static const char ctl_xl_magic[32] = "Xen saved domain, xl format\n \0 \r";

/* The signal caught (a signal handler's only way to say so). */
static volatile sig_atomic_t ctl_xl_caught;

/* ---- libxl's domain configuration -------------------------------------- */

/* Member b of member a of o (b NULL: member a), or NULL. */
static struct json_object *
ctl_xl_get(struct json_object *o, const char *a, const char *b)
{
	struct json_object	*v = NULL;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b == NULL)
		return v;
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, b, &v))
		return NULL;
	return v;
}

/* An integer member in [0, max]: 1 found, 0 absent, -EINVAL otherwise. */
static int
ctl_xl_num(struct json_object *o, const char *a, const char *b, int64_t max,
    int64_t *ret)
{
	struct json_object	*v = ctl_xl_get(o, a, b);
	int64_t			 x;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	x = json_object_get_int64(v);
	if (errno != 0 || x < 0 || x > max)
		return -EINVAL;
	*ret = x;
	return 1;
}

/* A string member, or "" when there is none. */
static const char *
ctl_xl_str(struct json_object *o, const char *a, const char *b)
{
	struct json_object	*v = ctl_xl_get(o, a, b);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

/* libxl__get_required_paging_memory() on x86. */
static int64_t
ctl_xl_paging_kib(int64_t max_kib, int64_t vcpus, bool pv, bool hap)
{
	return 4 * (256 * vcpus + ((!pv) + !hap) * (max_kib / 1024));
}

/* libxl__get_required_iommu_memory(): a 4-level table, 512 a level. */
static int64_t
ctl_xl_iommu_kib(int64_t max_kib)
{
	int64_t	pages = 0, mem = max_kib / 4;
	int	level;

	for (level = 0; level < 4; level++) {
		mem = (mem + 511) / 512;
		pages += mem;
	}
	return pages * 4;
}

/* An HVM guest's video memory as libxl defaults it. */
static int64_t
ctl_xl_video_kib(struct json_object *b, bool traditional)
{
	struct json_object	*hvm = ctl_xl_get(b, "type.hvm", NULL);
	const char		*kind = ctl_xl_str(hvm, "vga", "kind");
	int64_t			 v;

	if (ctl_xl_num(b, "video_memkb", NULL, CTL_XL_KIB_MAX, &v) == 1)
		return v;
	if (strcmp(kind, "none") == 0)
		return 0;
	if (strcmp(kind, "qxl") == 0)
		return 128 * 1024;
	if (strcmp(kind, "std") == 0)
		return traditional ? 8 * 1024 : 16 * 1024;
	return traditional ? 4 * 1024 : 8 * 1024;	/* cirrus */
}

/* What HVM and PVH guests need beyond their memory and shadow. */
static int64_t
ctl_xl_hvm_extra_kib(struct json_object *b)
{
	bool	trad = strcmp(ctl_xl_str(b, "device_model_version", NULL),
		    "qemu_xen_traditional") == 0;
	int64_t	stub;

	if (strcmp(ctl_xl_str(b, "device_model_stubdomain", NULL), "True") != 0)
		return CTL_XL_HVM_EXTRA_KIB;
	if (ctl_xl_num(b, "stubdomain_memkb", NULL, CTL_XL_KIB_MAX, &stub) != 1)
		stub = trad ? 28 * 1024 : 128 * 1024;	/* MiniOS, Linux */
	return CTL_XL_HVM_EXTRA_KIB + stub + ctl_xl_video_kib(b, trad);
}

/* The name and type of the guest. */
static int
ctl_xl_ident(struct json_object *c, struct ctl_xl_guest *g, char *err,
    size_t errlen)
{
	const char	*name = ctl_xl_str(c, "name", NULL), *p;
	const char	*type = ctl_xl_str(c, "type", NULL);

	for (p = name; *p > ' ' && *p <= '~'; p++)
		;
	if (*name == '\0' || *p != '\0' || strlen(name) >= sizeof(g->name)) {
		snprintf(err, errlen, "the guest has no name squeezerctl takes "
		    "(c_info.name: 1 to %d printable characters, no blank)",
		    CTL_XL_NAME_MAX - 1);
		return -EINVAL;
	}
	if (strcmp(type, "pv") != 0 && strcmp(type, "pvh") != 0 &&
	    strcmp(type, "hvm") != 0) {
		snprintf(err, errlen, "c_info.type \"%.16s\" is not pv, pvh or "
		    "hvm", type);
		return -EINVAL;
	}
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->type, sizeof(g->type), "%s", type);
	return 0;
}

/* The sizes of b_info, with libxl's defaults. */
static int
ctl_xl_sizes(struct json_object *c, struct json_object *b,
    struct ctl_xl_guest *g, char *err, size_t errlen)
{
	bool	pv = strcmp(g->type, "pv") == 0;
	bool	hap = !pv && strcmp(ctl_xl_str(c, "hap", NULL), "False") != 0;
	int64_t	vcpus = 1, iommu = 0, need;

	if (ctl_xl_num(b, "target_memkb", NULL, CTL_XL_KIB_MAX,
	    &g->target_kib) != 1) {
		snprintf(err, errlen, "no b_info.target_memkb (a number of "
		    "KiB)");
		return -EINVAL;
	}
	g->max_kib = g->target_kib;
	if (ctl_xl_num(b, "max_memkb", NULL, CTL_XL_KIB_MAX, &g->max_kib) < 0 ||
	    ctl_xl_num(b, "max_vcpus", NULL, CTL_XL_VCPUS_MAX, &vcpus) < 0 ||
	    ctl_xl_num(b, "shadow_memkb", NULL, CTL_XL_KIB_MAX,
	    &g->shadow_kib) < 0 ||
	    ctl_xl_num(b, "iommu_memkb", NULL, CTL_XL_KIB_MAX, &iommu) < 0) {
		snprintf(err, errlen, "b_info has a size that is not a "
		    "number of KiB");
		return -EINVAL;
	}
	if (vcpus == 0)
		vcpus = 1;
	if (ctl_xl_get(b, "shadow_memkb", NULL) == NULL)
		g->shadow_kib = ctl_xl_paging_kib(g->max_kib, vcpus, pv, hap);
	if (ctl_xl_get(b, "iommu_memkb", NULL) == NULL)
		iommu = strcmp(ctl_xl_str(c, "passthrough", NULL), "sync_pt") ==
		    0 ? ctl_xl_iommu_kib(g->max_kib) : 0;
	need = g->target_kib + g->shadow_kib + iommu +
	    (pv ? CTL_XL_PV_EXTRA_KIB : ctl_xl_hvm_extra_kib(b));
	g->need_kib = (need + CTL_XL_ROUND_KIB - 1) / CTL_XL_ROUND_KIB *
	    CTL_XL_ROUND_KIB;
	return 0;
}

int
ctl_xl_guest(const char *json, struct ctl_xl_guest *ret, char *err,
    size_t errlen)
{
	struct ctl_xl_guest	 g;
	struct json_object	*o, *c, *b;
	int			 rc = -EINVAL;

	memset(&g, 0, sizeof(g));
	if ((o = json_tokener_parse(json)) == NULL) {
		snprintf(err, errlen, "not a JSON domain configuration");
		return -EINVAL;
	}
	c = ctl_xl_get(o, "c_info", NULL);
	b = ctl_xl_get(o, "b_info", NULL);
	if (!json_object_is_type(c, json_type_object) ||
	    !json_object_is_type(b, json_type_object))
		snprintf(err, errlen, "no c_info and b_info: not libxl's "
		    "domain configuration");
	else if (ctl_xl_ident(c, &g, err, errlen) == 0 &&
	    ctl_xl_sizes(c, b, &g, err, errlen) == 0) {
		*ret = g;
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

/* ---- the head of a migration stream ----------------------------------- */

static uint32_t
ctl_xl_u32(const unsigned char *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof(v));	/* the sender's order: checked */
	return v;
}

int
ctl_xl_stream_head(const unsigned char *buf, size_t len, size_t *ret_need,
    char **ret_config, char *err, size_t errlen)
{
	uint32_t	mandatory, optlen, cfglen;
	char		*cfg;

	*ret_need = CTL_XL_HDR_LEN;
	if (len < CTL_XL_HDR_LEN)
		return -EAGAIN;
	if (memcmp(buf, ctl_xl_magic, sizeof(ctl_xl_magic)) != 0 ||
	    ctl_xl_u32(buf + 32) != CTL_XL_BYTEORDER) {
		snprintf(err, errlen, "not an xl migration stream (or not in "
		    "this host's byte order)");
		return -EINVAL;
	}
	mandatory = ctl_xl_u32(buf + 36);
	optlen = ctl_xl_u32(buf + 44);
	if (optlen < 4 || optlen > CTL_XL_CONFIG_MAX ||
	    !(mandatory & CTL_XL_FLAG_JSON)) {
		snprintf(err, errlen, "the stream carries no JSON domain "
		    "configuration (%u bytes of optional data)", optlen);
		return -EINVAL;
	}
	*ret_need = CTL_XL_HDR_LEN + optlen;
	if (len < *ret_need)
		return -EAGAIN;
	cfglen = ctl_xl_u32(buf + CTL_XL_HDR_LEN);
	if (cfglen > optlen - 4) {
		snprintf(err, errlen, "the stream's configuration overruns its "
		    "optional data");
		return -EINVAL;
	}
	if ((cfg = malloc((size_t)cfglen + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(cfg, buf + CTL_XL_HDR_LEN + 4, cfglen);
	cfg[cfglen] = '\0';
	*ret_config = cfg;
	return 0;
}

/* ---- xl as a child ------------------------------------------------------ */

uint64_t
ctl_xl_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
ctl_xl_on_signal(int sig)
{
	ctl_xl_caught = sig;
}

void
ctl_xl_catch_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ctl_xl_on_signal;	/* no SA_RESTART: wake poll */
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;		/* a closed channel: EPIPE */
	(void)sigaction(SIGPIPE, &sa, NULL);
}

int
ctl_xl_signalled(void)
{
	return ctl_xl_caught;
}

/* In the child: its fds, default signals, then argv. */
static void
ctl_xl_child_exec(char *const argv[], int in, int out, enum ctl_xl_out how)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGPIPE, &sa, NULL);
	if ((in >= 0 && dup2(in, STDIN_FILENO) == -1) ||
	    (how == CTL_XL_OUT_PIPE && dup2(out, STDOUT_FILENO) == -1) ||
	    (how == CTL_XL_OUT_STDERR && dup2(STDERR_FILENO,
	    STDOUT_FILENO) == -1))
		_exit(127);
	execvp(argv[0], argv);
	fprintf(stderr, "squeezerctl: cannot run %s: %s\n", argv[0],
	    strerror(errno));
	_exit(127);
}

/* A pipe whose ends are closed on exec (pipe2 needs _GNU_SOURCE). */
static int
ctl_xl_pipe(int fds[2])
{
	if (pipe(fds) == -1)
		return -1;
	(void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

int
ctl_xl_spawn(char *const argv[], bool pipe_in, enum ctl_xl_out how,
    struct ctl_xl_child *ret)
{
	int	in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;
	pid_t	pid;

	if ((pipe_in && ctl_xl_pipe(in) == -1) ||
	    (how == CTL_XL_OUT_PIPE && ctl_xl_pipe(out) == -1)) {
		rc = -errno;
		goto fail;
	}
	if ((pid = fork()) == -1) {
		rc = -errno;
		goto fail;
	}
	if (pid == 0)
		ctl_xl_child_exec(argv, in[0], out[1], how);
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (out[0] >= 0)
		(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (in[1] >= 0)
		(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	ret->pid = pid;
	ret->in_fd = in[1];
	ret->out_fd = out[0];
	return 0;
fail:
	for (pid = 0; pid < 2; pid++) {
		if (in[pid] >= 0)
			close(in[pid]);
		if (out[pid] >= 0)
			close(out[pid]);
	}
	return rc;
}

/* Read what the child wrote so far: 1 at its end, 0 for more later. */
static int
ctl_xl_drain(struct ctl_xl_child *c, char **buf, size_t *len)
{
	char	 chunk[8192], *v;
	ssize_t	 r;

	while ((r = read(c->out_fd, chunk, sizeof(chunk))) > 0) {
		if (*len + (size_t)r > CTL_XL_OUT_MAX)
			continue;		/* keep the first 4 MiB */
		if ((v = realloc(*buf, *len + (size_t)r + 1)) == NULL)
			continue;
		memcpy(v + *len, chunk, (size_t)r);
		*len += (size_t)r;
		v[*len] = '\0';
		*buf = v;
	}
	return r == 0 || (errno != EAGAIN && errno != EINTR);
}

/* Close the child's pipes. */
static void
ctl_xl_close(struct ctl_xl_child *c)
{
	if (c->in_fd >= 0)
		close(c->in_fd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->in_fd = c->out_fd = -1;
}

void
ctl_xl_kill(struct ctl_xl_child *c)
{
	uint64_t	until = ctl_xl_now_ms() + CTL_XL_KILL_GRACE_MS;
	int		st;

	ctl_xl_close(c);
	if (c->pid <= 0)
		return;
	(void)kill(c->pid, SIGTERM);
	while (waitpid(c->pid, &st, WNOHANG) == 0) {
		if (ctl_xl_now_ms() >= until) {
			(void)kill(c->pid, SIGKILL);
			(void)waitpid(c->pid, &st, 0);
			break;
		}
		(void)poll(NULL, 0, CTL_XL_POLL_MS);
	}
	c->pid = -1;
}

int
ctl_xl_wait(struct ctl_xl_child *c, uint64_t deadline_ms,
    ctl_xl_tick_fn *tick, void *arg, char **ret_out, int *ret_status)
{
	struct pollfd	 pfd = { .fd = c->out_fd, .events = POLLIN };
	char		*buf = NULL;
	size_t		 len = 0;
	pid_t		 r;
	int		 st = 1 << 8, eof = c->out_fd < 0;

	for (;;) {
		/* first whether it is gone, then what it wrote before */
		if ((r = waitpid(c->pid, &st, WNOHANG)) == -1 && errno != EINTR)
			break;
		if (!eof)
			eof = ctl_xl_drain(c, &buf, &len);
		if (r > 0)
			break;
		if (ctl_xl_caught != 0 || ctl_xl_now_ms() >= deadline_ms) {
			free(buf);
			ctl_xl_kill(c);
			return ctl_xl_caught != 0 ? -EINTR : -ETIMEDOUT;
		}
		if (tick != NULL)
			tick(arg);
		(void)poll(&pfd, eof ? 0 : 1, CTL_XL_POLL_MS);
	}
	ctl_xl_close(c);
	c->pid = -1;
	*ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ?
	    128 + WTERMSIG(st) : 1;
	if (ret_out != NULL)
		*ret_out = buf != NULL ? buf : strdup("");
	else
		free(buf);
	return 0;
}
