#!/usr/bin/env python3
"""Feed additions at a fixed rate against the daemon's control endpoint (issue 15 benchmark).

Sends RATE x SECONDS `PUT /feeds/ID` (form body `url=URL[&interval=S]`), IDs FIRST, FIRST+1, ...,
URL = TEMPLATE with {id} replaced, request i due at start + i / RATE (open loop: a late request
is sent at once, never skipped). One new TCP connection per request (the endpoint answers
`Connection: close`); at most --in-flight open at once (a request waits for a place: the
achieved rate then falls short), each bounded by --timeout; nothing is sent after SECONDS +
--timeout, so the run ends by SECONDS + 2 x --timeout. Stdlib only.

Prints tab-separated `measurement<TAB>value` lines (run.sh turns them into table rows); with
--record FILE, one line per request: id, status (or error kind), wall-clock time of the answer,
latency in seconds.

  feeds_api_load.py --port 8425 --first 1000100 --rate 1000 --seconds 30 \
      --url 'http://127.0.0.1:8080/feed/{id}.xml?api=1'
"""
import argparse, asyncio, collections, time, urllib.parse


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--first", type=int, required=True, help="first feed ID")
    p.add_argument("--rate", type=float, default=1000, help="requests per second")
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--url", required=True, help="feed URL template, {id} replaced")
    p.add_argument("--interval", type=int, help="interval= in the body (default: none sent)")
    p.add_argument("--token-file", help="send Authorization: Bearer (the file's first line)")
    p.add_argument("--in-flight", type=int, default=256, help="open connections at most")
    p.add_argument("--timeout", type=float, default=10, help="seconds per request")
    p.add_argument("--record", help="write id, status, answer time, latency per request")
    return p.parse_args()


async def put(args, feed_id, auth):
    body = "url=" + urllib.parse.quote(args.url.replace("{id}", str(feed_id)), safe="")
    if args.interval is not None:
        body += f"&interval={args.interval}"
    head = (f"PUT /feeds/{feed_id} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n{auth}"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    writer = None
    try:
        reader, writer = await asyncio.open_connection(args.host, args.port)
        writer.write((head + body).encode())
        await writer.drain()
        answer = await reader.read(-1)  # to the server's close
        line = answer.split(b"\r\n", 1)[0].split()
        return line[1].decode() if len(line) >= 2 and line[0].startswith(b"HTTP/") else "bad_answer"
    except ConnectionRefusedError:
        return "refused"
    except (ConnectionError, OSError) as e:
        return type(e).__name__
    finally:
        if writer is not None:
            writer.close()


async def main(args):
    total = int(round(args.rate * args.seconds))
    auth = ""
    if args.token_file:
        auth = f"Authorization: Bearer {open(args.token_file).readline().strip()}\r\n"
    places = asyncio.Semaphore(args.in_flight)
    statuses, latencies, records, sent_at = collections.Counter(), [], [], []

    async def one(i):
        try:
            t = time.monotonic()
            try:
                status = await asyncio.wait_for(put(args, args.first + i, auth), args.timeout)
            except asyncio.TimeoutError:
                status = "timeout"
            latency = time.monotonic() - t
            statuses[status] += 1
            latencies.append(latency)
            if args.record:
                records.append(f"{args.first + i}\t{status}\t{time.time():.3f}\t{latency:.4f}\n")
        finally:
            places.release()

    start = time.monotonic()
    tasks = []
    for i in range(total):
        if time.monotonic() > start + args.seconds + args.timeout:
            break  # the server holds every place: stop sending, report what was sent
        delay = start + i / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await places.acquire()
        sent_at.append(time.monotonic())
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    end = time.monotonic()
    if args.record:
        with open(args.record, "w") as f:
            f.writelines(records)

    latencies.sort()
    q = lambda p: 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
    span = sent_at[-1] - sent_at[0] + 1 / args.rate if sent_at else 0
    other = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()) if k != "201") or "none"
    print(f"PUT /feeds/ID sent\t{len(sent_at)} ({args.rate:g}/s for {args.seconds:g} s asked)")
    print(f"PUT answered 201\t{statuses['201']}")
    print(f"PUT other answers\t{other}")
    print(f"PUT rate achieved (sending / to the last answer)\t{len(sent_at) / span if span else 0:.0f}/s over "
          f"{span:.1f} s / {len(sent_at) / (end - start):.0f}/s over {end - start:.1f} s")
    print(f"PUT latency p50 / p99 / max\t{q(0.5):.1f} / {q(0.99):.1f} / {q(1.0):.1f} ms")


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
