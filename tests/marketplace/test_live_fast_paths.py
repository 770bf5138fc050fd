"""The fast way live offers are read (orjson floats, shared tax and delivery lists, prices
remembered) gives exactly the offers the exact way (Decimal from the JSON text) gives."""

from __future__ import annotations

import json
from decimal import Decimal

import orjson
import pytest

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace import items as item_reader
from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.live import offer_from_wire, read_live_offers
from reconciler.marketplace.live import read_channel as read_one
from tests.offers import CDISCOUNT
from tests.offers import MARKETPLACE_ZZ as ZZ

EVERYTHING = {
    "comment": "Livré sous 48h",
    "strikedPrice": {"price": 24.99},
    "priceAlignment": {"align": True, "minimumPrice": 15},
    "packaging": {"unit": "Kilogram", "value": 0.5},
    "commercialOperations": [
        {
            "type": "Sales",
            "discountPercent": 30,
            "salesReferencePrice": 39.99,
            "startDate": "2027-01-07T07:00:00+00:00",
            "endDate": "2027-02-03T23:59:00+01:00",
        }
    ],
}

AMOUNTS = ["0", "0.1", "0.10", "4.9", "19.99", "20", "20.0", "0.005", "0.015", "1234567.89"]


def _items(wire_offer) -> list[dict]:
    items = []
    for n, amount in enumerate(AMOUNTS):
        value = json.loads(amount)
        items.append(
            wire_offer(
                n,
                integrationPrice={"price": value},
                taxes=[
                    {"code": "VAT", "value": value},
                    {"code": "Ecotax", "value": value},
                    {"code": "DEA", "value": n},
                ],
                deliveryModes=[{"code": "TRK", "cost": value, "additionalCost": 1}],
                **(EVERYTHING if n % 3 == 0 else {}),
            )
        )
        items[-1].pop("taxes") if n == 4 else None  # a missing node means "none"
    return items


def test_floats_from_orjson_give_the_offers_exact_decimals_give(wire_offer):
    page = json.dumps({"items": _items(wire_offer)}).encode()
    exact = json.loads(page, parse_float=Decimal)["items"]
    fast = orjson.loads(page)["items"]
    assert [offer_from_wire(i, "cdiscount") for i in fast] == [
        offer_from_wire(i, "cdiscount") for i in exact
    ]
    by_amount = {o.sku: o.price for o in (offer_from_wire(i, "c") for i in fast)}
    assert by_amount["SKU-0007"] == Decimal("0.00")  # 0.005: half to even, as before
    assert by_amount["SKU-0008"] == Decimal("0.02")  # 0.015: half to even, as before
    assert str(by_amount["SKU-0005"]) == "20.00"


def test_offers_with_different_tax_or_delivery_lists_never_share_them(wire_offer):
    items = orjson.loads(json.dumps(_items(wire_offer)))
    read = [offer_from_wire(i, "c") for i in items]
    again = [offer_from_wire(i, "c") for i in reversed(items)][::-1]
    assert read == again
    assert len({o.eco_tax for o in read}) > 5 and len({o.delivery for o in read}) > 5


def test_a_full_memory_of_shared_lists_is_forgotten_not_wrong(wire_offer, monkeypatch):
    monkeypatch.setattr(item_reader._Shared, "LIMIT", 2)
    monkeypatch.setattr(item_reader._shared_taxes, "known", {})
    monkeypatch.setattr(item_reader._shared_delivery, "known", {})
    items = orjson.loads(json.dumps(_items(wire_offer)))
    first = [offer_from_wire(i, "c") for i in items]
    assert [offer_from_wire(i, "c") for i in items] == first
    assert 0 < len(item_reader._shared_taxes.known) <= 2
    assert 0 < len(item_reader._shared_delivery.known) <= 2


def test_a_broken_page_is_an_unparseable_answer(sandbox):
    sandbox.put_blob("offers", b'{"items": [ {"sellerExternalReference": ')
    credentials = Credentials(sandbox.client_id, sandbox.client_secret)
    # The API base is the blob store: GET /offers answers the blob, auth stays real.
    with (
        MarketplaceClient(
            f"{sandbox.base_url}/sandbox/blobs", sandbox.auth_url, credentials, sandbox.seller_id
        ) as client,
        pytest.raises(
            MarketplaceUnreachable, match=r"unparseable answer to GET /offers \(CDISFR\)"
        ),
    ):
        read_one(client, CDISCOUNT)


def test_offers_read_over_http_keep_their_exact_amounts(sandbox, connect, wire_offer):
    prices = [Decimal(f"{n}.{n % 100:02d}") + 1 for n in range(40)]
    sandbox.seed_offers(
        [wire_offer(n, integrationPrice={"price": float(p)}) for n, p in enumerate(prices)]
        + [wire_offer(n, channel="SELLZZ", **EVERYTHING) for n in range(30)]
    )
    first = read_live_offers(connect(sandbox), [CDISCOUNT, ZZ], page_size=7)
    assert [first["cdiscount", f"SKU-{n:04d}"].price for n in range(40)] == prices
    assert first == read_live_offers(connect(sandbox), [CDISCOUNT, ZZ], page_size=1000)
    assert len(first) == 70


def test_offers_of_one_sale_share_its_discounts_and_a_text_percent_is_not_taken_for_one(
    wire_offer,
):
    sale = EVERYTHING["commercialOperations"]
    items = orjson.loads(json.dumps([wire_offer(n, commercialOperations=sale) for n in range(3)]))
    read = [offer_from_wire(i, "c") for i in items]
    assert read[0].discounts is read[1].discounts is read[2].discounts
    assert read[0].discounts[0].percent == 30
    other = [{**sale[0], "discountPercent": 40}]
    apart = offer_from_wire(wire_offer(9, commercialOperations=other), "c")
    assert apart.discounts[0].percent == 40 and read[0].discounts[0].percent == 30
    # a percent the exact decoder gives as a Decimal, then the same digits as text: the text
    # is not a whole number, so the item is unusable, whatever was read before it
    exact = [{**sale[0], "discountPercent": Decimal("25.0")}]
    assert (
        offer_from_wire(wire_offer(10, commercialOperations=exact), "c").discounts[0].percent == 25
    )
    text = [{**sale[0], "discountPercent": "25.0"}]
    with pytest.raises(ValueError):
        offer_from_wire(wire_offer(11, commercialOperations=text), "c")
