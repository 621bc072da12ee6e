#!/bin/sh
# Runs vmplace-roadef on every ROADEF 2012 instance with a model file here,
# one at a time, and prints one result line per instance (with the max RSS
# from /usr/bin/time) plus the mean and worst normalized gap.
#   sh bench/tools/roadef/sweep.sh BIN SECONDS THREADS [SEED] [OUTDIR]
BIN=$1; T=$2; TH=$3; SEED=${4:-1}; OUT=${5:-}
D=${ROADEF_DIR:-$(dirname "$0")/../../../../shared/instances/roadef2012_machine_reassignment/import}
CSV=${ROADEF_CSV:-$D/../../optima/roadef2012_best_known.csv}
LINES=$(mktemp)
for i in a1_1 a1_2 a1_3 a1_4 a1_5 a2_1 a2_2 a2_3 a2_4 a2_5 b_1 b_2 b_3 b_4 b_5 b_6 b_8 b_9; do
  sol=""; [ -n "$OUT" ] && sol="--out $OUT/$i.sol"
  rss=$(mktemp)
  line=$(/usr/bin/time -f "%M" -o "$rss" "$BIN" "$D/model_$i.txt" "$D/assignment_$i.sol" \
         --time "$T" --threads "$TH" --seed "$SEED" --best-known "$CSV" $sol | grep '^result:')
  echo "$i $line maxrss_kb=$(tail -1 "$rss")" | tee -a "$LINES"
  rm -f "$rss"
done
awk '{for(i=2;i<=NF;i++){split($i,kv,"=");if(kv[1]=="gap"){g=kv[2]+0;s+=g;n++;if(g>w)w=g}}}
  END{printf "mean_gap=%.4f%% worst_gap=%.4f%% n=%d\n", s/n, w, n}' "$LINES"
rm -f "$LINES"
