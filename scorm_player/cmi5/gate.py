"""The cmi5 statement gate: what an AU may write in its session, each refusal citing its requirement; pure.

The rules are CATAPULT's (player/service/plugins/routes/lrs.js) with the cmi5 requirement ids, checked in
its order, plus a few of the "(d)" requirements it leaves out (noted where they apply). A batch is checked
statement by statement against the session as it would be after the statements before it, so
`[initialized, experienced]` in one POST is fine and `[terminated, experienced]` is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, NoReturn, Protocol, Sequence

from hub.errors import Forbidden
from lrs.model.agents import agent_ifi
from scorm_player.cmi5.requirements import cite
from scorm_player.cmi5.vocabulary import (
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_MASTERY_SCORE,
    EXT_SESSION_ID,
    SATISFACTION_VERBS,
    VERB_ABANDONED,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_LAUNCHED,
    VERB_PASSED,
    VERB_SATISFIED,
    VERB_TERMINATED,
    VERB_VOIDED,
    VERB_WAIVED,
)

__all__ = ["AcceptedStatement", "GateRejection", "SessionFacts", "check_statements"]

# UTC is "Z", "+00:00", "+0000" or "+00" (CATAPULT's reading of 9.7.0.0-2).
_UTC = re.compile(r"(?:[Zz]|\+00:?(?:00)?)\Z")
# The LMS's own verbs: an AU sending one is impersonating the LMS.
_LMS_ONLY = {VERB_LAUNCHED: "9.3.1.0-1", VERB_ABANDONED: "9.3.6.0-1", VERB_WAIVED: "9.3.7.0-1",
             VERB_SATISFIED: "9.3.9.0-1"}
_DURATION_REQUIRED = {VERB_TERMINATED: "9.5.4.1-1", VERB_COMPLETED: "9.5.4.1-2", VERB_PASSED: "9.5.4.1-3",
                      VERB_FAILED: "9.5.4.1-4"}


class GateRejection(Forbidden):
    """A statement or document request cmi5 does not allow; the message starts with the requirement id.

    CATAPULT answers these with 401; we answer 403, because the credential is fine and asking again for
    credentials (what a 401 challenge means) would not help.
    """

    code = "cmi5_rejected"

    def __init__(self, requirement: str, detail: str = "", *, field: str | None = None,
                 statement_id: str | None = None) -> None:
        details: dict[str, Any] = {"requirement": requirement}
        if statement_id:
            details["statement"] = statement_id
        super().__init__(cite(requirement, detail), field=field, details=details)
        self.requirement = requirement


@dataclass(frozen=True)
class SessionFacts:
    """What the gate needs to know about the session and the AU's registration-wide results."""

    session_id: str
    registration: str
    actor: Mapping[str, Any]
    au_iri: str  # the LMS's activity id for the AU (the launch URL's activityId)
    launch_mode: str
    mastery_score: float | None
    context_template: Mapping[str, Any]
    learner_preferences_read: bool = False
    initialized: bool = False
    terminated: bool = False
    abandoned: bool = False
    completed: bool = False
    passed: bool = False
    failed: bool = False
    # Across every session of this AU in the registration (9.3.0.0-6/-7/-8).
    au_completed: bool = False
    au_passed: bool = False


@dataclass(frozen=True)
class AcceptedStatement:
    """A cmi5 defined statement the gate let through, with what the LMS records from it."""

    verb: str
    score_scaled: float | None = None
    duration: str | None = None


class _Reject(Protocol):
    def __call__(self, requirement: str, detail: str = "", path: str | None = None) -> NoReturn: ...


@dataclass
class _Progress:
    initialized: bool
    terminated: bool
    verbs: set[str] = field(default_factory=set)


