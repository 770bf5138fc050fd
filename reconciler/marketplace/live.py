"""The live side of a plan: the marketplace's offers, in the same normal form as the catalog's.

Wire names are those of reconciler/marketplace/wire.py. Reading is tolerant (unknown nodes are
ignored, key case too), and a node the marketplace did not return leaves its field unknown,
never zero. An item that lacks what every offer has is an unusable answer, named with its call
and page: a partial live state is never taken as complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

from reconciler import collector
from reconciler.catalog.files import defaults_delivery
from reconciler.catalog.model import (
    Catalog,
    DeliveryOption,
    Discount,
    Offer,
    OperationKind,
    Packaging,
    PriceAlignment,
    SalesChannel,
    Submission,
)
from reconciler.catalog.normal import condition, delivery, delivery_option, moment, money, rate
from reconciler.errors import CatalogInvalid, Location, MarketplaceUnreachable, Problem
from reconciler.marketplace import wire
from reconciler.marketplace.client import MarketplaceClient, MarketplaceRefused, parse_json_floats

PAGE_SIZE = 1000
_KINDS = {"sales": OperationKind.SALES, "flashsale": OperationKind.FLASH_SALE}

Progress = Callable[[str, int], None]  # (channel name, offers read so far)
Say = Callable[[str], None]  # a note for the person running the command (stderr)


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

    def __init__(self, normalize: Callable[[Any], Any]) -> None:
        self.normalize = normalize
        self.known: dict[bytes, Any] = {}

    def __call__(self, raw: Any) -> Any:
        key = orjson.dumps(raw, default=str)  # a Decimal and its text normalize alike
        found = self.known.get(key)
        if found is None:
            found = self.normalize(raw)
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            self.known[key] = found
        return found


_shared_taxes = _Shared(_taxes)
_shared_delivery = _Shared(_delivery)
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


def offer_from_wire(item: Mapping[str, Any], channel: str, json: bool = False) -> Offer:
    """One GET /offers item as an `Offer` of the catalog channel `channel`.

    A catalog field whose node the item lacks is unknown (None, never zero). An item whose
    condition the client does not know becomes an offer with every field unknown and the raw
    condition text in `condition`: the plan sets it aside, named, instead of failing.
    On a `json` channel an unasked comment takes the neutral value the catalog gives it there
    (""; still unknown, never compared or sent): the two sides of an unchanged offer are then
    equal at once, which is the diff's fast path.
    """
    keys, unknown, canonical = _shape_of(tuple(item))
    unasked_comment = "" if json else None
    if canonical:
        return _complete(item, channel, keys, unknown, unasked_comment)
    return _partial(item, channel, keys, unknown, unasked_comment)


def _complete(
    item: Mapping[str, Any],
    channel: str,
    keys: dict[str, str],
    unknown: frozenset[str],
    unasked_comment: str | None = None,
) -> Offer:
    """An item with its nodes under their documented names, every one or all but some
    `_SKIPPABLE` ones: the common case, read directly (reading a big shop is mostly this
    function). Anything unusual goes the general way."""
    sku = item[wire.SKU]
    quantity = None if "stock" in unknown else item[wire.QUANTITY]
    if sku.__class__ is not str or not sku or not (quantity.__class__ is int or quantity is None):
        return _partial(item, channel, keys, unknown, unasked_comment)
    try:
        condition_ = _condition(item[wire.CONDITION])
    except ValueError:
        return _partial(item, channel, keys, unknown, unasked_comment)
    vat, eco_tax, dea_tax = _shared_taxes(item[wire.TAXES] or ())
    if vat is None:
        return _partial(item, channel, keys, unknown, unasked_comment)
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
    return Offer(
        channel=channel,
        sku=sku,
        gtin=str(gtin),
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
        discounts=tuple(sorted(_discount(d) for d in operations)) if operations else (),
        unknown=unknown,
    )


def _partial(
    item: Mapping[str, Any],
    channel: str,
    keys: dict[str, str],
    unknown: frozenset[str],
    unasked_comment: str | None = None,
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
        values["discounts"] = tuple(sorted(_discount(d) for d in operations)) if operations else ()
    values["gtin"], values["price"], values["condition"] = gtin, price, kept_condition
    return Offer(channel=channel, sku=sku, unknown=unknown, **values)


def read_channel(
    client: MarketplaceClient,
    channel: SalesChannel,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    updated_since: datetime | None = None,
    fields: frozenset[str] | None = None,
    say: Say | None = None,
) -> dict[str, Offer]:
    """Every live offer of one channel, by sku, read page by page; with `updated_since`, only
    those the marketplace updated since then (`updatedAtMin`, RFC 3339); with `fields` (catalog
    fields), only their nodes and those every offer needs (`fields=`), the others unknown.

    An item that cannot be taken as truth (no usable sku or quantity, a sku met twice) makes
    the whole answer unusable (exit 7), naming the page and the offer.
    """
    params: dict[str, Any] = {"salesChannelId": channel.id, "limit": page_size}
    if updated_since is not None:
        moment = updated_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params["updatedAtMin"] = moment
    nodes = fields_param(client, fields)
    try:
        offers = _read_pages(client, channel, progress, params, nodes)
    except MarketplaceRefused as err:
        if not refuses_fields(client, err, nodes, say):
            raise
        offers = _read_pages(client, channel, progress, params, None)
    json = channel.submission is Submission.JSON
    return offers if fields is None else narrowed(offers, fields, json)


def fields_param(client: MarketplaceClient, fields: frozenset[str] | None) -> str | None:
    """The `fields=` value asking `fields`, or None: every node (also once the marketplace
    refused the parameter in this run)."""
    if fields is None or getattr(client, "fields_refused", False):
        return None
    return wire.offer_nodes(fields)


_SAID = threading.Lock()


def refuses_fields(
    client: MarketplaceClient, err: MarketplaceRefused, nodes: str | None, say: Say | None
) -> bool:
    """Whether `err` is the marketplace refusing `fields=` (400 or 422 to a trimmed read):
    then it is not asked again in this run, and that is said once."""
    if nodes is None or err.status not in (400, 422):
        return False
    with _SAID:
        first = not getattr(client, "fields_refused", False)
        client.fields_refused = True
    if first and say is not None:
        say(
            f"the marketplace refused GET /offers with fields= (HTTP {err.status}): every "
            "node of the offers is read instead, for the rest of this run"
        )
    return True


def narrowed(
    offers: dict[str, Offer], fields: frozenset[str], json: bool = False
) -> dict[str, Offer]:
    """The offers as a read asking `fields` states them: a node the marketplace sent although
    not asked (it ignored `fields=`, or refused it) is left unknown, so what a plan sees never
    depends on how the marketplace trimmed (an unasked comment on a json channel: "", as
    `offer_from_wire` reads it)."""
    dropped = _EVERY_FIELD - wire.fields_of(wire.offer_nodes(fields))
    for sku, offer in offers.items():
        extra = dropped - offer.unknown
        if extra:
            values = dict.fromkeys(extra)
            if json and "comment" in extra:
                values["comment"] = ""
            offers[sku] = replace(offer, **values, unknown=offer.unknown | extra)
    return offers


def _read_pages(
    client: MarketplaceClient,
    channel: SalesChannel,
    progress: Progress | None,
    params: dict[str, Any],
    nodes: str | None,
) -> dict[str, Offer]:
    call = f"GET /offers ({channel.id})"
    offers: dict[str, Offer] = {}
    query = params if nodes is None else {**params, "fields": nodes}
    json = channel.submission is Submission.JSON
    pages = client.pages("/offers", channel=channel.id, params=query, decode=parse_json_floats)
    for number, page in enumerate(pages, start=1):
        for index, item in enumerate(page):
            try:
                offer = offer_from_wire(item, channel.name, json)
            except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as err:
                unusable = isinstance(err, UnusableItem)
                reason = str(err) if unusable else f"{type(err).__name__} {err}"
                raise MarketplaceUnreachable(
                    f"unusable answer to {call}: page {number}, offer {index + 1}"
                    f"{_named(item)}: {reason}"
                ) from None
            if offer.sku in offers:
                raise MarketplaceUnreachable(
                    f"unusable answer to {call}: page {number}, offer {index + 1}: sku "
                    f"{offer.sku} was already listed; which one is live is not known"
                )
            offers[offer.sku] = offer
        if progress:
            progress(channel.name, len(offers))
    return offers


def _named(item: Any) -> str:
    found = wire.find(item, wire.SKU, wire.OFFER_ID)
    return f" ({found})" if isinstance(found, str) else ""


def read_live_offers(
    client: MarketplaceClient,
    channels: Iterable[SalesChannel],
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    fields: Mapping[str, frozenset[str]] | None = None,
    say: Say | None = None,
) -> dict[tuple[str, str], Offer]:
    """The live offers of every channel, channels read in parallel; all of them or an error.
    `fields`: per channel (catalog name), the catalog fields to ask (None: every node)."""
    chosen = list(channels)
    if not chosen:
        return {}
    asked = fields or {}
    with collector.paused(), ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = [
            pool.submit(
                read_channel, client, ch, progress, page_size, None, asked.get(ch.name), say
            )
            for ch in chosen
        ]
        results = [f.result() for f in futures]  # the first failure stops the plan
    return {
        (ch.name, sku): offer
        for ch, offers in zip(chosen, results, strict=True)
        for sku, offer in offers.items()
    }


def configured_delivery_modes(client: MarketplaceClient, channel: SalesChannel) -> set[str]:
    """The delivery mode codes configured for the seller on one channel (the list depends on
    the channel: the SalesChannelId header says which)."""
    call = f"GET /sellers/delivery-modes ({channel.id})"
    body = client.get_json("/sellers/delivery-modes", channel=channel.id)
    try:
        items = wire.find(body, wire.ITEMS)
        return {str(wire.find(item, *wire.DELIVERY_MODE_CODE)).upper() for item in items}
    except TypeError:
        raise MarketplaceUnreachable(f"unparseable answer to {call}") from None


def unconfigured_delivery(
    catalog: Catalog, configured: set[str] | Mapping[str, set[str]]
) -> list[Problem]:
    """One problem per file and mode: where desired offers use a mode the seller lacks (a mode
    of catalog.yaml's defaults: once, at catalog.yaml). `configured` is one list for every
    channel, or each channel's own list by catalog name (channels not in it are not checked)."""
    per_channel = configured if isinstance(configured, Mapping) else None

    def have(channel: str) -> set[str]:
        return per_channel.get(channel, set()) if per_channel is not None else configured

    lacking = [
        key
        for key, o in catalog.offers.items()
        if (per_channel is None or key[0] in per_channel) and _modes(o) - have(key[0])
    ]
    if not lacking:
        return []
    defaults = defaults_delivery(catalog.root)

    def origin(key: tuple[str, str]) -> Location:
        if defaults is not None and catalog.offers[key].delivery == defaults[0]:
            return defaults[1]
        return catalog.origins.get(key, Location("catalog.yaml", field="delivery"))

    users: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key in lacking:
        for mode in sorted(_modes(catalog.offers[key]) - have(key[0])):
            users.setdefault((origin(key).file, mode), []).append(key)
    problems = []
    for (_, mode), keys in sorted(users.items()):
        first = origin(keys[0])
        from_defaults = defaults is not None and first == defaults[1]
        others = ""
        if len(keys) > 1:
            whose = "that take the defaults" if from_defaults else "in this file"
            others = f" (and {len(keys) - 1} more offer(s) {whose})"
        field = first.field if from_defaults else "delivery"
        channels = sorted({channel for channel, _ in keys})
        where = ""
        if per_channel is not None:
            where = f" on channel{'s' if len(channels) > 1 else ''} {', '.join(channels)}"
        problems.append(
            Problem(
                replace(first, field=field),
                f"delivery mode {mode} is not configured for seller {catalog.seller_id}{where} "
                f"(configured: {', '.join(sorted(have(keys[0][0])))}); used by "
                f"{keys[0][1]} on {keys[0][0]}{others}",
            )
        )
    return problems


def _modes(offer: Offer) -> set[str]:
    return {option.mode for option in offer.delivery}


def check_delivery_modes(
    client: MarketplaceClient, catalog: Catalog, channels: Iterable[SalesChannel] | None = None
) -> None:
    """Refuse (exit 4, located in the catalog) a desired delivery mode the seller lacks on the
    channel of the offer; each channel's own list is asked for."""
    used = {channel for channel, _ in catalog.offers}
    configured = {
        channel.name: configured_delivery_modes(client, channel)
        for channel in (catalog.channels.values() if channels is None else channels)
        if channel.name in used
    }
    problems = unconfigured_delivery(catalog, configured)
    if problems:
        raise CatalogInvalid(problems)
