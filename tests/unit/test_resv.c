/*
 * Unit tests of reservations in the store (src/resv.c): the names xenstore
 * takes, resv_uuid's shape, and add, remove, put, transfer, sessions, pins
 * and their undo when the store cannot be made durable, over the simulated
 * backend (whose sync is its state file: remove the file's directory and
 * every sync fails).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend.h"
#include "backend_sim.h"
#include "conf.h"
#include "resv.h"

#define BE	(&backend_sim_ops)

static const char host_json[] =
    "{ \"host\": { \"free-kib\": 1000000 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 1, \"dynamic-min-kib\": 100000,"
    " \"dynamic-max-kib\": 400000, \"target-kib\": 400000 } ] }\n";

struct fixture {
	char		 dir[64], host[96], state[128], sub[96];
	struct conf	 conf;
	void		*ctx;
};

static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct backend_args	 a;
	char			 err[256];
	int32_t			 domid;
	FILE			*fp;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_resv.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->host, sizeof(f->host), "%s/host.json", f->dir);
	snprintf(f->sub, sizeof(f->sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(f->sub, 0700), 0);
	snprintf(f->state, sizeof(f->state), "%s/state", f->sub);
	assert_non_null(fp = fopen(f->host, "w"));
	fputs(host_json, fp);
	fclose(fp);
	conf_defaults(&f->conf);
	a = (struct backend_args){ .host_file = f->host,
	    .state_file = f->state, .conf = &f->conf, .now_ms = 1000 };
	assert_int_equal(BE->open(&a, &f->ctx, err, sizeof(err)), 0);
	/* two domains being built, for transfers */
	assert_int_equal(backend_sim_create(f->ctx, 7, &domid), 0);
	assert_int_equal(backend_sim_create(f->ctx, 8, &domid), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	BE->close(f->ctx);
	(void)unlink(f->host);
	(void)unlink(f->state);
	(void)rmdir(f->sub);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* The state file cannot be written any more: every sync fails. */
static void
break_sync(struct fixture *f)
{
	assert_int_equal(unlink(f->state), 0);
	assert_int_equal(rmdir(f->sub), 0);
}

static void
mend_sync(struct fixture *f)
{
	assert_int_equal(mkdir(f->sub, 0700), 0);
}

/* The store's value at path, or NULL (to be freed). */
static char *
rd(struct fixture *f, const char *path)
{
	char	*v;

	return BE->read(f->ctx, path, &v) == 0 ? v : NULL;
}

/* The store has path = want (NULL: no such node). */
static void
has(struct fixture *f, const char *path, const char *want)
{
	char	*v = rd(f, path);

	if (want == NULL && v != NULL)
		fail_msg("%s = \"%s\", want no such node", path, v);
	if (want != NULL && (v == NULL || strcmp(v, want) != 0))
		fail_msg("%s = %s%s%s, want \"%s\"", path, v ? "\"" : "",
		    v ? v : "(none)", v ? "\"" : "", want);
	free(v);
}

/* The reservations in the store, and one of them by id (or NULL). */
static const struct resv *
listed(struct fixture *f, struct resv **v, size_t *n, const char *id)
{
	long	i;

	free(*v);
	*v = NULL;
	assert_int_equal(resv_list(BE, f->ctx, v, n), 0);
	i = resv_find(*v, *n, NULL, id);
	return i < 0 ? NULL : &(*v)[i];
}

/* ---- names -------------------------------------------------------------- */

static void
test_name_ok(void **state)
{
	static const struct {
		const char	*name;
		bool		 ok;
	} cases[] = {
		{ "my.id", false },
		{ "a:b", false },
		{ "x*y", false },
		{ "a/b", false },
		{ "", false },
		{ "a b", false },
		{ "tab\there", false },
		{ "caf\xc3\xa9", false },
		{ "..", false },
		{ "3f2504e0-4f89-41d3-9a0c-0305e82c3301", true },
		{ "xenopsd", true },
		{ "a-b_c@d", true },
		{ "0", true },
		{ "UPPER-lower-0123456789", true },
	};
	char	long_name[RESV_NAME_MAX + 2];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (resv_name_ok(cases[i].name) != cases[i].ok)
			fail_msg("\"%s\": %s, want %s", cases[i].name,
			    cases[i].ok ? "refused" : "accepted",
			    cases[i].ok ? "accepted" : "refused");
	memset(long_name, 'a', sizeof(long_name));
	long_name[RESV_NAME_MAX] = '\0';		/* 128: the most */
	assert_true(resv_name_ok(long_name));
	long_name[RESV_NAME_MAX] = 'a';
	long_name[RESV_NAME_MAX + 1] = '\0';		/* 129 */
	assert_false(resv_name_ok(long_name));
}

/* A version 4 UUID in its canonical text, and a fresh one each time. */
static void
test_uuid(void **state)
{
	char	u[37], prev[37] = "";
	size_t	i;
	int	k;

	(void)state;
	for (k = 0; k < 64; k++) {
		memset(u, 'X', sizeof(u));
		assert_int_equal(resv_uuid(u), 0);
		assert_int_equal(strlen(u), 36);
		for (i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				assert_int_equal(u[i], '-');
			else if (strchr("0123456789abcdef", u[i]) == NULL)
				fail_msg("%s: '%c' at %zu", u, u[i], i);
		}
		assert_int_equal(u[14], '4');
		assert_non_null(strchr("89ab", u[19]));
		assert_true(resv_name_ok(u));
		assert_string_not_equal(u, prev);
		memcpy(prev, u, sizeof(prev));
	}
}

/* ---- the store ---------------------------------------------------------- */

/* Added, listed as written (value, expiry, in-transfer), removed. */
static void
test_add_list_remove(void **state)
{
	struct fixture		*f = *state;
	struct resv		 a = { "s", "a", 4096, -1, 0 };
	struct resv		 b = { "s", "b", 8192, 8, 123456 };
	struct resv		 c = { "t", "a", 2048, -1, 0 };
	struct resv		 bad = { "s", "my.id", 1, -1, 0 };
	struct resv		*v = NULL;
	const struct resv	*r;
	size_t			 n;

	assert_int_equal(resv_add(BE, f->ctx, &a), 0);
	assert_int_equal(resv_add(BE, f->ctx, &b), 0);
	assert_int_equal(resv_add(BE, f->ctx, &c), 0);
	assert_int_equal(resv_add(BE, f->ctx, &bad), -EINVAL);
	has(f, RESV_ROOT "/s/a", "4096");
	has(f, RESV_ROOT "/s/a/expires-ms", NULL);
	has(f, RESV_ROOT "/s/a/in-transfer", NULL);
	has(f, RESV_ROOT "/s/b", "8192");
	has(f, RESV_ROOT "/s/b/expires-ms", "123456");
	has(f, RESV_ROOT "/s/b/in-transfer", "8");
	has(f, RESV_ROOT "/s/my.id", NULL);
	assert_non_null(r = listed(f, &v, &n, "b"));
	assert_int_equal(n, 3);
	assert_string_equal(r->session, "s");
	assert_int_equal(r->kib, 8192);
	assert_int_equal(r->domid, 8);
	assert_int_equal(r->expires_ms, 123456);
	/* the same id in two sessions: found by session */
	assert_true(resv_find(v, n, "t", "a") >= 0);
	assert_true(resv_find(v, n, NULL, "a") >= 0);
	assert_int_equal(v[resv_find(v, n, "t", "a")].kib, 2048);
	assert_int_equal(v[resv_find(v, n, "s", "a")].kib, 4096);
	assert_int_equal(resv_find(v, n, "u", "a"), -1);
	assert_int_equal(resv_find(v, n, NULL, "zz"), -1);

	assert_int_equal(resv_remove(BE, f->ctx, &b), 0);
	has(f, RESV_ROOT "/s/b", NULL);
	has(f, RESV_ROOT "/s/b/in-transfer", NULL);
	assert_null(listed(f, &v, &n, "b"));
	assert_int_equal(n, 2);
	free(v);
}

/* What the store holds that is not ours, or unreadable, is not listed. */
static void
test_list_garbage(void **state)
{
	struct fixture		*f = *state;
	struct resv		*v = NULL;
	const struct resv	*r;
	size_t			 n;

	assert_int_equal(BE->write(f->ctx, RESV_ROOT "/bad.session/x", "1"),
	    0);
	assert_int_equal(BE->write(f->ctx, RESV_ROOT "/s/bad:id", "1"), 0);
	assert_int_equal(BE->write(f->ctx, RESV_ROOT "/s/junk", "12abc"), 0);
	assert_int_equal(BE->write(f->ctx, RESV_ROOT "/s/junk/in-transfer",
	    "-3"), 0);
	assert_null(listed(f, &v, &n, "x"));
	assert_null(listed(f, &v, &n, "bad:id"));
	assert_non_null(r = listed(f, &v, &n, "junk"));
	assert_int_equal(n, 1);
	assert_int_equal(r->kib, -1);		/* unreadable: ignored */
	assert_int_equal(r->domid, -1);
	/* nothing at all */
	assert_int_equal(BE->rm(f->ctx, RESV_ROOT), 0);
	assert_null(listed(f, &v, &n, "junk"));
	assert_int_equal(n, 0);
	free(v);
}

/* put writes exactly what it is given, whatever was there. */
static void
test_put(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "p", 4096, 7, 99 };

	assert_int_equal(resv_add(BE, f->ctx, &r), 0);
	r.kib = 6144;
	r.domid = -1;
	r.expires_ms = 0;
	assert_int_equal(resv_put(BE, f->ctx, &r), 0);
	has(f, RESV_ROOT "/s/p", "6144");
	has(f, RESV_ROOT "/s/p/in-transfer", NULL);
	has(f, RESV_ROOT "/s/p/expires-ms", NULL);
}

