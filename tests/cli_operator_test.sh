#!/bin/bash
# The operator's contract of the command line: minimal
# disruption, interrupts that keep the best, fail fast, clean streams, one
# truth for statuses and exit codes, file kinds, short messages, and the
# generated help, completion and man page.  One block per problem.  Usage:
#   cli_operator_test.sh path/to/vmplace SOURCE_DIR
set -u
VMPLACE=$1
SRC=$2
DATA=$SRC/tests/data
EX=$SRC/examples
DC=$EX/datacenter.json
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# expect STATUS NEEDLE -- command... (tests/expect.sh)
. "$(dirname "$0")/expect.sh"

# fail MESSAGE: counts one failed check.
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# lacks NEEDLE -- command...: the command's stdout+stderr lacks NEEDLE
# (whatever its exit status).
lacks() {
  local needle=$1
  shift 2
  local out
  out=$("$@" 2>&1)
  count=$((count + 1))
  if grep -qF -- "$needle" <<<"$out"; then
    fail "$* -> output has '$needle'"
    echo "$out" | head -10 | sed 's/^/    /'
  fi
}

# stdout_is WANT STATUS -- command...: exit STATUS and stdout exactly WANT
# (stderr is not looked at).
stdout_is() {
  local want=$1 status=$2
  shift 3
  local out rc
  out=$("$@" 2>/dev/null)
  rc=$?
  count=$((count + 1))
  if [ "$rc" != "$status" ] || [ "$out" != "$want" ]; then
    fail "$* -> exit $rc, stdout '$(head -c 200 <<<"$out")'; expected exit $status, '$want'"
  fi
}

# json_ok STATUS PYEXPR -- command...: exit STATUS, stdout is one JSON
# document d, and the Python expression PYEXPR holds for it.
json_ok() {
  local status=$1 expr=$2
  shift 3
  local rc
  "$@" >"$TMP/out.json" 2>"$TMP/err.txt"
  rc=$?
  count=$((count + 1))
  if [ "$rc" != "$status" ]; then
    fail "$* -> exit $rc, expected $status"
    head -5 "$TMP/err.txt" | sed 's/^/    /'
    return
  fi
  if ! python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
       "$TMP/out.json" 2>"$TMP/py.txt"; then
    fail "$* -> stdout is not one JSON document with $expr"
    head -c 300 "$TMP/out.json" | sed 's/^/    /'; echo
    tail -2 "$TMP/py.txt" | sed 's/^/    /'
  fi
}

# moves PROBLEM SOLUTION: how many VMs the solution moves off their
# current host (from the plan JSON).
moves() {
  "$VMPLACE" plan --json "$1" "$2" 2>/dev/null |
    python3 -c "import json,sys; print(sum(1 for s in json.load(sys.stdin)['steps'] if s.get('from')))"
}

# A problem that no solver closes within its time limit (balance term:
# the bound stays weak), for the interrupt checks.
hard_problem() {
  local n=60 i sep
  printf '{"version": 1, "resources": ["cpu", "memory_mib"], "hosts": ['
  for ((i = 0; i < n; i++)); do
    sep=$([ $i -gt 0 ] && echo ,)
    printf '%s{"name": "h%d", "capacity": {"cpu": 64, "memory_mib": 262144}}' "$sep" $i
  done
  printf '], "vms": ['
  for ((i = 0; i < n; i++)); do
    sep=$([ $i -gt 0 ] && echo ,)
    printf '%s{"name": "v%d", "demand": {"cpu": %d, "memory_mib": %d}, "host": "h%d"}' \
      "$sep" $i $(((i * 37) % 23 + 1)) $((((i * 53) % 89 + 4) * 1024)) $i
  done
  printf '], "objective": {"cost": 1, "balance": 5}}\n'
}
hard_problem >"$TMP/hard.json"

# ---- 1. minimal disruption -----------------------------------------------------
# stay.json's current placement uses 3 hosts, the fewest possible: every
# solver must leave all six VMs where they are.
STAY=$DATA/cli/stay.json
for s in $("$VMPLACE" solve --list-solvers | awk '{print $1}'); do
  # each solver stops on its own here (0.1 s when idle; rebalance, which
  # would run to its clock, after a budget of moves); the generous limit
  # only keeps a loaded machine from cutting one short
  stop=()
  [ "$s" = rebalance ] && stop=(-p rebalance.max_moves=20000)
  "$VMPLACE" solve -q -s "$s" -t 600 "${stop[@]}" -o "$TMP/stay_$s.json" "$STAY" >/dev/null 2>&1
  count=$((count + 1))
  n=$(moves "$STAY" "$TMP/stay_$s.json")
  [ "$n" = 0 ] || fail "solve -s $s stay.json moves $n VMs of an optimal placement, expected 0"
