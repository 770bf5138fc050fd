from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.catalog.model import (
    DeliveryOption,
    ManagePolicy,
    Packaging,
    PriceAlignment,
)
from reconciler.plan.diff import Target, diff_offers, nested_changes
from reconciler.plan.model import Action, FieldChange
from reconciler.plan.serialize import offer_fingerprint
from tests.offers import winter_sale

LISTED, ALL = ManagePolicy.LISTED, ManagePolicy.ALL


def keyed(*offers):
    return {o.key: o for o in offers}


def test_identical_sides_make_no_change(make_offer, channels):
    offer = make_offer()
    changes, summaries = diff_offers(channels, keyed(offer), keyed(offer), ALL)
    assert changes == ()
    cdiscount = next(s for s in summaries if s.channel == "cdiscount")
    assert (cdiscount.unchanged, cdiscount.live_offers) == (1, 1)


def test_offer_missing_live_is_created(make_offer, channels):
    offer = make_offer()
    changes, summaries = diff_offers(channels, keyed(offer), {}, LISTED)
    [change] = changes
    assert (change.action, change.before, change.after) == (Action.CREATE, None, offer)
    assert change.fingerprint is None
    assert summaries[0].creates == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gtin", "4006381333931"),
        ("price", Decimal("17.50")),
        ("stock", 3),
        ("condition", "refurbished"),
        ("vat", Decimal("5.50")),
        ("eco_tax", Decimal("0.20")),
        ("dea_tax", Decimal("1.00")),
        ("preparation_days", 5),
        ("delivery", (DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),)),
        ("comment", "Livré sous 48h"),
        ("striked_price", Decimal("24.99")),
        ("price_alignment", PriceAlignment(True, Decimal("15.00"))),
        ("packaging", Packaging("Kilogram", Decimal("0.50"))),
        (
            "discounts",
            (winter_sale(reference_price=Decimal("39.99")),),
        ),
    ],
)
def test_each_field_is_an_update_of_that_field_only(make_offer, channels, field, value):
    if field == "condition":
        from reconciler.catalog.model import Condition

        value = Condition(value)
    live = make_offer()
    desired = make_offer(**{field: value})
    changes, summaries = diff_offers(channels, keyed(desired), keyed(live), LISTED)
    [change] = changes
    assert change.action is Action.UPDATE
    assert change.fields == (FieldChange(field, getattr(live, field), value),)
    assert change.before == live and change.after == desired
    assert change.fingerprint == offer_fingerprint(live)
    assert field in change.reason
    assert summaries[0].updates == 1


def test_several_fields_are_listed_in_reading_order(make_offer, channels):
    live = make_offer()
    desired = make_offer(stock=1, price=Decimal("9.99"))
    [change] = diff_offers(channels, keyed(desired), keyed(live), LISTED)[0]
    assert [f.field for f in change.fields] == ["price", "stock"]


def test_listed_policy_counts_unmanaged_and_never_removes(make_offer, channels):
    live = keyed(make_offer(sku="A"), make_offer(sku="B", channel="zz"))
    changes, summaries = diff_offers(channels, {}, live, LISTED)
    assert changes == ()
    assert {s.channel: s.unmanaged for s in summaries} == {"cdiscount": 1, "zz": 1}


def test_all_policy_deletes_on_json_and_withdraws_on_xml(make_offer, channels):
    on_xml = make_offer(sku="A")
    on_json = make_offer(sku="B", channel="zz")
    changes, summaries = diff_offers(channels, {}, keyed(on_xml, on_json), ALL)
    withdraw, delete = changes
    assert withdraw.action is Action.WITHDRAW and withdraw.channel == "cdiscount"
    assert withdraw.after.stock == 0 and withdraw.after.price == on_xml.price
    assert withdraw.fields == (FieldChange("stock", 25, 0),)
    assert delete.action is Action.DELETE and delete.after is None
    assert delete.fingerprint == offer_fingerprint(on_json)
    assert [(s.withdraws, s.deletes) for s in summaries] == [(1, 0), (0, 1)]


def test_an_offer_already_at_stock_zero_is_not_withdrawn_again(make_offer, channels):
    changes, summaries = diff_offers(channels, {}, keyed(make_offer(stock=0)), ALL)
    assert changes == ()
    assert summaries[0].unchanged == 1


def test_target_by_channel_leaves_other_channels_alone(make_offer, channels):
    live = keyed(make_offer(sku="A"), make_offer(sku="B", channel="zz"))
    desired = keyed(make_offer(sku="C", channel="zz"))
    changes, summaries = diff_offers(channels, desired, live, ALL, Target(channels=("zz",)))
    assert [(c.channel, c.sku, c.action) for c in changes] == [
        ("zz", "B", Action.DELETE),
        ("zz", "C", Action.CREATE),
    ]
    assert [s.channel for s in summaries] == ["zz"]


