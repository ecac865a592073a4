/*
 * ctl_output.c: what squeezerctl's two outputs share: failures said in
 * one line for people (the daemon's figures in readable units) and handed
 * to the output in use, and reading members of results.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"

#define CTL_OUTPUT_LINE_MAX	1024

const char *
ctl_output_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

bool
ctl_output_int(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return true;
}

/* Format v as it is: "-" for none, booleans as yes/no. */
static void
ctl_output_fmt_value(struct json_object *v, char *buf, size_t len)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		(void)snprintf(buf, len, "-");
		break;
	case json_type_boolean:
		(void)snprintf(buf, len, "%s",
		    json_object_get_boolean(v) ? "yes" : "no");
		break;
	case json_type_string:
		ctl_fmt_clean(json_object_get_string(v), buf, len);
		break;
	default:
		ctl_fmt_clean(json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		    buf, len);
		break;
	}
}

void
ctl_output_value(struct json_object *o, const char *key, char *buf,
    size_t len)
{
	struct json_object	*v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		(void)snprintf(buf, len, "-");
	else
		ctl_output_fmt_value(v, buf, len);
}

void
ctl_output_size(const struct ctl *ctl, struct json_object *o,
    const char *key, char *buf, size_t len)
{
	int64_t	kib;

	if (ctl_output_int(o, key, &kib))
		ctl_fmt_size(kib, ctl->ctl_unit, buf, len);
	else
		ctl_output_value(o, key, buf, len);
}

int
ctl_output_fail(const struct ctl *ctl, const char *word, const char *fmt,
    ...)
{
	char	text[CTL_OUTPUT_LINE_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ctl->ctl_out->error(ctl, word, text, NULL, NULL);
	return CTL_EXIT_FAIL;
}

int
ctl_output_usage(const struct ctl *ctl, const char *usage, const char *fmt,
    ...)
{
	char	text[CTL_OUTPUT_LINE_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ctl->ctl_out->error(ctl, "usage", text, usage, NULL);
	return CTL_EXIT_USAGE;
}

/* Append ", 3, 5" (the domids of member key of data) to buf. */
static size_t
ctl_output_cat_domids(struct json_object *data, const char *key, char *buf,
    size_t len, size_t k)
{
	struct json_object	*a;
	size_t			 i, n;

	if (!json_object_object_get_ex(data, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return k;
	n = json_object_array_length(a);
	for (i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%d",
		    i > 0 ? ", " : " ",
		    json_object_get_int(json_object_array_get_idx(a, i)));
	return k;
}

/* The figures of the errors whose data rpc.md lists, after ": ". */
static bool
ctl_output_explain(const struct ctl *ctl, const char *word,
    struct json_object *data, char *buf, size_t len)
{
	char	a[32], b[32];
	size_t	k;

	if (strcmp(word, "cannot_free") == 0 &&
	    json_object_object_get_ex(data, "needed-kib", NULL)) {
		ctl_output_size(ctl, data, "needed-kib", a, sizeof(a));
		ctl_output_size(ctl, data, "free-kib", b, sizeof(b));
		(void)snprintf(buf, len, "needed %s, %s free", a, b);
		return true;
	}
	if (strcmp(word, "deadline_exceeded") == 0 &&
	    json_object_object_get_ex(data, "needed-kib", NULL)) {
		ctl_output_size(ctl, data, "needed-kib", a, sizeof(a));
		ctl_output_size(ctl, data, "freed-kib", b, sizeof(b));
		k = (size_t)snprintf(buf, len, "needed %s, freed %s", a, b);
		if (json_object_object_get_ex(data, "stalled", NULL) &&
		    k < len) {
			k += (size_t)snprintf(buf + k, len - k,
			    "; stalled: domains");
			(void)ctl_output_cat_domids(data, "stalled", buf, len,
			    k);
		}
		return true;
	}
	if (strcmp(word, "refused") == 0 &&
	    json_object_object_get_ex(data, "domids", NULL)) {
		k = (size_t)snprintf(buf, len, "domains did not give memory "
		    "back:");
		(void)ctl_output_cat_domids(data, "domids", buf, len, k);
		return true;
	}
	return false;
}

int
ctl_output_remote(const struct ctl *ctl, struct json_object *err)
{
	struct json_object	*data = NULL, *v;
	char			 word[64], why[CTL_OUTPUT_LINE_MAX];
	char			 text[CTL_OUTPUT_LINE_MAX + 80];
	const char		*detail;

	(void)json_object_object_get_ex(err, "data", &data);
	if (json_object_object_get_ex(err, "message", &v) &&
	    json_object_is_type(v, json_type_string))
		ctl_fmt_clean(json_object_get_string(v), word, sizeof(word));
	else
		(void)snprintf(word, sizeof(word), "error %d",
		    json_object_get_int(json_object_object_get_ex(err, "code",
		    &v) ? v : NULL));
	why[0] = '\0';
	if (!ctl_output_explain(ctl, word, data, why, sizeof(why)) &&
	    *(detail = ctl_output_str(data, "detail")) != '\0')
		ctl_fmt_clean(detail, why, sizeof(why));
	(void)snprintf(text, sizeof(text), "%s%s%s", word,
	    why[0] != '\0' ? ": " : "", why);
	ctl->ctl_out->error(ctl, word, text, NULL, err);
	return CTL_EXIT_FAIL;
}
