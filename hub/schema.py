"""Every package's tables, registered on the one metadata (for migrations and schema tests)."""

from __future__ import annotations

import hub.tables  # noqa: F401
import lrs.store.tables  # noqa: F401
import provisioning.store.tables  # noqa: F401
import scorm_player.store.cmi5_tables  # noqa: F401
import scorm_player.store.tables  # noqa: F401
from hub.db import metadata

__all__ = ["metadata"]
