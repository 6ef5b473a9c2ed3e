"""Application keys of the xAPI sub-application."""

from __future__ import annotations

from aiohttp import web

from lrs.ops.credentials import Authenticator

AUTHENTICATOR = web.AppKey("lrs_authenticator", Authenticator)
