#!/usr/bin/python3
"""run.py - sparkmatch solver benchmark: generate instances, run every solver, compare.

Run through `make -C bench run` (see bench/README.md); the Makefile builds the
tools first and passes SPARKMATCH, ONLY, SIZES, SOLVERS, QUICK, REPS, TIMEOUT.

For each selected instance: run each solver REPS times (default 3), take the
median solve time (from the solver's "c time ... solve=<s>" stderr line), the
largest peak RSS (wait4 ru_maxrss), verify the first run's assignment with
bin/verify, and check that every solver reached the same objective
(matched, total). Any disagreement, failed verification or crash makes the
run exit 1 after the tables are printed. Writes out/results.md and
out/results.json.
"""
import argparse
import fnmatch
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(HERE, "bin")
DATA = os.path.join(HERE, "data")
OUT = os.path.join(HERE, "out")
PY = "/usr/bin/python3"  # Debian's python3, with python3-scipy; not whatever is first on PATH

# name, size class, kind, mentees, mentors, top-k (0 = all pairs), capacities, seed.
# Same seed for the -u and -c5 variants of a size: same people and scores, only
# capacities differ.
INSTANCES = [
    ("dense-tiny", "tiny", "dense", 100, 20, 0, "5", 7001),
    ("sparse-tiny", "tiny", "sparse", 2000, 400, 50, "1-5", 7002),
    ("dense-1k", "small", "dense", 1000, 200, 0, "5", 1001),
    ("dense-2k", "small", "dense", 2000, 400, 0, "5", 1002),
    ("sparse-10k-u", "small", "sparse", 10000, 2000, 50, "1-5", 2010),
    ("sparse-10k-c5", "small", "sparse", 10000, 2000, 50, "5", 2010),
    ("dense-4k", "medium", "dense", 4000, 800, 0, "5", 1004),
    ("sparse-30k-u", "medium", "sparse", 30000, 6000, 50, "1-5", 2030),
    ("sparse-30k-c5", "medium", "sparse", 30000, 6000, 50, "5", 2030),
    ("dense-8k", "large", "dense", 8000, 1600, 0, "5", 1008),
    ("sparse-100k-u", "large", "sparse", 100000, 20000, 50, "1-5", 2100),
    ("sparse-100k-c5", "large", "sparse", 100000, 20000, 50, "5", 2100),
]

LEMON_ALGOS = ["ns-block", "ns-first", "ns-candidate", "ns-altering", "cs"]
# also available on request (SOLVERS=...): ns-best is O(arcs) per pivot (minutes
# on 10k), cs-push and cs-augment are CostScaling's other methods.
LEMON_EXTRA = ["ns-best", "cs-push", "cs-augment"]
DEFAULT_SOLVERS = ["sparkmatch"] + ["lemon-" + a for a in LEMON_ALGOS] + ["scipy"]
ALL_SOLVERS = DEFAULT_SOLVERS + ["lemon-" + a for a in LEMON_EXTRA]

# Instances on which scipy is not run by default, with the reason shown in the
# table. Empty: on this 2-core machine the slowest, sparse-100k-c5, takes about
# 110 s per run, which fits the 30-minute budget. Add names here (or pass
# SOLVERS without scipy) if a slower machine needs it.
SCIPY_SKIP = {}

