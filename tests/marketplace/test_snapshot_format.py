"""The live snapshot's own format (reconciler/marketplace/snapshot_codec.py): offers come back
exactly as they went in, and a snapshot that is not one this tool wrote in this format (an
older format, corrupt, cut short, malformed though signed) makes a full read that says why, and
the plan equals a full read's."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler import clock
from reconciler.catalog.cache import SignedStore
from reconciler.catalog.model import (
    ManagePolicy,
    Packaging,
    PriceAlignment,
)
from reconciler.marketplace import snapshot
from reconciler.marketplace import snapshot_codec as codec
from reconciler.plan.build import plan_against_marketplace
from reconciler.state import StateFolder
from tests.offers import DEMO_CHANNELS, REG, TRK, catalog, offer, winter_sale


@pytest.fixture(autouse=True)
def _own_key(own_cache_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "CLOCK_MARGIN", timedelta(0))  # the sandbox shares our clock


def exact(o) -> tuple:
    """Every slot of an offer as text and type: a 1.50 read back as 1.5 would show here. A
    sale's times as their text: read back, a Paris time is the same instant at +01:00."""
    return tuple((name, type(getattr(o, name)).__name__, _text(o, name)) for name in o.__slots__)


def _text(o, name: str) -> object:
    value = getattr(o, name)
    if name == "unknown":
        return sorted(value)
    if name == "discounts" and value:
        return [
            (
                d.start.isoformat(),
                d.end.isoformat(),
                repr(d.kind),
                d.percent,
                repr(d.reference_price),
            )
            for d in value
        ]
    return repr(value)


VARIED = [
    offer(sku="PLAIN"),
    offer(sku="STRUCK", striked_price=Decimal("24.90"), comment="Expédié sous 3 jours"),
    offer(sku="STRUCK-2", striked_price=Decimal("29.90"), comment="Expédié sous 3 jours"),
    offer(sku="ON-SALE", discounts=(winter_sale(Decimal("25.00")),)),
    offer(sku="ON-SALE-2", discounts=(winter_sale(Decimal("31.50")),)),  # the same sale
    offer(sku="TWO-SALES", discounts=(winter_sale(Decimal("25.00")), winter_sale(None))),
    offer(sku="ON-SALE-NO-REF", discounts=(winter_sale(None),), delivery=(REG, TRK)),
    offer(sku="PACKED", packaging=Packaging("kg", Decimal("1.50")), price=Decimal("7.00")),
    offer(sku="ALIGNED", price_alignment=PriceAlignment(True, Decimal("15.00"))),
    offer(sku="ALIGNED-NO-MIN", price_alignment=PriceAlignment(False, None)),
    offer(  # a read that did not get these nodes: None, and named unknown
        sku="PARTIAL",
        stock=None,
        delivery=None,
        discounts=None,
        unknown=frozenset({"stock", "delivery", "discounts"}),
    ),
    offer(sku="ODD-CONDITION", condition="refurbished-ish"),  # the plan sets it aside
    offer(sku="NO-PRICE", price=None, unknown=frozenset({"price"})),
]


def test_offers_come_back_exactly():
    encoder = codec.Encoder()
    encoder.add(VARIED)
    body = codec.pack(b"k" * 32, "live-x", {"offers": len(VARIED)}, encoder.body())
    head, raw = codec.unpack(b"k" * 32, "live-x", body)
    decoded = codec.decode(raw, "cdiscount", head["offers"])
    assert [exact(o) for o in decoded.values()] == [exact(o) for o in VARIED]
    assert all(type(o).__name__ == "Offer" for o in decoded.values())


def test_offers_of_one_sale_share_a_base_whatever_their_reference_prices():
    """A sale of 100,000 offers, each with its own reference price, once made 100,000 bases:
    the peak of a cold plan at a million offers."""
    on_sale = [
        offer(
            sku=f"S{n}",
            discounts=(winter_sale(Decimal(f"{40 + n}.50")),),
            striked_price=Decimal(f"{60 + n}.90"),
        )
        for n in range(50)
    ]
    encoder = codec.Encoder()
    encoder.add(on_sale)
    assert len(encoder.bases) == 1
    raw = codec.pack(b"k" * 32, "live-x", {}, encoder.body())
    _, view = codec.unpack(b"k" * 32, "live-x", raw)
    decoded = codec.decode(view, "cdiscount", len(on_sale))
    assert [exact(o) for o in decoded.values()] == [exact(o) for o in on_sale]


def test_reference_prices_not_one_per_sale_are_refused():
    encoder = codec.Encoder()
    encoder.add([offer(sku="ON-SALE", discounts=(winter_sale(Decimal("25.00")),))])
    raw = codec.pack(b"k" * 32, "live-x", {}, encoder.body())
    _, view = codec.unpack(b"k" * 32, "live-x", raw)
    body = bytes(view)
    tails = re.search(rb'"tails":\[\[0,-1,\[(\d+)\]\]\]', body)
    assert tails is not None
    for wrong in (b"[]", b"[0,0]", b"0"):
        forged = body.replace(tails.group(0), b'"tails":[[0,-1,' + wrong + b"]]")
        with pytest.raises((TypeError, ValueError)):
            codec.decode(forged, "cdiscount", 1)


