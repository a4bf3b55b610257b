#!/usr/bin/python3
"""cohort_gen.py - a seeded synthetic cohort as CSV files for `sparkmatch import`.

    /usr/bin/python3 bench/cohort_gen.py [-n MENTEES] [-m MENTORS] [--seed S]
                                         [--schema DIR] [--out DIR] [--force]

Writes DIR/mentees.csv and DIR/mentors.csv (default: bench/data/cohort-nN-mM-sS)
in exactly the format `sparkmatch import` reads (config/cohort/*.csv):

    mentees: external_id,name,email,timezone,languages,organisation,goals,support
    mentors: external_id,name,email,timezone,languages,organisation,strengths,capacity,support

The skill codes and their families are read from schema/001_taxonomy*.sql, so
the cohort always uses the real taxonomy. Each mentee has 3-6 distinct goals
(leadership or management areas; leadership is asked for more often) with
priorities 1-5, and about a third ask for one or two kinds of support. Each
mentor has strengths on about a third of the areas at levels 1-5 (at least
one), a capacity of 1-5, and about 40% offer kinds of support. Languages are
mostly "en", some "es", "fr", "de" or "pt"; about a third of the mentors and a
few mentees are bilingual. Time zones are drawn (weighted) from 24 IANA names
that the time_zones table holds; organisations from 500 names (Zipf-like
sizes), a few people have none. External ids and e-mail addresses are unique.

Determinism: only random.Random(seed).random() is used, whose sequence Python
guarantees for an integer seed, and every draw is made in a fixed order, so
the same arguments and taxonomy give the same bytes on any machine. The first
line of each file records the generator version, the sizes, the seed and a
hash of the taxonomy; files whose first line matches are not rewritten.
Standard library only.
"""

import argparse
import glob
import hashlib
import os
import random
import re
import sys

GEN_VERSION = 1

FIRST = """Aisha Ben Chen Diego Emma Fatima Gabriel Hiro Isabel James Kavya Liam Maya Nia
Oscar Paula Quentin Rosa Samuel Tara Umar Vera Wen Ximena Yusuf Zoe Amara Bruno Chloe
Daniel Elena Felix Grace Hannah Ivan Julia Kenji Lucia Marcus Nora Omar Priya Rafael
Sofia Tomas Ursula Victor Willa Yara Zane Ada Bilal Carmen Dara Eitan Freya Goran Hana
Ines Jonas Kemi Leon Mei Nikhil Olga Pedro Rania Sven Thandi Uma Wiktor Xin Yosef Zara""".split()
LAST = """Bello Carter Wei Morales Schulz Zahra Souza Tanaka Ruiz ONeill Iyer Walsh Cohen
Mensah Lindqvist Gomez Moreau Okafor Whitfield Raman Fernandez Sato Nwosu Bell Costa
Becker Haddad Lin Adams Rivera Dubois Kowalski Novak Silva Khan Nakamura Petrov Rossi
Jensen Murphy Ali Santos Muller Dupont Yilmaz Nguyen Kim Osei Banda Torres Larsen Ivanova
Park Sharma Reyes Fischer Martin Lopez Garcia Smith Jones Brown Taylor Wilson Evans""".split()
ORG_WORDS = """Northwind Orchard Helix Brightpath Cobalt Riverbend Lumen Sparks Harbor
Granite Meadow Summit Beacon Pioneer Willow Aurora Cedar Falcon Horizon Juniper Keystone
Lantern Maple Nimbus Quarry Redwood Sterling Tidewater Vantage Zephyr""".split()
ORG_KINDS = """Health Foods Logistics Schools Bank Council Software Energy Labs Media
Partners Works Group Trust Studio Systems Capital Retail Care Institute""".split()

