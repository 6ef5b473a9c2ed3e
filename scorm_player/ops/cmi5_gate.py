"""cmi5 session credentials for the LRS: the key `cmi5-<session id>` that the fetch URL hands out, its
principal (the learner's session, short-lived), and the gate that holds every request it makes to cmi5's rules.

The LRS knows none of this: hub.app registers `Cmi5Credentials` as a credential kind (lrs.api.keys
.CREDENTIAL_KINDS), and the principal it loads carries a `Cmi5SessionGate` that lrs.ops.statements and
lrs.api.documents consult (lrs.ops.credentials.RequestGate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import orjson
from sqlalchemy import Connection, Row

from hub import clock
from hub.db import Database
from hub.errors import Forbidden
from lrs.model.agents import agent_ifi
from lrs.ops import documents
from lrs.ops.credentials import FollowUp, Principal
from lrs.scopes import PROFILE, STATE, STATEMENTS_READ_MINE, STATEMENTS_WRITE, permissions
from scorm_player.cmi5 import store
from scorm_player.cmi5.gate import AcceptedStatement, GateRejection, SessionFacts, check_statements
from scorm_player.cmi5.vocabulary import (
    LAUNCH_DATA_STATE_ID,
    LEARNER_PREFERENCES_PROFILE_ID,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_TERMINATED,
)
from scorm_player.ops import cmi5 as ops
from scorm_player.runtime.durations import parse_iso8601_duration

__all__ = ["CMI5_KEY_PREFIX", "SESSION_SCOPES", "Cmi5Credentials", "Cmi5SessionGate"]

CMI5_KEY_PREFIX = ops.CMI5_KEY_PREFIX
# What an AU needs (cmi5 §6-§11): write its statements, read them back, its state, the learner's profile.
SESSION_SCOPES = frozenset({STATEMENTS_WRITE, STATEMENTS_READ_MINE, STATE, PROFILE})
_READS = frozenset({"GET", "HEAD"})


def session_authority(tenant_slug: str, session_id: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": "cmi5 AU session",
            "account": {"homePage": f"https://learnhub.local/tenants/{tenant_slug}/cmi5/sessions",
                        "name": session_id}}


class Cmi5Credentials:
    """The credential kind for keys starting with `cmi5-`: live once fetched (8.1.2.0-2)."""

    def __init__(self, content_root: Path) -> None:
        self.content_root = content_root

    def load(self, conn: Connection, key: str) -> tuple[str, Principal] | None:
        session = store.load_session(conn, key.removeprefix(CMI5_KEY_PREFIX))
        if session is None or session.credential_hash is None:
            return None
        # Ended sessions still authenticate, so the gate can answer with the requirement they break.
        gate = Cmi5SessionGate(self.content_root, session.session_id, session.tenant_id, session.tenant_slug,
                               ops.registration_actor(session.tenant_slug, session))
        principal = Principal(session.tenant_id, session.tenant_slug, 0, key, SESSION_SCOPES,
                              session_authority(session.tenant_slug, session.session_id),
                              permissions(SESSION_SCOPES), "1.0.3", gate=gate)
        return session.credential_hash, principal


@dataclass(frozen=True)
class Cmi5SessionGate:
    """cmi5's rules for one AU session; state is read afresh (and locked) on every request."""

    content_root: Path
    session_id: str
    tenant_id: int
    tenant_slug: str
    actor: dict[str, Any]

    # --- statements ---

    def check_statements(self, conn: Connection, statements: Sequence[dict[str, Any]]) -> FollowUp | None:
        session = store.load_session(conn, self.session_id, for_update=True)
        assert session is not None
        reg = ops.load_registration(conn, self.tenant_id, self.tenant_slug, session.registration_id, self.content_root)
        au = store.get_au_status(conn, session.registration_pk, session.au_index, for_update=True)
        accepted = check_statements(statements, self._facts(session, reg, au))
        now = clock.now()
        store.update_session(conn, session.id, last_statement_at=now, **_session_changes(accepted, now))
        lms_statements: list[dict[str, Any]] = []
        if _au_changes(conn, session, accepted, now):
            lms_statements = ops.evaluate_au(conn, reg, session.au_index, self.session_id)
        if accepted:
            ops.roll_up(conn, reg)
        if not lms_statements:
            return None

        async def send(db: Database) -> None:
            # 9.3.9.0-9: satisfied statements triggered by this session carry its session id.
            await ops.send_lms_statements(db, self.tenant_id, self.tenant_slug, lms_statements)

        return send

    def _facts(self, session: Row[Any], reg: ops.CourseRegistration, au: Row[Any] | None) -> SessionFacts:
        return SessionFacts(
            session_id=session.session_id, registration=session.registration_id, actor=self.actor,
            au_iri=reg.iris.au(session.au_index), launch_mode=session.launch_mode,
            mastery_score=session.mastery_score, context_template=orjson.loads(session.context_template),
            learner_preferences_read=session.learner_preferences_read_at is not None,
            initialized=session.initialized_at is not None, terminated=session.terminated_at is not None,
            abandoned=session.abandoned_at is not None, completed=session.completed_at is not None,
            passed=session.passed_at is not None, failed=session.failed_at is not None,
            au_completed=bool(au and au.completed_at), au_passed=bool(au and au.passed_at))

    # --- documents ---

    async def check_document(self, db: Database, method: str, address: documents.Address) -> None:
        session = await db.read(lambda conn: store.load_session(conn, self.session_id))
        assert session is not None
        if session.abandoned_at is not None:
            raise GateRejection("9.3.6.0-2", "the session was abandoned")
        if session.terminated_at is not None and method not in _READS:
            raise GateRejection("8.1.2.0-2", "the session is terminated")
        own = agent_ifi(self.actor)
        if address.kind == documents.STATE:
            if address.agent_ifi != own:
                raise GateRejection("8.1.3.0-3", "the agent is not the launch actor", field="agent")
            if address.registration is not None and address.registration != session.registration_id:
                raise GateRejection("8.1.4.0-3", "not the launch registration", field="registration")
            if address.document_id == LAUNCH_DATA_STATE_ID and method not in _READS:
                raise GateRejection("10.2.1.0-5", f"{method} of LMS.LaunchData", field="stateId")
        elif address.kind == documents.AGENT_PROFILE:
            if address.agent_ifi != own:
                raise GateRejection("11.0.0.0-1", "the agent is not the launch actor", field="agent")
            if address.document_id == LEARNER_PREFERENCES_PROFILE_ID:
                if method not in _READS:
                    raise GateRejection("11.0.0.0-2", "the learner's preferences are kept by the LMS",
                                        field="profileId")
                if session.learner_preferences_read_at is None:
                    # 11.0.0.0-3 (d1): the AU read them; statements may follow.
                    await db.transaction(lambda conn: store.update_session(
                        conn, session.id, learner_preferences_read_at=clock.now()))
        elif method not in _READS:
            raise Forbidden("an AU session may only read activity profiles", field="profileId")


