#!/usr/bin/env bash
# What the fetcher's loop costs with many connections in flight (issue 13): conditional GETs
# (keep-alive, every answer a 304, CONCURRENCY in flight) against a private nginx on loopback,
# while IDLE other transfers are held open to a local server that accepts and never answers,
# spread over IDLE_HOSTS host addresses (127.0.1.1, 127.0.1.2, …: all loopback, each a host of
# its own to the fetcher, as the daemon's slow hosts are). For each LOOPS value (the fetcher's
# --transfer-loops, default "1 8") and each IDLE count, `hubdiffer bench fetch` sends REQUESTS
# GETs and reports req/s; the CPU of the process is taken by /usr/bin/time. If the cost per
# request grows with the idle count, something walks every connection per request.
# Needs a release build: swift build -c release --product hubdiffer
#
#   benchmarks/fetch/idle.sh [REQUESTS] [CONCURRENCY] [IDLE ...]
#   benchmarks/fetch/idle.sh 20000 64 0 1000 10000
#   LOOPS="1 2 4 8 16" benchmarks/fetch/idle.sh 20000 64 10000
#   PERF=1 LOOPS=1 benchmarks/fetch/idle.sh 20000 64 10000   # and where the time goes (perf record -g)
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-20000} concurrency=${2:-64}
shift $(( $# > 2 ? 2 : $# )) || true
counts=("$@"); (( ${#counts[@]} )) || counts=(0 1000 10000)
idle_hosts=${IDLE_HOSTS:-100} loops_list=(${LOOPS:-1 8})
bin=.build/release/hubdiffer
[[ -x $bin ]] || { echo "no $bin: run swift build -c release --product hubdiffer first" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }
source benchmarks/fetch/feed-nginx.sh
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
hang_pid=""
trap 'stop_feed_nginx "$dir"; [[ -n $hang_pid ]] && kill $hang_pid 2>/dev/null; rm -rf "$dir"' EXIT
start_feed_nginx "$dir" "$(free_port)"
url=$feed_url
hang_port=$(free_port)
# The host that never answers: accepts, holds every connection, reads nothing.
python3 - "$hang_port" > "$dir/logs/hang.log" 2>&1 <<'PY' &
import socket, sys, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1]))); s.listen(4096)  # every 127.x.y.z
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
hang_pid=$!
up=0
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$hang_port") 2>/dev/null && { up=1; break; }; sleep 0.1; done
(( up )) || { echo "the silent server did not start:" >&2; cat "$dir/logs/hang.log" >&2; exit 1; }

idle_urls=()
for (( h = 1; h <= idle_hosts; h++ )); do idle_urls+=(--idle-url "http://127.0.$(( 1 + h / 250 )).$(( 1 + h % 250 )):$hang_port/hang"); done

echo "| transfer loops | idle transfers held open | req/s | CPU s (user+sys) | CPU µs per request |"
echo "|---:|---:|---:|---:|---:|"
for loops in "${loops_list[@]}"; do
for idle in "${counts[@]}"; do
  args=(bench fetch "$url" --requests "$requests" --concurrency "$concurrency" --allow-private-addresses
        --connections-per-host 20000 --transfer-loops "$loops")
  (( idle > 0 )) && args+=(--idle "$idle" "${idle_urls[@]}")
  wrap=(); [[ ${PERF:-0} == 1 ]] && wrap=(perf record -q -g -o "$dir/perf-$idle.data" --)
  out=$(/usr/bin/time -f "cpu %U %S" "${wrap[@]}" "$bin" "${args[@]}" 2>&1) || { echo "$out" >&2; cat "$dir/logs/hang.log" >&2; exit 1; }
  rate=$(sed -nE 's/.*: ([0-9]+) req\/s.*/\1/p' <<<"$out")
  cpu=$(awk '/^cpu / {printf "%.2f", $2 + $3}' <<<"$out")
  # The idle transfers' setup is in the CPU too; the req/s window is the GETs alone.
  echo "| $loops | $idle | $rate | $cpu | $(awk "BEGIN {printf \"%.0f\", 1e6 * $cpu / $requests}") |"
  grep -q "idle transfers held open" <<<"$out" && grep "idle transfers held open" <<<"$out" >&2
  if [[ ${PERF:-0} == 1 ]]; then
    perf report -i "$dir/perf-$idle.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -15 >&2
  fi
done
done