# (IANA name, weight): all are in pg_timezone_names, hence in time_zones.
ZONES = [
    ("Europe/London", 14), ("Europe/Berlin", 10), ("Europe/Paris", 8), ("Europe/Madrid", 6),
    ("Europe/Dublin", 3), ("Europe/Stockholm", 2), ("Europe/Lisbon", 3), ("Europe/Warsaw", 3),
    ("America/New_York", 14), ("America/Chicago", 7), ("America/Denver", 3),
    ("America/Los_Angeles", 9), ("America/Sao_Paulo", 5), ("America/Mexico_City", 4),
    ("America/Bogota", 2), ("Africa/Lagos", 4), ("Africa/Nairobi", 2), ("Africa/Johannesburg", 2),
    ("Asia/Kolkata", 6), ("Asia/Dubai", 2), ("Asia/Singapore", 3), ("Asia/Tokyo", 3),
    ("Australia/Sydney", 3), ("UTC", 1),
]
OTHER_LANGS = ["es", "fr", "de", "pt"]
N_ORGS = 500


def read_taxonomy(schema_dir):
    """[(code, family)] in file order from schema/001_taxonomy*.sql."""
    files = sorted(glob.glob(os.path.join(schema_dir, "001_taxonomy*.sql")))
    if not files:
        sys.exit(f"cohort_gen: no 001_taxonomy*.sql under {schema_dir}")
    row = re.compile(r"^\('([a-z][a-z0-9-]*)',\s*'(leadership|management|support)'", re.M)
    skills, seen = [], set()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for code, family in row.findall(fh.read()):
                if code not in seen:
                    seen.add(code)
                    skills.append((code, family))
    if not any(f == "support" for _, f in skills) or len(skills) < 10:
        sys.exit(f"cohort_gen: could not read the skill areas from {files}")
    return skills


class Draw:
    """Integer draws from random.Random(seed).random() only (stable across versions)."""

    def __init__(self, seed):
        self.r = random.Random(seed).random

    def below(self, n):
        return int(self.r() * n)

    def chance(self, p):
        return self.r() < p

    def weighted(self, cum, total):
        x = self.r() * total
        lo, hi = 0, len(cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] > x:
                hi = mid
            else:
                lo = mid + 1
        return lo


def cumulative(weights):
    out, t = [], 0.0
    for w in weights:
        t += w
        out.append(t)
    return out, t