/* squeezed's login: the whole session goes, no other. */
static void
test_drop_session(void **state)
{
	struct fixture	*f = *state;
	struct resv	 a = { "s", "a", 4096, -1, 0 };
	struct resv	 b = { "s", "b", 4096, -1, 0 };
	struct resv	 c = { "t", "c", 4096, -1, 0 };
	struct resv	*v = NULL;
	size_t		 n;

	assert_int_equal(resv_add(BE, f->ctx, &a), 0);
	assert_int_equal(resv_add(BE, f->ctx, &b), 0);
	assert_int_equal(resv_add(BE, f->ctx, &c), 0);
	assert_int_equal(resv_drop_session(BE, f->ctx, "s"), 0);
	assert_non_null(listed(f, &v, &n, "c"));
	assert_int_equal(n, 1);
	assert_int_equal(resv_drop_session(BE, f->ctx, "nobody"), 0);
	free(v);
}

/* A failed sync leaves nothing behind: not of an add, a remove, a put. */
static void
test_undo(void **state)
{
	struct fixture	*f = *state;
	struct resv	 kept = { "s", "kept", 4096, 7, 5000 };
	struct resv	 lost = { "s", "lost", 8192, 8, 6000 };

	assert_int_equal(resv_add(BE, f->ctx, &kept), 0);
	break_sync(f);
	assert_true(resv_add(BE, f->ctx, &lost) < 0);
	has(f, RESV_ROOT "/s/lost", NULL);
	has(f, RESV_ROOT "/s/lost/expires-ms", NULL);
	has(f, RESV_ROOT "/s/lost/in-transfer", NULL);
	assert_true(resv_remove(BE, f->ctx, &kept) < 0);
	has(f, RESV_ROOT "/s/kept", "4096");
	has(f, RESV_ROOT "/s/kept/expires-ms", "5000");
	has(f, RESV_ROOT "/s/kept/in-transfer", "7");
	/* no undo here (model.c removes each first): an error all the same */
	assert_true(resv_drop_session(BE, f->ctx, "s") < 0);
	mend_sync(f);
}

