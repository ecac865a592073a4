/*
 * switch.h: squeezerd as squeezed behind xapi's message-switch
 * (docs/message-switch.md).  With use-switch, the daemon serves the
 * configuration's queue-name on the switch at switch-path: every message is
 * one squeezed v1 request through the same dispatcher as the control
 * socket, answered as it finishes, then acked.  Two connections on the
 * event loop (one long-polls, one answers and acks, one request at a time),
 * remade with back-off when the switch goes away or says something it
 * should not.
 */
#ifndef SQUEEZERD_SWITCH_H
#define SQUEEZERD_SWITCH_H

struct squeezerd;
struct switch_client;

/*
 * Start serving bd's configured queue (it connects in the background, and
 * keeps trying while the switch is not there).  on_ready (may be NULL) is
 * called once, when the queue exists and the first transfer is posted.
 */
int	switch_start(struct squeezerd *, void (*on_ready)(struct squeezerd *),
	    struct switch_client **ret);

/*
 * Stop: requests still running are withdrawn, neither answered nor acked,
 * so the switch gives them to whoever serves the queue next.  NULL-safe.
 */
void	switch_free(struct switch_client *);

/*
 * After the configuration was reloaded: start, stop or restart serving
 * when use-switch, switch-path or queue-name changed.
 */
void	switch_reload(struct squeezerd *);

/* "queue org.xen.xapi.memory on /var/run/message-switch/sock". */
const char	*switch_describe(const struct switch_client *);

#endif
