"""A small live shop in normal form: two channels, offers that differ between them, a sale."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from reconciler.catalog.model import (
    Catalog,
    Condition,
    DeliveryOption,
    Discount,
    Guards,
    ManagePolicy,
    MarketplaceSettings,
    Offer,
    OperationKind,
    SalesChannel,
    Submission,
)
from reconciler.clock import PARIS

TRK = DeliveryOption("TRK", D("4.90"), D("1.00"))
REG = DeliveryOption("REG", D("6.90"), D("2.00"))
CHANNELS = {
    "cdiscount": SalesChannel("cdiscount", "CDISFR", Submission.XML, (1,)),
    "marketplace-zz": SalesChannel("marketplace-zz", "SELLZZ", Submission.JSON),
}
SALE = Discount(
    start=datetime(2027, 1, 7, 8, 0, tzinfo=PARIS),
    end=datetime(2027, 2, 3, 23, 59, tzinfo=PARIS),
    kind=OperationKind.SALES,
    percent=30,
    reference_price=D("39.99"),
)


def offer(channel: str, sku: str, **fields) -> Offer:
    values = dict(
        gtin="3760452700039",
        price=D("19.99"),
        stock=25,
        condition=Condition.NEW,
        vat=D("20.00"),
        eco_tax=D("0.00"),
        dea_tax=D("0.00"),
        preparation_days=2,
        delivery=(REG, TRK),
    )
    values.update(fields)
    return Offer(channel=channel, sku=sku, **values)


def settings(**changes) -> Catalog:
    values = dict(
        root="",
        seller_id=98979,
        marketplace=MarketplaceSettings(sandbox="embedded"),
        channels=CHANNELS,
        manage=ManagePolicy.LISTED,
        guards=Guards(),
        package_store=None,
        offers={},
    )
    values.update(changes)
    return Catalog(**values)


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
