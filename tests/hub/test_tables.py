"""Every business table carries a non-null tenant_id (tenancy is enforced in the schema)."""

from __future__ import annotations

from hub.schema import metadata

# Tables that are not business data of any tenant.
NOT_TENANT_DATA = {"hub_tenant", "hub_secret"}


def test_every_business_table_has_a_non_null_tenant_id() -> None:
    missing = [name for name, table in metadata.tables.items()
               if name not in NOT_TENANT_DATA
               and ("tenant_id" not in table.c or table.c.tenant_id.nullable)]
    assert missing == []


def test_migrations_match_the_table_definitions(sqlite_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []
