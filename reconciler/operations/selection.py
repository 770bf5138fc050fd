"""Which offers an operation applies to: those of its channel named by sku or carrying a tag."""

from __future__ import annotations

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


def select(catalog: Catalog, operation: CommercialOperation) -> Selection:
    channel_offers = {
        sku: offer
        for (channel, sku), offer in catalog.offers.items()
        if channel == operation.channel
    }
    wanted_skus = set(operation.selector.skus)
    wanted_tags = set(operation.selector.tags)
    chosen = {
        sku: offer
        for sku, offer in channel_offers.items()
        if sku in wanted_skus or wanted_tags & catalog.tags.get(sku, frozenset())
    }
    used_tags = set().union(*(catalog.tags.get(sku, frozenset()) for sku in chosen))
    return Selection(
        offers=tuple(chosen[sku] for sku in sorted(chosen)),
        unknown_skus=tuple(s for s in operation.selector.skus if s not in channel_offers),
        unused_tags=tuple(t for t in operation.selector.tags if t not in used_tags),
    )
