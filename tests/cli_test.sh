#!/bin/bash
# The command line's contract (docs/formats.md): exit statuses and the
# messages that name the file, field and problem.  Usage:
#   cli_test.sh path/to/vmplace SOURCE_DIR
set -u
VMPLACE=$1
SRC=$2
DATA=$SRC/tests/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# expect STATUS NEEDLE -- command... (tests/expect.sh)
. "$(dirname "$0")/expect.sh"

# --- usage ---------------------------------------------------------------
expect 2 "usage: vmplace COMMAND" -- "$VMPLACE"
expect 0 "commands:" -- "$VMPLACE" help
expect 2 "unknown command 'frobnicate'" -- "$VMPLACE" frobnicate
expect 0 "vmplace 0." -- "$VMPLACE" version
expect 0 "usage: vmplace solve" -- "$VMPLACE" solve --help
expect 2 "expected one PROBLEM file" -- "$VMPLACE" solve
expect 2 "--time-limit: expected a number >= 0, got 'soon'" -- "$VMPLACE" solve --time-limit soon "$SRC/examples/datacenter.json"
expect 2 "unknown solver \"nope\"" -- "$VMPLACE" solve --solver nope "$SRC/examples/datacenter.json"
expect 2 "unknown parameter \"greedy.nope\"" -- "$VMPLACE" solve -p greedy.nope=1 "$SRC/examples/datacenter.json"
expect 0 "greedy" -- "$VMPLACE" solve --list-solvers
expect 2 "greedy.online_rule: unknown rule \"all\" (expected one rule name" -- "$VMPLACE" solve --incremental -p greedy.online_rule=all "$SRC/examples/datacenter.json"

# --- the example -----------------------------------------------------------
expect 0 "status:     " -- "$VMPLACE" solve "$SRC/examples/datacenter.json"
expect 0 "\"assignments\"" -- "$VMPLACE" solve --json "$SRC/examples/datacenter.json"
# The solves whose outputs are checked exactly get a generous time limit:
# they end at the proof (well under a second on an idle machine), and the
# limit only keeps a loaded machine or a sanitizer build from cutting them.
expect 0 "" -- "$VMPLACE" solve -q -t 600 -o "$TMP/sol.json" "$SRC/examples/datacenter.json"
expect 0 "no hard violations" -- "$VMPLACE" check "$SRC/examples/datacenter.json" "$TMP/sol.json"
expect 1 "[soft] anti-affinity payments-spread" -- "$VMPLACE" check --strict "$SRC/examples/datacenter.json" "$TMP/sol.json"
# entitlements: h1 (8 CPUs) holds 13 CPUs of demand; c gets its 1, then a
# (weight 1) and b (priority 1, weight 2) share the other 7 as 7/3 and 14/3
ENT="$SRC/tests/data/entitlements.json"
expect 0 "usage: vmplace entitlements" -- "$VMPLACE" entitlements --help
expect 0 "1 of 2 hosts overcommitted" -- "$VMPLACE" entitlements "$ENT"
expect 0 "b                    demand 6        entitled 4.667    shares 4779   quota 77778 us/vCPU" -- "$VMPLACE" entitlements "$ENT"
expect 0 "\"entitled\": 2.333333333333333," -- "$VMPLACE" entitlements --json "$ENT"
expect 0 "" -- "$VMPLACE" entitlements -o "$TMP/sched.json" --quota "$ENT"
expect 0 "\"vcpu_quota\": 38889," -- cat "$TMP/sched.json"
expect 1 "" -- grep -F "\"e\"" "$TMP/sched.json"
expect 0 "a                    demand 6        entitled 3.667" -- "$VMPLACE" entitlements --min-fraction 0.5 "$ENT" "$SRC/tests/data/entitlements_move.json"
expect 2 "--quota only changes the file of --output" -- "$VMPLACE" entitlements --quota "$ENT"
expect 2 "expected PROBLEM and an optional SOLUTION" -- "$VMPLACE" entitlements
expect 2 "gpu" -- "$VMPLACE" entitlements -r gpu "$ENT"
expect 2 "min_fraction" -- "$VMPLACE" entitlements --min-fraction 2 "$ENT"
expect 0 "web-1 fits on" -- "$VMPLACE" explain "$SRC/examples/datacenter.json" web-1
expect 2 "no VM named 'web-99'" -- "$VMPLACE" explain "$SRC/examples/datacenter.json" web-99
expect 0 "rule pci: host.labels.compliance is absent" -- "$VMPLACE" explain "$SRC/examples/datacenter.json" pay-2
expect 0 "\"fits\"" -- "$VMPLACE" explain --json "$SRC/examples/datacenter.json" pay-2
expect 0 "\"constraint\": \"rule pci\"" -- "$VMPLACE" explain --json "$SRC/examples/datacenter.json" pay-2
expect 0 "solver online" -- "$VMPLACE" solve --incremental "$SRC/examples/datacenter.json"
expect 0 "solver local" -- "$VMPLACE" solve --solver local -p local.patience=1 "$SRC/examples/datacenter.json"
expect 2 "greedy.rules: unknown rule \"ffd\"" -- "$VMPLACE" solve -p greedy.rules=ffd "$SRC/examples/datacenter.json"

