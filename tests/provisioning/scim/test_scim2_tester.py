"""Acceptance: scim2-tester's checks against a really started `learnhub serve`, with a token from the CLI."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from tests.fixtures.server import RunningServer, cli

PASSED = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
FAILED = {Status.ERROR, Status.CRITICAL, Status.DEVIATION}


def test_scim2_tester_passes_every_check_against_a_started_server(running_server: RunningServer) -> None:
    slug = f"scim-{uuid.uuid4().hex[:10]}"  # a fresh tenant: the checks create and delete their own people
    cli("tenant", "create", slug, "--name", "SCIM check", "--db", running_server.db_url)
    token = json.loads(cli("scim-token", "create", "--tenant", slug, "--label", "scim2-tester", "--json",
                           "--db", running_server.db_url))["token"]
    started = time.monotonic()
    with httpx2.Client(base_url=f"{running_server.base_url}/scim/v2",
                       headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        results = check_server(SyncSCIMClient(http))
    elapsed = time.monotonic() - started
    counts = Counter(r.status for r in results)
    passed = sum(counts[s] for s in PASSED)
    failures = [f"{r.status.name} {r.resource_type or ''} {r.title}: {r.reason}" for r in results
                if r.status in FAILED]
    print(f"\nscim2-tester: {passed} passed, {len(failures)} failed, {counts[Status.SKIPPED]} skipped "
          f"in {elapsed:.1f}s")
    assert not failures, "\n".join(failures)
    # The reference scim2-server passes 135; a run that checked much less did not really run.
    assert passed >= 135, counts
