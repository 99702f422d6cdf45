#!/usr/bin/env bash
# make bench: awsrisk beside the MLTK peer (../shared/bench/mltk_baseline.py, pandas + scikit-learn)
# on the same generated file, and apply beside a plain parse-and-write pass-through, in one run.
# Needs python3 for the generator and Debian's python3-sklearn python3-pandas for the peer.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH_DIR:-../shared/bench}
ROWS=${BENCH_ROWS:-200000}
BIG=${BENCH_BIG_ROWS:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
B=bin/awsrisk
FIELDS="eventName sourceIPAddress userAgent userIdentity.type userIdentity.arn awsRegion"

# secs+rss CMD...: runs CMD, prints "<wall seconds> <peak RSS MiB>"
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  awk '{printf "%s %.0f\n", $1, $2/1024}' "$work/time"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }
mark() { awk -v v="$1" -v goal="$2" -v dir="$3" 'BEGIN{ if (v == "n/a") print "not measured"; else if ((dir == ">=" && v+0 >= goal+0) || (dir == "<=" && v+0 <= goal+0)) print "met"; else print "NOT met" }'; }

echo "generating $ROWS events with $BENCH/gen_events.py (seed 7)..." >&2
python3 "$BENCH/gen_events.py" "$ROWS" --seed 7 > "$work/events.csv"

read -r fit_s fit_mb < <(measure $B --quiet --models "$work/models" --input "$work/events.csv" fit LinearRegression risk_score from $FIELDS into bench)
read -r apply_s apply_mb < <(measure $B --quiet --models "$work/models" --input "$work/events.csv" apply bench)
fit_report=$($B --quiet --models "$work/models" summary bench | grep -E '^,,(r2|rmse|columns),' | tr '\n' ' ')

peer_line=""
if /usr/bin/python3 -c 'import sklearn, pandas' 2>/dev/null; then
  peer_line=$(/usr/bin/python3 "$BENCH/mltk_baseline.py" fitapply "$work/events.csv" risk_score $FIELDS)
fi
peer() { echo "$peer_line" | tr ' ' '\n' | sed -n "s/^$1=\([0-9.]*\)s\?$/\1/p"; }

echo
echo "## awsrisk vs the MLTK peer, $ROWS events, fields: $FIELDS"
echo
echo "awsrisk fit: ${fit_s}s, peak ${fit_mb} MiB; model: $fit_report"
echo "awsrisk apply: ${apply_s}s, peak ${apply_mb} MiB"
if [ -n "$peer_line" ]; then
  echo "peer (MLTK cap, 100 values a field): $peer_line"
  p_fit=$(awk -v a="$(peer read)" -v b="$(peer encode)" -v c="$(peer fit)" 'BEGIN{print a+b+c}')
  p_apply=$(awk -v a="$(peer read)" -v b="$(peer encode)" -v c="$(peer predict)" -v d="$(peer write)" 'BEGIN{print a+b+c+d}')
else
  echo "peer: python3-sklearn/pandas not installed (apt-get install python3-sklearn python3-pandas)"
  p_fit=0; p_apply=0
fi
a_eps=$(awk -v n="$ROWS" -v s="$apply_s" 'BEGIN{printf "%.0f", n/s}')
p_eps=$(awk -v n="$ROWS" -v s="$p_apply" 'BEGIN{ if (s == 0) print 0; else printf "%.0f", n/s}')
fit_x=$(ratio "$p_fit" "$fit_s"); apply_x=$(ratio "$a_eps" "$p_eps")

echo
echo "## Go benchmarks (same process, same chunks)"
gob=$(go test -run XXX -bench 'BenchmarkApplyChunk|BenchmarkPassThroughChunk|BenchmarkGetinfo' -benchtime 2s ./scorer ./cmd/awsrisk 2>&1 | grep -E '^Benchmark' || true)
echo "$gob"
pt_mbs=$(echo "$gob" | awk '/BenchmarkPassThroughChunk/ {for (i=1;i<=NF;i++) if ($(i+1)=="MB/s") print $i}' | head -1)
ap_mbs=$(echo "$gob" | awk '/BenchmarkApplyChunk/ {for (i=1;i<=NF;i++) if ($(i+1)=="MB/s") print $i}' | head -1)
gi_ns=$(echo "$gob" | awk '/BenchmarkGetinfo/ {for (i=1;i<=NF;i++) if ($(i+1)=="ns/op") print $i}' | head -1)
pt_x=$(ratio "${ap_mbs:-0}" "${pt_mbs:-0}")
gi_ms=$(awk -v n="${gi_ns:-0}" 'BEGIN{printf "%.2f", n/1e6}')