def org_names():
    names = []
    for k in range(N_ORGS):
        w = ORG_WORDS[k % len(ORG_WORDS)]
        kind = ORG_KINDS[(k // len(ORG_WORDS)) % len(ORG_KINDS)]
        names.append(f"{w} {kind}" if k < len(ORG_WORDS) * len(ORG_KINDS) else f"{w} {kind} {k}")
    return names


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def person(d, orgs, org_cum, org_tot, zone_cum, zone_tot, none_org):
    first = FIRST[d.below(len(FIRST))]
    last = LAST[d.below(len(LAST))]
    zone = ZONES[d.weighted(zone_cum, zone_tot)][0]
    org = "" if d.chance(none_org) else orgs[d.weighted(org_cum, org_tot)]
    return first, last, zone, org


def languages(d, p_other, p_second):
    first = OTHER_LANGS[d.below(4)] if d.chance(p_other) else "en"
    langs = [first]
    if d.chance(p_second):
        langs.append(OTHER_LANGS[d.below(4)] if first == "en" else "en")
    return langs


def email(first, last, tag, org):
    domain = (slug(org) + ".example") if org else "mail.example"
    return f"{first.lower()}.{last.lower()}.{tag}@{domain}"


def generate(n, m, seed, skills, outdir, stamp):
    areas = [c for c, f in skills if f != "support"]
    support = [c for c, f in skills if f == "support"]
    # Demand differs from supply: leadership is asked for more than it is offered.
    demand_cum, demand_tot = cumulative([3.0 if f == "leadership" else 2.0
                                         for c, f in skills if f != "support"])
    zone_cum, zone_tot = cumulative([w for _, w in ZONES])
    orgs = org_names()
    org_cum, org_tot = cumulative([1.0 / (k + 10) for k in range(N_ORGS)])
    width = max(6, len(str(max(n, m))))
    d = Draw(seed)

    tmp = os.path.join(outdir, "mentors.csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(stamp + "\n")
        f.write("external_id,name,email,timezone,languages,organisation,strengths,capacity,support\n")
        for j in range(1, m + 1):
            first, last, zone, org = person(d, orgs, org_cum, org_tot, zone_cum, zone_tot, 0.04)
            langs = languages(d, 0.2, 0.33)
            strengths = []
            for code in areas:
                if d.below(3) == 0:
                    strengths.append(f"{code}:{1 + d.below(5)}")
            if not strengths:
                strengths.append(f"{areas[d.below(len(areas))]}:{1 + d.below(5)}")
            cap = 1 + d.below(5)
            sup = support_kinds(d, support, 0.4, 0.3)
            ext = f"mentor-{j:0{width}d}"
            f.write(f"{ext},{first} {last},{email(first, last, 'm' + str(j), org)},{zone},"
                    f"{';'.join(langs)},{org},{';'.join(strengths)},{cap},{';'.join(sup)}\n")
    os.replace(tmp, os.path.join(outdir, "mentors.csv"))

    tmp = os.path.join(outdir, "mentees.csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(stamp + "\n")
        f.write("external_id,name,email,timezone,languages,organisation,goals,support\n")
        for i in range(1, n + 1):
            first, last, zone, org = person(d, orgs, org_cum, org_tot, zone_cum, zone_tot, 0.02)
            langs = languages(d, 0.12, 0.08)
            want = 3 + d.below(4)
            goals, used = [], set()
            while len(goals) < want:
                k = d.weighted(demand_cum, demand_tot)
                if k in used:
                    continue
                used.add(k)
                goals.append(f"{areas[k]}:{1 + d.below(5)}")
            sup = support_kinds(d, support, 0.33, 0.25)
            ext = f"mentee-{i:0{width}d}"
            f.write(f"{ext},{first} {last},{email(first, last, 'e' + str(i), org)},{zone},"
                    f"{';'.join(langs)},{org},{';'.join(goals)},{';'.join(sup)}\n")
    os.replace(tmp, os.path.join(outdir, "mentees.csv"))


def support_kinds(d, support, p_one, p_two):
    """None, one or (with p_two) two distinct kinds of support."""
    sup = []
    if d.chance(p_one):
        a = d.below(len(support))
        sup.append(support[a])
        if d.chance(p_two):
            b = d.below(len(support))
            if b != a:
                sup.append(support[b])
    return sup


def first_line(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().rstrip("\n")
    except OSError:
        return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Seeded synthetic cohort CSVs for sparkmatch import.")
    ap.add_argument("-n", "--mentees", type=int, default=100000)
    ap.add_argument("-m", "--mentors", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--schema", default=os.path.join(here, "..", "schema"))
    ap.add_argument("--out", help="output directory (default bench/data/cohort-nN-mM-sS)")
    ap.add_argument("--force", action="store_true", help="rewrite even if up to date")
    a = ap.parse_args()
    if a.mentees < 1 or a.mentors < 1:
        ap.error("sizes must be at least 1")
    skills = read_taxonomy(a.schema)
    tax = hashlib.sha256(repr(skills).encode()).hexdigest()[:12]
    stamp = (f"# sparkmatch-bench cohort_gen v{GEN_VERSION} n={a.mentees} m={a.mentors} "
             f"seed={a.seed} taxonomy={tax}")
    outdir = a.out or os.path.join(here, "data", f"cohort-n{a.mentees}-m{a.mentors}-s{a.seed}")
    os.makedirs(outdir, exist_ok=True)
    files = [os.path.join(outdir, x) for x in ("mentees.csv", "mentors.csv")]
    if not a.force and all(first_line(p) == stamp for p in files):
        print(f"cohort_gen: {outdir} is up to date")
        return
    generate(a.mentees, a.mentors, a.seed, skills, outdir, stamp)
    print(f"cohort_gen: wrote {a.mentees} mentees and {a.mentors} mentors to {outdir}")


if __name__ == "__main__":
    main()
