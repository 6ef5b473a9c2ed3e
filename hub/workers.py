"""Several server processes on one port (`learnhub serve --workers N`).

One Python process runs one event loop on one core. With N workers the kernel spreads new connections
over N processes, so reads and request parsing use every core. What the processes must agree on is
here:
  - jobs run in worker 0 only (the others register them but never schedule them);
  - a revoked credential stops working in every worker at once: revocations bump a counter in shared
    memory, and each worker's authenticators drop their cache when it moves;
  - process-local caches of what the database holds are off (Siblings.exclusive), since another
    process may write;
  - SQLite writers take turns through a lock file (hub.db), PostgreSQL's own locks already span
    processes.
Per-process limits (sign-in throttling per address, SCIM request rates) apply per worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from typing import Any, Callable

from hub.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Siblings:
    """This process's place among the server's workers."""

    index: int = 0
    count: int = 1
    # A counter in shared memory, bumped at every revocation; None when the process serves alone.
    _shared_revocations: Synchronized[int] | None = None
    _local_revocations: int = 0

    @property
    def exclusive(self) -> bool:
        """Whether this process is the database's only server process (its caches of it can be trusted)."""
        return self.count == 1

    @property
    def runs_jobs(self) -> bool:
        return self.index == 0

    def revoked(self) -> None:
        """Tell every worker that a credential was revoked (their authenticators drop their caches)."""
        if self._shared_revocations is None:
            self._local_revocations += 1
            return
        with self._shared_revocations.get_lock():
            self._shared_revocations.value += 1

    def revocations(self) -> int:
        if self._shared_revocations is None:
            return self._local_revocations
        return self._shared_revocations.value


def check_port(host: str, port: int) -> None:
    """Raise OSError if the workers could not bind host:port (each binds its own socket, with SO_REUSEPORT)."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    with socket.socket(info[0], socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        probe.bind(info[4])  # never listens: a listening socket would be handed connections too


def run_workers(settings: Settings, serve_one: Callable[[Settings, Siblings], Any]) -> int:
    """Fork settings.workers processes that each run serve_one, and supervise them.

    Each worker listens on a socket of its own bound with SO_REUSEPORT, and the kernel spreads new
    connections over them by address hash. (One socket shared by all was tried first: asyncio accepts
    up to 100 waiting connections per wake-up, so one worker often took every connection of a burst,
    and a benchmark's 8 keep-alive connections all landed on one process.)

    SIGTERM or SIGINT stops them all (each finishes its requests, as a lone server does). If one
    exits on its own the others are stopped too and the exit status is 1, for the service manager
    to restart the whole server: a half-running server would look healthy to some clients only.
    """
    # Forked, not spawned: the children start with the imported modules and the socket as they are.
    # No thread runs here at this point (the migrations and demo loader have finished theirs).
    context = multiprocessing.get_context("fork")
    revocations = context.Value("Q", 0)
    processes = []
    for index in range(settings.workers):
        siblings = Siblings(index, settings.workers, revocations)
        process = context.Process(target=_worker, args=(serve_one, settings, siblings),
                                  name=f"learnhub-worker-{index}", daemon=False)
        process.start()
        processes.append(process)

    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    running = list(processes)
    while running:
        ready = multiprocessing.connection.wait([p.sentinel for p in running])
        for process in [p for p in running if p.sentinel in ready]:
            process.join()
            running.remove(process)
            if not stopping:
                log.error("worker exited; stopping the server", extra={"worker": process.name,
                                                                      "exitcode": process.exitcode})
                print(f"learnhub: {process.name} exited with status {process.exitcode}; stopping",
                      file=sys.stderr, flush=True)
                status = 1
                stop(signal.SIGTERM, None)
    return status


def _worker(serve_one: Callable[[Settings, Siblings], Any], settings: Settings, siblings: Siblings) -> None:
    # The parent's handlers forward signals to the workers; a worker takes the default ones back for
    # aiohttp to install its own (graceful shutdown on SIGTERM and SIGINT).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    serve_one(settings, siblings)
