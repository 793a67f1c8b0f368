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
import asyncio
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
    ap.add_argument("--target-p99-employer", type=float, help="the employer queries' own target (ms), if not --target-p99")
    ap.add_argument("--rate", type=float, default=50, help="requests per second, all kinds together")
    ap.add_argument("--rates", help="several rates, one phase each, e.g. 100,250,500,1000,2000 (a curve)")
    ap.add_argument("--warmup", type=float, default=3, help="seconds at the lowest rate first, not reported")
    ap.add_argument("--connections", type=int, default=512, help="most connections open at once")
    ap.add_argument("--server-pid", type=int, help="the server's pid, to report its CPU time per request")
    ap.add_argument("--write", help="also write the tables to this results file (markdown)")
    ap.add_argument("--append", action="store_true", help="with --write: add to the file instead of replacing it")
    ap.add_argument("--label", help="a heading for this run's tables in the results file (e.g. the server settings)")
    ap.add_argument("--profile", action="store_true",
                    help="sample the server with perf during the first rate and table where its CPU time goes")
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
    headers = {"Authorization": f"Bearer {args.key}"}
    seekers, employers, created = make_keys(args, url, headers, rng)
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [args.rate]
    try:
        if args.warmup > 0:
            run_phase(args, url, headers, seekers, employers, min(rates), args.warmup, rng, with_import=False)
        profiler = start_profile(args) if args.profile else None
        phases = []
        for rate in rates:
            phases.append((rate, run_phase(args, url, headers, seekers, employers, rate, args.seconds, rng,
                                           with_import=bool(args.import_count))))
            if profiler:
                profile = finish_profile(profiler, rates[0])
                profiler = None
    finally:
        revoke_keys(url, headers, created)

    keys_line = f"{len(seekers)} seeker keys, {len({k for _, k in employers})} employer keys"
    report = [] if len(rates) == 1 else [curve_table(args, phases)]
    if args.profile:
        report.append(profile)
    problems = []
    for rate, phase in phases:
        report.append(phase_table(args, rate, phase, keys_line))
        problems += [f"{rate:g} req/s: {p}" for p in verdict(args, phase)]
    text = "\n\n".join(report)
    print(text)
    if args.write:
        write_results(args, text, keys_line)
    if problems:
        print("FAIL: " + "; ".join(problems))
        sys.exit(1)
    print(f"PASS: every rate answered 200 with seeker p99 <= {target(args, 'seeker'):g} ms, "
          f"employer p99 <= {target(args, 'employer'):g} ms")


def run_phase(args, url, headers, seekers, employers, rate, seconds, rng, with_import):
    """One open-loop phase at `rate`: returns latencies (ms) by kind, outside and during an
    import, the status counts, the achieved rate and the CPU seconds of server and client."""
    plan = []
    for i in range(int(rate * seconds)):
        if i % 2 == 0:
            talent, key = rng.choice(seekers)
            plan.append((i / rate, "seeker", f"/v1/talents/{talent}/matches?k=10", key))
        else:
            job, key = rng.choice(employers)
            plan.append((i / rate, "employer", f"/v1/jobs/{job}/candidates?k=10", key))
    window = [float("inf"), float("-inf")]   # the import's start and end, perf_counter seconds
    imported = {}
    passes_before = search_passes(url, headers)
    server_before = process_cpu(args.server_pid)
    client_before = client_cpu()
    start = time.perf_counter() + 0.2
    importer = None
    if with_import:
        importer = threading.Thread(target=run_import, args=(args, url, headers, window, imported, start + 2))
        importer.start()
    outcomes = asyncio.run(drive(url, plan, start, args.connections))
    finished = time.perf_counter()
    if importer:
        importer.join()
    phase = {"results": {"seeker": [], "employer": []}, "during": {"seeker": [], "employer": []},
             "statuses": {}, "imported": imported, "window": window, "seconds": seconds}
    for (offset, kind, _, _), (status, latency) in zip(plan, outcomes):
        phase["statuses"][status] = phase["statuses"].get(status, 0) + 1
        if status == 200:
            inside = window[0] <= start + offset <= window[1]
            phase["during" if inside else "results"][kind].append(latency * 1000)
    phase["achieved"] = len(plan) / max(finished - start, 1e-9)
    phase["server_cpu"] = None if server_before is None else process_cpu(args.server_pid) - server_before
    phase["client_cpu"] = client_cpu() - client_before
    phase["requests"] = len(plan)
    phase["rss"] = process_rss(args.server_pid)
    after = search_passes(url, headers)
    phase["passes"] = {k: (after[k][0] - passes_before.get(k, (0, 0))[0], after[k][1] - passes_before.get(k, (0, 0))[1])
                       for k in after}
    return phase


