#!/usr/bin/env bash
# The daemon under load (issue acceptance), against private servers on loopback:
#
#  1. FEEDS feeds (default 100,000) at a fixed 60 s interval (--interval, --min-interval and
#     --max-interval all 60: 1,667 polls/s for 100,000) against a private nginx serving 100
#     static RSS files of 20 items at one URL per feed (/feed/ID.xml, `etag on`: every poll
#     after a feed's first is a conditional GET answered 304), a private redis-server (no
#     persistence, zset-max-listpack-entries 256) as the one shard, the sink stdout to
#     /dev/null, for SECONDS (default 210). Measured over the steady part (from WARMUP, default
#     90 s, to the end: every feed is then past its first poll): the scheduler lag's p99 (the
#     histogram bucket where the cumulative count reaches 99% of the polls started in that
#     window) and mean (_sum/_count), polls/s, and nginx's requests/s from stub_status in the
#     same window (the reference: what actually reached the server); the CPU of the daemon,
#     nginx and redis-server (utime+stime from /proc/PID/stat, % of one core); the daemon's
#     resident memory (VmRSS sampled every SAMPLE s, and VmHWM). Bounds: lag p99 < 1 s,
#     RSS < 250 MB.
#  2. BIG_FEEDS feeds (default 1,000,000) at an interval of 86,400 s (so ~12 polls/s), for
#     BIG_SECONDS (default 60): the load time (start to the "running" log line) and VmRSS /
#     VmHWM after the load and at the end. Bound: RSS < 400 MB.
#     Then (issue 15: feeds changed at run time; API_RATE > 0) a burst of feed additions: when
#     those BIG_SECONDS are over (their figures are taken first), API_RATE x API_SECONDS
#     `PUT /feeds/ID` to the control endpoint from feeds_api_load.py (a new connection each,
#     paced at API_RATE/s) for new IDs after the big list's last, at URLs of the same nginx
#     marked `?api=1` (nginx logs only those requests, so their polls are counted): the PUTs'
#     answers, rate and latency; the scheduler lag's p99 and polls/s during the burst (/metrics
#     snapshots just before and after it); how many added feeds were polled within API_WAIT s
#     of the burst's end and their first poll's delay after the 201; VmRSS / VmHWM after.
#
#   benchmarks/daemon/run.sh [FEEDS] [SECONDS]
#   benchmarks/daemon/run.sh 100000 210
#   BIG_URL_PAD='?pad=0123456789' benchmarks/daemon/run.sh 0      # part 2 only, longer URLs
#
# Environment: BIN (default .build/release/hubdiffer; copied aside so a rebuild during the run
# changes nothing), CONCURRENCY (--concurrency; empty: the daemon's default, 256), WARMUP (90),
# SAMPLE (2), HOSTS (1: every feed on 127.0.0.1; N spreads the feeds over 127.0.0.1..N, nginx
# listening on each — the fetcher allows 6 connections per host), NGINX_WORKERS (1),
# BIG_FEEDS (1000000; 0 skips part 2), BIG_SECONDS (60), BIG_URL_PAD (appended to part 2's URLs,
# e.g. '?pad=0123456789' for longer ones; nginx ignores it), API_RATE (1000 PUT /feeds/ID a
# second in part 2's burst; 0 skips it), API_SECONDS (30), API_WAIT (30: how long after the
# burst its feeds' polls are counted), KEEP=1 keeps the temp directory (logs, samples, /metrics
# snapshots, api-puts.tsv: one line per PUT, logs/api.log: nginx's log of the added feeds' polls).
#
# HTTPS (issue 13): TLS=1 serves over TLS (a private CA and a certificate for *.feeds.test and
# 127.0.0.1 made with openssl at run time; nginx offers HTTP/2 and HTTP/1.1; the daemon gets
# --ca-file = the system bundle + that CA); HOSTNAMES=N spreads the feeds over N host names
# h1.feeds.test … hN.feeds.test, added to /etc/hosts (as 127.0.0.1, between marker lines) for
# the run and removed on exit: distinct names are what the fetcher keys connections, TLS
# sessions and per-host places by, and one port per host would need N listening sockets;
# HTTP2=on|off is passed as --http2, IDLE_CONNECTIONS as --idle-connections; INTERVAL (60) is part 1's fixed interval. E.g. 2,000
# polls/s over 2,000 names: TLS=1 HOSTNAMES=2000 INTERVAL=10 BIG_FEEDS=0 run.sh 20000 120
# Needs a release build: swift build -c release --product hubdiffer
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/daemon/lib.sh
feeds=${1:-100000} seconds=${2:-210}
warmup=${WARMUP:-90} sample=${SAMPLE:-2} hosts=${HOSTS:-1} workers=${NGINX_WORKERS:-1}
big_feeds=${BIG_FEEDS:-1000000} big_seconds=${BIG_SECONDS:-60} concurrency=${CONCURRENCY:-}
big_url_pad=${BIG_URL_PAD:-}
api_rate=${API_RATE:-1000} api_seconds=${API_SECONDS:-30} api_wait=${API_WAIT:-30}
tls=${TLS:-0} hostnames=${HOSTNAMES:-0} http2=${HTTP2:-on} interval=${INTERVAL:-60}
hosts_marker="# hubdiffer-daemon-bench $$"
(( big_feeds > 0 && api_rate > 0 )) || api_rate=0
bin=${BIN:-.build/release/hubdiffer}
[[ -x $bin ]] || { echo "no $bin: run swift build -c release --product hubdiffer first" >&2; exit 1; }
command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
  || { echo "redis-server is missing: run scripts/install-deps.sh" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || { echo "nginx is missing: run scripts/install-deps.sh" >&2; exit 1; }
(( feeds == 0 || seconds > warmup + 10 )) || { echo "SECONDS ($seconds) must exceed WARMUP ($warmup) by 10 at least" >&2; exit 64; }

dir=$(mktemp -d /tmp/hubdiffer-daemon-bench.XXXXXX)
mkdir -p "$dir/www/files" "$dir/temp" "$dir/logs"
cp "$bin" "$dir/hubdiffer"
bin=$dir/hubdiffer
hz=$(getconf CLK_TCK)
daemon_pid="" redis_pid=""

cleanup() {
  stop_daemon
  if grep -q "^$hosts_marker" /etc/hosts 2>/dev/null; then
    sed -i "/^$hosts_marker begin/,/^$hosts_marker end/d" /etc/hosts
  fi
  [[ -f $dir/nginx.pid ]] && kill -QUIT "$(cat "$dir/nginx.pid")" 2>/dev/null
  [[ -n $redis_pid ]] && kill "$redis_pid" 2>/dev/null
  sleep 0.5
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The documents: 100 RSS files of 20 items (~7 KB each), distinct guids per file. -------
python3 - "$dir/www/files" <<'PY'
import sys, email.utils
out = sys.argv[1]
for f in range(100):
    items = []
    for i in range(20):
        date = email.utils.formatdate(1763700000 - 3600 * (i + 24 * f), usegmt=True)
        items.append(
            f"<item><title>Feed {f} item {i}: a headline of ordinary length</title>"
            f"<link>https://example.com/{f}/posts/{i}</link><guid isPermaLink=\"false\">feed-{f}-item-{i}</guid>"
            f"<pubDate>{date}</pubDate><description>&lt;p&gt;Paragraph {i} of feed {f}, with some markup "
            f"and enough text to look like a summary of a blog post of the usual kind.&lt;/p&gt;</description></item>\n")
    open(f"{out}/{f:02d}.xml", "w").write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Bench feed {f}</title><link>https://example.com/{f}/</link>"
        f"<description>benchmark feed</description>\n{''.join(items)}</channel></rss>\n")
PY

# --- nginx: /feed/ID.xml → files/(last two digits of ID).xml; stub_status for the reference. --
nginx_port=$(free_port)
scheme=http ssl_conf="" listen_flags="" curl_ca=()
if [[ $tls == 1 ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -days 2 -subj "/CN=hubdiffer bench CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/server.key" -out "$dir/server.csr" \
    -subj "/CN=feeds.test" 2>/dev/null
  printf 'subjectAltName=DNS:*.feeds.test,DNS:localhost,IP:127.0.0.1\n' > "$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -out "$dir/server.pem" -days 2 -extfile "$dir/san.ext" 2>/dev/null
  cat /etc/ssl/certs/ca-certificates.crt "$dir/ca.pem" > "$dir/bundle.pem"
  scheme=https listen_flags=" ssl http2" curl_ca=(--cacert "$dir/ca.pem")
  ssl_conf="ssl_certificate $dir/server.pem; ssl_certificate_key $dir/server.key; ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache shared:SSL:10m; ssl_session_tickets on;"
fi
if (( hostnames > 0 )); then
  [[ -w /etc/hosts ]] || { echo "HOSTNAMES needs to write /etc/hosts (run as root)" >&2; exit 1; }
  { echo "$hosts_marker begin"; for h in $(seq 1 "$hostnames"); do echo "127.0.0.1 h$h.feeds.test"; done
    echo "$hosts_marker end"; } >> /etc/hosts
fi
listen=""
for h in $(seq 1 "$hosts"); do listen+="listen 127.0.0.$h:$nginx_port$listen_flags; "; done
user=""; [[ $(id -u) -eq 0 ]] && user="user root;"
access_log="access_log off;"  # with a burst: only the requests marked ?api=1 (the added feeds)
(( api_rate > 0 )) && access_log="map \$arg_api \$api_poll { default 0; 1 1; }
  log_format api '\$msec \$status \$request_uri'; access_log $dir/logs/api.log api buffer=64k flush=1s if=\$api_poll;"
cat > "$dir/nginx.conf" <<CONF
$user
worker_processes $workers;
worker_rlimit_nofile 16384;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 8192; }
http {
  $access_log
  client_body_temp_path $dir/temp/body; proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi; uwsgi_temp_path $dir/temp/uwsgi; scgi_temp_path $dir/temp/scgi;
  keepalive_requests 10000000; keepalive_timeout 120;
  etag on;
  types { application/rss+xml xml; }
  $ssl_conf
  server {
    $listen
    root $dir/www;
    location ~ "^/feed/[0-9]*([0-9][0-9])\.xml\$" { try_files /files/\$1.xml =404; }
    location = /nginx_status { stub_status; }
  }
}
CONF
"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
base="$scheme://127.0.0.1:$nginx_port"
for _ in $(seq 50); do curl -sf "${curl_ca[@]}" -o /dev/null "$base/feed/100.xml" && break; sleep 0.1; done
curl -sf "${curl_ca[@]}" -o /dev/null "$base/feed/123457.xml" || { echo "nginx does not serve /feed/ID.xml" >&2; cat "$dir/logs/error.log" >&2; exit 1; }
nginx_requests() { curl -s "${curl_ca[@]}" "$base/nginx_status" | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3; exit}'; }
nginx_pids() { local m; m=$(cat "$dir/nginx.pid"); echo "$m" $(pgrep -P "$m"); }

# --- redis-server: the one shard, no persistence. -------------------------------------------
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --zset-max-listpack-entries 256 --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/logs/redis.log"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis_pid=$(cat "$dir/redis.pid")
echo "0-9223372036854775807  redis://127.0.0.1:$redis_port/0" > "$dir/shards.conf"

# --- Helpers. ---------------------------------------------------------------------------------
# ticks, status_kb, now, metric_sum (and free_port, used above): benchmarks/daemon/lib.sh
ctx_switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }
# The scheduler lag between two /metrics snapshots, bucket counts subtracted: p99 and p50 (the
# first bucket bound whose cumulative count reaches 99% / 50% of the polls started between
# them, in s; inf or nan), the mean (ms), the polls started, of them ≤ 1 s.
lag_quantiles() {
  python3 - "$1" "$2" <<'PY'
import sys, re
def metrics(path):
    m = {}
    for line in open(path):
        if line.startswith("#") or not line.strip(): continue
        name, value = line.rsplit(" ", 1)
        m[name] = float(value)
    return m
a, b = metrics(sys.argv[1]), metrics(sys.argv[2])
def delta(name): return b.get(name, 0) - a.get(name, 0)
lag = "hubdiffer_scheduler_lag_seconds"
buckets = sorted(((float(re.search(r'le="([^"]+)"', k).group(1).replace("+Inf", "inf")), delta(k))
                  for k in b if k.startswith(lag + "_bucket")), key=lambda x: x[0])
count, total = delta(lag + "_count"), delta(lag + "_sum")
p99 = next((le for le, c in buckets if count and c >= 0.99 * count), float("nan"))
p50 = next((le for le, c in buckets if count and c >= 0.50 * count), float("nan"))
below1 = next((c for le, c in buckets if le == 1.0), 0)
print(p99, p50, 1000 * total / count if count else float("nan"), f"{count:.0f}", f"{below1:.0f}")
PY
}
fmt_lag() { awk -v le="$1" 'BEGIN {print (le == "inf" ? "∞" : le == "nan" ? "?" : "≤ " le + 0 " s")}'; }

# Starts the daemon on FEEDS_FILE with INTERVAL; sets daemon_pid, control, started, load_s.
start_daemon() {
  local feeds_file=$1 interval=$2 log=$3
  control=$(free_port)
  local args=(run --feeds "$feeds_file" --shards "$dir/shards.conf" --sink stdout --control "127.0.0.1:$control"
    --interval "$interval" --min-interval "$interval" --max-interval "$interval" --allow-private-addresses
    --state-dir "$dir/state-$control")
  [[ -n $concurrency ]] && args+=(--concurrency "$concurrency")
  [[ $tls == 1 ]] && args+=(--ca-file "$dir/bundle.pem" --http2 "$http2")
  [[ -n ${IDLE_CONNECTIONS:-} ]] && args+=(--idle-connections "$IDLE_CONNECTIONS")
  echo "+ hubdiffer ${args[*]}" >&2
  started=$(now)
  "$bin" "${args[@]}" > /dev/null 2> "$log" &
  daemon_pid=$!
  until grep -q 'running' "$log" 2>/dev/null; do
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.02
  done
  load_s=$(awk "BEGIN {printf \"%.2f\", $(now) - $started}")
}

# =============================== Part 1: FEEDS feeds at 60 s ===================================
if (( feeds > 0 )); then
awk -v n="$feeds" -v port="$nginx_port" -v hosts="$hosts" -v names="$hostnames" -v scheme="$scheme" 'BEGIN {
  for (i = 0; i < n; i++) {
    host = names > 0 ? sprintf("h%d.feeds.test", 1 + i % names) : sprintf("127.0.0.%d", 1 + i % hosts)
    printf "%d %s://%s:%d/feed/%d.xml\n", 100 + i, scheme, host, port, 100 + i } }' \
  > "$dir/feeds.txt"
