/*
 * ctl_output_json.c: squeezerctl -j: results as the daemon's JSON, and
 * failures as one JSON object on stdout too, so that a script reads one
 * stream whatever happened; the exit status is the same as without -j.
 */
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_output.h"

#define CTL_JSON_PRETTY		(JSON_C_TO_STRING_PRETTY | \
	JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
#define CTL_JSON_PLAIN		(JSON_C_TO_STRING_PLAIN | \
	JSON_C_TO_STRING_NOSLASHESCAPE)

static void
ctl_output_json_result(const struct ctl *ctl, ctl_text_fn *text,
    struct json_object *result, int flags)
{
	(void)ctl;
	(void)text;
	printf("%s\n", json_object_to_json_string_ext(result,
	    (flags & CTL_OUT_LINE) ? CTL_JSON_PLAIN : CTL_JSON_PRETTY));
}

/*
 * {"error": {"command", "message": word, "text", "usage"?, "code"?,
 * "data"?}}: the daemon's code and data when it refused or failed.
 */
static void
ctl_output_json_error(const struct ctl *ctl, const char *word, const char *text,
    const char *usage, struct json_object *remote)
{
	struct json_object	*o = json_object_new_object(), *e, *v;

	e = json_object_new_object();
	if (ctl->ctl_cmd != NULL)
		json_object_object_add(e, "command",
		    json_object_new_string(ctl->ctl_cmd));
	json_object_object_add(e, "message", json_object_new_string(word));
	json_object_object_add(e, "text", json_object_new_string(text));
	if (usage != NULL)
		json_object_object_add(e, "usage",
		    json_object_new_string(usage));
	if (json_object_object_get_ex(remote, "code", &v))
		json_object_object_add(e, "code", json_object_get(v));
	if (json_object_object_get_ex(remote, "data", &v))
		json_object_object_add(e, "data", json_object_get(v));
	json_object_object_add(o, "error", e);
	printf("%s\n", json_object_to_json_string_ext(o, CTL_JSON_PRETTY));
	json_object_put(o);
}

const struct ctl_output ctl_output_json = {
	.result	= ctl_output_json_result,
	.error	= ctl_output_json_error,
};
