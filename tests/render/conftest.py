from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from reconciler.catalog.model import (
    Condition,
    DeliveryOption,
    Guards,
    ManagePolicy,
    Offer,
    SalesChannel,
    Submission,
)
from reconciler.plan.diff import diff_offers
from reconciler.plan.guards import check_guards
from reconciler.plan.model import Plan
from reconciler.plan.serialize import compute_plan_hash

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
    delivery=(DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),),
)
CHANNELS = {
    "cdiscount": SalesChannel("cdiscount", "CDISFR", Submission.XML, (1,)),
    "zz": SalesChannel("zz", "SELLZZ", Submission.JSON),
}


def offer(**changes) -> Offer:
    return replace(BASE, **changes)


def make_plan(desired, live, manage=ManagePolicy.ALL, guards=None, notes=()) -> Plan:
    desired = {o.key: o for o in desired}
    live = {o.key: o for o in live}
    changes, summaries = diff_offers(CHANNELS, desired, live, manage)
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


@pytest.fixture
def mixed_plan() -> Plan:
    delivery = (
        DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),
        DeliveryOption("TRK", Decimal("5.90"), Decimal("1.00")),
    )
    return make_plan(
        desired=[
            offer(sku="NEW-1"),
            offer(sku="UPD-1", price=Decimal("17.99"), stock=20, delivery=delivery),
            offer(sku="SAME"),
            offer(channel="zz", sku="ZZ-1"),
        ],
        live=[
            offer(sku="UPD-1"),
            offer(sku="SAME"),
            offer(sku="OLD-1"),
            offer(channel="zz", sku="ZZ-1"),
            offer(channel="zz", sku="ZZ-GONE"),
        ],
        notes=("comment exist only in XML packages",),
    )


@pytest.fixture
def factory():
    return offer, make_plan
