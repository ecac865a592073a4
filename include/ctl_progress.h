/*
 * ctl_progress.h: the progress line of squeezerctl's long waits (reserve,
 * migrate-in, migrate-out, balance): while the call waits, a second
 * connection asks the daemon how far it is, and one line on stderr is
 * rewritten in place.  Only when stderr is a terminal; else nothing.
 */
#ifndef SQUEEZERD_CTL_PROGRESS_H
#define SQUEEZERD_CTL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define CTL_PROGRESS_TICK_MS	250	/* a look at the daemon */

struct ctl;
struct ctl_rpc;

enum ctl_progress_kind {
	CTL_PROGRESS_RESERVE,		/* reservation.pending: its id */
	CTL_PROGRESS_DOMAIN,		/* domain.list: its domid */
	CTL_PROGRESS_BALANCE,		/* domain.list and host.status */
};

struct ctl_progress {
	const struct ctl	*ctl;
	enum ctl_progress_kind	 kind;
	const char		*id;		/* RESERVE */
	int64_t			 domid;		/* DOMAIN */
	struct ctl_rpc		*rpc;		/* the second connection */
	uint64_t		 start_ms;
	bool			 shown;		/* a line is on stderr */
};

/*
 * Make p ready for a wait of this kind; false (and p unused) when stderr
 * is not a terminal.
 */
bool	ctl_progress_init(struct ctl_progress *p, const struct ctl *,
	    enum ctl_progress_kind kind);

/* Every CTL_PROGRESS_TICK_MS while the call waits (ctl_rpc_tick_fn). */
void	ctl_progress_tick(void *p);

/* The wait is over: erase the line, drop the connection (NULL-safe). */
void	ctl_progress_end(struct ctl_progress *);

#endif
