#!/usr/bin/env bash
# Runs `hubdiffer bench store` and redis-benchmark (50-member ZMSCORE, pipelined) against the
# same private redis-server, ROUNDS times alternately, and prints each figure, the medians and
# their ratio. Needs a release build: swift build -c release --product hubdiffer
#
#   benchmarks/store/compare.sh [ROUNDS] [FEEDS] [ENTRIES] [SECONDS]
#   benchmarks/store/compare.sh 3 100000 50 10
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3} feeds=${2:-100000} entries=${3:-50} seconds=${4:-10}
bin=.build/release/hubdiffer
[[ -x $bin ]] || { echo "no $bin: run swift build -c release --product hubdiffer first" >&2; exit 1; }
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null \
  || { echo "redis-server and redis-benchmark are missing: run scripts/install-deps.sh" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
# Persistence off: the figure is the CPU cost of a cycle, not of the disk.
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --zset-max-listpack-entries 256 --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The reference set: 50 members of 8 bytes, like the store's entry keys, asked all at once.
members=() zadd=()
for i in $(seq 10 59); do members+=("k00000$i"); zadd+=("$((1700000000 + i))" "k00000$i"); done

store=() reference=()
for round in $(seq "$rounds"); do
  line=$("$bin" bench store --redis "redis://127.0.0.1:$port/0" --feeds "$feeds" --entries "$entries" \
    --seconds "$seconds" --concurrency 1024 --flush | tail -1)
  echo "round $round: $line"
  store+=("$(sed -E 's/.*: ([0-9]+) cycles\/s.*/\1/' <<<"$line")")
  redis-cli -p "$port" flushdb >/dev/null
  redis-cli -p "$port" zadd reference "${zadd[@]}" >/dev/null
  rps=$(redis-benchmark -p "$port" -n 300000 -P 32 --csv zmscore reference "${members[@]}" 2>/dev/null \
    | tail -1 | cut -d, -f2 | tr -d '"')
  echo "round $round: redis-benchmark ZMSCORE 50 members -P 32: ${rps%.*} calls/s"
  reference+=("${rps%.*}")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
s=$(median "${store[@]}") r=$(median "${reference[@]}")
echo "median: store $s cycles/s, redis-benchmark ZMSCORE $r calls/s, ratio $(awk "BEGIN {printf \"%.0f%%\", 100*$s/$r}")"
