#!/usr/bin/env bash
# Compares `hubdiffer parse --summary` with a bare libxml2 SAX2 pass (raw_sax2.c) over the
# same files, in the same run: RUNS alternating runs of each, then the best and the median
# MB/s of each and their ratios. The best of many runs is the figure least disturbed by other
# load on the machine (a shared VM varies by ±30% from run to run). Both parse from memory;
# file reading is outside both timings.
#
# Usage: benchmarks/parse/compare.sh [CORPUS_DIR] [RUNS]
#   defaults: ../shared/corpus/realworld/feeds, 15 runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${1:-$root/../shared/corpus/realworld/feeds}
runs=${2:-15}
mkdir -p "$root/benchmarks/bin"
"$here/build-raw-sax2.sh" "$root/benchmarks/bin/raw_sax2"
(cd "$root" && swift build -c release --product hubdiffer >/dev/null)
hubdiffer="$root/.build/release/hubdiffer"
files=("$corpus"/*)
ours=(); raw=()
for _ in $(seq "$runs"); do
  ours+=("$("$hubdiffer" parse --summary "${files[@]}" | sed -E 's/.*: ([0-9.]+) MB\/s$/\1/')")
  raw+=("$("$root/benchmarks/bin/raw_sax2" "${files[@]}" | sed -E 's/.*: ([0-9.]+) MB\/s$/\1/')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
best() { printf '%s\n' "$@" | sort -n | tail -n 1; }
m_ours=$(median "${ours[@]}"); m_raw=$(median "${raw[@]}")
b_ours=$(best "${ours[@]}"); b_raw=$(best "${raw[@]}")
"$hubdiffer" parse --summary "${files[@]}"
echo "hubdiffer parse --summary: best $b_ours MB/s, median $m_ours MB/s over $runs runs (${ours[*]})"
echo "raw libxml2 SAX2:          best $b_raw MB/s, median $m_raw MB/s over $runs runs (${raw[*]})"
awk -v a="$m_ours" -v b="$m_raw" -v c="$b_ours" -v d="$b_raw" \
  'BEGIN { printf "ratio: %.1f%% of the raw SAX2 pass (best of each), %.1f%% (medians)\n", 100*c/d, 100*a/b }'
