#!/usr/bin/env python3
"""Open-loop HTTP load on a running ssdd: a fixed schedule of RATE requests/s for SECONDS, spread round-robin over the
API endpoints, each request sent at its scheduled time whatever the earlier ones are doing (so a slow answer cannot
hide the latency of the ones behind it). Prints p50/p95/p99/max latency per endpoint and overall (measured from the
scheduled time), the failures, and the daemon's frames written per second over the run (from /api/v1/streams).

Usage: tools/bench_http.py --port 8080 [--rate 50] [--seconds 60] [--token-file F] [--streams s0,s1]
Standard library only.
"""
import argparse
import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def request(port, path, token, timeout=10.0):
    """GET path; returns (status, body bytes). New connection per request (Connection: close)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Connection": "close"}
        if token:
            headers["Authorization"] = "Bearer " + token
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def written_frames(port, token):
    status, body = request(port, "/api/v1/streams", token)
    if status != 200:
        raise SystemExit(f"GET /api/v1/streams answered {status}: {body[:200]!r}")
    streams = json.loads(body)["streams"]
    return sum(s["frames"]["written"] for s in streams), [s["name"] for s in streams]


def quantile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    parser.add_argument("--token-file", help="file whose first line is the bearer token")
    parser.add_argument("--workers", type=int, default=64, help="client threads (default 64)")
    args = parser.parse_args()
    if not (0 < args.rate <= 10000 and 0 < args.seconds <= 86400):
        raise SystemExit("--rate must be in (0, 10000] and --seconds in (0, 86400]")
    token = None
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.readline().strip()

    before, names = written_frames(args.port, token)
    if not names:
        raise SystemExit("the daemon has no streams")
    endpoints = ["/healthz", "/api/v1/streams", "/api/v1/events?limit=50", "/api/v1/config", "/metrics"]
    for name in names:
        endpoints += [f"/api/v1/streams/{name}", f"/api/v1/streams/{name}/latest.jpg"]
    total = int(args.rate * args.seconds)
    results = []  # (endpoint, latency seconds, status)
    lock = threading.Lock()

    def one(index, scheduled):
        path = endpoints[index % len(endpoints)]
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            status, _ = request(args.port, path, token)
        except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the run
            status = f"{type(error).__name__}"
        latency = time.monotonic() - scheduled
        with lock:
            results.append((path.split("?")[0], latency, status))

    start = time.monotonic() + 0.5
    wall_start = time.time()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for i in range(total):
            scheduled = start + i / args.rate
            # Submit shortly before each request is due, so a thread waits only a little.
            ahead = scheduled - time.monotonic() - 0.05
            if ahead > 0:
                time.sleep(ahead)
            pool.submit(one, i, scheduled)
    elapsed = time.time() - wall_start
    after, _ = written_frames(args.port, token)

    def summary(label, rows):
        latencies = sorted(r[1] * 1000 for r in rows)
        failed = sum(1 for r in rows if r[2] != 200 and not (r[0].endswith("latest.jpg") and r[2] == 404))
        print(f"{label:44s} {len(rows):6d} {quantile(latencies, .50):8.2f} {quantile(latencies, .95):8.2f} "
              f"{quantile(latencies, .99):8.2f} {latencies[-1] if latencies else float('nan'):8.2f} {failed:6d}")

    print(f"{total} requests at {args.rate:g}/s over {args.seconds:g} s ({elapsed:.1f} s wall); latency in ms from the scheduled time")
    print(f"{'endpoint':44s} {'count':>6s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'max':>8s} {'failed':>6s}")
    by_endpoint = {}
    for row in results:
        by_endpoint.setdefault(row[0], []).append(row)
    for path in sorted(by_endpoint):
        summary(path, by_endpoint[path])
    summary("overall", results)
    statuses = {}
    for row in results:
        statuses[str(row[2])] = statuses.get(str(row[2]), 0) + 1
    print("statuses:", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"daemon: {after - before} frames written in {elapsed:.1f} s = {(after - before) / elapsed:.1f} frames/s "
          f"over {len(names)} streams")


if __name__ == "__main__":
    main()
