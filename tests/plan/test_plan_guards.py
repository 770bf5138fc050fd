from __future__ import annotations

from decimal import Decimal

from reconciler.catalog.model import Guards, ManagePolicy
from reconciler.plan.diff import diff_offers
from reconciler.plan.guards import check_guards


def offers(make_offer, count, **changes):
    return {("cdiscount", f"S{i:03}"): make_offer(sku=f"S{i:03}", **changes) for i in range(count)}


def run(make_offer, channels, desired, live, guards=None, manage=ManagePolicy.ALL):
    changes, summaries = diff_offers(channels, desired, live, manage)
    return check_guards(guards or Guards(), summaries, changes)


def test_updates_within_the_share_pass(make_offer, channels):
    live = offers(make_offer, 10)
    desired = dict(live)
    for key in list(live)[:3]:
        desired[key] = make_offer(sku=key[1], stock=1)
    assert run(make_offer, channels, desired, live) == ()


def test_updates_above_the_share_are_blocked_with_their_skus(make_offer, channels):
    live = offers(make_offer, 10)
    desired = offers(make_offer, 10, stock=1)
    [violation] = run(make_offer, channels, desired, live)
    assert violation.guard == "max_update_percent"
    assert violation.channel == "cdiscount"
    assert len(violation.skus) == 10
    assert "10 of 10" in violation.message and "100.0%" in violation.message


def test_share_guards_wait_for_min_existing_offers(make_offer, channels):
    live = offers(make_offer, 9)
    assert run(make_offer, channels, offers(make_offer, 9, stock=1), live) == ()
    assert run(make_offer, channels, {}, live) == ()


def test_withdrawals_above_the_share_are_blocked(make_offer, channels):
    live = offers(make_offer, 20)
    desired = dict(list(live.items())[:17])
    [violation] = run(make_offer, channels, desired, live)
    assert violation.guard == "max_delete_percent"
    assert violation.skus == ("S017", "S018", "S019")


def test_a_price_drop_of_95_percent_is_blocked_on_a_small_channel(make_offer, channels):
    live = offers(make_offer, 1, price=Decimal("199.00"))
    desired = offers(make_offer, 1, price=Decimal("9.95"))
    [violation] = run(make_offer, channels, desired, live)
    assert violation.guard == "max_price_change_percent"
    assert violation.skus == ("S000",)
    assert "199.00 -> 9.95 (95.0%)" in violation.message


def test_price_moves_are_checked_both_ways_against_the_limit(make_offer, channels):
    live = offers(make_offer, 1, price=Decimal("100.00"))
    at_limit = offers(make_offer, 1, price=Decimal("150.00"))
    above = offers(make_offer, 1, price=Decimal("150.01"))
    assert run(make_offer, channels, at_limit, live) == ()
    assert run(make_offer, channels, above, live)[0].guard == "max_price_change_percent"
    below = offers(make_offer, 1, price=Decimal("49.99"))
    assert run(make_offer, channels, below, live)[0].skus == ("S000",)
    limits = Guards(max_price_change_percent=Decimal(10))
    assert run(make_offer, channels, at_limit, live, guards=limits) != ()


def _sale(percent, reference="199.00"):
    from datetime import datetime

    from reconciler.catalog.model import Discount, OperationKind
    from reconciler.clock import PARIS

    start, end = datetime(2027, 1, 13, 8, tzinfo=PARIS), datetime(2027, 1, 20, 8, tzinfo=PARIS)
    return Discount(start, end, OperationKind.SALES, percent, Decimal(reference))


def test_the_price_buyers_pay_after_a_discount_is_guarded(make_offer, channels):
    live = offers(make_offer, 1, price=Decimal("199.00"))
    typo = offers(make_offer, 1, price=Decimal("199.00"), discounts=(_sale(99),))
    [violation] = run(make_offer, channels, typo, live)
    assert "S000 sales price 199.00 -> 1.99 (99.0%)" in violation.message
    meant = offers(make_offer, 1, price=Decimal("199.00"), discounts=(_sale(9),))
    assert run(make_offer, channels, meant, live) == ()
    # a create carrying the sale is held against its own price
    assert run(make_offer, channels, typo, {})[0].guard == "max_price_change_percent"
    # a discount already live is not counted again when the price moves a little
    sold = offers(make_offer, 1, price=Decimal("199.00"), discounts=(_sale(70),))
    cheaper = offers(make_offer, 1, price=Decimal("198.00"), discounts=(_sale(70),))
    assert run(make_offer, channels, cheaper, sold) == ()


def test_striked_and_reference_prices_are_guarded(make_offer, channels):
    live = offers(make_offer, 1, price=Decimal("199.00"))
    striked = offers(make_offer, 1, price=Decimal("199.00"), striked_price=Decimal("1990.00"))
    assert "striked price 199.00 -> 1990.00" in run(make_offer, channels, striked, live)[0].message
    inflated = offers(make_offer, 1, price=Decimal("199.00"), discounts=(_sale(9, "1990.00"),))
    assert (
        "reference price 199.00 -> 1990.00" in run(make_offer, channels, inflated, live)[0].message
    )
