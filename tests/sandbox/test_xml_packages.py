"""XML offer packages by URL: download, layout, safe parsing, Full / StockAndPrice, the log."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.support import (
    GTIN,
    GTIN2,
    SAMPLES,
    codes,
    discount,
    live_offers,
    log_lines,
    offers_xml,
    package_zip,
    submit_zip,
    wait_state,
    xml_offer,
)

SAMPLE_GTINS = ["3606918243767", "0080605625006", "9781593274351"]


@pytest.fixture
def api(sandbox):
    sandbox.seed_products([GTIN, GTIN2, *SAMPLE_GTINS])
    with sandbox.client("CDISFR") as client:
        yield client


def sample(name: str) -> bytes:
    return package_zip((SAMPLES / name).read_bytes())


# -- the real samples ------------------------------------------------------------------------
def test_constructed_full_sample_is_integrated_with_its_sale(sandbox, api):
    log = submit_zip(sandbox, api, sample("constructed/Offers_full_constructed.xml"))
    assert log["state"] == "Integrated"
    assert log["publicationPools"] == [{"Id": "1"}]
    lines = log_lines(log)
    assert {sku: codes(line) for sku, line in lines.items()} == {
        "SKU-001": [8000],
        "SKU-002": [8000],
    }
    live = live_offers(api, "CDISFR")
    first = live["SKU-001"]
    assert first["strikedPrice"] == {"price": Decimal("119")}
    assert first["taxes"][1] == {"code": "Ecotax", "value": Decimal("0.1")}
    assert [m["code"] for m in first["deliveryModes"]] == ["STD", "TRK"]
    assert first["commercialOperations"] == [
        {"type": "Sales", "discountPercent": 30, "salesReferencePrice": 100,
         "startDate": "2024-01-10T08:00:00+01:00", "endDate": "2024-02-06T23:59:00+01:00"}
    ]  # fmt: skip
    assert live["SKU-002"]["priceAlignment"] == {"align": False, "minimumPrice": None}
    assert live["SKU-002"]["offerState"] == "Inactive"


def test_stock_and_price_sample_updates_what_the_full_one_created(sandbox, api):
    submit_zip(sandbox, api, sample("constructed/Offers_full_constructed.xml"), "full.zip")
    log = submit_zip(sandbox, api, sample("constructed/Offers_stockandprice.xml"), "light.zip")
    assert log["packageType"] == "StockAndPrice"
    assert {s: codes(line) for s, line in log_lines(log).items()} == {
        "SKU-001": [9000], "SKU-002": [9000]
    }  # fmt: skip
    live = live_offers(api, "CDISFR")
    assert live["SKU-001"]["integrationPrice"]["price"] == Decimal("84.9")
    assert live["SKU-001"]["quantity"] == 10
    assert live["SKU-001"]["strikedPrice"] == {"price": Decimal("119")}  # untouched
    assert live["SKU-002"]["integrationPrice"]["price"] == Decimal("19.95")


def test_stock_and_price_on_offers_that_do_not_exist_is_rejected_36(sandbox, api):
    log = submit_zip(sandbox, api, sample("constructed/Offers_stockandprice.xml"))
    assert {s: codes(line) for s, line in log_lines(log).items()} == {
        "SKU-001": [3603], "SKU-002": [3603]
    }  # fmt: skip


ALEXANDRIA = [
    "Offers.xml",
    "Offers_with_discount.xml",
    "Offers_with_offer_publication_list.xml",
    "Offers_with_purge_and_replace.xml",
]


@pytest.mark.parametrize("name", ALEXANDRIA)
def test_alexandriagroup_samples_are_rejected_for_their_hyphenated_ean(sandbox, api, name):
    log = submit_zip(sandbox, api, sample(f"alexandriagroup/{name}"))
    assert log["state"] == "Integrated"  # the package is read; each offer is refused
    lines = log_lines(log)
    assert set(lines) == {"MY_SKU1", "MY_SKU2"}
    assert all(codes(line) == [1101] for line in lines.values())


def test_alexandriagroup_sample_is_accepted_once_its_ean_is_plain_digits(sandbox, api):
    xml = (SAMPLES / "alexandriagroup/Offers_with_purge_and_replace.xml").read_text()
    log = submit_zip(sandbox, api, package_zip(xml.replace("978-1593274351", "9781593274351")))
    assert log["purgeAndReplace"] is True  # "True", the old spelling
    assert [codes(line) for line in log["offers"]] == [[8000], [8000]]


def test_alexandriagroup_discount_sample_has_a_type_1_ending_before_it_starts(sandbox, api):
    xml = (SAMPLES / "alexandriagroup/Offers_with_discount.xml").read_text()
    log = submit_zip(sandbox, api, package_zip(xml.replace("978-1593274351", "9781593274351")))
    assert codes(log_lines(log)["MY_SKU1"]) == [1119]
    assert codes(log_lines(log)["MY_SKU2"]) == [8000]


def test_publication_pools_are_reported(sandbox, api):
    log = submit_zip(sandbox, api, sample("alexandriagroup/Offers_with_offer_publication_list.xml"))
    assert log["publicationPools"] == [{"Id": "1"}, {"Id": "16"}]


# -- rules with codes ------------------------------------------------------------------------
XML_REJECTIONS = [
    ("price zero", {"Price": "0"}, "", 1906),
    ("price below eco + DEA", {"Price": "1.00", "EcoPart": "0.60", "DeaTax": "0.50"}, "", 2906),
    ("striked not above price", {"StrikedPrice": "19.99"}, "", 2318),
    ("preparation out of range", {"PreparationTime": "0"}, "", 1700),
    ("preparation not integer", {"PreparationTime": "1.5"}, "", 1700),
    ("bad EAN key", {"ProductEan": "3760452700030"}, "", 1601),
    ("unknown product", {"ProductEan": "9780201379624"}, "", 1324),
    ("missing price", {"Price": None}, "", 1006),
    ("bad condition", {"ProductCondition": "9"}, "", 1102),
    ("exponent", {"Price": "1e3"}, "", 1106),
    ("comma decimal", {"Price": "19,99"}, "", 1106),
    ("discount 0", {}, discount(DiscountValue="0"), 1726),
    ("discount 100", {}, discount(DiscountValue="100"), 1726),
    ("end before start", {}, discount(EndDate="2027-01-01T00:00:00"), 2622),
    ("flash sale over 72 h", {}, discount(Type="2", EndDate="2027-01-10T08:00:01"), 1722),
    ("type 1", {}, discount(Type="1"), 1119),
    ("bad date", {}, discount(StartDate="7 Jan"), 1120),
]
SHIPPING = (
    "<Offer.ShippingInformationList><ShippingInformationList>"
    '<ShippingInformation DeliveryMode="{}" ShippingCharges="1"/>'
    "</ShippingInformationList></Offer.ShippingInformationList>"
)
XML_REJECTIONS += [
    ("mode not configured", {}, SHIPPING.format("Express"), 4011),
    ("unknown mode name", {}, SHIPPING.format("Standart"), 4011),
]


@pytest.mark.parametrize(
    ("case", "attrs", "children", "code"), XML_REJECTIONS, ids=[r[0] for r in XML_REJECTIONS]
)
def test_each_rule_rejects_the_offer_with_its_code(sandbox, api, case, attrs, children, code):
    offers = xml_offer("BAD", children=children, **attrs) + xml_offer("GOOD")
    log = submit_zip(sandbox, api, package_zip(offers_xml(offers)))
    lines = log_lines(log)
    assert lines["BAD"]["integrationStatus"] == "Rejected"
    assert code in codes(lines["BAD"])
    assert codes(lines["GOOD"]) == [8000]
    assert (log["integratedCount"], log["rejectedCount"]) == (1, 1)


def test_a_flash_sale_of_72_hours_is_accepted(sandbox, api):
    children = discount(Type="2", SalesReferencePrice="", EndDate="2027-01-10T08:00:00")
    log = submit_zip(sandbox, api, package_zip(offers_xml(xml_offer(children=children))))
    assert codes(log["offers"][0]) == [8000]
    (operation,) = live_offers(api, "CDISFR")["X-1"]["commercialOperations"]
    assert operation["type"] == "FlashSale" and operation["salesReferencePrice"] is None


def two_discounts(first: dict, second: dict) -> str:
    one, two = discount(**first), discount(**second)
    components = (
        one[: one.index("</DiscountComponentList>")]
        + two[two.index("<DiscountComponent ") : two.index("</DiscountComponentList>")]
    )
    return components + one[one.index("</DiscountComponentList>") :]


FLASH = {"Type": "2", "SalesReferencePrice": ""}


@pytest.mark.parametrize(
    ("second_start", "second_end", "expected"),
    [
        ("2027-01-09T08:00:00", "2027-01-10T08:00:00", [1720]),  # 24 h after the first: too soon
        ("2027-01-10T08:00:00", "2027-01-11T08:00:00", [8000]),  # 48 h after: accepted
        ("2027-01-07T12:00:00", "2027-01-07T20:00:00", [1720]),  # overlaps the first
    ],
)
def test_flash_sales_of_one_offer_wait_48_hours(sandbox, api, second_start, second_end, expected):
    first = {**FLASH, "StartDate": "2027-01-07T08:00:00", "EndDate": "2027-01-08T08:00:00"}
    second = {**FLASH, "StartDate": second_start, "EndDate": second_end}
    offer = xml_offer(children=two_discounts(first, second))
    log = submit_zip(sandbox, api, package_zip(offers_xml(offer)))
    assert codes(log["offers"][0]) == expected


def test_same_reference_twice_rejects_both(sandbox, api):
    log = submit_zip(sandbox, api, package_zip(offers_xml(xml_offer() + xml_offer())))
    assert [codes(line) for line in log["offers"]] == [[2503], [2503]]


def test_purge_and_replace_withdraws_the_offers_left_out(sandbox, api):
    sandbox.seed_offers(
        [{"sellerExternalReference": "OLD", "salesChannelId": "CDISFR",
          "product": {"gtin": GTIN2}, "price": 5, "quantity": 7}]
    )  # fmt: skip
    submit_zip(sandbox, api, package_zip(offers_xml(xml_offer(), purge="true")))
    live = live_offers(api, "CDISFR")
    assert live["OLD"]["quantity"] == 0 and live["OLD"]["offerState"] == "Inactive"
    assert live["X-1"]["quantity"] == 5


def test_the_log_is_paged(sandbox, api):
    offers = "".join(xml_offer(f"P-{i}") for i in range(5))
    log = submit_zip(sandbox, api, package_zip(offers_xml(offers)))
    pid = log["packageId"]
    page2 = api.get(f"/offer-integration-packages/{pid}", params={"$limit": 2, "$page": 2}).json()
    assert [o["sellerProductId"] for o in page2["offers"]] == ["P-2", "P-3"]
    assert page2["pageCount"] == 3


# -- the package as a whole ------------------------------------------------------------------
def refused(log) -> str:
    assert log["state"] == "Rejected"
    return log["result"]["resultCode"]


XXE = (
    '<?xml version="1.0"?><!DOCTYPE OfferPackage [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    + offers_xml(xml_offer(Comment="&x;"))
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    + offers_xml(xml_offer(Comment="&c;"))
)


@pytest.mark.parametrize(
    ("case", "data", "code"),
    [
        ("external entity", package_zip(XXE), "InvalidXml"),
        ("entity expansion", package_zip(LAUGHS), "InvalidXml"),
        ("not xml", package_zip("<OfferPackage"), "InvalidXml"),
        ("wrong namespace", package_zip(offers_xml("").replace("clr-", "x")), "InvalidXml"),
        ("bad boolean", package_zip(offers_xml("", purge="yes")), "InvalidPackage"),
        ("bad type", package_zip(offers_xml("", package_type="Light")), "InvalidPackage"),
        ("not a zip", b"just text", "InvalidZip"),
        ("no rels", package_zip("", parts={"Content/Offers.xml": b"", "[Content_Types].xml": b""}),
         "InvalidLayout"),
    ],
)  # fmt: skip
def test_a_bad_package_is_rejected_whole(sandbox, api, case, data, code):
    log = submit_zip(sandbox, api, data)
    assert refused(log) == code
    assert "passwd" not in str(log) and "root:" not in str(log)


def test_a_url_that_does_not_download_is_rejected_whole(sandbox, api):
    response = api.post("/offer-integration-packages", json=sandbox.blob_url("missing.zip"))
    log = wait_state(api, f"/offer-integration-packages/{response.json()['packageId']}")
    assert refused(log) == "DownloadFailed"


def test_the_body_must_be_a_url_string(api):
    response = api.post("/offer-integration-packages", json={"url": "http://x/p.zip"})
    assert response.status_code == 400


def test_a_json_only_channel_refuses_xml_packages(sandbox):
    with sandbox.client("SELLZZ") as api:
        response = api.post("/offer-integration-packages", json=sandbox.blob_url("p.zip"))
    assert response.status_code == 400


def test_a_zip_bomb_is_refused_before_it_is_read(sandbox_factory):
    market = sandbox_factory(max_unzipped_bytes=5000)
    big = offers_xml("".join(xml_offer(f"B-{i}") for i in range(40)))  # ~20 kB, zips small
    with market.client("CDISFR") as api:
        log = submit_zip(market, api, package_zip(big))
    assert refused(log) == "ZipTooLarge"


def test_a_zip_over_the_download_cap_is_refused(sandbox_factory):
    market = sandbox_factory(max_zip_bytes=200)
    with market.client("CDISFR") as api:
        log = submit_zip(market, api, package_zip(offers_xml(xml_offer())))
    assert refused(log) == "ZipTooLarge"
