# tests/metrics/promcheck.awk: check a Prometheus text exposition (format
# 0.0.4) the way `promtool check metrics` does, for machines without
# promtool (Debian has it only in the 96 MB prometheus server package).
# Run by promcheck.sh (which checks UTF-8 first) with LC_ALL=C; prints
# "LINE: problem" for each problem, and exits 1 if there was one.
#
# The format: "# HELP name text", "# TYPE name type", other comments,
# blank lines, and samples "name{label="value",...} value [timestamp]".
# Checked: names, label names and values (escapes \\ \" \n only), values
# and timestamps; one TYPE and one HELP per family, before its samples;
# a family's samples together; no series twice; histograms (le increasing,
# buckets cumulative, +Inf equal to _count, _sum and _count there).
# And promtool's lint rules: HELP for every family, counters end in _total
# and nothing else does, snake_case, no ':' and base units only (bytes,
# seconds: not _kib, _ms, ...).

function err(msg) {
	printf "%d: %s\n", NR, msg
	bad = 1
}

function valid_name(n) {
	return n ~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
}

function valid_value(v) {
	return v ~ /^[+-]?(Inf|NaN)$/ ||
	    v ~ /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/
}

# The non-base unit in a name, or "".
function bad_unit(n,    parts, k, i) {
	k = split(n, parts, "_")
	for (i = 2; i <= k; i++)
		if (parts[i] in nonbase)
			return parts[i]
	return ""
}

# The family a sample name belongs to.
function family_of(n,    base) {
	if (n in type)
		return n
	if (n ~ /_(bucket|sum|count)$/) {
		base = n
		sub(/_(bucket|sum|count)$/, "", base)
		if (type[base] == "histogram" ||
		    (type[base] == "summary" && n !~ /_bucket$/))
			return base
	}
	return n
}

# Lint a family once, at its first sample or at the end.
function lint(f) {
	if (f in linted)
		return
	linted[f] = 1
	if (!(f in type))
		err("family " f " has no TYPE")
	if (!(f in help))
		err("family " f " has no HELP")
	if (f ~ /[A-Z]/)
		err("family " f " is not snake_case")
	if (f ~ /:/)
		err("family " f " has ':' (reserved for recording rules)")
	if (type[f] == "counter" && f !~ /_total$/)
		err("counter " f " does not end in _total")
	if (type[f] != "counter" && f ~ /_total$/)
		err("non-counter " f " ends in _total")
	if (bad_unit(f) != "")
		err("family " f " has a non-base unit: _" bad_unit(f))
}

# Parse the labels of s (after '{'); sets LABELS (sorted "k=v" joined by
# ","), LE (the le value or "") and REST (after '}'); 0 on error.
function parse_labels(s,    c, k, v, n, i, j, keys, seen, tmp) {
	n = 0
	LE = ""
	split("", seen)
	while (1) {
		sub(/^[ \t]*/, "", s)
		if (substr(s, 1, 1) == "}")
			break
		if (!match(s, /^[a-zA-Z_][a-zA-Z0-9_]*/)) {
			err("bad label name in: " s)
			return 0
		}
		k = substr(s, 1, RLENGTH)
		s = substr(s, RLENGTH + 1)
		if (k ~ /^__/)
			err("label name " k " is reserved")
		if (k in seen)
			err("label " k " twice")
		seen[k] = 1
		sub(/^[ \t]*/, "", s)
		if (substr(s, 1, 2) != "=\"") {
			err("label " k ": no =\"value\"")
			return 0
		}
		s = substr(s, 3)
		v = ""
		while (1) {
			if (s == "") {
				err("label " k ": unterminated value")
				return 0
			}
			c = substr(s, 1, 1)
			if (c == "\"")
				break
			if (c == "\\") {
				c = substr(s, 2, 1)
				if (c != "\\" && c != "\"" && c != "n") {
					err("label " k ": bad escape \\" c)
					return 0
				}
				v = v "\\" c
				s = substr(s, 3)
				continue
			}
			v = v c
			s = substr(s, 2)
		}
		s = substr(s, 2)
		if (k == "le")
			LE = v
		else
			keys[++n] = k "=" v
		sub(/^[ \t]*/, "", s)
		c = substr(s, 1, 1)
		if (c == ",") {
			s = substr(s, 2)
			continue
		}
		if (c != "}") {
			err("labels: expected , or } in: " s)
			return 0
		}
		break
	}
	REST = substr(s, 2)
	for (i = 2; i <= n; i++)		# insertion sort: few labels
		for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) {
			tmp = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = tmp
		}
	LABELS = ""
	for (i = 1; i <= n; i++)
		LABELS = LABELS (i > 1 ? "," : "") keys[i]
	return 1
}

