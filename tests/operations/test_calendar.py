"""The calendar: phases at a moment, sale prices, and the price of each offer at that moment."""

from __future__ import annotations

from decimal import Decimal

from reconciler.operations.calendar import Phase, build_calendar, calendar_text, phase_of

from .builders import catalog, offer, operation, when

PAST = operation("noel", "2026-12-20T08:00", "2026-12-26T08:00", skus=("A",), percent=10)
SALES = operation(
    "soldes", "2027-01-07T08:00", "2027-02-03T23:59", tags=("winter",), reference_price="50.00"
)
FLASH = operation(
    "flash", "2027-02-10T08:00", "2027-02-11T08:00", kind="flash_sale", skus=("B",), percent=20
)


def shop():  # noqa: ANN201
    offers = [offer("A", "40.00"), offer("B", "19.99"), offer("C", "9.99")]
    return catalog(offers, [FLASH, SALES, PAST], tags={"A": {"winter"}, "B": {"winter"}})


def test_phases_around_the_edges() -> None:
    assert phase_of(SALES, when("2027-01-07T07:59")) is Phase.UPCOMING
    assert phase_of(SALES, when("2027-01-07T08:00")) is Phase.RUNNING
    assert phase_of(SALES, when("2027-02-03T23:58")) is Phase.RUNNING
    assert phase_of(SALES, when("2027-02-03T23:59")) is Phase.PAST


def test_entries_are_past_running_upcoming() -> None:
    calendar = build_calendar(shop(), when("2027-01-10T12:00"))
    assert [(e.operation.name, e.phase) for e in calendar.entries] == [
        ("noel", Phase.PAST),
        ("soldes", Phase.RUNNING),
        ("flash", Phase.UPCOMING),
    ]
    soldes = calendar.entries[1]
    assert [(o.sku, o.sale_price) for o in soldes.offers] == [
        ("A", Decimal("35.00")),
        ("B", Decimal("35.00")),
    ]


def test_prices_at_the_moment_follow_the_running_operation() -> None:
    during_sales = build_calendar(shop(), when("2027-01-10T12:00")).prices
    assert [(p.sku, p.price, p.operation) for p in during_sales] == [
        ("A", Decimal("35.00"), "soldes"),
        ("B", Decimal("35.00"), "soldes"),
    ]
    during_flash = build_calendar(shop(), when("2027-02-10T08:00")).prices
    assert [(p.sku, p.price, p.operation) for p in during_flash] == [
        ("A", Decimal("40.00"), ""),
        ("B", Decimal("15.99"), "flash"),
    ]


def test_text_names_each_operation_its_offers_and_prices() -> None:
    text = calendar_text(build_calendar(shop(), when("2027-01-10T12:00")))
    assert text.startswith("Commercial operations at 2027-01-10 12:00 (Europe/Paris)\n")
    assert (
        "Running:\n  soldes  sales -30%  on cdiscount  2027-01-07 08:00 -> 2027-02-03 23:59\n"
        in text
    )
    assert "    A       35.00  (reference 50.00)\n" in text
    assert "    B       15.99  (price 19.99)\n" in text
    assert "  cdiscount  B       35.00  during soldes\n" in text
    assert text.index("Past:") < text.index("Running:") < text.index("Upcoming:")


def test_a_catalog_without_operations_says_so() -> None:
    text = calendar_text(build_calendar(catalog([offer("A")], []), when("2027-01-10T12:00")))
    assert "no operation in this catalog" in text
