"""`learnhub saml configure`: trusts the IdP metadata for a tenant, turns SSO on, refuses bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.provisioning.saml.conftest import IdpMaterial
from tests.provisioning.saml.idp import IDP_ENTITY_ID


def learnhub(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], capture_output=True, text=True, timeout=120,
                          env={"LEARNHUB_LOG_LEVEL": "WARNING", "PATH": "/usr/bin:/bin"}, check=False)


def test_saml_configure_command(tmp_path: Path, idp_material: IdpMaterial) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert learnhub("db", "upgrade", "--db", db).returncode == 0
    assert learnhub("tenant", "create", "acme", "--name", "Acme", "--db", db).returncode == 0
    metadata = tmp_path / "idp.xml"
    metadata.write_text(idp_material.metadata)
    done = learnhub("saml", "configure", "--tenant", "acme", "--idp-metadata", str(metadata),
                    "--role-map", '{"LMS-Admins": "ld_admin"}', "--db", db)
    assert done.returncode == 0, done.stderr
    assert IDP_ENTITY_ID in done.stdout and "/saml/acme/acs" in done.stdout
    engine = create_engine(db)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT enabled, idp_entity_id, role_map FROM people_saml_provider")).one()
    engine.dispose()
    assert bool(row.enabled) and row.idp_entity_id == IDP_ENTITY_ID
    assert json.loads(row.role_map) == {"LMS-Admins": "ld_admin"}

    hostile = tmp_path / "hostile.xml"
    hostile.write_text('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    refused = learnhub("saml", "configure", "--tenant", "acme", "--idp-metadata", str(hostile), "--db", db)
    assert refused.returncode == 2 and "DTD" in refused.stderr
    unknown_role = learnhub("saml", "configure", "--tenant", "acme", "--idp-metadata", str(tmp_path / "idp.xml"),
                            "--role-map", '{"X": "root"}', "--db", db)
    assert unknown_role.returncode == 2 and "unknown role" in unknown_role.stderr
