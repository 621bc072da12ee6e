#!/usr/bin/env python3
"""Measurements of the exact engine with `vmplace solve --json`.

A small driver for docs/benchmarks.md ("Exact engine"), until vmplace-bench
runs these suites itself.  One instance per process, results appended to a
CSV as they come (a run can be stopped and resumed: done instances are
skipped).

  exact_runs.py vmplace --set falkenauer --solver colgen --time-limit 60 \
      --out falk.csv
  exact_runs.py vmplace --set vbp --filter 'Triplet/' --max-n 249 ...
  exact_runs.py vmplace --set falkenauer --cbc --time-limit 60 --out cbc.csv

With --cbc the instance is exported (`vmplace solve --write-model X.mps`,
the assignment model of `ilp`) and solved by CBC instead; the CSV then
holds CBC's value, bound and time.

Sets: falkenauer (BPPLIB Falkenauer U and T), vbp (Mommessin et al.
Panigrahy, New and Triplet sets), cloud (Timefold cloud balancing).
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

def find_instances():
    """$VMPLACE_INSTANCES, else the first shared/instances above this file."""
    if os.environ.get("VMPLACE_INSTANCES"):
        return os.environ["VMPLACE_INSTANCES"]
    d = os.path.dirname(os.path.abspath(__file__))
    while d != os.path.dirname(d):
        cand = os.path.join(os.path.dirname(d), "shared", "instances")
        if os.path.isdir(cand):
            return cand
        d = os.path.dirname(d)
    return "../shared/instances"


INST = find_instances()


def falkenauer():
    opt = {}
    with open(os.path.join(INST, "optima", "bpplib_1d_optima.csv")) as f:
        for row in csv.DictReader(f):
            opt[row["instance"]] = float(row["opt_or_best"])
    out = []
    for path in sorted(glob.glob(os.path.join(INST, "bpplib", "Falkenauer", "*", "*.txt"))):
        name = os.path.basename(path)[:-4]
        out.append((name, path, opt.get(name), True))
    return out


def vbp():
    out = []
    for set_ in ("panigrahy", "new", "triplet"):
        with open(os.path.join(INST, "optima", "vbp_mommessin_%s_detail.csv" % set_)) as f:
            for row in csv.DictReader(f):
                out.append((row["instance"], os.path.join(INST, row["relpath"]),
                            float(row["opt_or_best"]), row["is_proven_optimal"] == "true"))
    return out


def cloud():
    best = {}
    with open(os.path.join(INST, "optima", "cloudbalancing_best_known.csv")) as f:
        for row in csv.DictReader(f):
            best[row["instance"]] = float(row["opt_or_best"])
    out = []
    for path in sorted(glob.glob(os.path.join(INST, "cloudbalancing_timefold", "unsolved", "*.json"))):
        name = os.path.basename(path)[:-5]
        out.append((name, path, best.get(name), False))
    return out


def size_of(name):
    m = re.search(r"_(\d+)_\d+_\d+$", name) or re.search(r"_[tu](\d+)_\d+$", name)
    return int(m.group(1)) if m else 0


def run_vmplace(args, path):
    cmd = ["nice", args.vmplace, "solve", "--json", "-q", "-s", args.solver,
           "-t", str(args.time_limit)]
    for p in args.param or []:
        cmd += ["-p", p]
    cmd.append(path)
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - t0
    if proc.returncode not in (0, 1):
        return {"status": "error", "objective": "", "bound": "", "time": wall,
                "detail": proc.stderr.strip()[:200]}
    sol = json.loads(proc.stdout)
    return {"status": sol["status"], "objective": sol["objective"], "bound": sol["bound"],
            "time": sol["time_s"], "detail": ""}


def run_cbc(args, path):
    with tempfile.TemporaryDirectory() as tmp:
        mps = os.path.join(tmp, "model.mps")
        t0 = time.time()
        proc = subprocess.run(["nice", args.vmplace, "solve", "-q", "-s", "greedy", "--write-model",
                               mps, path], capture_output=True, text=True)
        export = time.time() - t0
        if not os.path.exists(mps):
            return {"status": "error", "objective": "", "bound": "", "time": export,
                    "detail": proc.stderr.strip()[:200]}
        t0 = time.time()
        proc = subprocess.run(["nice", "cbc", mps, "sec", str(args.time_limit), "threads", "1",
                               "solve", "quit"], capture_output=True, text=True)
        wall = time.time() - t0
        out = proc.stdout
        obj = re.search(r"Objective value:\s+([-0-9.e+]+)", out)
        bound = re.search(r"Lower bound:\s+([-0-9.e+]+)", out)
        status = "optimal" if "Result - Optimal solution found" in out else (
            "feasible" if obj else "unknown")
        return {"status": status, "objective": float(obj.group(1)) if obj else "",
                "bound": float(bound.group(1)) if bound else (float(obj.group(1)) if status == "optimal" else ""),
                "time": wall, "detail": "export %.2fs" % export}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vmplace")
    ap.add_argument("--set", choices=["falkenauer", "vbp", "cloud"], required=True)
    ap.add_argument("--solver", default="auto")
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--param", action="append")
    ap.add_argument("--filter", default="", help="regular expression on the instance name")
    ap.add_argument("--max-n", type=int, default=0)
    ap.add_argument("--proven-only", action="store_true", help="only instances with a proven optimum")
    ap.add_argument("--every", type=int, default=1, help="take every k-th instance (a sample)")
    ap.add_argument("--cbc", action="store_true")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    insts = {"falkenauer": falkenauer, "vbp": vbp, "cloud": cloud}[args.set]()
    insts = [x for x in insts if re.search(args.filter, x[0])]
    if args.max_n:
        insts = [x for x in insts if size_of(x[0]) <= args.max_n]
    if args.proven_only:
        insts = [x for x in insts if x[3]]
    insts = insts[::args.every]
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = {row["instance"] for row in csv.DictReader(f)}
    new = not os.path.exists(args.out)
    with open(args.out, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["instance", "opt", "status", "objective", "bound", "time", "detail"])
        for name, path, opt, _ in insts:
            if name in done:
                continue
            r = run_cbc(args, path) if args.cbc else run_vmplace(args, path)
            w.writerow([name, opt if opt is not None else "", r["status"], r["objective"], r["bound"],
                        "%.3f" % r["time"], r["detail"]])
            f.flush()
            print(name, opt, r["status"], r["objective"], r["bound"], "%.2f" % r["time"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
