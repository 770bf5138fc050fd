"""Incremental reads of the live shop: a snapshot of each channel from the last read, and
`GET /offers?updatedAtMin=` for what changed since.

A snapshot is the channel's live offers in normal form, kept in `.catalog/snapshots/` (signed as
the parse cache is: one planted there is ignored) with the moment its read began. The next read
asks only for the offers updated since then, minus a margin for the marketplace's clock, and
lays them over the snapshot. The marketplace moves `updatedAt` on every integration, so every
change reaches a plan that way, except one: **a deleted offer is not listed at all**. So a read
is full (and a new snapshot taken) when:
- the snapshot is older than `max_age` (default 24 hours): deletions made elsewhere (the
  seller's back office) are seen within that time;
- this tool applied a Delete package since the snapshot (the journal says so);
- the snapshot is of another channel, seller, marketplace URL or tool version, or unreadable;
- the snapshot read fewer fields than the plan compares now (GET /offers `fields=`: a catalog
  that takes over its stock needs the quantities a snapshot without them never held);
- the caller asks for it (`catalog plan --refresh full`, or CATALOG_REFRESH=full).
A snapshot that read more fields than needed serves the plan as a read of the fewer would.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from reconciler import collector
from reconciler.catalog.cache import OfferCodec, SignedStore
from reconciler.catalog.model import Offer, SalesChannel
from reconciler.clock import now as clock_now
from reconciler.marketplace import wire
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.estimate import say_slow_read
from reconciler.marketplace.live import PAGE_SIZE, Progress, Say, narrowed, read_channel
from reconciler.state import StateFolder, StateFolderUnusable

MAX_AGE = timedelta(hours=24)
CLOCK_MARGIN = timedelta(minutes=5)  # the marketplace's clock may run behind ours
REFRESH = ("auto", "full")
# A snapshot is written again once the offers changed since it pass this share of the shop:
# rewriting a million offers each hour for a few thousand changes would cost more than reading
# those changes again; at 1% an hour, an hourly read stays under 4% of the shop (40 pages).
RESAVE_SHARE = 0.04


@dataclass(frozen=True, slots=True)
class ChannelRead:
    """How one channel's live offers were read, for the plan to say."""

    channel: str
    full: bool
    why: str  # why full, or since when incremental
    changed: int  # offers read from the marketplace

    def note(self) -> str:
        if self.full:
            return f"live offers of {self.channel}: full read ({self.changed:,} offers; {self.why})"
        return (
            f"live offers of {self.channel}: snapshot plus {self.changed:,} offer(s) updated "
            f"since {self.why} (deletions made outside this tool show at the next full read)"
        )


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why a channel's snapshot cannot serve this read, and how many offers it held (the
    size of the full read to come, when known)."""

    why: str
    offers: int | None = None


def _tool_version() -> str:
    try:
        return version("catalog-reconciler")
    except PackageNotFoundError:
        return "unknown"


class Snapshots:
    """The snapshots of one catalog's channels on one marketplace and seller."""

    def __init__(self, root: str | Path, client: MarketplaceClient, where: str = ""):
        """`where`: the marketplace, when not the client's URL (the embedded sandbox of a
        catalog listens on a new port each run, its offers stay)."""
        self.root = Path(root)
        self.identity = f"{where or client.api_url}|{client.seller_id}|{_tool_version()}"
        key = SignedStore.of(root).key  # None: no cache here (turned off, or the install)
        try:
            folder = StateFolder(root).snapshots if key is not None else None
        except (StateFolderUnusable, OSError):
            folder = None
        self.store = SignedStore(folder, key)

    def name(self, channel: SalesChannel) -> str:
        text = f"{self.identity}|{channel.id}|{channel.name}"
        return "live-" + hashlib.blake2b(text.encode(), digest_size=20).hexdigest()

    def load(
        self,
        channel: SalesChannel,
        now: datetime,
        max_age: timedelta,
        fields: frozenset[str] | None = None,
    ) -> tuple[datetime, dict[str, Offer]] | Unusable:
        """The snapshot's moment and offers as a read of `fields` (None: every field) gives
        them, or why it cannot be used."""
        if not self.store.enabled:
            return Unusable("no snapshot kept (state folder unusable)")
        entry = self.store.get(self.name(channel))
        if not isinstance(entry, dict) or entry.get("identity") != self.identity:
            return Unusable("no snapshot yet")
        try:
            count = len(entry["rows"])
            taken = datetime.fromisoformat(entry["taken"])
            if now - taken > max_age:
                return Unusable(f"snapshot older than {_hours(max_age)}", count)
            if _deleted_since(self.root, int(entry["journal"])):
                return Unusable("offers were deleted by an apply since the snapshot", count)
            if not _readable(fields) <= _readable(entry.get("fields")):
                return Unusable("snapshot read fewer fields", count)
            decode = OfferCodec.decoder(entry["tables"])
            offers = {o.sku: o for o in decode(entry["rows"])}
        except (KeyError, TypeError, ValueError, IndexError, ArithmeticError):
            return Unusable("snapshot unreadable")
        return taken, narrowed(offers, fields, channel)

    def save(
        self,
        channel: SalesChannel,
        taken: datetime,
        offers: dict[str, Offer],
        fields: frozenset[str] | None = None,
    ) -> None:
        """Keep `offers`, read asking `fields` (None: every field)."""
        if not self.store.enabled:
            return
        codec = OfferCodec()
        rows = [codec.encode(offer) for offer in offers.values()]
        entry: dict[str, Any] = {
            "identity": self.identity,
            "taken": taken.isoformat(),
            "journal": _journal_size(self.root),
            "fields": None if fields is None else sorted(fields),
            "rows": rows,
            "tables": codec.dump(),
        }
        self.store.put(self.name(channel), entry)


