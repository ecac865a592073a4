/*
 * squeezerd.h: the daemon's one mutable state (STYLE H9).  main() owns the
 * only instance and passes it explicitly.
 */
#ifndef SQUEEZERD_SQUEEZERD_H
#define SQUEEZERD_SQUEEZERD_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "engine.h"
#include "metrics.h"

struct backend_ops;
struct balancer;
struct engine;
struct event;
struct event_base;
struct model;
struct rpc_server;
struct switch_client;
struct xmlrpc_server;

/*
 * Each field has one owner that changes it: squeezerd.c (the base, the
 * backend, the signals, the files), daemon.c (the rest, configuration
 * included: daemon_set_conf()), rpc_server.c (bd_rpc's inside).
 */
struct squeezerd {
	struct event_base	*bd_base;
	const struct backend_ops *bd_be;
	void			*bd_be_ctx;
	const char		*bd_conf_file;	/* NULL: defaults only */
	const char		*bd_host_file;	/* sim */
	struct rpc_server	*bd_rpc;
	struct switch_client	*bd_switch;	/* use-switch: xapi's switch */
	struct xmlrpc_server	*bd_xmlrpc;	/* xmlrpc-socket */
	struct event		*bd_ev_sighup, *bd_ev_sigterm, *bd_ev_sigint;
	struct event		*bd_ev_watchdog;	/* systemd WatchdogSec= */
	bool			 bd_stopping;
	/* daemon.c */
	struct conf		 bd_conf;
	struct engine_conf	 bd_ec;
	struct model		*bd_model;
	struct engine		*bd_engine;
	struct balancer		*bd_bal;
	struct event		*bd_ev_check;	/* balance check */
	struct event		*bd_ev_expire;	/* reservation ttl */
	struct event		*bd_ev_watch;	/* xenstore events */
	struct event		*bd_ev_reconnect;	/* xenstored lost */
	int			 bd_watch_fd;
	uint64_t		 bd_snap_ms;	/* when the model was read */
	bool			 bd_stale;	/* something changed since */
	bool			 bd_check_wanted;	/* not just periodic */
	struct metrics		 bd_metrics;	/* what no snapshot holds */
	char			 bd_warning[512];	/* xl.conf; "": none */
};

/* The daemon's clock (CLOCK_BOOTTIME, ms): the same across restarts. */
uint64_t	daemon_now_ms(void);

/*
 * Everything after the backend and the base: the engine, the model, the
 * balancer, the timers, dom0 and the first view of the host.
 */
int	daemon_open(struct squeezerd *);
void	daemon_close(struct squeezerd *);

/*
 * Make sure the model is at most a poll interval old (force: re-read now),
 * then do the housekeeping a fresh view allows: expired and orphaned
 * reservations, uncooperative flags.
 */
int	daemon_refresh(struct squeezerd *, bool force);

/* Something changed: the next refresh re-reads, and balance soon. */
void	daemon_changed(struct squeezerd *);

/* Look at the balance soon (coalesced). */
void	daemon_check_soon(struct squeezerd *);

/* (Re)arm the xenstore watch event on the backend's current fd. */
void	daemon_watch_arm(struct squeezerd *);

/* The watch event's callback. */
void	daemon_watch_cb(int fd, short what, void *arg);

/* The one way a configuration is put in force (-EINVAL: a bad one). */
int	daemon_set_conf(struct squeezerd *, const struct conf *);

/* Re-read the configuration (SIGHUP); keeps the old one on error. */
int	daemon_reload(struct squeezerd *);

#endif
