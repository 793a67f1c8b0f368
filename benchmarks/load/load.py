#!/usr/bin/env python3
"""Open-loop load on a running matchd: seeker and employer queries at a fixed rate.

Requests are scheduled at exact intervals (a Poisson-free fixed rate) and each latency is
measured from its scheduled start, so a slow server cannot hide its delay by slowing the
client down (no coordinated omission). Standard library only.

    python3 load.py --url http://127.0.0.1:8080 --key "$(cat data/admin.key)" --rate 50 --seconds 60
"""
import argparse
import concurrent.futures
import http.client
import json
import random
import threading
import time
import urllib.parse


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    i = min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[i]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--key", required=True, help="an admin key (it may query any talent and posting)")
    ap.add_argument("--rate", type=float, default=50, help="requests per second, all kinds together")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--talents", type=int, default=20000, help="demo talents t-00001 … (ids to query)")
    ap.add_argument("--jobs", type=int, default=5000, help="demo jobs job-00001 …")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    url = urllib.parse.urlparse(args.url)
    rng = random.Random(args.seed)
    local = threading.local()
    headers = {"Authorization": f"Bearer {args.key}"}

    def connection():
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
        return local.conn

    def request(path, scheduled):
        conn = connection()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except Exception:
            local.__dict__.pop("conn", None)
            return None, time.perf_counter() - scheduled
        latency = time.perf_counter() - scheduled
        if status == 200:
            json.loads(body)
        return status, latency

    plan = []
    n = int(args.rate * args.seconds)
    for i in range(n):
        if i % 2 == 0:
            kind = "seeker"
            path = f"/v1/talents/t-{rng.randint(1, args.talents):05d}/matches?k=10"
        else:
            kind = "employer"
            path = f"/v1/jobs/job-{rng.randint(1, args.jobs):05d}/candidates?k=10"
        plan.append((i / args.rate, kind, path))

    results = {"seeker": [], "employer": []}
    statuses = {}
    start = time.perf_counter() + 0.5
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        for offset, kind, path in plan:
            scheduled = start + offset
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append((kind, pool.submit(request, path, scheduled)))
        for kind, future in futures:
            status, latency = future.result()
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                results[kind].append(latency * 1000)

    print(f"rate {args.rate:g} req/s for {args.seconds:g} s; statuses {statuses}")
    print("| query | requests | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for kind, values in results.items():
        name = "seeker: GET /v1/talents/{id}/matches?k=10" if kind == "seeker" else "employer: GET /v1/jobs/{id}/candidates?k=10"
        print(f"| {name} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 90):.1f} | "
              f"{percentile(values, 99):.1f} | {max(values) if values else float('nan'):.1f} |")


if __name__ == "__main__":
    main()