big=""
if [ "$BIG" -gt 0 ]; then
  echo "generating $BIG events (2,000 users, 20,000 IPs) for the large fit..." >&2
  python3 "$BENCH/gen_events.py" "$BIG" --users 2000 --ips 20000 --seed 11 > "$work/big.csv"
  read -r big_s big_mb < <(measure $B --quiet --models "$work/models" --input "$work/big.csv" fit LinearRegression risk_score from $FIELDS eventSource into big)
  big_cols=$($B --quiet --models "$work/models" summary big | sed -n 's/^,,columns,//p')
  # Apply streams chunk by chunk, so its memory must not grow with the input: 200k vs 1M events.
  # "flat" = at most 1.5x the memory for 5x the events: the peak is set by the chunks in flight
  # (one executing, one parsed ahead, their replies) and by when the garbage collector runs.
  read -r bigapply_s bigapply_mb < <(measure $B --quiet --models "$work/models" --input "$work/big.csv" apply bench)
  rm -f "$work/big.csv"
  big="| fit $BIG events, 7 categorical fields, $big_cols columns | ${big_s}s, ${big_mb} MiB peak | < 30 s and < 1024 MiB | $(awk -v s="$big_s" -v m="$big_mb" 'BEGIN{ if (s < 30 && m < 1024) print "met"; else print "NOT met"}') |"
fi

echo
echo "## Results (one run)"
echo
echo "| measure | awsrisk | peer / reference | ratio | goal | status |"
echo "|---|---|---|---|---|---|"
echo "| fit $ROWS events (every category kept vs peer capped at 100) | ${fit_s}s | ${p_fit}s | ${fit_x}x faster | >= 10x | $(mark "$fit_x" 10 '>=') |"
echo "| apply $ROWS events, events/s | $a_eps | $p_eps | ${apply_x}x faster | >= 20x | $(mark "$apply_x" 20 '>=') |"
echo "| apply vs parse-and-write pass-through, MB/s | ${ap_mbs:-?} | ${pt_mbs:-?} | ${pt_x} of pass-through | >= 0.5 | $(mark "$pt_x" 0.5 '>=') |"
echo "| getinfo start-to-reply | ${gi_ms} ms | | | < 10 ms | $(mark "$gi_ms" 10 '<=') |"
if [ -n "$big" ]; then
  echo "| fit $BIG events, 7 categorical fields, $big_cols columns | ${big_s}s, ${big_mb} MiB peak | peer cannot (dense one-hot) | | < 30 s and < 1 GiB | $(awk -v s="$big_s" -v m="$big_mb" 'BEGIN{ if (s < 30 && m < 1024) print "met"; else print "NOT met"}') |"
  echo "| apply memory, $ROWS vs $BIG events | ${apply_mb} MiB vs ${bigapply_mb} MiB (${apply_s}s vs ${bigapply_s}s) | | $(ratio "$bigapply_mb" "$apply_mb")x memory for $(ratio "$BIG" "$ROWS")x events | flat | $(awk -v a="$apply_mb" -v b="$bigapply_mb" 'BEGIN{ if (b <= 1.5*a) print "met"; else print "NOT met"}') |"
fi
lm=$(go test -run XXX -bench 'LoadLargeModel|GetinfoLargeModel' -benchtime 5x ./cmd/awsrisk 2>/dev/null)
warm=$(echo "$lm" | awk '/BenchmarkLoadLargeModel/ {printf "%.0f", $3/1e6}')
fresh=$(echo "$lm" | awk '/BenchmarkGetinfoLargeModel/ {printf "%.0f", $3/1e6}')
size=$(echo "$lm" | awk '/BenchmarkLoadLargeModel/ {for (i=1;i<=NF;i++) if ($(i+1)=="MB-model") print $i}')
echo "| load a ${size} MB LinearRegression model: warm in process / new process to getinfo reply | ${warm} ms / ${fresh} ms | | | well under 100 ms | $(awk -v w="$warm" -v f="$fresh" 'BEGIN{ if (f+0 < 100) print "met"; else if (w+0 < 100) print "met warm, NOT in a new process"; else print "NOT met"}') |"
exit 0
