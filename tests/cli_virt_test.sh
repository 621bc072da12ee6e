#!/bin/bash
# The libvirt subcommands' contract on the test datacenter (tests/data/virt:
# four hosts on libvirt's in-process test driver), and rebalance end to
# end: `vmplace rebalance` consolidates the datacenter, moves every VM to
# its target, verifies it with a fresh snapshot and exits 0.  Usage:
#   cli_virt_test.sh path/to/vmplace SOURCE_DIR INVENTORY
set -u
VMPLACE=$1
SRC=$2
INV=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# expect STATUS NEEDLE -- command... (tests/expect.sh)
. "$(dirname "$0")/expect.sh"

# --- usage -------------------------------------------------------------------
expect 0 "usage: vmplace snapshot" -- "$VMPLACE" snapshot --help
expect 0 "usage: vmplace apply" -- "$VMPLACE" apply --help
expect 0 "usage: vmplace rebalance" -- "$VMPLACE" rebalance --help
expect 2 "expected --inventory FILE" -- "$VMPLACE" snapshot
expect 2 "expected one PLAN file" -- "$VMPLACE" apply
expect 2 "expected --inventory FILE" -- "$VMPLACE" rebalance
expect 0 "libvirt" -- "$VMPLACE" version

# --- snapshot ------------------------------------------------------------------
expect 0 "4 hosts, 8 VMs running, 1 groups from metadata" -- "$VMPLACE" snapshot --inventory "$INV" -o "$TMP/dc.json"
expect 0 "\"web-spread\"" -- "$VMPLACE" snapshot --inventory "$INV"
expect 0 "4 hosts, 8 VMs running, 1 shut off" -- "$VMPLACE" snapshot --inactive --inventory "$INV" -o "$TMP/dc9.json"
expect 2 "no-such.json" -- "$VMPLACE" snapshot --inventory "$TMP/no-such.json"
sed 's|/h3.xml|/missing.xml|' "$INV" > "$TMP/broken.json"
expect 2 "inventory host h3: cannot connect to test://" -- "$VMPLACE" snapshot --inventory "$TMP/broken.json"
out=$("$VMPLACE" snapshot --inventory "$TMP/broken.json" 2>&1 >/dev/null | grep -vc '^vmplace: ')
count=$((count + 1))
if [ "$out" != "0" ]; then
  echo "FAIL: libvirt printed to stderr on its own"
  fails=$((fails + 1))
fi

# --- plan and apply (a separate process: a fresh test datacenter) --------------------
"$VMPLACE" solve -q -s greedy -o "$TMP/sol.json" "$TMP/dc.json" > /dev/null
expect 0 "plan:       complete" -- "$VMPLACE" plan -o "$TMP/plan.json" "$TMP/dc.json" "$TMP/sol.json"
expect 0 "would run" -- "$VMPLACE" apply --dry-run "$TMP/plan.json"
expect 1 "it can only move shut down" -- "$VMPLACE" apply --no-journal "$TMP/plan.json"
expect 0 "failed, 0 not run" -- "$VMPLACE" apply --allow-cold-move "$TMP/plan.json"
[ -s "$TMP/plan.json.journal" ] || { echo "FAIL: no journal written"; fails=$((fails + 1)); }
expect 0 "\"state\": \"done\"" -- "$VMPLACE" apply --allow-cold-move --json --journal "$TMP/j2" "$TMP/plan.json"
"$VMPLACE" plan -o "$TMP/blocked.json" "$SRC/tests/data/plan/swap.json" "$SRC/tests/data/plan/swap_target.json" > /dev/null
expect 1 "the plan is blocked (2 moves have no safe order" -- "$VMPLACE" apply "$TMP/blocked.json"
echo '{"app-1": {"cpu_shares": "many"}}' > "$TMP/sched.json"
expect 2 "app-1.cpu_shares: expected an integer >= 0" -- "$VMPLACE" apply --cpu-sched "$TMP/sched.json" "$TMP/plan.json"

# --- rebalance end to end ---------------------------------------------------------------
expect 0 "verified:   yes, the fresh snapshot shows the target placement" -- "$VMPLACE" rebalance --inventory "$INV" --allow-cold-move
out=$("$VMPLACE" rebalance --inventory "$INV" --allow-cold-move --json 2>/dev/null)
status=$?
count=$((count + 1))
if [ $status != 0 ] || ! python3 - "$out" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
assert r["verified"] is True, r
assert len(r["moves"]) >= 2, r
assert all(m["state"] == "done" and m["method"] == "cold" for m in r["moves"]), r
assert r["hosts_used_before"] == 4 and r["hosts_used_after"] == 3, r
assert r["score_after"] < r["score_before"], r
PY
then
  echo "FAIL: rebalance --json: exit $status"
  echo "$out" | head -40 | sed 's/^/    /'
  fails=$((fails + 1))
fi
expect 0 "dry run:    nothing was changed" -- "$VMPLACE" rebalance --inventory "$INV" --dry-run
expect 1 "it can only move shut down" -- "$VMPLACE" rebalance --inventory "$INV"
expect 0 "\"moves\": []" -- "$VMPLACE" rebalance --inventory "$INV" --max-moves 0 --json
# entitlements reach libvirt, whose test driver has no cpu_shares: the moves
# are done and verified, the scheduler values refused with libvirt's reason
expect 1 "cannot set CPU scheduler parameters: argument unsupported: parameter 'cpu_shares' not supported" -- "$VMPLACE" rebalance --inventory "$INV" --allow-cold-move --entitlements
expect 1 "verified:   yes" -- "$VMPLACE" rebalance --inventory "$INV" --allow-cold-move --entitlements-quota
expect 1 "\"cpu_sched_set\": 0" -- "$VMPLACE" rebalance --inventory "$INV" --allow-cold-move --entitlements --json

expect_done
