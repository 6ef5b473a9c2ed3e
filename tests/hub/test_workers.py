"""`learnhub serve --workers N`: several processes on one port, and what they must agree on (hub.workers)."""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Connection, text

from hub.db import Database
from hub.migrate import upgrade
from hub.tenants import create_tenant
from hub.workers import Siblings
from lrs.ops import statements as ops
from lrs.ops.activities import get_activity
from lrs.ops.credentials import Authenticator, create_credential
from tests.fixtures.server import cli, free_port
from tests.fixtures.statements import make_statement


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One request on a connection of its own (the kernel picks the worker per connection)."""
    request = urllib.request.Request(url, headers={"Connection": "close", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _post(url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Connection": "close", "Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class Workers:
    def __init__(self, process: subprocess.Popen[bytes], base_url: str, db_url: str, headers: dict[str, str]) -> None:
        self.process = process
        self.base_url = base_url
        self.db_url = db_url
        self.headers = headers


def _child_pids(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _start(db_url: str, workers: int, log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--db", db_url, "--port", str(port),
                                "--workers", str(workers)], stdout=log.open("w"), stderr=subprocess.STDOUT,
                               env=dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING", **env))
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    seen: set[int] = set()
    # Started means every worker answers (each binds its own socket when it is ready).
    while len(seen) < workers:
        try:
            seen.add(_get(base_url + "/health")[1]["worker"]["index"])
        except (OSError, KeyError, TypeError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"learnhub serve --workers {workers} did not start:\n{log.read_text()}") from None
            time.sleep(0.1)
    return process, base_url


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    folder = tmp_path_factory.mktemp("workers")
    db_url = f"sqlite:///{folder / 'workers.db'}"
    cli("db", "upgrade", "--db", db_url)
    cli("tenant", "create", "workers", "--name", "Workers", "--db", db_url)
    issued = json.loads(cli("lrs-credentials", "create", "--tenant", "workers", "--json", "--db", db_url))
    process, base_url = _start(db_url, 2, folder / "serve.log")
    token = base64.b64encode(f"{issued['key']}:{issued['secret']}".encode()).decode()
    yield Workers(process, base_url, db_url, {"Authorization": f"Basic {token}",
                                              "X-Experience-API-Version": "1.0.3"})
    process.terminate()
    process.wait(timeout=20)


def test_two_workers_answer_on_one_port_and_only_the_first_runs_the_jobs(two_workers: Workers) -> None:
    answers = [_get(two_workers.base_url + "/health")[1]["worker"] for _ in range(40)]
    assert {a["index"] for a in answers} == {0, 1}
    assert all(a["of"] == 2 for a in answers)
    assert {a["pid"] for a in answers} == _child_pids(two_workers.process.pid)
    schedulers: dict[int, str] = {}
    while len(schedulers) < 2:
        status, body = _get(two_workers.base_url + "/health/jobs")
        assert status == 200
        schedulers[body["worker"]] = body["scheduler"]
    assert schedulers == {0: "running", 1: "in worker 0"}


def test_statements_written_through_both_workers_are_all_stored_and_paged_once(two_workers: Workers) -> None:
    url = two_workers.base_url + "/xapi/statements"
    registration = str(uuid.uuid4())
    batches = [[make_statement(registration=registration) for _ in range(20)] for _ in range(12)]

    async def post_all() -> list[tuple[int, Any]]:
        return await asyncio.gather(*(asyncio.to_thread(_post, url, batch, two_workers.headers) for batch in batches))

    answers = asyncio.run(post_all())
    assert [status for status, _ in answers] == [200] * len(batches)
    posted = {statement_id for _, ids in answers for statement_id in ids}
    assert posted == {s["id"] for batch in batches for s in batch}
    # Paged 7 at a time, each page on a fresh connection (so on either worker): every statement once.
    seen: list[str] = []
    status, page = _get(f"{url}?registration={registration}&limit=7", two_workers.headers)
    while True:
        assert status == 200
        seen += [s["id"] for s in page["statements"]]
        if not page.get("more"):
            break
        status, page = _get(two_workers.base_url + page["more"], two_workers.headers)
    assert len(seen) == len(posted) and set(seen) == posted
    stored = [s["stored"] for s in _get(f"{url}?registration={registration}&limit=0&ascending=true",
                                        two_workers.headers)[1]["statements"]]
    assert stored == sorted(stored)


def test_a_worker_that_dies_stops_the_server(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'dies.db'}"
    process, base_url = _start(db_url, 2, tmp_path / "serve.log")
    try:
        victim = _get(base_url + "/health")[1]["worker"]["pid"]
        os.kill(victim, signal.SIGKILL)
        assert process.wait(timeout=30) == 1
        assert _child_pids(process.pid) == set()
        assert "exited with status -9; stopping" in (tmp_path / "serve.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()


def test_sigterm_stops_every_worker(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'stop.db'}"
    process, base_url = _start(db_url, 3, tmp_path / "serve.log")
    children = _child_pids(process.pid)
    assert len(children) == 3
    process.terminate()
    assert process.wait(timeout=30) == 0
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_several_workers_refuse_an_in_memory_database() -> None:
    result = subprocess.run([sys.executable, "-m", "hub.cli", "serve", "--db", "sqlite:///:memory:",
                             "--port", str(free_port()), "--workers", "2"], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING"))
    assert result.returncode == 2
    assert "several workers need a database file" in result.stderr


def test_several_workers_refuse_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "hub.cli", "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                                 "--port", str(port), "--workers", "2"], capture_output=True, text=True,
                                timeout=60, env=dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING"))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr


def _bump(siblings: Siblings) -> None:
    siblings.revoked()


def test_a_revocation_in_one_worker_is_seen_by_the_others() -> None:
    context = multiprocessing.get_context("fork")
    shared = context.Value("Q", 0)
    mine, other = Siblings(0, 2, shared), Siblings(1, 2, shared)
    child = context.Process(target=_bump, args=(other,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert mine.revocations() == 1
    assert Siblings().revocations() == 0 and Siblings().exclusive


async def test_a_sqlite_writer_waits_for_the_lock_file_without_blocking_its_loop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    upgrade(url)
    db = Database(url, exclusive=False)
    try:
        # Another process's writer holds the lock (flock locks belong to the open file, so this one conflicts).
        holder = os.open(f"{tmp_path / 'locked.db'}-writer.lock", os.O_RDWR)
        fcntl.flock(holder, fcntl.LOCK_EX)

        def write(conn: Connection) -> int:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            return 1

        pending = asyncio.ensure_future(db.transaction(write))
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        assert not pending.done() and ticks == 20  # waiting, and the loop ran on meanwhile
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
        assert await asyncio.wait_for(pending, 10) == 1
        assert await db.read(lambda conn: conn.execute(text("SELECT count(*) FROM t")).scalar()) == 1
    finally:
        await db.dispose()


async def test_another_workers_newer_definition_is_not_hidden_by_this_ones_memory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'definitions.db'}"
    upgrade(url)
    first, second = Database(url, exclusive=False), Database(url, exclusive=False)
    try:
        tenant = await create_tenant(first, "defs", "Definitions")
        issued = await create_credential(first, tenant.id, scopes="all", label="defs")
        principal = await Authenticator(first).authenticate(issued.key, issued.secret)
        assert principal is not None
        activity = "http://example.com/activities/renamed"

        def statement(name: str) -> dict[str, Any]:
            return make_statement(object={"id": activity, "definition": {"name": {"en-US": name}}})

        await ops.store_statements(first, principal, [statement("Old")], "1.0.3")
        await ops.store_statements(second, principal, [statement("New")], "1.0.3")
        # The first worker last wrote "Old"; sending it again must still be recorded as the newest.
        await ops.store_statements(first, principal, [statement("Old")], "1.0.3")
        merged = await get_activity(first, principal, activity)
        assert merged["definition"]["name"] == {"en-US": "Old"}
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_sqlite_writer_queues_behind_a_waiting_one_instead_of_barging(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.db import _TurnLock

    path = str(tmp_path / "turns.db")
    first, second = _TurnLock(path), _TurnLock(path)  # flock locks belong to the open file: these two conflict
    try:
        assert not first._someone_queued()
        await first.acquire()
        waiter = asyncio.ensure_future(second.acquire())
        for _ in range(500):
            if first._someone_queued():
                break
            await asyncio.sleep(0.002)
        # Seen by the holder while the other waits, until the other has the lock.
        assert first._someone_queued() and not waiter.done()
        first.release()
        await asyncio.wait_for(waiter, 10)
        assert not first._someone_queued()
        second.release()
        # With someone queued, a writer queues too (the free lock is not taken at once), and still gets it.
        waits: list[int] = []
        monkeypatch.setattr(first, "_someone_queued", lambda: True)
        original_wait = first._wait

        def counted_wait() -> None:
            waits.append(1)
            original_wait()

        monkeypatch.setattr(first, "_wait", counted_wait)
        await asyncio.wait_for(first.acquire(), 10)
        assert waits == [1]
        first.release()
    finally:
        first.close()
        second.close()
