/*
 * fuzz_json_strict.c: the strict JSON checker (src/json_strict.c) against
 * json-c, on any bytes.  Oracles: the sanitizers; what the checker accepts,
 * json-c parses whole (strict mode, same depth) into the same number of
 * object members as the checker saw names; the raw "id" span it reports
 * lies in the text and parses as one value.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_strict.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every member of every object in o. */
static size_t
count_members(struct json_object *o)
{
	size_t	n = 0, i;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			n += 1 + count_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			n += count_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/* Members written in text, counted crudely: ':' outside strings. */
static size_t
count_colons(const char *t, size_t len)
{
	size_t	n = 0, i;
	int	in = 0;

	for (i = 0; i < len; i++) {
		if (in && t[i] == '\\')
			i++;
		else if (t[i] == '"')
			in = !in;
		else if (!in && t[i] == ':')
			n++;
	}
	return n;
}

static struct json_object *
parse(const char *text, size_t len)
{
	struct json_tokener	*tok = json_tokener_new_ex(32);
	struct json_object	*o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len + 1);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
		fprintf(stderr, "json-c: %s\n", json_tokener_error_desc(
		    json_tokener_get_error(tok)));
		abort();
	}
	json_tokener_free(tok);
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_strict_info	 info;
	struct json_object	*o;
	char			*text, why[160];

	if (size > 65536 || memchr(data, '\0', size) != NULL)
		return 0;	/* a NUL: the checker refuses, json-c stops */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!json_strict_utf8(text, size) || json_strict_check(text, size,
	    32, &info, why, sizeof(why)) != 0) {
		free(text);
		return 0;
	}
	o = parse(text, size);
	if (count_members(o) != count_colons(text, size))
		abort();	/* json-c merged members the checker allowed */
	json_object_put(o);
	if (info.id_len > 0) {
		if (info.id_off + info.id_len > size)
			abort();
		text[info.id_off + info.id_len] = '\0';
		json_object_put(parse(text + info.id_off, info.id_len));
	}
	free(text);
	return 0;
}
