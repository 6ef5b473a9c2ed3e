"""Fixtures for every test, re-exported from tests/fixtures."""

from tests.fixtures.databases import backend, database, lrs_credential, other_tenant, postgres_url, sqlite_url, tenant  # noqa: F401
from tests.fixtures.http import content_root, http, xapi, xapi2  # noqa: F401
from tests.fixtures.people import signed_in  # noqa: F401
from tests.fixtures.server import running_server  # noqa: F401
