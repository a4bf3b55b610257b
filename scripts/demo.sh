#!/bin/sh
# demo.sh BUILD - the sample cohort, end to end, as the programme would run it.
#
# A private PostgreSQL under var/pg, sparkmatchd on a free local port, the
# sample cohort posted through POST /v1/signups exactly as the sign-up form
# would (signed Standard Webhooks), a matching run requested over the admin
# API, and the proposals it made, with their reasons. The database is reset
# each time, so the demo always tells the same story. Everything keeps
# running afterwards for you to explore; `make demo-stop` stops it.
set -eu

build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
sm="$src/$build/sparkmatch"
smd="$src/$build/sparkmatchd"
var="$src/var"

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
die() {
	echo "demo: $*" >&2
	[ -f "$var/sparkmatchd.log" ] && tail -n 20 "$var/sparkmatchd.log" >&2
	exit 1
}

mkdir -p "$var"
scripts/demo-stop.sh daemon

say "Starting a private PostgreSQL in var/pg (Unix socket only)"
conninfo=$(scripts/pgctl.sh start "$var/pg")
sock=$(echo "$conninfo" | sed 's/.*host=\([^ ]*\).*/\1/')
psql -X -q -h "$sock" -U sparkmatch -d postgres -c "DROP DATABASE IF EXISTS sparkmatch WITH (FORCE)" \
	-c "CREATE DATABASE sparkmatch"
echo "$conninfo (fresh database)"

say "Applying migrations"
"$sm" -d "$conninfo" migrate

say "Configuring sparkmatchd (var/demo.conf) with a sign-up secret and an admin token"
umask 077
printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64)" > "$var/signup.secret"
token=$("$sm" -d "$conninfo" token create demo-admin | tail -n 1)
cat > "$var/demo.conf" <<CONF
# Written by make demo.
[database]
conninfo = "$conninfo"
[http]
listen = 127.0.0.1
port = 0
[auth]
signup_secret_file = $var/signup.secret
[match]
mode = optimal
CONF
umask 022
"$smd" -t -c "$var/demo.conf"

say "Starting sparkmatchd"
"$smd" -c "$var/demo.conf" > "$var/sparkmatchd.log" 2>&1 &
echo $! > "$var/sparkmatchd.pid"
url=""
for _ in $(seq 1 100); do
	if grep -q " ready: " "$var/sparkmatchd.log" 2>/dev/null; then
		url=http://$(sed -n 's/.* listening on \([0-9.:]*\).*/\1/p' "$var/sparkmatchd.log" | head -n 1)
		break
	fi
	kill -0 "$(cat "$var/sparkmatchd.pid")" 2>/dev/null || die "sparkmatchd exited"
	sleep 0.1
done
[ -n "$url" ] || die "sparkmatchd did not become ready"
echo "sparkmatchd is listening on $url (log: var/sparkmatchd.log)"
curl -fsS "$url/healthz"; echo

say "Posting the sample cohort through POST /v1/signups, signed, as the sign-up form would"
"$sm" signup-post --url "$url" --secret-file "$var/signup.secret" \
	config/cohort/mentors.csv config/cohort/mentees.csv | tail -n 3

say "Requesting a matching run over the admin API"
run=$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"mode": "optimal"}' "$url/v1/runs")
echo "$run"
id=$(echo "$run" | sed 's/.*"id":[ ]*\([0-9]*\).*/\1/')
status=""
for _ in $(seq 1 300); do
	status=$(curl -fsS -H "Authorization: Bearer $token" "$url/v1/runs/$id" |
		sed 's/.*"status":[ ]*"\([a-z]*\)".*/\1/')
	[ "$status" = succeeded ] || [ "$status" = failed ] && break
	sleep 0.1
done
[ "$status" = succeeded ] || die "run $id ended as '$status'"
curl -fsS -H "Authorization: Bearer $token" "$url/v1/runs/$id"; echo

say "The proposals of run $id, with the reasons"
"$sm" -d "$conninfo" proposals --run "$id" --why

say "One proposal as the API serves it (GET /v1/proposals/{id})"
first=$(psql -X -tA -h "$sock" -U sparkmatch -d sparkmatch -c "SELECT min(id) FROM proposals WHERE run_id = $id")
curl -fsS -H "Authorization: Bearer $token" "$url/v1/proposals/$first"; echo

say "Where the programme stands"
"$sm" -d "$conninfo" status

say "Still running for you to explore"
cat <<TXT
  API:     $url   (admin token: $token)
           curl -H "Authorization: Bearer $token" $url/v1/proposals
  metrics: curl $url/metrics
  CLI:     $sm -d "$conninfo" explain mentee-011 mentor-003
  SQL:     psql "$conninfo"
Stop everything with: make demo-stop
TXT
