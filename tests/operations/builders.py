"""Small catalogs built by hand, so the operation rules are tested without the loader."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from reconciler.catalog.model import (
    Catalog,
    CommercialOperation,
    Offer,
    OperationKind,
    OperationSelector,
)
from reconciler.clock import aware
from reconciler.errors import Location
from tests import offers
from tests.offers import DEMO_CHANNELS

CHANNELS = dict(DEMO_CHANNELS)


def offer(sku: str, price: str = "40.00", channel: str = "cdiscount", **fields: object) -> Offer:
    priced = offers.offer(
        channel=channel, sku=sku, price=Decimal(price), stock=5, eco_tax=Decimal("0.00")
    )
    return replace(priced, **fields)  # type: ignore[arg-type]


def when(text: str) -> datetime:
    return aware(datetime.fromisoformat(text))


def operation(
    name: str,
    start: str,
    end: str,
    *,
    kind: str = "sales",
    percent: int = 30,
    skus: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    channel: str = "cdiscount",
    reference_price: str | None = None,
    line: int = 2,
) -> CommercialOperation:
    return CommercialOperation(
        name=name,
        kind=OperationKind(kind),
        channel=channel,
        start=when(start),
        end=when(end),
        discount_percent=percent,
        selector=OperationSelector(skus=skus, tags=tags),
        reference_price=Decimal(reference_price) if reference_price else None,
        location=Location("operations/sales.yaml", line, 5),
    )


def catalog(
    offer_list: list[Offer],
    operations: list[CommercialOperation],
    tags: dict[str, set[str]] | None = None,
    root: str = ".",
) -> Catalog:
    return offers.catalog(
        offer_list,
        root=root,
        channels=dict(CHANNELS),
        operations=tuple(operations),
        tags={sku: frozenset(t) for sku, t in (tags or {}).items()},
        origins={o.key: Location("offers/main.yaml", 3 + i, 5) for i, o in enumerate(offer_list)},
    )
