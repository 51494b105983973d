#!/usr/bin/env python3
"""A farm of N changing feeds for HubDiffer's end-to-end daemon test (standard library only).

Run as `python3 feed_farm.py --port 0 --feeds 1000 --rounds 10 --seed 1 [--host 127.0.0.1]`.
The first stdout line is `listening on HOST:PORT` (flushed); then it serves until SIGTERM or
SIGINT, and exits with status 0. HTTP/1.1 with keep-alive; every response has a Content-Length
(304s have no body). Everything served is a pure function of (seed, feed, round, HOST:PORT):
two runs with the same arguments on the same port serve the same bytes.

Rounds
  The farm starts in round 0 (the backlog: 5-15 entries a feed). `POST /control/advance` moves
  to the next round. Feeds change in rounds 1..R (R = --rounds); from round R+1 on every feed
  serves its round-R document (only the 410/429 rules below still look at the round number).
  Each round a feed changes with probability 0.6: it gains 0-3 new entries, and with
  probability 0.3 loses its 1-2 oldest; a document keeps its 20 newest at most and never fewer
  than 5. An entry that left a feed's document never comes back, so the store evicting it can
  never make it new again (and over 10 rounds a feed has at most 15 + 30 = 45 entries in all,
  under the store's smallest retention bound, 50, so nothing is evicted anyway).
  A document with the same entries in the same order is the same bytes in every round.

Entries
  Entry n of feed i (n counts from 0 per feed) has the link `http://HOST:PORT/entry/{i}/{n}`
  (absolute, unique across the farm; the farm answers 404 there), the title
  `Feed {i} entry {n}`, a summary, and per the content kind a GUID/id and a date. Documents list
  the newest entry first (except the reordered rounds of `rss-reorder`).

Kinds: feed i has kind "CONTENT+SERVER" or "CONTENT+SERVER+SPECIAL" (GET /control/kinds)
  CONTENT = CONTENTS[i % 8]:
    0 rss-guid       RSS 2.0, unique <guid isPermaLink="false">farm-{i}-{n}</guid>, pubDate
    1 atom           Atom 1.0, <id>urn:hubdiffer-farm:{i}:{n}</id>, published + updated
    2 rss-no-guid    RSS 2.0 without any <guid> (entries known by their link), pubDate
    3 rss-same-guid  RSS 2.0, every item has <guid isPermaLink="false">farm-{i}-same</guid>
                     (told apart by link; documents always hold >= 5 items), pubDate
    4 rss-undated    RSS 2.0 with unique GUIDs and no pubDate at all
    5 rss-old-dates  RSS 2.0 with unique GUIDs; the backlog dated 2024, every entry added
                     later dated 2009-2015 (older than everything already in the set)
    6 rss-reorder    RSS 2.0 with unique GUIDs; in odd rounds <= R the items are shuffled
                     (so the body changes while the entries do not)
    7 atom-remove    Atom 1.0 as `atom`; in most changing rounds one entry that is not the
                     newest also leaves the document (besides the oldest-first trimming)
  SERVER = SERVERS[(i // 8) % 4]:
    0 etag           strong ETag "{i}-{sha1 of body, 16 hex}"; 304 when any tag of
                     If-None-Match equals it (or is *); If-Modified-Since ignored
    1 last-modified  Last-Modified = 2024-06-01 00:00:00 GMT + (the round the body last
                     changed) hours; 304 when If-Modified-Since parses to that time or later
    2 none           no validators at all: always 200 (the same bytes while unchanged)
    3 weak-etag      ETag W/"{i}-r{round the body last changed}"; 304 only when If-None-Match
                     is exactly that string (or one of its comma-separated tags is)
  SPECIAL by i % 125 (so 8 feeds of each among 1,000, of all 8 contents):
    13 moved      from round 2 on, /feed/{i} answers 301 Location: http://HOST:PORT/moved/{i}
                  (any validators); /moved/{i} always serves the feed (same body and rules)
    37 gone       from round 5 on, 410 Gone forever (/feed/{i})
    61 throttled  in rounds 1, 4, 7, ... (k % 3 == 1, k <= R) the FIRST request of that
                  round for the feed answers 429 with Retry-After: 1; later ones are normal
  304s repeat the validator header; 200s are `application/rss+xml; charset=utf-8` or
  `application/atom+xml; charset=utf-8`. Requests for i >= N, or /moved/{i} of a feed that
  is not `moved`, get 404 (logged with status 404, which should never happen).

HTTP API
  GET  /feed/{i}, /moved/{i}      the feed (above); every response is logged
  GET  /control/round             {"round": k}
  POST /control/advance           next round; {"round": k} (the new one)
  GET  /control/kinds             {"0": "rss-guid+etag", ..., "13": "...+moved", ...}
  GET  /control/config            {"feeds": N, "rounds": R, "seed": S, "base": "http://HOST:PORT",
                                   "round": k, "contents": [...], "servers": [...],
                                   "specials": {"13": "moved", "37": "gone", "61": "throttled"},
                                   "special_modulus": 125}
  GET  /control/served[?since=N]  the served log from line N (default 0) as JSON lines, one
                                  a response: {"feed": i, "round": k, "status": 200|304|301|
                                  410|429|404, "path": "/feed/i", "links": [...], "t": secs}
                                  `links` are those of the body, in document order, for 200s
                                  ([] otherwise); `round` is the round when the request came
                                  in; `t` is time.monotonic() (CLOCK_MONOTONIC, the same clock
                                  as Swift's ContinuousClock/DispatchTime on Linux). The header
                                  X-Served-Total gives the log's length. A 301 and the request
                                  it leads to are two lines, both under the feed's index.
  GET  /control/stats[?round=k]   (default: the current round) {"round": k, "requests": n,
                                  "feeds_polled": m, "gone_before": g, "awaiting": a,
                                  "statuses": {"200": x, ...}}: requests = logged responses in
                                  round k; feeds_polled = distinct feeds that got a 200, 304
                                  or 410 in round k; gone_before = feeds that got a 410 in an
                                  earlier round (the daemon stops polling those); awaiting =
                                  N - |polled in k  UNION  gone before k| (0 once every live
                                  feed was polled in round k).
  GET  /control/expected          {"feeds": {"i": [links...]}, "total": n}: per feed that got
                                  at least one 200, the links that must have been sent, in the
                                  order first served: every link of every 200 body served for
                                  that feed, minus the links of the FIRST 200 body served for it
                                  (the backlog the first poll records without sending). A 304 or
                                  an unchanged body adds nothing (its links were already
                                  counted); 301/410/429 carry no links. Feeds are keyed by
                                  index under their /feed and /moved paths alike.
  Anything else: 404. Bodies of /control/* are JSON (application/json), served lines NDJSON.
"""

