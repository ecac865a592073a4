/*
 * squeezerd.h: the daemon's one mutable state (STYLE H9).  main() owns the
 * only instance and passes it explicitly.
 */
#ifndef SQUEEZERD_SQUEEZERD_H
#define SQUEEZERD_SQUEEZERD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "conf.h"
#include "engine.h"
#include "metrics.h"

struct backend_ops;
struct bal_op;
struct event;
struct event_base;
struct model;
struct rpc_server;
struct switch_client;
struct xmlrpc_server;

TAILQ_HEAD(bal_queue, bal_op);

struct squeezerd {
	struct event_base	*bd_base;
	const struct backend_ops *bd_be;
	void			*bd_be_ctx;
	struct model		*bd_model;
	struct engine		*bd_engine;
	struct engine_conf	 bd_ec;
	struct conf		 bd_conf;
	const char		*bd_conf_file;	/* NULL: defaults only */
	const char		*bd_host_file;	/* sim */
	struct rpc_server	*bd_rpc;
	struct switch_client	*bd_switch;	/* use-switch: xapi's switch */
	struct xmlrpc_server	*bd_xmlrpc;	/* xmlrpc-socket */
	struct event		*bd_ev_sighup, *bd_ev_sigterm, *bd_ev_sigint;
	struct event		*bd_ev_poll;	/* the running operation */
	struct event		*bd_ev_check;	/* balance check */
	struct event		*bd_ev_expire;	/* reservation ttl */
	struct event		*bd_ev_watch;	/* xenstore events */
	struct event		*bd_ev_reconnect;	/* xenstored lost */
	struct event		*bd_ev_watchdog;	/* systemd WatchdogSec= */
	int			 bd_watch_fd;
	struct bal_queue	 bd_queue;	/* operations, arrival order */
	struct bal_op		*bd_running;
	uint64_t		 bd_snap_ms;	/* when the model was read */
	bool			 bd_stale;	/* something changed since */
	bool			 bd_stopping;
	bool			 bd_check_wanted;	/* not just periodic */
	uint64_t		 bd_nops;	/* operations completed */
	struct metrics		 bd_metrics;	/* what no snapshot holds */
};

/* The daemon's clock (CLOCK_BOOTTIME, ms): the same across restarts. */
uint64_t	daemon_now_ms(void);

/*
 * Make sure the model is at most a poll interval old (force: re-read now),
 * then do the housekeeping a fresh view allows: expired and orphaned
 * reservations, uncooperative flags.
 */
int	daemon_refresh(struct squeezerd *, bool force);

/* Something changed: the next refresh re-reads, and balance soon. */
void	daemon_changed(struct squeezerd *);

/* (Re)arm the xenstore watch event on the backend's current fd. */
void	daemon_watch_arm(struct squeezerd *);

/* The watch event's and the reconnect timer's callbacks. */
void	daemon_watch_cb(int fd, short what, void *arg);
void	daemon_reconnect_cb(int fd, short what, void *arg);

/*
 * manage-domain-zero: dom0 takes part, with the dynamic range of the
 * configuration written to xenstore (squeezed's configure_domain_zero).
 */
void	daemon_dom0(struct squeezerd *);

/* Re-read the configuration (SIGHUP); keeps the old one on error. */
int	daemon_reload(struct squeezerd *);

#endif
