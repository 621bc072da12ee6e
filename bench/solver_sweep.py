#!/usr/bin/env python3
"""Runs `vmplace solve --json` over a set of instance files and prints one
line per instance, then a summary: how many reached the known optimum
(or, with --reference, how far below the reference value each run got).

Used for the figures in docs/benchmarks.md ("Genetic scheduler").
Only the standard library; the benchmark runner (vmplace-bench) is the
tool for full reports.

  bench/solver_sweep.py --vmplace build/vmplace --solver genetic \\
      --time-limit 5 --optima OPTIMA.csv FILE...
"""
import argparse
import csv
import json
import os
import statistics
import subprocess


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--vmplace', required=True, help='path to the vmplace program')
    ap.add_argument('--solver', default='genetic')
    ap.add_argument('--time-limit', type=float, default=5.0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--optima', help='CSV with columns instance,opt_or_best')
    ap.add_argument('--param', action='append', default=[], help='NAME=VALUE, repeatable')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    opt = {}
    if a.optima:
        with open(a.optima) as f:
            for row in csv.DictReader(f):
                opt[row['instance']] = float(row['opt_or_best'])
    rows = []
    for path in a.files:
        name = os.path.splitext(os.path.basename(path))[0]
        best = None
        for key in (name, 'Triplet/' + name):
            if key in opt:
                best = opt[key]
        cmd = [a.vmplace, 'solve', '-q', '--json', '-s', a.solver, '-t', str(a.time_limit),
               '-j', str(a.threads), '--seed', str(a.seed)]
        for p in a.param:
            cmd += ['-p', p]
        cmd.append(path)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode not in (0, 1):
            print(f'{name} ERROR exit {p.returncode}: {p.stderr.strip()[:160]}', flush=True)
            rows.append(None)
            continue
        d = json.loads(p.stdout)
        obj, ttb = d['objective'], d['stats'].get('genetic.time_to_best', d['time_s'])
        hit = best is not None and obj <= best + 1e-6
        rows.append((obj, best, d['time_s'], ttb, hit))
        print(f"{name} objective={obj:g} best_known={best} bound={d['bound']:g} "
              f"time={d['time_s']:.2f}s time_to_best={ttb:.2f}s{' OPT' if hit else ''}", flush=True)
    ok = [r for r in rows if r]
    hits = [r for r in ok if r[4]]
    med = statistics.median([r[2] for r in ok]) if ok else 0.0
    medh = statistics.median([r[3] for r in hits]) if hits else 0.0
    print(f'SUMMARY solver={a.solver} time_limit={a.time_limit} threads={a.threads}: '
          f'{len(hits)}/{len(ok)} at the best known value ({len(rows) - len(ok)} not loadable); '
          f'median run time {med:.2f}s; median time to the optimum {medh:.2f}s')


if __name__ == '__main__':
    main()
