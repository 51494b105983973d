#!/usr/bin/env python3
"""A local feed source for scripts/demo.sh: sample feeds that keep growing.

Serves N feeds on loopback, RSS 2.0 and Atom 1.0 mixed:

    GET /feed/ID            the feed document (the newest --keep entries)
    GET /entry/ID/NUMBER    a small HTML page, the link of an entry
    GET /                   a plain-text index of the feeds

Every feed starts with a backlog of --backlog entries and gains a new one every
--min-gap to --max-gap seconds (random, per feed). Documents carry an ETag and a
Last-Modified; a matching If-None-Match or If-Modified-Since gets 304 Not Modified.

With --ping URL, each new entry is followed by a publisher's ping: a POST of
feed=ID (application/x-www-form-urlencoded) to URL, e.g. the daemon's
http://127.0.0.1:8425/ping, so the daemon polls the feed at once.

The first line on standard output is `listening on 127.0.0.1:PORT`; with
--verbose, requests and pings are logged on standard error. Python 3 standard
library only.
"""

import argparse
import email.utils
import heapq
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

TOPICS = [
    "release notes", "a benchmark", "the parser", "Redis sharding", "a bug fix",
    "conditional GETs", "WebSub pings", "the scheduler", "a new contributor",
    "retention", "the metrics", "an outage report", "feed formats", "libcurl",
    "the roadmap", "a design note", "back-off rules", "the shard map",
]


class Feed:
    def __init__(self, feed_id, kind, backlog, now):
        self.id = feed_id
        self.kind = kind  # "rss" or "atom"
        self.title = f"Demo feed {feed_id}"
        self.entries = []  # (number, unix time), oldest first
        self.lock = threading.Lock()
        for n in range(1, backlog + 1):
            # The backlog: one entry an hour, the newest a minute ago.
            self.entries.append((n, int(now) - 60 - 3600 * (backlog - n)))
        self.modified = int(now)

    def add(self, now):
        with self.lock:
            number = self.entries[-1][0] + 1 if self.entries else 1
            self.entries.append((number, int(now)))
            self.modified = int(now)
            return number

    def etag(self):
        return f'"demo-{self.id}-{self.entries[-1][0] if self.entries else 0}"'


def entry_title(feed, number):
    return f"Demo feed {feed.id}: entry {number}"


def entry_summary(feed, number):
    topic = TOPICS[(feed.id * 7 + number) % len(TOPICS)]
    return f"Entry {number} of {feed.title}, about {topic}."


def render(feed, base, keep):
    """The feed document (bytes) and its content type."""
    with feed.lock:
        entries = list(reversed(feed.entries[-keep:]))  # newest first
        modified = feed.modified
    feed_url = f"{base}/feed/{feed.id}"
    if feed.kind == "rss":
        items = []
        for number, when in entries:
            link = f"{base}/entry/{feed.id}/{number}"
            items.append(
                "<item>"
                f"<title>{escape(entry_title(feed, number))}</title>"
                f"<link>{escape(link)}</link>"
                f'<guid isPermaLink="false">demo-feed-{feed.id}-entry-{number}</guid>'
                f"<description>{escape(entry_summary(feed, number))}</description>"
                f"<category>demo</category>"
                f"<pubDate>{email.utils.formatdate(when, usegmt=True)}</pubDate>"
                "</item>"
            )
        document = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0"><channel>'
            f"<title>{escape(feed.title)}</title>"
            f"<link>{escape(base)}/</link>"
            f"<description>A sample RSS 2.0 feed that gains entries every few seconds.</description>"
            f"<lastBuildDate>{email.utils.formatdate(modified, usegmt=True)}</lastBuildDate>"
            + "".join(items)
            + "</channel></rss>\n"
        )
        return document.encode("utf-8"), "application/rss+xml; charset=utf-8"
    items = []
    for number, when in entries:
        link = f"{base}/entry/{feed.id}/{number}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
        items.append(
            "<entry>"
            f"<title>{escape(entry_title(feed, number))}</title>"
            f'<link rel="alternate" href="{escape(link)}"/>'
            f"<id>tag:demo.hubdiffer.invalid,2026:feed-{feed.id}/entry-{number}</id>"
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f"<author><name>Demo author {feed.id}</name></author>"
            f'<category term="demo"/>'
            f"<summary>{escape(entry_summary(feed, number))}</summary>"
            "</entry>"
        )
    document = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(feed.title)}</title>"
        f"<id>tag:demo.hubdiffer.invalid,2026:feed-{feed.id}</id>"
        f'<link rel="self" href="{escape(feed_url)}"/>'
        f'<link rel="alternate" href="{escape(base)}/"/>'
        f"<updated>{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(modified))}</updated>"
        + "".join(items)
        + "</feed>\n"
    )
    return document.encode("utf-8"), "application/atom+xml; charset=utf-8"