def search_passes(url, headers):
    """Per catalog, (queries, passes) the server's search coalescer has answered so far, from
    /metrics (`matchd_search_pass_queries`); empty when the server does not report them."""
    import re
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    try:
        conn.request("GET", "/metrics", headers=headers)
        text = conn.getresponse().read().decode()
    except OSError:
        return {}
    finally:
        conn.close()
    found = {}
    for m in re.finditer(r'^matchd_search_pass_queries_(sum|count)\{index="(\w+)"\} ([0-9.e+]+)$', text, re.M):
        queries, passes = found.get(m.group(2), (0, 0))
        value = int(float(m.group(3)))
        found[m.group(2)] = (value, passes) if m.group(1) == "sum" else (queries, value)
    return found


async def drive(url, plan, start, max_connections):
    """Sends each planned request at its scheduled time on an idle keep-alive connection (a new
    one when none is idle) and measures its latency from that time, so a slow server cannot
    hide its delay by slowing the client down (no coordinated omission)."""
    loop = asyncio.get_running_loop()
    clock = time.perf_counter
    idle = []
    opened = [0]
    gate = asyncio.Semaphore(max_connections)
    outcomes = [None] * len(plan)
    base = loop.time() - clock()   # perf_counter → loop time

    async def one(i, path, key, scheduled):
        async with gate:
            conn = idle.pop() if idle else None
            try:
                if conn is None:
                    conn = await asyncio.open_connection(url.hostname, url.port or 80)
                    opened[0] += 1
                status, body = await exchange(conn, path, key)
                if status == 200 and (i % 16 == 0):
                    json.loads(body)       # a sample is decoded in full; every body is checked below
                if status == 200 and not body.endswith(b"}"):
                    status = "truncated"
                idle.append(conn)
            except Exception as error:
                if conn is not None:
                    conn[1].close()
                status = type(error).__name__
            outcomes[i] = (status, clock() - scheduled)

    tasks = []
    for i, (offset, _, path, key) in enumerate(plan):
        scheduled = start + offset
        delay = scheduled - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, path, key, scheduled)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return outcomes


