"""The one clock of the tool. Tests and demos set it with CATALOG_NOW (ISO 8601, with offset)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reconciler.errors import UsageError

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    """The current time, timezone-aware; CATALOG_NOW overrides it (no offset = Paris time)."""
    fixed = os.environ.get("CATALOG_NOW")
    if fixed:
        try:
            return moment(fixed)
        except ValueError:  # how the tool was started is wrong: a usage error, named
            raise UsageError(
                f"the environment variable CATALOG_NOW={fixed[:40]!r} is not a date and time "
                "(ISO 8601, e.g. 2027-01-13T09:00:00+01:00): fix or unset it"
            ) from None
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A datetime with a timezone: one without an offset is read as Europe/Paris local time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


# Far enough from datetime's year 1 and 9999 that an offset, a daylight-saving shift or the
# Omnibus rule's 30 days never overflow; no commercial operation lies outside.
YEARS = range(1900, 3000)


def moment(text: str) -> datetime:
    """An ISO 8601 date and time (no offset = Paris time); ValueError saying why not."""
    parsed = datetime.fromisoformat(text)
    if parsed.year not in YEARS:
        raise ValueError(f"the year must be {YEARS.start} to {YEARS.stop - 1}")
    return aware(parsed)


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(duration: str) -> int:
    """`90s`, `30m`, `6h`, `7d` in seconds; ValueError for anything else."""
    text = duration.strip()
    unit = DURATION_UNITS.get(text[-1:])
    if unit is None or not text[:-1].isdigit():
        raise ValueError(f"{duration!r} is not a duration like 90s, 30m, 6h or 7d")
    return int(text[:-1]) * unit


def duration(total: int) -> str:
    """The shortest exact spelling of `total` seconds: 21600 -> 6h."""
    for unit in ("d", "h", "m"):
        if total and total % DURATION_UNITS[unit] == 0:
            return f"{total // DURATION_UNITS[unit]}{unit}"
    return f"{total}s"
