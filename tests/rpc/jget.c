/*
 * jget: print values out of JSON lines by path, for the RPC tests.
 *
 * usage: jget [-jklt] path ...
 *
 * Each non-empty line of standard input is one JSON document.  For each
 * document and each path, print the value at the path on its own line:
 * strings raw (JSON with -j), numbers, true/false/null, and objects and
 * arrays as compact JSON.  A path is dot-separated ("result.kib",
 * "error.data.needed-kib", "result.0.id", also "result[0].id"); "." alone
 * is the whole document; a "*" segment fans out over every element of an
 * array or every member value of an object.
 *
 *	-j	print strings as JSON (quoted)
 *	-k	print an object's keys (space-separated, in order)
 *	-l	print the length of an array, object or string
 *	-t	print the type: object array string int double boolean null
 *	-w	the whole input is one JSON document (pretty-printed output)
 *	-a base	for each element of the array at base, print the paths'
 *		values on one line, separated by spaces
 *
 * A path that does not exist prints "<missing>", a line that is not JSON
 * prints "<invalid>"; either makes the exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

static int	arg_json, arg_keys, arg_len, arg_type, arg_whole;
static char	*arg_rows;
static int	failed;

static void
usage(void)
{
	fprintf(stderr, "usage: jget [-jklt] path ...\n");
	exit(2);
}

static const char *
type_name(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "boolean";
	case json_type_double:
		return "double";
	case json_type_int:
		return "int";
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	}
	return "unknown";
}

/* Format one value as asked by the flags, into a static buffer. */
static const char *
fmt(struct json_object *o)
{
	static char	*buf;
	static size_t	 cap;
	const char	*s, *sep = "";
	size_t		 len, n;
	char		 num[32];

	if (arg_type)
		return type_name(o);
	if (arg_len) {
		if (json_object_is_type(o, json_type_array))
			snprintf(num, sizeof(num), "%zu",
			    json_object_array_length(o));
		else if (json_object_is_type(o, json_type_object))
			snprintf(num, sizeof(num), "%d",
			    json_object_object_length(o));
		else if (o != NULL && json_object_is_type(o, json_type_string))
			snprintf(num, sizeof(num), "%d",
			    json_object_get_string_len(o));
		else {
			failed = 1;
			return "<nolength>";
		}
		s = num;
	} else if (arg_keys) {
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			failed = 1;
			return "<notobject>";
		}
		len = 0;
		json_object_object_foreach(o, k, v) {
			(void)v;
			n = strlen(sep) + strlen(k);
			if (len + n + 1 > cap) {
				cap = (len + n + 1) * 2;
				if ((buf = realloc(buf, cap)) == NULL)
					exit(2);
			}
			snprintf(buf + len, cap - len, "%s%s", sep, k);
			len += n;
			sep = " ";
		}
		return len ? buf : "";
	} else if (o == NULL)
		s = "null";
	else if (!arg_json && json_object_is_type(o, json_type_string))
		s = json_object_get_string(o);
	else
		s = json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	if (len + 1 > cap) {
		cap = len + 1;
		if ((buf = realloc(buf, cap)) == NULL)
			exit(2);
	}
	memcpy(buf, s, len + 1);
	return buf;
}

static void
show(struct json_object *o)
{
	printf("%s\n", fmt(o));
}

/* Whether s is a non-empty string of digits. */
static int
is_index(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Walk the remaining segments of path (modified in place) from o. */
static void
walk(struct json_object *o, char *path)
{
	struct json_object	*next;
	char			*seg, *rest;
	size_t			 i, n;

	if (path == NULL || *path == '\0') {
		show(o);
		return;
	}
	seg = path;
	rest = strchr(path, '.');
	if (rest != NULL)
		*rest++ = '\0';
	if (strcmp(seg, "*") == 0) {
		char	*copy;

		if (json_object_is_type(o, json_type_array)) {
			n = json_object_array_length(o);
			for (i = 0; i < n; i++) {
				copy = rest ? strdup(rest) : NULL;
				walk(json_object_array_get_idx(o, i), copy);
				free(copy);
			}
		} else if (json_object_is_type(o, json_type_object)) {
			json_object_object_foreach(o, k, v) {
				(void)k;
				copy = rest ? strdup(rest) : NULL;
				walk(v, copy);
				free(copy);
			}
		} else
			goto missing;
		return;
	}
	if (json_object_is_type(o, json_type_array) && is_index(seg)) {
		n = strtoul(seg, NULL, 10);
		if (n >= json_object_array_length(o))
			goto missing;
		walk(json_object_array_get_idx(o, n), rest);
		return;
	}
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, seg, &next)) {
		walk(next, rest);
		return;
	}
