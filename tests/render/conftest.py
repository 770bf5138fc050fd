from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.catalog.model import DeliveryOption
from reconciler.plan.model import Plan
from tests.offers import make_plan, offer


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
