"""What `apply --plan` reads back: only the live offers its plan touches, and enough of a
channel to count it for the share guards.

A saved plan of 1,000 changes in a 100,000-offer shop needs 1,000 offers, not 100 pages:
GET /offers takes `sellerExternalReferences` (API.md), asked in batches. A marketplace that
ignores the filter (an answer naming offers not asked) is read in full instead, never trusted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.catalog.model import Guards, Offer, SalesChannel, Submission
from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace import wire
from reconciler.marketplace.client import MarketplaceClient, MarketplaceRefused, parse_json_floats
from reconciler.marketplace.items import offer_from_wire
from reconciler.marketplace.live import (
    PAGE_SIZE,
    fields_param,
    narrowed,
    read_channel,
    refuses_fields,
)
from reconciler.plan.diff import Target

BATCH = 100  # skus per GET: 100 skus of up to 50 characters keep the URL near 5 KB

Key = tuple[str, str]


def read_touched(
    client: MarketplaceClient,
    channels: Mapping[str, SalesChannel],
    keys: Iterable[Key],
    fields: Mapping[str, frozenset[str]] | None = None,
) -> dict[Key, Offer]:
    """The live offers among `keys` (channel name, sku); an offer not live is simply absent.
    `fields`: per channel, the catalog fields to ask, as the plan asked them (None: every
    node): a saved plan's witness of each offer is then the same read again."""
    by_channel: dict[str, set[str]] = {}
    for name, sku in keys:
        by_channel.setdefault(name, set()).add(sku)
    found: dict[Key, Offer] = {}
    for name, skus in sorted(by_channel.items()):
        asked = None if fields is None else fields.get(name)
        offers = _read_skus(client, channels[name], sorted(skus), asked)
        found.update(((name, sku), offer) for sku, offer in offers.items() if sku in skus)
    return found


def _read_skus(
    client: MarketplaceClient,
    channel: SalesChannel,
    skus: list[str],
    fields: frozenset[str] | None,
) -> dict[str, Offer]:
    if any("," in sku for sku in skus):  # the filter splits on commas: read the channel
        return read_channel(client, channel, fields=fields)
    nodes = fields_param(client, fields)
    try:
        offers = _read_batches(client, channel, skus, nodes)
    except MarketplaceRefused as err:
        if not refuses_fields(client, err, nodes, None):
            raise
        offers = _read_batches(client, channel, skus, None)
    if offers is None:  # the filter was not applied: trust nothing of it
        return read_channel(client, channel, fields=fields)
    return narrowed(offers, fields, channel)


def _read_batches(
    client: MarketplaceClient, channel: SalesChannel, skus: list[str], nodes: str | None
) -> dict[str, Offer] | None:
    """The offers of `skus`, `BATCH` a call; None if the marketplace ignored the filter."""
    call = f"GET /offers ({channel.id}, by sku)"
    offers: dict[str, Offer] = {}
    for start in range(0, len(skus), BATCH):
        asked = skus[start : start + BATCH]
        params = {
            "salesChannelId": channel.id,
            "limit": BATCH,
            "sellerExternalReferences": ",".join(asked),
        }
        if nodes is not None:
            params["fields"] = nodes
        for page in client.pages(
            "/offers", channel=channel.id, params=params, decode=parse_json_floats
        ):
            for item in page:
                offer = _offer(item, channel, call)
                if offer.sku not in asked:
                    return None
                if offer.sku in offers:
                    raise MarketplaceUnreachable(
                        f"unusable answer to {call}: sku {offer.sku} listed twice"
                    )
                offers[offer.sku] = offer
    return offers


def _offer(item: Any, channel: SalesChannel, call: str) -> Offer:
    try:
        return offer_from_wire(item, channel.name, channel.submission is Submission.JSON)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as err:
        raise MarketplaceUnreachable(
            f"unusable answer to {call}: {type(err).__name__} {err}"
        ) from None


def needed_count(guards: Guards, updates: int, removals: int) -> int:
    """How many live offers a channel must have for its share guards to pass; 0 if none apply.

    Counting a channel up to this many is enough: from there on the shares are within limits,
    and a channel that ends sooner is counted exactly."""
    needed = 0
    # an update may also set a stock to 0 from a source: its guard's limit may be the lower one
    zeroed = getattr(guards, "max_stock_zeroed_percent", guards.max_update_percent)
    for count, limit in (
        (updates, min(guards.max_update_percent, zeroed)),
        (removals, guards.max_delete_percent),
    ):
        if count:
            share = math.ceil(count * 100 / limit) if limit > 0 else 0
            needed = max(needed, guards.min_existing_offers, share)
    return needed


def count_live(
    client: MarketplaceClient, channel: SalesChannel, target: Target, at_least: int
) -> int:
    """The channel's live offers within `target`, counted up to `at_least` (exact below it)."""
    if at_least <= 0:
        return 0
    nodes = None if getattr(client, "fields_refused", False) else wire.SKU
    try:
        return _count(client, channel, target, at_least, nodes)
    except MarketplaceRefused as err:
        if not refuses_fields(client, err, nodes, None):
            raise
        return _count(client, channel, target, at_least, None)


def _count(
    client: MarketplaceClient,
    channel: SalesChannel,
    target: Target,
    at_least: int,
    nodes: str | None,
) -> int:
    params = {"salesChannelId": channel.id, "limit": PAGE_SIZE}
    if nodes is not None:
        params["fields"] = nodes
    count = 0
    pages = client.pages("/offers", channel=channel.id, params=params)
    for page in pages:
        count += sum(
            1
            for item in page
            if isinstance(item, dict)
            and target.covers(channel.name, str(item.get("sellerExternalReference")))
        )
        if count >= at_least:
            pages.close()
            break
    return count
