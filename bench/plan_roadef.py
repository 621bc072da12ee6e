#!/usr/bin/env python3
"""Migration plans from the initial assignment of each ROADEF/EURO 2012
instance to a given answer (challenge solution files), with the plan
checker run on each.

    bench/plan_roadef.py VMPLACE SOLDIR [--instances DIR (default ../shared/instances/
                         roadef2012_machine_reassignment/import)] [--out DIR] [--only a1_2,b_9]
                         [-- EXTRA PLAN OPTIONS]

For every model_X.txt in the instances directory that has SOLDIR/X.sol:
  vmplace plan -q -o OUT/X.plan.json DIR/model_X.txt SOLDIR/X.sol
(timed, with its peak RSS, from /proc after the child ends), then
  vmplace plan --check OUT/X.plan.json DIR/model_X.txt SOLDIR/X.sol
(the independent checker: capacity on both ends, transient resources,
spread, dependency and anti-affinity between waves, where each VM ends).  Prints a
markdown table: status, steps, waves, staging steps, how many of them are
temporary evictions (a VM moved away for a while to make room for
another, "makes_room_for" in the plan), cold moves (a stop
and a later start of the same VM, --allow-stop only), blocked VMs, moves
in the answer, planning time (the whole command, reading included), max
RSS and the checker's verdict.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

DEFAULT_INST = os.path.join("..", "shared", "instances", "roadef2012_machine_reassignment",
                            "import")
ORDER = ["a1_1", "a1_2", "a1_3", "a1_4", "a1_5", "a2_1", "a2_2", "a2_3", "a2_4",
         "a2_5", "b_1", "b_2", "b_3", "b_4", "b_5", "b_6", "b_7", "b_8", "b_9",
         "b_10"]


def run_timed(cmd):
    """Runs cmd; returns (exit status, wall seconds, max RSS in KiB, stderr)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace").strip()
    return proc.returncode, wall, ru.ru_maxrss, text


def main(argv):
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    vmplace, soldir = argv[1], argv[2]
    inst, out, only = DEFAULT_INST, "plan-roadef", None
    rest = argv[3:]
    while rest:
        opt = rest.pop(0)
        if opt == "--instances":
            inst = rest.pop(0)
        elif opt == "--out":
            out = rest.pop(0)
        elif opt == "--only":
            only = rest.pop(0).split(",")
        else:
            sys.stderr.write("plan_roadef.py: unknown option %s\n" % opt)
            return 2
    os.makedirs(out, exist_ok=True)
    names = [n for n in ORDER if os.path.exists(os.path.join(soldir, n + ".sol"))]
    if only:
        names = [n for n in names if n in only]
    print("| instance | status | steps | waves | staging steps | of them evictions | cold moves "
          "| blocked | moves in the answer | time | max RSS | checker |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    worst = 0
    for n in names:
        model = os.path.join(inst, "model_%s.txt" % n)
        sol = os.path.join(soldir, n + ".sol")
        plan = os.path.join(out, n + ".plan.json")
        rc, wall, rss, err = run_timed([vmplace, "plan", "-q", "-o", plan] + extra + [model, sol])
        if rc not in (0, 1):
            print("| %s | error %d: %s | | | | | | | | %.2f s | | |" % (n, rc, err, wall))
            worst = max(worst, rc)
            continue
        with open(plan) as f:
            pl = json.load(f)
        steps = pl["steps"]
        staged = sum(1 for s in steps if s.get("staging"))
        evicted = sum(1 for s in steps if s.get("makes_room_for"))
        started = {s["vm"] for s in steps if s["action"] == "start"}
        cold = sum(1 for s in steps if s["action"] == "stop" and s["vm"] in started)
        waves = max((s["wave"] for s in steps), default=0)
        with open(os.path.join(inst, "assignment_%s.sol" % n)) as f:
            a0 = f.read().split()
        with open(sol) as f:
            a1 = f.read().split()
        moves = sum(1 for x, y in zip(a0, a1) if x != y)
        chk = subprocess.run([vmplace, "plan", "--check", plan, model, sol],
                             capture_output=True, text=True)
        verdict = "safe" if chk.returncode == 0 else "REFUSED: " + chk.stderr.strip()
        worst = max(worst, 0 if chk.returncode == 0 else 1)
        print("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %.2f s | %.0f MiB | %s |" %
              (n, pl["status"], len(steps), waves, staged, evicted, cold,
               len(pl.get("blocked", [])), moves, wall, rss / 1024.0, verdict))
        sys.stdout.flush()
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv))
