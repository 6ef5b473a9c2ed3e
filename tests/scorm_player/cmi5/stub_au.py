"""A cmi5 AU written in Python: it reads its launch URL, fetches its token and talks to the LRS over HTTP,
as CATAPULT's cmi5.js does in a browser. Tests drive it step by step and break the rules on purpose."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from scorm_player.cmi5.vocabulary import (
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_MASTERY_SCORE,
    LAUNCH_DATA_STATE_ID,
    LEARNER_PREFERENCES_PROFILE_ID,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_TERMINATED,
)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class StubAU:
    def __init__(self, client: TestClient, location: str) -> None:
        self.client = client
        self.location = location
        parts = urlsplit(location)
        self.query = {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
        self.au_path = parts.path
        self.endpoint = self.query["endpoint"]
        self.fetch_url = self.query["fetch"]
        self.actor: dict[str, Any] = json.loads(self.query["actor"])
        self.registration = self.query["registration"]
        self.activity_id = self.query["activityId"]
        self.auth = ""
        self.launch_data: dict[str, Any] = {}
        self.preferences: dict[str, Any] | None = None

    # --- launch plumbing ---

    async def fetch(self) -> dict[str, Any]:
        response = await self.client.post(path_of(self.fetch_url))
        assert response.status == 200, await response.text()
        assert response.content_type == "application/json"
        return dict(await response.json())

    async def xapi(self, method: str, resource: str, *, params: dict[str, str] | None = None, json_body: Any = None,
                   auth: str | None = None) -> ClientResponse:
        headers = {"X-Experience-API-Version": "1.0.3", "Authorization": auth if auth is not None else self.auth}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        base = path_of(self.endpoint).rstrip("/")  # joined the way cmi5.js joins it
        return await self.client.request(method, f"{base}/{resource}", params=params, data=data,
                                         headers=headers)

    def state_params(self, state_id: str = LAUNCH_DATA_STATE_ID) -> dict[str, str]:
        return {"activityId": self.activity_id, "agent": json.dumps(self.actor), "registration": self.registration,
                "stateId": state_id}

    def preferences_params(self) -> dict[str, str]:
        return {"agent": json.dumps(self.actor), "profileId": LEARNER_PREFERENCES_PROFILE_ID}

    async def start(self, *, read_preferences: bool = True) -> None:
        """Fetch the token, read LMS.LaunchData and (normally) the learner preferences."""
        token = await self.fetch()
        self.auth = "Basic " + token["auth-token"]
        response = await self.xapi("GET", "activities/state", params=self.state_params())
        assert response.status == 200, await response.text()
        self.launch_data = await response.json()
        if read_preferences:
            response = await self.xapi("GET", "agents/profile", params=self.preferences_params())
            assert response.status == 200, await response.text()
            self.preferences = await response.json()

    @property
    def session_id(self) -> str:
        return str(self.launch_data["contextTemplate"]["extensions"][
            "https://w3id.org/xapi/cmi5/context/extensions/sessionid"])

    # --- statements ---

    def statement(self, verb: str, *, defined: bool = True, moveon: bool = False,
                  result: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        """A statement built from the contextTemplate, as cmi5 §10.2.1 asks."""
        context = json.loads(json.dumps(self.launch_data["contextTemplate"]))
        context["registration"] = self.registration
        categories = ([{"id": CATEGORY_CMI5}] if defined else []) + ([{"id": CATEGORY_MOVEON}] if moveon else [])
        if categories:
            context["contextActivities"]["category"] = categories
        statement: dict[str, Any] = {
            "id": str(uuid.uuid4()), "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "actor": self.actor, "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
            "object": {"objectType": "Activity", "id": self.activity_id}, "context": context}
        if result is not None:
            statement["result"] = result
        statement.update(overrides)
        return statement

    def initialized(self) -> dict[str, Any]:
        return self.statement(VERB_INITIALIZED)

    def completed(self) -> dict[str, Any]:
        return self.statement(VERB_COMPLETED, moveon=True, result={"completion": True, "duration": "PT10S"})

    def judged(self, passed: bool, scaled: float | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {"success": passed, "duration": "PT20S"}
        statement = self.statement(VERB_PASSED if passed else VERB_FAILED, moveon=True, result=result)
        if scaled is not None:
            result["score"] = {"scaled": scaled}
            mastery = self.launch_data.get("masteryScore")
            if mastery is not None:
                statement["context"]["extensions"][EXT_MASTERY_SCORE] = mastery
        return statement

    def terminated(self) -> dict[str, Any]:
        return self.statement(VERB_TERMINATED, result={"duration": "PT30S"})

    async def send(self, *statements: dict[str, Any]) -> ClientResponse:
        body: Any = statements[0] if len(statements) == 1 else list(statements)
        return await self.xapi("POST", "statements", json_body=body)

    async def send_ok(self, *statements: dict[str, Any]) -> None:
        response = await self.send(*statements)
        assert response.status == 200, await response.text()

    async def rejected(self, *statements: dict[str, Any]) -> str:
        """Send, expect the gate's 403, and return the requirement id it cites."""
        response = await self.send(*statements)
        body = await response.json()
        assert response.status == 403, body
        message = body["error"]["message"]
        requirement = body["error"]["details"]["requirement"]
        assert message.startswith(requirement + " - ")
        return str(requirement)


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
