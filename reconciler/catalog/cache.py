"""The parse cache: what an offers file resolves to, kept in `.catalog/cache/` by content hash.

An unchanged offers file is not parsed, checked or resolved again: its resolved offers, tags,
places and warnings are read back from one entry. An entry's name is a hash of everything its
content depends on (the file's bytes, catalog.yaml's bytes, the tool's own catalog code and
schemas), so a changed file, settings or tool simply finds no entry.

The folder is input like any other (it can arrive with a pull request or a CI cache), so an
entry is plain data (orjson, never pickle) and signed with a key kept outside the catalog
(`~/.cache/catalog-reconciler/cache.key`, or under `$XDG_CACHE_HOME`, or the CATALOG_CACHE_KEY
secret): an entry that is corrupt,
truncated, written by another machine or planted in the catalog is ignored, and the file is
parsed as if there were no cache. A file with an error is never cached: its problems are found
again, with their exact places.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from functools import cache
from operator import attrgetter
from pathlib import Path
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
    unfrozen_twin,
)
from reconciler.errors import Location, Problem
from reconciler.state import StateFolder, StateFolderUnusable

FORMAT = b"catalog-parse-cache 2"
_INSTALL = Path(__file__).resolve().parent.parent  # the reconciler package
_SIGNATURE = 32  # bytes of blake2b keyed digest in front of each entry


@cache
def tool_digest() -> bytes:
    """What a cached result depends on besides the files: this version of the catalog code
    (resolve, rules, normal form) and the schemas."""
    from reconciler.catalog import schema

    digest = hashlib.blake2b(FORMAT, digest_size=32)
    for source in sorted(Path(__file__).parent.glob("*.py")):
        with open(source, "rb") as code:  # noqa: PTH123
            digest.update(source.name.encode() + b"\0" + code.read())
    for name in schema.SCHEMA_NAMES:
        digest.update(json.dumps(schema.schema(name), sort_keys=True).encode())
    return digest.digest()


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "catalog-reconciler" / "cache.key"


@cache
def _signing_key() -> bytes | None:
    """This machine's key (made on first use); None when it cannot be kept: no cache then.

    CATALOG_CACHE_KEY (a CI secret) gives it instead of the file: for a CI whose cache can only
    hold paths inside the checkout, where a key file could arrive with a merge request.
    """
    given = os.environ.get("CATALOG_CACHE_KEY")
    if given:
        return hashlib.blake2b(given.encode(), digest_size=32).digest()
    path = _key_file()
    try:
        with open(path, "rb") as kept:  # noqa: PTH123
            key = kept.read()
    except FileNotFoundError:
        key = b""
    except OSError:
        return None
    if len(key) == 32:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        os.replace(temporary, path)
        with open(path, "rb") as kept:  # noqa: PTH123 - another process may have won the race
            key = kept.read()
    except OSError:
        return None
    return key if len(key) == 32 else None


class SignedStore:
    """Entries of plain data in `.catalog/cache/`, each signed with this machine's key."""

    def __init__(self, folder: Path | None, key: bytes | None):
        self.folder = folder if key is not None else None
        self.key = key

    @classmethod
    def of(cls, root: str | Path) -> SignedStore:
        """The store of the catalog at `root`; a disabled one when it cannot be kept."""
        key = None if os.environ.get("CATALOG_NO_CACHE") else _signing_key()
        folder = None
        if Path(root).resolve().is_relative_to(_INSTALL):
            key = None  # the demo shipped inside the package: nothing is written into the install
        if key is not None:
            try:
                folder = StateFolder(root).cache
            except (StateFolderUnusable, OSError):
                folder = None
        return cls(folder, key)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def get(self, name: str) -> Any:
        if self.folder is None or self.key is None:
            return None
        try:
            with open(self.folder / name, "rb") as entry:  # noqa: PTH123 - not a catalog file
                raw = entry.read()
        except OSError:
            return None
        body = raw[_SIGNATURE:]
        if not hmac.compare_digest(raw[:_SIGNATURE], self._sign(name, body)):
            return None  # corrupt, foreign or planted: work it out instead
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return None

    def put(self, name: str, entry: Any) -> None:
        if self.folder is None or self.key is None:
            return
        body = orjson.dumps(entry)
        temporary = self.folder / f".{name}.{os.getpid()}"
        try:
            temporary.write_bytes(self._sign(name, body) + body)
            os.replace(temporary, self.folder / name)
        except OSError:
            temporary.unlink(missing_ok=True)

    def _sign(self, name: str, body: bytes) -> bytes:
        assert self.key is not None
        return hashlib.blake2b(name.encode() + b"\0" + body, digest_size=32, key=self.key).digest()


