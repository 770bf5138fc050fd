"""Wire names and their aliases: key case and underscores ignored, `comment`/`comments`,
package ids as integers or strings, and live items read under any spelling."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.catalog.model import Condition
from reconciler.marketplace import wire
from reconciler.marketplace.live import UnusableItem, offer_from_wire

CHANGELOG_ITEM = {
    "sellerExternalReference": "REF1",
    "salesChannelId": "CDISFR",
    "offerId": "1234_TES3499550358636_6_CDISFR",
    "offerState": "Active",
    "createdAt": "2025-04-26T01:28:53.0000000+00:00",
    "condition": "New",
    "product": {"gtin": "3499550358636"},
    "integrationPrice": {"price": 19.9},
}


def test_names_are_found_whatever_their_case_or_underscores():
    log = {"Package_Integration_Status": "Integrated", "OfferLogList": []}
    assert wire.find(log, *wire.LOG_STATE) == "Integrated"
    assert wire.find({"integration_state": "Rejected"}, *wire.LOG_STATE) == "Rejected"
    assert wire.find({"propertycode": "1324"}, *wire.LOG_RESULT_CODE) == "1324"
    assert wire.find({"state": None, "status": "Done"}, *wire.LOG_STATE) == "Done"
    assert wire.find(["not", "an", "object"], "state") is None


@pytest.mark.parametrize(("raw", "expected"), [(4242, "4242"), ("4242", "4242"), (True, None)])
def test_package_ids_are_taken_as_integers_or_strings(raw, expected):
    assert wire.package_id(raw) == expected


def test_the_changelog_item_states_what_it_returns_and_nothing_else():
    offer = offer_from_wire(CHANGELOG_ITEM, "cdiscount")
    assert (offer.sku, offer.gtin, offer.price) == ("REF1", "3499550358636", Decimal("19.90"))
    assert offer.condition is Condition.NEW
    assert offer.unknown == {
        "stock", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery", "comment",
        "striked_price", "price_alignment", "packaging", "discounts",
    }  # fmt: skip
    assert all(getattr(offer, name) is None for name in offer.unknown)  # never an invented 0


def test_items_in_pascal_case_and_comments_plural_are_read():
    item = {
        "SellerExternalReference": "REF1",
        "Product": {"GTIN": "3499550358636"},
        "IntegrationPrice": {"Price": 19.9},
        "Condition": "LikeNew",
        "Quantity": 3,
        "Comments": "Expédié sous 48h",
        "Taxes": [{"Code": "VAT", "Value": 20}, {"Code": "deaTax", "Value": 1.5}],
    }
    offer = offer_from_wire(item, "cdiscount")
    assert (offer.stock, offer.condition, offer.comment) == (
        3,
        Condition.LIKE_NEW,
        item["Comments"],
    )
    assert (offer.vat, offer.eco_tax, offer.dea_tax) == (
        Decimal("20.00"),
        Decimal("0.00"),
        Decimal("1.50"),
    )
    assert "comment" not in offer.unknown and "delivery" in offer.unknown


def test_a_tax_list_without_vat_leaves_vat_unknown():
    offer = offer_from_wire({**CHANGELOG_ITEM, "taxes": [{"code": "Ecotax", "value": 0.1}]}, "c")
    assert offer.vat is None and "vat" in offer.unknown and offer.eco_tax == Decimal("0.10")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"sellerExternalReference": None}, "sellerExternalReference is null"),
        ({"sellerExternalReference": ""}, 'sellerExternalReference is ""'),
        ({"quantity": 1.9}, "quantity is 1.9, not a whole number"),
        ({"quantity": "3"}, "quantity is '3', not a whole number"),
        ({"product": {}}, "product.gtin is missing"),
    ],
)
def test_items_that_cannot_be_taken_as_truth_are_refused(change, said):
    with pytest.raises(UnusableItem, match=said.replace("(", r"\(").replace(".", r"\.")):
        offer_from_wire({**CHANGELOG_ITEM, "quantity": 1, **change}, "cdiscount")


def test_a_whole_float_quantity_is_a_whole_number():
    assert offer_from_wire({**CHANGELOG_ITEM, "quantity": 2.0}, "cdiscount").stock == 2


@pytest.mark.parametrize("condition", ["7", "8", "9", "RefurbishedGradeA"])
def test_an_unknown_condition_gives_an_offer_with_nothing_known(condition):
    offer = offer_from_wire({**CHANGELOG_ITEM, "quantity": 1, "condition": condition}, "c")
    assert offer.condition == condition and "price" in offer.unknown
