"""The prices of some offers in an old version of an offers file, read exactly as a full parse
reads them, without composing the whole file.

Composing a 10,000-offer version with libyaml's nodes takes over a second, and the Omnibus check
wants only the offers on sale, in versions that share almost every offer with the one before.
So a version is cut into the items of its `offers:` list (text), an item text is looked at once
per process however many versions hold it, and only items of wanted skus (their sku taken from
a plain `- sku: X` first line) are read, each by the catalog's loader. Whether a
version parses at all (a broken commit holds no prices) is asked of libyaml's own parser at C
speed (`raw_parse`, no Python objects), on the parts not seen before.

The cut is trusted only where it cannot be wrong: no line leaves a quote or a bracket open (so
no item ends inside another), no anchor, alias, tab, directive or document marker, a top level
of plain keys. Any other version is parsed whole (`prices_in`), as before.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from decimal import Decimal, InvalidOperation

import yaml

from reconciler.catalog.load import _Builder, compose
from reconciler.catalog.normal import money

Prices = dict[tuple[str, str], Decimal]  # (channel, sku) -> price; "" channel: every channel


def prices_in(text: str) -> Prices:
    """The prices an offers file sets, by (channel, sku), from a full parse.

    An old version that no longer parses simply holds no prices.
    """
    try:  # the catalog's own loader: libyaml's nodes, plain values built without PyYAML's
        root = compose(text)  # constructor (twice as fast)
        data = _Builder("&" in text).build(root) if root is not None else None  # empty: none
    except (yaml.YAMLError, RecursionError):
        return {}
    entries = data.get("offers") if isinstance(data, dict) else None
    prices: Prices = {}
    for entry in entries if isinstance(entries, list) else []:
        entry_prices(entry, prices)
    return prices


def entry_prices(entry: object, prices: Prices) -> None:
    """Put the prices one item of `offers:` sets (its own, its channels' overrides)."""
    if not isinstance(entry, dict) or "sku" not in entry:
        return
    sku = str(entry["sku"])
    _put(prices, ("", sku), entry.get("price"))
    overrides = entry.get("overrides")
    for channel, fields in (overrides if isinstance(overrides, dict) else {}).items():
        if isinstance(fields, dict):
            _put(prices, (str(channel), sku), fields.get("price"))


def _put(prices: Prices, key: tuple[str, str], value: object) -> None:
    if value is None or isinstance(value, bool):
        return
    with contextlib.suppress(InvalidOperation, ValueError, TypeError):
        prices[key] = money(value)  # a price that was not a number then is no price


# --- what makes a version safe to cut -------------------------------------------------------

# Anything that can tie one part of the file to another, or make it more than one document.
_UNSAFE = ("&", "*", "\t", "\ufeff", "\n---", "\n...", "\n%", "\n" + " " * 60)  # after "\n"+text
_KEY = r"[A-Za-z_][\w-]*"
_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\n]|'')*'"
_PLAIN = r"""[^\s\-?:,\[\]{}#&*!|>'"%@`](?:[^:#\n]|:(?=\S)|(?<=\S)#)*"""


def _flow(depth: int) -> str:
    """A flow collection closed on its line, nested `depth` deep at most (no comment inside)."""
    inner = rf"""(?:[^"'\[\]{{}}#\n]|{_DQ}|{_SQ}{"|" + _flow(depth - 1) if depth > 1 else ""})*"""
    return rf"(?:\[{inner}\]|\{{{inner}\}})"


