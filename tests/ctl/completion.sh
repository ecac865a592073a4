#!/bin/bash
# tests/ctl/completion.sh: the bash completion of squeezerctl
# (etc/bash-completion/squeezerctl).  Every command it offers is one
# squeezerctl accepts, and every command squeezerctl's help lists is
# offered; options per command; sizes complete to nothing; domain ids (and
# names, when the daemon gives them), reservation and pending ids come from
# a running daemon (--backend=sim) on the socket given with -s.
# Usage: completion.sh [SQUEEZERCTL [SQUEEZERD]]
set -u
cd "$(dirname "$0")/../.."
CTL=$(cd "$(dirname "${1:-./squeezerctl}")" && pwd)/$(basename "${1:-./squeezerctl}")
SQUEEZERD=${2:-./squeezerd}
D=$(mktemp -d /tmp/completion.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
n=0 fail=0
# shellcheck source=/dev/null
. etc/bash-completion/squeezerctl

# comp "WORDS..." [CURRENT]: what completing the last word (CURRENT, or
# empty: a new word) of "squeezerctl WORDS" offers, sorted, one a line.
comp() {
	read -r -a COMP_WORDS <<<"$CTL $1"
	COMP_WORDS+=("${2-}")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_squeezerctl
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}

# expect NAME GOT WANT: GOT and WANT (newline-separated lists) agree.
expect() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok    $1"
	else
		fail=$((fail + 1))
		echo "FAIL  $1"
		echo "  | got:  $(echo $2)"
		echo "  | want: $(echo $3)"
	fi
}

# the commands: what squeezerctl help lists, and each one squeezerctl
# accepts (with no daemon: it fails to connect or for want of arguments,
# never "unknown command"); a word that is no command is refused, so this
# check can fail
cmds=$(comp "")
expect "commands offered = squeezerctl help's" "$cmds" \
    "$("$CTL" help | awk '/^  [a-z]/ { print $1 }' | sort)"
unknown=""
for c in $cmds no-such-command; do
	if "$CTL" -s "$D/none" "$c" </dev/null 2>&1 | grep -q 'unknown command'
	then
		unknown="$unknown $c"
	fi
done
expect "squeezerctl accepts every command offered (not no-such-command)" \
    "$unknown" " no-such-command"
expect "a prefix: mi" "$(comp "" mi)" "$(printf 'migrate-end\nmigrate-in\nmigrate-out')"
expect "global options" "$(comp "" -)" \
    "$(printf -- '--help\n--version\n-h\n-j\n-s')"
expect "reserve's options" "$(comp "reserve 1G" --)" \
    "$(printf -- '--deadline\n--id\n--node\n--session\n--ttl')"
expect "top's options" "$(comp "top" -)" "$(printf -- '-i\n-n')"
expect "a size completes to nothing" "$(comp "reserve" "")" ""
expect "nor an option's argument (--ttl)" "$(comp "reserve 1G --ttl" "")" ""
expect "migrate-end DOMID: done or aborted" "$(comp "migrate-end 3" "")" \
    "$(printf 'aborted\ndone')"
touch "$D/scenario.json"
expect "simulate: a file" "$(comp "simulate" "$D/sc")" "$D/scenario.json"
expect "-s: a file" "$(comp "-s" "$D/sc")" "$D/scenario.json"
expect "no daemon: no domain ids" "$(comp "-s $D/none migrate-out" "")" ""

# a daemon for the domains and reservations
: >"$D/conf"
"$SQUEEZERD" -d --backend=sim -s "$D/sock" -f "$D/conf" 2>"$D/log" &
PID=$!
for _ in $(seq 200); do
	"$CTL" -s "$D/sock" status >/dev/null 2>&1 && break
	sleep 0.1
done
doms=$("$CTL" -s "$D/sock" -j domains | grep -o '"domid": *[0-9]*' |
    grep -o '[0-9]*$' | sort)
[ -n "$doms" ] || { echo "FAIL  no daemon: $(cat "$D/log")"; exit 1; }
expect "migrate-out DOMID: the daemon's domain ids" \
    "$(comp "-s $D/sock migrate-out" "")" "$doms"
expect "transfer ID DOMID, a prefix: 1" \
    "$(comp "-s $D/sock transfer some-id" 1)" "$(echo "$doms" | grep '^1')"
expect "migrate-out's MAX completes to nothing" \
    "$(comp "-s $D/sock migrate-out 3" "")" ""
"$CTL" -s "$D/sock" call sim.xs.write \
    '{"path":"/local/domain/3/name","value":"web01"}' >/dev/null
if "$CTL" -s "$D/sock" -j domains | grep -q '"name": *"web01"'; then
	expect "a domain name completes to its id" \
	    "$(comp "-s $D/sock migrate-out" web)" 3
else
	echo "skip  a domain name completes to its id (domains gives no names)"
fi
id=$("$CTL" -s "$D/sock" -j reserve 64M | grep -o '"id": *"[^"]*"' |
    sed 's/.*"\([^"]*\)"$/\1/')
expect "delete ID: the daemon's reservations" \
    "$(comp "-s $D/sock delete" "")" "$id"
expect "cancel ID: the pending reserves (none)" \
    "$(comp "-s $D/sock cancel" "")" ""
# names, and JSON on one line, as a later squeezerctl may print it: a
# stand-in that answers -j domains itself
cat >"$D/fakectl" <<FAKE
#!/bin/sh
case "\$*" in
*"-j domains")	echo '[{"domid":0,"name":"Domain-0"},{"domid":7,"name":"web01","reason":"x"},{"domid":12,"name":"db02"}]' ;;
*)		exec "$CTL" "\$@" ;;
esac
FAKE
chmod +x "$D/fakectl"
CTL=$D/fakectl
expect "names: web completes to 7" "$(comp "migrate-out" web)" 7
expect "names: ids by prefix, compact JSON" "$(comp "migrate-out" 1)" 12
expect "names: all ids" "$(comp "migrate-out" "")" "$(printf '0\n12\n7')"
echo "completion: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