class ParseCache(SignedStore):
    """The parse cache of one catalog, for one catalog.yaml (offers resolve against it)."""

    def __init__(self, folder: Path | None, key: bytes | None, settings: bytes):
        super().__init__(folder, key)
        self.context = hashlib.blake2b(tool_digest() + settings, digest_size=32).digest()

    @classmethod
    def of(cls, root: str | Path, settings: bytes) -> ParseCache:  # type: ignore[override]
        """The cache of the catalog at `root` whose catalog.yaml holds `settings`."""
        store = SignedStore.of(root)
        return cls(store.folder, store.key, settings)

    def name_of(self, content: bytes) -> str:
        return hashlib.blake2b(content, digest_size=32, key=self.context).hexdigest()

    def get(self, name: str) -> dict[str, Any] | None:
        entry = super().get(name)
        return entry if isinstance(entry, dict) else None

    def get_problems(self, name: str, files: list[str]) -> list[Problem] | None:
        """Problems kept by `put_problems`, their files given by number in `files`."""
        entry = super().get(name)
        if not isinstance(entry, list):
            return None
        try:
            return [decode_problem(row, files) for row in entry]
        except (TypeError, ValueError, IndexError):
            return None

    def put_problems(self, name: str, problems: list[Problem], files: list[str]) -> None:
        rows = [encode_problem(p, {file: i for i, file in enumerate(files)}) for p in problems]
        if None not in rows:  # a problem elsewhere than in `files`: found again next time
            super().put(name, rows)


# --- offers as plain data -------------------------------------------------------------------


