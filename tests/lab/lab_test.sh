#!/bin/bash
# vmplace against real libvirt+QEMU hosts: the lab (tests/lab/lab.sh).
#   lab_test.sh SECTION path/to/vmplace
# SECTION: migrate (snapshot, plan, live moves, start steps, migration
# settings, entitlements in the cgroup files), faults (destination daemon
# stopped, destination QEMU killed mid-migration, a migration timeout),
# crash (kill -9 of `vmplace apply` at random moments, then resume).
# Exits 77 (ctest's SKIP_RETURN_CODE) with the reason where the lab cannot
# run (not root, no namespaces, libvirt or QEMU missing).
set -u
SECTION=$1
VMPLACE=$(readlink -f "$2")
HERE=$(dirname "$(readlink -f "$0")")
LAB_SH=$HERE/lab.sh
STATE=$HERE/labstate.py
"$LAB_SH" check || exit 77
. "$HERE/../expect.sh"

LAB=$(mktemp -d /tmp/vmplace-lab-$SECTION.XXXXXX)
trap '"$LAB_SH" down "$LAB"' EXIT
trap 'exit 130' INT TERM
WORK=$LAB/work
lab() { "$LAB_SH" "$@"; }
lvirsh() { lab virsh "$LAB" "$@"; }

# check_state TARGET.json MESSAGE: every VM once, running, on its target.
check_state() {
  local out
  count=$((count + 1))
  if ! out=$(python3 "$STATE" "$LAB" --check "$1" 2>&1); then
    echo "FAIL: $2"
    echo "$out" | sed 's/^/    /'
    fails=$((fails + 1))
  fi
}

# fail MESSAGE: one failed check.
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# ---- crash: kill -9 at random moments, resume from the journal -------------------------
section_crash() {
  local trials=${LAB_TRIALS:-20} t moves delay pid status out finished=0 midway=0 par
  lab up "$LAB" 3 > /dev/null || exit 1
  mkdir -p "$WORK"
  for h in 1 2 3; do
    lab guest "$LAB" h$h vm${h}a && lab guest "$LAB" h$h vm${h}b || exit 1
  done
  lab inventory "$LAB" --migration "${LAB_MIGRATION:-direct}" > "$WORK/inv.json"
  RANDOM=17
  for t in $(seq 1 "$trials"); do
    local dir=$WORK/trial$t
    mkdir -p "$dir"
    "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$dir/dc.json" > /dev/null ||
      { fail "trial $t: snapshot"; continue; }
    moves=$((2 + t % 2))
    python3 "$STATE" "$LAB" --target "$t" "$moves" "$dir/dc.json" > "$dir/target.json"
    "$VMPLACE" plan -o "$dir/plan.json" "$dir/dc.json" "$dir/target.json" > /dev/null ||
      { fail "trial $t: plan"; continue; }
    # A live move takes about 2 s here: kill anywhere from before the first
    # migration to after the last.
    delay=$(printf '%d.%02d' $((RANDOM % (2 * moves + 1))) $((RANDOM % 100)))
    # Odd trials apply one step after another, even ones in parallel.
    par=$((t % 2 == 0 ? 4 : 1))
    "$VMPLACE" apply --parallel $par "$dir/plan.json" > "$dir/first.out" 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -KILL "$pid" 2>/dev/null; then midway=$((midway + 1)); else finished=$((finished + 1)); fi
    wait "$pid" 2>/dev/null
    out=$("$VMPLACE" apply --parallel $par "$dir/plan.json" 2>&1)
    status=$?
    count=$((count + 1))
    if [ $status != 0 ]; then
      fail "trial $t (killed after ${delay} s): the resume exited $status"
      echo "$out" | sed 's/^/    /'
    fi
    check_state "$dir/target.json" "trial $t (killed after ${delay} s): state after the resume"
  done
  echo "crash: $trials trials, $midway killed during apply, $finished finished before the kill"
  # The trials must have hit apply in flight, not only after it ended.
  count=$((count + 1))
  [ "$midway" -ge $((trials / 2)) ] || fail "only $midway of $trials kills hit a running apply"
}

case "$SECTION" in
  crash) section_crash ;;
  *) echo "lab_test.sh: unknown section $SECTION" >&2; exit 2 ;;
esac
expect_done