echo "part 1: $feeds feeds at $interval s, $seconds s, hosts $hosts, names $hostnames, $scheme (http2 $http2), nginx workers $workers, concurrency ${concurrency:-default}" >&2
start_daemon "$dir/feeds.txt" "$interval" "$dir/logs/daemon.log"
echo "loaded in $load_s s" >&2
nginx_list=$(nginx_pids)

samples=$dir/samples.tsv
printf 't\trss_kb\thwm_kb\td_ticks\tn_ticks\tr_ticks\tpolls\tin_flight\tparse_q\tsink_q\tnginx_req\tctx\n' > "$samples"
t0=$started
warm_taken=0
while :; do
  t=$(awk "BEGIN {printf \"%.2f\", $(now) - $t0}")
  kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon died:" >&2; tail -20 "$dir/logs/daemon.log" >&2; exit 1; }
  curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.now" || true
  polls=$(metric_sum "$dir/metrics.now" hubdiffer_polls_total)
  inflight=$(metric_sum "$dir/metrics.now" hubdiffer_polls_in_flight)
  parseq=$(awk '$1 ~ /^hubdiffer_queue_depth/ && /stage="parse"/ {print $2}' "$dir/metrics.now")
  sinkq=$(awk '$1 ~ /^hubdiffer_queue_depth/ && /stage="sink"/ {print $2}' "$dir/metrics.now")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(status_kb "$daemon_pid" VmRSS)" \
    "$(status_kb "$daemon_pid" VmHWM)" "$(ticks "$daemon_pid")" "$(ticks $nginx_list)" "$(ticks "$redis_pid")" \
    "$polls" "$inflight" "${parseq:-0}" "${sinkq:-0}" "$(nginx_requests)" "$(ctx_switches "$daemon_pid")" >> "$samples"
  if (( warm_taken == 0 )) && awk "BEGIN {exit !($t >= $warmup)}"; then
    cp "$dir/metrics.now" "$dir/metrics.warm"; warm_taken=1
  fi
  awk "BEGIN {exit !($t >= $seconds)}" && break
  sleep "$sample"
