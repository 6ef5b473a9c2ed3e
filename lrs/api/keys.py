"""Application keys of the xAPI sub-application."""

from __future__ import annotations

from aiohttp import web

from lrs.ops.credentials import Authenticator, CredentialKind

AUTHENTICATOR = web.AppKey("lrs_authenticator", Authenticator)
# Set on the parent application by packages that mint session-bound credentials: key prefix -> kind.
CREDENTIAL_KINDS = web.AppKey("lrs_credential_kinds", dict[str, CredentialKind])
