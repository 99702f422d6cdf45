#!/usr/bin/env bash
# Incidents on generated months: per injected attack scenario, does some incident holding its
# events reach the alert threshold (80), and how many purely benign incidents do, per 10,000
# benign events (issue 11's goal: every attack, fewer than 1). Two seeds, so that nothing is read
# off one world. The events are scored by the local pipeline with the shipped models, as a user
# without Splunk would (`awsrisk --models lookups pipeline`).
# usage: scripts/incidents-eval.sh [seed...]   (default 9393 4242, variant shifted, 30 days)
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=("$@")
[ ${#SEEDS[@]} -gt 0 ] || SEEDS=(9393 4242)
VARIANT=${VARIANT:-shifted}
B=bin/awsrisk
D=bin/awsrisk-dev
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
for seed in "${SEEDS[@]}"; do
  $D generate --seed "$seed" --variant "$VARIANT" --days 30 > "$w/month.csv"
  $B --quiet --models lookups pipeline --incidents=false < "$w/month.csv" > "$w/scored.csv" 2> "$w/pipeline.log"
  echo "## seed $seed, variant $VARIANT"
  $D evaluate-incidents < "$w/scored.csv"
  echo
done
