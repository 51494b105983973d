#!/usr/bin/env bash
# Runs the daemon on this machine against ~20 local sample feeds that keep changing, and shows
# the new entries it finds as they arrive. Everything is private and on loopback: a redis-server
# in a temporary directory (no persistence), the feed source (scripts/demo_feeds.py), and
# `hubdiffer run` itself. Ctrl-C stops all of it and removes the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: scripts/demo.sh [--seconds N] [--feeds N] [--no-ping] [--logs] [--scratch-path DIR]

Installs what is missing (scripts/install-deps.sh), builds the release binary, then runs
`hubdiffer run` against local sample feeds (RSS and Atom) that gain an entry every 3-8 s,
with a private redis-server, and prints each new entry the daemon sends as one line.

  --seconds N         stop by itself after N seconds (smoke tests); fails when no entry came
  --feeds N           how many sample feeds (default 20)
  --no-ping           no publisher pings: the daemon finds new entries by polling alone
  --logs              show the daemon's log (standard error) too
  --scratch-path DIR  the build directory for `swift build` (default .build)
  -h, --help          this help

Ctrl-C stops the daemon, the feed source and redis, and removes the temporary directory.
EOF
}

seconds=0 feed_count=20 ping=1 show_logs=0 scratch=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --feeds) feed_count=${2:?--feeds needs a number}; shift 2 ;;
    --feeds=*) feed_count=${1#*=}; shift ;;
    --no-ping) ping=0; shift ;;
    --logs) show_logs=1; shift ;;
    --scratch-path) scratch=(--scratch-path "${2:?--scratch-path needs a directory}"); shift 2 ;;
    --scratch-path=*) scratch=(--scratch-path "${1#*=}"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown argument: $1" >&2; usage >&2; exit 64 ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "demo: --seconds needs a whole number" >&2; exit 64; }
[[ "$feed_count" =~ ^[1-9][0-9]*$ ]] || { echo "demo: --feeds needs a positive number" >&2; exit 64; }

say() { printf '%s\n' "$*" >&2; }

# 1. What is missing (redis-server, python3, curl, the -dev libraries).
command -v swift >/dev/null 2>&1 || { say "demo: swift is not on PATH (HubDiffer needs Swift 6.3)"; exit 69; }
scripts/install-deps.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hubdiffer-demo.XXXXXX")
redis_pid="" feeds_pid="" daemon_pid="" formatter_pid="" sleeper="" stopping=0 stopped_by=""

# Stops one process: SIGTERM, then SIGKILL after $2 seconds.
stop_pid() {
  local pid=$1 limit=$2 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  [ "$stopping" -eq 0 ] || return 0
  stopping=1
  trap '' INT TERM
  [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
  [ -z "$stopped_by" ] || { say ""; say "demo: $stopped_by; stopping…"; }
  # The daemon first (it exits 0 on SIGTERM), while redis still answers.
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    local i daemon_status=0
    for ((i = 0; i < 100; i++)); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$daemon_pid" 2>/dev/null && say "demo: hubdiffer did not stop within 10 s; killed"
    wait "$daemon_pid" 2>/dev/null || daemon_status=$?
    say "demo: hubdiffer stopped (exit status $daemon_status)"
  fi
  # Without --logs, what went wrong (if anything) in the daemon's log.
  if [ "$show_logs" -eq 0 ] && [ -s "$tmp/hubdiffer.log" ] && grep -qE ' (warning|error|critical) ' "$tmp/hubdiffer.log"; then
    say "demo: the daemon's log had warnings; the last ones:"
    grep -E ' (warning|error|critical) ' "$tmp/hubdiffer.log" | tail -n 5 >&2
  fi
  # The formatter ends by itself once the daemon's output is closed.
  if [ -n "$formatter_pid" ]; then
    for ((i = 0; i < 20; i++)); do kill -0 "$formatter_pid" 2>/dev/null || break; sleep 0.1; done
    stop_pid "$formatter_pid" 1
  fi
  stop_pid "$feeds_pid" 3
  stop_pid "$redis_pid" 5
  rm -rf "$tmp"
  [ -z "$stopped_by" ] || say "demo: stopped; the feed source and redis are gone, $tmp removed"
  # Stopped on purpose (Ctrl-C, --seconds): a success.
  if [ -n "$stopped_by" ] && [ "$status" -eq 130 -o "$status" -eq 143 -o "$status" -eq 0 ]; then status=0; fi
  exit "$status"
}
trap cleanup EXIT
trap 'stopped_by="interrupted"; exit 130' INT
trap 'stopped_by="terminated"; exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $2 seconds for a command ($3…) to succeed; $1 names what is awaited.
await() {
  local what=$1 limit=$2 i
  shift 2
  for ((i = 0; i < limit * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  say "demo: $what did not come up within $limit s"
  return 1
}

# 2. The release binary.
say "demo: building hubdiffer (swift build -c release; the first time takes a few minutes)…"
if ! swift build -c release --product hubdiffer "${scratch[@]}" >"$tmp/build.log" 2>&1; then
  tail -n 40 "$tmp/build.log" >&2
  say "demo: the build failed"
  exit 1
fi
hubdiffer="$(swift build -c release --product hubdiffer "${scratch[@]}" --show-bin-path)/hubdiffer"
[ -x "$hubdiffer" ] || { say "demo: no binary at $hubdiffer"; exit 1; }

# 3. A private redis-server: loopback, no persistence, in the temporary directory.
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$tmp" \
  --logfile "$tmp/redis.log" --daemonize no >/dev/null 2>&1 &
redis_pid=$!
redis_up() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null
  fi
}
await "redis-server on port $redis_port" 10 redis_up || { cat "$tmp/redis.log" >&2 2>/dev/null || true; exit 1; }

# The feed source, pinging the daemon's control endpoint after each new entry.
control_port=$(free_port)
ping_args=()
[ "$ping" -eq 0 ] || ping_args=(--ping "http://127.0.0.1:$control_port/ping")
python3 -u scripts/demo_feeds.py --feeds "$feed_count" --first-delay 7 "${ping_args[@]}" >"$tmp/feeds.out" 2>"$tmp/feeds.log" &
feeds_pid=$!
await "the feed source" 10 grep -q '^listening on ' "$tmp/feeds.out" || { cat "$tmp/feeds.log" >&2; exit 1; }
feeds_address=$(sed -n 's/^listening on //p' "$tmp/feeds.out" | head -n 1)

# 4. The feeds file, the shard map, and the daemon.
for ((id = 1; id <= feed_count; id++)); do echo "$id http://$feeds_address/feed/$id"; done >"$tmp/feeds.txt"
echo "0-9223372036854775807 redis://127.0.0.1:$redis_port/0" >"$tmp/shards.conf"

# One line per new entry: arrival time, feed ID, title, seconds since it was published, link.
formatter='
import calendar, json, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: drain what the daemon still writes
def seconds_since(stamp):
    try:
        return max(0, time.time() - calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None
for line in sys.stdin:
    try:
        entry = json.loads(line)
    except ValueError:
        print(line.rstrip("\n"), flush=True)
        continue
    age = seconds_since(entry.get("published") or entry.get("updated"))
    age = "" if age is None else "+%ds" % age
    title = " ".join((entry.get("title") or "(no title)").split())
    print("%s  feed %-3s  %-26s %5s  %s" % (time.strftime("%H:%M:%S"), entry.get("feed"), title, age,
                                           entry.get("link") or entry.get("id") or ""), flush=True)
'
printf '%s' "$formatter" >"$tmp/format_entries.py"
mkfifo "$tmp/entries"
python3 -u "$tmp/format_entries.py" <"$tmp/entries" &
formatter_pid=$!

daemon_args=(run --feeds "$tmp/feeds.txt" --shards "$tmp/shards.conf" --sink stdout
  --control "127.0.0.1:$control_port" --interval 5 --min-interval 2 --allow-private-addresses
  --pid-file "$tmp/hubdiffer.pid" --state-dir "$tmp/state")
if [ "$show_logs" -eq 1 ]; then
  "$hubdiffer" "${daemon_args[@]}" >"$tmp/entries" &
else
  "$hubdiffer" "${daemon_args[@]}" >"$tmp/entries" 2>"$tmp/hubdiffer.log" &
fi
daemon_pid=$!
health() { curl -fsS --max-time 1 "http://127.0.0.1:$control_port/health"; }
if ! await "hubdiffer's control endpoint (127.0.0.1:$control_port)" 15 health; then
  [ "$show_logs" -eq 1 ] || tail -n 20 "$tmp/hubdiffer.log" >&2
  exit 1
fi

pinging="each new entry is followed by a publisher's ping (POST feed=ID to /ping), so most show up within a second"
[ "$ping" -eq 1 ] || pinging="no publisher pings (--no-ping): new entries show up at the next poll"
stop_note="Ctrl-C stops everything"
[ "$seconds" -eq 0 ] || stop_note="stops by itself after $seconds s (or Ctrl-C)"
cat >&2 <<EOF

  HubDiffer demo — hubdiffer run is polling $feed_count local feeds (RSS and Atom) at http://$feeds_address/
  * The first poll of each feed records its backlog (5 entries) in redis without sending it.
  * Each feed gains an entry every 3-8 s; the daemon polls every 2-5 s and sends only entries it has
    not seen: $pinging.
  * Each line: arrival time, feed ID, title, seconds since the entry was published, link.
  * Metrics: curl http://127.0.0.1:$control_port/metrics   health: curl http://127.0.0.1:$control_port/health
  * Redis: 127.0.0.1:$redis_port (private, no persistence); files in $tmp$([ "$show_logs" -eq 1 ] || echo "
    (the daemon's log: $tmp/hubdiffer.log; --logs shows it here)")
  * $stop_note.

EOF

# 5. Wait for Ctrl-C, --seconds, or the daemon stopping on its own.
started=$SECONDS
while :; do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    daemon_status=0
    wait "$daemon_pid" 2>/dev/null || daemon_status=$?
    daemon_pid=""
    say "demo: hubdiffer exited on its own (exit status $daemon_status)"
    [ "$show_logs" -eq 1 ] || tail -n 20 "$tmp/hubdiffer.log" >&2
    exit 1
  fi
  if [ "$seconds" -gt 0 ] && [ $((SECONDS - started)) -ge "$seconds" ]; then
    sent=$(health 2>/dev/null | sed -n 's/.*"entries_sent":\([0-9]*\).*/\1/p')
    stopped_by="$seconds s are up, ${sent:-?} new entries sent"
    if [ "${sent:-0}" -eq 0 ]; then
      stopped_by="$seconds s are up and no new entry was sent"
      exit 1
    fi
    exit 0
  fi
  sleep 1 &
  sleeper=$!
  wait "$sleeper" 2>/dev/null || true
  sleeper=""
done