missing:
	printf("<missing>\n");
	failed = 1;
}

/* The single value at path (no "*"), or found = 0. */
static struct json_object *
find(struct json_object *o, const char *path, int *found)
{
	char	seg[256];
	size_t	n;

	*found = 1;
	while (*path != '\0') {
		n = strcspn(path, ".");
		if (n >= sizeof(seg))
			break;
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n + (path[n] == '.');
		if (json_object_is_type(o, json_type_array) && is_index(seg)) {
			if ((n = strtoul(seg, NULL, 10)) >=
			    json_object_array_length(o))
				break;
			o = json_object_array_get_idx(o, n);
		} else if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, seg, &o))
			break;
		if (*path == '\0')
			return o;
	}
	if (*path == '\0' && o != NULL)
		return o;
	*found = 0;
	return NULL;
}

/* -a: one line per element of the array at base, the paths' values. */
static void
rows(struct json_object *doc, const char *base, char **paths, int npaths)
{
	struct json_object	*arr, *e, *v;
	size_t			 i, n;
	int			 j, found;

	arr = find(doc, base, &found);
	if (!found || !json_object_is_type(arr, json_type_array)) {
		printf("<missing>\n");
		failed = 1;
		return;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		for (j = 0; j < npaths; j++) {
			v = find(e, paths[j], &found);
			printf("%s%s", j ? " " : "", found ? fmt(v) :
			    "<missing>");
		}
		printf("\n");
	}
}

/* Turn "a[0].b" into "a.0.b"; "." and "" mean the root. */
static char *
normalise(const char *path)
{
	const char	*q;
	char		*p, *s = malloc(strlen(path) * 2 + 1);

	if (s == NULL)
		exit(2);
	for (p = s, q = path; *q != '\0'; q++) {
		if (*q == '[') {
			if (p != s && p[-1] != '.')
				*p++ = '.';
		} else if (*q == ']') {
			/* nothing */
		} else
			*p++ = *q;
	}
	*p = '\0';
	if (strcmp(s, ".") == 0)
		*s = '\0';
	return s;
}

/* Print the paths' values out of one JSON text. */
static void
process(const char *text, char **paths, int npaths)
{
	struct json_object	*doc;
	enum json_tokener_error	 jerr;
	int			 i;

	doc = json_tokener_parse_verbose(text, &jerr);
	if (jerr != json_tokener_success) {
		for (i = 0; i < (arg_rows ? 1 : npaths); i++)
			printf("<invalid>\n");
		failed = 1;
		return;
	}
	if (arg_rows != NULL)
		rows(doc, arg_rows, paths, npaths);
	else
		for (i = 0; i < npaths; i++) {
			char	*copy = strdup(paths[i]);

			walk(doc, copy);
			free(copy);
		}
	json_object_put(doc);
}

int
main(int argc, char **argv)
{
	char		*line = NULL, **paths;
	size_t		 cap = 0, got = 0, n;
	ssize_t		 len;
	int		 ch, i, npaths;

	while ((ch = getopt(argc, argv, "a:jkltw")) != -1) {
		switch (ch) {
		case 'a':
			arg_rows = normalise(optarg);
			break;
		case 'j':
			arg_json = 1;
			break;
		case 'k':
			arg_keys = 1;
			break;
		case 'l':
			arg_len = 1;
			break;
		case 't':
			arg_type = 1;
			break;
		case 'w':
			arg_whole = 1;
			break;
		default:
			usage();
		}
	}
	npaths = argc - optind;
	if (npaths == 0)
		usage();
	if ((paths = calloc((size_t)npaths, sizeof(*paths))) == NULL)
		return 2;
	for (i = 0; i < npaths; i++)
		paths[i] = normalise(argv[optind + i]);
	if (arg_whole) {
		cap = 65536;
		if ((line = malloc(cap)) == NULL)
			return 2;
		while ((n = fread(line + got, 1, cap - got - 1, stdin)) > 0) {
			got += n;
			if (got + 1 == cap && (line = realloc(line,
			    cap *= 2)) == NULL)
				return 2;
		}
		line[got] = '\0';
		process(line, paths, npaths);
	} else {
		while ((len = getline(&line, &cap, stdin)) != -1) {
			while (len > 0 && (line[len - 1] == '\n' ||
			    line[len - 1] == '\r'))
				line[--len] = '\0';
			if (len > 0)
				process(line, paths, npaths);
		}
	}
	free(line);
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(arg_rows);
	return failed;
}
