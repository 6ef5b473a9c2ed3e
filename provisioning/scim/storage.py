"""scim2-server's `AsyncScimStorage` over the hub's database, for one tenant.

Each call runs one unit of work through `hub.db.Database` (a read, or a transaction whose write and
audit entry commit together), on a `Directory` bound to (tenant_id, connection). `Database` runs
synchronous Core functions (on SQLite on the event loop, on PostgreSQL through `run_sync`), so a
transaction cannot stay open across the handler's awaits; none needs to: the handler reads, applies
the PATCH or PUT, and writes with `expected_version`, which the write checks under a row lock, so a
concurrent change answers 412 rather than being overwritten (RFC 7644 §3.14). Each bulk operation
is then its own transaction, as RFC 7644 §3.7 processes operations independently.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar, Union

from scim2_models import (
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    TooManyException,
)
from scim2_server.storage import AsyncScimStorage, SearchPage
from scim2_server.utils import parametrize
from sqlalchemy import Connection

from hub.db import Database
from provisioning.scim.directory import CANDIDATE_LIMIT, Directory
from provisioning.scim.service import MAX_RESULTS, model_of

T = TypeVar("T")


class TenantStorage(AsyncScimStorage):
    """The Users and Groups of one tenant; `actor` names the token in the audit log."""

    def __init__(self, db: Database, tenant_id: int, *, actor: str) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self.actor = actor

    def _directory(self, conn: Connection) -> Directory:
        return Directory(conn, self.tenant_id, self.actor)

    async def _read(self, fn: Callable[[Directory], T]) -> T:
        return await self.db.read(lambda conn: fn(self._directory(conn)))

    async def _write(self, fn: Callable[[Directory], T]) -> T:
        return await self.db.transaction(lambda conn: fn(self._directory(conn)))

    @staticmethod
    def _kind(resource_type: ResourceType) -> str:
        if resource_type.id not in ("User", "Group"):
            raise NotFoundException(detail=f"no resource type {resource_type.id!r}")
        return str(resource_type.id)

    async def get(self, resource_type: ResourceType, resource_id: str, *,
                  response_parameters: ResponseParameters[Any] | None = None) -> Resource[Any]:
        if self._kind(resource_type) == "User":
            return await self._read(lambda d: d.get_user(resource_id, response_parameters))
        return await self._read(lambda d: d.get_group(resource_id, response_parameters))

    async def search(self, resource_types: list[ResourceType], search_request: SearchRequest[Any], *,
                     position: Any = None) -> SearchPage:
        kinds = list(dict.fromkeys(self._kind(rt) for rt in resource_types))
        if len(kinds) == 1:
            total, resources = await self._read(lambda d: d.search(kinds[0], search_request))
            return SearchPage(total, resources)
        return await self._read(lambda d: self._search_root(d, kinds, search_request))

    @staticmethod
    def _search_root(directory: Directory, kinds: list[str], search_request: SearchRequest[Any]) -> SearchPage:
        """A search at the server root (RFC 7644 §3.4.2.1): every type, one collection, evaluated in Python."""
        everything: list[Resource[Any]] = []
        for kind in kinds:
            total, found = directory.search(kind, parametrize(SearchRequest, model_of(kind))(count=CANDIDATE_LIMIT))
            if total > CANDIDATE_LIMIT:
                raise TooManyException(detail="too many resources to search at the root; search /Users or /Groups")
            everything += found
        scim_filter = search_request.filter
        if scim_filter is not None and not scim_filter.models and everything:
            models = tuple(dict.fromkeys(type(r) for r in everything))
            scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
        found = [r for r in everything if scim_filter is None or scim_filter.match(r)]
        found = search_request.sort(found)
        start = search_request.start_index_0 or 0
        count = MAX_RESULTS if search_request.count is None else search_request.count
        return SearchPage(len(found), found[start:start + count])

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        if self._kind(resource_type) == "User":
            return await self._write(lambda d: d.create_user(resource))
        return await self._write(lambda d: d.create_group(resource))

    async def update(self, resource_type: ResourceType, resource: Resource[Any], *,
                     expected_version: str | None = None) -> Resource[Any]:
        if self._kind(resource_type) == "User":
            return await self._write(lambda d: d.update_user(resource, expected_version))
        return await self._write(lambda d: d.update_group(resource, expected_version))

    async def delete(self, resource_type: ResourceType, resource_id: str, *,
                     expected_version: str | None = None) -> None:
        if self._kind(resource_type) == "User":
            await self._write(lambda d: d.delete_user(resource_id, expected_version))
        else:
            await self._write(lambda d: d.delete_group(resource_id, expected_version))
