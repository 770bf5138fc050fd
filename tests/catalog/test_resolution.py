"""Resolution: defaults, then the offer, then overrides[channel]; channels; inactive; json."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reconciler.catalog import check_catalog, load_catalog
from reconciler.catalog.model import (
    Condition,
    DeliveryOption,
    OperationSelector,
    Packaging,
    PriceAlignment,
)
from reconciler.errors import CatalogInvalid, Location
from reconciler.resources import DEMO_CATALOG

SETTINGS = """\
seller_id: 98979
marketplace: {sandbox: embedded}
channels:
  cdiscount: {id: CDISFR, submission: xml, publication_pools: [1]}
  marketplace-zz: {id: SELLZZ, submission: json}
defaults:
  condition: like_new
  vat: 20
  eco_tax: 0.10
  preparation_days: 3
  delivery:
    - {mode: TRK, cost: 4.90, additional_cost: 1.00}
    - {mode: REG, cost: 6.9, additional_cost: 2}
manage: all
guards: {max_price_change_percent: 25, min_existing_offers: 5}
"""
OFFERS = """\
offers:
  - sku: A
    gtin: "3760452700015"
    price: 19.9
    stock: 5
    comment: "Fragile"
    striked_price: 24.99
    price_alignment: {align: true, minimum_price: 15}
    packaging: {unit: Kilogram, value: 0.125}
    tags: [summer, tshirts]
    overrides:
      marketplace-zz: {price: 21.99, vat: 5.5, delivery: [{mode: STD, cost: 0, additional_cost: 0}]}
      cdiscount: {stock: 2}
  - sku: B
    gtin: "3760452700022"
    price: 10
    stock: 7
    status: inactive
    condition: refurbished
    channels: [marketplace-zz]
