from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from reconciler.catalog.model import DeliveryOption, Offer
from reconciler.channels.json_packages import (
    DELETE,
    UPDATE,
    UPSERT,
    offer_request,
    split_packages,
    upload_batches,
)
from reconciler.plan.diff import field_changes
from reconciler.plan.model import Action, Change
from tests import offers

BASE = offers.offer(
    channel="zz",
    price=Decimal("49.99"),
    stock=12,
    eco_tax=Decimal("0.35"),
    preparation_days=3,
    comment="xml only",
)


def offer(sku: str = "SKU-1", **fields: object) -> Offer:
    return replace(BASE, sku=sku, **fields)  # type: ignore[arg-type]


def update(before: Offer, after: Offer) -> Change:
    return Change("zz", after.sku, Action.UPDATE, before, after, field_changes(before, after))


def test_create_is_an_upsert_with_the_whole_offer_and_nothing_xml_only():
    body = offer_request(Change("zz", "SKU-1", Action.CREATE, None, offer()))
    assert body == {
        "sellerExternalReference": "SKU-1",
        "product": {"gtin": "3760452700039"},
        "condition": "New",
        "price": {
            "price": 49.99,
            "taxes": [
                {"code": "VAT", "value": 20},
                {"code": "Ecotax", "value": 0.35},
            ],
        },
        "deliveryModes": [{"code": "TRK", "cost": 4.9, "additionalCost": 1}],
        "preparationTime": 3,
        "quantity": 12,
    }


def test_update_sends_only_what_changed_but_whole_tax_and_delivery_lists():
    before = offer()
    assert offer_request(update(before, offer(stock=3))) == {
        "sellerExternalReference": "SKU-1",
        "quantity": 3,
    }
    body = offer_request(update(before, offer(eco_tax=Decimal("0.50"))))
    assert body["price"]["taxes"][1] == {"code": "Ecotax", "value": 0.5}
    assert len(body["price"]["taxes"]) == 2
    two = (
        DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),
        DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),
    )
    body = offer_request(update(before, offer(delivery=two)))
    assert [d["code"] for d in body["deliveryModes"]] == ["REG", "TRK"]
    assert set(body) == {"sellerExternalReference", "deliveryModes"}


def test_vat_and_ecotax_always_go_and_dea_only_when_not_zero():
    def codes(**fields: object) -> dict[str, object]:
        body = offer_request(Change("zz", "SKU-1", Action.CREATE, None, offer(**fields)))
        return {t["code"]: t["value"] for t in body["price"]["taxes"]}  # type: ignore[index]

    assert codes(eco_tax=Decimal("0")) == {"VAT": 20, "Ecotax": 0}
    assert codes(dea_tax=Decimal("0.50")) == {"VAT": 20, "Ecotax": 0.35, "DEA": 0.5}
    cleared = offer_request(update(offer(dea_tax=Decimal("0.50")), offer()))
    assert [t["code"] for t in cleared["price"]["taxes"]] == ["VAT", "Ecotax"]  # type: ignore[index]


def test_delete_is_the_reference_alone():
    change = Change("zz", "SKU-1", Action.DELETE, offer(), None)
    assert offer_request(change) == {"sellerExternalReference": "SKU-1"}


def test_one_type_per_package_and_limits_per_package_and_per_upload():
    creates = [Change("zz", f"N{i}", Action.CREATE, None, offer(f"N{i}")) for i in range(5)]
    updates = [update(offer("U"), offer("U", stock=1))]
    deletes = [Change("zz", "D", Action.DELETE, offer("D"), None)]
    packages = split_packages(updates + creates + deletes, max_offers=3)
    assert [(p.package_type, len(p.changes)) for p in packages] == [
        (UPSERT, 3),
        (UPSERT, 2),
        (UPDATE, 1),
        (DELETE, 1),
    ]
    assert [len(b) for b in upload_batches(packages[0], size=2)] == [2, 1]


def test_a_body_is_compact_json():
    body = offer_request(Change("zz", "SKU-1", Action.CREATE, None, offer()))
    assert "Decimal" not in json.dumps(body)
