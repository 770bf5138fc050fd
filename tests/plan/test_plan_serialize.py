from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from reconciler.catalog.model import (
    Discount,
    Guards,
    ManagePolicy,
    OperationKind,
    Packaging,
    PriceAlignment,
)
from reconciler.clock import PARIS
from reconciler.plan.diff import Target, diff_offers
from reconciler.plan.guards import check_guards
from reconciler.plan.model import Plan
from reconciler.plan.serialize import (
    PlanUnreadable,
    compute_plan_hash,
    dump_plan,
    load_plan,
    offer_fingerprint,
    plan_from_dict,
    plan_to_dict,
)


@pytest.fixture
def plan(make_offer, channels) -> Plan:
    rich = make_offer(
        sku="RICH",
        comment="Livré",
        striked_price=Decimal("24.99"),
        price_alignment=PriceAlignment(True, None),
        packaging=Packaging("Liter", Decimal("1.50")),
        discounts=(
            Discount(
                datetime(2027, 1, 7, 8, tzinfo=PARIS),
                datetime(2027, 1, 8, 8, tzinfo=PARIS),
                OperationKind.FLASH_SALE,
                20,
            ),
        ),
    )
    desired = {o.key: o for o in [rich, make_offer(sku="NEW"), make_offer(channel="zz")]}
    live = {
        o.key: o
        for o in [
            make_offer(sku="RICH", price=Decimal("99.00")),
            make_offer(sku="GONE"),
            make_offer(channel="zz", sku="GONE"),
        ]
    }
    changes, summaries = diff_offers(channels, desired, live, ManagePolicy.ALL, Target())
    made = Plan(
        seller_id=98979,
        catalog_hash="abc",
        created_at="2026-11-25T09:00:00Z",
        channels=summaries,
        changes=changes,
        guards=check_guards(Guards(), summaries, changes),
        notes=("a note",),
        target={"skus": ["*"]},
    )
    return replace(made, plan_hash=compute_plan_hash(made))


def test_plan_round_trips_exactly_through_json(plan):
    assert {c.action.value for c in plan.changes} == {"create", "update", "delete", "withdraw"}
    text = json.dumps(plan_to_dict(plan))
    assert plan_from_dict(json.loads(text)) == plan


def test_money_travels_as_strings(plan):
    data = plan_to_dict(plan)
    update = next(c for c in data["changes"] if c["action"] == "update")
    price = next(f for f in update["fields"] if f["field"] == "price")
    assert (price["before"], price["after"]) == ("99.00", "19.99")
    assert data["format_version"] == 1 and data["blocked"] is True


def test_plan_hash_ignores_creation_time_but_not_content(plan):
    later = replace(plan, created_at="2030-01-01T00:00:00Z")
    assert compute_plan_hash(later) == plan.plan_hash
    other = replace(plan, catalog_hash="def")
    assert compute_plan_hash(other) != plan.plan_hash


def test_fingerprint_is_stable_and_sensitive(make_offer):
    assert offer_fingerprint(make_offer()) == offer_fingerprint(make_offer())
    assert offer_fingerprint(make_offer()) != offer_fingerprint(make_offer(stock=24))


def test_saved_plan_loads_back(plan, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(plan))
    assert load_plan(str(path)) == plan


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"format_version": 2}', "found format_version 2"),
        ('{"format_version": 1, "changes": []}', "damaged"),
    ],
)
def test_unreadable_plans_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(PlanUnreadable, match=message):
        load_plan(str(path))


def test_missing_plan_file_is_named(tmp_path):
    with pytest.raises(PlanUnreadable, match="cannot read plan"):
        load_plan(str(tmp_path / "nope.json"))


def test_streamed_json_is_the_plan_dict_one_change_per_line(plan):
    text = dump_plan(plan)
    assert json.loads(text) == plan_to_dict(plan)
    change_lines = [line for line in text.splitlines() if line.startswith('    {"channel"')]
    assert len(change_lines) == len(plan.changes)


def test_a_plan_without_changes_streams_valid_json(plan):
    empty = replace(plan, changes=(), guards=())
    assert plan_from_dict(json.loads(dump_plan(empty))) == empty
