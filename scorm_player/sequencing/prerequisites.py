"""SCORM 1.2 prerequisites: the AICC script expressions of `adlcp:prerequisites` (CAM 1.2 §2.3.2.5.6).

An expression combines item identifiers with `&` (and), `|` (or), `~` (not), parentheses, comparisons
`id = status` / `id <> status`, and sets: `n*{a,b,c}` is true when at least n of the members are. An
identifier alone is true when that item's lesson_status is passed or completed. Status values are
passed, completed, browsed, failed, not attempted, incomplete, or their first letters p c b f n i.
Precedence, tightest first: `~`, comparisons, `&`, `|`. A pure parser and evaluator, no I/O.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping

__all__ = ["PrerequisiteError", "parse_prerequisites", "prerequisites_met"]

Statuses = Mapping[str, str]  # item identifier -> cmi.core.lesson_status; absent = "not attempted"
Expression = Callable[[Statuses], bool]

STATUS_VALUES = {"passed": "passed", "p": "passed", "completed": "completed", "c": "completed",
                 "browsed": "browsed", "b": "browsed", "failed": "failed", "f": "failed",
                 "not attempted": "not attempted", "n": "not attempted", "incomplete": "incomplete",
                 "i": "incomplete"}
DONE = frozenset({"passed", "completed"})
log = logging.getLogger(__name__)
_TOKEN = re.compile(r"\s*(?:(<>|[()&|~={},*])|(\d+)(?=\s*\*)|([^\s()&|~=<>{},*]+))")


class PrerequisiteError(ValueError):
    """A malformed expression; the message says where."""


@dataclass
class _Parser:
    tokens: list[str]
    position: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise PrerequisiteError(f"unexpected end of expression{f', expected {expected!r}' if expected else ''}")
        if expected is not None and token != expected:
            raise PrerequisiteError(f"expected {expected!r} at token {self.position + 1}, found {token!r}")
        self.position += 1
        return token

    def expression(self) -> Expression:  # or-expression
        terms = [self.conjunction()]
        while self.peek() == "|":
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda s: any(term(s) for term in terms))

    def conjunction(self) -> Expression:
        factors = [self.unary()]
        while self.peek() == "&":
            self.take()
            factors.append(self.unary())
        return factors[0] if len(factors) == 1 else (lambda s: all(factor(s) for factor in factors))

    def unary(self) -> Expression:
        if self.peek() == "~":
            self.take()
            inner = self.unary()
            return lambda s: not inner(s)
        return self.primary()

    def primary(self) -> Expression:
        token = self.take()
        if token == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if token.isdigit() and self.peek() == "*":
            return self.at_least(int(token))
        if token in "()&|~={},*" or token == "<>":
            raise PrerequisiteError(f"unexpected {token!r} at token {self.position}")
        identifier = token
        if self.peek() in ("=", "<>"):
            negate = self.take() == "<>"
            wanted = self.status()
            return lambda s: (s.get(identifier, "not attempted") == wanted) != negate
        return lambda s: s.get(identifier, "not attempted") in DONE

    def status(self) -> str:
        word = self.take().lower()
        if word == "not" and (self.peek() or "").lower() == "attempted":
            self.take()
            word = "not attempted"
        if word not in STATUS_VALUES:
            raise PrerequisiteError(f"{word!r} is not a lesson status")
        return STATUS_VALUES[word]

    def at_least(self, count: int) -> Expression:
        self.take("*")
        self.take("{")
        members = [self.expression()]
        while self.peek() == ",":
            self.take()
            members.append(self.expression())
        self.take("}")
        return lambda s: sum(1 for member in members if member(s)) >= count


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PrerequisiteError(f"cannot read {text[position:].strip()[:20]!r}")
        tokens.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return tokens


@lru_cache(maxsize=1024)
def parse_prerequisites(text: str) -> Expression:
    """Parse once; the result is a predicate over the items' lesson statuses. Raises PrerequisiteError."""
    parser = _Parser(_tokens(text))
    if not parser.tokens:
        return lambda _statuses: True
    found = parser.expression()
    if parser.peek() is not None:
        raise PrerequisiteError(f"unexpected {parser.peek()!r} at token {parser.position + 1}")
    return found


def prerequisites_met(text: str | None, statuses: Statuses) -> bool:
    """True when there is no expression or it holds; a malformed one does not lock the learner out."""
    if not text or not text.strip():
        return True
    try:
        return parse_prerequisites(text)(statuses)
    except PrerequisiteError as exc:
        log.warning("prerequisites not understood; treated as met", extra={"expression": text, "error": str(exc)})
        return True
