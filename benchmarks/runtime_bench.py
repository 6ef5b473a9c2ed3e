"""SCORM runtime benchmark: commit throughput and p99 over HTTP on SQLite, and the import time of a 50 MB package.

It prepares a fresh SQLite database (a tenant, N learners, a generated one-SCO SCORM 1.2 package, one
registration and launched attempt per learner), starts `learnhub serve` on it, and has every learner commit
in a loop the way the browser runtime does (a synchronous commit, the next one after the answer: location,
suspend data and a score change, each with the next seq). It prints commits/s and latency percentiles.
Then it generates a 50 MB package (manifest + incompressible media) and times `import_package`.

The load is driven by `wrk` (Debian package `wrk`) when it is installed, with a Lua script that keeps one
sequence counter per learner: a Python client on the same 2-core machine costs about as much CPU per request
as the server and would measure itself. Without wrk an aiohttp client runs the same loop.

Targets (issue 4): >= 500 commits/s with p99 <= 30 ms; import <= 3 s.

Usage:
  python benchmarks/runtime_bench.py [--learners 16] [--seconds 15] [--package-mb 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.db import Database  # noqa: E402
from hub.migrate import upgrade  # noqa: E402
from hub.tenants import create_tenant  # noqa: E402
from provisioning.ops.people import create_person  # noqa: E402
from provisioning.ops.sessions import open_session  # noqa: E402
from scorm_player.ops.packages import import_package  # noqa: E402

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench.{name}" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bench {name}</title>
    <item identifier="sco_1" identifierref="res_1"><title>Lesson</title></item>
  </organization></organizations>
  <resources><resource identifier="res_1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/>{files}
  </resource></resources>
</manifest>
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_package(path: Path, name: str, media_bytes: int = 0, file_size: int = 1024 * 1024) -> None:
    """A one-SCO SCORM 1.2 zip; `media_bytes` of random (incompressible) media files, stored as-is."""
    count = (media_bytes + file_size - 1) // file_size if media_bytes else 0
    files = "".join(f'\n    <file href="media/clip{i:04d}.bin"/>' for i in range(count))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12.format(name=name, files=files))
        archive.writestr("index.html", "<!doctype html><title>Lesson</title><p>Lesson</p>")
        for index in range(count):
            archive.writestr(zipfile.ZipInfo(f"media/clip{index:04d}.bin"), os.urandom(file_size),
                             compress_type=zipfile.ZIP_STORED)


async def prepare(db_url: str, content_root: Path, learners: int, folder: Path) -> tuple[str, list[str], str]:
    upgrade(db_url)
    database = Database(db_url)
    try:
        tenant = await create_tenant(database, "bench", "Bench")
        tokens = []
        for index in range(learners):
            # Sessions are opened here: sign-in over HTTP is throttled per address (20 per 5 minutes).
            person = await database.transaction(lambda conn, i=index: create_person(
                conn, tenant.id, {"email": f"learner{i:03d}@bench.example.com", "given_name": "Learner",
                                  "family_name": str(i)}, actor="bench", roles=["learner"]))
            tokens.append(await database.transaction(lambda conn, p=person: open_session(
                conn, tenant.id, p.pk, method="password", ip=None, user_agent="bench")))
        package_path = folder / "bench-sco.zip"
        make_package(package_path, "runtime")
        package = await import_package(database, tenant.id, package_path, content_root=content_root, actor="bench")
        return tenant.slug, tokens, package.id
    finally:
        await database.dispose()


class Learner:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.headers: dict[str, str] = {}
        self.attempt_id = ""
        self.seq = 0

    async def sign_in(self, token: str, package_id: str) -> None:
        self.headers = {"Cookie": f"learnhub_session={token}"}
        async with self.session.get(f"{self.base}/auth/me", headers=self.headers) as response:
            self.headers["X-CSRF-Token"] = (await response.json())["csrf_token"]
        async with self.session.post(f"{self.base}/api/v1/registrations", json={"package_id": package_id},
                                     headers=self.headers) as response:
            registration = (await response.json())["id"]
        async with self.session.post(f"{self.base}/api/v1/registrations/{registration}/launch",
                                     headers=self.headers) as response:
            launched = await response.json()
        self.attempt_id = launched["attempt_id"]
        self.seq = launched["delivery"]["seq"]

    async def commit(self) -> float:
        self.seq += 1
        values: dict[str, Any] = {"cmi.core.lesson_location": f"page-{self.seq % 40}",
                                  "cmi.suspend_data": "s" * (200 + self.seq % 300),
                                  "cmi.core.lesson_status": "incomplete"}
        if self.seq % 10 == 0:
            values["cmi.core.score.raw"] = str(self.seq % 100)  # a score change: a "scored" statement too
        started = time.perf_counter()
        async with self.session.post(f"{self.base}/api/v1/runtime/{self.attempt_id}/sco_1/commit",
                                     json={"seq": self.seq, "terminate": False, "values": values},
                                     headers=self.headers) as response:
            await response.read()
            assert response.status == 200, response.status
        return time.perf_counter() - started


WRK_SCRIPT = """
local learners = {%(learners)s}
local i = 0
request = function()
  i = i + 1
  local learner = learners[(i %% #learners) + 1]
  learner.seq = learner.seq + 1
  local seq = learner.seq
  local score = ""
  if seq %% 10 == 0 then score = string.format(',"cmi.core.score.raw":"%%d"', seq %% 100) end
  local body = string.format('{"seq":%%d,"terminate":false,"values":{"cmi.core.lesson_location":"page-%%d",'
    .. '"cmi.suspend_data":"%%s","cmi.core.lesson_status":"incomplete"%%s}}',
    seq, seq %% 40, string.rep("s", 200 + seq %% 300), score)
  return wrk.format("POST", learner.path, {["Content-Type"] = "application/json", ["Cookie"] = learner.cookie,
    ["X-CSRF-Token"] = learner.csrf}, body)
end
response = function(status, headers, body)
  if status ~= 200 then error("status " .. status .. ": " .. body) end
end
"""


async def sign_in_all(base: str, tokens: list[str], package_id: str) -> list[Learner]:
    async with aiohttp.ClientSession() as session:
        learners = [Learner(session, base) for _ in tokens]
        await asyncio.gather(*(learner.sign_in(token, package_id)
                               for learner, token in zip(learners, tokens, strict=True)))
        for learner in learners:  # warm-up: the first commit of a session also writes statements and documents
            await learner.commit()
    return learners


def run_wrk_commits(base: str, learners: list[Learner], seconds: float, connections: int) -> None:
    entries = ",".join(
        f'{{path="/api/v1/runtime/{learner.attempt_id}/sco_1/commit", cookie="{learner.headers["Cookie"]}", '
        f'csrf="{learner.headers["X-CSRF-Token"]}", seq={learner.seq}}}'
        for learner in learners)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(WRK_SCRIPT % {"learners": entries})
    try:
        result = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-s",
                                 handle.name, base + "/"], capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    out = result.stdout
    if "Non-2xx" in out or "error" in result.stderr.lower():
        raise RuntimeError(f"wrk saw failed requests:\n{out}\n{result.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"(50|99)%\s+([\d.]+(?:us|ms|s))", out))
    print(f"runtime commits over HTTP, SQLite, wrk with {connections} connections over {len(learners)} learners:")
    print(f"  {rate:.0f} commits/s; latency p50 {percentiles.get('50')}, p99 {percentiles.get('99')}")


async def run_commits(base: str, tokens: list[str], package_id: str, seconds: float) -> None:
    connector = aiohttp.TCPConnector(limit=len(tokens) + 4)
    async with aiohttp.ClientSession(connector=connector) as session:
        learners = [Learner(session, base) for _ in tokens]
        await asyncio.gather(*(learner.sign_in(token, package_id)
                               for learner, token in zip(learners, tokens, strict=True)))
        for learner in learners:  # warm-up
            await learner.commit()
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds

        async def loop(learner: Learner) -> None:
            while time.perf_counter() < deadline:
                latencies.append(await learner.commit())

        started = time.perf_counter()
        await asyncio.gather(*(loop(learner) for learner in learners))
        elapsed = time.perf_counter() - started
    latencies.sort()
    print(f"runtime commits over HTTP, SQLite, aiohttp client, {len(tokens)} learners committing concurrently:")
    print(f"  {len(latencies)} commits in {elapsed:.1f} s = {len(latencies) / elapsed:.0f} commits/s")
    print(f"  latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")


async def time_import(folder: Path, megabytes: int) -> None:
    db_url = f"sqlite:///{folder / 'import.db'}"
    upgrade(db_url)
    database = Database(db_url)
    try:
        tenant = await create_tenant(database, "import-bench", "Import bench")
        path = folder / "big.zip"
        make_package(path, "big", media_bytes=megabytes * 1024 * 1024)
        size = path.stat().st_size
        started = time.perf_counter()
        imported = await import_package(database, tenant.id, path, content_root=folder / "import-content",
                                        actor="bench")
        elapsed = time.perf_counter() - started
        assert imported.created
        print(f"import of a generated {size / 1024 / 1024:.1f} MB SCORM package "
              f"({imported.report['file_count']} files): {elapsed:.2f} s")
    finally:
        await database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=64)
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (commits in flight)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--package-mb", type=int, default=50)
    parser.add_argument("--synchronous", default="FULL", help="LEARNHUB_SQLITE_SYNCHRONOUS for the server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="learnhub-runtime-bench-") as tmp:
        folder = Path(tmp)
        db_url = f"sqlite:///{folder / 'bench.db'}"
        content_root = folder / "content"
        _tenant, tokens, package_id = asyncio.run(prepare(db_url, content_root, args.learners, folder))
        port = free_port()
        env = dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING", LEARNHUB_CONTENT_ROOT=str(content_root),
                   LEARNHUB_SQLITE_SYNCHRONOUS=args.synchronous, LEARNHUB_SECRET_KEY="bench")
        server = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--db", db_url, "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(folder / "server.log", "w"))  # noqa: SIM115 - closed with the folder
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/health", timeout=1).read()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        server.kill()
                        raise SystemExit("the server did not start: "
                                         + (folder / "server.log").read_text()[-2000:]) from None
                    time.sleep(0.2)
            print(f"SQLite synchronous={args.synchronous}")
            if shutil.which("wrk"):
                learners = asyncio.run(sign_in_all(base, tokens, package_id))
                run_wrk_commits(base, learners, args.seconds, args.connections)
            else:
                asyncio.run(run_commits(base, tokens[:args.connections], package_id, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)
        asyncio.run(time_import(folder, args.package_mb))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
