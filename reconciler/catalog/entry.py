"""The parse cache's entry of one offers file: its items and their offers as flat lists.

A warm load reads 200,000 offers of 100,000 items back from these entries on every run, so the
reader works column by column: each `map` and `zip` below loops in C, and the Python left per
offer is `_SealedOffer`'s body.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from itertools import compress, repeat
from operator import is_not
from typing import Any

from reconciler.catalog.codec import OfferCodec, tables_of
from reconciler.catalog.model import Offer
from reconciler.catalog.origins import ReadBack, arrays

_ITEM, _SOLD = 6, 6  # values per item, per offer
Key = tuple[str, str]


class ItemCodec(OfferCodec):
    """The offers of one catalog file by item (one sku and its offers on each channel), as two
    flat lists: (index, line, column, sku, gtin, tags) of each item, then (item, channel,
    price, striked price, stock, tail) of each offer. An item's sku, gtin and place are kept
    once, its tags by number in a table (None: no tags), and flat lists of plain values are
    what orjson writes and reads fastest. A struck-through price is as much the offer's own
    as its price: kept out of the tail, it leaves a tenth as many tails to build back."""

    STRIKED_IN_TAIL = False

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Any] = []
        self.sold: list[Any] = []
        self.tags: dict[tuple[str, ...], int] = {}

    def add(self, place: tuple[int, int, int], sku: str, tags: Any, offers: list[Offer]) -> bool:
        """One item, at (index, line, column); False when its offers do not share its sku and
        gtin (then the file is not kept)."""
        gtin = offers[0].gtin if offers else ""
        item = len(self.items) // _ITEM
        tagged = None if tags is None else self.tags.setdefault(tuple(tags), len(self.tags))
        self.items.extend((*place, sku, gtin, tagged))
        channels, prices = self._index["text"], self._index["decimals"]
        for offer in offers:
            if offer.sku != sku or offer.gtin != gtin:
                return False
            channel, price = channels.get(offer.channel), prices.get(offer.price)
            if channel is None or price is None:  # new to the tables (or no price)
                channel, price = self._share("text", offer.channel), self._decimal(offer.price)
                price = -1 if price is None else price  # the table's last: None
            striked = self._decimal(offer.striked_price)
            striked = -1 if striked is None else striked
            tail = self._tail_index(offer)
            self.sold.extend((item, channel, price, striked, offer.stock, tail))
        return True

    @property
    def offer_count(self) -> int:
        return len(self.sold) // _SOLD

    def dump_items(self) -> dict[str, Any]:
        tables = {**self.dump(), "tags": list(self.tags)}
        return {"items": self.items, "sold": self.sold, "tables": tables}

    @staticmethod
    def reader(entry: dict[str, Any], name: str, known: dict[str, Decimal]) -> EntryItems:
        """The items of an entry (`dump_items`) of the file `name`; `known`: decimals by text,
        shared by the entries of one load. ValueError, TypeError, ... when it is malformed."""
        return EntryItems(entry, name, known)


class EntryItems:
    """The items of one entry: their skus and tags at once, their offers when read."""

    def __init__(self, entry: dict[str, Any], name: str, known: dict[str, Decimal]) -> None:
        self.tables = tables_of(entry["tables"], known)
        tag_lists = entry["tables"]["tags"]
        self.tag_sets = [frozenset(map(str, tags)) for tags in tag_lists]
        self.name = name
        self.items, self.sold = entry["items"], entry["sold"]
        if len(self.items) % _ITEM or len(self.sold) % _SOLD:
            raise ValueError("not whole items")
        self.skus: list[str] = self.items[3::_ITEM]
        if not all(map(isinstance, self.skus, repeat(str))):
            raise TypeError("a sku that is not text")

    def tags(self) -> tuple[list[str], list[frozenset[str]]]:
        """The skus that have tags (an empty list too), and their tags."""
        numbers = self.items[5::_ITEM]
        given = list(map(is_not, numbers, repeat(None)))
        return list(compress(self.skus, given)), list(
            map(self.tag_sets.__getitem__, compress(numbers, given))
        )

    def places(self) -> ReadBack:
        items = self.items
        indexes, lines, columns = arrays(items[0::_ITEM], items[1::_ITEM], items[2::_ITEM])
        return ReadBack(self.name, self.skus, indexes, lines, columns)

    def read(self, offers: dict[Key, Offer], declared: Any) -> tuple[list[Key], list[int]]:
        """Build the offers into `offers` (by channel and sku); the keys added and the item of
        each. KeyError, leaving `offers` as it was, when a key is in `declared` (anything with
        an `isdisjoint` of keys: the catalog's Origins; None when the caller knows no sku of
        this entry is declared yet) or twice in the entry."""
        text, decimals, tails = self.tables
        items, sold = self.items, self.sold
        owner = sold[0::_SOLD]  # the item of each offer
        channels = map(text.__getitem__, sold[1::_SOLD])
        keys = list(zip(channels, map(self.skus.__getitem__, owner), strict=True))
        if declared is not None and not declared.isdisjoint(keys):
            raise KeyError("declared by another file")
        gtins = items[4::_ITEM]
        built = map(
            _SealedOffer,
            keys,
            map(gtins.__getitem__, owner),
            map(decimals.__getitem__, sold[2::_SOLD]),
            map(decimals.__getitem__, sold[3::_SOLD]),
            sold[4::_SOLD],
            map(tails.__getitem__, sold[5::_SOLD]),
        )
        had = len(offers)
        try:
            offers.update(zip(keys, built, strict=True))
            if len(offers) != had + len(keys):
                raise KeyError("a key twice in one entry: forged")
        except BaseException:  # a malformed row too: nothing of the entry stays
            for key in keys:  # all new to `offers`: checked above, or known by sku
                offers.pop(key, None)
            raise
        return keys, owner


class _SealedOffer:
    """An `Offer` built from a row's parts (key, gtin, price, striked price, stock, tail) with
    plain slot stores: its class is set to Offer at the end of __init__ (see
    model.unfrozen_twin). The tail's own striked price is None: the row's is set after it."""

    __slots__ = tuple(f.name for f in fields(Offer))

    def __init__(
        self, key: tuple[str, str], gtin: str, price: Any, striked: Any, stock: Any, tail: tuple
    ) -> None:
        self.channel, self.sku = key
        self.gtin, self.price, self.stock = gtin, price, stock
        (
            self.condition,
            self.vat,
            self.eco_tax,
            self.dea_tax,
            self.preparation_days,
            self.delivery,
            self.comment,
            self.striked_price,
            self.price_alignment,
            self.packaging,
            self.discounts,
            self.unknown,
        ) = tail
        self.striked_price = striked
        self.__class__ = Offer  # type: ignore[assignment]
