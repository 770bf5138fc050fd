"""Live offers read from the sandbox into the normal form the catalog side uses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from reconciler.catalog import load_catalog
from reconciler.catalog.model import (
    Condition,
    DeliveryOption,
    Discount,
    OperationKind,
    Packaging,
    PriceAlignment,
)
from reconciler.clock import PARIS
from reconciler.errors import CatalogInvalid, MarketplaceUnreachable
from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.live import (
    check_delivery_modes,
    offer_from_wire,
    read_channel,
    read_live_offers,
)
from tests.offers import CDISCOUNT
from tests.offers import MARKETPLACE_ZZ as ZZ

EVERYTHING = {
    "comment": "Livré sous 48h",
    "strikedPrice": {"price": 24.99},
    "priceAlignment": {"align": True, "minimumPrice": 15},
    "packaging": {"unit": "Kilogram", "value": 0.5},
    "taxes": [
        {"code": "VAT", "value": 5.5},
        {"code": "Ecotax", "value": 0.1},
        {"code": "DEA", "value": 1},
    ],
    "deliveryModes": [
        {"code": "TRK", "cost": 4.9, "additionalCost": 1},
        {"code": "REG", "cost": 6.9, "additionalCost": 2},
    ],
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


def test_every_field_of_a_live_offer_reaches_the_normal_form(sandbox, connect, wire_offer):
    sandbox.seed_offers([wire_offer(1, condition="Refurbished", **EVERYTHING)])
    live = read_live_offers(connect(sandbox), [CDISCOUNT, ZZ])
    offer = live["cdiscount", "SKU-0001"]
    assert offer.price == Decimal("19.99") and offer.stock == 5
    assert offer.condition is Condition.REFURBISHED
    assert (offer.vat, offer.eco_tax, offer.dea_tax) == (
        Decimal("5.50"),
        Decimal("0.10"),
        Decimal("1.00"),
    )
    assert offer.delivery == (
        DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),
        DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),
    )
    assert offer.comment == "Livré sous 48h"
    assert offer.striked_price == Decimal("24.99")
    assert offer.price_alignment == PriceAlignment(True, Decimal("15.00"))
    assert offer.packaging == Packaging("Kilogram", Decimal("0.50"))
    [discount] = offer.discounts
    assert discount == Discount(
        datetime(2027, 1, 7, 8, tzinfo=PARIS),
        datetime(2027, 2, 3, 23, 59, tzinfo=PARIS),
        OperationKind.SALES,
        30,
        Decimal("39.99"),
    )
    assert discount.start.tzinfo is PARIS  # same zone as the desired side: same fingerprint


def test_neutral_values_when_nodes_are_absent(sandbox, connect, wire_offer):
    sandbox.seed_offers([wire_offer(2, channel="SELLZZ")])
    offer = read_live_offers(connect(sandbox), [CDISCOUNT, ZZ])["marketplace-zz", "SKU-0002"]
    assert (offer.comment, offer.striked_price, offer.price_alignment, offer.packaging) == (
        "",
        None,
        None,
        None,
    )
    assert offer.discounts == () and offer.dea_tax == Decimal("0.00")


def test_channels_are_kept_apart_and_all_pages_read(sandbox, connect, wire_offer):
    sandbox.seed_offers(
        [wire_offer(n) for n in range(7)] + [wire_offer(n, channel="SELLZZ") for n in range(3)]
    )
    seen: list[tuple[str, int]] = []
    live = read_live_offers(
        connect(sandbox), [CDISCOUNT, ZZ], lambda ch, n: seen.append((ch, n)), page_size=3
    )
    assert sum(1 for ch, _ in live if ch == "cdiscount") == 7
    assert sum(1 for ch, _ in live if ch == "marketplace-zz") == 3
    assert ("cdiscount", 7) in seen and ("marketplace-zz", 3) in seen


def test_the_tax_variant_of_one_client_means_the_same_rate(wire_offer):
    item = wire_offer(3, taxes=[{"code": "vat", "type": "Rate", "value": Decimal("0.2")}])
    assert offer_from_wire(item, "cdiscount").vat == Decimal("20.00")


def test_an_item_missing_what_every_offer_has_is_an_unparseable_answer(sandbox):
    sandbox.put_blob("offers", b'{"items": [{"sellerExternalReference": "X"}]}')
    credentials = Credentials(sandbox.client_id, sandbox.client_secret)
    # The API base is the blob store: GET /offers answers the blob, auth stays real.
    with (
        MarketplaceClient(
            f"{sandbox.base_url}/sandbox/blobs", sandbox.auth_url, credentials, sandbox.seller_id
        ) as client,
        pytest.raises(MarketplaceUnreachable) as caught,
    ):
        read_channel(client, CDISCOUNT)
    assert (
        "unusable answer to GET /offers (CDISFR): page 1, offer 1 (X): product.gtin is missing"
        in str(caught.value)
    )


CATALOG = """\
seller_id: 98979
marketplace: {sandbox: embedded}
channels:
  cdiscount: {id: CDISFR, submission: xml}
