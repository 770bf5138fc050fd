"""The live snapshot's format: one channel's offers as flat lists of plain values, read back
with as little Python per offer as possible (an hourly plan of a big shop reads them all).

A snapshot file is `signature | head | "\\n" | body`:
- the signature is keyed by this machine's key (the parse cache's) over the format, the file's
  name, head and body: a corrupt, planted or older-format file is not ours and is not read;
- the head (JSON) says what the snapshot is (identity, moment, journal size, fields, count):
  a read can decide to use it, and start asking the marketplace for what changed since,
  before the body is decoded;
- the body (JSON) holds tables and the offers, 5 values each: sku, gtin, price (index into
  `decimals`, -1: not returned), stock and tail (index into `tails`). A tail is every other
  field but the struck-through price (a `base`) with that price: most live offers share a
  few bases, and the xml channel's struck prices vary per offer.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
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

FORMAT = b"catalog-live-snapshot 2"
_SIGNATURE = 32
_OFFER = 5  # values per offer in the body


def sign(key: bytes, name: str, head: bytes, body: bytes | memoryview) -> bytes:
    digest = hashlib.blake2b(digest_size=_SIGNATURE, key=key)
    for part in (FORMAT, name.encode(), head, body):
        digest.update(part)  # not `part + b"\0"`: a copy of a body of a million offers
        digest.update(b"\0")
    return digest.digest()


def packed(key: bytes, name: str, head: dict[str, Any], body: dict[str, Any]) -> list[bytes]:
    """The parts of a snapshot file, written one after the other (not joined: the body of a
    million offers is ~100 MB, held once)."""
    head_bytes, body_bytes = orjson.dumps(head), orjson.dumps(body)
    return [sign(key, name, head_bytes, body_bytes), head_bytes, b"\n", body_bytes]


def pack(key: bytes, name: str, head: dict[str, Any], body: dict[str, Any]) -> bytes:
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
    if not hmac.compare_digest(raw[:_SIGNATURE], sign(key, name, head, body)):
        return None
    try:
        parsed = orjson.loads(head)
    except orjson.JSONDecodeError:
        return None
    return (parsed, body) if isinstance(parsed, dict) else None


# Every field but channel, sku, gtin, price, stock and striked_price, in Offer's order.
_BASE = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery", "comment"),
    *("price_alignment", "packaging", "discounts", "unknown"),
)
# The same but the comment: objects most live offers share (compared by identity first).
_SHARED = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery"),
    *("price_alignment", "packaging", "discounts", "unknown"),
)


class Encoder:
    """Offers to a body; bases are found by the identity of their parts first (live offers
    share their taxes, delivery and unknown sets), by value when new."""

    def __init__(self) -> None:
        self.decimals: dict[Decimal, int] = {}
        self.bases: dict[tuple, int] = {}
        self.tails: dict[tuple[int, int], int] = {}
        self._same: dict[tuple, tuple[int, tuple]] = {}  # keeps its parts alive: ids stay theirs
        self.offers: list[Any] = []

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
            tail = (self._base(offer), dec(offer.striked_price))
            index = tails.get(tail)
            if index is None:
                index = tails[tail] = len(tails)
            put((offer.sku, offer.gtin, dec(offer.price), offer.stock, index))

    def _base(self, offer: Offer) -> int:
        shared = _SHARED(offer)
        same = (*map(id, shared), offer.comment)  # a comment is a new string per offer read
        found = self._same.get(same)
        if found is None:
            index = self.bases.setdefault(_by_value(_BASE(offer)), len(self.bases))
            found = self._same[same] = (index, shared)
        return found[0]

    def body(self) -> dict[str, Any]:
        bases = [self._plain(base) for base in self.bases]  # first: they add decimals
        return {
            "decimals": [str(d) for d in self.decimals],
            "bases": bases,
            "tails": list(self.tails),
            "offers": self.offers,
        }

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
                (
                    d.start.isoformat(),
                    d.end.isoformat(),
                    d.kind.value,
                    d.percent,
                    dec(d.reference_price),
                )
                for d in discounts
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
    a body of `count` offers), with the sku and gtin strings of `known` where equal
    (items.shared). The body is trusted as far as its signature goes."""
    parsed = orjson.loads(body)
    decimals: list[Decimal | None] = [Decimal(d) for d in parsed["decimals"]]
    decimals.append(None)  # index -1
    bases = [_base(row, decimals) for row in parsed["bases"]]
    tails = []
    for base, striked in parsed["tails"]:
        parts = bases[base]
        tails.append((*parts[:7], decimals[striked], *parts[7:]))
    flat = parsed["offers"]
    if len(flat) != count * _OFFER:
        raise ValueError("not the offers the head counts")
    offers: dict[str, Offer] = {}
    new, sealed = OpenOffer, Offer
    values = iter(flat)
    same = {}.get if known is None else known.get
    for sku, gtin, price, stock, tail in zip(*[values] * _OFFER):  # noqa: B905 - checked above
        desired = same((channel, sku))  # items.shared, inlined: once per offer of a big shop
        if desired is not None:
            sku = desired.sku
            if desired.gtin == gtin:
                gtin = desired.gtin
        offer = new(channel, sku, gtin, decimals[price], stock, *tails[tail])
        offer.__class__ = sealed
        offers[sku] = offer
    return offers


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
            Discount(
                datetime.fromisoformat(start),
                datetime.fromisoformat(end),
                OperationKind(kind),
                int(percent),
                decimals[reference],
            )
            for start, end, kind, percent, reference in discounts
        ),
        frozenset(map(str, unknown)),
    )


# The bodies spell Offer's fields in this order: a change to the model must come here too.
assert tuple(f.name for f in fields(Offer)) == (
    *("channel", "sku", "gtin", "price", "stock", "condition", "vat", "eco_tax", "dea_tax"),
    *("preparation_days", "delivery", "comment", "striked_price", "price_alignment"),
    *("packaging", "discounts", "unknown"),
), "Offer's fields changed: update reconciler.marketplace.snapshot_codec"
