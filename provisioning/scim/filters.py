"""SCIM filters (RFC 7644 §3.4.2.2) and sort keys translated into SQLAlchemy expressions.

scim2-server hands the storage a parsed, validated `ScimFilter`; `SqlFilter` walks its syntax tree
and returns, for every node, a `Translation`: a WHERE expression that keeps at least every matching
row, and whether it keeps exactly those. Attributes stored in their own column translate exactly,
with the semantics of scim2-models' reference evaluator (missing values, case-insensitive strings,
`ne` matching a missing value). Attributes kept in the JSON of the rest of the resource narrow the
rows with a LIKE on that text, and the storage finishes the job with `ScimFilter.match` on the
candidates. Values only ever reach SQL as bound parameters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Mapping

import orjson
from scim2_models import ScimFilter
from scim2_models.path import (
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from scim2_models.path.resolution import AttributeBinding, coerce_value
from sqlalchemy import and_, false, func, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement

# RFC 7644 §3.4.2.2 leaves limits to the server; these bound the work one request can ask for.
MAX_FILTER_LENGTH = 2000


@dataclass(frozen=True)
class Column:
    """An attribute kept in a column: what to compare, and how."""

    expression: ColumnElement[Any]
    kind: str = "str"  # "str", "bool" or "datetime"


@dataclass(frozen=True)
class Translation:
    """`where` keeps every matching row (None: every row); `exact` says it keeps no other."""

    where: ColumnElement[bool] | None
    exact: bool


INEXACT = Translation(None, False)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def comparison_key(value: str, case_exact: bool) -> str:
    """What scim2-models compares in place of a string (its default policy): NFC, lowercase unless caseExact."""
    normalized = unicodedata.normalize("NFC", value)
    return normalized if case_exact else normalized.lower()


class SqlFilter(FilterVisitor[Translation]):
    """Translate a filter over one resource type, whose columns are `columns` (keyed by lower-case URN).

    `extra_text` is the JSON text of the attributes not in a column; `also_in` names columns that
    hold one value of such an attribute (the e-mail column holds the primary e-mail, for instance).
    """

    def __init__(self, scim_filter: ScimFilter[Any], columns: Mapping[str, Column], *, dialect: str,
                 extra_text: ColumnElement[Any], also_in: Mapping[str, ColumnElement[Any]] | None = None) -> None:
        self.scim_filter = scim_filter
        self.columns = columns
        self.dialect = dialect
        self.extra_text = extra_text
        self.also_in = also_in or {}

    def translate(self) -> Translation:
        return self.visit(self.scim_filter.ast)

    # -- helpers --------------------------------------------------------

    def _binding(self, node: Comparison | Present) -> AttributeBinding | None:
        try:
            return self.scim_filter.resolve_comparison(node.attr_path, strict=False)
        except Exception:  # an attribute the model does not declare: let the evaluator decide
            return None

    def _ordered(self, expression: ColumnElement[Any]) -> ColumnElement[Any]:
        # Python compares strings by code point; PostgreSQL's default collation does not.
        return expression.collate("C") if self.dialect == "postgresql" else expression

    def _key(self, column: Column, case_exact: bool) -> ColumnElement[Any]:
        value = func.nullif(column.expression, "")
        return value if case_exact else func.lower(value)

    # -- nodes ----------------------------------------------------------

    def visit_comparison(self, node: Comparison) -> Translation:
        binding = self._binding(node)
        if binding is None:
            return INEXACT
        column = self.columns.get(binding.urn.lower())
        if column is None:
            return self._narrow(binding, node)
        try:
            expected = coerce_value(binding, node.value, node.op)
        except Exception:
            return INEXACT
        if column.kind == "bool":
            return Translation(self._compare_bool(column, node.op, expected), True)
        if column.kind == "datetime":
            return Translation(self._compare_datetime(column, node.op, expected), True)
        return Translation(self._compare_text(column, node.op, expected, binding.case_exact), True)

    def _compare_text(self, column: Column, op: CompareOperator, expected: Any, case_exact: bool
                      ) -> ColumnElement[bool]:
        present = func.nullif(column.expression, "").is_not(None)
        if expected is None:  # `eq null` / `ne null`: RFC 7644 §3.4.2.2 presence semantics
            if op == CompareOperator.eq:
                return not_(present)
            return present if op == CompareOperator.ne else false()
        if not isinstance(expected, str):
            return false() if op != CompareOperator.ne else true()
        key = self._key(column, case_exact)
        value = comparison_key(expected, case_exact)
        if op == CompareOperator.eq:
            return and_(present, key == value)
        if op == CompareOperator.ne:
            return or_(not_(present), key != value)
        if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
            if value == "":
                return present
            if op == CompareOperator.sw:
                return and_(present, func.substr(key, 1, len(value)) == value)
            if op == CompareOperator.ew:
                return and_(present, func.length(key) >= len(value),
                            func.substr(key, func.length(key) - len(value) + 1) == value)
            position = func.strpos(key, value) if self.dialect == "postgresql" else func.instr(key, value)
            return and_(present, position > 0)
        ordered = self._ordered(key)
        comparisons = {CompareOperator.gt: ordered > value, CompareOperator.ge: ordered >= value,
                       CompareOperator.lt: ordered < value, CompareOperator.le: ordered <= value}
        return and_(present, comparisons[op])

    @staticmethod
    def _compare_bool(column: Column, op: CompareOperator, expected: Any) -> ColumnElement[bool]:
        # Boolean columns are NOT NULL: the attribute is always present.
        if not isinstance(expected, bool):
            return true() if op == CompareOperator.ne else false()
        if op == CompareOperator.eq:
            return column.expression == expected
        if op == CompareOperator.ne:
            return column.expression != expected
        return false()

    @staticmethod
    def _compare_datetime(column: Column, op: CompareOperator, expected: Any) -> ColumnElement[bool]:
        if not isinstance(expected, datetime):  # `co`, `sw`, `ew` never match a dateTime
            return true() if op == CompareOperator.ne and expected is None else false()
        if expected.tzinfo is None:
            expected = expected.replace(tzinfo=UTC)
        expected = expected.astimezone(UTC)
        comparisons = {CompareOperator.eq: column.expression == expected,
                       CompareOperator.ne: column.expression != expected,
                       CompareOperator.gt: column.expression > expected,
                       CompareOperator.ge: column.expression >= expected,
                       CompareOperator.lt: column.expression < expected,
                       CompareOperator.le: column.expression <= expected}
        return comparisons.get(op, false())

    def _narrow(self, binding: AttributeBinding, node: Comparison) -> Translation:
        """An attribute kept in JSON: keep the rows whose text contains the value, if that is safe."""
        value = node.value
        if (node.op not in (CompareOperator.eq, CompareOperator.co, CompareOperator.sw, CompareOperator.ew)
                or not isinstance(value, str) or not value or not value.isascii()):
            return INEXACT
        # The JSON-escaped form is what the stored text holds; lower() on both sides is a superset
        # of any case rule (SQLite's lower() folds ASCII only, hence the ASCII condition).
        encoded = orjson.dumps(value.lower()).decode()[1:-1]
        pattern = "%" + _like_escape(encoded) + "%"
        where: ColumnElement[bool] = func.lower(self.extra_text).like(pattern, escape="\\")
        head = binding.urn.lower().split(".")[0]
        if head in self.also_in:
            where = or_(where, func.lower(self.also_in[head]).like("%" + _like_escape(value.lower()) + "%",
                                                                     escape="\\"))
        return Translation(where, False)

    def visit_present(self, node: Present) -> Translation:
        binding = self._binding(node)
        if binding is None:
            return INEXACT
        column = self.columns.get(binding.urn.lower())
        if column is None:
            return INEXACT
        if column.kind in ("bool", "datetime"):
            return Translation(column.expression.is_not(None), True)
        return Translation(func.nullif(column.expression, "").is_not(None), True)

    def visit_not(self, node: Not) -> Translation:
        inner = self.visit(node.expr)
        if inner.exact and inner.where is not None:
            return Translation(not_(inner.where), True)
        return INEXACT  # the complement of a superset is no superset of the complement

    def visit_logical_expr(self, node: LogicalExpr) -> Translation:
        terms = [self.visit(term) for term in node.terms]
        exact = all(t.exact for t in terms)
        if node.op == LogicalOperator.and_:
            known = [t.where for t in terms if t.where is not None]
            return Translation(and_(*known) if known else None, exact)
        if any(t.where is None for t in terms):
            return INEXACT
        return Translation(or_(*[t.where for t in terms if t.where is not None]), exact)

    def visit_value_path(self, node: ValuePath) -> Translation:
        return INEXACT  # emails[type eq "work" ...]: decided by the evaluator on the candidates


def order_key(column: Column, case_exact: bool, *, dialect: str, descending: bool) -> list[ColumnElement[Any]]:
    """ORDER BY terms sorting as `SearchRequest.sort`: missing values last ascending, first descending."""
    key: ColumnElement[Any]
    value: ColumnElement[Any]
    if column.kind == "str":
        value = func.nullif(column.expression, "")
        key = value if case_exact else func.lower(value)
        if dialect == "postgresql":
            key = key.collate("C")
    else:
        value = column.expression
        key = value
    # (value IS NULL) sorts false < true on both dialects: missing values last when ascending.
    missing = value.is_(None)
    return [missing.desc(), key.desc()] if descending else [missing.asc(), key.asc()]