class OfferCodec:
    """Offers to short rows of JSON values and back.

    Most of an offer repeats across a catalog (condition, taxes, delivery, ...): that "tail" is
    kept once in a table and each row names it, as it names its channel, price and decimals, so
    reading 100,000 offers back is mostly `Offer(*row)` on objects built once.
    """

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
        return [channel, offer.sku, offer.gtin, price, offer.stock, self._tail_index(offer)]

    def encode_item(self, sku: str, offers: list[Offer]) -> tuple[str, list[list[Any]]] | None:
        """The gtin and offers of one sku (one catalog item) as (channel, price, stock, tail)
        rows: the item keeps its sku and gtin once. None if the offers do not share them."""
        gtin = offers[0].gtin if offers else ""
        channels, prices = self._index["text"], self._index["decimals"]
        rows = []
        for offer in offers:
            if offer.sku != sku or offer.gtin != gtin:
                return None
            channel, price = channels.get(offer.channel), prices.get(offer.price)
            if channel is None or price is None:  # new to the tables (or no price)
                channel, price = self._share("text", offer.channel), self._decimal(offer.price)
            rows.append([channel, price, offer.stock, self._tail_index(offer)])
        return gtin, rows

    def _tail_index(self, offer: Offer) -> int:
        tail = _TAIL(offer)
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
            dec(offer.striked_price),
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
        text, decimals, tails = _tables(tables)

        def decode(rows: list[list[Any]], new: Any = OpenOffer, sealed: type = Offer) -> list:
            offers = []
            for channel, sku, gtin, price, stock, tail in rows:
                offer = new(text[channel], sku, gtin, decimals[price], stock, *tails[tail])
                offer.__class__ = sealed
                offers.append(offer)
            return offers

        return decode

    @staticmethod
    def item_decoder(tables: dict[str, list[Any]], name: str) -> Any:
        """A function that reads the items of an entry (written by `encode_item`) of the file
        `name` into `offers` and `places` (by channel and sku); it gives (sku, place, tags) of
        each item and the keys it added. KeyError, leaving both maps as they were, when a
        (channel, sku) is in `places` already."""
        text, decimals, tails = _tables(tables)

        def decode(items: list[list[Any]], offers: dict, places: dict) -> tuple[list, list]:
            read: list[tuple[str, Location, Any]] = []
            keys: list[tuple[str, str]] = []
            try:
                for index, line, column, sku, gtin, tags, sold in items:
                    place = _OpenLocation(name, line, column, f"offers[{index}]")
                    place.__class__ = Location
                    read.append((sku, place, tags))
                    for channel, price, stock, tail in sold:
                        key = (text[channel], sku)
                        if key in places:
                            raise KeyError(key)  # declared by another file (or twice: forged)
                        offer = OpenOffer(*key, gtin, decimals[price], stock, *tails[tail])
                        offer.__class__ = Offer
                        keys.append(key)
                        offers[key] = offer
                        places[key] = place
            except BaseException:
                for key in keys:
                    del offers[key], places[key]
                raise
            return read, keys

        return decode


def _tables(tables: dict[str, list[Any]]) -> tuple[list[str], list[Decimal | None], list[tuple]]:
    text = [str(t) for t in tables["text"]]
    decimals: list[Decimal | None] = [Decimal(d) for d in tables["decimals"]]
    decimals.append(None)  # index -1: no value
    options: dict[tuple, tuple[DeliveryOption, ...]] = {}
    return text, decimals, [_tail(t, decimals, options) for t in tables["tails"]]


_CONDITIONS = {c.value: c for c in Condition}


def _condition(value: Any) -> Condition | str | None:
    return None if value is None else _CONDITIONS.get(value, str(value))


def _tail(row: list[Any], decimals: list[Decimal | None], options: dict) -> tuple[Any, ...]:
    def dec(index: int | None) -> Decimal | None:
        return decimals[-1 if index is None else index]

    (condition, vat, eco, dea, days, delivery, comment, striked, alignment, packaging) = row[:10]
    discounts, unknown = row[10:]
    if type(days) not in (int, type(None)) or type(comment) not in (str, type(None)):
        raise TypeError("not an offer tail")
    return (
        _condition(condition),
        dec(vat),
        dec(eco),
        dec(dea),
        days,
        None if delivery is None else _options(delivery, dec, options),
        comment,
        dec(striked),
        None if alignment is None else PriceAlignment(bool(alignment[0]), dec(alignment[1])),
        None if packaging is None else Packaging(str(packaging[0]), Decimal(packaging[1])),
        None
        if discounts is None
        else tuple(
            Discount(
                datetime.fromisoformat(start),
                datetime.fromisoformat(end),
                OperationKind(kind),
                int(percent),
                dec(reference),
            )
            for start, end, kind, percent, reference in discounts
        ),
        frozenset(map(str, unknown)) if unknown else _NOTHING_UNKNOWN,
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
# The rows above spell Offer's fields in this order: a change to the model must come here too.
assert tuple(f.name for f in fields(Offer)) == (
    *("channel", "sku", "gtin", "price", "stock", "condition", "vat", "eco_tax", "dea_tax"),
    *("preparation_days", "delivery", "comment", "striked_price", "price_alignment"),
    *("packaging", "discounts", "unknown"),
), "Offer's fields changed: update reconciler.catalog.cache"
_OpenLocation = unfrozen_twin(Location)


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
