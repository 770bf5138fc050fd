"""Incremental reads of the live shop: a snapshot of each channel from the last read, and
`GET /offers?updatedAtMin=` for what changed since.

A snapshot is the channel's live offers in normal form, kept in `.catalog/snapshots/` (signed
with the parse cache's key: one planted there, corrupt, or of an older format is not used, and
the full read says so; the format is reconciler/marketplace/snapshot_codec.py's) with the
moment its read began. The next read asks only for the offers updated since then, minus a
margin for the marketplace's clock, and lays them over the snapshot. The marketplace moves
`updatedAt` on every integration, so every change reaches a plan that way, except one: **a
deleted offer is not listed at all**. So a read is full (and a new snapshot taken) when:
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
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from reconciler import collector
from reconciler.catalog.cache import SignedStore
from reconciler.catalog.model import Offer, SalesChannel
from reconciler.clock import now as clock_now
from reconciler.marketplace import snapshot_codec as codec
from reconciler.marketplace import wire
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.estimate import say_slow_read
from reconciler.marketplace.items import Known
from reconciler.marketplace.live import (
    PAGE_SIZE,
    LiveOffers,
    Progress,
    Say,
    narrowed,
    read_channel,
)
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


@dataclass(frozen=True, slots=True)
class Kept:
    """A usable snapshot whose offers are not decoded yet: the read of what changed since
    `taken` can start meanwhile."""

    taken: datetime
    body: bytes | memoryview
    count: int
    fields: frozenset[str] | None  # what its read asked (None: every node)

    def offers(
        self, channel: SalesChannel, fields: frozenset[str] | None, known: Known | None = None
    ) -> dict[str, Offer]:
        """Its offers as a read of `fields` gives them (ValueError, TypeError, ... when the
        body is malformed), shared with `known` where equal (items.Known)."""
        offers = codec.decode(self.body, channel.name, self.count, known)
        if fields == self.fields:
            return offers  # read asking these very fields: already as such a read states them
        return narrowed(offers, fields, channel)


class Snapshots:
    """The snapshots of one catalog's channels on one marketplace and seller."""

    def __init__(self, root: str | Path, client: MarketplaceClient, where: str = ""):
        """`where`: the marketplace, when not the client's URL (the embedded sandbox of a
        catalog listens on a new port each run, its offers stay)."""
        self.root = Path(root)
        self.writing = threading.Lock()  # one channel's snapshot encoded at a time: half the peak
        self.identity = f"{where or client.api_url}|{client.seller_id}|{_tool_version()}"
        self.key = SignedStore.of(root).key  # None: no cache here (turned off, or the install)
        try:
            self.folder = StateFolder(root).snapshots if self.key is not None else None
        except (StateFolderUnusable, OSError):
            self.folder = None

    def name(self, channel: SalesChannel) -> str:
        text = f"{self.identity}|{channel.id}|{channel.name}"
        return "live-" + hashlib.blake2b(text.encode(), digest_size=20).hexdigest()

    def open(
        self,
        channel: SalesChannel,
        now: datetime,
        max_age: timedelta,
        fields: frozenset[str] | None = None,
    ) -> Kept | Unusable:
        """The snapshot, if it may serve a read of `fields` (None: every field) at `now`, or
        why it may not. Only its head is read here."""
        if self.folder is None or self.key is None:
            return Unusable("no snapshot kept (state folder unusable)")
        name = self.name(channel)
        try:
            with open(self.folder / name, "rb") as kept:  # noqa: PTH123 - not a catalog file
                raw = kept.read()
        except OSError:
            return Unusable("no snapshot yet")
        unpacked = codec.unpack(self.key, name, raw)
        if unpacked is None:
            return Unusable("snapshot not usable (corrupt, of another machine or an older format)")
        head, body = unpacked
        if head.get("identity") != self.identity:
            return Unusable("no snapshot yet")
        try:
            count = int(head["offers"])
            taken = datetime.fromisoformat(head["taken"])
            if now - taken > max_age:
                return Unusable(f"snapshot older than {_hours(max_age)}", count)
            if _deleted_since(self.root, int(head["journal"])):
                return Unusable("offers were deleted by an apply since the snapshot", count)
            read = head["fields"]
            read = None if read is None else frozenset(map(str, read))
            if not _readable(fields) <= _readable(read):
                return Unusable("snapshot read fewer fields", count)
        except (KeyError, TypeError, ValueError):
            return Unusable("snapshot unreadable")
        return Kept(taken, body, count, read)

    def save(
        self,
        channel: SalesChannel,
        taken: datetime,
        offers: dict[str, Offer],
        fields: frozenset[str] | None = None,
    ) -> None:
        """Keep `offers`, read asking `fields` (None: every field)."""
        if self.folder is None or self.key is None:
            return
        with self.writing:
            self._save(channel, taken, offers, fields)

    def _save(
        self,
        channel: SalesChannel,
        taken: datetime,
        offers: dict[str, Offer],
        fields: frozenset[str] | None,
    ) -> None:
        encoder = codec.Encoder()
        encoder.add(offers.values())
        head = {
            "identity": self.identity,
            "taken": taken.isoformat(),
            "journal": _journal_size(self.root),
            "fields": None if fields is None else sorted(fields),
            "offers": len(offers),
        }
        name = self.name(channel)
        temporary = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
        assert self.key is not None  # checked by `save`
        parts = codec.packed(self.key, name, head, encoder.body())
        del encoder  # its table of every offer, no longer needed while writing
        try:
            with open(temporary, "wb") as out:  # noqa: PTH123 - not a catalog file
                out.writelines(parts)
            os.replace(temporary, self.folder / name)
        except OSError:
            temporary.unlink(missing_ok=True)


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
    known: Known | None = None,
) -> tuple[LiveOffers, list[ChannelRead]]:
    """The live offers of every channel (in parallel), from snapshots where they may be used.

    `fields`: per channel (catalog name), the catalog fields to ask (None: every node);
    `expected`: per channel, the offers a full read would meet when no snapshot says, for the
    note said (`say`) before a full read the call quota slows down; `known`: offers the live
    ones are shared with where equal (items.Known: one copy for both sides)."""
    chosen = list(channels)
    if not chosen:
        return LiveOffers({}), []
    asked = fields or {}
    snapshots = Snapshots(root, client, where)
    started = clock_now().astimezone(UTC)
    kept = {
        ch.name: snapshots.open(ch, started, max_age, asked.get(ch.name))
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
    reader = _Reader(client, snapshots, progress, say, known)
    with collector.paused(freeze=True), ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = [pool.submit(reader.read, ch, kept[ch.name], asked.get(ch.name)) for ch in chosen]
        # the snapshots are decoded while the marketplace answers
        # each body let go once decoded (the worker only looks at its moment)
        decoded = {
            ch.name: reader.decoded(kept.pop(ch.name), ch, asked.get(ch.name)) for ch in chosen
        }
        results = [f.result() for f in futures]  # the first failure stops the plan
        read = [
            reader.merged(ch, asked.get(ch.name), decoded[ch.name], got)
            for ch, got in zip(chosen, results, strict=True)
        ]
    live = LiveOffers({ch.name: offers for ch, (offers, _) in zip(chosen, read, strict=True)})
    return live, [how for _, how in read]


_Got = tuple[datetime, dict[str, Offer], ChannelRead]


@dataclass(frozen=True, slots=True)
class _Reader:
    """What every channel's read shares."""

    client: MarketplaceClient
    snapshots: Snapshots
    progress: Progress | None
    say: Say | None
    known: Known | None

    def read(
        self, channel: SalesChannel, kept: Kept | Unusable, fields: frozenset[str] | None
    ) -> _Got:
        """In a worker: every offer (no usable snapshot; then kept as the next one), or those
        changed since the snapshot (laid over it by `merged`)."""
        started = clock_now().astimezone(UTC)
        client, progress, say, known = self.client, self.progress, self.say, self.known
        if isinstance(kept, Unusable):
            offers = read_channel(client, channel, progress, fields=fields, say=say, known=known)
            self.snapshots.save(channel, started, offers, fields)
            return started, offers, ChannelRead(channel.name, True, kept.why, len(offers))
        since = kept.taken - CLOCK_MARGIN
        changed = read_channel(
            client, channel, progress, updated_since=since, fields=fields, say=say, known=known
        )
        when = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        return started, changed, ChannelRead(channel.name, False, when, len(changed))

    def decoded(
        self, kept: Kept | Unusable, channel: SalesChannel, fields: frozenset[str] | None
    ) -> dict[str, Offer] | None:
        if isinstance(kept, Unusable):
            return None
        try:
            return kept.offers(channel, fields, self.known)
        except (KeyError, TypeError, ValueError, IndexError, ArithmeticError):
            return None  # signed by this machine yet malformed: read in full instead

    def merged(
        self,
        channel: SalesChannel,
        fields: frozenset[str] | None,
        offers: dict[str, Offer] | None,
        got: _Got,
    ) -> tuple[dict[str, Offer], ChannelRead]:
        """The channel's offers: the full read, or the snapshot with the changes laid over it."""
        started, changed, read = got
        if read.full:
            return changed, read
        if offers is None:
            _, offers, read = self.read(channel, Unusable("snapshot unreadable"), fields)
            return offers, read
        offers.update(changed)
        if len(changed) > RESAVE_SHARE * len(offers):
            # else the next read asks since `taken`
            self.snapshots.save(channel, started, offers, fields)
        return offers, read


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
