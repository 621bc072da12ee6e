#!/bin/bash
# vmplace against real libvirt+QEMU hosts: the lab (tests/lab/lab.sh).
#   lab_test.sh SECTION path/to/vmplace
# SECTION: migrate (snapshot, plan, live moves, start steps, migration
# settings, entitlements in the cgroup files; one plan with a stop step, a
# cold move and a live move), faults
# (destination daemon stopped before the run, between steps and during a
# migration; destination QEMU killed mid-migration; a migration timeout),
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

# check_state TARGET.json MESSAGE [VM=HOST...]: every VM once, running,
# persistent, on its target (or on the HOST given here).
check_state() {
  local out target=$1 what=$2
  shift 2
  count=$((count + 1))
  if ! out=$(python3 "$STATE" "$LAB" --check "$target" "$@" 2>&1); then
    echo "FAIL: $what"
    echo "$out" | sed 's/^/    /'
    fails=$((fails + 1))
  fi
}

# fail MESSAGE: one failed check.
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# py MESSAGE FILE <<'PY' ... PY: one check, a Python script given FILE as
# argv[1] that raises on failure.
py() {
  local what=$1 out
  shift
  count=$((count + 1))
  if ! out=$(python3 - "$@" 2>&1); then
    echo "FAIL: $what"
    echo "$out" | tail -5 | sed 's/^/    /'
    fails=$((fails + 1))
  fi
}

