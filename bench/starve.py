#!/usr/bin/env python3
"""Runs a command as a process starved of CPU: it may run only a share of
every 100 ms (SIGSTOP / SIGCONT to its process group), the way a `nice 19`
job fares on a crowded machine, without loading the machine.  Used for the
time-limit figures in docs/benchmarks.md ("Time limits and memory,
2026-12-07"): every step of a solver takes longer in wall time, the clock
keeps running.

  bench/starve.py SHARE COMMAND...        # e.g. 0.25: a quarter of the time
  bench/starve.py LOW:HIGH COMMAND...     # a share drawn in [LOW, HIGH]
                                          # every second (a changing load)

STARVE_SEED (default 1) seeds the draws.  Prints the command's wall time on
stderr and exits with its status.
"""
import os
import random
import signal
import subprocess
import sys
import time

PERIOD_S = 0.1


def signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
        return True
    except ProcessLookupError:
        return False


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    spec = sys.argv[1]
    low, high = (float(x) for x in spec.split(":")) if ":" in spec else (float(spec),) * 2
    if not (0.0 < low <= high <= 1.0):
        sys.exit("starve.py: the share must be in (0, 1]: " + spec)
    rng = random.Random(int(os.environ.get("STARVE_SEED", "1")))
    t0 = time.monotonic()
    child = subprocess.Popen(sys.argv[2:], start_new_session=True)
    share, next_draw = rng.uniform(low, high), t0 + 1.0
    try:
        while child.poll() is None:
            now = time.monotonic()
            if now >= next_draw:
                share, next_draw = rng.uniform(low, high), now + 1.0
            time.sleep(PERIOD_S * share)
            if share < 1.0:
                if not signal_group(child.pid, signal.SIGSTOP):
                    break
                time.sleep(PERIOD_S * (1.0 - share))
                if not signal_group(child.pid, signal.SIGCONT):
                    break
    finally:
        signal_group(child.pid, signal.SIGCONT)
    rc = child.wait()
    sys.stderr.write("starve.py: %.2f s wall, exit %d\n" % (time.monotonic() - t0, rc))
    sys.exit(rc)


if __name__ == "__main__":
    main()
