#!/bin/sh
# pgctl.sh start|stop|status|conninfo DIR - a private PostgreSQL under DIR.
#
# The server listens only on a Unix socket (no TCP port to clash with), has a
# superuser "sparkmatch" with trust authentication on that socket, and a
# database "sparkmatch". PostgreSQL refuses to run as root, so when we are
# root the server runs as the unprivileged "postgres" user (created by the
# Debian package) and DIR is handed to it. Set PGCTL_FAST=1 for throw-away
# clusters (tests): fsync and synchronous commit are turned off.
set -eu

usage() {
	echo "usage: $0 start|stop|status|conninfo DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
case $2 in
/*) base=$2 ;;
*) base=$(pwd)/$2 ;;
esac

find_bindir() {
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		if [ -n "$d" ] && [ -x "$d/initdb" ]; then
			echo "$d"
			return
		fi
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return
		fi
	done
	echo "pgctl: no PostgreSQL server binaries found (install postgresql-15: make deps)" >&2
	exit 1
}

# Run a server-side command as the user that owns the cluster.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$pguser" -- "$@"
	else
		"$@"
	fi
}

pguser=postgres
if [ "$(id -u)" -eq 0 ] && ! id "$pguser" >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
fi

# The cluster lives in $real; normally that is $base, but when we are root
# and the unprivileged user cannot reach $base (a home directory with mode
# 0700, say), or the socket path would be too long for sun_path, it lives in
# a directory under /tmp that $base/location points to.
resolve() {
	if [ -f "$base/location" ]; then
		real=$(cat "$base/location")
	else
		real=$base
	fi
	data=$real/data
	sock=$real
}

bindir=$(find_bindir)
port=5432

case $cmd in
start)
	mkdir -p "$base"
	resolve
	if [ ! -f "$data/PG_VERSION" ]; then
		need_tmp=0
		if [ ${#base} -gt 80 ]; then
			need_tmp=1
		elif [ "$(id -u)" -eq 0 ] && ! runuser -u "$pguser" -- test -x "$base" 2>/dev/null; then
			need_tmp=1
		fi
		if [ $need_tmp -eq 1 ]; then
			real=$(mktemp -d /tmp/sparkmatch-pg.XXXXXX)
			echo "$real" > "$base/location"
			resolve
		fi
		mkdir -p "$data"
		if [ "$(id -u)" -eq 0 ]; then
			chown -R "$pguser" "$real"
		fi
		chmod 0700 "$data"
		as_owner "$bindir/initdb" -D "$data" -U sparkmatch --auth=trust \
			-E UTF8 --no-locale --no-sync >"$real/initdb.log" 2>&1 || {
			cat "$real/initdb.log" >&2
			exit 1
		}
		{
			echo "listen_addresses = ''"
			echo "unix_socket_directories = '$sock'"
			echo "port = $port"
			echo "max_connections = 300"
			echo "shared_buffers = 128MB"
			echo "log_min_messages = warning"
			echo "log_min_error_statement = panic"
			if [ "${PGCTL_FAST:-0}" = 1 ]; then
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_owner sh -c "cat >> '$data/postgresql.conf'"
	fi
	if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_owner "$bindir/pg_ctl" -D "$data" -l "$real/postgres.log" -w -t 60 start >/dev/null || {
			tail -n 20 "$real/postgres.log" >&2
			exit 1
		}
	fi
	if ! "$bindir/psql" -X -q -h "$sock" -p $port -U sparkmatch -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'sparkmatch'" | grep -q 1; then
		"$bindir/createdb" -h "$sock" -p $port -U sparkmatch sparkmatch
	fi
	echo "host=$sock port=$port user=sparkmatch dbname=sparkmatch"
	;;
stop)
	[ -d "$base" ] || exit 0
	resolve
	[ -f "$data/PG_VERSION" ] || exit 0
	if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
	fi
	;;
status)
	resolve
	as_owner "$bindir/pg_ctl" -D "$data" status
	;;
conninfo)
	resolve
	echo "host=$sock port=$port user=sparkmatch dbname=sparkmatch"
	;;
*)
	usage
	;;
esac