done
expect 0 "moves:      0 of 6 running VMs (migration cost 0)" -- "$VMPLACE" solve -t 600 "$STAY"
# the 20 running VMs of the example: never more than --max-moves move
# (auto's optimum, below, is what lets three moves do; -t 600 lets it get
# there on a loaded machine)
expect 0 "" -- "$VMPLACE" solve -q -t 600 --max-moves 3 -o "$TMP/dc3.json" "$DC"
count=$((count + 1))
n=$(moves "$DC" "$TMP/dc3.json")
[ -n "$n" ] && [ "$n" -le 3 ] || fail "solve --max-moves 3 moved '$n' VMs"
# greedy's placement of the new VMs needs 4 moves, each of which keeps a
# hard constraint: --max-moves 1 cannot be honoured from it.  (Which moves
# a placement needs depends on the placement: auto finds an optimum from
# which every move can be undone, at the price of a soft violation.)
expect 2 "max_moves 1 cannot be honoured: each of the 4 remaining moves is needed" -- "$VMPLACE" solve -q -s greedy --max-moves 1 "$DC"
# plan prunes a target's needless moves too
"$VMPLACE" solve -q -s greedy -o "$TMP/dcg.json" "$DC" >/dev/null 2>&1
json_ok 0 "sum(1 for s in d['steps'] if s.get('from')) <= 4" -- "$VMPLACE" plan --json --max-moves 4 "$DC" "$TMP/dcg.json"
expect 2 "--max-moves: expected a non-negative integer, got 'x'" -- "$VMPLACE" plan --max-moves x "$DC" "$TMP/dcg.json"

# ---- 2. interrupts keep the best ------------------------------------------------
# job control: background jobs get SIGINT (a script's would ignore it)
set -m
"$VMPLACE" solve -t 0 -o "$TMP/int.json" "$TMP/hard.json" >"$TMP/int.txt" 2>"$TMP/int.err" &
pid=$!
sleep 1
kill -INT $pid
{ wait $pid; } 2>/dev/null
rc=$?
count=$((count + 1))
[ $rc = 130 ] || fail "solve interrupted by SIGINT exited $rc, expected 130"
expect 0 "" -- grep -qF '"stop_reason": "interrupted"' "$TMP/int.json"
expect 0 "" -- grep -qF "status:     feasible (interrupted)" "$TMP/int.txt"
# SIGTERM as SIGINT, with --json: the document on stdout
"$VMPLACE" solve -t 0 --json "$TMP/hard.json" >"$TMP/term.json" 2>/dev/null &
pid=$!
sleep 1
kill -TERM $pid
{ wait $pid; } 2>/dev/null
rc=$?
count=$((count + 1))
[ $rc = 143 ] || fail "solve stopped by SIGTERM exited $rc, expected 143"
expect 0 "" -- grep -qF '"stop_reason": "interrupted"' "$TMP/term.json"
# a second Ctrl-C aborts at once: no output file (no limit: only the
# signals can end this run)
"$VMPLACE" solve -t 0 -o "$TMP/int2.json" "$TMP/hard.json" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
kill -INT $pid
{ wait $pid; } 2>/dev/null
rc=$?
count=$((count + 1))
[ $rc = 130 ] || fail "solve after two SIGINTs exited $rc, expected 130"
set +m

# ---- 3. fail fast ------------------------------------------------------------------
# nothing is solved (no solver log) before the output path is refused
expect 2 "/nonexistent/dir/out.json: cannot open for writing" -- "$VMPLACE" solve -v -o /nonexistent/dir/out.json "$DC"
lacks "[info]" -- "$VMPLACE" solve -v -o /nonexistent/dir/out.json "$DC"
stdout_is "" 2 -- "$VMPLACE" check --alerts --warn 0.9 --crit 0.8 "$DC"
stdout_is "" 2 -- "$VMPLACE" check --metrics /nonexistent/dir/m.prom "$DC"
stdout_is "" 2 -- "$VMPLACE" plan -o /nonexistent/dir/plan.json "$DC" "$TMP/dcg.json"
stdout_is "" 2 -- "$VMPLACE" solve --json --write-model "$TMP/m.lp" "$DC"
expect 2 "--write-model writes the model and exits: it takes no -o, --json or --max-moves" -- "$VMPLACE" solve -o "$TMP/x.json" --write-model "$TMP/m.lp" "$DC"