def make_handler(feeds, options, log):
    class Handler(BaseHTTPRequestHandler):
        server_version = "demo-feeds/1"
        protocol_version = "HTTP/1.1"

        def base(self):
            host, port = self.server.server_address[:2]
            return f"http://{host}:{port}"

        def send(self, status, body=b"", content_type="text/plain; charset=utf-8", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304 and self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            if parts == [""]:
                lines = [f"{f.id} {self.base()}/feed/{f.id} ({f.kind})" for f in feeds.values()]
                return self.send(200, ("\n".join(lines) + "\n").encode())
            if len(parts) == 2 and parts[0] == "feed" and parts[1].isdigit() and int(parts[1]) in feeds:
                feed = feeds[int(parts[1])]
                with feed.lock:
                    etag, modified = feed.etag(), feed.modified
                headers = [("ETag", etag), ("Last-Modified", email.utils.formatdate(modified, usegmt=True)),
                           ("Cache-Control", "no-cache")]
                match = self.headers.get("If-None-Match")
                since = self.headers.get("If-Modified-Since")
                not_modified = False
                if match is not None:
                    not_modified = etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
                elif since is not None:
                    try:
                        not_modified = email.utils.parsedate_to_datetime(since).timestamp() >= modified
                    except (TypeError, ValueError):
                        not_modified = False
                if not_modified:
                    return self.send(304, headers=headers)
                body, content_type = render(feed, self.base(), options.keep)
                return self.send(200, body, content_type, headers)
            if len(parts) == 3 and parts[0] == "entry" and parts[1].isdigit() and parts[2].isdigit():
                feed = feeds.get(int(parts[1]))
                if feed is not None:
                    title = escape(entry_title(feed, int(parts[2])))
                    body = f"<!doctype html><title>{title}</title><h1>{title}</h1>\n".encode()
                    return self.send(200, body, "text/html; charset=utf-8")
            self.send(404, b"not found\n")

        def log_message(self, format, *args):
            if options.verbose:
                log(f"{self.address_string()} {format % args}")

    return Handler


def ping(url, feed_id, log, verbose):
    request = urllib.request.Request(url, data=f"feed={feed_id}".encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            if verbose:
                log(f"ping feed={feed_id}: {response.status}")
    except urllib.error.HTTPError as error:
        log(f"ping feed={feed_id}: HTTP {error.code}")
    except OSError as error:
        if verbose:
            log(f"ping feed={feed_id}: {error}")


def grow(feeds, options, stop, log):
    """Adds an entry to each feed every min-gap..max-gap seconds; pings when asked."""
    rng = random.Random(options.seed)
    now = time.monotonic()
    # The first new entries come soon after start, spread out.
    due = [(now + rng.uniform(options.first_delay, options.first_delay + options.max_gap), feed_id)
           for feed_id in feeds]
    heapq.heapify(due)
    while not stop.is_set():
        when, feed_id = due[0]
        delay = when - time.monotonic()
        if delay > 0:
            stop.wait(min(delay, 0.5))
            continue
        heapq.heapreplace(due, (when + rng.uniform(options.min_gap, options.max_gap), feed_id))
        number = feeds[feed_id].add(time.time())
        if options.verbose:
            log(f"feed {feed_id}: entry {number} added")
        if options.ping:
            threading.Thread(target=ping, args=(options.ping, feed_id, log, options.verbose), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free one)")
    parser.add_argument("--feeds", type=int, default=20, help="how many feeds, IDs 1..N (default 20)")
    parser.add_argument("--backlog", type=int, default=5, help="entries each feed starts with (default 5)")
    parser.add_argument("--keep", type=int, default=20, help="entries a document holds, newest first (default 20)")
    parser.add_argument("--min-gap", type=float, default=3.0, help="shortest gap between a feed's new entries, s (default 3)")
    parser.add_argument("--max-gap", type=float, default=8.0, help="longest gap between a feed's new entries, s (default 8)")
    parser.add_argument("--first-delay", type=float, default=3.0,
                        help="no new entry before this many seconds after start (default 3)")
    parser.add_argument("--ping", metavar="URL", help="POST feed=ID to URL after each new entry (a publisher's ping)")
    parser.add_argument("--seed", type=int, help="random seed (default: different each run)")
    parser.add_argument("--verbose", action="store_true", help="log requests, new entries and pings on standard error")
    options = parser.parse_args()
    if options.feeds < 1 or options.min_gap <= 0 or options.max_gap < options.min_gap or options.keep < 1:
        parser.error("need --feeds >= 1, --keep >= 1 and 0 < --min-gap <= --max-gap")

    log_lock = threading.Lock()

    def log(message):
        with log_lock:
            print(f"demo_feeds: {message}", file=sys.stderr, flush=True)

    now = time.time()
    feeds = {i: Feed(i, "rss" if i % 2 else "atom", options.backlog, now) for i in range(1, options.feeds + 1)}
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((options.host, options.port), make_handler(feeds, options, log))
    host, port = server.server_address[:2]
    print(f"listening on {host}:{port}", flush=True)

    stop = threading.Event()
    # SIGTERM and SIGINT: stop quietly (SIGINT may be ignored when started in the background).
    def on_signal(signum, frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, on_signal)

    threading.Thread(target=grow, args=(feeds, options, stop, log), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()


if __name__ == "__main__":
    main()
