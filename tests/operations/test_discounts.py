"""Operations become the discounts of the offers they select, in the live side's normal form."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from reconciler.catalog.model import Discount, OperationKind
from reconciler.operations.discounts import desired_offers, drop_ended, price_at, sale_price

from .builders import catalog, offer, operation, when

SALES = operation(
    "soldes", "2027-01-07T08:00", "2027-02-03T23:59", tags=("winter",), reference_price="49.99"
)
FLASH = operation(
    "flash",
    "2027-02-10T08:00+01:00",
    "2027-02-11T08:00+01:00",
    kind="flash_sale",
    skus=("B",),
    percent=20,
)


def winter_catalog():  # noqa: ANN201
    offers = [offer("A", "40.00"), offer("B", "19.99"), offer("C", "9.99")]
    return catalog(offers, [SALES, FLASH], tags={"A": {"winter"}, "B": {"winter", "kids"}})


def test_selected_offers_get_one_discount_per_operation() -> None:
    offers = desired_offers(winter_catalog(), when("2026-12-01T00:00"))
    a, b, c = (offers[("cdiscount", s)] for s in "ABC")
    assert a.discounts == (
        Discount(
            when("2027-01-07T08:00"),
            when("2027-02-03T23:59"),
            OperationKind.SALES,
            30,
            Decimal("49.99"),
        ),
    )
    assert [d.kind for d in b.discounts] == [OperationKind.SALES, OperationKind.FLASH_SALE]
    assert b.discounts[1].reference_price is None
    assert c.discounts == ()
    assert replace(a, discounts=()) == winter_catalog().offers[("cdiscount", "A")]


def test_sales_without_reference_price_take_the_offer_price() -> None:
    op = operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",))
    (discount,) = desired_offers(catalog([offer("A", "40.00")], [op]), when("2026-12-01T00:00"))[
        ("cdiscount", "A")
    ].discounts
    assert discount.reference_price == Decimal("40.00")


def test_discount_times_are_paris_time() -> None:
    op = operation("s", "2027-01-07T07:00+00:00", "2027-01-08T07:00Z", skus=("A",))
    (discount,) = desired_offers(catalog([offer("A")], [op]), when("2026-12-01T00:00"))[
        ("cdiscount", "A")
    ].discounts
    assert discount.start.isoformat() == "2027-01-07T08:00:00+01:00"  # Paris time


def test_ended_operations_are_left_out_and_running_ones_kept() -> None:
    at_end = desired_offers(winter_catalog(), when("2027-02-03T23:59"))
    assert [d.kind for d in at_end[("cdiscount", "B")].discounts] == [OperationKind.FLASH_SALE]
    a_minute_before = desired_offers(winter_catalog(), when("2027-02-03T23:58"))
    assert len(a_minute_before[("cdiscount", "B")].discounts) == 2


def test_operations_on_json_channels_give_no_discount() -> None:
    op = operation(
        "s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), channel="marketplace-zz"
    )
    offers = desired_offers(
        catalog([offer("A", channel="marketplace-zz")], [op]), when("2026-12-01T00:00")
    )
    assert offers[("marketplace-zz", "A")].discounts == ()


def test_drop_ended_removes_only_ended_discounts() -> None:
    b = desired_offers(winter_catalog(), when("2026-12-01T00:00"))[("cdiscount", "B")]
    assert drop_ended(b, when("2027-02-03T23:58")) is b
    assert [d.kind for d in drop_ended(b, when("2027-02-03T23:59")).discounts] == [
        OperationKind.FLASH_SALE
    ]
    assert drop_ended(b, when("2027-03-01T00:00")).discounts == ()


def test_sale_prices_round_to_the_cent() -> None:
    b = desired_offers(winter_catalog(), when("2026-12-01T00:00"))[("cdiscount", "B")]
    sales, flash = b.discounts
    assert sale_price(b, sales) == Decimal("34.99")  # 49.99 * 0.70 = 34.993
    assert sale_price(b, flash) == Decimal("15.99")  # 19.99 * 0.80 = 15.992
    half = offer("H", "0.50")
    assert sale_price(
        half, Discount(when("2027-01-01"), when("2027-01-02"), OperationKind.FLASH_SALE, 1)
    ) == Decimal("0.50")


def test_price_at_a_moment() -> None:
    b = desired_offers(winter_catalog(), when("2026-12-01T00:00"))[("cdiscount", "B")]
    assert price_at(b, when("2027-01-07T07:59")) == Decimal("19.99")
    assert price_at(b, when("2027-01-07T08:00")) == Decimal("34.99")
    assert price_at(b, when("2027-02-03T23:59")) == Decimal("19.99")
    assert price_at(b, when("2027-02-10T07:00Z")) == Decimal("15.99")


def test_desired_offers_read_as_the_catalog_with_the_sale_offers_in_their_place() -> None:
    shop = winter_catalog()
    offers = desired_offers(shop, when("2026-12-01T00:00"))
    expected = dict(shop.offers)  # what the map was before: a copy, the replaced ones in it
    for key in (("cdiscount", "A"), ("cdiscount", "B")):
        expected[key] = offers.replaced[key]
    assert offers.base is shop.offers  # not copied
    assert list(offers.items()) == list(expected.items())  # the catalog's order kept
    assert list(offers) == list(expected) and len(offers) == len(expected) == 3
    assert dict(offers) == expected and offers == expected
    assert offers.get(("cdiscount", "B")) is expected[("cdiscount", "B")]
    assert offers.get(("cdiscount", "Z")) is None and ("cdiscount", "Z") not in offers
    assert [o.discounts != () for o in offers.values()] == [True, True, False]