TIME_RE = re.compile(r"^c time .*?\bsolve=([0-9.eE+-]+)", re.M)
READ_RE = re.compile(r"^c time .*?\bread=([0-9.eE+-]+)", re.M)
S_RE = re.compile(r"^s (\d+) (-?\d+)\s*$", re.M)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    xs = sorted(xs)
    k = len(xs)
    return xs[k // 2] if k % 2 else (xs[k // 2 - 1] + xs[k // 2]) / 2


def run_proc(argv, stdout_path, stderr_path, timeout):
    """Run argv; returns (status, wall seconds, peak RSS MiB). status: exit code or 'timeout'."""
    with open(stdout_path, "wb") as fo, open(stderr_path, "wb") as fe:
        t0 = time.monotonic()
        try:
            p = subprocess.Popen(argv, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        except OSError as e:
            fe.write(f"cannot run {argv[0]}: {e}\n".encode())
            return 127, 0.0, 0.0
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        wall = time.monotonic() - t0
    rss = ru.ru_maxrss / 1024.0  # KiB on Linux
    if timed_out.is_set():
        return "timeout", wall, rss
    return p.returncode, wall, rss


def solver_argv(solver, inst_path, args):
    if solver == "sparkmatch":
        return [args.sparkmatch, "solve", "--mode", "optimal", inst_path]
    if solver.startswith("lemon-"):
        return [os.path.join(BIN, "lemon_solve"), "-a", solver[6:], "-x", inst_path]
    if solver == "scipy":
        return [PY, os.path.join(HERE, "scipy_solve.py"), "-x",
                "--max-gib", str(args.scipy_max_gib), inst_path]
    raise ValueError(solver)


def generate(spec):
    name, _, kind, n, m, top, caps, seed = spec
    path = os.path.join(DATA, name + ".txt")
    argv = [os.path.join(BIN, "gen"), "-k", kind, "-n", str(n), "-m", str(m), "-c", caps,
            "-s", str(seed), "-o", path]
    if top:
        argv += ["-t", str(top)]
    subprocess.run(argv, check=True)
    return path


def probe_sparkmatch(args):
    """None when `sparkmatch solve` works on the tiny instance, else the reason it is missing."""
    sm = args.sparkmatch
    if not sm:
        return "not given"
    if not (os.path.isfile(sm) and os.access(sm, os.X_OK)):
        return f"no binary at {sm}"
    spec = next(s for s in INSTANCES if s[0] == "dense-tiny")
    path = generate(spec)
    outp, errp = os.path.join(OUT, "runs", "probe.out"), os.path.join(OUT, "runs", "probe.err")
    st, _, _ = run_proc(solver_argv("sparkmatch", path, args), outp, errp, 60)
    with open(outp, errors="replace") as f:
        out = f.read()
    with open(errp, errors="replace") as f:
        err = f.read().strip().splitlines()
    if st != 0 or not S_RE.search(out):
        why = err[0] if err else f"exit status {st}"
        return f"`solve` does not work yet ({why[:100]})"
    return None


def select(args):
    sizes = set(args.sizes.split(",")) if args.sizes else None
    pats = [p for p in args.only.split(",") if p] if args.only else None
    chosen = []
    for spec in INSTANCES:
        name, size = spec[0], spec[1]
        if pats is not None:
            if not any(name == p or name.startswith(p + "-") or fnmatch.fnmatch(name, p)
                       for p in pats):
                continue
        elif sizes is not None and size not in sizes:
            continue
        chosen.append(spec)
    if not chosen:
        raise SystemExit(f"run.py: no instance matches ONLY={args.only!r} SIZES={args.sizes!r}; "
                         f"names: {', '.join(s[0] for s in INSTANCES)}")
    return chosen


def bench_one(spec, path, solver, args, problems):
    """Run one solver REPS times on one instance; returns its result record."""
    name = spec[0]
    rec = {"solver": solver, "status": "ok", "runs": []}
    if solver == "sparkmatch" and args.sparkmatch_missing:
        rec.update(status="missing", note=args.sparkmatch_missing)
        return rec
    if solver == "scipy" and name in SCIPY_SKIP:
        rec.update(status="skipped", note=SCIPY_SKIP[name])
        return rec
    if solver == "scipy" and args.quick and spec[1] not in ("tiny", "small"):
        rec.update(status="skipped", note="quick mode")
        return rec
    argv = solver_argv(solver, path, args)
    for rep in range(args.reps):
        base = os.path.join(OUT, "runs", f"{name}.{solver}.{rep}")
        st, wall, rss = run_proc(argv, base + ".out", base + ".err", args.timeout)
        with open(base + ".out", errors="replace") as f:
            out = f.read()
        with open(base + ".err", errors="replace") as f:
            err = f.read()
        if st == "timeout":
            rec.update(status="timeout", note=f"over {args.timeout:g} s")
            if solver == "sparkmatch":
                problems.append(f"{name}: sparkmatch timed out after {args.timeout:g} s")
            log(f"  {solver:18s} run {rep + 1}: TIMEOUT after {wall:.1f} s")
            break
        if st == 3 and "c skip:" in err:
            rec.update(status="skipped", note=err.split("c skip:", 1)[1].strip().splitlines()[0])
            log(f"  {solver:18s} skipped: {rec['note']}")
            break
        sm = S_RE.search(out)
        if st != 0 or not sm:
            tail = " | ".join(err.strip().splitlines()[-3:])
            rec.update(status="error", note=f"exit {st}: {tail[:200]}")
            problems.append(f"{name}: {solver} failed (exit {st}): {tail[:200]}")
            log(f"  {solver:18s} run {rep + 1}: FAILED exit {st}: {tail[:200]}")
            break
        obj = (int(sm.group(1)), int(sm.group(2)))
        tm = TIME_RE.search(err)
        rm = READ_RE.search(err)
        run = {"wall": wall, "rss_mib": rss, "matched": obj[0], "total": obj[1],
               "solve": float(tm.group(1)) if tm else None,
               "read": float(rm.group(1)) if rm else None}
        rec["runs"].append(run)
        if rep == 0:
            vr = subprocess.run([os.path.join(BIN, "verify"), path, base + ".out"],
                                capture_output=True, text=True)
            rec["verified"] = vr.returncode == 0
            if vr.returncode != 0:
                problems.append(f"{name}: {solver}'s assignment is invalid: "
                                f"{vr.stderr.strip()[:200]}")
                log(f"  {solver:18s} VERIFY FAILED: {vr.stderr.strip()[:200]}")
        elif obj != (rec["runs"][0]["matched"], rec["runs"][0]["total"]):
            problems.append(f"{name}: {solver} gave {obj} on run {rep + 1}, "
                            f"{rec['runs'][0]['matched']} {rec['runs'][0]['total']} on run 1")
        solve_s = run["solve"] if run["solve"] is not None else wall
        log(f"  {solver:18s} run {rep + 1}: solve {solve_s:8.3f} s  wall {wall:8.3f} s  "
            f"rss {rss:7.1f} MiB  s {obj[0]} {obj[1]}")
        # rest of the reps would blow the budget: keep what we have
        if wall * (args.reps - rep - 1) > args.budget_per_solver:
            rec["note"] = f"{rep + 1} run(s): more would exceed {args.budget_per_solver:g} s"
            break
    if rec["runs"]:
        runs = rec["runs"]
        solves = [r["solve"] for r in runs if r["solve"] is not None]
        rec["solve_median"] = median(solves) if len(solves) == len(runs) else None
        rec["solve_runs"] = solves
        if rec["solve_median"] is None:
            rec["note"] = (rec.get("note", "") + " no `c time` line; wall time shown").strip()
        rec["wall_median"] = median([r["wall"] for r in runs])
        rec["read_median"] = median([r["read"] for r in runs]) \
            if all(r["read"] is not None for r in runs) else None
        rec["rss_mib"] = max(r["rss_mib"] for r in runs)
        rec["matched"], rec["total"] = runs[0]["matched"], runs[0]["total"]
    return rec


def shown_time(rec):
    if rec.get("solve_median") is not None:
        return rec["solve_median"]
    return rec.get("wall_median")


def fmt_s(t):
    return f"{t:.4f}" if t < 0.1 else f"{t:.3f}"


def fmt_row(rec, best):
    t = shown_time(rec)
    if rec["status"] not in ("ok",) or t is None:
        return [rec["solver"], rec["status"], "", "", "", "", rec.get("note", "")]
    ratio = f"{t / best:.2f}" if best else ""
    star = "" if rec.get("solve_median") is not None else "*"
    ver = "" if rec.get("verified", False) else " NOT VERIFIED"
    return [rec["solver"], f"{fmt_s(t)}{star}", f"{rec['wall_median']:.2f}", f"{rec['rss_mib']:.0f}",
            ratio, f"{rec['matched']} {rec['total']}", (rec.get("note", "") + ver).strip()]


HEAD = ["solver", "solve s (median)", "wall s", "peak RSS MiB", "/ best LEMON",
        "objective (matched total)", "note"]


def text_table(rows):
    w = [max(len(str(r[i])) for r in [HEAD] + rows) for i in range(len(HEAD))]
    line = "  ".join(h.ljust(w[i]) for i, h in enumerate(HEAD)).rstrip()
    out = [line, "-" * len(line)]
    for r in rows:
        out.append("  ".join(str(c).rjust(w[i]) if i in (1, 2, 3, 4) else str(c).ljust(w[i])
                             for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" if i in (0, len(head) - 1) else "---:" for i in range(len(head))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(),
            "loadavg_at_start": os.getloadavg()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
        with open("/proc/meminfo") as f:
            info["mem_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except (OSError, StopIteration):
        pass
    for pkg in ("liblemon-dev", "python3-scipy", "python3-numpy", "g++"):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
        info[pkg] = r.stdout.strip() if r.returncode == 0 else "?"
    return info


def run_fullrun(args):
    """Run bench/bin/fullrun (the engine's full-cohort benchmark) when it was built."""
    exe = os.path.join(BIN, "fullrun")
    if not os.access(exe, os.X_OK):
        if not os.path.exists(os.path.join(HERE, "fullrun.c")):
            return {"status": "absent", "note": "bench/fullrun.c not provided yet"}
        return {"status": "not built", "note": "bin/fullrun missing (no libsparkmatch.a?)"}
    # Once with the synthetic oracle, once with the production scorer (--scorer).
    outs, errs, worst, wall, rss = [], [], 0, 0.0, 0.0
    for extra in ([], ["--scorer"]):
        log("== fullrun (bench/fullrun.c) " + " ".join(extra))
        outp, errp = os.path.join(OUT, "fullrun.txt"), os.path.join(OUT, "fullrun.err")
        st, w, r = run_proc([exe] + extra, outp, errp, args.fullrun_timeout)
        with open(outp, errors="replace") as f:
            outs.append(f.read())
        with open(errp, errors="replace") as f:
            errs.append(f.read())
        sys.stdout.write(outs[-1] + errs[-1])
        worst = worst or st
        wall, rss = max(wall, w), max(rss, r)
    out, err = "".join(outs), "".join(errs)
    with open(os.path.join(OUT, "fullrun.txt"), "w") as f:
        f.write(out)
    return {"status": "ok" if worst == 0 else f"exit {worst}", "wall": wall, "rss_mib": rss,
            "stdout": out, "stderr": err}


def main():
    ap = argparse.ArgumentParser(description="sparkmatch solver benchmark")
    env = os.environ.get
    ap.add_argument("--sparkmatch", default=env("SPARKMATCH", ""))
    ap.add_argument("--only", default=env("ONLY", ""),
                    help="comma-separated instance names, prefixes (sparse-100k) or globs")
    ap.add_argument("--sizes", default=env("SIZES", ""), help="tiny,small,medium,large")
    ap.add_argument("--solvers", default=env("SOLVERS", ""),
                    help="comma-separated; default: " + ",".join(DEFAULT_SOLVERS))
    ap.add_argument("--quick", action="store_true", default=env("QUICK", "") not in ("", "0"))
    ap.add_argument("--reps", type=int, default=int(env("REPS", "0") or 0))
    ap.add_argument("--timeout", type=float, default=float(env("TIMEOUT", "600") or 600),
                    help="seconds per solver run (default 600)")
    ap.add_argument("--budget-per-solver", type=float,
                    default=float(env("BUDGET", "400") or 400),
                    help="stop repeating a solver on an instance when the remaining runs "
                         "would take longer than this (default 400 s)")
    ap.add_argument("--scipy-max-gib", type=float, default=4.0)
    ap.add_argument("--fullrun-timeout", type=float, default=1800)
    ap.add_argument("--no-fullrun", action="store_true")
    ap.add_argument("--generate-only", action="store_true")
    args = ap.parse_args()

    if args.quick and not args.only and not args.sizes:
        args.sizes = "tiny,small"
    if not args.only and not args.sizes:
        args.sizes = "small,medium,large"
    if args.reps <= 0:
        args.reps = 1 if args.quick else 3
    solvers = [s for s in args.solvers.split(",") if s] if args.solvers else DEFAULT_SOLVERS
    for s in solvers:
        if s not in ALL_SOLVERS:
            raise SystemExit(f"run.py: unknown solver {s}; known: {', '.join(ALL_SOLVERS)}")
    if args.sparkmatch:
        args.sparkmatch = os.path.abspath(args.sparkmatch)
    os.makedirs(DATA, exist_ok=True)
    os.makedirs(os.path.join(OUT, "runs"), exist_ok=True)

    chosen = select(args)
    t_start = time.monotonic()
    paths = {}
    for spec in chosen:
        paths[spec[0]] = generate(spec)
    if args.generate_only:
        return 0
    args.sparkmatch_missing = probe_sparkmatch(args) if "sparkmatch" in solvers else None
    if args.sparkmatch_missing:
        log(f"sparkmatch: missing - {args.sparkmatch_missing}")

    problems = []
    results = []
    for spec in chosen:
        name, size, kind, n, m, top, caps, seed = spec
        path = paths[name]
        log(f"== {name}: {kind} {n} x {m}, "
            f"{'all pairs' if not top else f'top-{top}'}, capacities {caps}")
        recs = [bench_one(spec, path, s, args, problems) for s in solvers]
        objs = {(r["matched"], r["total"]) for r in recs if r.get("runs")}
        agree = len(objs) <= 1
        if not agree:
            detail = ", ".join(f"{r['solver']}={r['matched']} {r['total']}"
                               for r in recs if r.get("runs"))
            problems.append(f"{name}: OBJECTIVE MISMATCH: {detail}")
            log(f"!! {name}: OBJECTIVE MISMATCH: {detail}")
        lemon = [r for r in recs if r["solver"].startswith("lemon-") and r["status"] == "ok"
                 and shown_time(r) is not None]
        best = min(lemon, key=shown_time) if lemon else None
        for r in recs:
            t = shown_time(r) if r["status"] == "ok" else None
            r["ratio_best_lemon"] = t / shown_time(best) if best and t is not None else None
        with open(path) as f:
            f.readline()
            f.readline()
            npairs = int(f.readline().split()[4])
        results.append({
            "name": name, "size": size, "kind": kind, "mentees": n, "mentors": m,
            "pairs": npairs, "top": top, "capacities": caps, "seed": seed,
            "objective": list(objs.pop()) if agree and objs else None,
            "objectives_agree": agree, "solvers_compared": sum(1 for r in recs if r.get("runs")),
            "best_lemon": best["solver"] if best else None, "results": recs})

    fullrun = None
    if not args.no_fullrun and not args.only and not args.quick and \
            set(args.sizes.split(",")) >= {"large"}:
        fullrun = run_fullrun(args)
    elapsed = time.monotonic() - t_start

    # ---- report
    text, md = [], []
    md.append("# sparkmatch solver benchmark\n")
    info = machine_info()
    md.append(f"Machine: {info.get('cpu', '?')}, {info['nproc']} CPUs, {info.get('mem_gib', '?')} GiB; "
              f"LEMON {info['liblemon-dev']}, SciPy {info['python3-scipy']}, "
              f"NumPy {info['python3-numpy']}. Load average at start: "
              f"{' '.join(f'{x:.2f}' for x in info['loadavg_at_start'])}.\n")
    md.append(f"Each solver ran {args.reps} time(s) per instance; the time is the median of the "
              f"solver's own solve time (reading and graph/matrix building excluded); peak RSS "
              f"is the whole process's maximum. \"/ best LEMON\" divides by the fastest LEMON "
              f"variant on that instance. Total benchmark time {elapsed / 60:.1f} min.\n")
    summary = []
    for res in results:
        recs = res["results"]
        best = next((r for r in recs if r["solver"] == res["best_lemon"]), None)
        rows = [fmt_row(r, shown_time(best) if best else None) for r in recs]
        obj = (f"objective matched={res['objective'][0]} total={res['objective'][1]}, "
               f"{res['solvers_compared']} solvers agree" if res["objectives_agree"] and res["objective"]
               else "OBJECTIVE MISMATCH" if not res["objectives_agree"] else "no result")
        title = (f"{res['name']}: {res['kind']} {res['mentees']} x {res['mentors']}, "
                 f"{res['pairs']} pairs, capacities {res['capacities']} - {obj}")
        text.append(title + "\n" + text_table(rows) + "\n")
        md.append(f"## {res['name']}\n\n{res['kind']}, {res['mentees']} mentees x {res['mentors']} "
                  f"mentors, {res['pairs']} pairs, capacities {res['capacities']}; {obj}.\n\n"
                  + md_table(HEAD, rows) + "\n")
        sm = next((r for r in recs if r["solver"] == "sparkmatch"), None)
        sp = next((r for r in recs if r["solver"] == "scipy"), None)

        def cell(r):
            if r is None:
                return "-"
            t = shown_time(r) if r["status"] == "ok" else None
            return fmt_s(t) if t is not None else r["status"]
        summary.append([res["name"], cell(sm),
                        f"{fmt_s(shown_time(best))} ({best['solver'][6:]})" if best else "-",
                        f"{sm['ratio_best_lemon']:.2f}" if sm and sm.get("ratio_best_lemon") else "-",
                        cell(sp), "yes" if res["objectives_agree"] else "NO"])
    shead = ["instance", "sparkmatch s", "best LEMON s", "sparkmatch / best LEMON", "scipy s",
             "objectives agree"]
    md.insert(3, "## Summary\n\n" + md_table(shead, summary) + "\n")
    if fullrun is not None:
        if fullrun["status"] in ("ok",) or fullrun.get("stdout") is not None:
            md.append(f"## fullrun (bench/fullrun.c)\n\nstatus {fullrun['status']}, wall "
                      f"{fullrun['wall']:.1f} s, peak RSS {fullrun['rss_mib']:.0f} MiB\n\n```\n"
                      f"{fullrun['stdout']}{fullrun['stderr']}```\n")
        else:
            md.append(f"## fullrun\n\n{fullrun['status']}: {fullrun['note']}\n")
    if problems:
        md.append("## PROBLEMS\n\n" + "\n".join(f"- {p}" for p in problems) + "\n")

    print()
    print("\n".join(text))
    w = [max(len(str(r[i])) for r in [shead] + summary) for i in range(len(shead))]
    print("Summary")
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(shead)))
    for r in summary:
        print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
    if fullrun is not None and fullrun.get("stdout") is None:
        print(f"\nfullrun: {fullrun['status']}: {fullrun['note']}")
    print(f"\nreps {args.reps}, total {elapsed / 60:.1f} min; "
          f"tables in {os.path.relpath(OUT)}/results.md and results.json")
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"machine": info, "reps": args.reps, "timeout": args.timeout,
                   "sparkmatch": args.sparkmatch or None,
                   "sparkmatch_missing": args.sparkmatch_missing,
                   "elapsed_s": elapsed, "instances": results, "fullrun": fullrun,
                   "problems": problems}, f, indent=1)
    if problems:
        print("\n" + "!" * 72, file=sys.stderr)
        for p in problems:
            print("BENCHMARK FAILED: " + p, file=sys.stderr)
        print("!" * 72, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
