"""The live side of a plan: the marketplace's offers, in the same normal form as the catalog's.

Each item is read by reconciler/marketplace/items.py. An item that lacks what every offer has
is an unusable answer, named with its call and page: a partial live state is never taken as
complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from reconciler import collector
from reconciler.catalog.files import defaults_delivery
from reconciler.catalog.model import Catalog, Offer, SalesChannel, Submission
from reconciler.errors import CatalogInvalid, Location, MarketplaceUnreachable, Problem
from reconciler.marketplace import wire
from reconciler.marketplace.client import MarketplaceClient, MarketplaceRefused, parse_json_floats
from reconciler.marketplace.items import _EVERY_FIELD, Known, UnusableItem, offer_from_wire

PAGE_SIZE = 1000

Progress = Callable[[str, int], None]  # (channel name, offers read so far)
Say = Callable[[str], None]  # a note for the person running the command (stderr)


def read_channel(
    client: MarketplaceClient,
    channel: SalesChannel,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    updated_since: datetime | None = None,
    fields: frozenset[str] | None = None,
    say: Say | None = None,
    known: Known | None = None,
) -> dict[str, Offer]:
    """Every live offer of one channel, by sku, read page by page; with `updated_since`, only
    those the marketplace updated since then (`updatedAtMin`, RFC 3339); with `fields` (catalog
    fields), only their nodes and those every offer needs (`fields=`), the others unknown;
    with `known`, shared with those offers where equal (items.Known).

    An item that cannot be taken as truth (no usable sku or quantity, a sku met twice) makes
    the whole answer unusable (exit 7), naming the page and the offer.
    """
    params: dict[str, Any] = {"salesChannelId": channel.id, "limit": page_size}
    if updated_since is not None:
        moment = updated_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params["updatedAtMin"] = moment
    nodes = fields_param(client, fields)
    try:
        offers = _read_pages(client, channel, progress, params, nodes, known)
    except MarketplaceRefused as err:
        if not refuses_fields(client, err, nodes, say):
            raise
        offers = _read_pages(client, channel, progress, params, None, known)
    return narrowed(offers, fields, channel)


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
    offers: dict[str, Offer], fields: frozenset[str] | None, channel: SalesChannel
) -> dict[str, Offer]:
    """The offers as a read asking `fields` (None: every node) states them: a node the
    marketplace sent although not asked (it ignored `fields=`, or refused it) is left unknown,
    so what a plan sees never depends on how the marketplace trimmed (an unasked comment on a
    json channel: "", as `offer_from_wire` reads it)."""
    if fields is None:
        return offers
    json = channel.submission is Submission.JSON
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
    known: Known | None = None,
) -> dict[str, Offer]:
    call = f"GET /offers ({channel.id})"
    offers: dict[str, Offer] = {}
    query = params if nodes is None else {**params, "fields": nodes}
    json = channel.submission is Submission.JSON
    pages = client.pages("/offers", channel=channel.id, params=query, decode=parse_json_floats)
    for number, page in enumerate(pages, start=1):
        for index, item in enumerate(page):
            try:
                offer = offer_from_wire(item, channel.name, json, known)
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
    known: Known | None = None,
) -> LiveOffers:
    """The live offers of every channel, channels read in parallel; all of them or an error.
    `fields`: per channel (catalog name), the catalog fields to ask (None: every node);
    `known`: offers the live ones are shared with where equal (items.Known)."""
    chosen = list(channels)
    if not chosen:
        return LiveOffers({})
    asked = fields or {}
    with collector.paused(), ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = [
            pool.submit(
                read_channel,
                client,
                ch,
                progress,
                page_size,
                None,
                asked.get(ch.name),
                say,
                known,
            )
            for ch in chosen
        ]
        results = [f.result() for f in futures]  # the first failure stops the plan
    return LiveOffers({ch.name: offers for ch, offers in zip(chosen, results, strict=True)})


class LiveOffers(Mapping[tuple[str, str], Offer]):
    """The live offers by (channel, sku), held as the reads give them: one map by sku per
    channel. The diff walks those maps as they are, without a key built per offer (a plan of
    a big shop spent a tenth of its time making and splitting those keys)."""

    __slots__ = ("channels",)

    def __init__(self, channels: dict[str, dict[str, Offer]]):
        self.channels = channels

    def __getitem__(self, key: tuple[str, str]) -> Offer:
        channel, sku = key
        return self.channels[channel][sku]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        offers = self.channels.get(key[0])
        return offers is not None and key[1] in offers

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for channel, offers in self.channels.items():
            for sku in offers:
                yield channel, sku

    def __len__(self) -> int:
        return sum(map(len, self.channels.values()))


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
