"""Typed application keys shared by every package's handlers."""

from __future__ import annotations

from aiohttp import web

from hub.db import Database
from hub.jobs import Jobs
from hub.settings import Settings
from hub.workers import Siblings

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
SECRET = web.AppKey("secret", bytes)
JOBS = web.AppKey("jobs", Jobs)
SIBLINGS = web.AppKey("siblings", Siblings)
