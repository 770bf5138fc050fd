"""The one clock of the tool. Tests and demos set it with CATALOG_NOW (ISO 8601, with offset)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    """The current time, timezone-aware; CATALOG_NOW overrides it (no offset = Paris time)."""
    fixed = os.environ.get("CATALOG_NOW")
    if fixed:
        return aware(datetime.fromisoformat(fixed))
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A datetime with a timezone: one without an offset is read as Europe/Paris local time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
