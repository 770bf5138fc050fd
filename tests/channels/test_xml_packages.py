from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from reconciler.catalog.model import (
    DeliveryOption,
    Discount,
    Offer,
    OperationKind,
    Packaging,
    PriceAlignment,
    SalesChannel,
    Submission,
)
from reconciler.channels.xml_packages import (
    FULL,
    STOCK_AND_PRICE,
    build_zip,
    render_offers_xml,
    split_packages,
)
from reconciler.plan.model import Action, Change, FieldChange
from tests import offers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cdiscount-xml"
NS = (
    "{clr-namespace:Cdiscount.Service.OfferIntegration.Pivot;"
    "assembly=Cdiscount.Service.OfferIntegration}"
)
CHANNEL = offers.CDISCOUNT


BASE = offers.offer(
    sku="SKU-001",
    gtin="3606918243767",
    price=Decimal("89.90"),
    stock=12,
    delivery=(
        DeliveryOption("STD", Decimal("2.99"), Decimal("1.00")),
        DeliveryOption("TRK", Decimal("4.99"), Decimal("1.00")),
    ),
)


def offer(sku: str = "SKU-001", **fields: object) -> Offer:
    return replace(BASE, sku=sku, **fields)  # type: ignore[arg-type]


def create(o: Offer) -> Change:
    return Change(o.channel, o.sku, Action.CREATE, None, o)


def update(before: Offer, after: Offer, *names: str) -> Change:
    fields = tuple(FieldChange(n, getattr(before, n), getattr(after, n)) for n in names)
    return Change(after.channel, after.sku, Action.UPDATE, before, after, fields, "fp")


def parse(package, channel=CHANNEL) -> etree._Element:
    data = build_zip(package, channel)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == [
            "Content/Offers.xml",
            "[Content_Types].xml",
            "_rels/.rels",
        ]
        rels = etree.fromstring(archive.read("_rels/.rels"))
        assert rels[0].get("Target") == "/Content/Offers.xml"
        return etree.fromstring(archive.read("Content/Offers.xml"))


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / "Offers.xsd")))


def rich_offer() -> Offer:
    sale = offers.winter_sale(reference_price=Decimal("100.00"))
    return offer(
        striked_price=Decimal("119.00"),
        comment='Livré <vite> & "bien"\nsous 48h',
        price_alignment=PriceAlignment(True, Decimal("80.00")),
        packaging=Packaging("Kilogram", Decimal("0.50")),
        discounts=(sale,),
    )


def test_full_package_validates_against_the_xsd_and_keeps_every_attribute(schema):
    packages = split_packages([create(rich_offer()), create(offer("SKU-002", stock=0))], "t")
    assert [p.package_type for p in packages] == [FULL]
    root = parse(packages[0])
    schema.assertValid(root)
    assert root.get("PurgeAndReplace") == "false"
    first = root.find(f".//{NS}Offer")
    assert first.get("Comment") == 'Livré <vite> & "bien"\nsous 48h'
    assert first.get("ProductCondition") == "6"
    assert first.get("PriceMustBeAligned") == "Align"
    assert first.get("MinimumPriceForPriceAlignment") == "80.00"
    assert first.get("ProductPackagingUnit") == "Kilogram"
    assert [child.tag for child in first] == [
        f"{NS}Offer.PriceAndDiscountList",
        f"{NS}Offer.ShippingInformationList",
    ]
    discount = first.find(f".//{NS}DiscountComponent")
    assert dict(discount.attrib) == {
        "DiscountUnit": "1",
        "DiscountValue": "30",
        "SalesReferencePrice": "100.00",
        "Type": "3",
        "StartDate": "2027-01-07T08:00:00",
        "EndDate": "2027-02-03T23:59:00",
    }
    modes = [s.get("DeliveryMode") for s in first.iter(f"{NS}ShippingInformation")]
    assert modes == ["Standard", "Tracked"]


def test_full_package_has_the_structure_of_the_constructed_sample():
    sample_file = FIXTURES / "samples" / "constructed" / "Offers_full_constructed.xml"
    sample = etree.parse(str(sample_file)).getroot()
    ours = parse(split_packages([create(rich_offer())], "t")[0])

    def shape(element: etree._Element) -> list[str]:
        return [e.tag for e in element.iter() if e.tag != f"{NS}Offer"][:6]

    assert shape(ours) == shape(sample)
    sample_attrs = set(sample.find(f".//{NS}Offer").attrib)
    assert sample_attrs <= set(ours.find(f".//{NS}Offer").attrib)


def test_flash_sale_uses_type_2_and_utc_dates_come_out_in_paris_time(schema):
    from datetime import UTC

    flash = Discount(
        start=datetime(2027, 7, 1, 6, 0, tzinfo=UTC),
        end=datetime(2027, 7, 2, 6, 0, tzinfo=UTC),
        kind=OperationKind.FLASH_SALE,
        percent=15,
    )
    root = parse(split_packages([create(offer(discounts=(flash,)))], "t")[0])
    schema.assertValid(root)
    discount = root.find(f".//{NS}DiscountComponent")
    assert discount.get("Type") == "2"
    assert discount.get("SalesReferencePrice") is None
    assert discount.get("StartDate") == "2027-07-01T08:00:00"  # summer time, UTC+2


def test_price_and_stock_updates_and_withdrawals_go_in_a_stock_and_price_package():
    before = offer()
    changes = [
        update(before, offer(price=Decimal("84.90")), "price"),
        update(offer("SKU-002"), offer("SKU-002", stock=3), "stock"),
        Change("cdiscount", "SKU-003", Action.WITHDRAW, offer("SKU-003"), None, (), "fp"),
        update(offer("SKU-004"), offer("SKU-004", comment="new"), "comment"),
    ]
    packages = split_packages(changes, "t")
    assert [(p.package_type, p.skus) for p in packages] == [
        (FULL, ("SKU-004",)),
        (STOCK_AND_PRICE, ("SKU-001", "SKU-002", "SKU-003")),
    ]
    root = parse(packages[1])
    assert root.get("PackageType") == "StockAndPrice"
    attrs = [dict(o.attrib) for o in root.iter(f"{NS}Offer")]
    assert attrs == [
        {"SellerProductId": "SKU-001", "ProductEan": "3606918243767", "Price": "84.90"},
        {"SellerProductId": "SKU-002", "ProductEan": "3606918243767", "Stock": "3"},
        {"SellerProductId": "SKU-003", "ProductEan": "3606918243767", "Stock": "0"},
    ]


def test_packages_are_cut_at_the_limit_and_capacity_counts_the_offers():
    changes = [create(offer(f"SKU-{i:03d}")) for i in range(5)]
    packages = split_packages(changes, "t", max_offers=2)
    assert [len(p.changes) for p in packages] == [2, 2, 1]
    assert len({p.name for p in packages}) == 3
    root = parse(packages[2])
    assert root.find(f".//{NS}OfferCollection").get("Capacity") == "1"


def test_purge_and_replace_only_when_asked_and_no_pools_means_no_publication_list():
    channel = SalesChannel("cdiscount", "CDISFR", Submission.XML)
    package = split_packages([create(offer())], "t")[0]
    text = "".join(render_offers_xml(package, channel, purge_and_replace=True))
    root = etree.fromstring(text.encode())
    assert root.get("PurgeAndReplace") == "true"
    assert root.find(f"{NS}OfferPackage.OfferPublicationList") is None