# ---- 4. clean streams ---------------------------------------------------------------
expect 1 "" -- "$VMPLACE" check -q --metrics - --underload off "$DC"
"$VMPLACE" check --metrics - --underload off "$DC" >"$TMP/stdout.prom" 2>/dev/null
count=$((count + 1))
bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$' "$TMP/stdout.prom")
[ -z "$bad" ] && [ -s "$TMP/stdout.prom" ] || fail "check --metrics - puts other lines on stdout: $(head -2 <<<"$bad")"
# (-t 600 where the proof is checked: it ends there, loaded or not)
json_ok 0 "d['status'] == 'optimal'" -- sh -c "\"$VMPLACE\" solve -t 600 --json - <\"$DC\""
json_ok 0 "d['kind'] == 'solution'" -- sh -c "\"$VMPLACE\" solve -q -o - \"$DC\" >/dev/null; \"$VMPLACE\" solve -q -o - \"$DC\""
json_ok 0 "d['kind'] == 'plan'" -- sh -c "\"$VMPLACE\" solve -q -o - \"$DC\" | \"$VMPLACE\" plan --json \"$DC\" -"
json_ok 1 "d['status'] == 'partial'" -- "$VMPLACE" check --json "$DC"
for cmd in solve check explain plan forecast entitlements snapshot apply rebalance; do
  expect 0 "-q, --quiet" -- "$VMPLACE" "$cmd" --help
done
stdout_is "" 1 -- "$VMPLACE" check -q "$DC"
expect 2 "--json and --metrics - both write to stdout" -- "$VMPLACE" check --json --metrics - "$DC"

# ---- 5. one truth for statuses and exit codes ------------------------------------------------
# solve never returns invalid: --incremental mends a current placement
# that breaks hard constraints with the fewest moves (one here)
json_ok 0 "d['status'] in ('optimal', 'feasible') and not d['violations']" -- "$VMPLACE" solve --incremental --json "$DATA/violations.json"
expect 0 "moves:      1" -- "$VMPLACE" solve --incremental "$DATA/violations.json"
# unplaced VMs are a negative answer for check as for solve
expect 1 "unplaced (20)" -- "$VMPLACE" check "$DC"
# a bound is only shown where it holds: never above the objective with
# a zero gap, and no gap for a placement that breaks hard constraints
json_ok 1 "d['status'] == 'invalid' and d['gap'] is None and d['bound'] is None" -- "$VMPLACE" check --json "$DATA/cli/overfull.json"
lacks "gap: 0.00%" -- "$VMPLACE" check "$DATA/cli/overfull.json"
# the table of docs/formats.md names every command's statuses
for cmd in solve check explain plan forecast entitlements apply rebalance snapshot; do
  count=$((count + 1))
  grep -q "^| \`$cmd\` |" "$SRC/docs/formats.md" || fail "docs/formats.md: no exit-status row for $cmd"
done

# ---- 6. file kinds -------------------------------------------------------------------------------
expect 0 "" -- "$VMPLACE" solve -q -t 600 -o "$TMP/sol.json" "$DC"
expect 0 "" -- grep -qF '"kind": "solution"' "$TMP/sol.json"
expect 0 "" -- "$VMPLACE" plan -q -o "$TMP/plan.json" "$DC" "$TMP/sol.json"
expect 0 "" -- grep -qF '"kind": "plan"' "$TMP/plan.json"
expect 2 "plan.json is a plan; plan expects a solution (make one with 'vmplace solve -o')" -- "$VMPLACE" plan "$DC" "$TMP/plan.json"
expect 2 "sol.json is a solution; solve expects a problem" -- "$VMPLACE" solve "$TMP/sol.json"
expect 2 "plan.json is a plan; check expects a solution (make one with 'vmplace solve -o')" -- "$VMPLACE" check "$DC" "$TMP/plan.json"
if "$VMPLACE" version | grep -q "features:.*libvirt"; then
  expect 2 "sol.json is a solution; apply expects a plan (make one with 'vmplace plan -o')" -- "$VMPLACE" apply --dry-run "$TMP/sol.json"
fi
# files without a kind are still read
grep -v '"kind"' "$TMP/sol.json" >"$TMP/sol_nokind.json"
expect 0 "no hard violations" -- "$VMPLACE" check "$DC" "$TMP/sol_nokind.json"
sed 's/"version": 1,/"version": 1, "kind": "problem",/' "$DC" >"$TMP/dc_kind.json"
json_ok 0 "d['status'] == 'optimal'" -- "$VMPLACE" solve -t 600 --json "$TMP/dc_kind.json"

# ---- 7. messages ---------------------------------------------------------------------------------
# one line and a hint, not the whole help
for args in "solve --time-limit soon $DC" "check --bogus $DC" "plan $DC" "explain $DC"; do
  # shellcheck disable=SC2086
  out=$("$VMPLACE" $args 2>&1)
  rc=$?
  cmd=${args%% *}
  count=$((count + 1))
  if [ $rc != 2 ] || [ "$(wc -l <<<"$out")" != 2 ] ||
     [ "$(tail -1 <<<"$out")" != "see 'vmplace $cmd --help'" ]; then
    fail "vmplace $args -> exit $rc, expected 2 and one line plus the hint:"
    head -4 <<<"$out" | sed 's/^/    /'
  fi