# --- rebalancing and ROADEF (docs/rebalancing.md) ------------------------------
RD="$DATA/roadef"
expect 0 "safety 64, ratio_balance 24" -- "$VMPLACE" check "$SRC/examples/rebalance.json"
expect 0 "status:     feasible" -- "$VMPLACE" solve -t 0 -p rebalance.max_moves=20000 -p rebalance.exact=0 "$SRC/examples/rebalance.json"
expect 0 "objective:  68   bound: 68   gap: 0.00%" -- "$VMPLACE" solve -t 0 -p rebalance.max_moves=20000 "$SRC/examples/rebalance.json"
expect 0 "status:     optimal (completed)" -- "$VMPLACE" solve -t 5 "$SRC/examples/rebalance.json"
expect 2 "model_noassign.txt: initial assignment: " -- "$VMPLACE" solve "$RD/model_noassign.txt"
expect 2 "use --from-scratch" -- "$VMPLACE" solve "$RD/model_noassign.txt"
expect 2 "roundrobin: transient resources held on both hosts of a move are not modelled" -- "$VMPLACE" solve --solver roundrobin "$RD/model_spec_example.txt"
expect 0 "objective:  4200" -- "$VMPLACE" solve --solver genetic -p genetic.generations=20 "$RD/model_spec_example.txt"
expect 0 "objective:  4200" -- "$VMPLACE" solve --solver greedy "$RD/model_spec_example.txt"
expect 2 "h0: the VMs running there hold 12 of transient disk, more than its capacity 10" -- "$VMPLACE" solve "$DATA/transient_over.json"
expect 0 "objective:  2411" -- "$VMPLACE" solve -t 0 -p rebalance.max_moves=20000 --write-roadef "$TMP/spec.sol" "$RD/model_spec_example.txt"
expect 0 "0 2 1" -- cat "$TMP/spec.sol"
expect 0 "objective:  3510" -- "$VMPLACE" check "$RD/model_spec_example.txt" "$RD/new_spec_3510.sol"
expect 1 "[hard] m1: transient r1 14 > 10" -- "$VMPLACE" check "$RD/model_spec_transient.txt" "$RD/new_spec_transient.sol"
expect 2 "host of VM 2" -- "$VMPLACE" check "$RD/model_spec_example.txt" "$RD/assignment_spec_transient.sol"
echo "0 1 2 3" > "$TMP/long.sol"
expect 2 "more entries than the 3 VMs of the problem" -- "$VMPLACE" check "$RD/model_spec_example.txt" "$TMP/long.sol"
expect 2 "--from-scratch: only for ROADEF model files" -- "$VMPLACE" solve --from-scratch "$SRC/examples/datacenter.json"

