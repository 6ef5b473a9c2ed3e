"""Micro-benchmark: microseconds per validate_statement call on a realistic ~1.5 KB Statement."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
        "duration": "PT14M32.5S",
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": "https://courses.example.com/analytical-engine/module-3"}],
            "grouping": [{"objectType": "Activity", "id": "https://courses.example.com/analytical-engine"}],
            "category": [{"objectType": "Activity", "id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}],
        },
        "platform": "Example LMS",
        "language": "en-US",
        "extensions": {
            "https://w3id.org/xapi/cmi5/context/extensions/sessionid": "458240298378231",
            "https://courses.example.com/xapi/extensions/cohort": "2024-spring",
        },
    },
    "timestamp": "2024-03-14T15:09:26.535+01:00",
}


def main(iterations: int = 50_000) -> None:
    size = len(orjson.dumps(STATEMENT))
    for version in ("1.0.3", "2.0.0"):
        for _ in range(2_000):  # warm the IRI/language-tag caches and the interpreter
            validate_statement(orjson.loads(orjson.dumps(STATEMENT)), version)
        # Fresh objects per call (as after JSON decoding), decoding excluded from the timing.
        statements = [orjson.loads(orjson.dumps(STATEMENT)) for _ in range(iterations)]
        start = time.perf_counter()
        for statement in statements:
            validate_statement(statement, version)
        elapsed = time.perf_counter() - start
        print(f"validate_statement [{version}] {size} B statement: {elapsed / iterations * 1e6:.1f} µs per statement")


if __name__ == "__main__":
    main()
