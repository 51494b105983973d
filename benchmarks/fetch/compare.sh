#!/usr/bin/env bash
# Conditional GETs (keep-alive, every answer a 304) against a private nginx on loopback:
# `hubdiffer bench fetch` and `curl --parallel --parallel-max 64` alternately, ROUNDS times, each
# sending REQUESTS requests; prints each figure, the medians and their ratio.
# Needs a release build: swift build -c release --product hubdiffer
#
#   benchmarks/fetch/compare.sh [ROUNDS] [REQUESTS] [CONCURRENCY]
#   benchmarks/fetch/compare.sh 3 100000 64
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3} requests=${2:-100000} concurrency=${3:-64}
bin=.build/release/hubdiffer
[[ -x $bin ]] || { echo "no $bin: run swift build -c release --product hubdiffer first" >&2; exit 1; }
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { echo "nginx is missing: run scripts/install-deps.sh" >&2; exit 1; }
source benchmarks/fetch/feed-nginx.sh
dir=$(mktemp -d)
trap 'stop_feed_nginx "$dir"; rm -rf "$dir"' EXIT
start_feed_nginx "$dir" "$(free_port)"
url=$feed_url
etag=$(curl -s -D - -o /dev/null "$url" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
for _ in $(seq "$requests"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done > "$dir/curl.cfg"

ours=() theirs=()
for round in $(seq "$rounds"); do
  line=$("$bin" bench fetch "$url" --requests "$requests" --concurrency "$concurrency" --allow-private-addresses)
  echo "round $round: $line"
  ours+=("$(sed -E 's/.*: ([0-9]+) req\/s.*/\1/' <<<"$line")")
  start=$(date +%s.%N)
  codes=$(curl -s --parallel --parallel-max "$concurrency" -H "If-None-Match: $etag" -K "$dir/curl.cfg" -w '%{http_code}\n' 2>/dev/null | sort | uniq -c | tr '\n' ' ')
  end=$(date +%s.%N)
  rate=$(awk "BEGIN {printf \"%.0f\", $requests / ($end - $start)}")
  echo "round $round: curl --parallel --parallel-max $concurrency: $rate req/s (status counts: $codes)"
  theirs+=("$rate")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
o=$(median "${ours[@]}") t=$(median "${theirs[@]}")
echo "median: hubdiffer $o req/s, curl --parallel $t req/s, ratio $(awk "BEGIN {printf \"%.0f%%\", 100*$o/$t}")"