done
cp "$dir/metrics.now" "$dir/metrics.end"
redis_mem=$(redis-cli -p "$redis_port" info memory | awk -F: '/^used_memory:/ {printf "%.0f", $2/1048576}')
stop_daemon

python3 - "$dir" "$hz" "$warmup" "$feeds" "$load_s" "$redis_mem" "$interval" \
  $(lag_quantiles "$dir/metrics.warm" "$dir/metrics.end") > "$dir/part1.txt" <<'PY'
import sys
d, hz, warm, feeds, load_s, redis_mem = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
interval = float(sys.argv[7])
p99, p50, mean_ms, count, below1 = map(float, sys.argv[8:13])
rows = [l.rstrip("\n").split("\t") for l in open(f"{d}/samples.tsv")][1:]
rows = [[float(x or 0) for x in r] for r in rows]
def metrics(path):
    m = {}
    for line in open(path):
        if line.startswith("#") or not line.strip(): continue
        name, value = line.rsplit(" ", 1)
        m[name] = float(value)
    return m
a, b = metrics(f"{d}/metrics.warm"), metrics(f"{d}/metrics.end")
def delta(name): return b.get(name, 0) - a.get(name, 0)
first = next(r for r in rows if r[0] >= warm)
last = rows[-1]
dt = last[0] - first[0]
def cpu(i, lo, hi): return 100.0 * (hi[i] - lo[i]) / hz / (hi[0] - lo[0])
wave = [r for r in rows if r[0] <= interval] or rows[:1]
outcomes = {k.split('"')[1]: delta(k) for k in b if k.startswith("hubdiffer_polls_total")}
fmt = lambda le: "∞" if le == float("inf") else f"≤ {le:g} s"
print(f"window\t{first[0]:.0f}–{last[0]:.0f} s ({dt:.0f} s)")
print(f"scheduler lag p99 (bucket)\t{fmt(p99)}")
print(f"scheduler lag p50 (bucket)\t{fmt(p50)}")
print(f"scheduler lag mean\t{mean_ms:.1f} ms ({count:.0f} polls started, {100 * below1 / count if count else 0:.2f}% ≤ 1 s)")
print(f"polls/s (hubdiffer_polls_total)\t{(last[6] - first[6]) / dt:.0f} (target {feeds / interval:.0f})")
print(f"nginx requests/s (stub_status)\t{(last[10] - first[10]) / dt:.0f}")
print(f"poll outcomes in window\t" + ", ".join(f"{k} {v:.0f}" for k, v in sorted(outcomes.items()) if v))
print(f"CPU daemon (steady / first wave)\t{cpu(3, first, last):.0f}% / {cpu(3, wave[0], wave[-1]):.0f}% of one core")
polls = last[6] - first[6]
print(f"daemon CPU per poll (steady)\t{1e6 * (last[3] - first[3]) / hz / polls if polls else 0:.0f} µs")
print(f"daemon context switches per poll (steady, all threads)\t{(last[11] - first[11]) / polls if polls else 0:.1f}")
print(f"CPU nginx (steady / first wave)\t{cpu(4, first, last):.0f}% / {cpu(4, wave[0], wave[-1]):.0f}%")
print(f"CPU redis-server (steady / first wave)\t{cpu(5, first, last):.0f}% / {cpu(5, wave[0], wave[-1]):.0f}%")
print(f"in flight (steady: mean / max)\t{sum(r[7] for r in rows if r[0] >= warm) / sum(1 for r in rows if r[0] >= warm):.0f} / {max(r[7] for r in rows if r[0] >= warm):.0f}")
print(f"parse queue (max, whole run)\t{max(r[8] for r in rows):.0f}")
print(f"RSS max of samples / VmHWM\t{max(r[1] for r in rows) / 1024:.1f} MB / {max(r[2] for r in rows) / 1024:.1f} MB")
print(f"RSS at end\t{last[1] / 1024:.1f} MB")
print(f"load time\t{load_s} s")
print(f"redis used_memory at end\t{redis_mem} MB")
print(f"bound lag p99 < 1 s\t{'met' if p99 <= 1.0 else 'MISSED'}")
print(f"bound RSS < 250 MB\t{'met' if max(r[2] for r in rows) / 1024 < 250 else 'MISSED'}")
PY
fi