def _activities(context: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """A contextActivities list; xAPI 1.0 also allows a single object."""
    activities = context.get("contextActivities") or {}
    value = activities.get(kind) if isinstance(activities, Mapping) else None
    if isinstance(value, Mapping):
        return [value]
    return [a for a in value if isinstance(a, Mapping)] if isinstance(value, list) else []


def _has(context: Mapping[str, Any], kind: str, activity_id: str) -> bool:
    return any(a.get("id") == activity_id for a in _activities(context, kind))


def _same_agent(provided: Any, expected: Mapping[str, Any]) -> bool:
    if not isinstance(provided, Mapping) or provided.get("objectType", "Agent") != "Agent":
        return False
    try:
        return agent_ifi(dict(provided)) == agent_ifi(dict(expected))
    except (ValueError, KeyError, TypeError):
        return False


def _check_template(context: Mapping[str, Any], template: Mapping[str, Any], reject: _Reject) -> None:
    """10.2.1.0-6/-7: every contextActivities entry of the template present, no template value overwritten."""
    for kind, expected in (template.get("contextActivities") or {}).items():
        for activity in expected:
            if not _has(context, kind, activity["id"]):
                reject("10.2.1.0-6", f"context does not match template: contextActivities.{kind} lacks "
                                     f"{activity['id']}", "context.contextActivities")
    extensions = context.get("extensions") or {}
    for name, value in (template.get("extensions") or {}).items():
        if extensions.get(name) != value:
            reject("10.2.1.0-7", f"context extension {name} differs from the contextTemplate", "context.extensions")


def check_statements(statements: Sequence[Mapping[str, Any]], facts: SessionFacts) -> list[AcceptedStatement]:
    """Raise GateRejection for the first statement cmi5 forbids; else the cmi5 defined ones, in order."""
    if facts.abandoned:
        # 9.3.6.0-2 / 8.1.2.0-2: the session is over, and so is its credential.
        raise GateRejection("9.3.6.0-2", "the session was abandoned")
    if not facts.learner_preferences_read:
        raise GateRejection("11.0.0.0-3", "Learner Prefs not yet retrieved")
    progress = _Progress(facts.initialized, facts.terminated)
    accepted: list[AcceptedStatement] = []
    for index, statement in enumerate(statements):
        found = _check_one(statement, index, facts, progress)
        if found is not None:
            accepted.append(found)
    return accepted


def _check_one(st: Mapping[str, Any], index: int, facts: SessionFacts, progress: _Progress
               ) -> AcceptedStatement | None:
    statement_id = st.get("id")
    prefix = f"[{index}]" if index else ""

    def reject(requirement: str, detail: str = "", path: str | None = None) -> NoReturn:
        where = f"{prefix}.{path}" if prefix and path else (path or prefix or None)
        raise GateRejection(requirement, f"{detail}; statement {statement_id}" if detail else str(statement_id),
                            field=where, statement_id=statement_id)

    if not statement_id:
        reject("9.1.0.0-1", "statement id missing", "id")
    verb = (st.get("verb") or {}).get("id")
    if verb == VERB_VOIDED:
        reject("6.3.0.0-1", "an AU may not void statements", "verb")
    timestamp = st.get("timestamp")
    if not isinstance(timestamp, str):
        reject("9.7.0.0-1", "timestamp missing", "timestamp")
    elif not _UTC.search(timestamp):
        reject("9.7.0.0-2", f"timestamp {timestamp} is not in UTC", "timestamp")
    actor = st.get("actor") or {}
    # 9.2.0.0-2/-3 before the match: the launch actor is an account Agent, so say what is wrong with this one.
    if actor.get("objectType", "Agent") != "Agent":
        reject("9.2.0.0-2", "actor is not an Agent", "actor")
    account = actor.get("account") or {}
    if not account.get("homePage") or not account.get("name"):
        reject("9.2.0.0-3", "actor has no account", "actor.account")
    if not _same_agent(actor, facts.actor):
        reject("8.1.3.0-3", "the actor is not the launch actor", "actor")
    context = st.get("context")
    if not isinstance(context, Mapping):
        reject("9.6.0.0-1", "no context", "context")
    if context.get("registration") != facts.registration:
        reject("9.6.1.0-1", "registration missing or not the launch registration", "context.registration")
    if not (context.get("extensions") or {}).get(EXT_SESSION_ID):
        reject("9.6.3.1-4", "session id extension missing", "context.extensions")
    _check_template(context, facts.context_template, reject)
    cmi5_defined = _has(context, "category", CATEGORY_CMI5)
    moveon = _has(context, "category", CATEGORY_MOVEON)
    if moveon and (not cmi5_defined or verb not in SATISFACTION_VERBS):
        reject("9.6.2.2-2", "moveOn category on a statement that is not completed/passed/failed",
               "context.contextActivities.category")
    if not progress.initialized and verb != VERB_INITIALIZED:
        reject("9.3.0.0-4", "the session is not initialized yet", "verb")
    if progress.terminated:
        # 9.3.8.0-4 lets the LMS choose how long it waits after Terminated before rejecting; ours waits 0 s.
        reject("9.3.0.0-5", "the session is terminated", "verb")
    if verb in _LMS_ONLY:
        # Not in CATAPULT (a cmi5-category one fails 9.3.0.0-1 there): only the LMS records these verbs.
        reject(_LMS_ONLY[verb], f"{verb} is recorded by the LMS, not the AU", "verb")
    if not cmi5_defined:
        return None  # a "cmi5 allowed" statement: any other verb between initialized and terminated
    found = _check_defined(st, verb or "", context, facts, progress, reject)
    progress.verbs.add(verb or "")
    if verb == VERB_INITIALIZED:
        progress.initialized = True
    elif verb == VERB_TERMINATED:
        progress.terminated = True
    return found


def _check_defined(st: Mapping[str, Any], verb: str, context: Mapping[str, Any], facts: SessionFacts,
                   progress: _Progress, reject: _Reject) -> AcceptedStatement:
    object_id = (st.get("object") or {}).get("id")
    if not object_id:
        reject("9.4.0.0-1", "object id missing", "object.id")
    elif object_id != facts.au_iri:
        reject("8.1.5.0-6", f"object id {object_id} is not the launch activityId", "object.id")
    if verb in SATISFACTION_VERBS and facts.launch_mode == "Browse":
        reject("10.2.2.0-2", "Browse mode", "verb")
    if verb in SATISFACTION_VERBS and facts.launch_mode == "Review":
        reject("10.2.2.0-3", "Review mode", "verb")
    score = _check_result(st.get("result") or {}, verb, context, facts, reject)
    _check_order(verb, score, facts, progress, reject)
    return AcceptedStatement(verb, score, (st.get("result") or {}).get("duration"))


def _check_result(result: Mapping[str, Any], verb: str, context: Mapping[str, Any], facts: SessionFacts,
                  reject: _Reject) -> float | None:
    if "completion" in result and verb != VERB_COMPLETED:
        reject("9.5.3.0-2", "completion on a statement other than completed", "result.completion")
    if verb == VERB_COMPLETED and result.get("completion") is not True:
        reject("9.5.3.0-1", "completed needs result.completion true", "result.completion")
    if "success" in result and verb not in (VERB_PASSED, VERB_FAILED):
        reject("9.5.2.0-3", "success on a statement other than passed/failed", "result.success")
    if verb == VERB_PASSED and result.get("success") is not True:
        reject("9.5.2.0-1", "passed needs result.success true", "result.success")
    if verb == VERB_FAILED and result.get("success") is not False:
        reject("9.5.2.0-2", "failed needs result.success false", "result.success")
    if ("completion" in result or "success" in result) and not _has(context, "category", CATEGORY_MOVEON):
        reject("9.6.2.2-1", "moveOn category missing", "context.contextActivities.category")
    score = result.get("score")
    scaled: float | None = None
    if isinstance(score, Mapping):
        if verb not in (VERB_PASSED, VERB_FAILED):
            reject("9.5.1.0-2", "score on a statement other than passed/failed", "result.score")
        if "raw" in score and "min" not in score:
            reject("9.5.1.0-3", "score.raw without score.min", "result.score.min")
        if "raw" in score and "max" not in score:
            reject("9.5.1.0-3", "score.raw without score.max", "result.score.max")
        if facts.mastery_score is not None:
            value = (context.get("extensions") or {}).get(EXT_MASTERY_SCORE)
            if value is None:
                reject("9.6.3.2-2", "masteryscore extension missing", "context.extensions")
            elif value != facts.mastery_score:
                reject("9.6.3.2-2", f"masteryscore extension {value} is not the session's {facts.mastery_score}",
                       "context.extensions")
        if isinstance(score.get("scaled"), int | float):
            scaled = float(score["scaled"])
    if verb in _DURATION_REQUIRED and "duration" not in result:
        reject(_DURATION_REQUIRED[verb], "result.duration missing", "result.duration")
    return scaled


def _check_order(verb: str, scaled: float | None, facts: SessionFacts, progress: _Progress, reject: _Reject) -> None:
    seen = progress.verbs
    mastery = facts.mastery_score
    if verb == VERB_INITIALIZED:
        if facts.initialized or verb in seen:
            reject("9.3.0.0-2", "already initialized", "verb")
    elif verb == VERB_TERMINATED:
        if verb in seen:
            reject("9.3.0.0-2", "already terminated", "verb")
    elif verb == VERB_COMPLETED:
        if facts.completed or verb in seen:
            reject("9.3.0.0-2", "already completed in this session", "verb")
        if facts.au_completed:
            reject("9.3.0.0-6", "already completed in this registration", "verb")
    elif verb == VERB_PASSED:
        if mastery is not None and scaled is not None and scaled < mastery:
            reject("9.3.4.0-2", f"score {scaled} is less than the mastery score {mastery}", "result.score.scaled")
        if facts.passed or verb in seen:
            reject("9.3.0.0-2", "already passed in this session", "verb")
        if facts.failed or VERB_FAILED in seen:
            reject("9.3.0.0-3", "already failed in this session", "verb")
        if facts.au_passed:
            reject("9.3.0.0-7", "already passed in this registration", "verb")
    elif verb == VERB_FAILED:
        # CATAPULT cites 9.3.6.0-1 here; the requirement about a failed score is 9.3.5.0-2.
        if mastery is not None and scaled is not None and scaled >= mastery:
            reject("9.3.5.0-2", f"score {scaled} is not less than the mastery score {mastery}",
                   "result.score.scaled")
        if facts.failed or verb in seen:
            reject("9.3.0.0-2", "already failed in this session", "verb")
        if facts.passed or VERB_PASSED in seen:
            reject("9.3.0.0-3", "already passed in this session", "verb")
        if facts.au_passed:
            # Not in CATAPULT: 9.3.0.0-8 (d), no failed after a passed in the same registration.
            reject("9.3.0.0-8", "already passed in this registration", "verb")
    else:
        reject("9.3.0.0-1", f"unrecognized cmi5 defined statement: {verb}", "verb")
