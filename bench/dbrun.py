#!/usr/bin/python3
"""dbrun.py - an end-to-end matching run through PostgreSQL (`make -C bench dbrun`).

    /usr/bin/python3 bench/dbrun.py [-n MENTEES] [-m MENTORS] [--seed S]
                                    [--sparkmatch PATH] [--fast] [--out FILE]

The production path, timed step by step:

 1. cohort_gen.py writes the cohort CSVs (cached under bench/data/, keyed by
    size and seed);
 2. scripts/pgctl.sh starts a private PostgreSQL in a fresh temporary
    directory (Unix socket only; as root the server runs as "postgres");
 3. `sparkmatch migrate`, then `sparkmatch import mentees.csv mentors.csv`
    (every row validated and applied through signup_apply(), one transaction);
 4. VACUUM (ANALYZE) and CHECKPOINT, as a live database would be settled by
    the time a run starts;
 5. `sparkmatch run --dry-run --quiet`, then `sparkmatch run --quiet`: load the
    cohort (lib/cohortdb), score (lib/score) and solve with pricing over all
    pairs (match_solve_oracle), and, for the real run, write the run and its
    proposals with their explanations in one transaction;
 6. the run's stored statistics (runs.stats) and a look at what was written.

Each command's wall time, peak RSS and CPU time (user + system, of the
sparkmatch process alone, not the server's) come from wait4(). The figures are
printed and written to bench/out/dbrun.txt. The server is always stopped and
its directory removed afterwards, also on errors and interrupts.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
PGCTL = os.path.join(SRC, "scripts", "pgctl.sh")

lines = []


def say(s=""):
    print(s, flush=True)
    lines.append(s)


def die(msg):
    print(f"dbrun: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(args, env=None, check=True, what=None):
    """Run a command; returns (stdout, stderr, wall seconds, peak RSS in MiB, CPU seconds).

    The child is reaped with wait4() for its own rusage (RUSAGE_CHILDREN would
    only give the largest of all children so far)."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t0 = time.monotonic()
        p = subprocess.Popen(args, stdout=fo, stderr=fe, env=env, text=True)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:
            p.kill()
            p.wait()
            raise
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if check and p.returncode != 0:
        sys.stderr.write(out[-4000:] + err[-4000:])
        die(f"{what or args[0]} failed (exit {p.returncode})")
    # ru_maxrss is in KiB on Linux.
    return out, err, wall, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime


def find_psql():
    p = shutil.which("psql")
    if p:
        return p
    for d in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir(
            "/usr/lib/postgresql") else []:
        c = f"/usr/lib/postgresql/{d}/bin/psql"
        if os.access(c, os.X_OK):
            return c
    die("psql not found (install postgresql-15: make deps)")


def fmt_s(x):
    return f"{x:.2f} s"