# ============================ Part 2: BIG_FEEDS feeds scheduled ================================
if (( big_feeds > 0 )); then
  awk -v n="$big_feeds" -v port="$nginx_port" -v pad="$big_url_pad" 'BEGIN {
    for (i = 0; i < n; i++) printf "%d http://127.0.0.1:%d/feed/%d.xml%s\n", 100 + i, port, 100 + i, pad }' > "$dir/big.txt"
  echo "part 2: $big_feeds feeds at 86400 s, $big_seconds s" >&2
  redis-cli -p "$redis_port" flushall >/dev/null
  start_daemon "$dir/big.txt" 86400 "$dir/logs/big.log"
  rss_loaded=$(status_kb "$daemon_pid" VmRSS) hwm_loaded=$(status_kb "$daemon_pid" VmHWM)
  rss_max=$rss_loaded
  end=$(awk "BEGIN {printf \"%.3f\", $started + $big_seconds}")
  while awk "BEGIN {exit !($(now) < $end)}"; do
    sleep "$sample"
    r=$(status_kb "$daemon_pid" VmRSS); (( r > rss_max )) && rss_max=$r
  done
  curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.big"
  big_polls=$(metric_sum "$dir/metrics.big" hubdiffer_polls_total)
  big_feeds_gauge=$(awk '$1 ~ /^hubdiffer_feeds/ && /scheduled/ {printf "%.0f", $2}' "$dir/metrics.big")
  rss_end=$(status_kb "$daemon_pid" VmRSS) hwm_end=$(status_kb "$daemon_pid" VmHWM)
  big_cpu=$(awk -v t="$(ticks "$daemon_pid")" -v hz="$hz" -v s="$big_seconds" 'BEGIN {printf "%.0f", 100 * t / hz / s}')
  if (( api_rate > 0 )); then  # the burst of additions (issue 15), new IDs after the big list's
    api_first=$((100 + big_feeds)) api_url="http://127.0.0.1:$nginx_port/feed/{id}.xml$big_url_pad"
    [[ $big_url_pad == *'?'* ]] && api_url+='&api=1' || api_url+='?api=1'
    echo "part 2 burst: $((api_rate * api_seconds)) PUT /feeds/ID at $api_rate/s for $api_seconds s, IDs from $api_first, $api_url" >&2
    curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.burst0"
    burst_start=$(now)
    python3 benchmarks/daemon/feeds_api_load.py --port "$control" --first "$api_first" --rate "$api_rate" \
      --seconds "$api_seconds" --url "$api_url" --record "$dir/api-puts.tsv" > "$dir/api-load.txt"
    burst_end=$(now)
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon died in the burst:" >&2; tail -20 "$dir/logs/big.log" >&2; exit 1; }
    curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.burst1"
    rss_burst=$(status_kb "$daemon_pid" VmRSS) hwm_burst=$(status_kb "$daemon_pid" VmHWM)
    sleep "$api_wait"
    curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.burst2"
    rss_wait=$(status_kb "$daemon_pid" VmRSS) hwm_wait=$(status_kb "$daemon_pid" VmHWM)
    sleep 1.5  # nginx writes its log buffer every second
  fi
  stop_daemon
  {
    printf 'feeds scheduled (hubdiffer_feeds)\t%s\n' "${big_feeds_gauge:-?}"
    printf 'mean URL length\t%s bytes\n' "$(awk '{s += length($2)} END {printf "%.1f", s / NR}' "$dir/big.txt")"
    printf 'load time (start to "running")\t%s s\n' "$load_s"
    mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }
    printf 'VmRSS / VmHWM after load\t%s / %s\n' "$(mb "$rss_loaded")" "$(mb "$hwm_loaded")"
    printf 'VmRSS max of samples / VmHWM at %s s\t%s / %s\n' "$big_seconds" "$(mb "$rss_max")" "$(mb "$hwm_end")"
    printf 'VmRSS at end\t%s\n' "$(mb "$rss_end")"
    printf 'polls in %s s / daemon CPU (avg, load included)\t%s / %s%%\n' "$big_seconds" "$big_polls" "$big_cpu"
    printf 'bound RSS < 400 MB\t%s\n' "$( (( hwm_end < 400 * 1024 )) && echo met || echo MISSED)"
    if (( api_rate > 0 )); then
      cat "$dir/api-load.txt"
      burst_s=$(awk "BEGIN {printf \"%.1f\", $burst_end - $burst_start}")
      read -r p99 p50 mean _ <<< "$(lag_quantiles "$dir/metrics.burst0" "$dir/metrics.burst1")"
      printf 'scheduler lag p99 / p50 (bucket) / mean in the burst (%s s)\t%s / %s / %.1f ms\n' "$burst_s" \
        "$(fmt_lag "$p99")" "$(fmt_lag "$p50")" "$mean"
      read -r p99 p50 mean _ <<< "$(lag_quantiles "$dir/metrics.burst0" "$dir/metrics.burst2")"
      printf 'scheduler lag p99 / p50 (bucket) / mean, burst + %s s after\t%s / %s / %.1f ms\n' "$api_wait" \
        "$(fmt_lag "$p99")" "$(fmt_lag "$p50")" "$mean"
      polls_per_s() { awk -v a="$(metric_sum "$1" hubdiffer_polls_total)" -v b="$(metric_sum "$2" hubdiffer_polls_total)" \
        -v s="$3" 'BEGIN {printf "%.0f", (b - a) / s}'; }
      printf 'polls/s in the burst / the %s s after\t%s / %s\n' "$api_wait" \
        "$(polls_per_s "$dir/metrics.burst0" "$dir/metrics.burst1" "$burst_s")" \
        "$(polls_per_s "$dir/metrics.burst1" "$dir/metrics.burst2" "$api_wait")"
      python3 - "$dir/api-puts.tsv" "$dir/logs/api.log" "$burst_end" "$api_wait" <<'PY'