def test_a_body_of_another_count_or_shape_is_refused():
    encoder = codec.Encoder()
    encoder.add(VARIED)
    raw = codec.pack(b"k" * 32, "live-x", {}, encoder.body())
    _, view = codec.unpack(b"k" * 32, "live-x", raw)
    body = bytes(view)
    with pytest.raises(ValueError):
        codec.decode(body, "cdiscount", len(VARIED) + 1)
    for key in ("decimals", "bases", "tails"):
        with pytest.raises((KeyError, TypeError, ValueError, IndexError)):
            codec.decode(body.replace(f'"{key}"'.encode(), b'"other"'), "cdiscount", len(VARIED))
    with pytest.raises(ValueError):  # an offer cut in two
        codec.decode(body[: body.rindex(b",")] + b"]", "cdiscount", len(VARIED))


def test_a_body_in_many_lines_comes_back_exactly(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(codec, "CHUNK", 3)  # lines of 3 offers, the last of fewer
    encoder = codec.Encoder()
    encoder.add(VARIED)
    raw = codec.pack(b"k" * 32, "live-x", {}, encoder.body())
    _, view = codec.unpack(b"k" * 32, "live-x", raw)
    lines = bytes(view).split(b"\n")
    assert len(lines) == 1 + -(-len(VARIED) // 3)  # the tables, then the offers' lines
    decoded = codec.decode(view, "cdiscount", len(VARIED))
    assert [exact(o) for o in decoded.values()] == [exact(o) for o in VARIED]
    without = b"\n".join(lines[:-1])  # a line lost: not the offers the head counts
    with pytest.raises(ValueError):
        codec.decode(without, "cdiscount", len(VARIED))


def test_a_file_not_signed_by_this_key_for_this_name_is_not_ours():
    raw = codec.pack(b"k" * 32, "live-x", {"offers": 0}, [b"{}"])
    assert codec.unpack(b"k" * 32, "live-x", raw) is not None
    assert codec.unpack(b"j" * 32, "live-x", raw) is None  # another machine
    assert codec.unpack(b"k" * 32, "live-y", raw) is None  # copied under another name
    assert codec.unpack(b"k" * 32, "live-x", raw[:-1]) is None  # cut short
    flipped = raw[:40] + bytes([raw[40] ^ 1]) + raw[41:]
    assert codec.unpack(b"k" * 32, "live-x", flipped) is None
    assert codec.unpack(b"k" * 32, "live-x", b"") is None


@pytest.fixture
def shop(tmp_path: Path, sandbox, connect, wire_offer):
    """A catalog of 6 offers on both channels at stock 5; live, offer n has stock n."""
    live = [
        wire_offer(n, channel, quantity=n) for n in range(6) for channel in ("CDISFR", "SELLZZ")
    ]
    sandbox.seed_offers(live)
    time.sleep(1.1)  # updatedAt is to the second: the first read starts a second after these
    desired = [
        offer(sku=f"SKU-{n:04d}", channel=channel, gtin=live[2 * n]["product"]["gtin"], stock=5)
        for n in range(6)
        for channel in DEMO_CHANNELS
    ]
    return catalog(desired, manage=ManagePolicy.ALL, root=str(tmp_path)), connect(sandbox)


def plan_and_reads(cat, client, refresh="auto"):
    how: list = []
    made = plan_against_marketplace(cat, client, clock.now(), refresh=refresh, reads=how)
    return made, [r.note() for r in how]


def snapshot_files(root: str) -> list[Path]:
    files = sorted(StateFolder(root).snapshots.glob("live-*"))
    assert len(files) == 2  # one per channel
    return files


def old_format(path: Path, root: str) -> None:
    """The snapshot as the previous format wrote it: one signed JSON entry of rows."""
    store = SignedStore(path.parent, SignedStore.of(root).key)
    store.put(
        path.name,
        {"identity": "x", "taken": datetime.now(UTC).isoformat(), "journal": 0, "rows": []},
    )


def malformed(path: Path, root: str) -> None:
    """Signed with this machine's key, yet its body does not hold the offers its head counts."""
    key = SignedStore.of(root).key
    head, body = codec.unpack(key, path.name, path.read_bytes())
    path.write_bytes(codec.pack(key, path.name, {**head, "offers": head["offers"] + 1}, {}))
    assert codec.unpack(key, path.name, path.read_bytes()) is not None


NOT_USABLE = "snapshot not usable (corrupt, of another machine or an older format)"


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        (old_format, NOT_USABLE),
        (lambda path, _: path.write_bytes(path.read_bytes()[:-20]), NOT_USABLE),
        (lambda path, _: path.write_bytes(path.read_bytes().replace(b"SKU-", b"SKU_")), NOT_USABLE),
        (lambda path, _: path.write_bytes(b""), NOT_USABLE),
        (malformed, "snapshot unreadable"),
    ],
    ids=["older-format", "cut-short", "altered", "empty", "signed-but-malformed"],
)
def test_a_snapshot_that_cannot_serve_makes_a_full_read_that_says_why(shop, spoil, why):
    cat, client = shop
    plan_and_reads(cat, client)  # the snapshots
    _, notes = plan_and_reads(cat, client)
    assert all(" snapshot plus 0 offer(s)" in n for n in notes), notes
    for path in snapshot_files(cat.root):
        spoil(path, cat.root)
    auto, notes = plan_and_reads(cat, client)
    assert [re.sub(r"\(\d+ offers; ", "(", n) for n in notes] == [
        f"live offers of {name}: full read ({why})" for name in sorted(DEMO_CHANNELS)
    ]
    full, _ = plan_and_reads(cat, client, "full")
    assert auto.changes == full.changes and auto.channels == full.channels
    assert len(auto.changes) == 10  # the stocks but SKU-0005's
    # the full read kept a good snapshot again
    _, notes = plan_and_reads(cat, client)
    assert all(" snapshot plus 0 offer(s)" in n for n in notes), notes
