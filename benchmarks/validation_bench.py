"""Micro-benchmark: microseconds per validate_statement call on a realistic ~1.5 KB Statement."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lrs.model import validation  # noqa: E402
from lrs.model.validation import validate_statement  # noqa: E402

STATEMENT = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "name": "Ada Lovelace", "mbox": "mailto:ada.lovelace@example.com"},
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed", "fr-FR": "a terminé"},
    },
    "object": {
        "objectType": "Activity",
        "id": "https://courses.example.com/analytical-engine/module-3/quiz",
        "definition": {
            "name": {"en-US": "Module 3 quiz"},
            "description": {"en-US": "Checks understanding of the difference engine and Bernoulli numbers."},
            "type": "http://adlnet.gov/expapi/activities/assessment",
            "extensions": {"https://courses.example.com/xapi/extensions/attempt-limit": 3},
        },
    },
    "result": {
        "score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100},
        "success": True,
        "completion": True,
        "response": "bernoulli[,]difference-engine",
        "duration": "PT14M32.5S",
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": "https://courses.example.com/analytical-engine/module-3"}],
            "grouping": [{"objectType": "Activity", "id": "https://courses.example.com/analytical-engine"}],
            "category": [{"objectType": "Activity", "id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}],
        },
        "instructor": {"objectType": "Agent", "name": "Charles Babbage", "mbox": "mailto:cb@example.com"},
        "platform": "Example LMS",
        "language": "en-US",
        "extensions": {
            "https://w3id.org/xapi/cmi5/context/extensions/sessionid": "458240298378231",
            "https://courses.example.com/xapi/extensions/cohort": "2024-spring",
        },
    },
    "timestamp": "2024-03-14T15:09:26.535+01:00",
}


def _fresh_copies(count: int) -> list[dict]:
    # Fresh objects per call, as after JSON decoding; decoding itself is not timed.
    return [orjson.loads(orjson.dumps(STATEMENT)) for _ in range(count)]


def main(iterations: int = 50_000) -> None:
    size = len(orjson.dumps(STATEMENT))
    print(f"statement size: {size} bytes of JSON; {iterations} statements per run, best of 3 runs")
    for version in ("1.0.3", "2.0.0"):
        for statement in _fresh_copies(2_000):  # warm up the interpreter and the IRI/language-tag caches
            validate_statement(statement, version)
        best = min(_time(version, _fresh_copies(iterations), clear_caches=False) for _ in range(3))
        print(f"validate_statement [{version}], warm caches (recurring IRIs/tags): {best:.1f} µs per statement")
        best = min(_time(version, _fresh_copies(iterations // 5), clear_caches=True) for _ in range(3))
        print(f"validate_statement [{version}], cold caches (every IRI/tag new):   {best:.1f} µs per statement")


def _time(version: str, statements: list[dict], *, clear_caches: bool) -> float:
    clear_iris, clear_tags = validation._valid_iris.clear, validation._valid_language_tags.clear
    start = time.perf_counter()
    if clear_caches:
        for statement in statements:
            clear_iris()
            clear_tags()
            validate_statement(statement, version)
    else:
        for statement in statements:
            validate_statement(statement, version)
    return (time.perf_counter() - start) / len(statements) * 1e6


if __name__ == "__main__":
    main()
