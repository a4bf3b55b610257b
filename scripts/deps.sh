#!/bin/sh
# deps.sh GROUP... - install the Debian packages sparkmatch needs, if any is missing.
#
# Groups: build (compiler, libraries), test (Criterion, PostgreSQL server),
# demo (PostgreSQL server), bench (reference solvers). Runs `apt-get update`
# once and `apt-get install` only when something is missing, so it is cheap to
# call before every `make check` / `make demo`.
set -eu

pkgs_build="gcc make pkg-config libc6-dev libpq-dev libevent-dev libcjson-dev libssl-dev libcurl4-openssl-dev"
pkgs_test="libcriterion-dev postgresql-15 postgresql-client-15"
pkgs_demo="postgresql-15 postgresql-client-15 curl"
pkgs_bench="g++ liblemon-dev python3 python3-scipy python3-numpy"

want=""
for group in "$@"; do
	eval "want=\"\$want \$pkgs_$group\""
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; make sure these are installed:$want" >&2
	exit 0
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps: need root (or sudo) to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