def test_target_by_sku_glob_never_removes_outside_it(make_offer, channels):
    live = keyed(make_offer(sku="TSHIRT-1"), make_offer(sku="MUG-1"))
    changes, summaries = diff_offers(channels, {}, live, ALL, Target(skus=("TSHIRT-*",)))
    assert [(c.sku, c.action) for c in changes] == [("TSHIRT-1", Action.WITHDRAW)]
    assert summaries[0].live_offers == 1


def test_per_channel_override_is_compared_on_its_own_channel(make_offer, channels):
    # The same sku on two channels with different prices (an override): each side by itself.
    desired = keyed(make_offer(), make_offer(channel="zz", price=Decimal("21.99")))
    live = keyed(make_offer(), make_offer(channel="zz"))
    [change] = diff_offers(channels, desired, live, LISTED)[0]
    assert (change.channel, change.fields) == (
        "zz",
        (FieldChange("price", Decimal("19.99"), Decimal("21.99")),),
    )


def test_nested_changes_name_the_delivery_mode(make_offer):
    before = (
        DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),
        DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),
    )
    after = (
        DeliveryOption("STD", Decimal("3.00"), Decimal("0.00")),
        DeliveryOption("TRK", Decimal("5.90"), Decimal("1.00")),
    )
    lines = nested_changes(FieldChange("delivery", before, after))
    assert "REG removed: cost 6.90, additional_cost 2.00" in lines
    assert "STD added: cost 3.00, additional_cost 0.00" in lines
    assert "TRK cost: 4.90 -> 5.90" in lines
    assert len(lines) == 3


def test_nested_changes_are_empty_for_plain_fields():
    assert nested_changes(FieldChange("price", Decimal(1), Decimal(2))) == []


def _mixed_shop(make_offer):
    """Both channels with every kind of outcome: equal, updated, created, live only (one of
    them already withdrawn), an offer equal but for a field live does not state."""
    desired, live = [], []
    for channel in ("cdiscount", "zz"):
        for n in range(8):
            want = make_offer(channel=channel, sku=f"SKU-{n}", stock=10 + n)
            desired.append(want)
            if n == 0:
                continue  # created
            if n in (1, 2):
                live.append(make_offer(channel=channel, sku=want.sku, stock=n))  # updated
            elif n == 3:  # live does not state the stock: not compared, unchanged
                live.append(
                    make_offer(
                        channel=channel, sku=want.sku, stock=None, unknown=frozenset({"stock"})
                    )
                )
            else:
                live.append(want)
        live.append(make_offer(channel=channel, sku="GONE", stock=3))
        live.append(make_offer(channel=channel, sku="WITHDRAWN", stock=0))
    return keyed(*reversed(desired)), keyed(*live)


@pytest.mark.parametrize("manage", [LISTED, ALL])
@pytest.mark.parametrize("target", [Target(), Target(channels=("zz",))])
def test_the_walk_of_all_channels_at_once_equals_the_walk_channel_by_channel(
    make_offer, channels, manage, target
):
    """Without sku globs the desired offers are walked once for every channel, live offers held
    by channel (as the reads give them); with a glob, channel by channel. Same plan."""
    from reconciler.marketplace.live import LiveOffers

    desired, live = _mixed_shop(make_offer)
    by_channel = LiveOffers({})
    for (channel, sku), o in live.items():
        by_channel.channels.setdefault(channel, {})[sku] = o
    globbed = Target(target.channels, ("*",))
    once = diff_offers(channels, desired, by_channel, manage, target)
    assert once == diff_offers(channels, desired, live, manage, target)
    assert once == diff_offers(channels, desired, live, manage, globbed)
    changes, summaries = once
    assert [s.channel for s in summaries] == ["zz"] if target.channels else ["cdiscount", "zz"]
    order = [s.channel for s in summaries]
    assert [(c.channel, c.sku) for c in changes] == sorted(
        ((c.channel, c.sku) for c in changes), key=lambda k: (order.index(k[0]), k[1])
    )
    for summary in summaries:
        # json deletes both live-only offers; xml withdraws GONE, WITHDRAWN is at 0 already
        removed = 0 if manage is LISTED else 2 if summary.channel == "zz" else 1
        counts = (summary.creates, summary.updates, summary.deletes + summary.withdraws)
        assert counts == (1, 2, removed)
        assert summary.unchanged == 5 + (manage is ALL and summary.channel == "cdiscount")
        assert summary.unmanaged == (0 if manage is ALL else 2)
        assert summary.live_offers == 9
