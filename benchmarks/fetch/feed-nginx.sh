# Sourced by the fetch benchmarks: a private nginx on loopback (one worker, keep-alive, `etag on`)
# serving a 50-item RSS file at /feed.xml, everything in DIR.
#
#   source benchmarks/fetch/feed-nginx.sh
#   start_feed_nginx DIR PORT     # sets feed_url; stop_feed_nginx DIR stops it

nginx=$(command -v nginx || echo /usr/sbin/nginx)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_feed_nginx() {
  local dir=$1 port=$2 user=""
  mkdir -p "$dir/www" "$dir/temp" "$dir/logs"
  [[ $(id -u) -eq 0 ]] && user="user root;"
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
  feed_url="http://127.0.0.1:$port/feed.xml"
  for _ in $(seq 50); do curl -s -o /dev/null "$feed_url" && return 0; sleep 0.1; done
  echo "nginx did not start:" >&2; cat "$dir/logs/error.log" >&2; return 1
}

stop_feed_nginx() { "$nginx" -p "$1" -c "$1/nginx.conf" -e "$1/logs/error.log" -s stop 2>/dev/null || true; }