def main():
    ap = argparse.ArgumentParser(description="End-to-end database matching run benchmark.")
    ap.add_argument("-n", "--mentees", type=int, default=100000)
    ap.add_argument("-m", "--mentors", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sparkmatch", default=os.path.join(SRC, "build", "sparkmatch"))
    ap.add_argument("--fast", action="store_true",
                    help="fsync/synchronous_commit off (PGCTL_FAST=1); default: durable")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "dbrun.txt"))
    a = ap.parse_args()

    sm = os.path.abspath(a.sparkmatch)
    if not (os.path.isfile(sm) and os.access(sm, os.X_OK)):
        die(f"{sm} is missing: build sparkmatch first (`make` at the top level); "
            "this benchmark builds nothing itself")

    # SIGTERM (and SIGHUP) unwind like Ctrl-C, so the finally clause stops the server.
    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    data = os.path.join(HERE, "data", f"cohort-n{a.mentees}-m{a.mentors}-s{a.seed}")
    gen_out, _, gen_s, _, _ = run([sys.executable, os.path.join(HERE, "cohort_gen.py"),
                                   "-n", str(a.mentees), "-m", str(a.mentors),
                                   "--seed", str(a.seed), "--out", data], what="cohort_gen.py")
    print(gen_out.strip(), flush=True)
    gen_cached = "up to date" in gen_out
    mentees_csv = os.path.join(data, "mentees.csv")
    mentors_csv = os.path.join(data, "mentors.csv")

    psql = find_psql()
    tmp = tempfile.mkdtemp(prefix="sparkmatch-dbrun.", dir="/tmp")
    os.chmod(tmp, 0o755)
    pgdir = os.path.join(tmp, "pg")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SPARKMATCH_CONFIG", "DATABASE_URL") and not k.startswith("PG")}
    env["SPARKMATCH_DATADIR"] = SRC
    pgenv = dict(env)
    if a.fast:
        pgenv["PGCTL_FAST"] = "1"
    try:
        out, _, _, _, _ = run([PGCTL, "start", pgdir], env=pgenv, what="pgctl.sh start")
        conninfo = out.strip().splitlines()[-1]
        sock = re.search(r"host=(\S+)", conninfo).group(1)

        def sql(q):
            o, _, _, _, _ = run([psql, "-X", "-q", "-tA", "-h", sock, "-U", "sparkmatch",
                                 "-d", "sparkmatch", "-c", q], env=env, what="psql")
            return o.strip()

        smc = [sm, "-d", conninfo]
        _, _, mig_s, _, _ = run(smc + ["migrate"], env=env, what="sparkmatch migrate")
        imp_out, _, imp_s, imp_rss, imp_cpu = run(smc + ["import", mentees_csv, mentors_csv],
                                                  env=env, what="sparkmatch import")
        # Settle as a live database would be by the time a run starts (sign-ups
        # arrive over weeks): statistics gathered, the import's dirty pages and
        # WAL checkpointed, so neither autovacuum nor a checkpoint runs mid-run.
        t0 = time.monotonic()
        sql("VACUUM (ANALYZE)")
        sql("CHECKPOINT")
        settle_s = time.monotonic() - t0
        dry_out, _, dry_s, dry_rss, dry_cpu = run(smc + ["run", "--dry-run", "--quiet"],
                                                  env=env, what="sparkmatch run --dry-run")
        run_out, _, run_s, run_rss, run_cpu = run(smc + ["run", "--quiet"],
                                                  env=env, what="sparkmatch run")

        stats = json.loads(sql("SELECT stats FROM runs WHERE status = 'succeeded' AND NOT dry_run "
                               "ORDER BY id DESC LIMIT 1"))
        run_id = sql("SELECT id FROM runs WHERE status = 'succeeded' AND NOT dry_run "
                     "ORDER BY id DESC LIMIT 1")
        nprop, psum, expl = sql(
            "SELECT count(*), sum(score), round(avg(octet_length(explanation::text))) "
            f"FROM proposals WHERE run_id = {int(run_id)}").split("|")
        dbsize = sql("SELECT pg_size_pretty(pg_database_size(current_database()))")
        pgver = sql("SHOW server_version")

        def printed_times(text):
            m = re.search(r"load (\d+) ms, solve (\d+) ms, write (\d+) ms", text)
            return tuple(int(x) for x in m.groups()) if m else (None, None, None)

        def summary(text):
            m = re.search(r"(\d+) of (\d+) waiting mentees matched.*?total score (\d+)", text, re.S)
            return m.groups() if m else ("?", "?", "?")

        dl, ds, dw = printed_times(dry_out)
        rl, rs, rw = printed_times(run_out)
        ms = stats.get("milliseconds", {})
        dmatched, dwait, dtotal = summary(dry_out)
        try:
            head = subprocess.run(["git", "-C", SRC, "describe", "--always", "--dirty"],
                                  capture_output=True, text=True).stdout.strip()
        except OSError:
            head = "?"

        say(f"dbrun: {a.mentees} mentees x {a.mentors} mentors, seed {a.seed} "
            f"({os.path.relpath(data, SRC)})")
        say(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end, "
            f"{platform.system()} {platform.release()}; PostgreSQL {pgver}"
            f"{' (fsync off)' if a.fast else ' (durable: fsync on)'}; sparkmatch {head}")
        say()
        say(f"  generate CSVs (cohort_gen.py)   {fmt_s(gen_s)}"
            f"{'   (cached: already up to date)' if gen_cached else ''}")
        say(f"  sparkmatch migrate              {fmt_s(mig_s)}")
        say(f"  sparkmatch import               {fmt_s(imp_s)}   peak RSS {imp_rss:.0f} MiB, "
            f"CPU {imp_cpu:.2f} s   ({(a.mentees + a.mentors) / imp_s:.0f} rows/s, "
            f"{imp_s * 1e6 / (a.mentees + a.mentors):.0f} us/row)")
        say(f"                                  {imp_out.strip()}")
        say(f"  VACUUM (ANALYZE); CHECKPOINT    {fmt_s(settle_s)}")
        say(f"  sparkmatch run --dry-run        {fmt_s(dry_s)}   peak RSS {dry_rss:.0f} MiB, "
            f"CPU {dry_cpu:.2f} s")
        say(f"      printed: load {dl} ms, score+solve {ds} ms, write {dw} ms; "
            f"{dmatched} of {dwait} matched, total {dtotal}")
        say(f"  sparkmatch run                  {fmt_s(run_s)}   peak RSS {run_rss:.0f} MiB, "
            f"CPU {run_cpu:.2f} s")
        say(f"      printed: load {rl} ms, score+solve {rs} ms, write {rw} ms (write incl. COMMIT)")
        say(f"      runs.stats: load {ms.get('load')} ms, score+solve {ms.get('solve')} ms, "
            f"write {ms.get('write')} ms (excl. COMMIT), total {ms.get('total')} ms")
        if ms.get("total") is not None:
            say(f"      outside the run's own timer: {run_s - ms['total'] / 1000:.2f} s (start-up, "
                f"claim, COMMIT, the summary, exit)")
        say(f"      matched {stats.get('matched')} of {stats.get('mentees_waiting')} "
            f"(unmatched {stats.get('unmatched')}), total score {stats.get('total_score')}, "
            f"mean {stats.get('mean_score')}, min {stats.get('min_score')}, "
            f"max {stats.get('max_score')}")
        say(f"      mentors available {stats.get('mentors_available')}, free places "
            f"{stats.get('capacity_available')}, candidates {stats.get('candidates')}, "
            f"pricing rounds {stats.get('pricing_rounds')}, priced pairs {stats.get('priced_pairs')}")
        say(f"      proposals written {nprop} (sum of scores {psum}), "
            f"explanation {expl} bytes on average; database size {dbsize}")
        if str(stats.get("matched")) != dmatched or str(stats.get("total_score")) != dtotal or \
                str(stats.get("matched")) != nprop or str(stats.get("total_score")) != psum:
            say("  MISMATCH: dry run, stored stats and proposals disagree")
            raise SystemExit(1)
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(a.out, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print(f"(written to {os.path.relpath(a.out, SRC)})")
    finally:
        # A no-op when the server never started; pgctl.sh may have put the
        # cluster under /tmp/sparkmatch-pg.* (see its "location" file).
        subprocess.run([PGCTL, "stop", pgdir], env=pgenv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        loc = os.path.join(pgdir, "location")
        if os.path.isfile(loc):
            with open(loc) as f:
                real = f.read().strip()
            if real.startswith("/tmp/sparkmatch-pg."):
                shutil.rmtree(real, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("dbrun: interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
