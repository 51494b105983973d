#!/usr/bin/env python3
"""Self-test of feed_farm.py (standard library only): `python3 Tests/Support/feed_farm_selftest.py`.

Starts the farm on a free port (with SIGTERM blocked, as Foundation's Process leaves it), polls
every feed through all the rounds the way the daemon does (validators sent back, 301 followed
and remembered, 429 retried after Retry-After, 410 the end), checks every behaviour the farm
documents, compares /control/expected with what it saw itself, stops the farm with SIGTERM,
then measures 1,000 feeds x 1 request from 16 client threads. Exit status 0 when all is well.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from email.utils import format_datetime, parsedate_to_datetime
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "feed_farm.py")
ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS, ROUNDS, SEED = 100, 10, 7
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        if len(FAILURES) <= 30:
            print("FAIL:", message, flush=True)


def start(feeds, rounds, seed):
    process = subprocess.Popen(
        [sys.executable, SCRIPT, "--port", "0", "--feeds", str(feeds), "--rounds", str(rounds), "--seed", str(seed)],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM]))
    line = process.stdout.readline().strip()
    assert line.startswith("listening on 127.0.0.1:"), line
    return process, "http://" + line.split()[-1]


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())


def get(url, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get_json(url, method="GET"):
    status, _, body = get(url, method=method)
    assert status == 200, (url, status)
    return json.loads(body)


def parse(body, content):
    """[(link, guid or id or None, date string or None)] in document order."""
    root = ET.fromstring(body)
    items = []
    if content.startswith("atom"):
        for entry in root.findall(f"{ATOM}entry"):
            items.append((entry.find(f"{ATOM}link").get("href"), entry.findtext(f"{ATOM}id"),
                          entry.findtext(f"{ATOM}published")))
    else:
        for item in root.find("channel").findall("item"):
            guid = item.find("guid")
            items.append((item.findtext("link"), guid.text if guid is not None else None, item.findtext("pubDate")))
    return items


class Client:
    """One feed as the daemon sees it."""

    def __init__(self, base, i, kind):
        self.i = i
        self.kind = kind
        self.content, self.server = kind.split("+")[:2]
        self.special = kind.split("+")[2] if kind.count("+") == 2 else None
        self.url = f"{base}/feed/{i}"
        self.etag = None
        self.last_modified = None
        self.body = None
        self.gone = False
        self.bodies = []  # link lists of every 200, in order
        self.ever = set()  # links ever served
        self.removed = set()  # links that left the document


def main():
    process, base = start(FEEDS, ROUNDS, SEED)
    try:
        run(base)
    finally:
        code = stop(process)
        check(code == 0, f"farm exit status after SIGTERM (blocked at spawn) was {code}, not 0")
    bench()
    if FAILURES:
        print(f"feed_farm selftest: {len(FAILURES)} failure(s)")
        sys.exit(1)
    print("feed_farm selftest: all checks passed")


def run(base):
    kinds = get_json(f"{base}/control/kinds")
    config = get_json(f"{base}/control/config")
    check(len(kinds) == FEEDS and config["feeds"] == FEEDS and config["base"] == base, "kinds/config")
    contents = {k.split("+")[0] for k in kinds.values()}
    servers = {k.split("+")[1] for k in kinds.values()}
    specials = {k.split("+")[2] for k in kinds.values() if k.count("+") == 2}
    check(contents == set(config["contents"]) and len(contents) == 8, f"contents {contents}")
    check(servers == {"etag", "last-modified", "none", "weak-etag"}, f"servers {servers}")
    check(specials == {"moved", "gone", "throttled"}, f"specials {specials}")
    clients = [Client(base, i, kinds[str(i)]) for i in range(FEEDS)]
    requests = 0  # /feed and /moved requests this client made
    link_owner = {}
    seen = {"304": set(), "none-unchanged": 0, "reorder": 0, "remove-middle": 0, "old": 0, "429": 0, "301": 0, "410": 0}

    def fetch(client, url=None, conditional=True, extra=None):
        nonlocal requests
        headers = {}
        if conditional and client.etag:
            headers["If-None-Match"] = client.etag
        if conditional and client.last_modified:
            headers["If-Modified-Since"] = client.last_modified
        headers.update(extra or {})
        requests += 1
        return get(url or client.url, headers)

    def took(client, status, headers, body, k):
        """Bookkeeping and checks for a 200 or 304 of the feed itself."""
        if status == 304:
            seen["304"].add(client.server)
            check(client.server != "none", f"feed {client.i}: 304 without validators")
            # Unconditionally, the same bytes as the last 200.
            again = fetch(client, conditional=False)
            check(again[0] == 200 and again[2] == client.body, f"feed {client.i} round {k}: 304 but body changed")
            take_body(client, again[2], k)
            return
        check(status == 200, f"feed {client.i} round {k}: status {status}")
        etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
        if client.server == "etag":
            check(etag and etag.startswith('"') and last_modified is None, f"feed {client.i}: strong etag {etag}")
        elif client.server == "weak-etag":
            check(etag and etag.startswith('W/"') and last_modified is None, f"feed {client.i}: weak etag {etag}")
        elif client.server == "last-modified":
            check(etag is None and last_modified, f"feed {client.i}: last-modified {last_modified}")
        else:
            check(etag is None and last_modified is None, f"feed {client.i}: validators on a none feed")
        if client.body is not None and client.server != "none":
            check(body != client.body, f"feed {client.i} round {k}: 200 to a matching validator")
        if client.server == "none" and body == client.body:
            seen["none-unchanged"] += 1
        client.etag, client.last_modified = etag, last_modified
        take_body(client, body, k)

    def take_body(client, body, k):
        items = parse(body, client.content)
        links = [link for link, _, _ in items]
        previous = client.bodies[-1] if client.bodies else None
        check(len(set(links)) == len(links), f"feed {client.i}: duplicate links")
        check(5 <= len(links) <= 20, f"feed {client.i} round {k}: {len(links)} entries")
        for link in links:
            check(link.startswith(f"{base}/entry/{client.i}/"), f"feed {client.i}: link {link}")
            check(link_owner.setdefault(link, client.i) == client.i, f"link {link} in two feeds")
            check(link not in client.removed, f"feed {client.i}: {link} came back after leaving")
        if previous is not None:
            gone = [link for link in previous if link not in links]
            client.removed.update(gone)
            if client.content == "rss-reorder" and set(previous) == set(links) and previous != links:
                seen["reorder"] += 1
            if client.content == "atom-remove" and gone and previous.index(gone[0]) < len(previous) - 1 \
                    and previous[-1] in links:
                seen["remove-middle"] += 1
        guids = [guid for _, guid, _ in items]
        dates = [date for _, _, date in items]
        if client.content in ("rss-guid", "rss-undated", "rss-old-dates", "rss-reorder", "atom", "atom-remove"):
            check(None not in guids and len(set(guids)) == len(guids), f"feed {client.i}: ids {guids}")
        if client.content == "rss-no-guid":
            check(guids == [None] * len(guids), f"feed {client.i}: a guid in a no-guid feed")
        if client.content == "rss-same-guid":
            check(len(set(guids)) == 1 and guids[0] == f"farm-{client.i}-same", f"feed {client.i}: guids {set(guids)}")
        if client.content == "rss-undated":
            check(dates == [None] * len(dates), f"feed {client.i}: dates in an undated feed")
        else:
            check(None not in dates, f"feed {client.i}: an undated entry")
        if client.content == "rss-old-dates" and client.bodies:
            backlog = set(client.bodies[0])
            for (link, _, date) in items:
                if link not in backlog:
                    year = parsedate_to_datetime(date).year
                    check(2009 <= year <= 2015, f"feed {client.i}: new entry dated {year}")
                    seen["old"] += 1
        if client.body is not None and body == client.body:
            check(links == previous, "same body, other links")
        client.body = body
        client.bodies.append(links)
        client.ever.update(links)

    for k in range(ROUNDS + 2):
        check(get_json(f"{base}/control/round") == {"round": k}, f"round {k}")
        polled = 0
        for client in clients:
            if client.gone:
                continue
            status, headers, body = fetch(client)
            if client.special == "throttled":
                if k % 3 == 1 and k <= ROUNDS:
                    check(status == 429 and headers.get("Retry-After") == "1", f"feed {client.i} round {k}: {status}, not 429")
                    seen["429"] += 1
                    time.sleep(int(headers.get("Retry-After", "1")))
                    status, headers, body = fetch(client)
                check(status in (200, 304), f"feed {client.i} round {k}: {status} after the 429")
            if client.special == "moved":
                if k < 2:
                    check(status in (200, 304), f"moved feed {client.i} round {k}: {status}")
                elif client.url.endswith(f"/feed/{client.i}"):
                    check(status == 301 and headers.get("Location") == f"{base}/moved/{client.i}",
                          f"feed {client.i} round {k}: {status} {headers.get('Location')}")
                    seen["301"] += 1
                    client.url = headers["Location"]
                    status, headers, body = fetch(client)
                else:
                    # The old URL still redirects.
                    old = fetch(client, url=f"{base}/feed/{client.i}")
                    check(old[0] == 301, f"feed {client.i} round {k}: old URL {old[0]}")
            if client.special == "gone" and k >= 5:
                check(status == 410, f"feed {client.i} round {k}: {status}, not 410")
                seen["410"] += 1
                client.gone = True
                polled += 1
                continue
            took(client, status, headers, body, k)
            polled += 1
            # Validator edge cases, once per feed.
            if k == 3 and client.server == "weak-etag":
                strong = client.etag[2:]
                check(fetch(client, conditional=False, extra={"If-None-Match": strong})[0] == 200,
                      f"feed {client.i}: weak etag matched without W/")
                check(fetch(client, conditional=False, extra={"If-None-Match": client.etag})[0] == 304,
                      f"feed {client.i}: weak etag did not match exactly")
            if k == 3 and client.server == "etag":
                check(fetch(client, conditional=False, extra={"If-None-Match": '"nope"'})[0] == 200, "wrong etag matched")
                check(fetch(client, conditional=False, extra={"If-None-Match": f'"x", {client.etag}'})[0] == 304,
                      "etag list did not match")
            if k == 3 and client.server == "last-modified":
                earlier = format_datetime(parsedate_to_datetime(client.last_modified) - timedelta(seconds=1), usegmt=True)
                check(fetch(client, conditional=False, extra={"If-Modified-Since": earlier})[0] == 200,
                      "an earlier If-Modified-Since gave 304")
                check(fetch(client, conditional=False, extra={"If-Modified-Since": client.last_modified})[0] == 304,
                      "If-Modified-Since of Last-Modified gave 200")
        # A gone feed stays gone (checked once, the round after).
        if k == 6:
            for client in clients:
                if client.special == "gone":
                    requests += 1
                    polled += 1  # a 410 counts as a poll of the round
                    check(get(f"{base}/feed/{client.i}")[0] == 410, f"feed {client.i}: not gone in round 6")
        if k == ROUNDS + 1:
            for client in clients:
                if client.server != "none" and not client.gone:
                    check(client.bodies[-1] == client.bodies[-2], f"feed {client.i}: changed after round R")
        stats = get_json(f"{base}/control/stats")
        check(stats["round"] == k and stats["feeds_polled"] == polled and stats["awaiting"] == 0,
              f"round {k}: stats {stats}, polled {polled}")
        check(get_json(f"{base}/control/advance", method="POST") == {"round": k + 1}, "advance")

    # The farm's log and expectations against this client's own view.
    status, headers, body = get(f"{base}/control/served")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    check(len(lines) == requests and headers.get("X-Served-Total") == str(requests),
          f"served {len(lines)} lines, sent {requests}")
    tail = get(f"{base}/control/served?since={requests - 3}")[2].decode().splitlines()
    check([json.loads(line) for line in tail] == lines[-3:], "served?since")
    check(all(line["status"] in (200, 304, 301, 410, 429) for line in lines), "a 404 in the log")
    check(all(bool(line["links"]) == (line["status"] == 200) for line in lines), "links on a non-200")
    check(all(a["t"] <= b["t"] for a, b in zip(lines, lines[1:])), "t not monotonic")
    ours = {}
    for client in clients:
        backlog = set(client.bodies[0])
        sent = []
        for links in client.bodies[1:]:
            sent += [link for link in links if link not in backlog and link not in sent]
        ours[str(client.i)] = sent
    expected = get_json(f"{base}/control/expected")
    check(expected["feeds"] == ours, "expected differs from the self-test's own view")
    check(expected["total"] == sum(map(len, ours.values())) > 0, "expected total")
    for server in ("etag", "last-modified", "weak-etag"):
        check(server in seen["304"], f"no 304 from {server} feeds")
    for what in ("none-unchanged", "reorder", "remove-middle", "old", "429", "301", "410"):
        check(seen[what] > 0, f"never saw {what}")
    print(f"polled {FEEDS} feeds x {ROUNDS + 2} rounds: {requests} requests, {len(link_owner)} distinct links, "
          f"{expected['total']} expected sends; seen " + json.dumps({k: (sorted(v) if isinstance(v, set) else v)
                                                                    for k, v in seen.items()}), flush=True)


def bench(feeds=1000, threads=16, passes=3):
    process, base = start(feeds, 10, 1)
    host, port = base[len("http://"):].split(":")
    try:
        rates = []
        for _ in range(passes):
            errors = []

            def worker(first):
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
                try:
                    for i in range(first, feeds, threads):
                        connection.request("GET", f"/feed/{i}")
                        response = connection.getresponse()
                        response.read()
                        if response.status != 200:
                            errors.append(response.status)
                finally:
                    connection.close()

            workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
            began = time.monotonic()
            for worker_thread in workers:
                worker_thread.start()
            for worker_thread in workers:
                worker_thread.join()
            elapsed = time.monotonic() - began
            check(not errors, f"bench statuses {errors[:5]}")
            rates.append(feeds / elapsed)
        stats = get_json(f"{base}/control/stats")
        check(stats["requests"] == feeds * passes and stats["awaiting"] == 0, f"bench stats {stats}")
        print(f"bench: {feeds} feeds x 1 request, {threads} keep-alive client threads, {passes} passes: "
              + ", ".join(f"{rate:.0f}" for rate in rates) + " req/s", flush=True)
    finally:
        check(stop(process) == 0, "bench farm exit status")


if __name__ == "__main__":
    main()
