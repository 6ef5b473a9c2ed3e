"""The CLI contract that external checks drive (issue 2): exact commands and outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def learnhub(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], capture_output=True, text=True, timeout=120,
                          env={"LEARNHUB_LOG_LEVEL": "WARNING", "PATH": "/usr/bin:/bin"})


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert learnhub("db", "upgrade", "--db", url).returncode == 0
    return url


def test_tenant_and_credentials_commands(db: str) -> None:
    created = learnhub("tenant", "create", "acme", "--name", "Acme Ltd", "--db", db)
    assert created.returncode == 0, created.stderr
    result = learnhub("lrs-credentials", "create", "--tenant", "acme", "--scopes", "statements/write,statements/read",
                      "--json", "--db", db)
    assert result.returncode == 0, result.stderr
    issued = json.loads(result.stdout)
    assert set(issued) == {"key", "secret"} and all(issued.values())


def test_duplicate_tenant_and_unknown_tenant_fail_with_reason(db: str) -> None:
    assert learnhub("tenant", "create", "acme", "--name", "Acme", "--db", db).returncode == 0
    again = learnhub("tenant", "create", "acme", "--name", "Acme", "--db", db)
    assert again.returncode != 0 and "already exists" in again.stderr
    missing = learnhub("lrs-credentials", "create", "--tenant", "nope", "--db", db)
    assert missing.returncode != 0 and "no tenant" in missing.stderr


def test_unknown_scope_is_rejected(db: str) -> None:
    learnhub("tenant", "create", "acme", "--name", "Acme", "--db", db)
    result = learnhub("lrs-credentials", "create", "--tenant", "acme", "--scopes", "everything", "--db", db)
    assert result.returncode != 0 and "unknown scope" in result.stderr
