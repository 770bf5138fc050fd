"""The live side of a plan: the marketplace's offers, in the same normal form as the catalog's.

Wire names are those of reconciler/sandbox/README.md. Reading is tolerant (unknown fields are
ignored, a missing optional node means "none"), but an item that lacks what every offer has is
an unparseable answer, named with its call: a partial live state is never taken as complete.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

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
)
from reconciler.catalog.normal import condition, delivery, delivery_option, money, rate
from reconciler.clock import PARIS, aware
from reconciler.errors import CatalogInvalid, Location, MarketplaceUnreachable, Problem
from reconciler.marketplace.client import MarketplaceClient, parse_json_floats

PAGE_SIZE = 1000
_KINDS = {"sales": OperationKind.SALES, "flashsale": OperationKind.FLASH_SALE}

Progress = Callable[[str, int], None]  # (channel name, offers read so far)


def _taxes(raw: list[Mapping[str, Any]]) -> tuple[Decimal, Decimal, Decimal]:
    """(vat, eco_tax, dea_tax) from the tax nodes."""
    found: dict[str, Decimal] = {}
    for node in raw:
        code = str(node.get("code") or "").lower()
        kind = str(node.get("type") or "").lower()
        amount = Decimal(str(node.get("value", 0)))
        if code == "vat" and kind == "rate":
            amount *= 100  # the variant one client sends: 0.2 for 20 %
        found[code] = amount
    return rate(found.get("vat", 0)), money(found.get("ecotax", 0)), money(found.get("dea", 0))


def _delivery(raw: list[Mapping[str, Any]]) -> tuple[DeliveryOption, ...]:
    return delivery(
        [delivery_option(d["code"], d.get("cost", 0), d.get("additionalCost", 0)) for d in raw]
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


def _discount(raw: Mapping[str, Any]) -> Discount:
    kind = _KINDS[str(raw["type"]).replace("_", "").lower()]
    reference = raw.get("salesReferencePrice")
    return Discount(
        start=aware(datetime.fromisoformat(raw["startDate"])).astimezone(PARIS),
        end=aware(datetime.fromisoformat(raw["endDate"])).astimezone(PARIS),
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


def offer_from_wire(item: Mapping[str, Any], channel: str) -> Offer:
    """One GET /offers item as an `Offer` of the catalog channel `channel`."""
    vat, eco_tax, dea_tax = _shared_taxes(item.get("taxes") or ())
    striked = item.get("strikedPrice")
    alignment = item.get("priceAlignment")
    packaging = item.get("packaging")
    operations = item.get("commercialOperations")
    # The optional nodes are tested here rather than in their functions: most offers have
    # none, and a call per node per offer is a good part of reading a big shop.
    return Offer(
        channel=channel,
        sku=str(item["sellerExternalReference"]),
        gtin=str(item["product"]["gtin"]),
        price=_money(item["integrationPrice"]["price"]),
        stock=int(item["quantity"]),
        condition=_condition(item["condition"]),
        vat=vat,
        eco_tax=eco_tax,
        dea_tax=dea_tax,
        preparation_days=int(item.get("preparationTime") or 0),
        delivery=_shared_delivery(item.get("deliveryModes") or ()),
        comment=str(item.get("comment") or ""),
        striked_price=_money(striked["price"]) if striked else None,
        price_alignment=_alignment(alignment) if alignment else None,
        packaging=_packaging(packaging) if packaging else None,
        discounts=tuple(sorted(_discount(d) for d in operations)) if operations else (),
    )


def read_channel(
    client: MarketplaceClient,
    channel: SalesChannel,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    updated_since: datetime | None = None,
) -> dict[str, Offer]:
    """Every live offer of one channel, by sku, read page by page; with `updated_since`, only
    those the marketplace updated since then (`updatedAtMin`, RFC 3339)."""
    call = f"GET /offers ({channel.id})"
    offers: dict[str, Offer] = {}
    params: dict[str, Any] = {"salesChannelId": channel.id, "limit": page_size}
    if updated_since is not None:
        moment = updated_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params["updatedAtMin"] = moment
    pages = client.pages("/offers", channel=channel.id, params=params, decode=parse_json_floats)
    for page in pages:
        for index, item in enumerate(page):
            try:
                offer = offer_from_wire(item, channel.name)
            except (KeyError, TypeError, ValueError, ArithmeticError) as err:
                raise MarketplaceUnreachable(
                    f"unparseable answer to {call}: offer {len(offers) + index + 1}: "
                    f"{type(err).__name__} {err}"
                ) from None
            offers[offer.sku] = offer
        if progress:
            progress(channel.name, len(offers))
    return offers


def read_live_offers(
    client: MarketplaceClient,
    channels: Iterable[SalesChannel],
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
) -> dict[tuple[str, str], Offer]:
    """The live offers of every channel, channels read in parallel; all of them or an error."""
    chosen = list(channels)
    if not chosen:
        return {}
    with _no_cycle_collection(), ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = [pool.submit(read_channel, client, ch, progress, page_size) for ch in chosen]
        results = [f.result() for f in futures]  # the first failure stops the plan
    return {
        (ch.name, sku): offer
        for ch, offers in zip(chosen, results, strict=True)
        for sku, offer in offers.items()
    }


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while the live offers are read.

    A big shop is hundreds of thousands of offers that all stay alive; the collector would walk
    them again and again as they pile up (half the time of reading 200,000 offers). The offers
    and decoded pages form no cycles; whatever else does is collected once it resumes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def configured_delivery_modes(client: MarketplaceClient, channel: SalesChannel) -> set[str]:
    call = "GET /sellers/delivery-modes"
    body = client.get_json("/sellers/delivery-modes", channel=channel.id)
    try:
        return {str(item["code"]).upper() for item in body["items"]}
    except (KeyError, TypeError):
        raise MarketplaceUnreachable(f"unparseable answer to {call}") from None


def unconfigured_delivery(catalog: Catalog, configured: set[str]) -> list[Problem]:
    """One problem per file and mode: where desired offers use a mode the seller lacks (a mode
    of catalog.yaml's defaults: once, at catalog.yaml)."""
    lacking = [key for key, o in catalog.offers.items() if _modes(o) - configured]
    if not lacking:
        return []
    defaults = defaults_delivery(catalog.root)

    def origin(key: tuple[str, str]) -> Location:
        if defaults is not None and catalog.offers[key].delivery == defaults[0]:
            return defaults[1]
        return catalog.origins.get(key, Location("catalog.yaml", field="delivery"))

    users: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key in lacking:
        for mode in sorted(_modes(catalog.offers[key]) - configured):
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
        problems.append(
            Problem(
                replace(first, field=field),
                f"delivery mode {mode} is not configured for seller {catalog.seller_id} "
                f"(configured: {', '.join(sorted(configured))}); used by "
                f"{keys[0][1]} on {keys[0][0]}{others}",
            )
        )
    return problems


def _modes(offer: Offer) -> set[str]:
    return {option.mode for option in offer.delivery}


def check_delivery_modes(client: MarketplaceClient, catalog: Catalog) -> None:
    """Refuse (exit 4, located in the catalog) a desired delivery mode the seller lacks."""
    channels = list(catalog.channels.values())
    if not channels or not catalog.offers:
        return
    problems = unconfigured_delivery(catalog, configured_delivery_modes(client, channels[0]))
    if problems:
        raise CatalogInvalid(problems)
