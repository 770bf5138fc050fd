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


class Merge:
    """The ownership of a catalog and the feeds read for it, applied offer by offer."""

    def __init__(self, ownership: Ownership, feeds: dict[str, Feed]):
        self.ownership = ownership
        self.feeds = feeds
        # source -> skus it must list (missing: error); a sku may come more than once (once
        # per channel, and again when the parse cache gives up replaying a file): read as a set
        self.not_listed: dict[str, list[str]] = {}
        self._owners: dict[str, tuple[str, str]] = {}  # channel -> owners of price, stock

    def fill(
        self, channel: str, sku: str, price: Any, stock: Any
    ) -> tuple[Any, Any, frozenset[str], list[str]]:
        """The offer's price and stock once the feeds' values are in (None: no file gives it),
        the fields left unknown, the fields the catalog owns but no file gives. Called for
        every offer of a fed catalog on every load: two fields, no dict built."""
        price_owner, stock_owner = self._owners.get(channel) or self._owners_of(channel)
        absent: list[str] = []
        price, unknown_price = self._value(price_owner, sku, "price", price, absent)
        stock, unknown_stock = self._value(stock_owner, sku, "stock", stock, absent)
        if unknown_price or unknown_stock:
            named = ("price",) * unknown_price + ("stock",) * unknown_stock
            return price, stock, frozenset(named), absent
        return price, stock, _NOTHING, absent

    def _owners_of(self, channel: str) -> tuple[str, str]:
        owners = (self.ownership.owner("price", channel), self.ownership.owner("stock", channel))
        self._owners[channel] = owners
        return owners

    def _value(
        self, owner: str, sku: str, name: str, given: Any, absent: list[str]
    ) -> tuple[Any, bool]:
        """A field's value by its owner, and whether it is left unknown; `given`: the files'
        value (None: none)."""
        if owner == CATALOG:
            if given is None:
                absent.append(name)
            return given, False
        if owner == UNMANAGED:
            return given, True  # the files' value is carried only for a create
        feed = self.feeds.get(owner)
        if feed is None:  # its read failed: the catalog is already invalid
            return given, given is None
        row = feed.rows.get(sku)
        if row is not None:
            value = row.values.get(name)
            if value is not None:
                return value, False
        else:
            missing = feed.source.missing
            if missing is Missing.ERROR:
                self.not_listed.setdefault(owner, []).append(sku)
            elif missing is Missing.ZERO and name == "stock":
                return 0, False
        return given, given is None

    def unknown_skus(self, known: set[str]) -> dict[str, list[str]]:
        """Per source, the skus it lists that no offer of the catalog has."""
        return {
            name: sorted(set(feed.rows) - known)
            for name, feed in sorted(self.feeds.items())
            if not set(feed.rows) <= known
        }


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
