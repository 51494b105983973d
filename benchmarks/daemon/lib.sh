# Shell helpers shared by the daemon benchmarks (run.sh, fresh.sh); sourced, not run.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() {  # utime+stime of the given pids, in clock ticks
  local total=0 p line
  for p in "$@"; do
    line=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    line=${line##*) }  # fields from 3 on
    set -- $line
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
metric_sum() {  # sum of every sample of a metric name (all label sets) in a /metrics text
  awk -v m="$2" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%.0f", s}' "$1"
}

# Stops the daemon of $daemon_pid (SIGTERM, then SIGKILL after 10 s) and forgets it.
stop_daemon() {
  [[ -n $daemon_pid ]] || return 0
  kill -TERM "$daemon_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}