def _session_changes(accepted: list[AcceptedStatement], now: datetime) -> dict[str, Any]:
    columns = {VERB_INITIALIZED: "initialized_at", VERB_COMPLETED: "completed_at", VERB_PASSED: "passed_at",
               VERB_FAILED: "failed_at", VERB_TERMINATED: "terminated_at"}
    changes: dict[str, Any] = {}
    for statement in accepted:
        changes[columns[statement.verb]] = now
        if statement.verb == VERB_TERMINATED and statement.duration:
            centiseconds = parse_iso8601_duration(statement.duration)
            if centiseconds is not None:
                changes["duration_seconds"] = centiseconds / 100
    return changes


def _au_changes(conn: Connection, session: Row[Any], accepted: list[AcceptedStatement], now: datetime) -> bool:
    """Record completed/passed/failed on the AU for the registration; True when moveOn may have changed."""
    changes: dict[str, Any] = {}
    for statement in accepted:
        if statement.verb == VERB_COMPLETED:
            changes["completed_at"] = now
        elif statement.verb in (VERB_PASSED, VERB_FAILED):
            changes["passed_at" if statement.verb == VERB_PASSED else "failed_at"] = now
            if statement.score_scaled is not None:
                changes["score_scaled"] = statement.score_scaled
    if changes:
        store.update_au_status(conn, session.registration_pk, session.au_index, **changes)
    return "completed_at" in changes or "passed_at" in changes
