"""Agent identity: canonical inverse functional identifier keys and the `agent` query parameter."""

from __future__ import annotations

import json
from typing import Any

from hub.errors import BadRequest
from lrs.model.validation import validate_actor

__all__ = ["agent_ifi", "canonical_mbox", "parse_agent_param"]


def canonical_mbox(mbox: str) -> str:
    """Lowercase the "mailto:" scheme and the e-mail domain; the local part stays case-sensitive (RFC 5321 §2.4)."""
    local, at, domain = mbox[7:].rpartition("@")
    return f"mailto:{local}{at}{domain.lower()}"


def agent_ifi(agent: dict[str, Any]) -> str:
    """Return the canonical IFI key of an Agent or identified Group (xAPI Data §2.4.2.3).

    `mbox:mailto:<local>@<domain>` (scheme and domain lowercased: the domain of an e-mail address
    is case-insensitive, Data §2.3.1), `mbox_sha1sum:<hex lowercased>`, `openid:<iri>` and
    `account:<homePage>|<name>`. "|" cannot occur in a valid homePage IRI, so the account key is
    unambiguous. Expects an already validated object; raises ValueError when it has no IFI
    (an anonymous Group).
    """
    mbox = agent.get("mbox")
    if mbox is not None:
        return f"mbox:{canonical_mbox(mbox)}"
    digest = agent.get("mbox_sha1sum")
    if digest is not None:
        return f"mbox_sha1sum:{digest.lower()}"
    openid = agent.get("openid")
    if openid is not None:
        return f"openid:{openid}"
    account = agent.get("account")
    if account is not None:
        return f"account:{account['homePage']}|{account['name']}"
    raise ValueError("an anonymous Group has no inverse functional identifier")


def parse_agent_param(raw: str, version: str) -> dict[str, Any]:
    """Decode and validate the `agent` parameter of the Statements, State, Agent Profile and Agents resources.

    The value is JSON (Communication §2.3–2.6: "Agent object (JSON)"); it must be an Agent or an
    identified Group: anything the LRS can derive an IFI from (Communication §2.1.3 "Agent or
    identified Group Object"; IEEE 9274.1.1 lets document resources take an identified Group,
    whose members do not take part in its identity). Parameter values are validated to the same
    standards as Statement values (Data §2.2). Raises BadRequest(field="agent").
    """
    if not isinstance(raw, str) or not raw:
        raise BadRequest("agent: the agent parameter must be a JSON Agent object", field="agent")
    try:
        agent = json.loads(raw)
    except ValueError:
        raise BadRequest("agent: the agent parameter is not valid JSON", field="agent") from None
    if not isinstance(agent, dict):
        raise BadRequest("agent: the agent parameter must be a JSON object (an Agent or identified Group)",
                         field="agent")
    try:
        ifi_count = validate_actor(agent, version, "agent")
    except BadRequest as error:
        raise BadRequest(error.message, field="agent") from None
    if ifi_count == 0:
        raise BadRequest("agent: an anonymous Group cannot be used here; an Agent or identified Group "
                         "(with an inverse functional identifier) is required", field="agent")
    return agent
