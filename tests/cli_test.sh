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
fails=0
count=0

# expect STATUS NEEDLE -- command...: runs the command, checks its exit
# status and that NEEDLE appears in stdout+stderr (empty NEEDLE: any).
expect() {
  local want=$1 needle=$2
  shift 3
  local out status
  out=$("$@" 2>&1)
  status=$?
  count=$((count + 1))
  if [ "$status" != "$want" ]; then
    echo "FAIL: $* -> exit $status, expected $want"
    echo "$out" | head -20 | sed 's/^/    /'
    fails=$((fails + 1))
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" <<<"$out"; then
    echo "FAIL: $* -> output lacks '$needle'"
    echo "$out" | head -20 | sed 's/^/    /'
    fails=$((fails + 1))
  fi
}

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

# --- the example -----------------------------------------------------------
expect 0 "status:     " -- "$VMPLACE" solve "$SRC/examples/datacenter.json"
expect 0 "\"assignments\"" -- "$VMPLACE" solve --json "$SRC/examples/datacenter.json"
expect 0 "" -- "$VMPLACE" solve -q -o "$TMP/sol.json" "$SRC/examples/datacenter.json"
expect 0 "no hard violations" -- "$VMPLACE" check "$SRC/examples/datacenter.json" "$TMP/sol.json"
expect 1 "[soft] anti-affinity payments-spread" -- "$VMPLACE" check --strict "$SRC/examples/datacenter.json" "$TMP/sol.json"
expect 0 "web-1 fits on" -- "$VMPLACE" explain "$SRC/examples/datacenter.json" web-1
expect 2 "no VM named 'web-99'" -- "$VMPLACE" explain "$SRC/examples/datacenter.json" web-99
expect 0 "rule pci: host.labels.compliance is absent" -- "$VMPLACE" explain "$SRC/examples/datacenter.json" pay-2
expect 0 "\"fits\"" -- "$VMPLACE" explain --json "$SRC/examples/datacenter.json" pay-2

# --- the exact engine ---------------------------------------------------------------
expect 0 "status:     optimal" -- "$VMPLACE" solve -s ilp "$SRC/examples/datacenter.json"
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
  expect 0 "status:" -- "$VMPLACE" solve -q "$f"
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
bad overcommit_zero.json "hosts[0].overcommit.cpu: expected a number > 0"
bad truncated.vbp "truncated.vbp: line"
bad garbage.txt "garbage.txt: line 4"
expect 2 "no-such-file.json" -- "$VMPLACE" solve "$DATA/bad/no-such-file.json"

# --- a VM larger than every host: a valid problem, answer partial ---------------
expect 1 "huge: no host fits: 2 hosts: memory_mib" -- "$VMPLACE" solve "$DATA/too_large.json"

# --- check: violations give exit 1 ------------------------------------------------
expect 1 "anti-affinity web: web-1, web-2 share host h1" -- "$VMPLACE" check "$DATA/violations.json"
expect 1 "h1: cpu 12 > 8" -- "$VMPLACE" check "$DATA/violations.json"
expect 2 "assignments.nobody: unknown VM" -- "$VMPLACE" check "$SRC/examples/datacenter.json" "$DATA/bad/solution_unknown_vm.json"

echo "$count checks, $fails failed"
[ "$fails" -eq 0 ]
