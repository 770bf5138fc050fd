"""How long a full read of the live shop will take under the call quota, said before it starts.

The quota (Limits.quota_calls per quota_window) is what production showed, not a published
figure; GET /offers says nothing of how many offers are left. So the estimate is an "about":
per channel, the offers the last snapshot held, else the catalog's desired offers there, one
call per page. A read that needs more calls than the window has left waits for the quota to
come back: better said before it starts than found out after 15 minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from reconciler.marketplace.governor import Governor, Limits


def pages_needed(offers: int, page_size: int) -> int:
    """GET /offers calls to read `offers` offers: an empty channel still takes one."""
    return max(1, math.ceil(offers / page_size))


def quota_wait(pages: int, limits: Limits, used: int) -> float:
    """Seconds the quota makes a read of `pages` calls wait, `used` calls already spent in
    the current window: each call beyond what is left waits for a window to pass."""
    left = max(0, limits.quota_calls - used)
    if pages <= left or limits.quota_calls <= 0:
        return 0.0
    return math.ceil((pages - left) / limits.quota_calls) * limits.quota_window


def slow_read_note(
    offers: Mapping[str, int],
    limits: Limits,
    used: int,
    budget_left: float,
    page_size: int,
    snapshots: bool = True,
) -> str | None:
    """One line for a full read of `offers` (channel -> offers expected) the quota slows
    down, or None when the calls left in the window are enough."""
    if not offers:
        return None
    pages = sum(pages_needed(count, page_size) for count in offers.values())
    wait = quota_wait(pages, limits, used)
    if wait <= 0:
        return None
    channels = f"{len(offers)} channel{'s' if len(offers) > 1 else ''}"
    line = (
        f"reading about {pages:,} pages of live offers on {channels}: the call quota (about "
        f"{limits.quota_calls:,} calls per {duration(limits.quota_window)}, measured, not "
        f"published) makes this take about {duration(wait)}"
    )
    if wait > budget_left:
        line += (
            f"; that is more than the time left in the run's budget "
            f"({duration(budget_left)}, CATALOG_TIME_BUDGET): the read will stop (exit 7)"
        )
    if snapshots:
        line += "; an incremental read next time needs a snapshot (kept in .catalog/snapshots)"
    return line


def duration(seconds: float) -> str:
    """A wait for a person: '45 s', '17 min', '2.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def say_slow_read(
    governor: Governor,
    offers: Mapping[str, int],
    say: Callable[[str], None],
    page_size: int,
    snapshots: bool = True,
) -> None:
    """Say `slow_read_note` for the quota as `governor` counts it now, if there is one."""
    note = slow_read_note(
        offers, governor.limits, governor.quota_used(), governor.remaining(), page_size, snapshots
    )
    if note:
        say(note)