defaults:
  vat: 20
  preparation_days: 2
  delivery:
    - {mode: TRK, cost: 4.90, additional_cost: 1.00}
"""
OFFERS = """\
offers:
  - sku: A
    gtin: "3760452700015"
    price: 10
    stock: 1
  - sku: B
    gtin: "3760452700022"
    price: 10
    stock: 1
    delivery:
      - {mode: REG, cost: 6.90, additional_cost: 2.00}
"""


def test_a_delivery_mode_the_seller_lacks_is_a_catalog_error(sandbox_factory, connect, tmp_path):
    (tmp_path / "offers").mkdir()
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    (tmp_path / "offers" / "shop.yaml").write_text(OFFERS)
    catalog = load_catalog(tmp_path)
    market = sandbox_factory(delivery_modes=["TRK", "STD"])
    with pytest.raises(CatalogInvalid) as caught:
        check_delivery_modes(connect(market), catalog)
    [problem] = caught.value.problems
    assert problem.location.file.endswith("shop.yaml") and problem.location.line == 6
    assert problem.location.field == "delivery"
    assert (
        "delivery mode REG is not configured for seller 98979 on channel cdiscount "
        "(configured: STD, TRK)" in str(problem)
    )
    assert caught.value.exit_code == 4
    check_delivery_modes(connect(sandbox_factory()), catalog)  # all configured: no error


def test_delivery_modes_are_checked_against_each_channels_own_list(
    sandbox_factory, connect, tmp_path
):
    (tmp_path / "offers").mkdir()
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    (tmp_path / "offers" / "shop.yaml").write_text(OFFERS)
    catalog = load_catalog(tmp_path)
    # REG is configured for the seller, but not on Cdiscount: the seller-wide list would pass
    channels = [
        {"id": "CDISFR", "submissions": ["xml", "json"], "delivery_modes": ["TRK", "STD"]},
        {"id": "SELLZZ", "submissions": ["json"]},
    ]
    market = sandbox_factory(channels=channels)
    with pytest.raises(CatalogInvalid) as caught:
        check_delivery_modes(connect(market), catalog)
    [problem] = caught.value.problems
    assert "delivery mode REG is not configured for seller 98979 on channel cdiscount" in str(
        problem
    )


def test_channels_read_in_parallel_share_one_governor_under_429(
    sandbox_factory, connect, wire_offer
):
    market = sandbox_factory(rate_limit={"per_second": 5, "burst": 2})
    market.seed_offers(
        [wire_offer(n) for n in range(9)] + [wire_offer(n, channel="SELLZZ") for n in range(9)]
    )
    client = connect(market, calls_per_second=100, burst=100)
    live = read_live_offers(client, [CDISCOUNT, ZZ], page_size=3)
    assert len(live) == 18
    assert client.governor.retries >= 1  # throttled, waited, and nothing was lost
