"""Offers as plain JSON values and back: what goes in comes out, equal and alike."""

from __future__ import annotations

from decimal import Decimal

import orjson

from reconciler.catalog.codec import ItemCodec, OfferCodec
from reconciler.catalog.model import Condition, DeliveryOption, Offer, Packaging
from reconciler.errors import Location

TRK = (DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),)


def _offer(channel: str, sku: str, price: str | None, **more) -> Offer:
    return Offer(
        channel=channel,
        sku=sku,
        gtin="3760452700039",
        price=None if price is None else Decimal(price),  # type: ignore[arg-type]
        stock=3,
        condition=Condition.NEW,
        vat=Decimal("20.00"),
        eco_tax=Decimal("0.00"),
        dea_tax=Decimal("0.00"),
        preparation_days=2,
        delivery=TRK,
        **more,
    )


def _through_json(value: object) -> object:
    return orjson.loads(orjson.dumps(value))


def test_rows_keep_an_offer_whose_price_was_not_returned():
    offers = [
        _offer("cdiscount", "A", None, unknown=frozenset({"price"})),
        _offer("cdiscount", "B", "9.90", packaging=Packaging("Liter", Decimal("1.50"))),
    ]
    codec = OfferCodec()
    rows = _through_json([codec.encode(o) for o in offers])
    back = OfferCodec.decoder(_through_json(codec.dump()))(rows)
    assert back == offers
    assert back[0].price is None and back[0].unknown == {"price"}
    assert str(back[1].packaging.value) == "1.50"  # type: ignore[union-attr]
    assert all(type(o) is Offer for o in back)


def test_items_come_back_with_their_places_and_tags():
    codec = ItemCodec()
    one = [_offer("cdiscount", "A", "10.00"), _offer("zz", "A", "11.00")]
    two = [_offer("cdiscount", "B", "10.00", comment="Bio")]
    assert codec.add((0, 2, 5), "A", ["winter"], one)
    assert codec.add((1, 8, 5), "B", None, two)
    entry = _through_json(codec.dump_items())
    offers: dict = {}
    places: dict = {}
    skus, keys = ItemCodec.reader(entry, "offers/a.yaml", {})(offers, places)
    assert list(offers.values()) == [*one, *two]
    assert keys == [("cdiscount", "A"), ("zz", "A"), ("cdiscount", "B")]
    assert places["zz", "A"] == Location("offers/a.yaml", 2, 5, "offers[0]")
    assert [(sku, tags) for sku, _, tags in skus] == [("A", ["winter"]), ("B", None)]


def test_a_key_already_declared_leaves_the_maps_as_they_were():
    codec = ItemCodec()
    codec.add((0, 2, 5), "A", None, [_offer("cdiscount", "A", "10.00")])
    codec.add((1, 6, 5), "B", None, [_offer("cdiscount", "B", "10.00")])
    first = Location("offers/other.yaml", 1, 1)
    offers: dict = {("cdiscount", "B"): "taken"}
    places: dict = {("cdiscount", "B"): first}
    read = ItemCodec.reader(_through_json(codec.dump_items()), "offers/a.yaml", {})
    try:
        read(offers, places)
    except KeyError:
        pass
    else:
        raise AssertionError("a clash must be refused")
    assert offers == {("cdiscount", "B"): "taken"} and places == {("cdiscount", "B"): first}


def test_an_item_whose_offers_differ_in_gtin_is_not_kept():
    other = _offer("zz", "A", "10.00")
    other = Offer(**{**{f: getattr(other, f) for f in other.__slots__}, "gtin": "0000000000000"})
    assert not ItemCodec().add((0, 2, 5), "A", None, [_offer("cdiscount", "A", "1.00"), other])
