"""Per-installation secrets kept in the database, created once at first start."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, select

from hub.db import Database
from hub.tables import installation_secret


async def installation_key(db: Database, name: str = "signing") -> bytes:
    """A stable random key (e.g. for `more` cursors), shared by every worker on the same database."""

    def run(conn: Connection) -> bytes:
        row = (conn.execute(select(installation_secret.c.value)
                                  .where(installation_secret.c.name == name))).first()
        if row is None:
            value = secrets.token_hex(32)
            conn.execute(installation_secret.insert().values(name=name, value=value))
            return bytes.fromhex(value)
        return bytes.fromhex(row.value)

    return await db.transaction(run)