# --- plan ---------------------------------------------------------------------
expect 0 "plan:       complete" -- "$VMPLACE" plan "$SRC/examples/datacenter.json" "$TMP/sol.json"
expect 0 "\"steps\"" -- "$VMPLACE" plan --json -o "$TMP/plan.json" "$SRC/examples/datacenter.json" "$TMP/sol.json"
expect 1 "it waits for b to leave h2" -- "$VMPLACE" plan "$DATA/plan/swap.json" "$DATA/plan/swap_target.json"
expect 2 "expected PROBLEM and SOLUTION" -- "$VMPLACE" plan "$DATA/plan/swap.json"
expect 2 "--bandwidth: expected a number > 0, got '0'" -- "$VMPLACE" plan --bandwidth 0 "$DATA/plan/swap.json" "$DATA/plan/swap_target.json"
expect 0 "usage: vmplace plan" -- "$VMPLACE" plan --help
# --check replays a plan through the checker against a problem and a target
expect 0 "plan:       complete, 2 steps in 1 wave" -- "$VMPLACE" plan -o "$TMP/spec_plan.json" "$RD/model_spec_example.txt" "$TMP/spec.sol"
expect 0 "spec_plan.json: safe: complete, 2 steps in 1 wave, 0 blocked" -- "$VMPLACE" plan --check "$TMP/spec_plan.json" "$RD/model_spec_example.txt" "$TMP/spec.sol"
expect 1 "spec_plan.json: unsafe plan: p2 ends on m1, but the target puts it on m0" -- "$VMPLACE" plan --check "$TMP/spec_plan.json" "$RD/model_spec_example.txt" "$RD/new_spec_3510.sol"
expect 2 "plan: --check replays a plan; it takes no -o, --json or --max-moves" -- "$VMPLACE" plan --check "$TMP/spec_plan.json" --json "$RD/model_spec_example.txt" "$TMP/spec.sol"

# --- the exact engine ---------------------------------------------------------------
expect 0 "status:     optimal" -- "$VMPLACE" solve -s ilp -t 600 "$SRC/examples/datacenter.json"
expect 0 "solver colgen" -- "$VMPLACE" solve -s colgen "$SRC/examples/datacenter.json"
expect 0 "wrote $TMP/dc.mps" -- "$VMPLACE" solve --write-model "$TMP/dc.mps" "$SRC/examples/datacenter.json"
expect 0 "" -- grep -q "^ROWS" "$TMP/dc.mps"
expect 0 "" -- "$VMPLACE" solve -q --write-model "$TMP/dc.lp" "$SRC/examples/datacenter.json"
expect 0 "" -- grep -q "^Minimize" "$TMP/dc.lp"
expect 2 "name it *.lp or *.mps" -- "$VMPLACE" solve --write-model "$TMP/dc.txt" "$SRC/examples/datacenter.json"
expect 2 "ilp.mip_gap: 2 is out of range" -- "$VMPLACE" solve -p ilp.mip_gap=2 "$SRC/examples/datacenter.json"