"""


@pytest.fixture()
def catalog(tmp_path: Path):
    (tmp_path / "catalog.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "offers").mkdir()
    (tmp_path / "offers" / "all.yaml").write_text(OFFERS, encoding="utf-8")
    return load_catalog(tmp_path)


def test_defaults_then_offer_then_override(catalog) -> None:
    xml = catalog.offers["cdiscount", "A"]
    assert (xml.price, xml.stock, xml.vat, xml.eco_tax) == (
        Decimal("19.90"),
        2,  # the cdiscount override
        Decimal("20.00"),
        Decimal("0.10"),
    )
    assert xml.condition is Condition.LIKE_NEW
    assert xml.preparation_days == 3
    assert xml.delivery == (
        DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),
        DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),
    )
    json = catalog.offers["marketplace-zz", "A"]
    assert (json.price, json.stock, json.vat) == (Decimal("21.99"), 5, Decimal("5.50"))
    assert json.delivery == (DeliveryOption("STD", Decimal("0.00"), Decimal("0.00")),)


def test_xml_only_fields_reach_xml_channels_and_are_neutral_on_json(catalog) -> None:
    xml = catalog.offers["cdiscount", "A"]
    assert xml.comment == "Fragile"
    assert xml.striked_price == Decimal("24.99")
    assert xml.price_alignment == PriceAlignment(True, Decimal("15.00"))
    assert xml.packaging == Packaging("Kilogram", Decimal("0.125"))
    json = catalog.offers["marketplace-zz", "A"]
    assert (json.comment, json.striked_price, json.price_alignment, json.packaging) == (
        "",
        None,
        None,
        None,
    )


def test_channels_restrict_and_inactive_means_stock_zero(catalog) -> None:
    assert ("cdiscount", "B") not in catalog.offers
    offer = catalog.offers["marketplace-zz", "B"]
    assert offer.stock == 0
    assert offer.condition is Condition.REFURBISHED


def test_catalog_settings_tags_origins_and_hash(catalog, tmp_path: Path) -> None:
    assert catalog.seller_id == 98979
    assert catalog.channels["cdiscount"].publication_pools == (1,)
    assert catalog.manage.value == "all"
    assert catalog.guards.max_price_change_percent == Decimal(25)
    assert catalog.guards.max_update_percent == Decimal(30)
    assert catalog.guards.min_existing_offers == 5
    assert type(catalog.guards.min_existing_offers) is int
    assert catalog.marketplace.sandbox == "embedded"
    assert catalog.package_store is None
    assert catalog.tags == {"A": frozenset({"summer", "tshirts"})}
    origin = catalog.origins["marketplace-zz", "B"]
    assert (origin.file, origin.line, origin.column, origin.field) == (
        str(tmp_path / "offers" / "all.yaml"),
        14,
        5,
        "offers[1]",
    )
    assert len(catalog.content_hash) == 64


def test_content_hash_follows_every_byte(tmp_path: Path, catalog) -> None:
    before = catalog.content_hash
    assert load_catalog(tmp_path).content_hash == before
    path = tmp_path / "offers" / "all.yaml"
    path.write_text(OFFERS.replace("stock: 7", "stock: 8"), encoding="utf-8")
    assert load_catalog(tmp_path).content_hash != before


def test_a_needed_field_missing_from_offer_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "seller_id: 1\nmarketplace: {sandbox: embedded}\n"
        "channels: {zz: {id: SELLZZ, submission: json}}\n",
        encoding="utf-8",
    )
    (tmp_path / "offers").mkdir()
    (tmp_path / "offers" / "a.yaml").write_text(
        'offers:\n  - {sku: A, gtin: "3760452700015", price: 1, stock: 1, vat: 20}\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path}/offers/a.yaml:2:5: offers[0]: preparation_days, delivery not set: "
        "give it on the offer or in defaults of catalog.yaml"
    ]


def test_an_override_below_taxes_points_at_the_override(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "offers").mkdir()
    low = OFFERS.replace("price: 21.99, vat", "price: 0.05, vat")
    (tmp_path / "offers" / "all.yaml").write_text(low, encoding="utf-8")
    catalog, problems = check_catalog(tmp_path)
    assert catalog is None
    assert [str(p) for p in problems] == [
        f"{tmp_path}/offers/all.yaml:12:31: offers[0].overrides.marketplace-zz.price: "
        "price 0.05 is below eco_tax + dea_tax (0.10)"
    ]


def test_demo_catalog_resolves() -> None:
    catalog = load_catalog(DEMO_CATALOG)
    assert len(catalog.offers) == 40  # 21 offers, two on cdiscount only
    assert catalog.offers["marketplace-zz", "TSHIRT-RED-M"].price == Decimal("21.99")
    assert catalog.offers["cdiscount", "TSHIRT-RED-M"].price == Decimal("19.99")
    sofa = catalog.offers["cdiscount", "SOFA-3P-LINEN"]
    assert [d.mode for d in sofa.delivery] == ["LV2"]
    assert catalog.offers["cdiscount", "SWIMSHORT-BLUE-M"].stock == 0
    assert [op.name for op in catalog.operations] == ["soldes-hiver-2027"]
    assert "winter" in catalog.tags["PARKA-BLACK-M"]


def _with_operation(tmp_path: Path, start: str) -> Path:
    (tmp_path / "catalog.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "offers").mkdir()
    (tmp_path / "offers" / "all.yaml").write_text(OFFERS, encoding="utf-8")
    (tmp_path / "operations").mkdir()
    (tmp_path / "operations" / "flash.yaml").write_text(
        "operations:\n  - name: flash\n    kind: flash_sale\n    channel: cdiscount\n"
        f"    start: {start}\n    end: 2027-03-02T08:00:00+01:00\n"
        "    discount_percent: 15.0\n    offers: {tags: [summer]}\n",
        encoding="utf-8",
    )
    return tmp_path


def test_an_operation_without_offset_is_paris_time(tmp_path: Path) -> None:
    catalog = load_catalog(_with_operation(tmp_path, "2027-03-01 09:00:00"))
    [operation] = catalog.operations
    assert operation.start == datetime(2027, 3, 1, 9, tzinfo=ZoneInfo("Europe/Paris"))
    assert operation.start.utcoffset() == timedelta(hours=1)
    assert operation.discount_percent == 15 and type(operation.discount_percent) is int
    assert operation.selector == OperationSelector(skus=(), tags=("summer",))
    assert operation.location == Location(
        str(tmp_path / "operations" / "flash.yaml"), 2, 5, "operations[0]"
    )


def test_an_impossible_date_is_located(tmp_path: Path) -> None:
    _, problems = check_catalog(_with_operation(tmp_path, "2027-02-30T08:00:00+01:00"))
    assert [str(p) for p in problems] == [
        f"{tmp_path}/operations/flash.yaml:5:12: operations[0].start: is not a valid date and "
        'time (got "2027-02-30T08:00:00+01:00")'
    ]
