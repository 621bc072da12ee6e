#!/usr/bin/env python3
"""Compares two vmplace-bench results.csv files run by run.

    compare_results.py BEFORE/results.csv AFTER/results.csv

A run is one (suite, instance, solver).  It is the same in both when its
status, value, bound, proven_optimal, stop_reason, hosts_used and unplaced
agree; the differing runs are listed with their solve times and time
limit (a run that ends at its limit can end elsewhere on a loaded
machine).  Times are compared only as the median ratio after/before per
solver.  Exit status: 0 when every run is the same, 1 otherwise, 2 on bad
usage.
"""
import csv
import statistics
import sys

FIELDS = ("status", "value", "bound", "proven_optimal", "stop_reason",
          "hosts_used", "unplaced")


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["suite"], r["instance"], r["solver"]): r
                for r in csv.DictReader(f)}


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = load(argv[1]), load(argv[2])
    same, differ, ratios = 0, [], {}
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            differ.append((key, "only in " + ("after" if a is None else "before")))
            continue
        changed = [f"{f}: {a[f] or '-'} -> {b[f] or '-'}" for f in FIELDS if a[f] != b[f]]
        if changed:
            differ.append((key, "; ".join(changed) +
                           f" (time {a['time_s'] or '-'} -> {b['time_s'] or '-'} s,"
                           f" limit {a['time_limit'] or '-'} s)"))
        else:
            same += 1
        if a["time_s"] and b["time_s"] and float(a["time_s"]) > 0:
            ratios.setdefault(key[2], []).append(float(b["time_s"]) / float(a["time_s"]))
    print(f"{same + len(differ)} runs: {same} the same, {len(differ)} differ")
    for key, what in differ:
        print(f"  {'/'.join(key)}: {what}")
    print("median solve time after/before:")
    for solver, r in sorted(ratios.items()):
        print(f"  {solver:<12} {statistics.median(r):.3f} over {len(r)} runs")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