/* ---- transfers ---------------------------------------------------------- */

/* To a domain being built: its keys, the in-transfer mark. */
static void
test_transfer(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "r", 65536, -1, 0 };
	char		 id[RESV_NAME_MAX + 1];

	assert_int_equal(resv_add(BE, f->ctx, &r), 0);
	assert_int_equal(resv_of_domain(BE, f->ctx, 7, id), -ENOENT);
	assert_int_equal(resv_transfer(BE, f->ctx, &r, 7), 0);
	has(f, "/local/domain/7/memory/initial-reservation", "65536");
	has(f, "/local/domain/7/memory/reservation-id", "r");
	has(f, RESV_ROOT "/s/r/in-transfer", "7");
	has(f, RESV_ROOT "/s/r", "65536");
	assert_int_equal(resv_of_domain(BE, f->ctx, 7, id), 0);
	assert_string_equal(id, "r");
	/* a reservation-id xenstore would not take as a name: none */
	assert_int_equal(BE->write(f->ctx,
	    "/local/domain/8/memory/reservation-id", "a/b"), 0);
	assert_int_equal(resv_of_domain(BE, f->ctx, 8, id), -ENOENT);
}

/*
 * Moved to another domain: the domain it had been given to forgets it,
 * but only when its keys still name this reservation.
 */
