"""Offers and problems as plain JSON values, for the parse cache and the live snapshots.

Offers are short rows naming shared tables (channel names, decimals, the "tails" of fields
most offers repeat); the decoders build them back with as little Python per offer as they can:
a catalog reads 200,000 of them back on every warm load.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

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
from reconciler.errors import Location, Problem

# --- offers as plain data -------------------------------------------------------------------


class OfferCodec:
    """Offers to short rows of JSON values and back.

    Most of an offer repeats across a catalog (condition, taxes, delivery, ...): that "tail" is
    kept once in a table and each row names it, as it names its channel, price and decimals, so
    reading 100,000 offers back is mostly `Offer(*row)` on objects built once.
    """

    STRIKED_IN_TAIL = True  # ItemCodec keeps the struck-through price beside the price

    def __init__(self) -> None:
        self.tables: dict[str, list[Any]] = {"text": [], "decimals": [], "tails": []}
        self._index: dict[str, dict[Any, int]] = {name: {} for name in self.tables}
        self._same: dict[tuple[int, ...], tuple[int, tuple]] = {}

    def _share(self, table: str, value: Any) -> int:
        index = self._index[table]
        found = index.get(value)
        if found is None:
            found = index[value] = len(self.tables[table])
            self.tables[table].append(value)
        return found

    def _decimal(self, value: Decimal | None) -> int | None:
        # by value: the amounts here are in normal form (two places), so equal means alike
        return None if value is None else self._share("decimals", value)

    def encode(self, offer: Offer) -> list[Any]:
        """The offer as plain values."""
        price = self._decimal(offer.price)
        channel = self._share("text", offer.channel)
        price = -1 if price is None else price  # a price not returned: the table's last, None
        return [channel, offer.sku, offer.gtin, price, offer.stock, self._tail_index(offer)]

    def _tail_index(self, offer: Offer) -> int:
        tail = _TAIL(offer) if self.STRIKED_IN_TAIL else _UNSTRUCK(offer)
        # Hashing a tail by value calls Python for the enum and each delivery option; most
        # offers hold the very objects the resolver made once for the defaults, so they are
        # looked up by identity first (the memo keeps them alive: an id is not reused).
        same = tuple(map(id, tail))
        found = self._same.get(same)
        if found is None:
            found = self._same[same] = (self._tail_by_value(offer, tail), tail)
        return found[0]

    def _tail_by_value(self, offer: Offer, tail: tuple) -> int:
        packaging = offer.packaging
        key = tail if packaging is None else (*tail, str(packaging.value))  # 1.5 is not 1.50
        index = self._index["tails"].get(key)
        if index is None:
            index = self._index["tails"][key] = len(self.tables["tails"])
            self.tables["tails"].append(self._tail(offer))
        return index

    def _tail(self, offer: Offer) -> list[Any]:
        dec = self._decimal
        alignment, packaging = offer.price_alignment, offer.packaging
        # A field named in `unknown` holds None (not returned, not owned): kept as null.
        delivery, discounts = offer.delivery, offer.discounts
        return [
            # a live condition the client cannot read stays its raw text (the plan sets it aside)
            getattr(offer.condition, "value", offer.condition),
            dec(offer.vat),
            dec(offer.eco_tax),
            dec(offer.dea_tax),
            offer.preparation_days,
            None
            if delivery is None
            else [(o.mode, dec(o.cost), dec(o.additional_cost)) for o in delivery],
            offer.comment,
            dec(offer.striked_price) if self.STRIKED_IN_TAIL else None,
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
            sorted(offer.unknown),
        ]

    def dump(self) -> dict[str, list[Any]]:
        """The tables as JSON values (decimals as their text)."""
        return {**self.tables, "decimals": [str(d) for d in self.tables["decimals"]]}

    @staticmethod
    def decoder(tables: dict[str, list[Any]]) -> Any:
        """A function from rows to their Offers (ValueError/TypeError/... on a malformed table).

        The rows are trusted as far as their signature goes: this tool wrote them.
        """
        text, decimals, tails = tables_of(tables)

        def decode(rows: list[list[Any]], new: Any = OpenOffer, sealed: type = Offer) -> list:
            offers = []
            for channel, sku, gtin, price, stock, tail in rows:
                offer = new(text[channel], sku, gtin, decimals[price], stock, *tails[tail])
                offer.__class__ = sealed
                offers.append(offer)
            return offers

        return decode


def tables_of(
    tables: dict[str, list[Any]], known: dict[str, Decimal] | None = None
) -> tuple[list[str], list[Decimal | None], list[tuple]]:
    """The tables of an entry as values; `known`: decimals by text, shared by the entries of
    one load (the files of a catalog repeat their prices and taxes)."""
    text = [str(t) for t in tables["text"]]
    if known is None:
        known = {}
    decimals: list[Decimal | None] = [
        known[d] if d in known else known.setdefault(d, Decimal(d)) for d in tables["decimals"]
    ]
    decimals.append(None)  # index -1: no value
    by_number: dict[int | None, Decimal | None] = dict(enumerate(decimals))
    by_number[-1] = by_number[None] = None  # a tail's null: no value
    options: dict[tuple, tuple[DeliveryOption, ...]] = {}
    dec = by_number.__getitem__  # KeyError for a number out of the table
    return text, decimals, [_tail(t, dec, options) for t in tables["tails"]]


_CONDITIONS = {c.value: c for c in Condition}


def _condition(value: Any) -> Condition | str | None:
    return None if value is None else _CONDITIONS.get(value, str(value))


def _tail(row: list[Any], dec: Any, options: dict) -> tuple[Any, ...]:
    (condition, vat, eco, dea, days, delivery, comment, striked, alignment, packaging) = row[:10]
    discounts, unknown = row[10:]
    if type(days) not in (int, type(None)) or type(comment) not in (str, type(None)):
        raise TypeError("not an offer tail")
    return (
        _CONDITIONS.get(condition) or _condition(condition),
        dec(vat),
        dec(eco),
        dec(dea),
        days,
        None if delivery is None else _options(delivery, dec, options),
        comment,
        dec(striked),
        None if alignment is None else PriceAlignment(bool(alignment[0]), dec(alignment[1])),
        None if packaging is None else Packaging(str(packaging[0]), Decimal(packaging[1])),
        _discounts(discounts, dec) if discounts else None if discounts is None else (),
        frozenset(map(str, unknown)) if unknown else _NOTHING_UNKNOWN,
    )


def _discounts(rows: list[list[Any]], dec: Any) -> tuple[Discount, ...]:
    return tuple(
        Discount(
            datetime.fromisoformat(start),
            datetime.fromisoformat(end),
            OperationKind(kind),
            int(percent),
            dec(reference),
        )
        for start, end, kind, percent, reference in rows
    )


_NOTHING_UNKNOWN: frozenset[str] = frozenset()


def _options(rows: list[list[Any]], dec: Any, built: dict) -> tuple[DeliveryOption, ...]:
    """The delivery options of a tail; tails differ mostly elsewhere (a price struck through,
    a tax) and share a few sets of options: each is built once (`built`, by its rows)."""
    key = tuple(map(tuple, rows))
    found = built.get(key)
    if found is None:
        found = built[key] = tuple(DeliveryOption(str(m), dec(c), dec(a)) for m, c, a in rows)
    return found


_TAIL = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery", "comment"),
    *("striked_price", "price_alignment", "packaging", "discounts", "unknown"),
)
_UNSTRUCK = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery", "comment"),
    *("price_alignment", "packaging", "discounts", "unknown"),
)
# The rows above spell Offer's fields in this order: a change to the model must come here too.
assert tuple(f.name for f in fields(Offer)) == (
    *("channel", "sku", "gtin", "price", "stock", "condition", "vat", "eco_tax", "dea_tax"),
    *("preparation_days", "delivery", "comment", "striked_price", "price_alignment"),
    *("packaging", "discounts", "unknown"),
), "Offer's fields changed: update reconciler.catalog.cache"


# --- problems as plain data -----------------------------------------------------------------


def encode_problem(problem: Problem, names: dict[str, int]) -> list[Any] | None:
    """A warning as plain values, its file given by number (the file, catalog.yaml)."""
    loc = problem.location
    if loc.file not in names:
        return None
    return [names[loc.file], loc.line, loc.column, loc.field, problem.message, problem.severity]


def decode_problem(row: list[Any], names: list[str]) -> Problem:
    file, line, column, field, message, severity = row
    return Problem(Location(names[file], line, column, field), message, severity)
