"""The live side of a plan: the marketplace's offers, in the same normal form as the catalog's.

Wire names are those of reconciler/sandbox/README.md. Reading is tolerant (unknown fields are
ignored, a missing optional node means "none"), but an item that lacks what every offer has is
an unparseable answer, named with its call: a partial live state is never taken as complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

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
from reconciler.marketplace.client import MarketplaceClient

PAGE_SIZE = 1000
_KINDS = {"sales": OperationKind.SALES, "flashsale": OperationKind.FLASH_SALE}

Progress = Callable[[str, int], None]  # (channel name, offers read so far)


@lru_cache(maxsize=4096)
def _taxes(raw: tuple[tuple[object, object, object], ...]) -> tuple[Decimal, Decimal, Decimal]:
    """(vat, eco_tax, dea_tax) from the tax nodes as (code, type, value)."""
    found: dict[str, Decimal] = {}
    for raw_code, raw_kind, value in raw:
        code, kind = str(raw_code or "").lower(), str(raw_kind or "").lower()
        amount = Decimal(str(value))
        if code == "vat" and kind == "rate":
            amount *= 100  # the variant one client sends: 0.2 for 20 %
        found[code] = amount
    return rate(found.get("vat", 0)), money(found.get("ecotax", 0)), money(found.get("dea", 0))


@lru_cache(maxsize=4096)
def _delivery(raw: tuple[tuple[str, object, object], ...]) -> tuple[DeliveryOption, ...]:
    return delivery([delivery_option(code, cost, extra) for code, cost, extra in raw])


# Most offers of a shop share their taxes, delivery list and condition: those are normalized
# once per distinct value (cached), which halves the cost of reading a big shop.
_condition = lru_cache(maxsize=64)(condition)


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
    taxes = item.get("taxes") or ()
    vat, eco_tax, dea_tax = _taxes(
        tuple([(t.get("code"), t.get("type"), t.get("value", 0)) for t in taxes])
    )
    modes = item.get("deliveryModes") or ()
    striked = item.get("strikedPrice")
    return Offer(
        channel=channel,
        sku=str(item["sellerExternalReference"]),
        gtin=str(item["product"]["gtin"]),
        price=money(item["integrationPrice"]["price"]),
        stock=int(item["quantity"]),
        condition=_condition(item["condition"]),
        vat=vat,
        eco_tax=eco_tax,
        dea_tax=dea_tax,
        preparation_days=int(item.get("preparationTime") or 0),
        delivery=_delivery(
            tuple([(d["code"], d.get("cost", 0), d.get("additionalCost", 0)) for d in modes])
        ),
        comment=str(item.get("comment") or ""),
        striked_price=money(striked["price"]) if striked else None,
        price_alignment=_alignment(item.get("priceAlignment")),
        packaging=_packaging(item.get("packaging")),
        discounts=tuple(sorted(_discount(d) for d in item.get("commercialOperations") or ())),
    )


def read_channel(
    client: MarketplaceClient,
    channel: SalesChannel,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
) -> dict[str, Offer]:
    """Every live offer of one channel, by sku, read page by page."""
    call = f"GET /offers ({channel.id})"
    offers: dict[str, Offer] = {}
    params = {"salesChannelId": channel.id, "limit": page_size}
    for page in client.pages("/offers", channel=channel.id, params=params):
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
    with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = [pool.submit(read_channel, client, ch, progress, page_size) for ch in chosen]
        results = [f.result() for f in futures]  # the first failure stops the plan
    return {
        (ch.name, sku): offer
        for ch, offers in zip(chosen, results, strict=True)
        for sku, offer in offers.items()
    }


def configured_delivery_modes(client: MarketplaceClient, channel: SalesChannel) -> set[str]:
    call = "GET /sellers/delivery-modes"
    body = client.get_json("/sellers/delivery-modes", channel=channel.id)
    try:
        return {str(item["code"]).upper() for item in body["items"]}
    except (KeyError, TypeError):
        raise MarketplaceUnreachable(f"unparseable answer to {call}") from None


def unconfigured_delivery(catalog: Catalog, configured: set[str]) -> list[Problem]:
    """One problem per file and mode: where desired offers use a mode the seller lacks."""
    users: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, offer in catalog.offers.items():
        for option in offer.delivery:
            if option.mode not in configured:
                where = catalog.origins.get(key, Location("catalog.yaml"))
                users.setdefault((where.file, option.mode), []).append(key)
    problems = []
    for (file, mode), keys in sorted(users.items()):
        first = catalog.origins.get(keys[0], Location(file))
        others = f" (and {len(keys) - 1} more offer(s) in this file)" if len(keys) > 1 else ""
        problems.append(
            Problem(
                Location(first.file, first.line, first.column, "delivery"),
                f"delivery mode {mode} is not configured for seller {catalog.seller_id} "
                f"(configured: {', '.join(sorted(configured))}); used by "
                f"{keys[0][1]} on {keys[0][0]}{others}",
            )
        )
    return problems


def check_delivery_modes(client: MarketplaceClient, catalog: Catalog) -> None:
    """Refuse (exit 4, located in the catalog) a desired delivery mode the seller lacks."""
    channels = list(catalog.channels.values())
    if not channels or not catalog.offers:
        return
    problems = unconfigured_delivery(catalog, configured_delivery_modes(client, channels[0]))
    if problems:
        raise CatalogInvalid(problems)