_VALUE = rf"(?:{_DQ}|{_SQ}|{_flow(3)}|[|>][-+0-9]*|{_PLAIN})"
_CLOSED = rf" *(?:- +)*(?:{_KEY}: *)?{_VALUE}? *(?:#[^\n]*)?"
# A line with a quote or a bracket that may stay open at its end: the cut cannot be trusted.
_OPEN_LINE = re.compile(rf"""^(?=[^\n]*["'\[\]{{}}])(?!{_CLOSED}$)""", re.MULTILINE)
_TOP = re.compile(r"\n[^\s#][^\n]*")  # a line at column 0 that says something (after a \n)
_TOP_KEY = re.compile(rf"{_KEY}:(?: |$)")
_OFFERS = re.compile(r"offers: *(?:#[^\n]*)?")
_OFFERS_KEY = re.compile(r"offers\b(?!-)")
_FIRST_ITEM = re.compile(r"^(?: *(?:#[^\n]*)?\n)*( *)-(?: |$)", re.MULTILINE)


class VersionReader:
    """Reads versions of offers files, remembering what it saw of each item across versions."""

    def __init__(self) -> None:
        # an item's text (known to parse under `offers:`) -> its sku and prices (None: not
        # read yet, or not plain)
        self._items: dict[str, tuple[str | None, Prices | None]] = {}
        self._frames: dict[str, bool] = {}  # a version less its items -> libyaml parses it
        self._cuts: dict[str, list[str] | None] = {}  # prepared versions: their items, if cut
        # the items that may hold prices of some skus (of them, or of a sku not known before
        # they are read), for the last skus asked, and how many items of the memo were seen
        self._relevant: tuple[frozenset[str], set[str], int] = (frozenset(), set(), 0)

    def prepare(self, text: str) -> None:
        """Cut a version and learn its new items ahead of `read` (before the skus are known)."""
        if text not in self._cuts:
            cut = _cut(text)
            self._cuts[text] = cut[1] if cut is not None and self._parses(*cut) else None

    def read(self, text: str, skus: frozenset[str] | None = None) -> Prices:
        """The prices of `text`, only those of `skus` when given (exactly what `prices_in`
        finds for them)."""
        self.prepare(text)
        items = self._cuts.pop(text)
        if items is None:
            found = prices_in(text)
            return found if skus is None else {k: p for k, p in found.items() if k[1] in skus}
        if skus is not None:  # a version holds few items of the skus on sale
            relevant = self._relevant_to(skus)
            items = [item for item in items if item in relevant]
        prices: Prices = {}
        memo = self._items
        # An item's prices are all of its one sku (the sku known before it is read is the one
        # read): an item of a known sku not asked for is passed over whole.
        for item in items:
            sku, found = memo[item]
            if skus is not None and sku is not None and sku not in skus:
                continue
            if found is None:
                sku, found = memo[item] = _item_prices(item)
            if found and (skus is None or sku in skus):
                prices.update(found)
        return prices

    def _relevant_to(self, skus: frozenset[str]) -> set[str]:
        """The items seen of `skus` or of a sku not known yet: the others hold none of their
        prices (an item's sku, once known, does not change)."""
        asked, chosen, seen = self._relevant
        if asked != skus:
            asked, chosen, seen = skus, set(), 0
        memo = self._items
        if seen < len(memo):
            new = itertools.islice(memo.items(), seen, None)
            chosen.update(item for item, (sku, _) in new if sku is None or sku in skus)
        self._relevant = (asked, chosen, len(memo))
        return chosen

    def read_items_ahead(self, skus: frozenset[str], words: frozenset[str]) -> frozenset[str]:
        """Read ahead the prices of the items seen so far that are likely wanted: of one of
        `skus`, or whose text holds one of `words` (tags). A guess: what it misses is read when
        asked for, what it reads needlessly costs time only (an item reads the same whenever).
        Returns `skus` and the skus of the items read for `words`."""
        memo = self._items
        guessed = set(skus)
        for item, (sku, found) in list(memo.items()):
            if sku in skus or any(w in item for w in words):
                if found is None:
                    sku, found = memo[item] = _item_prices(item)
                if sku is not None:
                    guessed.add(sku)
        return frozenset(guessed)

    def _parses(self, frame: str, items: list[str]) -> bool:
        """Whether the whole version parses: its frame, and each item under `offers:`.

        Items are independent once no quote or bracket spans lines, so the items not seen
        before are parsed together, in one call.
        """
        new = [item for item in items if item not in self._items]
        if new:
            text = "offers:\n" + "".join(new)
            if _OPEN_LINE.search(text) or not _raw_parses(text):
                return False  # which item is wrong is not worth knowing: parsed whole
            self._items.update((item, (_first_sku(item), None)) for item in new)
        if frame not in self._frames:
            self._frames[frame] = not _OPEN_LINE.search(frame) and _raw_parses(frame)
        return self._frames[frame]