# --- every benchmark format (small samples) ----------------------------------
for f in "$DATA"/formats/*; do
  case "$f" in
    *multishape*|*assignment*) continue ;;
  esac
  expect 0 "status:" -- "$VMPLACE" solve "$f"
done

# --- bad input: exit 2, the message names the file and field -------------------
bad() { expect 2 "$2" -- "$VMPLACE" solve -q "$DATA/bad/$1"; }
bad empty.json "empty.json: empty input"
bad truncated.json "truncated.json: line"
bad unknown_key.json "hosts[0]: unknown key \"overcomit\""
bad wrong_type.json "hosts[1].capacity.cpu: expected a number >= 0, got a string"
bad negative.json "vms[0].demand.memory_mib: expected a number >= 0, got -1"
bad nan.json "nan.json: line"
bad inf.json "inf.json: line"
bad duplicate_host.json "hosts[1]: duplicate host name \"h1\""
bad duplicate_key.json "duplicate object key"
bad unknown_vm.json "groups[0].vms[1]: unknown VM \"ghost\""
bad unknown_host.json "vms[0].host: unknown host \"h9\""
bad bad_rule.json "rules[0]: require: column"
bad unknown_resource.json "vms[0].demand.gpu: unknown resource \"gpu\""
bad missing_capacity.json "hosts[0].capacity: missing resource \"memory_mib\""
bad version.json "version: expected 1"
bad overcommit_zero.json "hosts[0].overcommit.cpu: overcommit: expected a number >= 0.001, got 0"
bad cost_too_large.json "cost_too_large.json: hosts[0]: cost: expected a number <= 1e9, got 1e+308"
bad cost_too_large.mvp "cost_too_large.mvp: line 3: cost: expected a number <= 1e9, got 1e+308"
bad capacity_too_large.vbp "capacity_too_large.vbp: line 2: capacity.d1: expected a number <= 1e15, got 1e+308"
bad truncated.vbp "truncated.vbp: line"
bad garbage.txt "garbage.txt: line 4"
expect 2 "no-such-file.json" -- "$VMPLACE" solve "$DATA/bad/no-such-file.json"

# --- a VM larger than every host: a valid problem, answer partial ---------------
expect 1 "huge: no host fits: 2 hosts: memory_mib" -- "$VMPLACE" solve "$DATA/too_large.json"

# --- check: violations give exit 1 ------------------------------------------------
expect 1 "anti-affinity web: web-1, web-2 share host h1" -- "$VMPLACE" check "$DATA/violations.json"
expect 1 "h1: cpu 12 > 8" -- "$VMPLACE" check "$DATA/violations.json"
expect 2 "assignments.nobody: unknown VM" -- "$VMPLACE" check "$SRC/examples/datacenter.json" "$DATA/bad/solution_unknown_vm.json"

# --- forecast (when this build has it) ----------------------------------------------
EX=$SRC/examples
HIST=$DATA/history
if "$VMPLACE" version | grep -q "features:.*forecast"; then
  expect 0 "usage: vmplace forecast" -- "$VMPLACE" forecast --help
  expect 2 "expected one HISTORY file" -- "$VMPLACE" forecast
  expect 0 "4 series, quantile 0.95 over 1d: 3 regression, 1 peak" -- "$VMPLACE" forecast "$EX/usage.csv"
  expect 0 "short history: 10 samples over 9h, need 24 samples over 1d" -- "$VMPLACE" forecast "$EX/usage.csv"
  expect 0 "\"forecasts\"" -- "$VMPLACE" forecast --json --horizon 2h --quantile 0.9 "$EX/usage.csv"
  expect 2 "--horizon: expected a duration" -- "$VMPLACE" forecast --horizon soon "$EX/usage.csv"
  expect 2 "--quantile: expected a number between 0 and 1, got '1.5'" -- "$VMPLACE" forecast --quantile 1.5 "$EX/usage.csv"
  expect 2 "-o writes a right-sized problem and needs --problem" -- "$VMPLACE" forecast -o "$TMP/x.json" "$EX/usage.csv"
  expect 0 "db-1                 cpu                    16 -> " -- "$VMPLACE" forecast --problem "$EX/datacenter.json" -o "$TMP/right.json" "$EX/usage.csv"
  # the 20 new VMs of the example have no host yet: unplaced, exit 1
  expect 1 "no violations" -- "$VMPLACE" check "$TMP/right.json"
  expect 0 "\"rightsizing\"" -- "$VMPLACE" forecast --json --problem "$EX/datacenter.json" "$EX/usage.csv"
  expect 2 "the problem has no VM \"ghost\" (--ignore-unknown skips it)" -- "$VMPLACE" forecast --problem "$EX/datacenter.json" "$HIST/unknown_vm.csv"
  expect 0 "right-sizing" -- "$VMPLACE" forecast --ignore-unknown --problem "$EX/datacenter.json" "$HIST/unknown_vm.csv"
  expect 2 "nan.csv: line 3: value: expected a finite number >= 0, got \"NaN\"" -- "$VMPLACE" forecast "$HIST/nan.csv"
  expect 2 "duplicate.csv: line 4: web-1/cpu: timestamp 2024-05-01T00:00:00Z repeats line 2 with another value" -- "$VMPLACE" forecast "$HIST/duplicate.csv"
  expect 2 "badtime.csv: line 3: timestamp: expected Unix seconds or an ISO 8601 date-time, got \"yesterday\"" -- "$VMPLACE" forecast "$HIST/badtime.csv"
  expect 2 "fields.csv: line 2: expected 4 fields" -- "$VMPLACE" forecast "$HIST/fields.csv"
  expect 2 "millis.csv: line 1: timestamp: too large for Unix seconds (milliseconds?)" -- "$VMPLACE" forecast "$HIST/millis.csv"
  expect 2 "header_only.csv: no samples" -- "$VMPLACE" forecast "$HIST/header_only.csv"
  expect 2 "negative.json: series[0].points[0][1]: expected a finite number >= 0, got -3" -- "$VMPLACE" forecast "$HIST/negative.json"
  expect 2 "no-such.csv" -- "$VMPLACE" forecast "$HIST/no-such.csv"
  expect 1 "forecast at quantile 0.95 over 1d" -- "$VMPLACE" check --alerts --history "$EX/usage.csv" --forecast "$EX/datacenter.json"
else
  expect 2 "forecasting is not in this build" -- "$VMPLACE" forecast "$EX/usage.csv"
fi

# --- check: alerts and metrics ---------------------------------------------------------
expect 1 "alerts (the placement's demands):" -- "$VMPLACE" check --alerts "$EX/datacenter.json"
expect 1 "[info]     h07 cpu underload: 3.1% <= 20%" -- "$VMPLACE" check --alerts "$EX/datacenter.json"
expect 1 "[critical] h04 memory_mib overload: 21.0% >= 20%" -- "$VMPLACE" check --alerts --warn memory_mib=0.15 --crit memory_mib=20% --underload off "$EX/datacenter.json"
expect 1 "" -- "$VMPLACE" check --metrics "$TMP/m.prom" --warn memory_mib=0.15 --crit memory_mib=20% --underload off "$EX/datacenter.json"
expect 1 "alerts (observed usage, 2024-04-01T00:00:00Z to 2024-04-21T23:00:00Z, 1h buckets, window 15m)" -- "$VMPLACE" check --alerts --history "$EX/usage.csv" "$EX/datacenter.json"
expect 1 "counted at their demand" -- "$VMPLACE" check --alerts --history "$EX/usage.csv" "$EX/datacenter.json"
expect 1 "\"alerts\"" -- "$VMPLACE" check --json --alerts "$EX/datacenter.json"
expect 2 "the alert options need --alerts or --metrics FILE" -- "$VMPLACE" check --history "$EX/usage.csv" "$EX/datacenter.json"
expect 2 "--forecast forecasts a usage history" -- "$VMPLACE" check --alerts --forecast "$EX/datacenter.json"
expect 2 "--warn: expected a ratio such as 0.8 or 80%, got 'high'" -- "$VMPLACE" check --alerts --warn high "$EX/datacenter.json"
expect 2 "alert thresholds: unknown resource \"gpu\"" -- "$VMPLACE" check --alerts --warn gpu=0.5 "$EX/datacenter.json"
expect 2 "warning threshold 0.99 is above the critical 0.95" -- "$VMPLACE" check --alerts --warn 0.99 "$EX/datacenter.json"
expect 2 "--window: expected a duration" -- "$VMPLACE" check --alerts --window later "$EX/datacenter.json"
expect 2 "nan.csv: line 3" -- "$VMPLACE" check --alerts --history "$HIST/nan.csv" "$EX/datacenter.json"

# The metrics file: every line a HELP, a TYPE or a sample; every family
# described before its samples.
metrics_ok() {
  local f=$1 bad
  count=$((count + 1))
  bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$' "$f")
  if [ -n "$bad" ]; then
    echo "FAIL: $f: lines that are not the exposition format:"; echo "$bad" | head -5
    fails=$((fails + 1))
    return
  fi
  for m in $(grep -v '^#' "$f" | sed 's/[{ ].*//' | sort -u); do
    if ! grep -q "^# HELP $m " "$f" || ! grep -q "^# TYPE $m gauge$" "$f"; then
      echo "FAIL: $f: $m lacks HELP or TYPE"; fails=$((fails + 1)); return
    fi
  done
}
metrics_ok "$TMP/m.prom"
expect 0 "" -- grep -qF 'vmplace_host_overload{host="h04",resource="memory_mib",source="placement",severity="critical"} 1' "$TMP/m.prom"
expect 0 "" -- grep -qF 'vmplace_alerts{severity="critical",source="placement"} 1' "$TMP/m.prom"
expect 1 "" -- "$VMPLACE" check --metrics "$TMP/o.prom" --history "$EX/usage.csv" "$EX/datacenter.json"
metrics_ok "$TMP/o.prom"
expect 0 "" -- grep -qF 'vmplace_utilization_timestamp_seconds{source="observed"} 1713740400' "$TMP/o.prom"

expect_done
