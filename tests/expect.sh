# The check harness the command-line test scripts share; source it after
# `set -u`.  Counts checks and failures in $count and $fails.
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

# expect_done: prints the tally; succeeds when no check failed (the
# script's last command, so its status).
expect_done() {
  echo "$count checks, $fails failed"
  [ "$fails" -eq 0 ]
}