done
expect 0 "web-1 fits on 5 of 8 hosts" -- "$VMPLACE" explain --only-failing "$DC" web-1
lacks "h01: fits" -- "$VMPLACE" explain --only-failing "$DC" web-1
out=$("$VMPLACE" explain --limit 2 "$DC" web-1 2>&1)
count=$((count + 1))
[ "$(grep -c '^h0' <<<"$out")" = 2 ] && grep -qF "(6 more hosts; --limit 0 shows all)" <<<"$out" ||
  fail "explain --limit 2 does not show exactly 2 hosts and the rest counted"
# raw values with units; the weighted value where it differs
expect 0 "score:      unplaced 0 VMs, cost 3, soft 0, migrations 0, balance 100% (weighted 0)" -- "$VMPLACE" solve -t 600 "$STAY"
expect 1 "score:      unplaced 20 VMs (weighted 6000), cost 11, soft 0, migrations 0, balance 22% (weighted 0)" -- "$VMPLACE" check "$DC"
# violations in JSON: the message and the record it says
json_ok 1 "{'kind': 'anti-affinity', 'hard': True, 'vms': ['web-1', 'web-2'], 'host': 'h1', 'group': 'web', 'message': 'anti-affinity web: web-1, web-2 share host h1'} in d['violations'] and {'kind': 'capacity', 'hard': True, 'host': 'h1', 'resource': 'cpu', 'amount': 4, 'message': 'h1: cpu 12 > 8 (capacity 8 x 1 - reserved 0)'} in d['violations']" -- "$VMPLACE" check --json "$DATA/violations.json"
json_ok 1 "[{k: v.get(k) for k in ('kind', 'hard', 'vm', 'host', 'rule')} for v in d['violations']] == [{'kind': 'rule', 'hard': False, 'vm': 'pay-1', 'host': 'h1', 'rule': 'pci'}, {'kind': 'maintenance', 'hard': True, 'vm': 'db', 'host': 'h2', 'rule': None}]" -- "$VMPLACE" check --json "$DATA/cli/rule.json"

# ---- 9. docs ------------------------------------------------------------------------------------
awk '/^```json/{f=1; next} /^```/{if (f) exit} f' "$SRC/docs/formats.md" >"$TMP/first.json"
expect 0 "status:" -- "$VMPLACE" check "$TMP/first.json"
for s in $("$VMPLACE" solve --list-solvers | awk '{print $1}'); do
  count=$((count + 1))
  grep -q "^## .*\`$s\`" "$SRC/docs/solvers.md" || fail "docs/solvers.md has no section for $s"
done

# ---- 10. version, lists, completion, man page ---------------------------------------------------
json_ok 0 "d['version'].startswith('0.') and 'greedy' in d['solvers'] and 'json' in d['formats']" -- "$VMPLACE" version --json
json_ok 0 "[s['name'] for s in d][:2] == ['auto', 'greedy'] and all(s['summary'] for s in d)" -- "$VMPLACE" solve --list-solvers --json
expect 0 "-F _vmplace vmplace" -- "$VMPLACE" completion bash
"$VMPLACE" completion bash >"$TMP/vmplace.bash"
count=$((count + 1))
bash -c ". '$TMP/vmplace.bash'; COMP_WORDS=(vmplace solve --max-); COMP_CWORD=2; _vmplace; echo \"\${COMPREPLY[*]}\"" >"$TMP/comp.txt" 2>&1
grep -qx -- "--max-moves" "$TMP/comp.txt" || fail "bash completion of 'vmplace solve --max-' gave '$(cat "$TMP/comp.txt")'"
"$VMPLACE" man >"$TMP/vmplace.1"
expect 0 ".TH VMPLACE 1" -- cat "$TMP/vmplace.1"
# every long option of every --help is in the man page and the completion
for cmd in solve check explain plan forecast entitlements snapshot apply rebalance; do
  missing=
  for opt in $("$VMPLACE" "$cmd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    grep -qF -- "${opt//-/\\-}" "$TMP/vmplace.1" || missing="$missing man:$opt"
    grep -qF -- "$opt" "$TMP/vmplace.bash" || missing="$missing completion:$opt"
  done
  count=$((count + 1))
  [ -z "$missing" ] || fail "$cmd: options missing from the man page or completion:$(cut -c1-200 <<<"$missing")"
done

expect_done
