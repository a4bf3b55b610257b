#!/bin/sh
# run-tests.sh BUILD [all|unit] - run the Criterion test binaries in BUILD/tests.
#
# Starts a private PostgreSQL in a temporary directory (Unix socket only),
# creates a migrated template database that tests clone, runs every test
# binary, and always stops the server, even when tests fail or we are
# interrupted. "unit" runs only the tests that need no database or daemon
# (test_db_*, test_daemon_* and test_cli_* are the integration tests).
# VALGRIND=1 runs each binary under valgrind's leak checker.
set -u

build=${1:?usage: run-tests.sh BUILD [all|unit]}
what=${2:-all}
src=$(cd "$(dirname "$0")/.." && pwd)
case $build in
/*) ;;
*) build=$src/$build ;;
esac

tmp=$(mktemp -d /tmp/sparkmatch-test.XXXXXX)
chmod 0755 "$tmp"
cleanup() {
	"$src/scripts/pgctl.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
	loc=$(cat "$tmp/pg/location" 2>/dev/null || true)
	[ -n "$loc" ] && rm -rf "$loc"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_db=1
[ "$what" = unit ] && need_db=0
if [ $need_db -eq 1 ]; then
	conninfo=$(PGCTL_FAST=1 "$src/scripts/pgctl.sh" start "$tmp/pg") || {
		echo "run-tests: could not start PostgreSQL" >&2
		exit 1
	}
	# Tests clone this migrated template, so each starts from a fresh schema quickly.
	sock=$(echo "$conninfo" | sed 's/.*host=\([^ ]*\).*/\1/')
	psql -X -q -h "$sock" -U sparkmatch -d postgres -c "CREATE DATABASE sparkmatch_template" >/dev/null || exit 1
	tmpl="host=$sock port=5432 user=sparkmatch dbname=sparkmatch_template"
	if [ -x "$build/sparkmatch" ]; then
		SPARKMATCH_DATADIR=$src "$build/sparkmatch" -d "$tmpl" migrate >/dev/null || {
			echo "run-tests: migrating the template database failed" >&2
			exit 1
		}
	fi
	export SPARKMATCH_TEST_CONNINFO="$conninfo"
	export SPARKMATCH_TEST_TEMPLATE=sparkmatch_template
fi
export SPARKMATCH_BUILD="$build" SPARKMATCH_SRCDIR="$src" SPARKMATCH_DATADIR="$src"
export SPARKMATCH_TEST_TMP="$tmp"

failed=""
total=0
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.o | *.d) continue ;; esac
	name=$(basename "$t")
	if [ "$what" = unit ]; then
		case $name in test_db_* | test_daemon_* | test_cli_*) continue ;; esac
	fi
	total=$((total + 1))
	echo "==> $name"
	if [ "${VALGRIND:-0}" = 1 ]; then
		# Criterion runs each test in a worker process whose exit status it does
		# not pass on, so read every process's valgrind log instead.
		mkdir -p "$tmp/vg/$name"
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
			--errors-for-leak-kinds=definite,indirect,possible \
			--trace-children=yes --log-file="$tmp/vg/$name/%p.log" "$t" --jobs=1 ||
			failed="$failed $name"
		# With -q valgrind writes only errors and leaks: any non-empty log fails.
		if [ -n "$(find "$tmp/vg/$name" -name '*.log' -size +0c)" ]; then
			cat "$tmp/vg/$name"/*.log >&2
			failed="$failed $name(valgrind)"
		else
			echo "valgrind: no errors and no leaks in $(ls "$tmp/vg/$name" | wc -l) processes"
		fi
	else
		"$t" || failed="$failed $name"
	fi
done

if [ $total -eq 0 ]; then
	echo "run-tests: no test binaries in $build/tests" >&2
	exit 1
fi
if [ -n "$failed" ]; then
	echo "run-tests: FAILED:$failed" >&2
	exit 1
fi
echo "run-tests: all $total test binaries passed"
