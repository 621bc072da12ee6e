#!/bin/bash
# Sequential vs concurrent steps within a wave, against real hosts: a
# rebalance of 20 VMs over 3 lab hosts (tests/lab/lab.sh) that moves every
# VM once (h1 -> h2 -> h3 -> h1), planned with the per-host cap CAP, applied
# with --parallel 1 and then with --parallel P, alternately, ROUNDS times
# each (the VMs go back and forth).  Prints the wall time of every apply and
# the medians.  Root; about 4 minutes with the defaults.
#   bench/lab_waves.sh path/to/vmplace [CAP [P [ROUNDS]]]
set -u
VMPLACE=$(readlink -f "$1")
CAP=${2:-2}
PAR=${3:-6}
ROUNDS=${4:-3}
HERE=$(dirname "$(readlink -f "$0")")
LAB_SH=$HERE/../tests/lab/lab.sh
"$LAB_SH" check || exit 1
LAB=$(mktemp -d /tmp/vmplace-lab-bench.XXXXXX)
trap '"$LAB_SH" down "$LAB"' EXIT
trap 'exit 130' INT TERM
"$LAB_SH" up "$LAB" 3 > /dev/null || exit 1
for i in $(seq 1 20); do
  "$LAB_SH" guest "$LAB" h$(( (i - 1) % 3 + 1 )) vm$i || exit 1
done
"$LAB_SH" inventory "$LAB" > "$LAB/inv.json"

# rotate: every VM to the next host
one_round() {
  local par=$1 n=$2 t0 t1
  "$VMPLACE" snapshot --inventory "$LAB/inv.json" -o "$LAB/dc.json" > /dev/null || exit 1
  python3 - "$LAB/dc.json" > "$LAB/target.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
nxt = {"h1": "h2", "h2": "h3", "h3": "h1"}
print(json.dumps({"assignments": {v["name"]: nxt[v["host"]] for v in p["vms"]}}))
PY
  "$VMPLACE" plan --max-concurrent "$CAP" -o "$LAB/plan$n.json" "$LAB/dc.json" "$LAB/target.json" \
    > "$LAB/plan$n.out" || exit 1
  t0=$(date +%s.%N)
  "$VMPLACE" apply --parallel "$par" "$LAB/plan$n.json" > "$LAB/apply$n.out" 2>&1 ||
    { cat "$LAB/apply$n.out"; exit 1; }
  t1=$(date +%s.%N)
  echo "$par $(echo "$t1 - $t0" | bc) $(head -1 "$LAB/plan$n.out")"
}

n=0
: > "$LAB/times"
for r in $(seq 1 "$ROUNDS"); do
  for par in 1 "$PAR"; do
    n=$((n + 1))
    one_round "$par" "$n" | tee -a "$LAB/times"
  done
done
python3 - "$LAB/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    par, secs = line.split()[:2]
    t.setdefault(int(par), []).append(float(secs))
for par, v in sorted(t.items()):
    print("--parallel %d: median %.1f s over %d applies (%s)"
          % (par, statistics.median(v), len(v), ", ".join("%.1f" % x for x in v)))
PY
