"""What the LMS prepares before an AU runs (cmi5 §8.1, §10, §11): the actor, the context template, the
`LMS.LaunchData` document, the learner preferences and the launch URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from scorm_player.cmi5.vocabulary import EXT_SESSION_ID
from scorm_player.package.cmi5 import AssignableUnit

__all__ = ["LaunchParameters", "context_template", "launch_actor", "launch_data", "launch_url",
           "learner_preferences"]


def launch_actor(home_page: str, person_id: str, name: str) -> dict[str, Any]:
    """cmi5 9.2.0.0-2/-3: an Agent identified by an account (never mbox), the person's own account."""
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": person_id}, "name": name}


def context_template(publisher_au_id: str, session_id: str) -> dict[str, Any]:
    """cmi5 10.2.1.0-2/-3: the session id extension and the publisher's AU id in grouping."""
    return {"contextActivities": {"grouping": [{"id": publisher_au_id}]},
            "extensions": {EXT_SESSION_ID: session_id}}


def launch_data(au: AssignableUnit, template: dict[str, Any], launch_mode: str, return_url: str | None
                ) -> dict[str, Any]:
    """The `LMS.LaunchData` State document (cmi5 §10.2); optional members only when the course sets them."""
    document: dict[str, Any] = {"contextTemplate": template, "launchMode": launch_mode, "moveOn": str(au.move_on)}
    if au.launch_parameters is not None:
        document["launchParameters"] = au.launch_parameters  # 10.2.3.0-1
    if au.mastery_score is not None:
        document["masteryScore"] = au.mastery_score  # 10.2.4.0-1
    if return_url:
        document["returnURL"] = return_url
    if au.entitlement_key is not None:
        document["entitlementKey"] = {"courseStructure": au.entitlement_key}  # 10.2.7.0-1
    return document


def learner_preferences() -> dict[str, Any]:
    """The default `cmi5LearnerPreferences` Agent Profile document (cmi5 §11), written only when absent."""
    return {"languagePreference": "en-US", "audioPreference": "on"}


@dataclass(frozen=True)
class LaunchParameters:
    """cmi5 §8.1: the five query string parameters the LMS appends to the AU URL."""

    endpoint: str
    fetch: str
    actor: dict[str, Any]
    registration: str
    activity_id: str

    def query(self) -> list[tuple[str, str]]:
        return [("endpoint", self.endpoint), ("fetch", self.fetch),
                ("actor", orjson.dumps(self.actor).decode()), ("registration", self.registration),
                ("activityId", self.activity_id)]


def launch_url(au_url: str, parameters: LaunchParameters) -> str:
    """The AU's URL with its own query string kept and the launch parameters appended, URL-encoded (8.1.0.0-8)."""
    parts = urlsplit(au_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + parameters.query()
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
