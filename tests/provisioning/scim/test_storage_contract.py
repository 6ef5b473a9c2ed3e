"""scim2-server's storage contract (copies, meta, versions, uniqueness, filters and sorting as the
reference evaluator) run against the SQL storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from typing import Iterator

import pytest
from scim2_models import ScimProvider
from scim2_server.storage import ScimStorage
from scim2_server.testing import AsyncScimStorageContract, BlockingStorage

from hub.db import Database
from hub.tenants import create_tenant
from provisioning.scim.service import provider as hub_provider
from provisioning.scim.storage import TenantStorage


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return sqlite_url if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))


class TestTenantStorage(AsyncScimStorageContract):
    """The contract's own loop runs each coroutine, so each test opens its own Database on it."""

    @pytest.fixture
    def provider(self) -> ScimProvider:
        return hub_provider()

    @pytest.fixture
    def storage(self, database_url: str) -> Iterator[ScimStorage]:  # type: ignore[override]
        with asyncio.Runner() as runner:
            database = Database(database_url, pool_size=2, query_timeout=20)

            async def fresh_storage() -> TenantStorage:
                tenant = await create_tenant(database, f"c-{uuid.uuid4().hex[:12]}", "Contract")
                return TenantStorage(database, tenant.id, actor="scim-token:contract")

            storage = runner.run(fresh_storage())
            try:
                yield BlockingStorage(storage, runner)
            finally:
                runner.run(database.dispose())