function le_num(v) {
	if (v == "+Inf")
		return "inf"
	return v + 0
}

BEGIN {
	split("kib mib gib tib kb mb gb tb b kilobytes megabytes gigabytes " \
	    "ms us ns sec s m h d milliseconds microseconds nanoseconds " \
	    "minutes hours days pages", u, " ")
	for (i in u)
		nonbase[u[i]] = 1
	split("counter gauge histogram summary untyped", u, " ")
	for (i in u)
		types[u[i]] = 1
	bad = 0
	cur = ""
}

/^[ \t]*$/ { next }

/^#/ {
	if ($2 != "HELP" && $2 != "TYPE")
		next
	if (!valid_name($3)) {
		err("bad metric name in " $2 ": " $3)
		next
	}
	if ($3 in sampled)
		err($2 " of " $3 " after its samples")
	if ($2 == "TYPE") {
		if ($3 in type)
			err("second TYPE of " $3)
		if (NF != 4 || !($4 in types))
			err("bad TYPE line for " $3)
		type[$3] = $4
	} else {
		if ($3 in help)
			err("second HELP of " $3)
		if (NF < 4)
			err("empty HELP of " $3)
		help[$3] = 1
	}
	next
}

{
	line = $0
	if (!match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) {
		err("bad sample line: " line)
		next
	}
	name = substr(line, 1, RLENGTH)
	rest = substr(line, RLENGTH + 1)
	LABELS = ""
	LE = ""
	if (substr(rest, 1, 1) == "{") {
		if (!parse_labels(substr(rest, 2)))
			next
		rest = REST
	}
	if (rest !~ /^[ \t]/) {
		err("no value after " name)
		next
	}
	n = split(rest, f, /[ \t]+/)
	k = 0
	for (i = 1; i <= n; i++)
		if (f[i] != "")
			v[++k] = f[i]
	if (k < 1 || k > 2 || !valid_value(v[1])) {
		err("bad value for " name ": " rest)
		next
	}
	if (k == 2 && v[2] !~ /^-?[0-9]+$/)
		err("bad timestamp for " name ": " v[2])
	fam = family_of(name)
	if (fam != cur) {
		if (fam in sampled)
			err("samples of " fam " are not together")
		cur = fam
		lint(fam)
	}
	sampled[fam] = 1
	series = name "{" LABELS (LE != "" ? ",le=" LE : "") "}"
	if (series in seen_series)
		err("series twice: " series)
	seen_series[series] = 1
	if (type[fam] != "histogram" && LE != "")
		err(name ": le label outside a histogram")
	if (type[fam] != "histogram")
		next
	key = fam "{" LABELS "}"
	hists[key] = 1
	if (name == fam "_bucket") {
		if (LE == "" || (LE != "+Inf" && !valid_value(LE))) {
			err(name ": bucket without a numeric le")
			next
		}
		if (key in lastle && (lastle[key] == "inf" ||
		    (le_num(LE) != "inf" && le_num(LE) <= lastle[key])))
			err(name ": le " LE " not above the bucket before")
		if (key in lastcount && v[1] + 0 < lastcount[key])
			err(name ": bucket le=" LE " below the one before")
		lastle[key] = le_num(LE)
		lastcount[key] = v[1] + 0
		if (LE == "+Inf")
			infcount[key] = v[1] + 0
	} else if (name == fam "_count")
		hcount[key] = v[1] + 0
	else if (name == fam "_sum")
		hsum[key] = 1
	else
		err(name ": not a sample of histogram " fam)
}

END {
	for (t in type)
		if (!(t in sampled))
			lint(t)
	for (key in hists) {
		if (!(key in infcount))
			printf "end: %s has no le=\"+Inf\" bucket\n", key
		else if (!(key in hcount))
			printf "end: %s has no _count\n", key
		else if (infcount[key] != hcount[key])
			printf "end: %s: +Inf bucket %s, _count %s\n", key,
			    infcount[key], hcount[key]
		else if (!(key in hsum))
			printf "end: %s has no _sum\n", key
		else
			continue
		bad = 1
	}
	exit bad
}