static void
test_transfer_moves(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "r", 65536, -1, 0 };
	struct resv	 q = { "s", "q", 4096, -1, 0 };

	assert_int_equal(resv_add(BE, f->ctx, &r), 0);
	assert_int_equal(resv_transfer(BE, f->ctx, &r, 7), 0);
	r.domid = 7;
	assert_int_equal(resv_transfer(BE, f->ctx, &r, 8), 0);
	has(f, "/local/domain/7/memory/initial-reservation", NULL);
	has(f, "/local/domain/7/memory/reservation-id", NULL);
	has(f, "/local/domain/8/memory/reservation-id", "r");
	has(f, RESV_ROOT "/s/r/in-transfer", "8");

	/* domain 8 was given q since: r moving away leaves q's keys alone */
	assert_int_equal(resv_add(BE, f->ctx, &q), 0);
	assert_int_equal(resv_transfer(BE, f->ctx, &q, 8), 0);
	r.domid = 8;
	assert_int_equal(resv_transfer(BE, f->ctx, &r, 7), 0);
	has(f, "/local/domain/8/memory/reservation-id", "q");
	has(f, "/local/domain/8/memory/initial-reservation", "4096");
	has(f, "/local/domain/7/memory/reservation-id", "r");

	/* to the same domain again: nothing is lost */
	r.domid = 7;
	assert_int_equal(resv_transfer(BE, f->ctx, &r, 7), 0);
	has(f, "/local/domain/7/memory/reservation-id", "r");
	has(f, "/local/domain/7/memory/initial-reservation", "65536");
}

