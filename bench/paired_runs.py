#!/usr/bin/env python3
"""Paired timings of several vmplace builds, for docs/benchmarks.md.

On a shared machine the load moves by a factor of two within minutes, so
builds are compared per instance: every build solves the instance, one
after the other, before the next instance starts, and the order of the
builds rotates from one instance to the next.  One CSV row per (instance,
build), appended as they come (a run can be stopped and resumed).

  paired_runs.py --build main=../main/build/vmplace --build new=build/vmplace \\
      --files '../shared/instances/bpplib/Falkenauer/Falkenauer_T/*.txt' \\
      --time-limit 60 --out t.csv
  paired_runs.py --summary t.csv --reference main

Each run is `nice -n 19 VMPLACE solve --json -q -s SOLVER -t LIMIT FILE`;
`time_s` of the solution (the solve, without reading the file) is what the
summary compares.  The summary groups instances by the name without its
last `_NN` (Falkenauer_t120_00 -> t120), and prints per group and build
the median and max time, the builds' sums per first letter of the group
(u, t), the statuses, and per build how many instances it was slower and
faster on than the reference build.
"""
import argparse
import collections
import csv
import glob
import json
import os
import re
import statistics
import subprocess
import sys


def run_one(exe, args, path):
    cmd = ["nice", "-n", "19", exe, "solve", "--json", "-q", "-s", args.solver,
           "-t", str(args.time_limit)]
    for p in args.param or []:
        cmd += ["-p", p]
    cmd.append(path)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    load = "%.2f" % os.getloadavg()[0]
    try:
        sol = json.loads(proc.stdout)
    except ValueError:
        return ["error (exit %d)" % proc.returncode, "", "", "", load, proc.stderr.strip()[:200]]
    kept = {k: v for k, v in sol.get("stats", {}).items()
            if k.startswith(("auto.", "colgen.", "greedy.rules_run", "local.rounds"))}
    return [sol["status"], sol["objective"], sol["bound"], "%.4f" % sol["time_s"], load,
            json.dumps(kept, sort_keys=True)]


def measure(args):
    builds = [b.split("=", 1) for b in args.build]
    if any(len(b) != 2 for b in builds):
        sys.exit("--build takes LABEL=PATH")
    files = sorted(glob.glob(args.files))[::args.every]
    if not files:
        sys.exit("no file matches %s" % args.files)
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = {(r["instance"], r["build"]) for r in csv.DictReader(f)}
    new = not os.path.exists(args.out)
    with open(args.out, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["instance", "build", "position", "status", "objective", "bound",
                        "time_s", "load1", "stats"])
        for n, path in enumerate(files):
            name = os.path.splitext(os.path.basename(path))[0]
            k = n % len(builds)
            for pos, (label, exe) in enumerate(builds[k:] + builds[:k]):
                if (name, label) in done:
                    continue
                row = [name, label, pos] + run_one(exe, args, path)
                w.writerow(row)
                f.flush()
                print(*row[:8], flush=True)


def group_of(name):
    m = re.search(r"_([a-z]+\d+)_\d+$", name)
    return m.group(1) if m else re.sub(r"_?\d+$", "", name)


def summary(args):
    by = collections.defaultdict(dict)
    builds = []
    with open(args.summary) as f:
        for r in csv.DictReader(f):
            by[r["instance"]][r["build"]] = r
            if r["build"] not in builds:
                builds.append(r["build"])
    ref = args.reference
    groups = collections.OrderedDict()
    key = lambda n: (group_of(n)[0], int(re.sub(r"\D", "", group_of(n)) or 0), n)
    for n in sorted(by, key=key):
        if all(b in by[n] and by[n][b]["time_s"] for b in builds):
            groups.setdefault(group_of(n), []).append(n)
    head = ["set", "n"] + ["%s median / max" % b for b in builds]
    if ref:
        head += ["%s slower / faster than %s" % (b, ref) for b in builds if b != ref]
    print(" | ".join(head))
    sums = collections.defaultdict(float)
    for g, names in groups.items():
        line = [g, str(len(names))]
        for b in builds:
            ts = [float(by[n][b]["time_s"]) for n in names]
            line.append("%.3f / %.2f s" % (statistics.median(ts), max(ts)))
            sums[(g[0], b)] += sum(ts)
        for b in builds:
            if ref and b != ref:
                t = lambda n, x: float(by[n][x]["time_s"])
                slower = sum(t(n, b) > t(n, ref) for n in names)
                faster = sum(t(n, b) < t(n, ref) for n in names)
                line.append("%d / %d" % (slower, faster))
        print(" | ".join(line))
    for (first, b), v in sorted(sums.items()):
        print("sum over %s*: %s %.2f s" % (first, b, v))
    for b in builds:
        print("%s: %s" % (b, dict(collections.Counter(by[n][b]["status"] for n in by if b in by[n]))))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", action="append", help="LABEL=path/to/vmplace (repeat)")
    ap.add_argument("--files", help="glob of the instance files")
    ap.add_argument("--every", type=int, default=1, help="every k-th file (a sample)")
    ap.add_argument("--solver", default="auto")
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--param", action="append", help="NAME=VALUE for every build")
    ap.add_argument("--out", help="CSV to append to")
    ap.add_argument("--summary", metavar="CSV", help="summarise a CSV instead of measuring")
    ap.add_argument("--reference", help="with --summary: the build the others are counted against")
    args = ap.parse_args()
    if args.summary:
        summary(args)
    elif args.build and args.files and args.out:
        measure(args)
    else:
        ap.error("--build, --files and --out to measure, or --summary CSV")


if __name__ == "__main__":
    sys.exit(main())
