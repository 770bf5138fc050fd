"""A small live shop in normal form: two channels, offers that differ between them, a sale."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from reconciler.catalog.model import (
    Catalog,
    Offer,
)
from tests import offers
from tests.offers import DEMO_CHANNELS, REG, TRK

CHANNELS = dict(DEMO_CHANNELS)
SHOP_OFFER = offers.offer(eco_tax=D("0.00"), delivery=(REG, TRK))
SALE = offers.winter_sale(reference_price=D("39.99"))


def offer(channel: str, sku: str, **fields) -> Offer:
    return replace(SHOP_OFFER, channel=channel, sku=sku, **fields)


def settings(**changes) -> Catalog:
    return offers.catalog(root="", channels=CHANNELS, **changes)


def live_shop() -> dict[tuple[str, str], Offer]:
    offers = [
        offer("cdiscount", "TSHIRT-RED-M", comment="Livré sous 48h", discounts=(SALE,)),
        offer("marketplace-zz", "TSHIRT-RED-M", price=D("21.99")),
        offer("cdiscount", "TSHIRT-BLUE-L", gtin="4006381333931", stock=0),
        offer("marketplace-zz", "TSHIRT-BLUE-L", gtin="4006381333931", stock=0),
        offer("cdiscount", "MUG-01", gtin="5901234123457", vat=D("5.50"), delivery=(TRK,)),
        offer("marketplace-zz", "CAP-9", gtin="9780201379624", preparation_days=5),
    ]
    return {o.key: o for o in offers}
