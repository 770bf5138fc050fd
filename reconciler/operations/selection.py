"""Which offers an operation applies to: those of its channel named by sku or carrying a tag.

A catalog can hold 100,000 offers and a dozen operations, so the offers are indexed once (by
channel and sku, and by tag) and each operation then costs only what it selects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reconciler.catalog.model import Catalog, CommercialOperation, Offer


@dataclass(frozen=True, slots=True)
class Selection:
    """The offers an operation selects, and the names in its selector that matched nothing."""

    offers: tuple[Offer, ...]  # sorted by sku
    unknown_skus: tuple[str, ...] = ()
    unused_tags: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.offers) and bool(self.unknown_skus or self.unused_tags)


class OfferIndex:
    """The catalog's offers by (channel, sku) as the catalog holds them, and the skus of each
    tag."""

    def __init__(self, catalog: Catalog):
        self.offers = catalog.offers
        self.by_tag: dict[str, set[str]] = defaultdict(set)
        for sku, tags in catalog.tags.items():
            for tag in tags:
                self.by_tag[tag].add(sku)

    def select(self, operation: CommercialOperation) -> Selection:
        offers, channel = self.offers, operation.channel
        chosen = {sku for sku in operation.selector.skus if (channel, sku) in offers}
        unused = []
        for tag in operation.selector.tags:
            tagged = {sku for sku in self.by_tag.get(tag, ()) if (channel, sku) in offers}
            chosen |= tagged
            if not tagged:
                unused.append(tag)
        return Selection(
            offers=tuple(offers[channel, sku] for sku in sorted(chosen)),
            unknown_skus=tuple(s for s in operation.selector.skus if (channel, s) not in offers),
            unused_tags=tuple(unused),
        )


def select(catalog: Catalog, operation: CommercialOperation) -> Selection:
    """One operation's selection; to select for many operations, build an OfferIndex once."""
    return OfferIndex(catalog).select(operation)
