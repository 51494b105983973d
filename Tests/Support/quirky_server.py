#!/usr/bin/env python3
"""A badly behaved HTTP/1.1 server for HubDiffer's fetcher tests (standard library only).

Run as `python3 quirky_server.py --host HOST --port 0`: prints the bound port as its first
line on stdout, then serves until killed. Every response is framed (Content-Length or chunked)
so keep-alive clients never wait for a body that is not coming.

Paths (GET):
  /feed/plain[?items=N]      200 RSS 2.0, items a1..aN (default 2), no validators
  /feed/same-etag            200 with ETag "v1", If-None-Match ignored
  /feed/weak-etag            ETag W/"abc" + Last-Modified; 304 iff If-None-Match is exactly W/"abc"
  /gzip                      the feed gzip-compressed when Accept-Encoding mentions gzip
  /big?mb=N                  N MiB of comment filler with Content-Length, streamed
  /big-chunked?mb=N          the same, chunked
  /loop                      302 to itself
  /redirect?code=C&to=URL    status C with Location: URL
  /status?code=C&retry-after=V  status C, Retry-After: V when given
  /slow                      Content-Length 1000, then one byte a second
  /big-header?bytes=N        a feed with one response header of N bytes (default 200,000)
  /cache?cc=V                200 feed with Cache-Control: V (repeat cc for several header
                             lines) and ETag "c1"; 304 (same Cache-Control) iff If-None-Match is "c1"
  /headers                   JSON headers of the latest request to any other path
  /log                       JSON [{"path", "headers"}] of every request but /log and /headers
  /sink/log                  JSON [{"path", "status", "content_type", "body"}] of every POST /sink

Paths (POST; the body is read by Content-Length):
  /sink?fail=N&status=C&retry-after=V&body=TEXT
                             the first N POSTs with this same query answer status C (default
                             500, with Retry-After: V when given, body TEXT or "failed N"),
                             later ones 200 {"ok":true}; every POST is recorded for /sink/log
  /redirect, /big, /big-chunked, /status  as for GET (the body is read and dropped)
Any other POST: 404.
"""

