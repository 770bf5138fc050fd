"""Where an offer's stock and price come from: merged into its values where the catalog resolves
defaults and overrides (reconciler.catalog.resolve), so everything downstream sees one `Offer`.

For a field on a channel, by its owner:
- `catalog`: the offers files' value (then it is required);
- `unmanaged`: the files' value if any, carried only for a create; never compared (`unknown`);
- a source: the feed's row for the sku; else, by `missing`: `keep` the files' value (or, with
  none, leave the field unknown so the live value stays), `zero` a stock, or an `error`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from reconciler.sources.model import CATALOG, FED_FIELDS, UNMANAGED, Feed, Missing, Ownership

Raw = dict[str, Any]


class Merge:
    """The ownership of a catalog and the feeds read for it, applied offer by offer."""

    def __init__(self, ownership: Ownership, feeds: dict[str, Feed]):
        self.ownership = ownership
        self.feeds = feeds
        # source -> skus it must list (missing: error); a sku may come more than once (once
        # per channel, and again when the parse cache gives up replaying a file): read as a set
        self.not_listed: dict[str, list[str]] = {}
        self._owners: dict[str, tuple[tuple[str, str], ...]] = {}  # channel -> (field, owner)

    def fill(self, channel: str, sku: str, values: Raw) -> tuple[Raw, frozenset[str], list[str]]:
        """`values` with the fed fields filled in, the fields left unknown, the fields the
        catalog owns but does not give."""
        owners = self._owners.get(channel) or self._owners_of(channel)
        unknown: frozenset[str] = _NOTHING
        absent: list[str] = []
        filled = values
        for name, owner in owners:
            if owner == CATALOG:
                if name not in values:
                    absent.append(name)
                continue
            value = _UNKNOWN if owner == UNMANAGED else self._fed(owner, sku, name, values)
            if value is _UNKNOWN:
                unknown = unknown | {name}
            elif value != values.get(name):
                if filled is values:
                    filled = dict(values)
                filled[name] = value
        return filled, unknown, absent

    def _owners_of(self, channel: str) -> tuple[tuple[str, str], ...]:
        owners = tuple((name, self.ownership.owner(name, channel)) for name in FED_FIELDS)
        self._owners[channel] = owners
        return owners

    def _fed(self, source: str, sku: str, name: str, values: Raw) -> object:
        feed = self.feeds.get(source)
        if feed is None:  # its read failed: the catalog is already invalid
            return values.get(name, _UNKNOWN)
        row = feed.rows.get(sku)
        if row is not None and name in row.values:
            return row.values[name]
        missing = feed.source.missing
        if row is None and missing is Missing.ERROR:
            self.not_listed.setdefault(source, []).append(sku)
        if row is None and missing is Missing.ZERO and name == "stock":
            return 0
        return values.get(name, _UNKNOWN)

    def unknown_skus(self, known: set[str]) -> dict[str, list[str]]:
        """Per source, the skus it lists that no offer of the catalog has."""
        return {
            name: sorted(set(feed.rows) - known)
            for name, feed in sorted(self.feeds.items())
            if not set(feed.rows) <= known
        }


_UNKNOWN = object()
_NOTHING: frozenset[str] = frozenset()


def origin(merge: Merge | None, channel: str, sku: str, name: str) -> str:
    """Where a desired value came from, for the plan: `erp-stock, row 1203`, or ""."""
    if merge is None or name not in FED_FIELDS:
        return ""
    owner = merge.ownership.owner(name, channel)
    feed = merge.feeds.get(owner)
    if feed is None:
        return ""
    row = feed.rows.get(sku)
    if row is not None and name in row.values:
        return f"{owner}, row {row.number}"
    if feed.source.missing is Missing.ZERO and name == "stock":
        return f"{owner}: not listed, missing: zero"
    return ""


def values_fingerprint(feed: Feed, skus: Iterable[str]) -> str:
    """A hash of the values the catalog's offers take from `feed`: what a plan depends on."""
    digest = hashlib.sha256()
    for sku in sorted(set(skus) & feed.rows.keys()):
        values = feed.rows[sku].values
        digest.update(f"{sku}\t{sorted((k, str(v)) for k, v in values.items())}\n".encode())
    return digest.hexdigest()[:16]
