"""Offers as plain JSON values and back: what goes in comes out, equal and alike."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest

from reconciler.catalog.codec import OfferCodec
from reconciler.catalog.entry import ItemCodec
from reconciler.catalog.model import Condition, DeliveryOption, Offer, OpenOffer, Packaging
from reconciler.catalog.origins import Origins
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
    origins = Origins(offers)
    items = ItemCodec.reader(entry, "offers/a.yaml", {})
    keys, owner = items.read(offers, origins)
    assert list(offers.values()) == [*one, *two]
    assert all(type(o) is Offer for o in offers.values())
    assert keys == [("cdiscount", "A"), ("zz", "A"), ("cdiscount", "B")]
    assert owner == [0, 0, 1]
    assert items.skus == ["A", "B"]
    assert items.tags() == (["A"], [frozenset({"winter"})])  # B has none: no tags, not empty
    origins.read_back(items.places())
    assert origins["zz", "A"] == Location("offers/a.yaml", 2, 5, "offers[0]")
    assert origins["cdiscount", "B"] == Location("offers/a.yaml", 8, 5, "offers[1]")


def test_a_key_already_declared_leaves_the_maps_as_they_were():
    codec = ItemCodec()
    codec.add((0, 2, 5), "A", None, [_offer("cdiscount", "A", "10.00")])
    codec.add((1, 6, 5), "B", None, [_offer("cdiscount", "B", "10.00")])
    first = Location("offers/other.yaml", 1, 1)
    items = ItemCodec.reader(_through_json(codec.dump_items()), "offers/a.yaml", {})
    for taken in ({("cdiscount", "B"): "taken"}, {}):  # by an offer, or by a place alone
        offers = dict(taken)
        origins = Origins(offers)
        if not taken:
            origins["cdiscount", "B"] = first  # declared by a file whose offer has an error
        with pytest.raises(KeyError):
            items.read(offers, origins)
        assert offers == taken and list(origins) == [("cdiscount", "B")]


def test_a_forged_entry_declaring_a_key_twice_is_refused_whole():
    codec = ItemCodec()
    codec.add((0, 2, 5), "A", None, [_offer("cdiscount", "A", "10.00")])
    entry = _through_json(codec.dump_items())
    entry["items"] += [1, 6, 5, "A", "3760452700039", None]
    entry["sold"] += [1, *entry["sold"][1:6]]  # item 1 (sku A again) on the same channel
    offers: dict = {}
    with pytest.raises(KeyError):
        ItemCodec.reader(entry, "offers/a.yaml", {}).read(offers, None)
    assert offers == {}


def test_an_item_whose_offers_differ_in_gtin_is_not_kept():
    other = _offer("zz", "A", "10.00")
    other = Offer(**{**{f: getattr(other, f) for f in other.__slots__}, "gtin": "0000000000000"})
    assert not ItemCodec().add((0, 2, 5), "A", None, [_offer("cdiscount", "A", "1.00"), other])


def test_offers_differing_by_their_struck_price_share_one_tail_and_keep_their_own():
    codec = ItemCodec()
    one = _offer("cdiscount", "A", "10.00", striked_price=Decimal("15.00"), comment="Bio")
    two = _offer("cdiscount", "B", "10.00", striked_price=Decimal("16.00"), comment="Bio")
    plain = _offer("cdiscount", "C", "10.00", comment="Bio")
    for number, offer in enumerate((one, two, plain)):
        assert codec.add((number, 2 + number, 5), offer.sku, None, [offer])
    entry = _through_json(codec.dump_items())
    assert len(entry["tables"]["tails"]) == 1
    offers: dict = {}
    ItemCodec.reader(entry, "offers/a.yaml", {}).read(offers, None)
    assert list(offers.values()) == [one, two, plain]
    assert [o.striked_price for o in offers.values()] == [Decimal("15.00"), Decimal("16.00"), None]


def test_a_change_to_one_offer_read_back_leaves_those_sharing_its_values_alone():
    """The fed load sets price and stock into an offer read back (resolve.fill_in_place):
    offers built from one tail share its objects, never a slot."""
    codec = ItemCodec()
    codec.add((0, 2, 5), "A", None, [_offer("cdiscount", "A", "10.00"), _offer("zz", "A", "10.00")])
    offers: dict = {}
    ItemCodec.reader(_through_json(codec.dump_items()), "offers/a.yaml", {}).read(offers, None)
    first, second = offers.values()
    assert first.delivery is second.delivery and first.price is second.price  # shared
    object.__setattr__(first, "__class__", OpenOffer)
    first.price, first.stock, first.delivery = Decimal("1.00"), 0, ()
    first.__class__ = Offer
    assert (second.price, second.stock, second.delivery) == (Decimal("10.00"), 3, TRK)
    assert hash(second) == hash(_offer("zz", "A", "10.00"))
