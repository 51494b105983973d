#!/usr/bin/env bash
# HTTPS polling on a NEW CONNECTION PER REQUEST (every GET a fresh TCP + TLS handshake), against a
# private nginx on loopback: the cost of trust anchors and handshakes per connection, and how
# close `hubdiffer bench fetch` comes to libcurl used at its best.
#
# Everything is made at run time in a temp directory (removed on exit): a private CA and a server
# certificate for 127.0.0.1/localhost (EC P-256, openssl); a CA bundle = the system bundle
# (/etc/ssl/certs/ca-certificates.crt, ~140 certificates: the realistic cost) + the private CA
# appended; a private nginx (its own -p prefix, `daemon off` in the background, WORKERS workers,
# a free port, `keepalive_timeout 0` so every request is a new connection, ssl_session_cache
# shared:SSL:10m and session tickets on, ssl_protocols TLS_PROTOCOLS — nginx 1.22's default lacks
# TLSv1.3 —, `etag off` + `if_modified_since off` so every answer is a 200 with the ~7 KB RSS
# body, hubdiffer's conditional GETs included, an access log of $ssl_session_reused); reference.c
# built with gcc -O2. Then ROUNDS rounds, each sending REQUESTS GETs with CONCURRENCY in flight by:
#
#  1. the reference (benchmarks/tls/reference.c: libcurl multi, easy handles reused, HTTP/1.1,
#     a share for SSL sessions and DNS, verification on) in each CA mode:
#       nocache  CURLOPT_CAINFO = bundle, Debian's default CAPATH left set (that disables the CA
#                cache: the bundle is parsed again for every connection; the naive way)
#       cache    CAINFO = bundle, CAPATH NULL, CURLOPT_CA_CACHE_TIMEOUT 86400 (libcurl's cache)
#       store    one X509_STORE loaded once, installed by CURLOPT_SSL_CTX_FUNCTION
#     and, unless NO_REUSE=0, each again with --no-session-reuse (every handshake a full one).
#     The nocache rows send NOCACHE_REQUESTS GETs, in the first round only: each of their
#     connections costs ~35 ms of CPU (OpenSSL 3.0 decoding the bundle);
#  2. `hubdiffer bench fetch URL --ca-file BUNDLE` (skipped, with a note, while $BIN is missing or
#     lacks --ca-file), its CPU taken by a wrapper (getrusage of the reaped child).
#
# Before measuring, every mode is checked to refuse the server when given the system bundle alone
# (verification really on), and a warm-up run is made. Prints a Markdown table of the medians over
# the rounds: req/s, CPU µs per request (whole process, user + sys), the protocol and the share of
# handshakes nginx resumed (all rounds), and each row against the fastest reference mode (req/s as
# a percentage, CPU as a factor). nginx shares the cores with the client (and whatever else runs):
# CPU per request is the steadier figure.
#
#   benchmarks/tls/run.sh
#   REQUESTS=4000 CONCURRENCY=64 WORKERS=2 benchmarks/tls/run.sh
#   TLS_PROTOCOLS=TLSv1.2 NO_REUSE=0 ROUNDS=1 benchmarks/tls/run.sh
#
# Environment: REQUESTS (2000), CONCURRENCY (32), ROUNDS (3), NOCACHE_REQUESTS (REQUESTS / 10, at
# least CONCURRENCY), WORKERS (nginx workers, 1), TLS_PROTOCOLS (nginx ssl_protocols, default
# "TLSv1.2 TLSv1.3"), NO_REUSE (1: also the rows without session reuse; 0: not), BIN (default
# .build/release/hubdiffer; copied aside before use), SYSTEM_BUNDLE
# (/etc/ssl/certs/ca-certificates.crt), KEEP=1 keeps the temp directory (certificates, nginx
# logs, per-run rows).
# Needs gcc, libcurl4-openssl-dev, libssl-dev, openssl, nginx, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${REQUESTS:-2000} concurrency=${CONCURRENCY:-32} rounds=${ROUNDS:-3} workers=${WORKERS:-1}
nocache_requests=${NOCACHE_REQUESTS:-$(( requests / 10 > concurrency ? requests / 10 : concurrency ))}
protocols=${TLS_PROTOCOLS:-TLSv1.2 TLSv1.3}
no_reuse=${NO_REUSE:-1} system_bundle=${SYSTEM_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
bin=${BIN:-.build/release/hubdiffer}
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || { echo "nginx is missing: run scripts/install-deps.sh" >&2; exit 1; }
for tool in gcc openssl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[[ -f /usr/include/openssl/ssl.h ]] || { echo "OpenSSL headers are missing: apt-get install -y libssl-dev" >&2; exit 1; }
[[ -f $system_bundle ]] || { echo "no system CA bundle at $system_bundle (set SYSTEM_BUNDLE)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d /tmp/hubdiffer-tls-bench.XXXXXX)
mkdir -p "$dir/www" "$dir/temp" "$dir/logs" "$dir/pki"
nginx_pid=""
cleanup() {
  if [[ -n $nginx_pid ]]; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- PKI: a private CA and a server certificate for 127.0.0.1 / localhost, EC P-256. ----------
pki=$dir/pki
cat > "$pki/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -config "$pki/openssl.cnf" -x509 "${ec[@]}" -keyout "$pki/ca.key" -out "$pki/ca.pem" \
  -days 2 -subj "/CN=HubDiffer TLS bench CA" -extensions ca 2>/dev/null
openssl req -config "$pki/openssl.cnf" -new "${ec[@]}" -keyout "$pki/server.key" -out "$pki/server.csr" \
  -subj "/CN=localhost" 2>/dev/null
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
  -days 2 -extfile "$pki/openssl.cnf" -extensions server -out "$pki/server.pem" 2>/dev/null
openssl verify -CAfile "$pki/ca.pem" "$pki/server.pem" >/dev/null
bundle=$dir/bundle.pem
cat "$system_bundle" "$pki/ca.pem" > "$bundle"
certs=$(grep -c 'BEGIN CERTIFICATE' "$bundle")

# --- The document: one RSS file of 20 items (~7 KB). -------------------------------------------
python3 - "$dir/www/feed.xml" <<'PY'
import sys, email.utils
items = []
for i in range(20):
    date = email.utils.formatdate(1763700000 - 3600 * i, usegmt=True)
    items.append(
        f"<item><title>Item {i}: a headline of ordinary length</title>"
        f"<link>https://example.com/posts/{i}</link><guid isPermaLink=\"false\">item-{i}</guid>"
        f"<pubDate>{date}</pubDate><description>&lt;p&gt;Paragraph {i}, with some markup "
        f"and enough text to look like a summary of a blog post of the usual kind.&lt;/p&gt;</description></item>\n")
open(sys.argv[1], "w").write(
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
    "<title>Bench feed</title><link>https://example.com/</link>"
    f"<description>benchmark feed</description>\n{''.join(items)}</channel></rss>\n")
PY

# --- nginx: HTTPS, no keep-alive, sessions resumable (cache and tickets). ----------------------
port=$(free_port)
user=""; [[ $(id -u) -eq 0 ]] && user="user root;"
cat > "$dir/nginx.conf" <<CONF
$user
daemon off;
worker_processes $workers;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
  log_format tls '\$ssl_session_reused \$ssl_protocol \$status';
  access_log $dir/logs/access.log tls;
  client_body_temp_path $dir/temp/body; proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi; uwsgi_temp_path $dir/temp/uwsgi; scgi_temp_path $dir/temp/scgi;
  keepalive_timeout 0;
  etag off; if_modified_since off;
  types { application/rss+xml xml; }
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $pki/server.pem;
    ssl_certificate_key $pki/server.key;
    ssl_protocols $protocols;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 1h;
    ssl_session_tickets on;
    root $dir/www;
  }
}
CONF
"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" &
nginx_pid=$!
url="https://127.0.0.1:$port/feed.xml"
for _ in $(seq 50); do curl -sf --cacert "$pki/ca.pem" -o /dev/null "$url" && break; sleep 0.1; done
curl -sf --cacert "$pki/ca.pem" -o /dev/null "$url" || { echo "nginx does not serve $url" >&2; cat "$dir/logs/error.log" >&2; exit 1; }
body_bytes=$(curl -sf --cacert "$pki/ca.pem" "$url" | wc -c)

# --- The reference. -----------------------------------------------------------------------------
gcc -O2 -Wall -o "$dir/reference" benchmarks/tls/reference.c -lcurl -lssl -lcrypto
ref=$dir/reference
modes=(nocache cache store)
for mode in "${modes[@]}"; do  # verification on: the system bundle alone must not do
  if "$ref" --ca "$mode" --requests 1 --concurrency 1 "$system_bundle" "$url" > /dev/null 2> "$dir/refused.txt"; then
    echo "reference --ca $mode accepted the server without the private CA: verification is off" >&2; exit 1
  fi
  grep -qi 'certificate' "$dir/refused.txt" || { echo "reference --ca $mode failed, not on the certificate:" >&2; cat "$dir/refused.txt" >&2; exit 1; }
done
"$ref" --ca cache --requests 100 --concurrency "$concurrency" "$bundle" "$url" > /dev/null  # warm-up

log_lines() { wc -l < "$dir/logs/access.log"; }
handshakes_since() {  # "RESUMED LINES PROTOCOLS": the access log's lines after line $1
  awk -v from="$1" 'NR > from { n++; if ($1 == "r") r++; if (!seen[$2]++) p = p (p ? "+" : "") $2 }
    END { printf "%d\t%d\t%s", r, n, p ? p : "-" }' "$dir/logs/access.log"
}
cpu_of() {  # runs "$@" (stdout passed through), then writes its CPU seconds (user + sys) to $dir/cpu
  python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{u.ru_utime + u.ru_stime:.6f}\n")
sys.exit(r.returncode)' "$dir/cpu" "$@"
}
note=""
if [[ ! -x $bin ]]; then
  note="hubdiffer skipped: no $bin (swift build -c release --product hubdiffer)"
elif ! "$bin" bench fetch --help 2>&1 | grep -q -- '--ca-file'; then
  note="hubdiffer skipped: \`$bin bench fetch\` has no --ca-file yet"
else
  cp "$bin" "$dir/hubdiffer"  # a rebuild during the run changes nothing
fi

rows=$dir/rows.tsv  # label, requests, req/s, µs/request, resumed, handshakes, protocols, reference (1/0)
: > "$rows"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "$requests requests ($nocache_requests for nocache), $concurrency concurrent, $rounds rounds, $url, bundle of $certs certificates, body $body_bytes bytes, nginx workers $workers" >&2
runs=()
for mode in "${modes[@]}"; do runs+=("$mode"); done
if [[ $no_reuse == 1 ]]; then for mode in "${modes[@]}"; do runs+=("$mode --no-session-reuse"); done; fi
for round in $(seq "$rounds"); do
  # --- The reference in each mode (nocache in the first round only: ~35 ms a request). ----------
  for run in "${runs[@]}"; do
    n=$requests
    if [[ $run == nocache* ]]; then (( round == 1 )) || continue; n=$nocache_requests; fi
    read -r -a args <<< "--ca $run"
    from=$(log_lines)
    line=$("$ref" "${args[@]}" --requests "$n" --concurrency "$concurrency" "$bundle" "$url")
    echo "round $round: reference $line" >&2
    rate=$(sed -E 's/.* ([0-9]+) req\/s.*/\1/' <<<"$line")
    us=$(sed -E 's/.* ([0-9]+) µs\/request.*/\1/' <<<"$line")
    printf '%s\t%s\t%s\t%s\t%s\t1\n' "reference --ca $run" "$n" "$rate" "$us" "$(handshakes_since "$from")" >> "$rows"
  done
  # --- hubdiffer bench fetch (its first GET, for validators, is one more request). ---------------
  if [[ -z $note ]]; then
    from=$(log_lines)
    line=$(cpu_of "$dir/hubdiffer" bench fetch "$url" --allow-private-addresses \
      --requests "$requests" --concurrency "$concurrency" --ca-file "$bundle")
    echo "round $round: hubdiffer $line (CPU $(cat "$dir/cpu") s)" >&2
    rate=$(sed -E 's/.*: ([0-9]+) req\/s.*/\1/' <<<"$line")
    ok=$(sed -E 's/.*200=([0-9]+).*/\1/' <<<"$line") other=$(sed -E 's/.*other=([0-9]+).*/\1/' <<<"$line")
    [[ $ok =~ ^[0-9]+$ && $other =~ ^[0-9]+$ ]] && (( other == 0 && ok == requests )) \
      || { echo "hubdiffer: not every request answered 200: $line" >&2; exit 1; }
    us=$(awk -v c="$(cat "$dir/cpu")" -v n="$requests" 'BEGIN {printf "%.0f", 1e6 * c / n}')
    printf '%s\t%s\t%s\t%s\t%s\t0\n' "hubdiffer bench fetch --ca-file" "$requests" "$rate" "$us" "$(handshakes_since "$from")" >> "$rows"
  fi
done

echo
echo "## HTTPS, a new connection per request: $concurrency in flight, median of $rounds rounds (nocache: 1) (bundle of $certs certificates, nginx workers $workers, $(nproc) cores, load average before: $load)"
python3 - "$rows" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    label, n, rate, us, resumed, total, protocols, ref = line.rstrip("\n").split("\t")
    r = rows.setdefault(label, {"n": int(n), "rate": [], "us": [], "resumed": 0, "total": 0, "protocols": set(), "ref": ref == "1"})
    r["rate"].append(float(rate)); r["us"].append(float(us))
    r["resumed"] += int(resumed); r["total"] += int(total); r["protocols"].update(protocols.split("+"))
for r in rows.values():
    r["rate"], r["us"] = statistics.median(r["rate"]), statistics.median(r["us"])
best_label = max((l for l in rows if rows[l]["ref"]), key=lambda l: rows[l]["rate"])
best = rows[best_label]
print("| mode | requests × rounds | req/s | CPU µs/request | TLS, resumed | vs fastest reference (req/s, CPU) |")
print("|---|---:|---:|---:|---:|---|")
for label, r in rows.items():
    rounds = len([1 for _ in open(sys.argv[1]) if _.split("\t")[0] == label])
    vs = "fastest" if label == best_label else f"{100 * r['rate'] / best['rate']:.0f}%, {r['us'] / best['us']:.2f}× CPU"
    share = 100 * r["resumed"] / r["total"] if r["total"] else 0
    print(f"| {label} | {r['n']} × {rounds} | {r['rate']:.0f} | {r['us']:.0f} | {'+'.join(sorted(r['protocols']))} {share:.1f}% | {vs} |")
PY
[[ -z $note ]] || { echo; echo "$note"; }
