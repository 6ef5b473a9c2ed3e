"""The scheduled cmi5 sweep: a session left open past the idle time-out is abandoned (cmi5 9.3.6.0-1) even if the
learner never returns, exactly once, with its duration running to its last statement; fresh sessions are left."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hub import clock
from hub.db import Database
from scorm_player.ops.cmi5 import abandon_idle_sessions
from tests.fixtures.http import XAPIClient
from tests.scorm_player.cmi5.conftest import CourseFactory, registration_statements, verbs

ESSENTIALS = "001-essentials.cmi5.xml"


async def test_an_idle_session_is_abandoned_once_and_a_fresh_one_is_left(
        course: CourseFactory, database: Database, content_root: Path, lrs_reader: XAPIClient) -> None:
    found = await course(ESSENTIALS)
    stub = await found.launch()
    await stub.start()
    await stub.send_ok(stub.initialized())
    # Still fresh: nothing happens.
    assert await abandon_idle_sessions(database, content_root, idle_seconds=3600) == 0
    # Two hours later the learner has not come back.
    later = clock.now() + timedelta(hours=2)
    assert await abandon_idle_sessions(database, content_root, idle_seconds=3600, now=later) == 1
    assert await abandon_idle_sessions(database, content_root, idle_seconds=3600, now=later) == 0  # once only
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "abandoned"]
    abandoned = statements[-1]
    assert abandoned["result"]["duration"].startswith("PT")
    # The abandoned session takes nothing more; a new launch starts a new session and no second abandoned.
    assert await stub.rejected(stub.completed())
    await found.launch()
    assert verbs(await registration_statements(lrs_reader, found.registration_id)).count("abandoned") == 1