# ---- migrate: snapshot, plan, apply (live moves, start steps), entitlements -----------
section_migrate() {
  local web='<vmplace:label key="app">web</vmplace:label><vmplace:priority>10</vmplace:priority>'
  web="$web"'<vmplace:group name="web-spread" policy="anti-affinity" hard="true"/>'
  lab up "$LAB" 3 > /dev/null || exit 1
  mkdir -p "$WORK"
  lab guest "$LAB" h1 web1 --meta "$web" && lab guest "$LAB" h2 web2 --meta "$web" &&
    lab guest "$LAB" h1 db1 --memory 128 --vcpus 2 --disk 2048 \
      --meta '<vmplace:label key="app">db</vmplace:label>' &&
    lab guest "$LAB" h3 idle1 --no-start || exit 1
  lab inventory "$LAB" --migration "${LAB_MIGRATION:-direct}" > "$WORK/inv.json"

  # snapshot of real domains: vCPUs, memory, the qcow2 disk's capacity,
  # metadata labels, priority and groups
  expect 0 "3 hosts, 3 VMs running, 1 shut off, 1 groups from metadata" -- \
    "$VMPLACE" snapshot --inactive --inventory "$WORK/inv.json" -o "$WORK/dc.json"
  py "snapshot: demands, labels, groups" "$WORK/dc.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
vms = {v["name"]: v for v in p["vms"]}
assert vms["db1"]["demand"] == {"cpu": 2, "memory_mib": 128, "disk_gib": 2}, vms["db1"]
assert vms["db1"]["host"] == "h1" and vms["db1"]["labels"] == {"app": "db"}, vms["db1"]
assert vms["web1"]["demand"] == {"cpu": 1, "memory_mib": 64, "disk_gib": 0}, vms["web1"]
assert vms["web1"]["labels"] == {"app": "web"} and vms["web1"]["priority"] == 10, vms["web1"]
assert vms["web2"]["host"] == "h2", vms["web2"]
assert "host" not in vms["idle1"], vms["idle1"]
g = {x["name"]: x for x in p["groups"]}["web-spread"]
assert g["policy"] == "anti-affinity" and g["hard"] is True, g
assert sorted(g["vms"]) == ["web1", "web2"], g
assert [h["capacity"]["memory_mib"] for h in p["hosts"]] == [1024] * 3, p["hosts"]
PY

  # a live move and a start step, through the inventory's migration setting
  echo '{"assignments": {"web1": "h3", "web2": "h2", "db1": "h1", "idle1": "h2"}}' > "$WORK/t1.json"
  expect 0 "plan:       complete, 2 steps in 1 wave," -- \
    "$VMPLACE" plan -o "$WORK/p1.json" "$WORK/dc.json" "$WORK/t1.json"
  expect 0 "2 would run" -- "$VMPLACE" apply --dry-run "$WORK/p1.json"
  count=$((count + 1))
  [ ! -e "$WORK/p1.json.journal" ] || fail "apply --dry-run wrote a journal"
  expect 0 "2 done, 0 already done, 0 failed" -- "$VMPLACE" apply "$WORK/p1.json"
  check_state "$WORK/t1.json" "after a live move and a start step"
  expect 0 "running (migrated)" -- lvirsh h3 domstate --reason web1
  expect 0 "0 done, 2 already done" -- "$VMPLACE" apply "$WORK/p1.json"
  py "journal: begin and done of both steps" "$WORK/p1.json.journal" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ev = [(r["step"], r["event"], r["method"]) for r in lines[1:]]
assert ev[:4] in ([(1, "begin", "live"), (1, "done", "live"), (2, "begin", "start"),
                   (2, "done", "start")],
                  [(1, "begin", "start"), (1, "done", "start"), (2, "begin", "live"),
                   (2, "done", "live")]), ev
assert [e[1] for e in ev[4:]] == ["already", "already"], ev
PY
  expect 0 "3 hosts, 4 VMs running" -- \
    "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc2.json"

  # tunnelled migrations, two steps of a wave at once
  lab inventory "$LAB" --migration tunnelled > "$WORK/inv-t.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv-t.json" -o "$WORK/dc3.json" > /dev/null
  echo '{"assignments": {"web1": "h2", "web2": "h3", "db1": "h1", "idle1": "h1"}}' > "$WORK/t2.json"
  expect 0 "plan:       complete" -- "$VMPLACE" plan -o "$WORK/p2.json" "$WORK/dc3.json" "$WORK/t2.json"
  expect 0 "3 done, 0 already done, 0 failed" -- "$VMPLACE" apply --parallel 3 "$WORK/p2.json"
  check_state "$WORK/t2.json" "after tunnelled moves in parallel"

  # entitlements through schedinfo, checked in the kernel's cgroup files:
  # one physical CPU a host, so that h1 (db1 with 2 vCPUs, idle1) is
  # overcommitted and its VMs get different shares
  lab inventory "$LAB" --cpu 1 > "$WORK/inv-e.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv-e.json" -o "$WORK/dc4.json" > /dev/null
  expect 0 "" -- "$VMPLACE" entitlements -o "$WORK/sched.json" --quota "$WORK/dc4.json"
  py "entitlements differ from libvirt's defaults" "$WORK/sched.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert sorted(s) == ["db1", "idle1", "web1", "web2"], s
assert any(v["cpu_shares"] != 1024 for v in s.values()), s
assert any(v["vcpu_quota"] not in (-1, 100000) for v in s.values()), s
PY
  expect 0 "0 done, 3 already done" -- "$VMPLACE" apply --cpu-sched "$WORK/sched.json" "$WORK/p2.json"
  count=$((count + 1))
  out=$(python3 "$STATE" "$LAB" --cgroup "$WORK/sched.json" 2>&1) ||
    { fail "entitlements in the cgroup files"; echo "$out" | sed 's/^/    /'; }
  echo "$out"

  # one plan with a stop step, a cold move and a live move: stop1 (the
  # target leaves it unplaced) and cold1 (its metadata says it cannot move
  # live) boot from a sector that powers off on the ACPI power button, as
  # a guest sitting in SeaBIOS does not
  lab guest "$LAB" h3 cold1 --acpi \
    --meta '<vmplace:live-migration>false</vmplace:live-migration>' &&
    lab guest "$LAB" h1 stop1 --acpi || exit 1
  "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc5.json" > /dev/null
  python3 - "$WORK/dc5.json" > "$WORK/t5.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
a = {v["name"]: v["host"] for v in p["vms"]}
a.update(cold1="h2", stop1=None, idle1="h3")
print(json.dumps({"assignments": a}))
PY
  expect 1 "stop1 h1 -> (unplaced): the target leaves it unplaced, and a running VM is never stopped" -- \
    "$VMPLACE" plan "$WORK/dc5.json" "$WORK/t5.json"
  expect 0 "plan:       complete, 3 steps in 1 wave," -- \
    "$VMPLACE" plan --allow-stop -o "$WORK/p5.json" "$WORK/dc5.json" "$WORK/t5.json"
  expect 0 "stop1                stop on h1" -- "$VMPLACE" plan --allow-stop "$WORK/dc5.json" "$WORK/t5.json"
  # without --allow-cold-move the cold-only VM stays; the rest of the wave runs
  expect 1 "(cold1 h3 -> h2): h3: the metadata of cold1 says it cannot move live" -- \
    "$VMPLACE" apply --shutdown-timeout 30 "$WORK/p5.json"
  check_state "$WORK/t5.json" "cold-only VM without --allow-cold-move: it stays, the rest ran" \
    cold1=h3 stop1=h1:off
  expect 0 "1 done, 2 already done, 0 failed" -- \
    "$VMPLACE" apply --allow-cold-move --shutdown-timeout 30 "$WORK/p5.json"
  check_state "$WORK/t5.json" "after a stop, a cold move and a live move" stop1=h1:off
  py "journal: each step's begin and done, with its method" "$WORK/p5.json.journal" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ev = {}
for r in lines[1:]:
    ev.setdefault(r["vm"], []).append((r["event"], r["method"]))
assert ev["stop1"] == [("begin", "stop"), ("done", "stop"), ("already", "stop")], ev
assert ev["idle1"] == [("begin", "live"), ("done", "live"), ("already", "")], ev
# refused before it changed anything: no record of the first run
assert ev["cold1"] == [("begin", "cold"), ("done", "cold")], ev
PY
  expect 0 "running (booted)" -- lvirsh h2 domstate --reason cold1
  expect 0 "shut off (shutdown)" -- lvirsh h1 domstate --reason stop1
  expect 0 "0 done, 3 already done" -- "$VMPLACE" apply --allow-cold-move "$WORK/p5.json"
}

