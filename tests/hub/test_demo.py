"""`serve --demo` data: both tenants with their statements, idempotent, and kept apart."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.db import Database
from hub.demo import DEMO_TENANTS, demo_statements, load_demo
from hub.tables import tenant
from lrs.store.tables import credential, statement


async def counts(database: Database) -> dict[str, int]:
    def run(conn):  # type: ignore[no-untyped-def]
        rows = conn.execute(select(tenant.c.slug, func.count(statement.c.seq))
                            .join(statement, statement.c.tenant_id == tenant.c.id)
                            .where(tenant.c.slug.in_([t.slug for t in DEMO_TENANTS])).group_by(tenant.c.slug))
        return dict(rows.all())
    return await database.read(run)


async def test_demo_loads_both_tenants_once_and_a_second_run_changes_nothing(database: Database) -> None:
    await load_demo(database)
    first = await counts(database)
    assert first == {t.slug: len(demo_statements(t)) for t in DEMO_TENANTS}
    assert first["democorp"] > 1000 and first["gulfenergy"] > 500
    await load_demo(database)
    assert await counts(database) == first
    keys = await database.read(lambda conn: conn.execute(
        select(func.count()).select_from(credential).where(credential.c.key.like("%-demo"))).scalar())
    assert keys == 2


def test_demo_statements_are_valid_and_deterministic() -> None:
    from lrs.model.validation import validate_statements

    for demo in DEMO_TENANTS:
        statements = demo_statements(demo)
        validate_statements(statements, "1.0.3")
        assert statements == demo_statements(demo)
        verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in statements}
        assert {"launched", "passed", "failed", "completed", "answered"} <= verbs
