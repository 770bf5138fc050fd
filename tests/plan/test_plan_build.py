from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from reconciler.catalog.model import (
    Catalog,
    CommercialOperation,
    OperationKind,
    OperationSelector,
)
from reconciler.clock import PARIS
from reconciler.plan.build import build_plan
from reconciler.plan.diff import Target
from reconciler.plan.model import Action
from reconciler.plan.serialize import compute_plan_hash
from tests.offers import catalog as offers_catalog
from tests.offers import winter_sale

NOW = datetime(2027, 3, 1, 12, tzinfo=PARIS)
ENDED = winter_sale(reference_price=Decimal("19.99"))


def catalog(channels, offers, operations=()) -> Catalog:
    return offers_catalog(
        offers, channels=channels, operations=tuple(operations), content_hash="h" * 64
    )


def test_an_ended_operation_is_neither_sent_nor_shown(make_offer, channels):
    desired = make_offer()
    ended = CommercialOperation(
        name="soldes",
        kind=OperationKind.SALES,
        channel="cdiscount",
        start=ENDED.start,
        end=ENDED.end,
        discount_percent=30,
        selector=OperationSelector(skus=("SKU-1",)),
    )
    live = replace(desired, discounts=(ENDED,))  # the marketplace still lists it
    plan = build_plan(catalog(channels, [desired], [ended]), {live.key: live}, NOW)
    assert plan.changes == ()
    assert plan.channels[0].unchanged == 1


def test_a_running_operation_reaches_the_desired_offer(make_offer, channels):
    desired = make_offer()
    running = CommercialOperation(
        name="flash",
        kind=OperationKind.FLASH_SALE,
        channel="cdiscount",
        start=datetime(2027, 3, 1, 8, tzinfo=PARIS),
        end=datetime(2027, 3, 2, 8, tzinfo=PARIS),
        discount_percent=20,
        selector=OperationSelector(skus=("SKU-1",)),
    )
    plan = build_plan(catalog(channels, [desired], [running]), {desired.key: desired}, NOW)
    [change] = plan.changes
    assert change.action is Action.UPDATE and [f.field for f in change.fields] == ["discounts"]
    assert change.after.discounts[0].percent == 20


def test_plan_carries_hash_time_target_and_the_xml_only_note(make_offer, channels):
    on_xml = make_offer(comment="Livré sous 48h")
    on_json = make_offer(channel="zz")
    plan = build_plan(catalog(channels, [on_xml, on_json]), {}, NOW, Target(skus=("SKU-*",)))
    assert plan.created_at == "2027-03-01T11:00:00Z"
    assert plan.catalog_hash == "h" * 64
    assert plan.target == {"skus": ["SKU-*"]}
    assert plan.plan_hash == compute_plan_hash(plan)
    [note] = plan.notes
    assert "json channel zz does not receive them (1 offer(s)" in note
