"""A live read takes the sku and gtin string objects of the catalog's offer with the same key
(one copy of each for both sides of a big shop's plan): only which copy is held changes, never
a value, and an offer only on the live side reads as it did."""

from __future__ import annotations

from dataclasses import replace

from reconciler.marketplace import snapshot_codec as codec
from reconciler.marketplace.items import offer_from_wire
from tests.marketplace.conftest import _wire_offer
from tests.marketplace.test_snapshot_format import VARIED, exact
from tests.offers import offer


def fresh(text: str) -> str:
    """An equal string that is another object (the wire's and the catalog's copies)."""
    return "".join(list(text))


def known_of(offers, channel: str = "cdiscount") -> dict:
    """The catalog's side: equal skus and gtins, other objects; the second offer has another
    gtin than the live one (kept as read), the last is not in the catalog."""
    known = {}
    for index, o in enumerate(offers[:-1]):
        gtin = "3760000000999" if index == 1 else fresh(o.gtin)
        known[(channel, o.sku)] = replace(o, sku=fresh(o.sku), gtin=gtin)
    return known


def test_a_snapshot_shares_the_catalogs_strings_and_reads_the_same_values():
    encoder = codec.Encoder()
    encoder.add(VARIED)
    raw = codec.pack(b"k" * 32, "live-x", {"offers": len(VARIED)}, encoder.body())
    head, body = codec.unpack(b"k" * 32, "live-x", raw)
    alone = codec.decode(body, "cdiscount", len(VARIED))
    known = known_of(VARIED)
    shared = codec.decode(body, "cdiscount", len(VARIED), known)
    assert [exact(o) for o in shared.values()] == [exact(o) for o in alone.values()]
    assert [exact(o) for o in shared.values()] == [exact(o) for o in VARIED]
    for key, want in known.items():
        have = shared[key[1]]
        assert have.sku is want.sku and next(k for k in shared if k == key[1]) is want.sku
        assert (have.gtin is want.gtin) == (have.gtin == want.gtin)
    second = shared[VARIED[1].sku]
    assert second.gtin == VARIED[1].gtin and second.gtin != known[("cdiscount", VARIED[1].sku)].gtin
    only_live = shared[VARIED[-1].sku]  # in no catalog: its own strings, its own values
    assert exact(only_live) == exact(VARIED[-1])


def test_an_item_read_shares_the_catalogs_strings_and_reads_the_same_values():
    items = [_wire_offer(n) for n in (1, 2, 3)]
    items.append({**_wire_offer(4), "quantity": 5.0})  # the general way (`_partial`)
    alone = [offer_from_wire(item, "cdiscount") for item in items]
    known = {
        ("cdiscount", o.sku): replace(o, sku=fresh(o.sku), gtin=fresh(o.gtin)) for o in alone[:2]
    }
    known[("cdiscount", alone[3].sku)] = replace(alone[3], sku=fresh(alone[3].sku), gtin="1")
    known[("marketplace-zz", alone[2].sku)] = offer(sku=fresh(alone[2].sku))  # another channel
    shared = [offer_from_wire(item, "cdiscount", False, known) for item in items]
    assert shared == alone and [exact(o) for o in shared] == [exact(o) for o in alone]
    for o in shared[:2]:
        want = known[("cdiscount", o.sku)]
        assert o.sku is want.sku and o.gtin is want.gtin
    assert shared[2].sku is not known[("marketplace-zz", shared[2].sku)].sku  # not its key
    assert shared[3].sku is known[("cdiscount", shared[3].sku)].sku
    assert shared[3].gtin == alone[3].gtin != "1"  # another gtin: the live one, as read


def test_an_unchanged_live_offer_is_the_catalogs_offer_itself_a_changed_one_its_own():
    """Both sides of an unchanged offer are one object (a million-offer shop held each twice);
    a live offer that differs in any value stays the one read."""
    items = [_wire_offer(n) for n in (1, 2)]
    alone = [offer_from_wire(item, "cdiscount") for item in items]
    same = replace(alone[0], sku=fresh(alone[0].sku))
    other = replace(alone[1], sku=fresh(alone[1].sku), stock=alone[1].stock + 1)
    known = {("cdiscount", same.sku): same, ("cdiscount", other.sku): other}
    unchanged, changed = (offer_from_wire(item, "cdiscount", False, known) for item in items)
    assert unchanged is same
    assert changed is not other and changed == alone[1] and changed.stock == other.stock - 1
    # equal values, but the catalog leaves stock unknown (unmanaged): the live one states it
    unstated = {("cdiscount", same.sku): replace(same, unknown=same.unknown | {"stock"})}
    stated = offer_from_wire(items[0], "cdiscount", False, unstated)
    assert stated is not unstated["cdiscount", same.sku] and stated.unknown == alone[0].unknown

    encoder = codec.Encoder()
    encoder.add(alone)
    raw = codec.pack(b"k" * 32, "live-x", {}, encoder.body())
    _, body = codec.unpack(b"k" * 32, "live-x", raw)
    decoded = codec.decode(body, "cdiscount", 2, known)
    assert decoded[same.sku] is same
    assert decoded[other.sku] is not other and decoded[other.sku] == alone[1]