def _readable(fields: Iterable[str] | None) -> frozenset[str]:
    """The catalog fields a read asking `fields` states (None: every one); a snapshot kept
    before reads were trimmed has no `fields` and read every node."""
    if fields is None:
        return frozenset(wire.OFFER_FIELD_NODES)
    return wire.fields_of(wire.offer_nodes(frozenset(fields)))


def read_with_snapshots(
    client: MarketplaceClient,
    channels: Iterable[SalesChannel],
    root: str | Path,
    progress: Progress | None = None,
    refresh: str = "auto",
    max_age: timedelta = MAX_AGE,
    where: str = "",
    fields: Mapping[str, frozenset[str]] | None = None,
    say: Say | None = None,
    expected: Mapping[str, int] | None = None,
) -> tuple[dict[tuple[str, str], Offer], list[ChannelRead]]:
    """The live offers of every channel (in parallel), from snapshots where they may be used.

    `fields`: per channel (catalog name), the catalog fields to ask (None: every node);
    `expected`: per channel, the offers a full read would meet when no snapshot says, for the
    note said (`say`) before a full read the call quota slows down."""
    chosen = list(channels)
    if not chosen:
        return {}, []
    asked = fields or {}
    snapshots = Snapshots(root, client, where)
    started = clock_now().astimezone(UTC)
    kept = {
        ch.name: snapshots.load(ch, started, max_age, asked.get(ch.name))
        if refresh == "auto"
        else Unusable("--refresh full")
        for ch in chosen
    }
    if say is not None:
        full = {
            name: how.offers if how.offers is not None else (expected or {}).get(name, 0)
            for name, how in kept.items()
            if isinstance(how, Unusable)
        }
        say_slow_read(client.governor, full, say, PAGE_SIZE)
    with collector.paused(), ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = [
            pool.submit(
                _read_one, client, snapshots, ch, progress, kept[ch.name], asked.get(ch.name), say
            )
            for ch in chosen
        ]
        results = [f.result() for f in futures]  # the first failure stops the plan
    live = {
        (ch.name, sku): offer
        for ch, (offers, _) in zip(chosen, results, strict=True)
        for sku, offer in offers.items()
    }
    return live, [read for _, read in results]


def _read_one(
    client: MarketplaceClient,
    snapshots: Snapshots,
    channel: SalesChannel,
    progress: Progress | None,
    kept: tuple[datetime, dict[str, Offer]] | Unusable,
    fields: frozenset[str] | None,
    say: Say | None,
) -> tuple[dict[str, Offer], ChannelRead]:
    started = clock_now().astimezone(UTC)
    if isinstance(kept, Unusable):
        offers = read_channel(client, channel, progress, fields=fields, say=say)
        snapshots.save(channel, started, offers, fields)
        return offers, ChannelRead(channel.name, True, kept.why, len(offers))
    taken, offers = kept
    since = taken - CLOCK_MARGIN
    changed = read_channel(client, channel, progress, updated_since=since, fields=fields, say=say)
    offers.update(changed)
    if len(changed) > RESAVE_SHARE * len(offers):
        snapshots.save(channel, started, offers, fields)  # else the next read asks since `taken`
    when = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return offers, ChannelRead(channel.name, False, when, len(changed))


def _hours(age: timedelta) -> str:
    return f"{age.total_seconds() / 3600:g} h"


def _journal_size(root: Path) -> int:
    try:
        return StateFolder(root).journal.stat().st_size
    except (OSError, StateFolderUnusable):
        return 0


def _deleted_since(root: Path, size: int) -> bool:
    """Whether the apply journal grew since `size` with a Delete package (or was replaced)."""
    try:
        path = StateFolder(root).journal
        if not path.exists():
            return size > 0
        with path.open("rb") as journal:
            journal.seek(0, os.SEEK_END)
            if journal.tell() < size:
                return True  # rewritten: nothing can be said of what happened
            journal.seek(size)
            return b'"Delete"' in journal.read()
    except (OSError, StateFolderUnusable):
        return True
