"""Typed settings, built once at start-up from LEARNHUB_* variables and CLI flags."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

ENV_PREFIX = "LEARNHUB_"


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; tests construct one directly."""

    db_url: str = "sqlite:///learnhub.db"
    host: str = "127.0.0.1"
    port: int = 8080
    # Secret used to sign `more` cursors and other tokens; when empty, a per-database
    # secret is created at first start (see hub.secrets) so restarts keep cursors valid.
    secret_key: str = ""
    max_body_bytes: int = 20 * 1024 * 1024
    max_statements_per_post: int = 1000
    statements_page_limit: int = 100
    statements_max_limit: int = 1000
    query_timeout_seconds: float = 10.0
    db_pool_size: int = 10
    # SQLite durability: FULL fsyncs every commit, so an acknowledged write survives power loss;
    # NORMAL (WAL) survives a process crash only, and is faster.
    sqlite_synchronous: str = "FULL"
    # How long an authenticated LRS key is trusted from memory; revocations take at most this long.
    auth_cache_seconds: float = 30.0
    log_level: str = "INFO"
    log_json: bool = True
    # Public base URL used in links (e.g. cmi5 endpoints); derived from the request when empty.
    public_url: str = ""
    # Where imported packages are extracted, one folder per content hash (<content_root>/<sha256>/).
    content_root: str = "content"
    # Session cookies carry Secure; browsers accept that on http://localhost and 127.0.0.1 too.
    cookie_secure: bool = True
    # SCIM requests per token: a sustained rate and a burst (token bucket); above it, 429.
    scim_requests_per_second: float = 50.0
    scim_burst: float = 500.0
    # The job scheduler (APScheduler) started with the server; off for tools and tests that run jobs themselves.
    scheduler: bool = True
    # How often the cmi5 sweep looks for sessions left open, and how long one may stay idle before it is abandoned.
    cmi5_sweep_seconds: float = 300.0
    cmi5_session_idle_seconds: float = 12 * 3600.0
    # PostgreSQL: how often the tables changed since their last ANALYZE are analyzed (hub.db.refresh_statistics).
    # A run that finds nothing to analyze is one read of pg_stat_user_tables; a table's first ANALYZE comes at
    # most this long after its first 500 rows.
    analyze_seconds: float = 15.0
    # Server processes accepting on the one port (hub.workers); jobs run in the first.
    workers: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read LEARNHUB_<FIELD> variables, then apply explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name == "extra":
                continue
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _coerce(type_name: Any, raw: str, name: str) -> Any:
    type_name = str(type_name)
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name == "bool":
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError as exc:
        raise SystemExit(f"{ENV_PREFIX}{name.upper()}: invalid value {raw!r} ({exc})") from None
    return raw
