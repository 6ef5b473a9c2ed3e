"""Load generator for the LRS over HTTP on loopback; prints its figures (issue 2's targets).

It starts `learnhub serve` on a fresh database, then measures in one run:
  - the raw database limit: plain inserts of the same statements into one indexed table, a batch
    per transaction, with no LRS in between (our ingest rate is printed as a ratio of it);
  - batch ingest: 100 statements per POST, 4 concurrent POSTs, from an empty store to N statements,
    printing the rate of every slice so the drift from empty to full is visible;
  - single-statement POST: rate and p99;
  - GET by statementId: rate and p99;
  - filtered queries (agent, verb, activity, registration, since, agent+verb; limit 50; each with
    the first `more` page it offers) over the full store: rate and p99;
  - deep paging (wrk only): the same queries with every `more` link followed to the end of its chain.

The single-POST, GET-by-id and filtered-query phases are driven by `wrk` (Debian package `wrk`)
when it is installed: a Python client on the same 2-core machine costs about as much CPU per
request as the server and would measure itself. Without wrk they fall back to an aiohttp client.

Usage:
  python benchmarks/lrs_bench.py [--db sqlite:///path | postgresql://…] [--statements 1000000] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
VERBS = [f"http://adlnet.gov/expapi/verbs/{v}" for v in
         ("launched", "initialized", "progressed", "answered", "completed", "passed", "failed", "terminated",
          "suspended", "resumed", "experienced", "attempted")]


class Corpus:
    """Deterministic ~1.5 KB statements over a realistic population of people, courses and attempts."""

    def __init__(self, seed: int = 7, people: int = 10_000, courses: int = 2_000) -> None:
        self.rng = random.Random(seed)
        self.people = [f"learner{i:05d}@bench.example.com" for i in range(people)]
        self.courses = [f"https://bench.example.com/courses/{i:04d}" for i in range(courses)]
        self.registrations = [str(uuid.UUID(int=self.rng.getrandbits(128), version=4)) for _ in range(20_000)]

    def statement(self) -> dict[str, Any]:
        rng = self.rng
        person = rng.choice(self.people)
        course = rng.choice(self.courses)
        verb = rng.choice(VERBS)
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": {"objectType": "Agent", "name": f"Learner {person[7:12]}", "mbox": f"mailto:{person}"},
            "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1], "ar-SA": "فعل"}},
            "object": {"objectType": "Activity", "id": f"{course}/module/{rng.randint(1, 8)}", "definition": {
                "name": {"en-US": f"Module {rng.randint(1, 8)} of course {course[-4:]}"},
                "description": {"en-US": "A realistic module description used to bring the statement to size."},
                "type": "http://adlnet.gov/expapi/activities/module",
                "extensions": {"https://bench.example.com/ext/difficulty": rng.choice(["easy", "medium", "hard"])}}},
            "result": {"score": {"scaled": round(rng.random(), 2), "raw": rng.randint(0, 100), "min": 0, "max": 100},
                       "success": rng.random() > 0.3, "completion": rng.random() > 0.2,
                       "duration": f"PT{rng.randint(1, 59)}M{rng.randint(0, 59)}S"},
            "context": {
                "registration": rng.choice(self.registrations),
                "platform": "learnhub benchmark",
                "language": "en-US",
                "contextActivities": {
                    "parent": [{"objectType": "Activity", "id": course}],
                    "grouping": [{"objectType": "Activity", "id": "https://bench.example.com/programs/safety"}],
                    "category": [{"objectType": "Activity", "id": "https://w3id.org/xapi/scorm"}]},
                "extensions": {"https://bench.example.com/ext/session": str(uuid.UUID(int=rng.getrandbits(128)))},
            },
            "timestamp": f"2026-11-01T09:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.000Z",
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(db: str, *args: str) -> str:
    env = dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-m", "hub.cli", *args, "--db", db], capture_output=True, text=True,
                          check=True, env=env, cwd=ROOT).stdout


# --- the raw limit ---

def raw_sqlite_rate(statements: list[dict[str, Any]], batch: int = 100) -> float:
    """Plain inserts into one indexed table, a transaction per batch, same pragmas as the LRS."""
    with tempfile.TemporaryDirectory() as directory:
        conn = sqlite3.connect(Path(directory) / "raw.db", isolation_level=None)
        synchronous = os.environ.get("LEARNHUB_SQLITE_SYNCHRONOUS", "FULL")  # the same durability as the server
        for pragma in ("journal_mode=WAL", f"synchronous={synchronous}", "cache_size=-65536", "temp_store=MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("CREATE TABLE raw (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, verb TEXT, body TEXT)")
        conn.execute("CREATE INDEX raw_verb ON raw (verb, seq)")
        rows = [(s["id"], s["verb"]["id"], orjson.dumps(s).decode()) for s in statements]
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO raw (id, verb, body) VALUES (?, ?, ?)", rows[start:start + batch])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    return len(rows) / elapsed


async def raw_postgres_rate(url: str, statements: list[dict[str, Any]], batch: int = 100) -> float:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    await conn.execute("DROP TABLE IF EXISTS bench_raw")
    await conn.execute("CREATE TABLE bench_raw (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, verb TEXT, "
                       "body TEXT)")
    await conn.execute("CREATE INDEX bench_raw_verb ON bench_raw (verb, seq)")
    rows = [(s["id"], s["verb"]["id"], orjson.dumps(s).decode()) for s in statements]
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        async with conn.transaction():
            await conn.executemany("INSERT INTO bench_raw (id, verb, body) VALUES ($1, $2, $3)",
                                   rows[start:start + batch])
    elapsed = time.perf_counter() - started
    await conn.execute("DROP TABLE bench_raw")
    await conn.close()
    return len(rows) / elapsed


# --- the load generator ---

class Load:
    def __init__(self, base: str, key: str, secret: str) -> None:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.base = base
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Load:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self.session is not None
        await self.session.close()

    async def post(self, body: bytes) -> float:
        assert self.session is not None
        started = time.perf_counter()
        async with self.session.post(self.base + "/xapi/statements", data=body,
                                     headers={**self.headers, "Content-Type": "application/json"}) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"POST failed: {resp.status} {await resp.text()}")
        return time.perf_counter() - started

    async def get(self, path: str) -> tuple[float, dict[str, Any]]:
        assert self.session is not None
        started = time.perf_counter()
        async with self.session.get(self.base + path, headers=self.headers) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {path} failed: {resp.status} {body[:200]!r}")
        return time.perf_counter() - started, orjson.loads(body)


async def run_concurrently(count: int, concurrency: int, task) -> list[float]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    counter = iter(range(count))

    async def worker() -> None:
        for index in counter:
            latencies.append(await task(index))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def bench_ingest(load: Load, corpus: Corpus, total: int, slice_size: int, ids: list[str]) -> list[float]:
    """Batch ingest in slices; returns statements/s per slice."""
    rates = []
    done = 0
    while done < total:
        size = min(slice_size, total - done)
        batches = []
        for _ in range(size // 100):
            batch = [corpus.statement() for _ in range(100)]
            ids.append(batch[0]["id"])
            batches.append(orjson.dumps(batch))
        started = time.perf_counter()
        await run_concurrently(len(batches), 4, lambda i, batches=batches: load.post(batches[i]))
        rate = size / (time.perf_counter() - started)
        rates.append(rate)
        done += size
        print(f"  ingest {done:>9,} statements: {rate:8,.0f} statements/s", flush=True)
    return rates


async def bench_single_posts(load: Load, corpus: Corpus, count: int, concurrency: int) -> tuple[float, float]:
    bodies = [orjson.dumps(corpus.statement()) for _ in range(count)]
    started = time.perf_counter()
    latencies = await run_concurrently(count, concurrency, lambda i: load.post(bodies[i]))
    return count / (time.perf_counter() - started), percentile(latencies, 0.99)


async def bench_get_by_id(load: Load, ids: list[str], count: int, concurrency: int) -> tuple[float, float]:
    rng = random.Random(3)
    paths = [f"/xapi/statements?statementId={rng.choice(ids)}" for _ in range(count)]

    async def one(i: int) -> float:
        latency, _ = await load.get(paths[i])
        return latency

    started = time.perf_counter()
    latencies = await run_concurrently(count, concurrency, one)
    return count / (time.perf_counter() - started), percentile(latencies, 0.99)


def filtered_queries(corpus: Corpus, count: int, since: str) -> list[str]:
    rng = random.Random(5)
    queries = []
    for i in range(count):
        kind = i % 6
        params: dict[str, str] = {"limit": "50"}
        if kind in (0, 5):
            params["agent"] = json.dumps({"mbox": f"mailto:{rng.choice(corpus.people)}"})
        if kind in (1, 5):
            params["verb"] = rng.choice(VERBS)
        if kind == 2:
            params["activity"] = f"{rng.choice(corpus.courses)}/module/{rng.randint(1, 8)}"
        if kind == 3:
            params["registration"] = rng.choice(corpus.registrations)
        if kind == 4:
            params["since"] = since
        queries.append("/xapi/statements?" + urllib.parse.urlencode(params))
    return queries


async def bench_filtered(load: Load, queries: list[str], concurrency: int) -> tuple[float, float, int]:
    """Each query and the first `more` page it offers count as requests."""
    latencies: list[float] = []
    pages = 0

    async def one(i: int) -> float:
        nonlocal pages
        latency, body = await load.get(queries[i])
        pages += 1
        if body.get("more"):
            more_latency, _ = await load.get(body["more"])
            latencies.append(more_latency)
            pages += 1
        return latency

    started = time.perf_counter()
    latencies += await run_concurrently(len(queries), concurrency, one)
    elapsed = time.perf_counter() - started
    return pages / elapsed, percentile(latencies, 0.99), pages


async def with_first_more_pages(load: Load, queries: list[str]) -> list[str]:
    """Each query, followed by the `more` page its first page offers: the paths of wrk's filtered phase.

    wrk's one Lua state serves all its connections, so it cannot tell which query a response answers;
    following the link a response offers leads each connection down its query's whole chain (at 1M a verb's
    ~83,000 statements are ~1,700 pages), which the deep-paging phase measures on its own.
    """
    paths = []
    for query in queries:
        _, body = await load.get(query)
        paths.append(query)
        if body.get("more"):
            paths.append(body["more"])
    return paths


# --- wrk-driven phases ---

def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_script(method: str, paths: list[str], bodies: list[bytes] | None = None, follow_more: bool = False) -> str:
    """A wrk Lua script cycling through paths (and bodies); optionally following `more` links."""
    lines = ["local paths = {" + ",".join(lua_string(p) for p in paths) + "}"]
    lines.append("local bodies = {" + ",".join(lua_string(b.decode()) for b in bodies or []) + "}")
    lines.append("local i = 0\nlocal pending = nil")
    lines.append('wrk.headers["Content-Type"] = "application/json"')
    lines.append('''request = function()
  if pending then local p = pending; pending = nil; return wrk.format("GET", p) end
  i = i + 1
  local body = nil
  if #bodies > 0 then body = bodies[(i % #bodies) + 1] end
  return wrk.format("METHOD", paths[(i % #paths) + 1], nil, body)
end'''.replace("METHOD", method))
    if follow_more:
        lines.append('''response = function(status, headers, body)
  if status ~= 200 then error("status " .. status .. ": " .. body) end
  -- "more" is the body's last member: searching only its tail keeps wrk's one thread from
  -- scanning 75 KB of statements per page (0.4 of a core at 350 pages/s).
  local more = string.match(body, '"more":"([^"]+)"', math.max(1, #body - 2000))
  if more then pending = more end
end''')
    else:
        lines.append('''response = function(status, headers, body)
  if status >= 300 then error("status " .. status .. ": " .. body) end
end''')
    return "\n".join(lines) + "\n"


def run_wrk(base: str, auth: str, script: str, seconds: int, connections: int = 8) -> tuple[float, float]:
    """Requests/s and p99 latency (s) from a wrk run; raises if any request failed."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    result = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name,
                             "-H", f"Authorization: {auth}", "-H", "X-Experience-API-Version: 1.0.3",
                             base + "/xapi/statements"], capture_output=True, text=True, check=True)
    os.unlink(handle.name)
    out = result.stdout
    if "Non-2xx" in out or "error" in result.stderr.lower():
        raise RuntimeError(f"wrk saw failed requests:\n{out}\n{result.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rate, float(value) / {"us": 1e6, "ms": 1e3, "s": 1}[unit]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--statements", type=int, default=1_000_000, help="statements to ingest (default 1,000,000)")
    parser.add_argument("--slice", type=int, default=100_000, help="ingest slice reported separately")
    parser.add_argument("--raw-sample", type=int, default=100_000, help="statements for the raw-limit measurement")
    parser.add_argument("--requests", type=int, default=3_000, help="requests per phase (Python client)")
    parser.add_argument("--seconds", type=int, default=15, help="seconds per wrk phase")
    parser.add_argument("--workers", type=int, default=1, help="server processes (learnhub serve --workers)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="learnhub-bench-")
    db = args.db or f"sqlite:///{workdir}/bench.db"
    dialect = "postgresql" if db.startswith("postgres") else "sqlite"
    corpus = Corpus()
    print(f"learnhub LRS benchmark: {dialect}, {args.statements:,} statements, {os.cpu_count()} cores, "
          f"{args.workers} server worker{'s' if args.workers > 1 else ''}", flush=True)

    sample_corpus = Corpus(seed=99)
    sample = [sample_corpus.statement() for _ in range(args.raw_sample)]
    size = statistics.mean(len(orjson.dumps(s)) for s in sample[:1000])
    raw = raw_sqlite_rate(sample) if dialect == "sqlite" else await raw_postgres_rate(db, sample)
    print(f"raw {dialect} limit: {raw:,.0f} statements/s (one indexed table, 100 per transaction, "
          f"{size:,.0f}-byte statements)")

    cli(db, "db", "upgrade")
    slug = f"bench{uuid.uuid4().hex[:8]}"
    cli(db, "tenant", "create", slug, "--name", "Benchmark")
    credential = json.loads(cli(db, "lrs-credentials", "create", "--tenant", slug, "--json"))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--db", db, "--port", str(port),
                               "--workers", str(args.workers)], cwd=ROOT,
                              env=dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING"),
                              stdout=subprocess.DEVNULL, stderr=open(f"{workdir}/server.log", "w"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                await asyncio.sleep(0.2)
        async with Load(base, credential["key"], credential["secret"]) as load:
            ids: list[str] = []
            rates = await bench_ingest(load, corpus, args.statements, args.slice, ids)
            first, last = rates[0], rates[-1]
            overall = statistics.mean(rates)
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 30))
            queries = filtered_queries(corpus, max(600, args.requests // 2), since)
            if shutil.which("wrk"):
                auth = load.headers["Authorization"]
                bodies = [orjson.dumps({k: v for k, v in corpus.statement().items() if k != "id"})
                          for _ in range(200)]
                single_rate, single_p99 = run_wrk(base, auth, wrk_script(
                    "POST", ["/xapi/statements"], bodies), args.seconds)
                rng = random.Random(3)
                get_paths = [f"/xapi/statements?statementId={rng.choice(ids)}" for _ in range(2000)]
                get_rate, get_p99 = run_wrk(base, auth, wrk_script("GET", get_paths), args.seconds)
                filtered_rate, filtered_p99 = run_wrk(
                    base, auth, wrk_script("GET", await with_first_more_pages(load, queries)), args.seconds)
                deep: tuple[float, float] | None = run_wrk(
                    base, auth, wrk_script("GET", queries, follow_more=True), args.seconds)
                pages, client = -1, "wrk, 8 connections"
            else:
                single_rate, single_p99 = await bench_single_posts(load, corpus, args.requests, 8)
                get_rate, get_p99 = await bench_get_by_id(load, ids, args.requests, 8)
                filtered_rate, filtered_p99, pages = await bench_filtered(load, queries, 8)
                client, deep = "aiohttp client, 8 concurrent", None
        print()
        print(f"batch ingest (100/POST, 4 concurrent): mean {overall:,.0f} statements/s; first slice "
              f"{first:,.0f}, last slice {last:,.0f} ({(last - first) / first:+.1%} from empty to "
              f"{args.statements:,}); {overall / raw:.2f} of the raw {dialect} limit")
        print(f"single-statement POST ({client}): {single_rate:,.0f}/s, p99 {single_p99 * 1000:.1f} ms")
        print(f"GET by statementId ({client}): {get_rate:,.0f}/s, p99 {get_p99 * 1000:.1f} ms")
        print(f"filtered queries (agent, verb, activity, registration, since, agent+verb; limit 50; each with "
              f"the first `more` page it offers; {client}) over {args.statements:,}+ statements: "
              f"{filtered_rate:,.0f}/s, p99 {filtered_p99 * 1000:.1f} ms")
        if deep is not None:
            print(f"deep paging (the same queries, every `more` link followed to the end of its chain; {client}): "
                  f"{deep[0]:,.0f}/s, p99 {deep[1] * 1000:.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
