#!/usr/bin/env bash
# A fresh start against newsboat (issue 17): every feed fetched, parsed, diffed and its entries
# handed to the sink, as when a hub starts, adds a batch of subscriptions or restarts a shard.
# Everything runs on loopback in a temp directory and is stopped on exit.
#
#  - N feeds (default 1,000) served by a private nginx (one worker, `etag on`, access log) from
#    the shared corpus's real captured feeds (CORPUS, default /work/shared/corpus/realworld/feeds:
#    106 RSS/Atom/JSON Feed documents, ~24 MB). Feed ID i (1..N) is /feed/ID.xml (or .json for
#    a JSON Feed), a symlink to corpus file number (ID mod F) in name order, so the N feeds
#    cycle over the F files; Content-Type application/xml or application/feed+json.
#  - A private redis-server (no persistence) as the one shard, empty.
#  - The daemon (a copy of BIN, default .build/release/hubdiffer): `hubdiffer run` with the N
#    feeds in its feeds file, interval / min / max 86400, --first-poll emit, --sink stdout to a
#    file, --allow-private-addresses, control on a free port, an empty --state-dir. The daemon
#    spreads first polls over the interval, so once it logs `running` every feed is made due at
#    once with `POST /ping` (`feed=ID` fields, PING_BATCH a request; a feed's first ping polls
#    it at once). The clock starts before the first ping and stops when the output file holds
#    every expected entry (counted up front: the distinct entry keys of each corpus file, from
#    `hubdiffer parse`, summed over the feeds; a small C stopwatch, wait_lines.c, built here with
#    gcc or clang and started before the clock, counts the output's lines as it grows). Reported: feeds/s, the daemon's CPU seconds in
#    that window (utime+stime from /proc/PID/stat before and after) and per feed, its VmHWM
#    (load included), entries out, nginx's answers.
#  - Then newsboat (Debian's package; `apt-get install newsboat`) over the same N URLs, in the
#    same run: a temporary config with `reload-threads NEWSBOAT_THREADS` (32), a urls file and an
#    empty cache, `newsboat -x reload -C config -u urls -c cache` under /usr/bin/time (wall,
#    user+sys, max RSS; its start-up and exit included). Checked: nginx's requests during it and
#    the items in its cache (sqlite3, if installed).
#  - A yardstick for the machine's speed that day: libxml2 alone (benchmarks/parse/RawSAX2, the
#    push parser with callbacks that only count, built with gcc) over the same N bodies, and the
#    daemon's CPU as a multiple of its time.
#  - A table and the ratio hubdiffer feeds/s ÷ newsboat feeds/s.
#
#   benchmarks/daemon/fresh.sh [N]
#   benchmarks/daemon/fresh.sh 1000
#
# Environment: BIN, CORPUS, NEWSBOAT_THREADS (32), NEWSBOAT=0 skips newsboat, NEWSBOAT_CACHE_DIR
# (default: the temp directory, on the file system of the daemon's output; /dev/shm puts
# newsboat's SQLite cache in memory, as redis-server keeps the daemon's entry sets), HOSTS (1:
# every feed on 127.0.0.1; N spreads them over 127.0.0.1..N, nginx listening on each — the
# fetcher allows 6 connections per host), CONCURRENCY (--concurrency; empty: the default, 256),
# NGINX_WORKERS (1), PING_BATCH (250 feed= fields a request), DEADLINE (300 s: the longest any
# wait lasts), KEEP=1 keeps the temp directory (logs, the daemon's output, metrics).
# Needs a release build: swift build -c release --product hubdiffer
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/daemon/lib.sh
feeds=${1:-1000}
corpus=${CORPUS:-/work/shared/corpus/realworld/feeds}
nb_threads=${NEWSBOAT_THREADS:-32} nb_cache_dir=${NEWSBOAT_CACHE_DIR:-} use_newsboat=${NEWSBOAT:-1} hosts=${HOSTS:-1} workers=${NGINX_WORKERS:-1}
concurrency=${CONCURRENCY:-} ping_batch=${PING_BATCH:-250} deadline=${DEADLINE:-300}
interval=86400
bin=${BIN:-.build/release/hubdiffer}
[[ $feeds =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive number of feeds" >&2; exit 64; }
[[ -x $bin ]] || { echo "no $bin: run swift build -c release --product hubdiffer first" >&2; exit 1; }
command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
  || { echo "redis-server is missing: run scripts/install-deps.sh" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || { echo "nginx is missing: run scripts/install-deps.sh" >&2; exit 1; }
if [[ $use_newsboat == 1 ]]; then
  command -v newsboat >/dev/null || { echo "newsboat is missing: apt-get install newsboat (Debian's package), or NEWSBOAT=0 to skip it" >&2; exit 1; }
  [[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 1; }
fi
files=()
for f in "$corpus"/*; do [[ -f $f ]] && files+=("$f"); done
(( ${#files[@]} > 0 )) || { echo "no feed files in $corpus (set CORPUS)" >&2; exit 1; }

dir=$(mktemp -d /tmp/hubdiffer-fresh-bench.XXXXXX)
mkdir -p "$dir/www/files" "$dir/www/feed" "$dir/temp" "$dir/logs" "$dir/state" "$dir/newsboat"
cp "$bin" "$dir/hubdiffer"
bin=$dir/hubdiffer
hz=$(getconf CLK_TCK)
daemon_pid="" redis_pid="" nb_tmp="" waiter_pid=""
nb_wall=0 nb_user=0 nb_sys=0 nb_maxrss=0 nreq0=0 nreq1=0 nb_rc=0 nb_items="?" nb_feeds="?" statuses_nb=""

cleanup() {
  set +e  # every step runs, whatever the one before found
  [[ -n $waiter_pid ]] && kill "$waiter_pid" 2>/dev/null
  stop_daemon
  [[ -f $dir/nginx.pid ]] && kill -QUIT "$(cat "$dir/nginx.pid")" 2>/dev/null
  [[ -f $dir/redis.pid ]] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
  [[ -n $nb_tmp ]] && rm -rf "$nb_tmp"
  sleep 0.5
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
past() { awk "BEGIN {exit !($(now) >= $1)}"; }     # is the clock past an absolute time?
after() { awk "BEGIN {printf \"%.3f\", $(now) + $1}"; }

# --- The stopwatch, built for this run (gcc, or the clang of the Swift toolchain). ---
compiler=$(command -v gcc || command -v clang || command -v cc) || {
  echo "no C compiler for the stopwatch (benchmarks/daemon/wait_lines.c): apt-get install gcc" >&2; exit 1; }
"$compiler" -O2 -o "$dir/wait_lines" benchmarks/daemon/wait_lines.c

# --- The documents: corpus file k as files/k.xml or files/k.json; feed ID → file ID mod F. ---
# Expected entries: the distinct keys `hubdiffer parse` finds in each file (0 for a file it
# refuses), summed over the feeds.
"$bin" parse "${files[@]}" > "$dir/corpus.jsonl" 2> "$dir/logs/corpus-parse.log" || true
python3 - "$dir" "$feeds" "$hosts" "${files[@]}" <<'PY'
import sys, os, json
d, feeds, hosts, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
keys = {}
for line in open(f"{d}/corpus.jsonl"):
    o = json.loads(line)
    keys[o["file"]] = len({e["key"] for e in o["entries"]})
exts, counts = [], []
for k, f in enumerate(files):
    head = open(f, "rb").read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    ext = "json" if head.startswith(b"{") else "xml"
    os.symlink(os.path.abspath(f), f"{d}/www/files/{k}.{ext}")
    exts.append(ext); counts.append(keys.get(f, 0))
expected = 0
with open(f"{d}/feeds.paths", "w") as out:
    for i in range(1, feeds + 1):
        k = i % len(files)
        os.symlink(f"../files/{k}.{exts[k]}", f"{d}/www/feed/{i}.{exts[k]}")
        expected += counts[k]
        out.write(f"{i} {1 + (i - 1) % hosts} /feed/{i}.{exts[k]} {os.path.getsize(files[k])}\n")
print(expected, sum(1 for c in counts if c == 0), file=open(f"{d}/expected", "w"))
PY
read -r expected corpus_failed < "$dir/expected"
parsed=$(wc -l < "$dir/corpus.jsonl")
(( parsed == ${#files[@]} && expected > 0 )) || {
  echo "hubdiffer parse read $parsed of ${#files[@]} corpus files ($expected entries): see $dir/logs/corpus-parse.log" >&2; exit 1; }
bytes=$(awk '{s += $4} END {printf "%.0f", s}' "$dir/feeds.paths")

# --- nginx: /feed/ID.xml|json → files/K.ext (symlinks); access log of every answer. ---------
nginx_port=$(free_port)
listen=""
for h in $(seq 1 "$hosts"); do listen+="listen 127.0.0.$h:$nginx_port; "; done
user=""; [[ $(id -u) -eq 0 ]] && user="user root;"
cat > "$dir/nginx.conf" <<CONF
$user
worker_processes $workers;
worker_rlimit_nofile 16384;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 8192; }
http {
  log_format fresh '\$msec \$status \$body_bytes_sent \$request_uri';
  access_log $dir/logs/access.log fresh buffer=64k flush=1s;
  client_body_temp_path $dir/temp/body; proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi; uwsgi_temp_path $dir/temp/uwsgi; scgi_temp_path $dir/temp/scgi;
  keepalive_requests 10000000; keepalive_timeout 120;
  sendfile on; etag on;
  types { application/xml xml; application/feed+json json; }
  server {
    $listen
    root $dir/www;
    location /feed/ { }
    location = /nginx_status { access_log off; stub_status; }
  }
}
CONF
"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
base="http://127.0.0.1:$nginx_port"
first_path=$(awk 'NR == 1 {print $3}' "$dir/feeds.paths")
until_nginx=$(after 10)
until curl -sf --max-time 2 -o /dev/null "$base/nginx_status"; do
  [[ -f $dir/logs/error.log ]] && grep -q emerg "$dir/logs/error.log" && { cat "$dir/logs/error.log" >&2; exit 1; }
  past "$until_nginx" && { echo "nginx did not answer within 10 s" >&2; exit 1; }
  sleep 0.1
done
curl -sf -o /dev/null "$base$first_path?check" || { echo "nginx does not serve $first_path" >&2; cat "$dir/logs/error.log" >&2; exit 1; }
nginx_requests() { curl -s "$base/nginx_status" | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3; exit}'; }
access_lines() { sleep 1.5; wc -l < "$dir/logs/access.log"; }  # nginx writes its log buffer every second
awk -v port="$nginx_port" '{printf "http://127.0.0.%d:%d%s\n", $2, port, $3}' "$dir/feeds.paths" > "$dir/urls"
paste -d' ' <(awk '{print $1}' "$dir/feeds.paths") "$dir/urls" > "$dir/feeds.txt"

# --- redis-server: the one shard, no persistence. -------------------------------------------
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/logs/redis.log"
until_redis=$(after 10)
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do
  past "$until_redis" && { echo "redis-server did not start" >&2; cat "$dir/logs/redis.log" >&2; exit 1; }
  sleep 0.1
done
redis_pid=$(cat "$dir/redis.pid")
echo "0-9223372036854775807  redis://127.0.0.1:$redis_port/0" > "$dir/shards.conf"

echo "fresh start: $feeds feeds over ${#files[@]} corpus files ($corpus_failed without entries for hubdiffer parse), $(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b / 1e6}') served, $expected entries expected; hosts $hosts" >&2

# ================================= The daemon ==================================================
control=$(free_port)
args=(run --feeds "$dir/feeds.txt" --shards "$dir/shards.conf" --sink stdout --first-poll emit
  --control "127.0.0.1:$control" --interval "$interval" --min-interval "$interval" --max-interval "$interval"
  --allow-private-addresses --state-dir "$dir/state")
[[ -n $concurrency ]] && args+=(--concurrency "$concurrency")
echo "+ hubdiffer ${args[*]}" >&2
started=$(now)
"$bin" "${args[@]}" > "$dir/out.jsonl" 2> "$dir/logs/daemon.log" &
daemon_pid=$!
until_running=$(after "$deadline")
until grep -q '\[HubDaemon\] running$' "$dir/logs/daemon.log" 2>/dev/null; do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited:" >&2; cat "$dir/logs/daemon.log" >&2; exit 1; }
  past "$until_running" && { echo "the daemon did not log 'running' within $deadline s" >&2; exit 1; }
  sleep 0.02
done
load_s=$(awk "BEGIN {printf \"%.2f\", $(now) - $started}")
before_out=$(wc -l < "$dir/out.jsonl")  # entries of feeds whose spread first poll came already
awk -v b="$ping_batch" '{printf "%sfeed=%s", (NR - 1) % b ? "&" : "", $1} NR % b == 0 {print ""} END {if (NR % b) print ""}' \
  "$dir/feeds.txt" > "$dir/pings"
# The stopwatch (benchmarks/daemon/wait_lines.c) starts before the clock does, so its start-up
# is not counted against the daemon on this machine's two cores: it waits for $dir/t0, then for
# the output file to hold every expected entry, and prints the seconds since t0. It counts lines
# with memchr as the output grows (~280 MB; a Python loop took half a second of CPU for it).
"$dir/wait_lines" "$dir/out.jsonl" "$expected" "$dir/t0" "$deadline" "$daemon_pid" > "$dir/waiter.out" &
waiter_pid=$!
req0=$(nginx_requests)
ticks0=$(ticks "$daemon_pid")
t0=$(now)
echo "$t0" > "$dir/t0.next" && mv "$dir/t0.next" "$dir/t0"
while read -r body; do
  code=$(curl -s -o "$dir/ping.answer" -w '%{http_code}' --max-time 30 --data-binary "$body" \
    -H 'Content-Type: application/x-www-form-urlencoded' "http://127.0.0.1:$control/ping") || code=000
  [[ $code == 202 ]] || { echo "POST /ping answered $code: $(cat "$dir/ping.answer" 2>/dev/null)" >&2; exit 1; }
done < "$dir/pings"
waited=0
wait "$waiter_pid" || waited=$?
waiter_pid=""  # reaped: cleanup must not signal whatever process gets that number next
if (( waited != 0 )); then
  curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.end" || true
  grep -E '^hubdiffer_(polls_total|new_entries_total|pings_total)' "$dir/metrics.end" >&2 || true
  exit 1
fi
daemon_s=$(cat "$dir/waiter.out")
ticks1=$(ticks "$daemon_pid")
hwm=$(status_kb "$daemon_pid" VmHWM) rss=$(status_kb "$daemon_pid" VmRSS)
req1=$(nginx_requests)
sleep 1  # anything after the last expected entry (there should be nothing)
curl -s "http://127.0.0.1:$control/metrics" > "$dir/metrics.end"
stop_daemon
out_lines=$(wc -l < "$dir/out.jsonl")
polls=$(metric_sum "$dir/metrics.end" hubdiffer_polls_total)
outcomes=$(awk -F'"' '$1 ~ /^hubdiffer_polls_total\{/ {split($3, v, " "); if (v[2] > 0) printf "%s%s %d", (n++ ? ", " : ""), $2, v[2]}' "$dir/metrics.end")
pinged=$(awk -F'"' '$1 ~ /^hubdiffer_pings_total\{/ && $2 == "scheduled" {split($3, v, " "); printf "%d", v[2]}' "$dir/metrics.end")
access_daemon=$(access_lines)
statuses_daemon=$(awk '$4 !~ /[?]check$/ {c[$2]++} END {for (s in c) printf "%s%s × %d", (n++ ? ", " : ""), s, c[s]}' "$dir/logs/access.log")

# ================================= Yardstick: libxml2 alone ===================================
# This VM's speed drifts by up to 2x from one day to the next, so the daemon's CPU is also given
# against libxml2 alone over the same N bodies in this run: benchmarks/parse/RawSAX2 (the push
# parser, callbacks that only count; it passes over a JSON Feed at no cost), one pass, timed
# around the parses only (the files are read first).
raw_s=0
if command -v gcc >/dev/null && pkg-config --exists libxml-2.0; then
  benchmarks/parse/build-raw-sax2.sh "$dir/raw_sax2"
  mapfile -t bodies < <(awk -v www="$dir/www" '{print www $3}' "$dir/feeds.paths")
  raw_line=$("$dir/raw_sax2" "${bodies[@]}")
  echo "+ $raw_line" >&2
  raw_s=$(sed -E 's/.* in ([0-9.]+) s:.*/\1/' <<< "$raw_line")
else
  echo "no gcc or libxml2 headers (apt-get install gcc libxml2-dev): the libxml2 yardstick is skipped" >&2
fi

# ================================= newsboat ====================================================
if [[ $use_newsboat == 1 ]]; then
  nb=$dir/newsboat cache=$dir/newsboat/cache.db
  if [[ -n $nb_cache_dir ]]; then nb_tmp=$(mktemp -d "$nb_cache_dir/hubdiffer-fresh-newsboat.XXXXXX"); cache=$nb_tmp/cache.db; fi
  printf 'reload-threads %s\nauto-reload no\nshow-read-feeds yes\n' "$nb_threads" > "$nb/config"
  cp "$dir/urls" "$nb/urls"
  echo "+ newsboat -x reload -C $nb/config -u $nb/urls -c $cache (reload-threads $nb_threads)" >&2
  nreq0=$(nginx_requests)
  nb_rc=0
  HOME=$nb XDG_CONFIG_HOME=$nb XDG_DATA_HOME=$nb XDG_CACHE_HOME=$nb \
    /usr/bin/time -f '%e %U %S %M' -o "$nb/time" timeout "$deadline" \
    newsboat -x reload -C "$nb/config" -u "$nb/urls" -c "$cache" -l 3 -d "$nb/newsboat.log" \
    < /dev/null > "$nb/stdout" 2> "$nb/stderr" || nb_rc=$?
  nreq1=$(nginx_requests)
  read -r nb_wall nb_user nb_sys nb_maxrss < <(tail -1 "$nb/time")
  (( nb_rc == 0 )) || echo "newsboat exited with $nb_rc (124: killed after $deadline s); its stderr: $(tail -3 "$nb/stderr")" >&2
  nb_items="?" nb_feeds="?"
  if command -v sqlite3 >/dev/null && [[ -f $cache ]]; then
    nb_items=$(sqlite3 "$cache" 'select count(*) from rss_item;')
    nb_feeds=$(sqlite3 "$cache" 'select count(*) from rss_feed;')
  fi
  access_all=$(access_lines)
  statuses_nb=$(awk -v from="$access_daemon" 'NR > from {c[$2]++} END {for (s in c) printf "%s%s × %d", (n++ ? ", " : ""), s, c[s]}' "$dir/logs/access.log")
fi

# ================================= Report =====================================================
python3 - <<PY
feeds, hz = $feeds, $hz
d_s = $daemon_s
d_cpu = ($ticks1 - $ticks0) / hz
rows = [("time (first ping → last expected entry out / newsboat's wall time)", f"{d_s:.2f} s"),
        ("**feeds/s**", f"**{feeds / d_s:.0f}**"),
        ("CPU seconds (utime+stime)", f"{d_cpu:.2f} s"),
        ("CPU per feed", f"{1000 * d_cpu / feeds:.2f} ms"),
        ("peak memory (VmHWM / max RSS)", f"{$hwm / 1024:.1f} MB (load included; VmRSS at end {$rss / 1024:.1f} MB)"),
        ("entries out (expected $expected)", f"$out_lines ($before_out before the pings)"),
        ("nginx requests in the window (stub_status)", f"{$req1 - $req0 - 1}"),
        ("nginx answers (access log)", "$statuses_daemon"),
        ("polls (outcomes)", "$polls ($outcomes); pings scheduled ${pinged:-0}"),
        ("load (start to 'running')", "$load_s s"),
        ("yardstick: libxml2 alone over the same bodies, this run", f"{$raw_s:.2f} s; the daemon's CPU is {d_cpu / $raw_s:.2f} × that" if $raw_s > 0 else "skipped")]
nb = "$use_newsboat" == "1"
if nb:
    nb_s, nb_cpu = float("$nb_wall"), float("$nb_user") + float("$nb_sys")
    nbrows = [f"{nb_s:.2f} s", f"**{feeds / nb_s:.0f}**", f"{nb_cpu:.2f} s (user $nb_user + sys $nb_sys)",
              f"{1000 * nb_cpu / feeds:.2f} ms", f"{$nb_maxrss / 1024:.1f} MB (max RSS)",
              "feeds in its cache: $nb_feeds; items: $nb_items (one per guid)", f"{$nreq1 - $nreq0 - 1}", "$statuses_nb",
              "exit status $nb_rc", "", ""]
print()
print(f"## Fresh start: $feeds feeds over ${#files[@]} real feeds ({$bytes / 1e6:.1f} MB), hosts $hosts, concurrency ${concurrency:-256 (default)}"
      + (", newsboat reload-threads $nb_threads" if nb else ""))
print("| measurement | hubdiffer (--first-poll emit, stdout to a file) |" + (" newsboat -x reload |" if nb else ""))
print("|---|---|" + ("---|" if nb else ""))
for i, (k, v) in enumerate(rows):
    print(f"| {k} | {v} |" + (f" {nbrows[i]} |" if nb else ""))
if nb:
    print(f"| **hubdiffer ÷ newsboat, feeds/s** | **{(feeds / d_s) / (feeds / nb_s):.2f} ×** |" + " |")
    print(f"| newsboat ÷ hubdiffer, CPU per feed | {nb_cpu / d_cpu:.2f} × |" + " |")
PY