import argparse
import gzip
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MIB = 1024 * 1024
CHUNK = 64 * 1024
LAST_MODIFIED = "Mon, 02 Feb 2026 10:00:00 GMT"
RSS_TYPE = "application/rss+xml; charset=utf-8"
# 64 bytes a line, so a 64 KiB chunk is 1024 whole lines.
FILLER_LINE = b"<!-- filler " + b"." * 47 + b" -->\n"
assert len(FILLER_LINE) == 64
FILLER = FILLER_LINE * (CHUNK // len(FILLER_LINE))


def feed(items=2):
    entries = "".join(
        f"    <item><title>Item {n}</title><link>http://example.com/a{n}</link>"
        f"<guid isPermaLink=\"false\">a{n}</guid></item>\n"
        for n in range(1, items + 1)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0">\n  <channel>\n'
        "    <title>Quirky</title>\n    <link>http://example.com/</link>\n"
        "    <description>Test feed</description>\n"
        f"{entries}  </channel>\n</rss>\n"
    ).encode("utf-8")


class Journal:
    """Every request's target and headers, kept for /log and /headers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def record(self, path, headers):
        with self.lock:
            self.entries.append({"path": path, "headers": headers})

    def all(self):
        with self.lock:
            return list(self.entries)

    def latest_headers(self):
        with self.lock:
            return self.entries[-1]["headers"] if self.entries else {}


JOURNAL = Journal()


class SinkRecorder:
    """Every POST /sink: what came and what was answered; failures counted by query."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []
        self.failed = {}

    def answer(self, query_text, fail):
        """True when this POST must fail (and counts it)."""
        with self.lock:
            done = self.failed.get(query_text, 0)
            if done < fail:
                self.failed[query_text] = done + 1
                return True
            return False

    def record(self, entry):
        with self.lock:
            self.posts.append(entry)

    def all(self):
        with self.lock:
            return list(self.posts)


SINK = SinkRecorder()
RUNNING_LOCK = threading.Lock()
RUNNING = 0
MOST_RUNNING = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "quirky/1"

    def log_message(self, format, *args):  # quiet
        pass

    # -- helpers ---------------------------------------------------------------------------

    def query(self):
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def int_arg(self, name, default):
        try:
            return int(self.query().get(name, default))
        except ValueError:
            return default

    def lower_headers(self):
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return headers

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status in (204, 304) or status < 200:
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def feed_body(self):
        return feed(max(0, self.int_arg("items", 2)))

    # -- routes ----------------------------------------------------------------------------

    def do_GET(self):
        path = urlsplit(self.path).path
        if path not in ("/log", "/headers", "/most-concurrent", "/sink/log"):
            JOURNAL.record(self.path, self.lower_headers())
        route = ROUTES.get(path)
        try:
            if route is None:
                self.reply(404, b"not found\n", [("Content-Type", "text/plain")])
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        JOURNAL.record(self.path, self.lower_headers())
        try:
            if split.path == "/sink":
                self.sink(split.query, body)
            elif split.path in POST_ROUTES:
                POST_ROUTES[split.path](self)
            else:
                self.reply(404, b"not found\n", [("Content-Type", "text/plain")])
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def sink(self, query_text, body):
        query = self.query()
        fail = self.int_arg("fail", 0)
        if SINK.answer(query_text, fail):
            status = self.int_arg("status", 500)
            headers = [("Content-Type", "text/plain")]
            if "retry-after" in query:
                headers.append(("Retry-After", query["retry-after"]))
            answer = query.get("body", f"failed {fail}").encode()
        else:
            status = 200
            headers = [("Content-Type", "application/json")]
            answer = b'{"ok":true}'
        SINK.record({
            "path": self.path,
            "status": status,
            "content_type": self.headers.get("Content-Type"),
            "body": body.decode("utf-8", "replace"),
            "time": time.time(),
        })
        self.reply(status, answer, headers)

    def sink_log(self):
        body = json.dumps(SINK.all()).encode()
        self.reply(200, body, [("Content-Type", "application/json")])

    def cache(self):
        values = parse_qs(urlsplit(self.path).query, keep_blank_values=True).get("cc", [])
        headers = [("ETag", '"c1"')] + [("Cache-Control", value) for value in values]
        if self.headers.get("If-None-Match") == '"c1"':
            self.reply(304, headers=headers)
        else:
            self.reply(200, self.feed_body(), [("Content-Type", RSS_TYPE)] + headers)

    def delayed(self):
        """/delay?ms=N: the plain feed after N milliseconds; tracks how many run at once."""
        global RUNNING, MOST_RUNNING
        with RUNNING_LOCK:
            RUNNING += 1
            MOST_RUNNING = max(MOST_RUNNING, RUNNING)
        try:
            time.sleep(self.int_arg("ms", 100) / 1000)
            self.reply(200, self.feed_body(), [("Content-Type", "application/rss+xml")])
        finally:
            with RUNNING_LOCK:
                RUNNING -= 1

    def most_concurrent(self):
        """/most-concurrent: the most /delay requests that ran at once."""
        self.reply(200, str(MOST_RUNNING).encode(), [("Content-Type", "text/plain")])

    def plain(self):
        self.reply(200, self.feed_body(), [("Content-Type", RSS_TYPE)])

    def same_etag(self):
        self.reply(200, self.feed_body(), [("Content-Type", RSS_TYPE), ("ETag", '"v1"')])

    def weak_etag(self):
        validators = [("ETag", 'W/"abc"'), ("Last-Modified", LAST_MODIFIED)]
        if self.headers.get("If-None-Match") == 'W/"abc"':
            self.reply(304, headers=validators)
        else:
            self.reply(200, self.feed_body(), [("Content-Type", RSS_TYPE)] + validators)

    def gzipped(self):
        body = self.feed_body()
        headers = [("Content-Type", RSS_TYPE), ("Vary", "Accept-Encoding")]
        if "gzip" in self.headers.get("Accept-Encoding", "").lower():
            body = gzip.compress(body, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        self.reply(200, body, headers)

    def big(self, chunked=False):
        try:
            total = max(0, int(float(self.query().get("mb", "1")) * MIB))
        except ValueError:
            total = MIB
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        left = total
        while left > 0:
            piece = FILLER[: min(CHUNK, left)]
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            left -= len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def big_chunked(self):
        self.big(chunked=True)

    def loop(self):
        self.reply(302, headers=[("Location", "/loop")])

    def redirect(self):
        query = self.query()
        self.reply(self.int_arg("code", 302), headers=[("Location", query.get("to", "/feed/plain"))])

    def status(self):
        code = self.int_arg("code", 500)
        headers = [("Content-Type", "text/plain")]
        retry_after = self.query().get("retry-after")
        if retry_after is not None:
            headers.append(("Retry-After", retry_after))
        self.reply(code, f"status {code}\n".encode(), headers)

    def big_header(self):
        # One response header of ?bytes=N bytes (default 200,000: over libcurl's 100 KB limit).
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("X-Padding", "a" * self.int_arg("bytes", 200_000))
        body = self.feed_body()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def slow(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.flush()
        for _ in range(1000):
            self.wfile.write(b".")
            self.wfile.flush()
            time.sleep(1)

    def headers_of_latest(self):
        body = json.dumps(JOURNAL.latest_headers()).encode()
        self.reply(200, body, [("Content-Type", "application/json")])

    def log(self):
        body = json.dumps(JOURNAL.all()).encode()
        self.reply(200, body, [("Content-Type", "application/json")])


ROUTES = {
    "/feed/plain": Handler.plain,
    "/big-header": Handler.big_header,
    "/feed/same-etag": Handler.same_etag,
    "/feed/weak-etag": Handler.weak_etag,
    "/gzip": Handler.gzipped,
    "/big": Handler.big,
    "/big-chunked": Handler.big_chunked,
    "/loop": Handler.loop,
    "/redirect": Handler.redirect,
    "/status": Handler.status,
    "/slow": Handler.slow,
    "/headers": Handler.headers_of_latest,
    "/log": Handler.log,
    "/delay": Handler.delayed,
    "/most-concurrent": Handler.most_concurrent,
    "/cache": Handler.cache,
    "/sink/log": Handler.sink_log,
}

POST_ROUTES = {path: ROUTES[path] for path in ("/redirect", "/big", "/big-chunked", "/status")}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):  # clients hanging up are expected
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    # Foundation's Process can hand its child a mask with SIGTERM blocked: make it deadly again.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server = Server((arguments.host, arguments.port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
