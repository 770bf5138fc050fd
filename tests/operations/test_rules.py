"""Each rule of commercial operations at its edges, on catalogs built by hand."""

from __future__ import annotations

import pytest

from reconciler.errors import Problem
from reconciler.operations.rules import check_operations

from .builders import catalog, offer, operation, when

NOW = when("2026-12-01T10:00")


def errors(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.severity == "warning"]


def flash(name: str, start: str, end: str, **kw: object):  # noqa: ANN201
    return operation(name, start, end, kind="flash_sale", skus=("A",), **kw)  # type: ignore[arg-type]


def test_a_clean_operation_has_no_problem() -> None:
    cat = catalog(
        [offer("A")], [operation("s", "2027-01-07T08:00", "2027-02-03T23:59", skus=("A",))]
    )
    assert check_operations(cat, NOW) == []


def test_json_channel_cannot_carry_operations() -> None:
    cat = catalog(
        [offer("A", channel="marketplace-zz")],
        [
            operation(
                "s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), channel="marketplace-zz"
            )
        ],
    )
    (problem,) = [p for p in check_operations(cat, NOW) if "json" in p.message]
    assert "cannot carry" in problem.message
    assert str(problem).startswith("operations/sales.yaml:2:5: s.channel:")


def test_an_unknown_channel_is_named_once_with_a_suggestion() -> None:
    # Nothing else reports it: left alone, the plan quietly took the sale off its offers.
    op = operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), channel="cdiscont")
    (problem,) = check_operations(catalog([offer("A")], [op]), NOW)
    assert "no channel 'cdiscont': did you mean 'cdiscount'?" in problem.message


@pytest.mark.parametrize("end", ["2027-01-07T08:00", "2027-01-07T07:59"])
def test_end_must_be_after_start(end: str) -> None:
    cat = catalog([offer("A")], [operation("s", "2027-01-07T08:00", end, skus=("A",))])
    assert any("is not after start" in m for m in errors(check_operations(cat, NOW)))


def test_end_one_minute_after_start_is_fine() -> None:
    cat = catalog(
        [offer("A")], [operation("s", "2027-01-07T08:00", "2027-01-07T08:01", skus=("A",))]
    )
    assert errors(check_operations(cat, NOW)) == []


@pytest.mark.parametrize(("percent", "ok"), [(0, False), (1, True), (99, True), (100, False)])
def test_percent_from_1_to_99(percent: int, ok: bool) -> None:
    op = operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), percent=percent)
    found = errors(check_operations(catalog([offer("A")], [op]), NOW))
    assert (
        found == []
        if ok
        else found
        == [f"operation s: discount_percent {percent} must be a whole number from 1 to 99"]
    )


def test_flash_sale_of_72_hours_exactly_is_allowed() -> None:
    cat = catalog([offer("A")], [flash("f", "2027-01-07T08:00", "2027-01-10T08:00")])
    assert check_operations(cat, NOW) == []


def test_flash_sale_of_72_hours_and_a_minute_is_refused() -> None:
    cat = catalog([offer("A")], [flash("f", "2027-01-07T08:00", "2027-01-10T08:01")])
    assert errors(check_operations(cat, NOW)) == [
        "operation f: a flash sale lasts at most 72 h, this one lasts 72 h 01 min"
    ]


def test_flash_sale_length_counts_real_hours_across_the_clock_change() -> None:
    # 2027-03-28 02:00 Paris jumps to 03:00: 08:00 to 09:00 three days later is 72 real hours.
    cat = catalog([offer("A")], [flash("f", "2027-03-26T08:00", "2027-03-29T09:00")])
    assert check_operations(cat, NOW) == []


def test_48_hours_between_two_flash_sales_is_enough() -> None:
    ops = [
        flash("f1", "2027-01-07T08:00", "2027-01-08T08:00"),
        flash("f2", "2027-01-10T08:00", "2027-01-11T08:00"),
    ]
    assert check_operations(catalog([offer("A")], ops), NOW) == []


def test_less_than_48_hours_between_two_flash_sales_is_refused() -> None:
    ops = [
        flash("f2", "2027-01-10T07:59", "2027-01-11T08:00"),
        flash("f1", "2027-01-07T08:00", "2027-01-08T08:00"),
    ]
    (problem,) = check_operations(catalog([offer("A")], ops), NOW)
    assert "only 47 h 59 min before" in problem.message
    assert problem.message.startswith("operation f2: offer A had flash sale f1")


def test_flash_sale_right_after_a_sale_needs_no_gap() -> None:
    ops = [
        operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",)),
        flash("f", "2027-01-08T08:00", "2027-01-09T08:00"),
    ]
    assert check_operations(catalog([offer("A")], ops), NOW) == []


def test_an_offer_in_two_operations_at_once_is_refused() -> None:
    ops = [
        operation("s", "2027-01-07T08:00", "2027-01-20T08:00", tags=("winter",)),
        flash("f", "2027-01-20T07:59", "2027-01-21T08:00"),
    ]
    cat = catalog([offer("A"), offer("B")], ops, tags={"A": {"winter"}, "B": {"winter"}})
    (problem,) = check_operations(cat, NOW)
    assert problem.message == (
        "operation f: offer A is already in operation s until 2027-01-20T08:00:00+01:00: "
        "an offer is in at most one operation at a time"
    )


