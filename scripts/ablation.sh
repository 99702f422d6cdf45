#!/usr/bin/env bash
# Ablation: what each unsupervised component adds to the shipped supervised event score, on an
# honest synthetic month that no test and no shipped model uses, scored prequentially (each
# daily batch against the baselines learned from the days before it, `_time` present).
# Rows: the event score alone (score awsrisk_console awsrisk_apicall), then + each component,
# then all combined. Columns: ROC-AUC and average precision of attack vs benign events, benign
# alerts per 10k benign events at the alert threshold, and the per-scenario share in the top 5%.
# usage: scripts/ablation.sh [seed] [variant] [days]   (default 9191 shifted 30)
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${1:-9191}
VARIANT=${2:-shifted}
DAYS=${3:-30}
ALERT=${ALERT:-80}
B=bin/awsrisk
D=bin/awsrisk-dev
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
$D generate --seed "$SEED" --variant "$VARIANT" --days "$DAYS" --users 60 --events-per-day 1500 > "$w/month.csv"
echo "world: seed $SEED, variant $VARIANT, $DAYS days, $(($(wc -l < "$w/month.csv") - 1)) events; prequential daily batches; alert at >= $ALERT"
echo
# The event score alone: the shipped supervised models, no baseline.
$B --quiet --models lookups --input "$w/month.csv" score awsrisk_console awsrisk_apicall rba=false > "$w/event.csv"
run() { # label baselines
  $B --quiet --models lookups --input "$w/month.csv" pipeline --incidents=false --baselines "$2" > "$w/$1.csv" 2>/dev/null
}
run first_seen awsrisk_baseline
run hours awsrisk_hours
run sequence awsrisk_sequence
run identity awsrisk_identity
run all awsrisk_baseline,awsrisk_hours,awsrisk_sequence,awsrisk_identity
# The default combination: what `awsrisk pipeline` learns without --baselines, before and after
# its last stage (incidents mode=events: an event carrying risk takes its incident's score).
$B --quiet --models lookups --input "$w/month.csv" pipeline --incidents=false > "$w/default.csv" 2>/dev/null
$B --quiet --models lookups --input "$w/month.csv" pipeline > "$w/pipeline.csv" 2>/dev/null
runs=(event first_seen hours sequence identity all default pipeline)
label() { case $1 in event) echo "event score alone";; all) echo "all four combined";; default) echo "default (no sequence)";; pipeline) echo "default + incidents";; *) echo "event + $1";; esac; }
printf '%-24s %8s %8s %11s %10s\n' "score" "ROC-AUC" "AP" "benign/10k" "attacks"
for r in "${runs[@]}"; do
  $D evaluate --alert "$ALERT" < "$w/$r.csv" > "$w/$r.txt"
  auc=$(sed -n 's/.*ROC-AUC \([0-9.]*\),.*/\1/p' "$w/$r.txt")
  ap=$(sed -n 's/.*average precision \([0-9.]*\).*/\1/p' "$w/$r.txt")
  fp=$(awk '$1 == "benign" {print $(NF-1)}' "$w/$r.txt")
  # attacks: scenario rows, "alerted" count (column 5) summed over the scenarios, of all attack events
  al=$(awk 'NF >= 7 && $1 ~ /^[a-z_]+$/ && $1 != "scenario" && $1 != "benign" && $1 != "attack" {a += $5; n += $2} END {printf "%d/%d", a, n}' "$w/$r.txt")
  printf '%-24s %8s %8s %11s %10s\n' "$(label "$r")" "$auc" "$ap" "$fp" "$al"
done
echo
echo "(benign/10k: benign events at or above the alert threshold per 10,000 benign events; attacks: attack events alerted)"
echo
echo "share of each scenario's events in the top 5%:"
printf '%-20s' scenario; for r in "${runs[@]}"; do printf ' %10s' "$r"; done; echo
for sc in $(awk 'NF >= 7 && $1 ~ /^[a-z_]+$/ && $1 != "scenario" && $1 != "benign" && $1 != "attack" {print $1}' "$w/event.txt"); do
  printf '%-20s' "$sc"
  for r in "${runs[@]}"; do printf ' %10s' "$(awk -v s="$sc" '$1 == s {print $4}' "$w/$r.txt")"; done
  echo
done
