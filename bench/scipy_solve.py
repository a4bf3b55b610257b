#!/usr/bin/python3
"""scipy_solve.py - reference solver built on SciPy's assignment solvers.

    /usr/bin/python3 scipy_solve.py [--method auto|lsa|sparse] [-x] [--max-gib G] FILE

Methods (auto: lsa when every pair is allowed, sparse otherwise):

lsa     scipy.optimize.linear_sum_assignment on the dense score matrix with
        each mentor expanded into `capacity` slot columns. Only valid when every
        pair is allowed: then any maximum-weight assignment of the rectangular
        matrix matches min(mentees, slots) people, the most possible, so the
        lexicographic objective reduces to the total score.
sparse  scipy.sparse.csgraph.min_weight_full_bipartite_matching (LAPJVsp).
        Rows are mentees; columns are the mentor slots plus one private dummy
        column per mentee, so a full matching (every row matched) always exists.
        Weights: mentee-slot = B - score, mentee-dummy = B + M, with
        B = max score + 1 (so every weight is non-zero) and
        M = max score * min(mentees, slots) + 1. The cost of a matching is
        n*B + M*(n - matched) - total, and M exceeds any total-score difference,
        so the minimum maximises matched first and total second. All values
        are integers below 2**53, so float64 arithmetic is exact.

Prints "s <matched> <total>", with -x the "x <mentee> <mentor>" lines, and on
stderr "c time read=<s> build=<s> solve=<s>" (build = matrix construction;
solve = the SciPy call only). Exits 3 with "c skip: ..." when the dense matrix
would exceed --max-gib (default 4).
"""
import argparse
import sys
import time

import numpy as np


def read_instance(path):
    """Return (n, m, cap[m], mentee[k], mentor[k], score[k]), ids 0-based."""
    with open(path, "rb") as f:
        data = f.read()
    # Fast path for files whose pair lines all come last (the generator's
    # layout): parse the header line by line and the pair block with numpy.
    cut = data.find(b"\na ")
    head = data if cut < 0 else data[:cut + 1]
    n = m = npairs = None
    cap = None
    for line in head.split(b"\n"):
        if not line or line[:1] == b"c":
            continue
        f = line.split()
        if f[0] == b"p":
            if f[1] != b"sparkmatch" or n is not None:
                raise SystemExit(f"{path}: bad p line")
            n, m, npairs = int(f[2]), int(f[3]), int(f[4])
            cap = np.full(m, -1, dtype=np.int64)
        elif f[0] == b"m" and cap is not None:
            cap[int(f[1]) - 1] = int(f[2])
        else:
            raise SystemExit(f"{path}: unexpected line in header: {line[:60]!r}")
    if n is None or (cap < 0).any():
        raise SystemExit(f"{path}: missing p line or m lines")
    if cut < 0:
        pairs = np.zeros((0, 3), dtype=np.int64)
    else:
        body = data[cut + 1:]
        if b"c" in body or b"m" in body or b"p" in body:
            pairs = np.array([l.split()[1:4] for l in body.split(b"\n")
                              if l.startswith(b"a ")], dtype=np.int64).reshape(-1, 3)
        else:
            flat = np.fromstring(body.replace(b"a", b" ").decode("ascii"),
                                 dtype=np.int64, sep=" ")
            if flat.size % 3:
                raise SystemExit(f"{path}: malformed pair lines")
            pairs = flat.reshape(-1, 3)
    if pairs.shape[0] != npairs:
        raise SystemExit(f"{path}: {pairs.shape[0]} pair lines, the p line says {npairs}")
    mentee, mentor, score = pairs[:, 0] - 1, pairs[:, 1] - 1, pairs[:, 2]
    if npairs and (mentee.min() < 0 or mentee.max() >= n or mentor.min() < 0
                   or mentor.max() >= m or score.min() < 1):
        raise SystemExit(f"{path}: pair out of range")
    return n, m, cap, mentee, mentor, score


