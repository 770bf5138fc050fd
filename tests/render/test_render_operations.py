"""The plan shows, for every offer an operation touches, the price buyers will see."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reconciler.catalog.model import Discount, OperationKind
from reconciler.clock import PARIS
from reconciler.render.text import render_text
from tests.offers import make_plan, offer

SALE = Discount(
    start=datetime(2027, 1, 13, 8, 0, tzinfo=PARIS),
    end=datetime(2027, 2, 9, 23, 59, tzinfo=PARIS),
    kind=OperationKind.SALES,
    percent=30,
    reference_price=Decimal("39.99"),
)
FLASH = Discount(
    start=datetime(2027, 3, 1, 8, 0, tzinfo=PARIS),
    end=datetime(2027, 3, 2, 8, 0, tzinfo=PARIS),
    kind=OperationKind.FLASH_SALE,
    percent=20,
)


def test_a_created_offer_shows_the_sale_price_buyers_pay() -> None:
    text = render_text(make_plan([offer(discounts=(SALE,))], []))
    assert "sales -30% of 39.99" in text
    assert "buyers pay 27.99" in text  # 39.99 - 30%, rounded to the cent


def test_an_operation_starting_on_a_live_offer_shows_the_flash_sale_price() -> None:
    text = render_text(make_plan([offer(discounts=(FLASH,))], [offer()]))
    assert "discounts" in text
    assert "operations after the change: flash_sale -20%" in text
    assert "buyers pay 15.99" in text  # 19.99 - 20%


def test_a_price_change_under_a_running_sale_restates_the_flash_price() -> None:
    text = render_text(
        make_plan([offer(price=Decimal("24.99"), discounts=(FLASH,))], [offer(discounts=(FLASH,))])
    )
    assert "price 19.99 -> 24.99" in text
    assert "buyers pay 19.99" in text  # 24.99 - 20%