import argparse
import hashlib
import json
import random
import signal
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

CONTENTS = ["rss-guid", "atom", "rss-no-guid", "rss-same-guid", "rss-undated", "rss-old-dates", "rss-reorder", "atom-remove"]
SERVERS = ["etag", "last-modified", "none", "weak-etag"]
SPECIALS = {13: "moved", 37: "gone", 61: "throttled"}  # by i % SPECIAL_MODULUS
SPECIAL_MODULUS = 125
MOVED_FROM_ROUND = 2
GONE_FROM_ROUND = 5
MAX_ENTRIES = 20
MIN_ENTRIES = 5
BASE_TIME = datetime(2024, 6, 1, tzinfo=timezone.utc)
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_TYPE = "application/json"


def content_of(i):
    return CONTENTS[i % len(CONTENTS)]


def server_of(i):
    return SERVERS[(i // len(CONTENTS)) % len(SERVERS)]


def special_of(i):
    return SPECIALS.get(i % SPECIAL_MODULUS)


def kind_of(i):
    parts = [content_of(i), server_of(i)]
    if special_of(i):
        parts.append(special_of(i))
    return "+".join(parts)


def throttled_round(k, rounds):
    return k % 3 == 1 and k <= rounds


class FeedHistory:
    """One feed's documents in rounds 0..R: tuples of entry numbers in document order."""

    def __init__(self, i, seed, rounds):
        self.i = i
        content = content_of(i)
        self.dates = {}  # n -> datetime, or None when undated
        present = []  # newest first
        counter = [0]

        def add(k, rng):
            n = counter[0]
            counter[0] += 1
            if content == "rss-undated":
                date = None
            elif content == "rss-old-dates" and k > 0:
                date = datetime(2009, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(6 * 365 * 86400))
            else:
                date = BASE_TIME + timedelta(hours=k, minutes=n)
            self.dates[n] = date
            present.insert(0, n)

        rng = random.Random(f"{seed}/{i}/0")
        for _ in range(MIN_ENTRIES + rng.randint(0, 10)):
            add(0, rng)
        self.docs = [tuple(present)]
        for k in range(1, rounds + 1):
            rng = random.Random(f"{seed}/{i}/{k}")
            if rng.random() < 0.6:
                for _ in range(rng.randint(0, 3)):
                    add(k, rng)
                if rng.random() < 0.3:
                    for _ in range(rng.randint(1, 2)):
                        if len(present) > MIN_ENTRIES:
                            present.pop()
                if content == "atom-remove" and rng.random() < 0.7 and len(present) > MIN_ENTRIES:
                    present.pop(rng.randrange(1, len(present)))
            del present[MAX_ENTRIES:]
            order = list(present)
            if content == "rss-reorder" and k % 2 == 1:
                shuffler = random.Random(f"{seed}/{i}/{k}/order")
                shuffler.shuffle(order)
                if order == present:
                    order.reverse()
            self.docs.append(tuple(order))
        # The round in which each round's document last changed.
        self.changed = [0]
        for k in range(1, rounds + 1):
            self.changed.append(k if self.docs[k] != self.docs[k - 1] else self.changed[k - 1])


class Farm:
    def __init__(self, feeds, rounds, seed, base):
        self.feeds = feeds
        self.rounds = rounds
        self.seed = seed
        self.base = base
        self.histories = [FeedHistory(i, seed, rounds) for i in range(feeds)]
        self.lock = threading.Lock()
        self.round = 0
        self.served = []  # dicts, in order
        self.served_lines = []  # the same, JSON-encoded (bytes)
        self.round_requests = {}  # k -> count
        self.round_statuses = {}  # k -> {status: count}
        self.round_polled = {}  # k -> set of feeds with 200/304/410
        self.first_gone = {}  # feed -> first round it got a 410
        self.throttled_done = set()  # (feed, round) whose first request got its 429
        self.cache = {}  # (feed, changed round) -> (body, content type, links, etag, last-modified)
        self.cache_lock = threading.Lock()

    # -- documents -------------------------------------------------------------------------

    def document(self, i, k):
        """(body, content type, links, strong etag, last-modified, weak etag) for round k."""
        history = self.histories[i]
        k = min(k, self.rounds)
        changed = history.changed[k]
        key = (i, changed)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        entries = history.docs[changed]
        body, ctype, links = self.render(i, entries, history.dates)
        etag = f'"{i}-{hashlib.sha1(body).hexdigest()[:16]}"'
        last_modified = format_datetime(BASE_TIME + timedelta(hours=changed), usegmt=True)
        weak = f'W/"{i}-r{changed}"'
        result = (body, ctype, links, etag, last_modified, weak)
        with self.cache_lock:
            self.cache[key] = result
        return result

    def render(self, i, entries, dates):
        content = content_of(i)
        links = [f"{self.base}/entry/{i}/{n}" for n in entries]
        site = f"{self.base}/site/{i}"
        kind = escape(kind_of(i))
        out = ['<?xml version="1.0" encoding="utf-8"?>\n']
        if content.startswith("atom"):
            stamps = [dates[n] for n in entries if dates[n] is not None]
            updated = max(stamps) if stamps else BASE_TIME
            out.append('<feed xmlns="http://www.w3.org/2005/Atom">\n')
            out.append(f"  <title>Farm feed {i}</title>\n  <id>urn:hubdiffer-farm:{i}</id>\n")
            out.append(f'  <link href="{site}"/>\n  <updated>{iso(updated)}</updated>\n')
            out.append(f"  <author><name>Feed farm</name></author>\n  <subtitle>{kind}</subtitle>\n")
            for n, link in zip(entries, links):
                stamp = iso(dates[n])
                out.append(
                    f"  <entry>\n    <title>Feed {i} entry {n}</title>\n    <link href=\"{link}\"/>\n"
                    f"    <id>urn:hubdiffer-farm:{i}:{n}</id>\n    <published>{stamp}</published>\n"
                    f"    <updated>{stamp}</updated>\n    <summary>Entry {n} of feed {i} &amp; friends.</summary>\n"
                    "  </entry>\n")
            out.append("</feed>\n")
            ctype = ATOM_TYPE
        else:
            out.append('<rss version="2.0">\n  <channel>\n')
            out.append(f"    <title>Farm feed {i}</title>\n    <link>{site}</link>\n")
            out.append(f"    <description>{kind}</description>\n")
            for n, link in zip(entries, links):
                out.append(f"    <item>\n      <title>Feed {i} entry {n}</title>\n      <link>{link}</link>\n")
                if content == "rss-same-guid":
                    out.append(f'      <guid isPermaLink="false">farm-{i}-same</guid>\n')
                elif content != "rss-no-guid":
                    out.append(f'      <guid isPermaLink="false">farm-{i}-{n}</guid>\n')
                if dates[n] is not None:
                    out.append(f"      <pubDate>{format_datetime(dates[n], usegmt=True)}</pubDate>\n")
                out.append(f"      <description>Entry {n} of feed {i} &amp; friends.</description>\n    </item>\n")
            out.append("  </channel>\n</rss>\n")
            ctype = RSS_TYPE
        return "".join(out).encode("utf-8"), ctype, links

    # -- the log ---------------------------------------------------------------------------

    def log(self, feed, k, status, path, links):
        record = {"feed": feed, "round": k, "status": status, "path": path, "links": links, "t": time.monotonic()}
        line = json.dumps(record).encode() + b"\n"
        with self.lock:
            self.served.append(record)
            self.served_lines.append(line)
            self.round_requests[k] = self.round_requests.get(k, 0) + 1
            statuses = self.round_statuses.setdefault(k, {})
            statuses[status] = statuses.get(status, 0) + 1
            if status in (200, 304, 410):
                self.round_polled.setdefault(k, set()).add(feed)
            if status == 410 and feed not in self.first_gone:
                self.first_gone[feed] = k

    def stats(self, k):
        with self.lock:
            polled = set(self.round_polled.get(k, ()))
            gone_before = {f for f, r in self.first_gone.items() if r < k}
            statuses = {str(s): c for s, c in sorted(self.round_statuses.get(k, {}).items())}
            return {
                "round": k,
                "requests": self.round_requests.get(k, 0),
                "feeds_polled": len(polled),
                "gone_before": len(gone_before),
                "awaiting": self.feeds - len(polled | gone_before),
                "statuses": statuses,
            }

    def expected(self):
        with self.lock:
            served = list(self.served)
        backlog = {}
        sent = {}
        for record in served:
            if record["status"] != 200:
                continue
            feed = record["feed"]
            if feed not in backlog:
                backlog[feed] = set(record["links"])
                sent[feed] = {}
                continue
            for link in record["links"]:
                if link not in backlog[feed]:
                    sent[feed][link] = None
        feeds = {str(f): list(links) for f, links in sorted(sent.items())}
        return {"feeds": feeds, "total": sum(len(v) for v in feeds.values())}


def iso(date):
    return date.strftime("%Y-%m-%dT%H:%M:%SZ")


def etag_matches(header, etag):
    if header is None:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    return etag in tags or "*" in tags


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedfarm/1"
    # Headers and body leave in one write (handle_one_request flushes), and without Nagle.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # quiet
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status == 304:
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def json_reply(self, value, status=200):
        self.reply(status, json.dumps(value).encode(), [("Content-Type", JSON_TYPE)])

    def discard_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- routes ----------------------------------------------------------------------------

    def do_POST(self):
        self.discard_body()
        farm = self.server.farm
        if urlsplit(self.path).path == "/control/advance":
            with farm.lock:
                farm.round += 1
                k = farm.round
            self.json_reply({"round": k})
        else:
            self.reply(404, b"not found\n", [("Content-Type", "text/plain")])

    def do_GET(self):
        self.discard_body()
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        farm = self.server.farm
        if path.startswith("/feed/") or path.startswith("/moved/"):
            self.feed(path)
        elif path == "/control/round":
            with farm.lock:
                k = farm.round
            self.json_reply({"round": k})
        elif path == "/control/kinds":
            self.json_reply({str(i): kind_of(i) for i in range(farm.feeds)})
        elif path == "/control/config":
            with farm.lock:
                k = farm.round
            self.json_reply({
                "feeds": farm.feeds, "rounds": farm.rounds, "seed": farm.seed, "base": farm.base, "round": k,
                "contents": CONTENTS, "servers": SERVERS, "specials": {str(r): s for r, s in SPECIALS.items()},
                "special_modulus": SPECIAL_MODULUS,
            })
        elif path == "/control/served":
            try:
                since = max(0, int(query.get("since", "0")))
            except ValueError:
                since = 0
            with farm.lock:
                lines = farm.served_lines[since:]
                total = len(farm.served_lines)
            self.reply(200, b"".join(lines), [("Content-Type", "application/x-ndjson"), ("X-Served-Total", str(total))])
        elif path == "/control/stats":
            with farm.lock:
                k = farm.round
            try:
                k = int(query.get("round", k))
            except ValueError:
                pass
            self.json_reply(farm.stats(k))
        elif path == "/control/expected":
            self.json_reply(farm.expected())
        else:
            self.reply(404, b"not found\n", [("Content-Type", "text/plain")])

    def feed(self, path):
        farm = self.server.farm
        prefix, _, index = path[1:].partition("/")
        try:
            i = int(index)
        except ValueError:
            i = -1
        with farm.lock:
            k = farm.round
        if not 0 <= i < farm.feeds or (prefix == "moved" and special_of(i) != "moved"):
            farm.log(i, k, 404, path, [])
            self.reply(404, b"no such feed\n", [("Content-Type", "text/plain")])
            return
        special = special_of(i)
        if prefix == "feed" and special == "moved" and k >= MOVED_FROM_ROUND:
            farm.log(i, k, 301, path, [])
            self.reply(301, b"moved\n", [("Location", f"{farm.base}/moved/{i}"), ("Content-Type", "text/plain")])
            return
        if special == "gone" and k >= GONE_FROM_ROUND:
            farm.log(i, k, 410, path, [])
            self.reply(410, b"gone\n", [("Content-Type", "text/plain")])
            return
        if special == "throttled" and throttled_round(k, farm.rounds):
            with farm.lock:
                first = (i, k) not in farm.throttled_done
                farm.throttled_done.add((i, k))
            if first:
                farm.log(i, k, 429, path, [])
                self.reply(429, b"slow down\n", [("Retry-After", "1"), ("Content-Type", "text/plain")])
                return
        body, ctype, links, etag, last_modified, weak = farm.document(i, k)
        server = server_of(i)
        validators = []
        fresh = False
        if server == "etag":
            validators = [("ETag", etag)]
            fresh = etag_matches(self.headers.get("If-None-Match"), etag)
        elif server == "weak-etag":
            validators = [("ETag", weak)]
            fresh = etag_matches(self.headers.get("If-None-Match"), weak)
        elif server == "last-modified":
            validators = [("Last-Modified", last_modified)]
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    fresh = parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified)
                except (TypeError, ValueError):
                    fresh = False
        if fresh:
            farm.log(i, k, 304, path, [])
            self.reply(304, headers=validators)
        else:
            farm.log(i, k, 200, path, links)
            self.reply(200, body, [("Content-Type", ctype)] + validators)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def handle_error(self, request, client_address):  # clients hanging up are expected
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            super().handle_error(request, client_address)


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    # Foundation's Process hands its children a mask with SIGTERM blocked: make it count again.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server = Server((arguments.host, arguments.port), Handler)
        host, port = server.server_address[:2]
        server.farm = Farm(arguments.feeds, arguments.rounds, arguments.seed, f"http://{host}:{port}")
        print(f"listening on {host}:{port}", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        try:
            server.server_close()
        except NameError:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