import sys, re, os
puts, log, end, wait = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
added = {int(i): float(t) for i, status, t, _ in (l.split("\t") for l in open(puts)) if status == "201"}
first, answers = {}, {}  # an added feed's first poll (nginx's time), nginx's statuses to them
for line in open(log) if os.path.exists(log) else []:
    msec, status, uri = line.split()
    i = int(re.search(r"/feed/(\d+)\.xml", uri).group(1))
    answers[status] = answers.get(status, 0) + 1
    first[i] = min(first.get(i, float("inf")), float(msec))
delays = sorted(first[i] - t for i, t in added.items() if first.get(i, float("inf")) <= end + wait)
q = lambda p: f"{delays[min(len(delays) - 1, int(p * len(delays)))]:.1f}" if delays else "?"
print(f"added feeds (201) polled within {wait:g} s of the burst's end\t{len(delays)} of {len(added)}"
      f" (nginx answers to their polls: {', '.join(f'{k} {v}' for k, v in sorted(answers.items())) or 'none'})")
print(f"first poll after the 201, p50 / p99 / max (of those polled)\t{q(0.5)} / {q(0.99)} / {q(1.0)} s")
PY
      printf 'feeds scheduled after the burst (hubdiffer_feeds)\t%s\n' \
        "$(awk '$1 ~ /^hubdiffer_feeds/ && /scheduled/ {printf "%.0f", $2}' "$dir/metrics.burst2")"
      printf 'VmRSS / VmHWM after the burst / %s s later\t%s / %s; %s / %s\n' "$api_wait" \
        "$(mb "$rss_burst")" "$(mb "$hwm_burst")" "$(mb "$rss_wait")" "$(mb "$hwm_wait")"
    fi
  } > "$dir/part2.txt"
fi

if [[ -f $dir/part1.txt ]]; then
  echo
  echo "## hubdiffer run: $feeds feeds at $interval s for $seconds s (concurrency ${concurrency:-256 (default)}, hosts $hosts, names $hostnames, $scheme, http2 $http2, nginx workers $workers)"
  echo "| measurement | value |"; echo "|---|---|"
  awk -F'\t' '{printf "| %s | %s |\n", $1, $2}' "$dir/part1.txt"
fi
if [[ -f $dir/part2.txt ]]; then
  echo
  echo "## hubdiffer run: $big_feeds feeds at 86400 s for $big_seconds s$( (( api_rate > 0 )) && echo ", then $api_rate PUT /feeds/ID a second for $api_seconds s")"
  echo "| measurement | value |"; echo "|---|---|"
  awk -F'\t' '{printf "| %s | %s |\n", $1, $2}' "$dir/part2.txt"
fi
