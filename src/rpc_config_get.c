/* rpc_config_get.c: the running configuration, key by key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "rpc.h"
#include "squeezerd.h"

/*
 * One "key = value" line of conf_write(): a decimal number (sizes, in KiB)
 * becomes a number; the rest, the octal socket mode included, a string.
 */
static void
rpc_config_line(struct json_object *o, char *line)
{
	char	*eq = strstr(line, " = "), *v;
	int64_t	 n;

	if (eq == NULL)
		return;
	*eq = '\0';
	v = eq + 3;
	v[strcspn(v, "\n")] = '\0';
	if ((v[0] != '0' || v[1] == '\0') &&
	    conf_parse_int(v, INT64_MAX, &n) == 0)
		json_object_object_add(o, line, json_object_new_int64(n));
	else
		json_object_object_add(o, line, json_object_new_string(v));
}

static int
rpc_config_get_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };
	struct json_object	*o;
	char			*text = NULL, *line, *save = NULL;
	size_t			 len = 0;
	FILE			*f;

	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	if ((f = open_memstream(&text, &len)) == NULL)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	conf_write(&bd->bd_conf, f, CONF_WRITE_KIB);
	fclose(f);
	o = json_object_new_object();
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#')
			rpc_config_line(o, line);
	free(text);
	*ret = o;
	return 0;
}

const struct rpc_method rpc_config_get_method = {
	.name	= "config.get",
	.params	= "{}",
	.exec	= rpc_config_get_exec,
};
