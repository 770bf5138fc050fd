"""The offer most tests start from, the sales channels they sell on, and a plan diffed from offers.

A test whose offer differs from `BASE` says how, in the call: `offer(sku="MUG", stock=4)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

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
from reconciler.plan.diff import diff_offers
from reconciler.plan.guards import check_guards
from reconciler.plan.model import Plan
from reconciler.plan.serialize import compute_plan_hash

TRK = DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00"))
REG = DeliveryOption("REG", Decimal("6.90"), Decimal("2.00"))
BASE = Offer(
    channel="cdiscount",
    sku="SKU-1",
    gtin="3760452700039",
    price=Decimal("19.99"),
    stock=25,
    condition=Condition.NEW,
    vat=Decimal("20.00"),
    eco_tax=Decimal("0.10"),
    dea_tax=Decimal("0.00"),
    preparation_days=2,
    delivery=(TRK,),
)

CDISCOUNT = SalesChannel("cdiscount", "CDISFR", Submission.XML, (1,))
ZZ = SalesChannel("zz", "SELLZZ", Submission.JSON)
# The JSON channel under the name the YAML catalogs (and the demo catalog) give it.
MARKETPLACE_ZZ = SalesChannel("marketplace-zz", "SELLZZ", Submission.JSON)
CHANNELS = {"cdiscount": CDISCOUNT, "zz": ZZ}
DEMO_CHANNELS = {"cdiscount": CDISCOUNT, "marketplace-zz": MARKETPLACE_ZZ}


def offer(**changes: Any) -> Offer:
    return replace(BASE, **changes)


def catalog(offers: Iterable[Offer] = (), **changes: Any) -> Catalog:
    """A catalog of `offers` for the embedded sandbox on DEMO_CHANNELS, managing listed offers."""
    base = Catalog(
        root=".",
        seller_id=98979,
        marketplace=MarketplaceSettings(sandbox="embedded"),
        channels=dict(DEMO_CHANNELS),
        manage=ManagePolicy.LISTED,
        guards=Guards(),
        package_store=None,
        offers={o.key: o for o in offers},
    )
    return replace(base, **changes)


def winter_sale(reference_price: Decimal) -> Discount:
    """The 30% sales of 7 January to 3 February 2027, Paris time."""
    return Discount(
        start=datetime(2027, 1, 7, 8, 0, tzinfo=PARIS),
        end=datetime(2027, 2, 3, 23, 59, tzinfo=PARIS),
        kind=OperationKind.SALES,
        percent=30,
        reference_price=reference_price,
    )


def make_plan(
    desired: Iterable[Offer],
    live: Iterable[Offer],
    manage: ManagePolicy = ManagePolicy.ALL,
    guards: Guards | None = None,
    notes: tuple[str, ...] = (),
) -> Plan:
    """The plan from `live` to `desired` on `CHANNELS`, guards checked, hashed."""
    wanted = {o.key: o for o in desired}
    listed = {o.key: o for o in live}
    changes, summaries = diff_offers(CHANNELS, wanted, listed, manage)
    plan = Plan(
        seller_id=98979,
        catalog_hash="c" * 64,
        created_at="2026-11-25T09:00:00Z",
        channels=summaries,
        changes=changes,
        guards=check_guards(guards or Guards(), summaries, changes),
        notes=notes,
    )
    return replace(plan, plan_hash=compute_plan_hash(plan))
