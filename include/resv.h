/*
 * resv.h: reservations, kept in xenstore exactly where squeezed keeps them:
 * /squeezed/state/<session>/<id> = KiB, with an in-transfer child naming
 * the domain once transferred (and our own expires-ms child for a ttl), so
 * they survive a daemon restart and a host can switch daemons.
 */
#ifndef SQUEEZERD_RESV_H
#define SQUEEZERD_RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct backend_ops;

#define RESV_NAME_MAX	128	/* session and id: one path component */
/* What xenstore takes in a node name (its valid_chars, less '/'). */
#define RESV_NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789-_@"
#define RESV_ROOT	"/squeezed/state"

struct resv {
	char	session[RESV_NAME_MAX + 1];
	char	id[RESV_NAME_MAX + 1];
	int64_t	kib;		/* -1: unreadable, ignored */
	int32_t	domid;		/* in-transfer, or -1 */
	uint64_t expires_ms;	/* 0: never */
};

/* A session or id xenstore takes as one path component. */
bool	resv_name_ok(const char *);

/* A fresh random (v4) UUID. */
int	resv_uuid(char ret[37]);

/* Every reservation of every session, sorted by session then id. */
int	resv_list(const struct backend_ops *, void *ctx, struct resv **ret,
	    size_t *ret_n);

/* Index of id (in session, unless NULL) in a list, or -1. */
long	resv_find(const struct resv *, size_t n, const char *session,
	    const char *id);

/*
 * Record a reservation in the store (value, expiry, in-transfer) and make
 * it durable; on any failure nothing of it stays behind.
 */
int	resv_add(const struct backend_ops *, void *ctx, const struct resv *);

/* Write a reservation exactly as given, whatever the store had. */
int	resv_put(const struct backend_ops *, void *ctx, const struct resv *);

/*
 * The domain's side of a transfer (initial-reservation, reservation-id),
 * if the store lost it: 1 when written back, 0 when there, or -errno (the
 * domain's directory is not back yet).
 */
int	resv_restore_domain(const struct backend_ops *, void *ctx,
	    const struct resv *);
/* Remove it durably; on failure it stays as it was. */
int	resv_remove(const struct backend_ops *, void *ctx, const struct resv *);

/* squeezed's login: drop the whole session. */
int	resv_drop_session(const struct backend_ops *, void *ctx,
	    const char *session);

/*
 * squeezed's transfer_reservation_to_domain, xenstore part: the domain's
 * initial-reservation and reservation-id, then the in-transfer mark.  A
 * reservation moved from another domain leaves nothing there; on failure
 * it stays where it was.
 */
int	resv_transfer(const struct backend_ops *, void *ctx,
	    const struct resv *, int32_t domid);

/*
 * Pins: a domain leaving by migration keeps its target until the toolstack
 * says the migration ended (or the lease runs out):
 * /squeezed/pin/<domid> = KiB, with an expires-ms child.
 */
#define RESV_PIN_ROOT	"/squeezed/pin"

struct resv_pin {
	int32_t		domid;
	int64_t		kib;
	uint64_t	expires_ms;
};

int	resv_pin_list(const struct backend_ops *, void *ctx,
	    struct resv_pin **ret, size_t *ret_n);
int	resv_pin_set(const struct backend_ops *, void *ctx,
	    const struct resv_pin *);
int	resv_pin_clear(const struct backend_ops *, void *ctx, int32_t domid);

/* The reservation id a domain was given (-ENOENT: none). */
int	resv_of_domain(const struct backend_ops *, void *ctx, int32_t domid,
	    char ret[RESV_NAME_MAX + 1]);

#endif
