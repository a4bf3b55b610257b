#!/bin/sh
# demo-stop.sh [daemon] - stop the demo's sparkmatchd and (unless "daemon") its PostgreSQL.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
var="$src/var"
if [ -f "$var/sparkmatchd.pid" ]; then
	pid=$(cat "$var/sparkmatchd.pid")
	if kill -TERM "$pid" 2>/dev/null; then
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$var/sparkmatchd.pid"
fi
[ "${1:-}" = daemon ] && exit 0
"$src/scripts/pgctl.sh" stop "$var/pg"
