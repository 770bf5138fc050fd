"""Reading Offers.xml in-process: the limits that are too big to reach over HTTP in a test."""

from __future__ import annotations

import pytest

from reconciler.sandbox import xml
from sandbox.support import offers_xml, xml_offer


def test_more_than_the_offer_limit_is_refused_whole(monkeypatch):
    monkeypatch.setattr(xml, "MAX_OFFERS", 2)
    with pytest.raises(xml.PackageRefused) as refused:
        xml.parse_offers(offers_xml(xml_offer("A") + xml_offer("B") + xml_offer("C")).encode())
    assert refused.value.code == "TooManyOffers"


def test_offers_keep_their_attributes_shipping_and_discounts():
    package = xml.parse_offers(offers_xml(xml_offer("A", Stock="3")).encode())
    (offer,) = package.offers
    assert offer["attrs"]["Stock"] == "3"
    assert offer["shipping"] == [
        {"DeliveryMode": "Tracked", "ShippingCharges": "4.90", "AdditionalShippingCharges": "1.00"}
    ]
    assert offer["discounts"] == []