def solve_lsa(n, m, cap, mentee, mentor, score, max_gib):
    """Dense assignment on the slot-expanded score matrix; returns (build, solve, match)."""
    from scipy.optimize import linear_sum_assignment
    slots = int(cap.sum())
    need = n * slots * 8 + n * m * 8
    if need > max_gib * 2**30:
        print(f"c skip: dense matrix {n}x{slots} needs {need / 2**30:.1f} GiB "
              f"> {max_gib} GiB", file=sys.stderr)
        sys.exit(3)
    t0 = time.monotonic()
    s = np.zeros((n, m), dtype=np.float64)
    s[mentee, mentor] = score
    c = np.repeat(s, cap, axis=1)
    del s
    slot_mentor = np.repeat(np.arange(m), cap)
    t1 = time.monotonic()
    rows, cols = linear_sum_assignment(c, maximize=True)
    t2 = time.monotonic()
    match = np.full(n, -1, dtype=np.int64)
    match[rows] = slot_mentor[cols]
    return t1 - t0, t2 - t1, match


def solve_sparse(n, m, cap, mentee, mentor, score):
    """LAPJVsp on slots plus private dummies; returns (build, solve, match)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching
    t0 = time.monotonic()
    slots = int(cap.sum())
    maxs = int(score.max()) if score.size else 1
    big_b = maxs + 1
    big_m = maxs * min(n, slots) + 1
    if n * (big_b + big_m) >= 2**53:
        raise SystemExit("scipy_solve: weights too large for exact float64")
    slot_start = np.concatenate(([0], np.cumsum(cap)[:-1]))
    rep = cap[mentor]
    rows = np.repeat(mentee, rep)
    # offset of each edge within its mentor's slots: 0..cap-1
    first = np.repeat(np.cumsum(rep) - rep, rep)
    within = np.arange(rows.size, dtype=np.int64) - first
    cols = np.repeat(slot_start[mentor], rep) + within
    w = np.repeat((big_b - score).astype(np.float64), rep)
    rows = np.concatenate((rows, np.arange(n)))
    cols = np.concatenate((cols, slots + np.arange(n)))
    w = np.concatenate((w, np.full(n, float(big_b + big_m))))
    g = csr_matrix((w, (rows, cols)), shape=(n, slots + n))
    slot_mentor = np.repeat(np.arange(m), cap)
    t1 = time.monotonic()
    r, c = min_weight_full_bipartite_matching(g)
    t2 = time.monotonic()
    match = np.full(n, -1, dtype=np.int64)
    real = c < slots
    match[r[real]] = slot_mentor[c[real]]
    return t1 - t0, t2 - t1, match


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--method", choices=("auto", "lsa", "sparse"), default="auto")
    ap.add_argument("-x", action="store_true", help="print the x lines")
    ap.add_argument("--max-gib", type=float, default=4.0)
    ap.add_argument("file")
    a = ap.parse_args()

    t0 = time.monotonic()
    n, m, cap, mentee, mentor, score = read_instance(a.file)
    t_read = time.monotonic() - t0
    method = a.method
    if method == "auto":
        method = "lsa" if mentee.size == n * m else "sparse"
    if method == "lsa":
        if mentee.size != n * m:
            raise SystemExit("scipy_solve: lsa needs every pair allowed")
        t_build, t_solve, match = solve_lsa(n, m, cap, mentee, mentor, score, a.max_gib)
    else:
        t_build, t_solve, match = solve_sparse(n, m, cap, mentee, mentor, score)

    # look the scores up from the instance, so the s line is the file's truth
    order = np.lexsort((mentor, mentee))
    key = mentee[order] * m + mentor[order]
    who = np.nonzero(match >= 0)[0]
    pos = np.searchsorted(key, who * m + match[who])
    if who.size and ((pos >= key.size).any() or
                     (key[np.minimum(pos, key.size - 1)] != who * m + match[who]).any()):
        raise SystemExit("scipy_solve: solver returned a pair that is not allowed")
    total = int(score[order][pos].sum())
    out = [f"s {who.size} {total}\n"]
    if a.x:
        out.extend(f"x {i + 1} {j + 1}\n" for i, j in zip(who.tolist(), match[who].tolist()))
    sys.stdout.write("".join(out))
    print(f"c algo scipy-{method}", file=sys.stderr)
    print(f"c time read={t_read:.6f} build={t_build:.6f} solve={t_solve:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