async def exchange(conn, path, key):
    """One HTTP/1.1 GET on a keep-alive connection: (status, body)."""
    reader, writer = conn
    writer.write(f"GET {path} HTTP/1.1\r\nHost: matchd\r\nAuthorization: Bearer {key}\r\n\r\n".encode())
    status = int((await reader.readline()).split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    parts = []
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            await reader.readline()
            return status, b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readline()


# Where the server's CPU time goes, by the frames that start each part of a request (Swift's
# mangled names, as perf reports them). A part's share is, per pattern, the largest share among
# the frames it matches (a frame and its wrappers nest), summed over its patterns (which do not).
PROFILE_PARTS = [
    ("JSON encoding of the response (Foundation JSONEncoder)", ["20FoundationEssentials11JSONEncoderC6encode"]),
    ("vector search (Matcher IndexSnapshot.search, single and batched)",
     ["7Matcher13IndexSnapshotC6search_1k6filter5after", "7Matcher13IndexSnapshotC6search7queries"]),
    ("re-ranking: fit scores (Fit scorers)", ["FitO12PersonScorerV5score", "FitO13PostingScorerV5score"]),
    ("explanations of the page (Fit.evaluate)", ["10Embeddings3FitO8evaluate"]),
    ("store reads (GRDB DatabasePool.read)", ["4GRDB12DatabasePoolC4read"]),
    ("socket I/O (SwiftNIO event loops)", ["8NIOPosix19SelectableEventLoopC3runyyKF$"]),
]

def start_profile(args):
    """perf sampling the server (all threads, call graphs) for the first rate's duration."""
    import subprocess
    if not args.server_pid:
        sys.exit("--profile needs --server-pid")
    out = f"/tmp/matchd-load-{os.getpid()}.perf"
    proc = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(args.server_pid), "-o", out, "--",
                             "sleep", str(args.seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, out


def finish_profile(profiler, rate):
    import re
    import subprocess
    proc, out = profiler
    proc.wait()
    report = subprocess.run(["perf", "report", "-i", out, "--children", "--sort", "symbol", "--stdio", "-g", "none"],
                            capture_output=True, text=True).stdout
    os.remove(out)
    rows = []
    for line in report.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+([0-9.]+)%\s+\[[.k]\]\s+(\S+)", line)
        if m:
            rows.append((float(m.group(1)), m.group(3)))
    total = next((share for share, name in rows if name == "start_thread"), 100.0)
    lines = [f"Server CPU by part at {rate:g} req/s (perf, {len(rows)} frames; a part's share is the samples "
             f"under its frame, of the {total:.1f} % under the server's threads):", "",
             "| part | share of server CPU |", "|---|---|"]
    for label_, patterns in PROFILE_PARTS:
        share = sum(max((s for s, name in rows if re.search(p, name)), default=0.0) for p in patterns)
        lines.append(f"| {label_} | {share / total * 100:.1f} % |")
    return "\n".join(lines)


def process_cpu(pid):
    """User + system CPU seconds of process `pid` (all its threads), from /proc."""
    if not pid:
        return None
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss(pid):
    """Resident memory of process `pid` in MiB, from /proc; None without a pid."""
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as f:
        kib = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return kib / 1024


def client_cpu():
    t = os.times()
    return t.user + t.system


def label(kind):
    return "seeker: GET /v1/talents/{id}/matches?k=10" if kind == "seeker" else "employer: GET /v1/jobs/{id}/candidates?k=10"


def cpu_per_request(phase, key):
    return "" if phase[key] is None else f"{phase[key] / max(phase['requests'], 1) * 1000:.2f}"


def verdict(args, phase):
    """What fails the target: any answer other than 200, or a kind's p99 (outside an import)
    above --target-p99."""
    problems = []
    if set(phase["statuses"]) != {200}:
        problems.append(f"not every query answered 200: {phase['statuses']}")
    for kind, values in phase["results"].items():
        if not values:
            problems.append(f"no {kind} query outside the import")
        elif percentile(values, 99) > target(args, kind):
            problems.append(f"{kind} p99 {percentile(values, 99):.1f} ms > {target(args, kind):g} ms")
    return problems


def target(args, kind):
    return args.target_p99_employer if kind == "employer" and args.target_p99_employer else args.target_p99


def curve_table(args, phases):
    """One line per offered rate: what was achieved, the p99 of each kind and the CPU cost."""
    lines = ["| offered req/s | achieved req/s | errors | seeker p50 / p99 ms | employer p50 / p99 ms | "
             "server CPU ms/req | client CPU ms/req | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for rate, phase in phases:
        errors = sum(n for s, n in phase["statuses"].items() if s != 200)
        cells = []
        for kind in ("seeker", "employer"):
            v = phase["results"][kind]
            cells.append(f"{percentile(v, 50):.1f} / {percentile(v, 99):.1f}" if v else "–")
        ok = "meets" if not verdict(args, phase) else "misses"
        lines.append(f"| {rate:g} | {phase['achieved']:.0f} | {errors} | {cells[0]} | {cells[1]} | "
                     f"{cpu_per_request(phase, 'server_cpu')} | {cpu_per_request(phase, 'client_cpu')} | {ok} |")
    return "\n".join(lines)


def phase_table(args, rate, phase, keys_line):
    lines = [f"rate {rate:g} req/s for {phase['seconds']:g} s; statuses {phase['statuses']}; {keys_line}"
             + (f"; server CPU {cpu_per_request(phase, 'server_cpu')} ms/request, resident {phase['rss']:.0f} MiB"
                if phase["rss"] is not None else "")
             + "".join(f"; {k}: {q} searches in {p} passes" for k, (q, p) in sorted(phase["passes"].items()))]
    if phase["imported"]:
        window = phase["window"]
        lines.append(f"import of {args.import_count} talents: {phase['imported'].get('status')} in "
                     f"{window[1] - window[0]:.1f} s, {phase['imported'].get('summary')}")
    lines += ["", "| query | requests | p50 ms | p90 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
    for suffix, table in (("", phase["results"]), (" (during the import)", phase["during"])):
        for kind, values in table.items():
            if values:
                lines.append(f"| {label(kind)}{suffix} | {len(values)} | {percentile(values, 50):.1f} | "
                             f"{percentile(values, 90):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} |")
    return "\n".join(lines)


def write_results(args, text, keys_line):
    """The tables as a results file, with the machine and the command that made them."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    settings = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items())
                        if k.startswith("MATCHD_") and k not in ("MATCHD_LOAD_DATA", "MATCHD_LOAD_PORT"))
    header = (f"# Load: seeker and employer queries, open loop\n\n"
              f"Written by `{settings + ' ' if settings else ''}benchmarks/load/run --rates {args.rates or args.rate} "
              f"--seconds {args.seconds:g}{' --profile' if args.profile else ''}"
              f"{' --write ' + args.write if args.write else ''}` (load.py) on {time.strftime('%Y-%m-%d')}: "
              f"{os.cpu_count()} CPUs ({cpu}), client and server on the same machine; the demo store of "
              f"{args.talents:,} talents and {args.jobs:,} postings; {keys_line}; each rate for {args.seconds:g} s after a "
              f"{args.warmup:g} s warm-up. Latency is measured from each request's scheduled time. "
              f"CPU is user + system time per request (server: all its threads).\n\n")
    if args.label:
        header = f"## {args.label}\n\n" + header.split("\n\n", 1)[1] if args.append else header + f"## {args.label}\n\n"
    elif args.append:
        header = header.split("\n\n", 1)[1]
    with open(args.write, "a" if args.append else "w", encoding="utf-8") as f:
        f.write(("\n" if args.append else "") + header + text + "\n")


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
