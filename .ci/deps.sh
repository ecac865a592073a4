#!/bin/sh
# Make sure the Debian packages the build and tests need are installed:
# install the missing ones when running as root, else print the exact
# apt-get line and fail.
set -eu
here=$(dirname "$0")
missing=""
for p in $(cat "$here/packages"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "installing:$missing" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
	exit 0
fi
echo "missing Debian packages; run as root:" >&2
echo "  apt-get install -y --no-install-recommends$missing" >&2
exit 1
