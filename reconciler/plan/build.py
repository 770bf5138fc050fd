"""A plan built from a catalog and the live offers: the diff, the guards, the notes, the hash."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from reconciler import collector
from reconciler.catalog.model import XML_ONLY_FIELDS, Catalog, Condition, Offer, Submission
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.estimate import say_slow_read
from reconciler.marketplace.live import (
    PAGE_SIZE,
    LiveOffers,
    Progress,
    Say,
    check_delivery_modes,
    read_live_offers,
)
from reconciler.marketplace.snapshot import MAX_AGE, ChannelRead, read_with_snapshots
from reconciler.operations.discounts import desired_offers, drop_ended
from reconciler.plan.diff import EVERYTHING, Target, by_channel, diff_offers
from reconciler.plan.guards import check_guards
from reconciler.plan.model import Action, Change, Plan
from reconciler.plan.readback import (
    NO_RESEND,
    Resend,
    compared_fields,
    lacking,
    resend_rule,
    unreadable,
)
from reconciler.plan.serialize import compute_plan_hash
from reconciler.plan.sourced import complete
from reconciler.sources import SourceRecord, source_records


def _xml_only_notes(catalog: Catalog, changes: tuple[Change, ...]) -> tuple[str, ...]:
    """Said once per json channel whose changes send offers that carry XML-only fields on an
    xml channel: those fields do not travel to it. Silent when nothing is sent there."""
    xml_channels = [n for n, c in catalog.channels.items() if c.submission is Submission.XML]

    def sets_xml_only(sku: str) -> bool:  # asked per change: a plan changes few offers
        for name in xml_channels:
            offer = catalog.offers.get((name, sku))
            if offer is not None and any(
                getattr(offer, field) not in ("", None) for field in XML_ONLY_FIELDS
            ):
                return True
        return False

    counts: dict[str, int] = {}
    for change in changes:
        channel = catalog.channels.get(change.channel)
        if (
            xml_channels
            and channel is not None
            and channel.submission is Submission.JSON
            and change.action in (Action.CREATE, Action.UPDATE)
            and sets_xml_only(change.sku)
        ):
            counts[change.channel] = counts.get(change.channel, 0) + 1
    return tuple(
        f"{', '.join(XML_ONLY_FIELDS)} exist only in XML packages: json channel {name} "
        f"does not receive them ({count} offer(s) of this plan set some on an xml channel)"
        for name, count in sorted(counts.items())
    )


def build_plan(
    catalog: Catalog,
    live: Mapping[tuple[str, str], Offer],
    now: datetime,
    target: Target = EVERYTHING,
    resend: Resend = NO_RESEND,
) -> Plan:
    """The plan that brings `live` to the catalog at `now` (operations ended by then are gone).

    Live offers the client cannot read are set aside (named, left alone, on both sides); the
    fields the marketplace did not return are said per channel and not compared.
    """
    with collector.paused():  # what the diff builds holds no cycle: nothing for it to find
        return _build_plan(catalog, live, now, target, resend)


def _build_plan(
    catalog: Catalog,
    live: Mapping[tuple[str, str], Offer],
    now: datetime,
    target: Target,
    resend: Resend,
) -> Plan:
    desired = desired_offers(catalog, now)
    current, aside, shapes = _comparable(by_channel(live), now)
    if aside:
        desired = {k: o for k, o in desired.items() if k not in live or k[1] in current[k[0]]}
    missing = lacking(shapes, compared_fields(catalog, resend))
    for name, fields in missing.items():  # a json channel never receives the XML-only ones
        if catalog.channels[name].submission is Submission.JSON:
            missing[name] = tuple(f for f in fields if f not in XML_ONLY_FIELDS)
    changes, summaries = diff_offers(
        catalog.channels,
        desired,
        LiveOffers(current),
        catalog.manage,
        target,
        resend_rule(resend, missing),
    )
    changes, source_notes = complete(catalog, changes)
    summaries = tuple(
        replace(
            s,
            not_compared=missing.get(s.channel, ()),
            set_aside=tuple(sorted(aside.get(s.channel, ()))),
        )
        for s in summaries
    )
    plan = Plan(
        seller_id=catalog.seller_id,
        catalog_hash=catalog.content_hash,
        created_at=now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        channels=summaries,
        changes=changes,
        guards=check_guards(catalog.guards, summaries, changes),
        notes=_xml_only_notes(catalog, changes) + tuple(source_notes),
        target={**target.as_dict(), **resend.as_dict()},
        sources=_sources(catalog),
    )
    return replace(plan, plan_hash=compute_plan_hash(plan))


def _comparable(
    live: Mapping[str, Mapping[str, Offer]], now: datetime
) -> tuple[dict[str, dict[str, Offer]], dict[str, list[str]], dict[str, set[frozenset[str]]]]:
    """Per channel: the live offers the plan compares (sales ended by `now` gone), those it
    sets aside (a condition the client cannot read: named, left alone on both sides), and the
    distinct sets of fields the marketplace did not return. One walk of each channel, and no
    copy of a channel where nothing is set aside or ended."""
    current: dict[str, dict[str, Offer]] = {}
    aside: dict[str, list[str]] = {}
    shapes: dict[str, set[frozenset[str]]] = {}
    for channel, offers in live.items():
        kept, unknown = offers, set()
        for sku, offer in offers.items():
            if offer.condition.__class__ is not Condition:
                aside.setdefault(channel, []).append(unreadable(offer))
                kept = dict(offers) if kept is offers else kept
                del kept[sku]
                continue
            if offer.unknown:
                unknown.add(offer.unknown)  # few distinct sets
            if offer.discounts:  # most live offers have no sale: not even a call for them
                ended = drop_ended(offer, now)
                if ended is not offer:
                    kept = dict(offers) if kept is offers else kept
                    kept[sku] = ended
        current[channel] = kept
        if unknown:
            shapes[channel] = unknown
    return current, aside, shapes


def _sources(catalog: Catalog) -> tuple[SourceRecord, ...]:
    if catalog.merge is None:  # git owns every field: no sku set to build
        return ()
    return source_records(catalog.merge, {sku for _, sku in catalog.offers})


def plan_against_marketplace(
    catalog: Catalog,
    client: MarketplaceClient,
    now: datetime,
    target: Target = EVERYTHING,
    progress: Progress | None = None,
    refresh: str | None = None,
    max_age: timedelta = MAX_AGE,
    reads: list[ChannelRead] | None = None,
    resend: Resend = NO_RESEND,
    say: Say | None = None,
) -> Plan:
    """Read the live offers of the targeted channels and build the plan.

    Delivery modes are checked first: a mode the seller lacks is a catalog error (exit 4), found
    before any offer is compared. Only the nodes of the fields the plan compares are asked
    (`compared_fields`). With `refresh` ("auto" or "full") the read keeps snapshots in the
    catalog's state folder and, on "auto", reads only what changed since the last one
    (reconciler.marketplace.snapshot); without, every offer is read. How each channel was read
    is added to `reads` (kept out of the plan itself: the same plan has the same hash however
    its live side was read); `say` gets the notes worth saying before and while reading (a full
    read the call quota slows down, a marketplace refusing `fields=`).
    """
    channels = [
        ch
        for name, ch in sorted(catalog.channels.items())
        if not target.channels or name in target.channels
    ]
    check_delivery_modes(client, catalog, channels)
    fields = compared_fields(catalog, resend)
    expected = desired_counts(catalog)
    if refresh is None:
        if say is not None:
            full = {ch.name: expected.get(ch.name, 0) for ch in channels}
            say_slow_read(client.governor, full, say, PAGE_SIZE, snapshots=False)
        live = read_live_offers(
            client, channels, progress, fields=fields, say=say, known=catalog.offers
        )
        return build_plan(catalog, live, now, target, resend)
    where = "embedded sandbox" if catalog.marketplace.sandbox == "embedded" else ""
    live, how = read_with_snapshots(
        client,
        channels,
        catalog.root,
        progress,
        refresh,
        max_age,
        where,
        fields,
        say,
        expected,
        known=catalog.offers,  # one copy of what did not change for both sides
    )
    if reads is not None:
        reads += how
    return build_plan(catalog, live, now, target, resend)


def desired_counts(catalog: Catalog) -> dict[str, int]:
    """The catalog's desired offers per channel: what a full read expects to meet."""
    return dict(Counter(map(itemgetter(0), catalog.offers)))  # counted in C
