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
nginx=$(command -v nginx || echo /usr/sbin/nginx)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
mkdir -p "$dir/www" "$dir/temp" "$dir/logs"
user=""; [[ $(id -u) -eq 0 ]] && user="user root;"
cat > "$dir/nginx.conf" <<CONF
$user
worker_processes 1;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/temp/body; proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi; uwsgi_temp_path $dir/temp/uwsgi; scgi_temp_path $dir/temp/scgi;
  keepalive_requests 10000000; keepalive_timeout 60;
  etag on;
  types { application/rss+xml xml; }
  server { listen 127.0.0.1:$port; root $dir/www; }
}
CONF
python3 - "$dir/www/feed.xml" <<'PY'
import sys
items = "".join(f"<item><title>Item {i}</title><guid>item-{i}</guid></item>\n" for i in range(50))
open(sys.argv[1], "w").write(f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>\n{items}</channel></rss>\n')
PY
"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
trap '"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -s stop 2>/dev/null; rm -rf "$dir"' EXIT
url="http://127.0.0.1:$port/feed.xml"
for _ in $(seq 50); do curl -s -o /dev/null "$url" && break; sleep 0.1; done
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
