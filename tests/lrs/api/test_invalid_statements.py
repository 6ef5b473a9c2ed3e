"""Hypothesis: invalid statements in any shape are rejected with a 400 naming a field, and nothing is stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.errors import BadRequest
from lrs.model.validation import validate_statement
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

PATHS = [("actor",), ("actor", "mbox"), ("actor", "objectType"), ("verb",), ("verb", "id"), ("verb", "display"),
         ("object",), ("object", "id"), ("object", "objectType"), ("object", "definition"),
         ("object", "definition", "name"), ("object", "definition", "type"), ("id",), ("timestamp",),
         ("result",), ("context",), ("version",), ("stored",), ("authority",)]
BAD_VALUES = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.text(max_size=12),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["not an iri", "mailto:", "2020-13-45T25:61:00Z", "P1Y2", "xx_YY!", "00000000-0000",
                     "urn:", "mailto:a@", "-00:00"]))


def mutate(statement: dict[str, Any], path: tuple[str, ...], value: Any, drop: bool) -> dict[str, Any]:
    mutated = copy.deepcopy(statement)
    node = mutated
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node
    if not isinstance(node, dict):
        return mutated
    if drop:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return mutated


def is_valid(statement: dict[str, Any]) -> bool:
    try:
        validate_statement(statement, "1.0.3")
        return True
    except BadRequest:
        return False


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=BAD_VALUES, drop=st.booleans(), extra_key=st.booleans())
async def test_invalid_statements_are_rejected_and_never_stored(xapi: XAPIClient, path: tuple[str, ...], value: Any,
                                                                drop: bool, extra_key: bool) -> None:
    statement = mutate(make_statement(), path, value, drop)
    if extra_key:
        statement["unknownProperty"] = True
    companion = make_statement()
    resp = await xapi.post_statements([companion, statement])
    if is_valid(statement):
        assert resp.status in (200, 409), await resp.text()  # the mutation happened to be valid
        return
    assert resp.status == 400, await resp.text()
    assert (await resp.json())["error"]["field"]
    # All or nothing: the valid companion in the same batch is not stored either.
    assert (await xapi.get_statements(statementId=companion["id"])).status == 404
    if isinstance(statement.get("id"), str) and len(statement["id"]) == 36:
        assert (await xapi.get_statements(statementId=statement["id"])).status in (400, 404)
