"""`learnhub saml configure`: trust an IdP's metadata for a tenant and turn single sign-on on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import orjson

from hub.db import Database
from hub.errors import BadRequest
from hub.settings import Settings
from hub.tenants import get_tenant
from provisioning.ops.saml_settings import update_provider
from provisioning.saml.sp import Endpoints


def add_saml_commands(commands: argparse._SubParsersAction,  # type: ignore[type-arg]
                      with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    """Add `saml configure` to the CLI's sub-commands (`with_db` adds the shared --db option)."""
    saml_cmd = commands.add_parser("saml", help="single sign-on (SAML 2.0) per tenant")
    saml_sub = saml_cmd.add_subparsers(dest="saml_command", required=True)
    configure = saml_sub.add_parser("configure", help="trust an identity provider's metadata and turn SSO on")
    configure.add_argument("--tenant", required=True, help="tenant slug")
    configure.add_argument("--idp-metadata", required=True, type=Path, help="the IdP's SAML metadata XML file")
    configure.add_argument("--role-map",
                           help='JSON object: IdP role value → learnhub role, e.g. {"LMS-Admins": "ld_admin"}')
    with_db(configure)


async def saml_command(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.idp_metadata
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    changes: dict[str, object] = {"enabled": True, "idp_metadata": path.read_text(encoding="utf-8")}
    if args.role_map is not None:
        try:
            changes["role_map"] = orjson.loads(args.role_map)
        except orjson.JSONDecodeError:
            raise BadRequest("--role-map must be a JSON object", field="role_map") from None
    tenant = await get_tenant(db, args.tenant)
    config = await update_provider(db, tenant.id, tenant.slug, changes, actor="cli")
    base = settings.public_url.rstrip("/") or f"http://{settings.host}:{settings.port}"
    endpoints = Endpoints(base_url=base, tenant_slug=tenant.slug)
    print(f"single sign-on on for {tenant.slug}: identity provider {config.idp_entity_id}")
    print(f"give the identity provider: entity id {endpoints.entity_id}, ACS {endpoints.acs_url} "
          f"(metadata at {endpoints.metadata_url})")
    return 0