# ---- faults: the plan stops safely, nothing is lost, the report says why -----------------
section_faults() {
  local pid qpid i
  lab up "$LAB" 4 > /dev/null || exit 1
  mkdir -p "$WORK"
  lab guest "$LAB" h1 f1 && lab guest "$LAB" h1 f2 --memory 64 --fill 40 &&
    lab guest "$LAB" h2 f3 --memory 64 --fill 40 || exit 1
  lab inventory "$LAB" --migration "${LAB_MIGRATION:-direct}" > "$WORK/inv.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc.json" > /dev/null
  echo '{"assignments": {"f1": "h3", "f2": "h1", "f3": "h2"}}' > "$WORK/t1.json"
  echo '{"assignments": {"f1": "h1", "f2": "h1", "f3": "h2"}}' > "$WORK/t0.json"
  "$VMPLACE" plan -o "$WORK/p1.json" "$WORK/dc.json" "$WORK/t1.json" > /dev/null

  # the destination's daemon is down: nothing starts, nothing changes
  lab stop-host "$LAB" h3
  expect 2 "host h3: cannot connect to qemu+unix:///system?socket=$LAB/h3/run/libvirt-sock" -- \
    "$VMPLACE" apply "$WORK/p1.json"
  lab start-host "$LAB" h3 || exit 1
  check_state "$WORK/t0.json" "destination daemon down: f1 stays on h1"
  expect 0 "1 done" -- "$VMPLACE" apply "$WORK/p1.json"
  check_state "$WORK/t1.json" "destination daemon back: f1 moved"

  # the destination's QEMU killed mid-migration (40 MiB to copy at 4 MiB/s)
  echo '{"assignments": {"f1": "h3", "f2": "h2", "f3": "h2"}}' > "$WORK/t2.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc2.json" > /dev/null
  "$VMPLACE" plan -o "$WORK/p2.json" "$WORK/dc2.json" "$WORK/t2.json" > /dev/null
  "$VMPLACE" apply --bandwidth 4 "$WORK/p2.json" > "$WORK/p2.out" 2>&1 &
  pid=$!
  qpid=""
  for i in $(seq 1 200); do
    qpid=$(cat "$LAB/h2/run/qemu/f2.pid" 2>/dev/null) && [ -n "$qpid" ] && break
    sleep 0.05
  done
  sleep 2
  count=$((count + 1))
  if [ -n "$qpid" ] && grep -q qemu-system "/proc/$qpid/cmdline" 2>/dev/null; then
    kill -KILL "$qpid"
  else
    fail "no incoming QEMU for f2 on h2 to kill"
  fi
  wait "$pid"
  status=$?
  count=$((count + 1))
  [ $status = 1 ] || fail "apply with the destination QEMU killed exited $status, expected 1"
  expect 0 "live migration of f2 from h1 to h2" -- cat "$WORK/p2.out"
  check_state "$WORK/t1.json" "destination QEMU killed: f2 runs on h1 alone"
  expect 0 "1 done, 0 already done, 0 failed" -- "$VMPLACE" apply "$WORK/p2.json"
  check_state "$WORK/t2.json" "destination QEMU killed: the re-run moved f2"

  # a migration that takes longer than --migrate-timeout is aborted
  echo '{"assignments": {"f1": "h3", "f2": "h3", "f3": "h2"}}' > "$WORK/t3.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc3.json" > /dev/null
  "$VMPLACE" plan -o "$WORK/p3.json" "$WORK/dc3.json" "$WORK/t3.json" > /dev/null
  expect 1 "(aborted: it did not finish within 2 s)" -- \
    "$VMPLACE" apply --bandwidth 4 --migrate-timeout 2 "$WORK/p3.json"
  check_state "$WORK/t2.json" "migration timeout: f2 still runs on h2 alone"
  expect 0 "1 done" -- "$VMPLACE" apply "$WORK/p3.json"
  check_state "$WORK/t3.json" "migration timeout: the re-run without a limit moved f2"

  # a destination's daemon stopped while the plan runs, between its steps:
  # h1's goes while step 1 (f3, 40 MiB at 4 MiB/s) copies to h4, so step 2
  # (f2 to h1) meets a dead connection
  echo '{"assignments": {"f1": "h3", "f2": "h1", "f3": "h4"}}' > "$WORK/t4.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc4.json" > /dev/null
  expect 0 "f3                   h2 -> h4  (64 MiB)
      f2                   h3 -> h1  (64 MiB)" -- \
    "$VMPLACE" plan -o "$WORK/p4.json" "$WORK/dc4.json" "$WORK/t4.json"
  "$VMPLACE" apply --bandwidth 4 "$WORK/p4.json" > "$WORK/p4.out" 2>&1 &
  pid=$!
  incoming h4 f3 && lab stop-host "$LAB" h1
  wait "$pid"
  status=$?
  count=$((count + 1))
  [ $status = 1 ] || fail "apply with h1's daemon stopped between steps exited $status, expected 1"
  expect 0 "1 done, 0 already done, 1 failed, 0 not run" -- cat "$WORK/p4.out"
  expect 0 "step 2 (f2 h3 -> h1): h1: cannot" -- cat "$WORK/p4.out"
  grep "^vmplace: " "$WORK/p4.out"
  lab start-host "$LAB" h1 || exit 1
  check_state "$WORK/t3.json" "daemon stopped between steps: f3 moved, f2 stays on h3" f3=h4
  expect 0 "1 done, 1 already done, 0 failed" -- "$VMPLACE" apply "$WORK/p4.json"
  check_state "$WORK/t4.json" "daemon stopped between steps: the re-run moved f2"

  # the destination's daemon stopped during a migration
  echo '{"assignments": {"f1": "h3", "f2": "h3", "f3": "h4"}}' > "$WORK/t5.json"
  "$VMPLACE" snapshot --inventory "$WORK/inv.json" -o "$WORK/dc5.json" > /dev/null
  "$VMPLACE" plan -o "$WORK/p5.json" "$WORK/dc5.json" "$WORK/t5.json" > /dev/null
  "$VMPLACE" apply --bandwidth 4 "$WORK/p5.json" > "$WORK/p5.out" 2>&1 &
  pid=$!
  incoming h3 f2 && sleep 1 && lab stop-host "$LAB" h3
  wait "$pid"
  status=$?
  count=$((count + 1))
  [ $status = 1 ] || fail "apply with h3's daemon stopped mid-migration exited $status, expected 1"
  expect 0 "step 1 (f2 h1 -> h3): live migration of f2 from h1 to h3" -- cat "$WORK/p5.out"
  grep "^vmplace: " "$WORK/p5.out"
  lab start-host "$LAB" h3 || exit 1
  check_state "$WORK/t4.json" "daemon stopped mid-migration: f2 runs on h1 alone"
  expect 0 "1 done, 0 already done, 0 failed" -- "$VMPLACE" apply "$WORK/p5.json"
  check_state "$WORK/t5.json" "daemon stopped mid-migration: the re-run moved f2"
}

# incoming HOST VM: waits (up to 10 s) until HOST's QEMU for an incoming
# migration of VM runs; its pid in qpid.
incoming() {
  local i
  qpid=""
  for i in $(seq 1 200); do
    qpid=$(cat "$LAB/$1/run/qemu/$2.pid" 2>/dev/null) &&
      grep -q incoming "/proc/$qpid/cmdline" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no incoming QEMU for $2 on $1"
  return 1
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
  migrate) section_migrate ;;
  faults) section_faults ;;
  crash) section_crash ;;
  *) echo "lab_test.sh: unknown section $SECTION" >&2; exit 2 ;;
esac
expect_done
