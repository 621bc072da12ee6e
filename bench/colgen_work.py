#!/usr/bin/env python3
"""Column generation's work per instance and build, counted from the solver
log instead of timed, for docs/benchmarks.md.

On a shared machine wall times move with the load, and at `nice -n 19` a
run may get a few percent of a core; in this container `perf stat` cannot
count instructions.  The work of colgen on pure bin packing is its LP
solves, which its debug log shows one per line, whatever the load:

  roots   "colgen: root ..."       master LPs built and converged (auto's
                                   quick attempt and its exact stage: 2)
  rounds  "colgen: round ..."      pricing rounds (the table's build
                                   29b2163 does not log them: 0)
  nodes   "colgen: dive depth ..." LP re-solves of the dives (the tree)

plus the process's user CPU seconds (getrusage of the child: start-up,
reading the file and the solve; still load-dependent, less than wall time).
`q_nodes`/`x_nodes` split the nodes of auto's quick attempt from those of
its exact stage (empty when the quick attempt proved the optimum).

  colgen_work.py --build table=../falk-table/build/vmplace --build main=build/vmplace \\
      --files '../shared/instances/bpplib/Falkenauer/Falkenauer_T/*.txt' \\
      --filter 't120|t249' --out work.csv
  colgen_work.py --summary work.csv --reference table --key nodes

Each run is `nice -n 19 VMPLACE solve -q -v -v -s auto -t LIMIT FILE`
(LIMIT 600 by default: a starved run must not hit the clock, which would
change its path).  The summary groups instances as paired_runs.py does
(Falkenauer_t120_00 -> t120) and prints per group and build the median,
sum and max of the key, how many runs ended proven optimal, and the median
ratio to the reference build with the number of instances it is above.
"""
import argparse
import collections
import csv
import glob
import os
import re
import resource
import statistics
import subprocess
import sys

FIELDS = ["instance", "build", "status", "user_s", "roots", "rounds", "nodes",
          "q_nodes", "x_nodes"]
POOL_LINE = "from the pool of an earlier run"


def count(log, what):
    return len(re.findall(what, log))


def run_one(exe, args, path):
    cmd = ["nice", "-n", "19", exe, "solve", "-q", "-v", "-v", "-s", "auto",
           "-t", str(args.time_limit)]
    for p in args.param or []:
        cmd += ["-p", p]
    cmd.append(path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    proc = subprocess.run(cmd, capture_output=True, text=True)
    user = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
    log = proc.stderr
    quick, sep, exact = log.partition(POOL_LINE)
    proven = re.search(r"optimal \(completed\)", log + proc.stdout)
    return ["optimal" if proven else "other (exit %d)" % proc.returncode, "%.4f" % user,
            count(log, r"colgen: root "), count(log, r"colgen: round "),
            count(log, r"colgen: dive depth"),
            count(quick, r"colgen: dive depth") if sep else "",
            count(exact, r"colgen: dive depth") if sep else ""]


def measure(args):
    builds = [b.split("=", 1) for b in args.build]
    if any(len(b) != 2 for b in builds):
        sys.exit("--build takes LABEL=PATH")
    files = sorted(f for f in glob.glob(args.files) if re.search(args.filter, f))
    if not files:
        sys.exit("no file matches %s" % args.files)
    with open(args.out, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(FIELDS)
        for path in files:
            name = os.path.splitext(os.path.basename(path))[0]
            for label, exe in builds:
                row = [name, label] + run_one(exe, args, path)
                out.writerow(row)
                fh.flush()
                print(*row, flush=True)


def group(name):
    short = name.split("_", 1)[1] if name.startswith("Falkenauer_") else name
    return re.sub(r"_\d+$", "", short)


def summary(args):
    rows = list(csv.DictReader(open(args.summary)))
    by = collections.defaultdict(dict)
    for r in rows:
        by[r["instance"]][r["build"]] = r
    builds = list(dict.fromkeys(r["build"] for r in rows))
    ref = args.reference or builds[0]
    groups = collections.defaultdict(list)
    for name in by:
        groups[group(name)].append(name)
    for g in sorted(groups):
        names = groups[g]
        cells = [g, str(len(names))]
        for b in builds:
            vals = [float(by[n][b][args.key]) for n in names if b in by[n]]
            proven = sum(1 for n in names if b in by[n] and by[n][b]["status"] == "optimal")
            cells.append("%s %s/%s/%s (%d proven)" % (b, "%.4g" % statistics.median(vals),
                                                      "%.4g" % sum(vals), "%.4g" % max(vals), proven))
            if b != ref:
                pairs = [(float(by[n][b][args.key]), float(by[n][ref][args.key]))
                         for n in names if b in by[n] and ref in by[n]]
                ratios = [x / y for x, y in pairs if y > 0]
                above = sum(1 for x, y in pairs if x > y)
                cells.append("%s/%s median ratio %.3f, above on %d of %d" % (
                    b, ref, statistics.median(ratios) if ratios else float("nan"), above, len(pairs)))
        print(" | ".join(cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", action="append", help="LABEL=PATH of a vmplace binary")
    ap.add_argument("--files", help="glob of problem files")
    ap.add_argument("--filter", default="", help="regex the path must match")
    ap.add_argument("--time-limit", type=float, default=600)
    ap.add_argument("--param", action="append", help="NAME=VALUE for every build")
    ap.add_argument("--out", help="CSV to write")
    ap.add_argument("--summary", help="CSV to summarise instead of measuring")
    ap.add_argument("--reference", help="build the others are compared with")
    ap.add_argument("--key", default="nodes", help="column to summarise (nodes, user_s, ...)")
    args = ap.parse_args()
    if args.summary:
        summary(args)
    elif args.build and args.files and args.out:
        measure(args)
    else:
        ap.error("--build, --files and --out, or --summary")


if __name__ == "__main__":
    main()
