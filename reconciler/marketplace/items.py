"""One GET /offers item as an `Offer` in the catalog's normal form.

Wire names are those of reconciler/marketplace/wire.py. Reading is tolerant (unknown nodes are
ignored, key case too), and a node the marketplace did not return leaves its field unknown,
never zero. Reading a big shop is mostly this module: the common item shape is read directly,
with the lists most offers share (taxes, delivery) normalized once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

from reconciler.catalog.model import (
    DeliveryOption,
    Discount,
    Offer,
    OperationKind,
    Packaging,
    PriceAlignment,
)
from reconciler.catalog.normal import condition, delivery, delivery_option, moment, money, rate
from reconciler.marketplace import wire

_KINDS = {"sales": OperationKind.SALES, "flashsale": OperationKind.FLASH_SALE}


class UnusableItem(ValueError):
    """A live item that cannot be taken as truth (a null sku, a fractional quantity, ...)."""


def _taxes(raw: list[Mapping[str, Any]]) -> tuple[Decimal | None, Decimal, Decimal]:
    """(vat, eco_tax, dea_tax) from a tax list; vat None when the list has none. A list that
    is there but lacks Ecotax or DEA states them as zero (DEA is only sent when not zero)."""
    found: dict[str, Decimal] = {}
    for node in raw:
        code = wire.fold(str(wire.find(node, wire.TAX_CODE) or ""))
        kind = str(wire.find(node, wire.TAX_TYPE) or "").lower()
        amount = Decimal(str(wire.find(node, wire.TAX_VALUE) or 0))
        name = wire.TAX_CODE_ALIASES.get(code)
        if name == "vat" and kind == wire.TAX_TYPE_RATE:
            amount *= 100  # the variant one client sends: 0.2 for 20 %
        if name:
            found[name] = amount
    vat = found.get("vat")
    return (
        None if vat is None else rate(vat),
        money(found.get("eco_tax", 0)),
        money(found.get("dea_tax", 0)),
    )


def _delivery(raw: list[Mapping[str, Any]]) -> tuple[DeliveryOption, ...]:
    return delivery(
        [
            delivery_option(
                wire.find(d, wire.DELIVERY_CODE),
                wire.find(d, wire.DELIVERY_COST) or 0,
                wire.find(d, wire.DELIVERY_ADDITIONAL_COST) or 0,
            )
            for d in raw
        ]
    )


class _Shared:
    """Most offers of a shop share their taxes and delivery list: each distinct list, known by
    its JSON text (cheaper to make than a tuple of its values), is normalized once. Bounded: a
    shop with many distinct lists only loses the speed."""

    LIMIT = 4096

    def __init__(self, normalize: Callable[[Any], Any], by: Callable[[Any], str] = str) -> None:
        self.normalize = normalize
        self.by = by  # how a value JSON lacks (a Decimal) is written in the key
        self.known: dict[bytes, Any] = {}

    def __call__(self, raw: Any) -> Any:
        key = orjson.dumps(raw, default=self.by)  # by str: a Decimal and its text alike
        found = self.known.get(key)
        if found is None:
            found = self.normalize(raw)
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            self.known[key] = found
        return found


def _discounts(raw: list[Mapping[str, Any]]) -> tuple[Discount, ...]:
    return tuple(sorted(_discount(d) for d in raw))


_shared_taxes = _Shared(_taxes)
_shared_delivery = _Shared(_delivery)
# the offers of one sale share its list of operations: one tuple of Discounts (and their
# datetimes) for all of them, not one each (~0.2 KB an offer on sale)
_shared_discounts = _Shared(_discounts, repr)  # int("20.0") fails, int(Decimal("20.0")) not
_condition = lru_cache(maxsize=64)(condition)
# Prices repeat too (a shop has far fewer distinct prices than offers); typed, so 20 and 20.0
# stay apart as the JSON wrote them.
_money = lru_cache(maxsize=1 << 16, typed=True)(money)

_ALIASES = {wire.SKU: (wire.SKU,), **{n[0]: n for n in wire.OFFER_FIELD_NODES.values()}}
_EVERY_FIELD = frozenset(wire.OFFER_FIELD_NODES)
# The fields `_complete` reads as unknown when their node is absent (an answer trimmed with
# `fields=`: the XML-only nodes on a json channel, the quantity of an unowned stock).
_SKIPPABLE = frozenset({"stock", "comment", "striked_price", "price_alignment", "packaging"})


_Shape = tuple[dict[str, str], frozenset[str], bool]
_SHAPES: dict[tuple[str, ...], _Shape] = {}  # a plain dict: cheaper per offer than lru_cache


def _shape_of(keys: tuple[str, ...]) -> _Shape:
    found = _SHAPES.get(keys)
    if found is None:
        if len(_SHAPES) >= 256:  # bounded: a shop of ever-new shapes only loses the speed
            _SHAPES.clear()
        found = _SHAPES[keys] = _shape(keys)
    return found


def _shape(keys: tuple[str, ...]) -> _Shape:
    """For one key shape of item (a shop has few): the item's own key for each node read, the
    catalog fields whose node is absent, and whether every node is there under its documented
    name (the fast path). Worked out once per shape, not per offer."""
    folded = {wire.fold(k): k for k in keys}
    actual: dict[str, str] = {}
    for node, aliases in _ALIASES.items():
        for alias in aliases:
            if wire.fold(alias) in folded:
                actual[node] = folded[wire.fold(alias)]
                break
    unknown = frozenset(f for f, nodes in wire.OFFER_FIELD_NODES.items() if nodes[0] not in actual)
    canonical = unknown <= _SKIPPABLE and all(node == key for node, key in actual.items())
    return actual, unknown, canonical


def _discount(raw: Mapping[str, Any]) -> Discount:
    kind = _KINDS[str(raw["type"]).replace("_", "").lower()]
    reference = raw.get("salesReferencePrice")
    return Discount(
        start=moment(datetime.fromisoformat(raw["startDate"])),
        end=moment(datetime.fromisoformat(raw["endDate"])),
        kind=kind,
        percent=int(raw["discountPercent"]),
        reference_price=None if reference is None else money(reference),
    )


def _alignment(raw: Mapping[str, Any] | None) -> PriceAlignment | None:
    if not raw:
        return None
    minimum = raw.get("minimumPrice")
    return PriceAlignment(bool(raw.get("align")), None if minimum is None else money(minimum))


def _packaging(raw: Mapping[str, Any] | None) -> Packaging | None:
    if not raw:
        return None
    return Packaging(str(raw["unit"]), money(raw["value"]))


def _sku(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise UnusableItem(f"{wire.SKU} is {orjson.dumps(value).decode()}, not a reference")
    return value


def _quantity(value: Any) -> int:
    if value.__class__ is int:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise UnusableItem(f"{wire.QUANTITY} is {value!r}, not a whole number")
    if value != int(value):
        raise UnusableItem(f"{wire.QUANTITY} is {value}, not a whole number")
    return int(value)


def _required(node: Any, name: str, path: str) -> Any:
    value = node.get(name) if node.__class__ is dict else None  # the spelling of the docs
    if value is None:
        value = wire.find(node, name)  # any other
        if value is None:
            raise UnusableItem(f"{path} is missing")
    return value


# Offers by (channel, sku) a read shares with (the plan passes the catalog's): an equal offer is
# taken whole (`kept`), else its equal sku and gtin strings (`shared`), so a big shop's live side
# holds no second copy of what did not change.
Known = Mapping[tuple[str, str], Offer]


def shared(known: Known | None, channel: str, sku: str, gtin: str) -> tuple[str, str]:
    """`sku` and `gtin`, as the string objects of the known offer with that key when it has
    equal ones (equal strings: no value changes, only which copy is held)."""
    same = None if known is None else known.get((channel, sku))
    if same is None:
        return sku, gtin
    return same.sku, same.gtin if same.gtin == gtin else gtin


def kept(known: Known | None, offer: Offer) -> Offer:
    """`offer`, or the known offer with its key when they are equal and state the same fields
    (`unknown` is not compared by ==): an unchanged offer is then one object for both sides of
    a plan (a million-offer shop held its offers twice)."""
    same = None if known is None else known.get((offer.channel, offer.sku))
    return same if same is not None and same == offer and same.unknown == offer.unknown else offer


def offer_from_wire(
    item: Mapping[str, Any], channel: str, json: bool = False, known: Known | None = None
) -> Offer:
    """One GET /offers item as an `Offer` of the catalog channel `channel`.

    A catalog field whose node the item lacks is unknown (None, never zero). An item whose
    condition the client does not know becomes an offer with every field unknown and the raw
    condition text in `condition`: the plan sets it aside, named, instead of failing.
    On a `json` channel an unasked comment takes the neutral value the catalog gives it there
    (""; still unknown, never compared or sent): the two sides of an unchanged offer are then
    equal at once, which is the diff's fast path. `known`: offers whose equal sku and gtin
    strings the offer takes (`shared`).
    """
    keys, unknown, canonical = _shape_of(tuple(item))
    unasked_comment = "" if json else None
    if canonical:
        return _complete(item, channel, keys, unknown, unasked_comment, known)
    return _partial(item, channel, keys, unknown, unasked_comment, known)


def _complete(
    item: Mapping[str, Any],
    channel: str,
    keys: dict[str, str],
    unknown: frozenset[str],
    unasked_comment: str | None = None,
    known: Known | None = None,
) -> Offer:
    """An item with its nodes under their documented names, every one or all but some
    `_SKIPPABLE` ones: the common case, read directly (reading a big shop is mostly this
    function). Anything unusual goes the general way."""
    sku = item[wire.SKU]
    quantity = None if "stock" in unknown else item[wire.QUANTITY]
    if sku.__class__ is not str or not sku or not (quantity.__class__ is int or quantity is None):
        return _partial(item, channel, keys, unknown, unasked_comment, known)
    try:
        condition_ = _condition(item[wire.CONDITION])
    except ValueError:
        return _partial(item, channel, keys, unknown, unasked_comment, known)
    vat, eco_tax, dea_tax = _shared_taxes(item[wire.TAXES] or ())
    if vat is None:
        return _partial(item, channel, keys, unknown, unasked_comment, known)
    gtin = item[wire.PRODUCT][wire.GTIN]
    if gtin is None:
        raise UnusableItem("product.gtin is missing")
    # An absent node reads as None here, as a null one does; `unknown` tells them apart below.
    striked = item.get(wire.STRIKED_PRICE)
    alignment = item.get(wire.PRICE_ALIGNMENT)
    packaging = item.get(wire.PACKAGING)
    operations = item[wire.COMMERCIAL_OPERATIONS]
    # The optional nodes are tested here rather than in their functions: most offers have
    # none, and a call per node per offer is a good part of reading a big shop.
    comment = item.get(wire.COMMENT[0])
    sku, gtin = shared(known, channel, sku, str(gtin))
    offer = Offer(
        channel=channel,
        sku=sku,
        gtin=gtin,
        price=_money(item[wire.INTEGRATION_PRICE][wire.PRICE]),
        stock=quantity,  # type: ignore[arg-type] - None when not returned (in `unknown`)
        condition=condition_,
        vat=vat,
        eco_tax=eco_tax,
        dea_tax=dea_tax,
        preparation_days=int(item[wire.PREPARATION_TIME] or 0),
        delivery=_shared_delivery(item[wire.DELIVERY_MODES] or ()),
        comment=unasked_comment if "comment" in unknown else str(comment or ""),  # type: ignore[arg-type]
        striked_price=_money(striked[wire.PRICE]) if striked else None,
        price_alignment=_alignment(alignment) if alignment else None,
        packaging=_packaging(packaging) if packaging else None,
        discounts=_shared_discounts(operations) if operations else (),
        unknown=unknown,
    )
    return kept(known, offer)


def _partial(
    item: Mapping[str, Any],
    channel: str,
    keys: dict[str, str],
    unknown: frozenset[str],
    unasked_comment: str | None = None,
    known: Known | None = None,
) -> Offer:
    """Any item: nodes under any spelling, absent ones unknown, every value checked."""
    sku = _sku(item.get(keys.get(wire.SKU, wire.SKU)))
    gtin = str(_required(item.get(keys.get(wire.PRODUCT, "")), wire.GTIN, "product.gtin"))
    price = _money(_required(item.get(keys.get(wire.INTEGRATION_PRICE, "")), wire.PRICE, "price"))
    raw_condition = str(_required(item, keys.get(wire.CONDITION, wire.CONDITION), "condition"))
    try:
        kept_condition: Any = _condition(raw_condition)
    except ValueError:
        kept_condition, unknown = raw_condition, _EVERY_FIELD
    values: dict[str, Any] = dict.fromkeys(unknown)
    if "stock" not in unknown:
        values["stock"] = _quantity(item[keys[wire.QUANTITY]])
    if "vat" not in unknown:
        vat, values["eco_tax"], values["dea_tax"] = _shared_taxes(item[keys[wire.TAXES]] or ())
        values["vat"] = vat
        if vat is None:
            unknown = unknown | {"vat"}
    if "preparation_days" not in unknown:
        values["preparation_days"] = int(item[keys[wire.PREPARATION_TIME]] or 0)
    if "delivery" not in unknown:
        values["delivery"] = _shared_delivery(item[keys[wire.DELIVERY_MODES]] or ())
    if "comment" not in unknown:
        values["comment"] = str(item[keys[wire.COMMENT[0]]] or "")
    elif kept_condition is not raw_condition:
        values["comment"] = unasked_comment
    if "striked_price" not in unknown:
        striked = item[keys[wire.STRIKED_PRICE]]
        values["striked_price"] = _money(wire.find(striked, wire.PRICE)) if striked else None
    if "price_alignment" not in unknown:
        alignment = item[keys[wire.PRICE_ALIGNMENT]]
        values["price_alignment"] = _alignment(alignment) if alignment else None
    if "packaging" not in unknown:
        packaging = item[keys[wire.PACKAGING]]
        values["packaging"] = _packaging(packaging) if packaging else None
    if "discounts" not in unknown:
        operations = item[keys[wire.COMMERCIAL_OPERATIONS]]
        values["discounts"] = _shared_discounts(operations) if operations else ()
    sku, values["gtin"] = shared(known, channel, sku, gtin)
    values["price"], values["condition"] = price, kept_condition
    return kept(known, Offer(channel=channel, sku=sku, unknown=unknown, **values))
