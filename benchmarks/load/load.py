#!/usr/bin/env python3
"""Open-loop load on a running matchd: seeker and employer queries at a fixed rate.

Requests are scheduled at exact intervals (a Poisson-free fixed rate) and each latency is
measured from its scheduled start, so a slow server cannot hide its delay by slowing the
client down (no coordinated omission). Standard library only.

    python3 load.py --url http://127.0.0.1:8080 --key "$(cat data/admin.key)" --rate 50 --seconds 60

Queries are sent the way users send them, so that key lookup and the ownership checks are
part of what is measured: a seeker asks for its own talent's matches with its seeker key, an
employer for its own posting's candidates with its employer key. At setup the admin key creates
a seeker key for each of --keys sampled talents and an employer key for the owner of each of
--keys sampled postings (the demo's data/demo-keys.json pair is used too); they are revoked at
the end. The run PASSes when every query answered 200 and the p99 of each kind, outside an
import, is at most --target-p99 ms; otherwise it prints FAIL and exits with status 1.

With --import N, a second thread streams N synthetic talent profiles to POST /v1/import/talents
(one chunked NDJSON request) while the queries run, and the table splits latencies into those
scheduled during the import and the rest: an import must not stop the server answering.
"""
import os
import argparse
import concurrent.futures
import http.client
import json
import random
import sys
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
    ap.add_argument("--key", required=True, help="an admin key (creates and revokes the seeker and employer keys)")
    ap.add_argument("--demo-keys", help="the demo's demo-keys.json (one employer and one seeker key)")
    ap.add_argument("--keys", type=int, default=100, help="seeker keys and employer keys to create at setup (each)")
    ap.add_argument("--target-p99", type=float, default=25.0, help="PASS when each kind's p99 is at most this (ms)")
    ap.add_argument("--rate", type=float, default=50, help="requests per second, all kinds together")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--talents", type=int, default=20000, help="demo talents t-00001 … (ids to query)")
    ap.add_argument("--jobs", type=int, default=5000, help="demo jobs job-00001 …")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--import", dest="import_count", type=int, default=0,
                    help="stream this many synthetic talent profiles to the import endpoint during the load")
    ap.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "../../models/cn-digital-2022/v1"),
                    help="model directory whose competency ids the imported profiles use")
    args = ap.parse_args()

    url = urllib.parse.urlparse(args.url)
    rng = random.Random(args.seed)
    local = threading.local()
    headers = {"Authorization": f"Bearer {args.key}"}
    seekers, employers, created = make_keys(args, url, headers, rng)

    def connection():
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
        return local.conn

    def request(path, key, scheduled):
        conn = connection()
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
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
            talent, key = rng.choice(seekers)
            path = f"/v1/talents/{talent}/matches?k=10"
        else:
            kind = "employer"
            job, key = rng.choice(employers)
            path = f"/v1/jobs/{job}/candidates?k=10"
        plan.append((i / args.rate, kind, path, key))

    results = {"seeker": [], "employer": []}
    during = {"seeker": [], "employer": []}
    statuses = {}
    window = [float("inf"), float("-inf")]   # the import's start and end, perf_counter seconds
    imported = {}
    start = time.perf_counter() + 0.5
    importer = None
    if args.import_count:
        importer = threading.Thread(target=run_import, args=(args, url, headers, window, imported, start + 2))
        importer.start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        for offset, kind, path, key in plan:
            scheduled = start + offset
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append((kind, scheduled, pool.submit(request, path, key, scheduled)))
        if importer:
            importer.join()
        for kind, scheduled, future in futures:
            status, latency = future.result()
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                (during if window[0] <= scheduled <= window[1] else results)[kind].append(latency * 1000)

    revoke_keys(url, headers, created)
    print(f"rate {args.rate:g} req/s for {args.seconds:g} s; statuses {statuses}; "
          f"{len(seekers)} seeker keys, {len({k for _, k in employers})} employer keys")
    if args.import_count:
        print(f"import of {args.import_count} talents: {imported.get('status')} in {window[1] - window[0]:.1f} s, "
              f"{imported.get('summary')}")
    print("| query | requests | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for label, table in (("", results), (" (during the import)", during)):
        for kind, values in table.items():
            if not values:
                continue
            name = "seeker: GET /v1/talents/{id}/matches?k=10" if kind == "seeker" else "employer: GET /v1/jobs/{id}/candidates?k=10"
            print(f"| {name}{label} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 90):.1f} | "
                  f"{percentile(values, 99):.1f} | {max(values):.1f} |")

    # The verdict: the target holds for queries outside an import (those during it are reported
    # above, not judged).
    problems = []
    if set(statuses) != {200}:
        problems.append(f"not every query answered 200: {statuses}")
    for kind, values in results.items():
        if not values:
            problems.append(f"no {kind} query outside the import")
        elif percentile(values, 99) > args.target_p99:
            problems.append(f"{kind} p99 {percentile(values, 99):.1f} ms > {args.target_p99:g} ms")
    if problems:
        print("FAIL: " + "; ".join(problems))
        sys.exit(1)
    p99 = ", ".join(f"{kind} p99 {percentile(values, 99):.1f} ms" for kind, values in results.items())
    print(f"PASS: {p99} (target p99 <= {args.target_p99:g} ms)")


def call(url, method, path, headers, body=None):
    """One request on its own connection; returns (status, decoded JSON body or None)."""
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    try:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        conn.request(method, path, body=data,
                     headers={**headers, **({"Content-Type": "application/json"} if data is not None else {})})
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def make_keys(args, url, headers, rng):
    """Seeker keys for sampled talents and employer keys for the owners of sampled postings,
    created with the admin key: [(talent id, key)], [(job id, key of its employer)], and the ids
    of the created keys (to revoke)."""
    seekers, employers, created, by_employer = [], [], [], {}
    if args.demo_keys:
        with open(args.demo_keys, encoding="utf-8") as f:
            demo = json.load(f)
        seekers.append((demo["seeker"]["talentId"], demo["seeker"]["key"]))
        by_employer[demo["employer"]["employerId"]] = demo["employer"]["key"]

    def create(request):
        status, body = call(url, "POST", "/v1/keys", headers, request)
        if status != 201:
            sys.exit(f"creating a {request['role']} key failed: {status} {body}")
        created.append(body["id"])
        return body["key"]

    for n in rng.sample(range(1, args.talents + 1), min(args.keys, args.talents)):
        talent = f"t-{n:05d}"
        if any(t == talent for t, _ in seekers):
            continue
        seekers.append((talent, create({"role": "seeker", "name": f"load seeker {talent}", "talentId": talent})))
    for n in rng.sample(range(1, args.jobs + 1), min(args.keys, args.jobs)):
        job = f"job-{n:05d}"
        status, body = call(url, "GET", f"/v1/jobs/{job}", headers)
        if status != 200:
            sys.exit(f"reading posting {job} failed: {status} {body}")
        if body.get("status") != "open":
            continue
        owner = body["employerId"]
        if owner not in by_employer:
            by_employer[owner] = create({"role": "employer", "name": f"load employer {owner}", "employerId": owner})
        employers.append((job, by_employer[owner]))
    if not seekers or not employers:
        sys.exit("no talents or open postings to query")
    return seekers, employers, created


def revoke_keys(url, headers, ids):
    for key_id in ids:
        call(url, "DELETE", f"/v1/keys/{key_id}", headers)


def run_import(args, url, headers, window, imported, at):
    """Streams args.import_count synthetic profiles as one chunked NDJSON import."""
    with open(os.path.join(args.model, "competencies.jsonl"), encoding="utf-8") as f:
        ids = [json.loads(line)["id"] for line in f if line.strip()]
    cities = ["北京", "上海", "深圳", "杭州", "广州", "成都", "武汉", "西安", "南京", "苏州"]
    rng = random.Random(args.seed + 1)

    def lines():
        batch = []
        for i in range(args.import_count):
            skills = [{"competency": c, "level": rng.randint(2, 7)} for c in rng.sample(ids, rng.randint(3, 8))]
            batch.append(json.dumps({"id": f"t-import-{i:06d}", "displayName": f"导入 {i}", "searchable": True,
                                     "city": rng.choice(cities), "profile": {"skills": skills}}, ensure_ascii=False))
            if len(batch) == 1000:
                yield ("\n".join(batch) + "\n").encode()
                batch = []
        if batch:
            yield ("\n".join(batch) + "\n").encode()

    time.sleep(max(0, at - time.perf_counter()))
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=600)
    window[0] = time.perf_counter()
    conn.request("POST", "/v1/import/talents", body=lines(), encode_chunked=True,
                 headers={**headers, "Content-Type": "application/x-ndjson"})
    response = conn.getresponse()
    body = json.loads(response.read())
    window[1] = time.perf_counter()
    imported["status"] = response.status
    imported["summary"] = {k: body.get(k) for k in ("lines", "accepted", "rejected")}


if __name__ == "__main__":
    main()
