#!/bin/sh
# demo.sh BUILD - the sample cohort, end to end, on a private PostgreSQL under var/.
#
# Starts (or reuses) PostgreSQL in var/pg, applies the migrations, loads the
# sample cohort from config/cohort/, and shows what sparkmatch makes of it.
# Stop the server afterwards with `make demo-stop`.
set -eu

build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
sm="$build/sparkmatch"

say() { printf '\n\033[1m== %s\033[0m\n' "$*" 2>/dev/null || printf '\n== %s\n' "$*"; }
[ -t 1 ] || say() { printf '\n== %s\n' "$*"; }

say "Starting a private PostgreSQL in var/pg (Unix socket only)"
conninfo=$(scripts/pgctl.sh start var/pg)
echo "$conninfo"

say "Applying migrations"
"$sm" -d "$conninfo" migrate

say "Loading the sample cohort (config/cohort/*.csv)"
"$sm" -d "$conninfo" import config/cohort/mentors.csv config/cohort/mentees.csv

say "Top candidate mentors for each waiting mentee, with the reasons"
"$sm" -d "$conninfo" candidates --top 3

say "Done. PostgreSQL keeps running for you to explore:"
echo "  $sm -d \"$conninfo\" candidates --mentee mentee-011"
echo "  psql \"$conninfo\""
echo "Stop it with: make demo-stop"