def _raw_parses(text: str) -> bool:
    try:
        yaml.CSafeLoader(text).raw_parse()
    except yaml.YAMLError:
        return False
    return True


def _cut(text: str) -> tuple[str, list[str]] | None:
    """The frame of a version (all but its offers, `offers:` kept) and the items of its offers."""
    text = "\n" + text  # every line after a newline: found by a literal, quickly
    if any(sign in text for sign in _UNSAFE):
        return None
    tops = list(_TOP.finditer(text))
    offers = [m for m in tops if _OFFERS_KEY.match(text, m.start() + 1)]
    if len(offers) != 1 or not _OFFERS.fullmatch(offers[0][0][1:]):
        return None
    body_at = offers[0].end() + 1
    first = _FIRST_ITEM.match(text, body_at)
    if first is None:
        return None
    indent = len(first[1])
    ends = [m for m in tops if m.start() >= body_at and not (indent == 0 and _is_item(m[0]))]
    if not all(_TOP_KEY.match(m[0], 1) for m in tops if m.start() < body_at or m in ends):
        return None
    end = ends[0].start() + 1 if ends else len(text)
    body = text[first.start(1) : end]
    mark = "\n" + " " * indent + "-"
    if body.count(mark) != body.count(mark + " ") + body.count(mark + "\n"):
        return None  # `-1` or `-x` where an item could start: a value, not an item
    items = [mark[1:] + part for part in body[len(mark) - 1 :].split(mark)]
    if not items[-1].endswith("\n"):
        items[-1] += "\n"
    frame = text[: body_at - 1] + "\n" + text[body_at : first.start(1)] + text[end:]
    return frame, [item + "\n" for item in items[:-1]] + items[-1:]


def _is_item(line: str) -> bool:
    return line == "\n-" or line.startswith("\n- ")


# --- one item -------------------------------------------------------------------------------

_DASH_SKU = re.compile(r"( *)-( +)sku:[ ]*([^\n]*)\n(?P<pad> *)(?P<next>\S|\Z)?")
_SKU = re.compile(r"[A-Za-z0-9_][\w./+-]*")


def _first_sku(item: str) -> str | None:
    """The sku of an item that starts `- sku: X` (its first key: a repeated key does not count),
    X plain and on one line; None when that takes the loader."""
    dash = _DASH_SKU.match(item)
    if dash is None or _continued(dash, len(dash[1]) + 1 + len(dash[2])):
        return None
    return _plain_sku([dash[3].split(" #", 1)[0].rstrip(" ")])


def _continued(line: re.Match[str], column: int) -> bool:
    """Whether the value on a key's line goes on below (more indented, or past a blank line)."""
    return line["next"] is None or len(line["pad"]) > column


def _item_prices(item: str) -> tuple[str | None, Prices]:
    """An item's sku and prices, read by the catalog's loader (the item alone under `offers:`):
    never by hand, so a price is read exactly as a full parse reads it."""
    found = prices_in("offers:\n" + item)
    return (next(iter(found))[1] if found else _first_sku(item)), found


def _plain_sku(values: list[str]) -> str | None:
    """A sku written once, as plain text YAML reads as a string (not 0x1F, yes, 1_000)."""
    if len(values) != 1 or not _SKU.fullmatch(values[0]):
        return None
    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, values[0], (True, False))
    return values[0] if resolved == "tag:yaml.org,2002:str" else None
