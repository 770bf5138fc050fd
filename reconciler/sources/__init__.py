"""Sources outside git: stock and prices from CSV, JSON, URL and SQL feeds (desired-side inputs).

    read_settings(catalog.yaml)   -> sources, field ownership, problems   (settings.py)
    read_feeds(...)               -> the feeds the fields use, or problems (read.py, fetch.py)
    Merge.fill(channel, sku, price, stock) -> the fed price and stock, the unknown fields (merge.py)

The catalog calls these where it resolves defaults and overrides, so the plan, the channels and
the renderers see one desired `Offer` and never a source. A bad feed is an error (exit 4): the
plan stops before reading the marketplace.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reconciler.errors import Problem
from reconciler.sources.merge import Merge, origin, values_fingerprint
from reconciler.sources.model import Feed, Ownership, Source, SourceRecord
from reconciler.sources.read import read_source
from reconciler.sources.settings import read_settings
from reconciler.sources.tables import FeedUnusable

__all__ = [
    "Merge",
    "Source",
    "SourceRecord",
    "origin",
    "read_feeds",
    "read_settings",
    "source_records",
]


def read_feeds(
    sources: dict[str, Source], ownership: Ownership, root: Path, now: datetime
) -> tuple[dict[str, Feed], list[Problem]]:
    """Read every source a field uses (in name order); each failure is problems, never a stop."""
    feeds: dict[str, Feed] = {}
    problems: list[Problem] = []
    for name in sorted(ownership.sources()):
        try:
            feeds[name] = read_source(sources[name], root, now)
        except FeedUnusable as err:
            problems += err.problems
    return feeds, problems


def unknown_sku_warnings(merge: Merge, known: set[str]) -> list[Problem]:
    """One warning per source listing the skus the catalog does not have."""
    from reconciler.sources.tables import unusable

    warnings = []
    for name, skus in merge.unknown_skus(known).items():
        shown = _listed(skus)
        problem = unusable(
            merge.feeds[name].source.shown,
            f"{len(skus)} sku(s) not in the catalog, ignored: {shown}",
        )
        warnings.append(Problem(problem.location, problem.message, "warning"))
    return warnings


def not_listed_errors(merge: Merge) -> list[Problem]:
    """Sources with `missing: error` that do not list an offer of the catalog."""
    from reconciler.sources.tables import unusable

    errors = []
    for name, skus in sorted(merge.not_listed.items()):
        unique = sorted(set(skus))
        shown = _listed(unique)
        message = f"does not list {len(unique)} offer(s) of the catalog (missing: error): {shown}"
        errors.append(unusable(merge.feeds[name].source.shown, message))
    return errors


def source_records(merge: Merge | None, skus: set[str]) -> tuple[SourceRecord, ...]:
    """What a plan records of the sources it read, in name order."""
    if merge is None:
        return ()
    return tuple(
        SourceRecord(
            name=name,
            where=feed.source.shown,
            rows=len(feed.rows),
            fingerprint=feed.fingerprint,
            values_fingerprint=values_fingerprint(feed, skus),
            modified=feed.modified.isoformat(timespec="seconds") if feed.modified else None,
        )
        for name, feed in sorted(merge.feeds.items())
    )


def _listed(skus: list[str]) -> str:
    more = f" and {len(skus) - 10} more" if len(skus) > 10 else ""
    return ", ".join(skus[:10]) + more