def test_operations_on_different_offers_may_overlap() -> None:
    ops = [
        operation("s", "2027-01-07T08:00", "2027-01-20T08:00", skus=("A",)),
        operation("t", "2027-01-08T08:00", "2027-01-21T08:00", skus=("B",)),
    ]
    assert check_operations(catalog([offer("A"), offer("B")], ops), NOW) == []


def test_a_selector_matching_nothing_is_an_error() -> None:
    ops = [operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("X",), tags=("none",))]
    assert errors(check_operations(catalog([offer("A")], ops), NOW)) == [
        "operation s: selects no offer of channel 'cdiscount'"
    ]


def test_a_selector_only_sees_offers_of_its_channel() -> None:
    ops = [operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",))]
    cat = catalog([offer("A", channel="marketplace-zz")], ops)
    assert "operation s: selects no offer of channel 'cdiscount'" in errors(
        check_operations(cat, NOW)
    )


def test_a_selector_matching_part_of_what_it_names_is_a_warning() -> None:
    ops = [
        operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A", "GONE"), tags=("nope",))
    ]
    problems = check_operations(catalog([offer("A")], ops), NOW)
    assert errors(problems) == []
    assert warnings(problems) == [
        "operation s: no offer GONE on channel 'cdiscount'",
        "operation s: no offer of channel 'cdiscount' is tagged nope",
    ]


def test_reference_price_below_the_offer_price_is_refused() -> None:
    ops = [
        operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), reference_price="39.99")
    ]
    (message,) = errors(check_operations(catalog([offer("A", "40.00")], ops), NOW))
    assert "reference price 39.99 is below the offer's price 40.00" in message


def test_reference_price_equal_to_the_offer_price_is_fine() -> None:
    ops = [
        operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), reference_price="40.00")
    ]
    assert check_operations(catalog([offer("A", "40.00")], ops), NOW) == []


@pytest.mark.parametrize(("eco", "ok"), [("2.79", True), ("2.80", False)])
def test_sale_price_must_stay_above_eco_tax_and_dea(eco: str, ok: bool) -> None:
    from decimal import Decimal

    # 4.00 at 30 % off is 2.80; eco 2.00 + dea 0.80 = 2.80 is not below it but not above either.
    a = offer("A", "4.00", eco_tax=Decimal(eco) - Decimal("0.80"), dea_tax=Decimal("0.80"))
    ops = [operation("s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",))]
    found = errors(check_operations(catalog([a], ops), NOW))
    assert (
        found == []
        if ok
        else found
        == ["operation s: offer A: sale price 2.80 is not above eco_tax + dea_tax (2.80)"]
    )


def test_flash_sale_price_is_taken_off_the_offer_price() -> None:
    a = offer("A", "10.00", eco_tax=__import__("decimal").Decimal("1.00"))
    ops = [flash("f", "2027-01-07T08:00", "2027-01-08T08:00", percent=90)]
    assert errors(check_operations(catalog([a], ops), NOW)) == [
        "operation f: offer A: sale price 1.00 is not above eco_tax + dea_tax (1.00)"
    ]


@pytest.mark.parametrize(
    ("now", "warned"),
    [
        ("2027-01-04T08:00", False),  # exactly 72 h before
        ("2027-01-04T08:01", True),  # 71 h 59 min before
        ("2027-01-07T08:00", False),  # already started: too late to warn about notice
    ],
)
def test_sales_sent_less_than_72_hours_before_start_is_a_warning(now: str, warned: bool) -> None:
    ops = [operation("s", "2027-01-07T08:00", "2027-01-20T08:00", skus=("A",))]
    problems = check_operations(catalog([offer("A")], ops), when(now))
    assert errors(problems) == []
    assert bool(warnings(problems)) == warned


def test_flash_sales_get_no_notice_warning() -> None:
    cat = catalog([offer("A")], [flash("f", "2027-01-07T08:00", "2027-01-08T08:00")])
    assert check_operations(cat, when("2027-01-07T07:00")) == []


@pytest.mark.parametrize(("reference", "warned"), [("57.13", False), ("57.14", True)])
def test_a_sale_price_not_below_the_price_is_a_warning(reference: str, warned: bool) -> None:
    # 30 % off 57.13 is 39.99 (39.991); 57.14 gives 40.00 (39.998), not below 40.00.
    op = operation(
        "s", "2027-01-07T08:00", "2027-01-08T08:00", skus=("A",), reference_price=reference
    )
    problems = check_operations(catalog([offer("A", "40.00")], [op]), NOW)
    assert errors(problems) == []
    expected = [
        "operation s: offer A: sale price 40.00 is not below its price 40.00: "
        "buyers would pay as much or more during the sale"
    ]
    assert warnings(problems) == (expected if warned else [])