/* A transfer that cannot be made durable: it stays where it was. */
static void
test_transfer_undo(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "r", 65536, -1, 777 };

	assert_int_equal(resv_add(BE, f->ctx, &r), 0);
	break_sync(f);
	assert_true(resv_transfer(BE, f->ctx, &r, 7) < 0);
	has(f, RESV_ROOT "/s/r", "65536");
	has(f, RESV_ROOT "/s/r/in-transfer", NULL);
	has(f, RESV_ROOT "/s/r/expires-ms", "777");
	has(f, "/local/domain/7/memory/initial-reservation", NULL);
	has(f, "/local/domain/7/memory/reservation-id", NULL);
	mend_sync(f);

	/* moving from 7 to 8 fails: still 7's, 8 has nothing */
	assert_int_equal(resv_transfer(BE, f->ctx, &r, 7), 0);
	r.domid = 7;
	break_sync(f);
	/* to the same domain again: its keys stay */
	assert_true(resv_transfer(BE, f->ctx, &r, 7) < 0);
	has(f, "/local/domain/7/memory/reservation-id", "r");
	has(f, RESV_ROOT "/s/r/in-transfer", "7");
	assert_true(resv_transfer(BE, f->ctx, &r, 8) < 0);
	has(f, RESV_ROOT "/s/r/in-transfer", "7");
	has(f, "/local/domain/7/memory/reservation-id", "r");
	has(f, "/local/domain/7/memory/initial-reservation", "65536");
	has(f, "/local/domain/8/memory/reservation-id", NULL);
	has(f, "/local/domain/8/memory/initial-reservation", NULL);
	mend_sync(f);
}

/* A new xenstored lost a transferred domain's keys: written back once. */
static void
test_restore_domain(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "r", 65536, 7, 0 };
	struct resv	 none = { "s", "n", 65536, -1, 0 };

	assert_int_equal(resv_restore_domain(BE, f->ctx, &r), 1);
	has(f, "/local/domain/7/memory/initial-reservation", "65536");
	has(f, "/local/domain/7/memory/reservation-id", "r");
	assert_int_equal(resv_restore_domain(BE, f->ctx, &r), 0);
	assert_int_equal(resv_restore_domain(BE, f->ctx, &none), 0);
}

/* ---- pins --------------------------------------------------------------- */

static void
test_pins(void **state)
{
	struct fixture		*f = *state;
	struct resv_pin		 a = { 5, 1000000, 123 }, b = { 9, 2000, 0 };
	struct resv_pin		*v;
	size_t			 n, i;

	assert_int_equal(resv_pin_list(BE, f->ctx, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(resv_pin_set(BE, f->ctx, &a), 0);
	assert_int_equal(resv_pin_set(BE, f->ctx, &b), 0);
	has(f, RESV_PIN_ROOT "/5", "1000000");
	has(f, RESV_PIN_ROOT "/5/expires-ms", "123");
	/* not a domid, or not a number: not a pin */
	assert_int_equal(BE->write(f->ctx, RESV_PIN_ROOT "/abc", "5"), 0);
	assert_int_equal(BE->write(f->ctx, RESV_PIN_ROOT "/6", "x"), 0);
	assert_int_equal(resv_pin_list(BE, f->ctx, &v, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		if (v[i].domid == 5) {
			assert_int_equal(v[i].kib, 1000000);
			assert_int_equal(v[i].expires_ms, 123);
		} else {
			assert_int_equal(v[i].domid, 9);
			assert_int_equal(v[i].kib, 2000);
		}
	}
	free(v);
	/* set again: replaced */
	a.kib = 900000;
	assert_int_equal(resv_pin_set(BE, f->ctx, &a), 0);
	has(f, RESV_PIN_ROOT "/5", "900000");
	assert_int_equal(resv_pin_clear(BE, f->ctx, 5), 0);
	assert_int_equal(resv_pin_clear(BE, f->ctx, 5), 0);	/* none */
	has(f, RESV_PIN_ROOT "/5", NULL);
	has(f, RESV_PIN_ROOT "/5/expires-ms", NULL);
	assert_int_equal(resv_pin_list(BE, f->ctx, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].domid, 9);
	free(v);
	/* not durable: an error */
	break_sync(f);
	assert_true(resv_pin_clear(BE, f->ctx, 9) < 0);
	mend_sync(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test_setup_teardown(test_add_list_remove, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transfer_moves, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transfer_undo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restore_domain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pins, setup, teardown),
	};

	return cmocka_run_group_tests_name("resv", tests, NULL, NULL);
}
