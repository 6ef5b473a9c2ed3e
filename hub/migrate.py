"""Alembic migrations, applied by `learnhub db upgrade` and by `serve` on start-up."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(db_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    config.attributes["db_url"] = db_url
    return config


def upgrade(db_url: str, revision: str = "heads") -> None:
    """Bring the schema up to `revision`: every branch head by default (packages add migrations independently).

    Runs in its own thread so it works inside an event loop.
    """
    errors: list[BaseException] = []

    def run() -> None:
        try:
            command.upgrade(alembic_config(db_url), revision)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="alembic-upgrade")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
