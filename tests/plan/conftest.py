from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from reconciler.catalog.model import (
    Condition,
    DeliveryOption,
    Offer,
    SalesChannel,
    Submission,
)

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


@pytest.fixture
def make_offer():
    def make(**changes) -> Offer:
        return replace(BASE, **changes)

    return make


@pytest.fixture
def channels() -> dict[str, SalesChannel]:
    return {
        "cdiscount": SalesChannel("cdiscount", "CDISFR", Submission.XML, (1,)),
        "zz": SalesChannel("zz", "SELLZZ", Submission.JSON),
    }
