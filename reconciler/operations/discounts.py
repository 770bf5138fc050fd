"""Operations turned into the discounts of the offers they select, and the prices buyers see.

The plan compares `Offer.discounts` on both sides, so a discount is written here in the same
normal form the live side reads back: times in Paris time, and the reference price of a sale
always filled in (the marketplace reports the price it applied, never "the offer's price").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, ItemsView, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from reconciler.catalog.model import (
    Catalog,
    CommercialOperation,
    Discount,
    Offer,
    OperationKind,
    Submission,
)
from reconciler.catalog.normal import CENT, moment, money
from reconciler.clock import aware
from reconciler.operations.selection import OfferIndex


def instant(moment: datetime) -> datetime:
    """A moment in UTC. Python compares and subtracts two Paris times by the wall clock, which
    is an hour off across a daylight-saving change; UTC has none."""
    return aware(moment).astimezone(UTC)


def discount_for(operation: CommercialOperation, offer: Offer) -> Discount:
    """The discount one operation gives one offer."""
    return discounts_of(operation)(offer)


def discounts_of(operation: CommercialOperation) -> Callable[[Offer], Discount]:
    """The discount an operation gives each offer; its window and kind are worked out once, as a
    sale may cover every offer of a large catalog."""
    start, end = moment(operation.start), moment(operation.end)
    kind = OperationKind(operation.kind)
    percent = operation.discount_percent
    if kind is not OperationKind.SALES:
        return lambda offer: Discount(start, end, kind, percent, None)
    if operation.reference_price:
        reference = money(operation.reference_price)
        return lambda offer: Discount(start, end, kind, percent, reference)
    return lambda offer: Discount(start, end, kind, percent, offer.price)


def sale_price(offer: Offer, discount: Discount) -> Decimal:
    """The price buyers pay during a discount: the percentage off the reference price of a sale,
    or off the offer's price for a flash sale, rounded to the cent as a till would."""
    base = offer.price
    if discount.kind is OperationKind.SALES and discount.reference_price is not None:
        base = discount.reference_price
    cut = base * Decimal(100 - discount.percent) / Decimal(100)
    return cut.quantize(CENT, rounding=ROUND_HALF_UP)


def running_discount(offer: Offer, moment: datetime) -> Discount | None:
    """The discount running at `moment` (start included, end excluded), if any."""
    for discount in offer.discounts:
        if instant(discount.start) <= moment < instant(discount.end):
            return discount
    return None


def price_at(offer: Offer, moment: datetime) -> Decimal:
    """The price buyers see at `moment`."""
    discount = running_discount(offer, instant(moment))
    return sale_price(offer, discount) if discount else offer.price


class DesiredOffers(Mapping[tuple[str, str], Offer]):
    """The catalog's offers with those the operations select in their place: held as the
    catalog's own map and the few replaced ones, not a copy of the whole map (~100 MB at a
    million offers, where a sale selects a tenth of them). Iterated in the catalog's order."""

    __slots__ = ("base", "replaced")

    def __init__(self, base: Mapping[tuple[str, str], Offer], replaced: dict):
        self.base = base
        self.replaced: dict[tuple[str, str], Offer] = replaced

    def __getitem__(self, key: tuple[str, str]) -> Offer:
        found = self.replaced.get(key)
        return self.base[key] if found is None else found

    def get(self, key: tuple[str, str], default: Offer | None = None) -> Offer | None:  # type: ignore[override]
        return self.replaced.get(key) or self.base.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.base

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)

    def items(self) -> ItemsView[tuple[str, str], Offer]:
        if not self.replaced:
            return self.base.items()
        return _Items(self)


class _Items(ItemsView[tuple[str, str], Offer]):
    """The pairs of a `DesiredOffers`, walked without a lookup in the catalog's map each."""

    _mapping: DesiredOffers

    def __iter__(self) -> Iterator[tuple[tuple[str, str], Offer]]:
        instead = self._mapping.replaced.get
        for key, offer in self._mapping.base.items():
            yield key, instead(key, offer)


def desired_offers(catalog: Catalog, now: datetime) -> DesiredOffers:
    """The catalog's desired offers with the discounts of the operations that select them.

    Operations already ended at `now` are left out: they are neither sent again nor a change.
    Operations on json channels are left out too (the rules report them as errors).
    """
    now = instant(now)
    index = OfferIndex(catalog)
    given: dict[tuple[str, str], list[Discount]] = defaultdict(list)
    for operation in catalog.operations:
        channel = catalog.channels.get(operation.channel)
        if channel is None or channel.submission is not Submission.XML:
            continue
        if instant(operation.end) <= now:
            continue
        discount = discounts_of(operation)
        for offer in index.select(operation).offers:
            given[offer.key].append(discount(offer))
    replaced = {}
    for key, discounts in given.items():
        ordered = discounts if len(discounts) == 1 else sorted(discounts, key=_by_start)
        replaced[key] = replace(catalog.offers[key], discounts=tuple(ordered))
    return DesiredOffers(catalog.offers, replaced)


def drop_ended(offer: Offer, now: datetime) -> Offer:
    """A live offer without the discounts that have already ended at `now`."""
    if not offer.discounts:  # none, or not returned by the marketplace (None)
        return offer
    now = instant(now)
    kept = tuple(d for d in offer.discounts if instant(d.end) > now)
    return offer if len(kept) == len(offer.discounts) else replace(offer, discounts=kept)


def _by_start(discount: Discount) -> tuple[datetime, datetime, str, int]:
    # not Discount's own order: a None reference price cannot be compared with a Decimal
    return (instant(discount.start), instant(discount.end), discount.kind.value, discount.percent)
