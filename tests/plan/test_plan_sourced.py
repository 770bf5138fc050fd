"""Plans of catalogs whose stock or price the catalog does not own: what creates and updates
send, where values came from, the zeroed-stock guard, and the JSON round trip of it all."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from reconciler.clock import PARIS
from reconciler.errors import CatalogInvalid, Location
from reconciler.plan.build import build_plan
from reconciler.plan.model import Action
from reconciler.plan.serialize import dump_plan, plan_from_dict
from reconciler.plan.sourced import source_drift
from reconciler.sources import Merge
from reconciler.sources.model import Feed, Missing, Ownership, Row, Source
from tests.offers import MARKETPLACE_ZZ, offer
from tests.offers import catalog as offers_catalog

NOW = datetime(2027, 3, 1, 12, tzinfo=PARIS)
ERP = Source("erp-stock", "csv", "exports/stock.csv", "sku", {"stock": "qty"})


def fed(stocks: dict[str, int], missing: Missing = Missing.KEEP) -> Merge:
    source = replace(ERP, missing=missing)
    rows = {sku: Row(n + 2, {"stock": qty}) for n, (sku, qty) in enumerate(stocks.items())}
    feed = Feed(source, rows, fingerprint="f" * 16)
    return Merge(Ownership({"stock": "erp-stock"}), {"erp-stock": feed})


def zz(**changes):
    return offer(channel="marketplace-zz", **changes)


def plan_of(desired, live, merge):
    catalog = offers_catalog(
        desired,
        channels={"marketplace-zz": MARKETPLACE_ZZ},
        merge=merge,
        origins={o.key: Location("offers/shop.yaml", 3, 5) for o in desired},
    )
    return catalog, build_plan(catalog, {o.key: o for o in live}, NOW)


def test_an_update_names_the_row_its_value_came_from():
    _, plan = plan_of([zz(sku="A", stock=4)], [zz(sku="A", stock=12)], fed({"A": 4}))
    (change,) = plan.changes
    assert [(f.field, f.before, f.after, f.source) for f in change.fields] == [
        ("stock", 12, 4, "erp-stock, row 2")
    ]
    assert plan.sources[0].name == "erp-stock" and plan.sources[0].rows == 1


def test_an_unknown_stock_is_never_compared_and_an_update_sends_the_live_one():
    desired = zz(sku="A", stock=None, price=Decimal("9.99"), unknown=frozenset({"stock"}))
    _, plan = plan_of([desired], [zz(sku="A", stock=3)], fed({}))
    (change,) = plan.changes
    assert change.changed_fields == {"price"}
    assert change.after.stock == 3 and change.after.unknown == frozenset()


def test_a_create_without_stock_is_created_at_zero_and_noted():
    desired = zz(sku="NEW", stock=None, unknown=frozenset({"stock"}))
    _, plan = plan_of([desired], [], fed({}))
    (change,) = plan.changes
    assert change.action is Action.CREATE
    assert change.after.stock == 0 and change.after.unknown == frozenset()
    assert any("1 offer(s) created with stock 0" in note for note in plan.notes)


def test_a_create_without_price_is_an_error_at_the_offer():
    desired = zz(sku="NEW", price=None, unknown=frozenset({"price"}))
    with pytest.raises(CatalogInvalid) as raised:
        plan_of([desired], [], fed({"NEW": 3}))
    (problem,) = raised.value.problems
    assert str(problem.location) == "offers/shop.yaml:3:5"
    assert "has no price to be created with" in problem.message


def test_a_feed_zeroing_too_many_offers_trips_the_guard():
    skus = [f"S{i}" for i in range(10)]
    live = [zz(sku=s, stock=5) for s in skus]
    desired = [zz(sku=s, stock=0 if i < 3 else 5) for i, s in enumerate(skus)]
    stocks = {s: (0 if i < 3 else 5) for i, s in enumerate(skus)}
    _, plan = plan_of(desired, live, fed(stocks))
    (guard,) = plan.guards
    assert guard.guard == "max_stock_zeroed_percent"
    assert guard.message.startswith("3 of 10 live offers set to stock 0 by a source (30.0%)")
    # The same zeroes written in the offers files were reviewed in git: not this guard's job.
    assert plan_of(desired, live, None)[1].guards == ()
    # Two zeroed (20%) is within the default limit.
    stocks["S2"] = 5
    desired[2] = zz(sku="S2", stock=5)
    assert plan_of(desired, live, fed(stocks))[1].guards == ()


def test_the_json_plan_keeps_sources_and_rows():
    _, plan = plan_of([zz(sku="A", stock=4)], [zz(sku="A", stock=12)], fed({"A": 4}))
    again = plan_from_dict(json.loads(dump_plan(plan)))
    assert again == plan


def test_a_source_that_moved_makes_the_saved_plan_stale_only_when_its_values_did():
    catalog, plan = plan_of([zz(sku="A", stock=4)], [zz(sku="A", stock=12)], fed({"A": 4}))
    same = replace(catalog, merge=fed({"A": 4, "OTHER": 7}))
    assert source_drift(plan, same) == []
    moved = replace(
        catalog, merge=fed({"A": 3}), offers={("marketplace-zz", "A"): zz(sku="A", stock=3)}
    )
    assert source_drift(plan, moved) == [
        "source erp-stock (exports/stock.csv) changed since the plan: "
        "marketplace-zz/A stock 4 in the plan, 3 now"
    ]
