"""The live snapshot's format: one channel's offers as flat lists of plain values, read back
with as little Python per offer as possible (an hourly plan of a big shop reads them all).

A snapshot file is `signature | head | "\\n" | body`:
- the signature is keyed by this machine's key (the parse cache's) over the format, the file's
  name, head and body: a corrupt, planted or older-format file is not ours and is not read;
- the head (JSON) says what the snapshot is (identity, moment, journal size, fields, count):
  a read can decide to use it, and start asking the marketplace for what changed since,
  before the body is decoded;
- the body holds a line of tables (JSON), then the offers in lines (JSON arrays) of up to
  `CHUNK` offers, 5 values each: sku, gtin, price (index into `decimals`, -1: not returned),
  stock and tail (index into `tails`). Lines, not one document: a million offers are written
  and read a line at a time, never held as one list of 5 million values. A tail is every other
  field (a `base`) with the offer's own amounts: its struck-through price and its sales'
  reference prices. Most live offers share a few bases; struck and reference prices vary per
  offer (a sale of 100,000 offers made 100,000 bases, the peak of a cold plan at 1M).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

import orjson

from reconciler.catalog.model import (
    Condition,
    DeliveryOption,
    Discount,
    Offer,
    OpenOffer,
    OperationKind,
    Packaging,
    PriceAlignment,
)
from reconciler.marketplace.items import Known

FORMAT = b"catalog-live-snapshot 4"
_SIGNATURE = 32
_OFFER = 5  # values per offer in the body
CHUNK = 20_000  # offers per line of the body (~1 MB of JSON)


def sign(key: bytes, name: str, head: bytes, body: Iterable[bytes | memoryview]) -> bytes:
    """The signature over the format, name, head and the body (its parts, in order)."""
    digest = hashlib.blake2b(digest_size=_SIGNATURE, key=key)
    for part in (FORMAT, name.encode(), head):
        digest.update(part + b"\0")
    for part in body:
        digest.update(part)  # the parts as one: no copy of a body of a million offers
    digest.update(b"\0")
    return digest.digest()


def packed(key: bytes, name: str, head: dict[str, Any], body: list[bytes]) -> list[bytes]:
    """The parts of a snapshot file, written one after the other (never joined)."""
    head_bytes = orjson.dumps(head)
    return [sign(key, name, head_bytes, body), head_bytes, b"\n", *body]


def pack(key: bytes, name: str, head: dict[str, Any], body: list[bytes]) -> bytes:
    """The bytes of a snapshot file."""
    return b"".join(packed(key, name, head, body))


def unpack(key: bytes, name: str, raw: bytes) -> tuple[dict[str, Any], memoryview] | None:
    """The head (parsed) and body (still bytes, a view of `raw`: not copied) of a snapshot
    file; None when not ours (corrupt, planted, written by another machine or in another
    format)."""
    end = raw.find(b"\n", _SIGNATURE)
    if end < 0:
        return None
    head, body = raw[_SIGNATURE:end], memoryview(raw)[end + 1 :]
    if not hmac.compare_digest(raw[:_SIGNATURE], sign(key, name, head, (body,))):
        return None
    try:
        parsed = orjson.loads(head)
    except orjson.JSONDecodeError:
        return None
    return (parsed, body) if isinstance(parsed, dict) else None


# Every field but channel, sku, gtin, price, stock, striked_price and discounts, in Offer's
# order (a base holds its discounts without their reference prices: their `shape`).
_BASE = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery", "comment"),
    *("price_alignment", "packaging", "unknown"),
)
# The same but the comment: objects most live offers share (compared by identity first).
_SHARED = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery"),
    *("price_alignment", "packaging", "unknown"),
)


class Encoder:
    """Offers to a body; bases are found by the identity of their parts first (live offers
    share their taxes, delivery and unknown sets), by value when new."""

    def __init__(self) -> None:
        self.decimals: dict[Decimal, int] = {}
        self.bases: dict[tuple, int] = {}
        self.tails: dict[tuple[int, int], int] = {}
        self._same: dict[tuple, tuple[int, tuple]] = {}  # keeps its parts alive: ids stay theirs
        self.offers: list[Any] = []  # the rows of the line being filled
        self.lines: list[bytes] = []

    def _decimal(self, value: Decimal | None) -> int:
        if value is None:
            return -1
        found = self.decimals.get(value)  # by value: amounts in normal form, equal means alike
        if found is None:
            found = self.decimals[value] = len(self.decimals)
        return found

    def add(self, offers: Iterable[Offer]) -> None:
        put, dec, tails = self.offers.extend, self._decimal, self.tails
        for offer in offers:
            discounts = offer.discounts
            if discounts:  # a sale's reference price is the offer's own, as its struck price
                shape = tuple((d.start, d.end, d.kind, d.percent) for d in discounts)
                references = tuple(dec(d.reference_price) for d in discounts)
            else:
                shape, references = discounts, ()
            tail = (self._base(offer, shape), dec(offer.striked_price), references)
            index = tails.get(tail)
            if index is None:
                index = tails[tail] = len(tails)
            put((offer.sku, offer.gtin, dec(offer.price), offer.stock, index))
            if len(self.offers) >= CHUNK * _OFFER:
                self._line()

    def _line(self) -> None:
        self.lines.append(orjson.dumps(self.offers))
        self.offers.clear()  # the same list: `add` holds its `extend`

    def _base(self, offer: Offer, shape: tuple | None) -> int:
        shared = _SHARED(offer)
        same = (*map(id, shared), offer.comment, shape)  # a comment: a new string per offer read
        found = self._same.get(same)
        if found is None:
            parts = _BASE(offer)
            base = (*parts[:9], shape, parts[9])
            index = self.bases.setdefault(_by_value(base), len(self.bases))
            found = self._same[same] = (index, shared)
        return found[0]

    def body(self) -> list[bytes]:
        """The body, in parts: the tables' line, then the offers' lines."""
        if self.offers:
            self._line()
        bases = [self._plain(base) for base in self.bases]  # first: they add decimals
        tables = {
            "decimals": [str(d) for d in self.decimals],
            "bases": bases,
            "tails": list(self.tails),
        }
        parts = [orjson.dumps(tables)]
        for line in self.lines:
            parts += (b"\n", line)
        return parts

    def _plain(self, base: tuple) -> list[Any]:
        condition, vat, eco, dea, days, delivery, comment, alignment, packaging = base[:9]
        discounts, unknown, dec = base[9], base[10], self._decimal
        return [
            # a live condition the client cannot read stays its raw text (the plan sets it aside)
            getattr(condition, "value", condition),
            dec(vat),
            dec(eco),
            dec(dea),
            days,
            None
            if delivery is None
            else [(o.mode, dec(o.cost), dec(o.additional_cost)) for o in delivery],
            comment,
            None if alignment is None else (alignment.align, dec(alignment.minimum_price)),
            None if packaging is None else (packaging.unit, str(packaging.value)),
            None
            if discounts is None
            else [
                (start.isoformat(), end.isoformat(), kind.value, percent)
                for start, end, kind, percent in discounts
            ],
            sorted(unknown),
        ]


def _by_value(base: tuple) -> tuple:
    packaging = base[8]  # 1.5 is not 1.50: its text, which the body keeps
    return base if packaging is None else (*base, str(packaging.value))


def decode(
    body: bytes | memoryview, channel: str, count: int, known: Known | None = None
) -> dict[str, Offer]:
    """The offers of a body by sku, all of `channel` (ValueError, TypeError, ... when it is not
    a body of `count` offers), shared with `known` where equal (items.Known). The body is
    trusted as far as its signature goes."""
    view = memoryview(body)
    lines = _lines(view)
    parsed = orjson.loads(next(lines))
    decimals: list[Decimal | None] = [Decimal(d) for d in parsed["decimals"]]
    decimals.append(None)  # index -1
    bases = [_base(row, decimals) for row in parsed["bases"]]
    tails = [_tail(bases[base], decimals, striked, refs) for base, striked, refs in parsed["tails"]]
    offers: dict[str, Offer] = {}
    values = 0
    for line in lines:  # a line's values held at a time, not the whole body's
        flat = orjson.loads(line)
        values += len(flat)
        _add(offers, flat, channel, tails, decimals, known)
    if values != count * _OFFER:
        raise ValueError("not the offers the head counts")
    return offers


_NEWLINE = re.compile(b"\n")  # JSON text holds none of its own: its strings escape them


def _lines(view: memoryview) -> Iterator[memoryview]:
    """The lines of a body, as views (not copies)."""
    start = 0
    for newline in _NEWLINE.finditer(view):
        yield view[start : newline.start()]
        start = newline.end()
    yield view[start:]


def _add(
    offers: dict[str, Offer],
    flat: list[Any],
    channel: str,
    tails: list[tuple],
    decimals: list[Decimal | None],
    known: Known | None,
) -> None:
    """The offers of one line of the body."""
    if len(flat) % _OFFER:
        raise ValueError("not whole offers")  # else zip would drop the last
    new, sealed = OpenOffer, Offer
    values = iter(flat)
    same = {}.get if known is None else known.get
    for sku, gtin, price, stock, tail in zip(*[values] * _OFFER):  # noqa: B905 - checked above
        desired = same((channel, sku))  # items.shared and kept, inlined: once per offer
        if desired is not None:
            sku = desired.sku
            if desired.gtin == gtin:
                gtin = desired.gtin
        offer = new(channel, sku, gtin, decimals[price], stock, *tails[tail])
        offer.__class__ = sealed
        if desired is not None and desired == offer and desired.unknown == offer.unknown:
            offer = desired
        offers[sku] = offer


def _tail(
    parts: tuple[Any, ...], decimals: list[Decimal | None], striked: int, references: list[int]
) -> tuple[Any, ...]:
    """The fields after `stock`: a base's, with the offer's struck and reference prices."""
    shape = parts[9]
    if shape:
        if len(references) != len(shape):
            raise ValueError("not a reference price per sale")
        discounts = tuple(Discount(*s, decimals[r]) for s, r in zip(shape, references))  # noqa: B905
    elif references:
        raise ValueError("reference prices without a sale")
    else:
        discounts = shape
    return (*parts[:7], decimals[striked], parts[7], parts[8], discounts, parts[10])


_CONDITIONS = {c.value: c for c in Condition}


def _base(row: list[Any], decimals: list[Decimal | None]) -> tuple[Any, ...]:
    (condition, vat, eco, dea, days, delivery, comment, alignment, packaging) = row[:9]
    discounts, unknown = row[9:]
    if type(days) not in (int, type(None)) or type(comment) not in (str, type(None)):
        raise TypeError("not an offer base")
    return (
        None if condition is None else _CONDITIONS.get(condition, str(condition)),
        decimals[vat],
        decimals[eco],
        decimals[dea],
        days,
        None
        if delivery is None
        else tuple(DeliveryOption(str(m), decimals[c], decimals[a]) for m, c, a in delivery),
        comment,
        None if alignment is None else PriceAlignment(bool(alignment[0]), decimals[alignment[1]]),
        None if packaging is None else Packaging(str(packaging[0]), Decimal(packaging[1])),
        None
        if discounts is None
        else tuple(
            (
                datetime.fromisoformat(start),
                datetime.fromisoformat(end),
                OperationKind(kind),
                int(percent),
            )
            for start, end, kind, percent in discounts
        ),
        frozenset(map(str, unknown)),
    )


# The bodies spell Offer's fields in this order: a change to the model must come here too.
assert tuple(f.name for f in fields(Offer)) == (
    *("channel", "sku", "gtin", "price", "stock", "condition", "vat", "eco_tax", "dea_tax"),
    *("preparation_days", "delivery", "comment", "striked_price", "price_alignment"),
    *("packaging", "discounts", "unknown"),
), "Offer's fields changed: update reconciler.marketplace.snapshot_codec"
