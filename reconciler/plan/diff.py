"""The diff: desired offers against live offers, per (channel, sku). Pure: no HTTP, no clock.

Both sides arrive in the normal form of reconciler.catalog.normal, so comparing is field by
field equality. Only fields of `Offer` are compared, and `Offer` holds nothing that only the
marketplace sets (facial price, timestamps, offer ids), so those never cause a change.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from operator import itemgetter
from typing import Any

from deepdiff import DeepDiff

from reconciler.catalog.model import (
    XML_ONLY_FIELDS,
    ManagePolicy,
    Offer,
    SalesChannel,
    Submission,
)
from reconciler.marketplace.live import LiveOffers
from reconciler.plan.model import Action, Change, ChannelSummary, FieldChange
from reconciler.plan.serialize import offer_fingerprint

# The compared fields, in the order a reviewer reads them.
COMPARED_FIELDS = tuple(
    f.name for f in fields(Offer) if f.name not in ("channel", "sku", "unknown")
)

OfferMap = Mapping[tuple[str, str], Offer]
Resend = Callable[[Offer], frozenset[str]]  # desired offer -> fields to send whatever live says


@dataclass(frozen=True, slots=True)
class Target:
    """What a plan may touch: some channels (by catalog name) and/or skus matching globs.

    Empty means everything. Offers outside the target are neither created, updated, deleted
    nor withdrawn, and are not counted.
    """

    channels: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()  # fnmatch globs

    def covers(self, channel: str, sku: str) -> bool:
        if self.channels and channel not in self.channels:
            return False
        return not self.skus or any(fnmatch.fnmatchcase(sku, glob) for glob in self.skus)

    def as_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if self.channels:
            out["channels"] = list(self.channels)
        if self.skus:
            out["skus"] = list(self.skus)
        return out


EVERYTHING = Target()


def _sku(change: Change) -> str:
    return change.sku


def field_changes(
    before: Offer,
    after: Offer,
    resend: frozenset[str] = frozenset(),
    unsendable: frozenset[str] = frozenset(),
) -> tuple[FieldChange, ...]:
    """The fields that differ, leaving out those either side does not state (`Offer.unknown`).

    `resend` names fields sent whatever the live side says (`--resend`, `--since`), as long as
    the desired side states them. `unsendable` fields cannot reach this channel at all.
    """
    skipped = after.unknown | (before.unknown - resend) | unsendable
    return tuple(
        FieldChange(name, getattr(before, name), getattr(after, name))
        for name in COMPARED_FIELDS
        if name not in skipped and (name in resend or getattr(before, name) != getattr(after, name))
    )


def _update(
    live: Offer,
    desired: Offer,
    resend: frozenset[str] = frozenset(),
    unsendable: frozenset[str] = frozenset(),
) -> Change | None:
    if live == desired and not resend:  # the common case, settled in one comparison
        return None
    changed = field_changes(live, desired, resend, unsendable)
    if not changed:
        return None
    return Change(
        channel=desired.channel,
        sku=desired.sku,
        action=Action.UPDATE,
        before=live,
        after=desired,
        fields=changed,
        fingerprint=offer_fingerprint(live),
        reason="differs from the catalog: " + ", ".join(f.field for f in changed),
    )


def _create(desired: Offer) -> Change:
    return Change(
        channel=desired.channel,
        sku=desired.sku,
        action=Action.CREATE,
        before=None,
        after=desired,
        reason="in the catalog, not on the marketplace",
    )


def _removal(live: Offer, channel: SalesChannel) -> Change | None:
    """Delete (json) or withdraw (xml, stock 0) a live offer the catalog no longer names."""
    reason = "on the marketplace, not in the catalog (manage: all)"
    if channel.submission is Submission.JSON:
        return Change(
            channel=live.channel,
            sku=live.sku,
            action=Action.DELETE,
            before=live,
            after=None,
            fingerprint=offer_fingerprint(live),
            reason=reason,
        )
    if live.stock == 0:
        return None  # already withdrawn: nothing left to do
    after = replace(live, stock=0)
    return Change(
        channel=live.channel,
        sku=live.sku,
        action=Action.WITHDRAW,
        before=live,
        after=after,
        fields=(FieldChange("stock", live.stock, 0),),
        fingerprint=offer_fingerprint(live),
        reason=reason + "; Cdiscount offers cannot be deleted, stock set to 0",
    )


def _by_channel(offers: OfferMap, target: Target) -> dict[str, dict[str, Offer]]:
    grouped: dict[str, dict[str, Offer]] = {}
    covers = None if target == EVERYTHING else target.covers
    for (channel, sku), offer in offers.items():
        if covers is None or covers(channel, sku):
            grouped.setdefault(channel, {})[sku] = offer
    return grouped


def by_channel(offers: OfferMap) -> dict[str, dict[str, Offer]]:
    """The offers by channel, then sku: live offers as read are held so already."""
    if isinstance(offers, LiveOffers):
        return offers.channels
    return _by_channel(offers, EVERYTHING)


def _unsendable(channel: SalesChannel) -> frozenset[str]:
    # A json channel cannot receive the XML-only fields: a live value there (a comment set
    # elsewhere) is not a change the catalog could ever make.
    if channel.submission is Submission.JSON:
        return frozenset(XML_ONLY_FIELDS)
    return frozenset()


class _Tally:
    """One channel's changes and counts, as the desired offers are walked."""

    __slots__ = ("changes", "matched", "seen", "unchanged", "unmanaged", "unsendable")

    def __init__(self, channel: SalesChannel):
        self.changes: list[Change] = []
        self.seen = self.matched = self.unchanged = self.unmanaged = 0
        self.unsendable = _unsendable(channel)

    def compare(self, have: Offer | None, want: Offer, resend: Resend | None) -> None:
        self.seen += 1
        if have is None:
            self.changes.append(_create(want))
            return
        self.matched += 1
        if have == want:  # the common case, settled in one comparison
            self.unchanged += 1
            return
        again = resend(want) if resend else frozenset()
        change = _update(have, want, again, self.unsendable)
        if change is None:
            self.unchanged += 1
        else:
            self.changes.append(change)

    def remove(self, have: Offer, channel: SalesChannel, manage: ManagePolicy) -> None:
        """A live offer the catalog does not name."""
        if manage is not ManagePolicy.ALL:
            self.unmanaged += 1
            return
        change = _removal(have, channel)
        if change is None:
            self.unchanged += 1
        else:
            self.changes.append(change)

    def summary(self, channel: SalesChannel, live_offers: int) -> ChannelSummary:
        """Sorts the changes by sku (only they: sorting every sku of a big shop cost more than
        the diff) and counts them."""
        self.changes.sort(key=_sku)
        counts = {action: 0 for action in Action}
        for change in self.changes:
            counts[change.action] += 1
        return ChannelSummary(
            channel=channel.name,
            channel_id=channel.id,
            submission=channel.submission.value,
            live_offers=live_offers,
            creates=counts[Action.CREATE],
            updates=counts[Action.UPDATE],
            deletes=counts[Action.DELETE],
            withdraws=counts[Action.WITHDRAW],
            unchanged=self.unchanged,
            unmanaged=self.unmanaged,
        )


def diff_channel(
    channel: SalesChannel,
    desired: Mapping[str, Offer],
    live: Mapping[str, Offer],
    manage: ManagePolicy,
    resend: Resend | None = None,
) -> tuple[list[Change], ChannelSummary]:
    """The changes of one channel, sorted by sku, and its summary counts.

    Linear in the offers: each side is walked once in its own order."""
    tally = _Tally(channel)
    have_of = live.get
    for sku, want in desired.items():
        tally.compare(have_of(sku), want, resend)
    if tally.matched < len(live):  # else every live offer is a desired one
        for sku, have in live.items():
            if sku not in desired:
                tally.remove(have, channel, manage)
    return tally.changes, tally.summary(channel, len(live))


def diff_offers(
    channels: Mapping[str, SalesChannel],
    desired: OfferMap,
    live: OfferMap,
    manage: ManagePolicy,
    target: Target = EVERYTHING,
    resend: Resend | None = None,
) -> tuple[tuple[Change, ...], tuple[ChannelSummary, ...]]:
    """Every change needed to bring `live` to `desired`, within `target`, channel by channel."""
    names = [n for n in sorted(channels) if not target.channels or n in target.channels]
    if target.skus:
        wanted, present = _by_channel(desired, target), _by_channel(live, target)
        found = [
            diff_channel(channels[n], wanted.get(n, {}), present.get(n, {}), manage, resend)
            for n in names
        ]
    else:
        found = _diff_channels(channels, names, desired, by_channel(live), manage, resend)
    changes = tuple(change for channel_changes, _ in found for change in channel_changes)
    return changes, tuple(summary for _, summary in found)


def _diff_channels(
    channels: Mapping[str, SalesChannel],
    names: list[str],
    desired: OfferMap,
    live: Mapping[str, Mapping[str, Offer]],
    manage: ManagePolicy,
    resend: Resend | None,
) -> list[tuple[list[Change], ChannelSummary]]:
    """`diff_channel` of each named channel, in one walk of the desired offers as they come
    (grouping 200,000 of them by channel first cost as much as comparing them). The walk only
    sets apart the offers that are not plainly equal (a few percent); the others are counted
    by channel afterwards, in C."""
    lookups = {name: live.get(name, {}).get for name in names}
    odd: list[tuple[str, Offer | None, Offer]] = []
    for key, want in desired.items():
        lookup = lookups.get(key[0])
        if lookup is None:
            continue  # a channel outside the target
        have = lookup(key[1])
        if have is None or not have == want:  # noqa: SIM201 - Offer defines __eq__ only
            odd.append((key[0], have, want))
    declared = Counter(map(itemgetter(0), desired))
    tallies = {name: _Tally(channels[name]) for name in names}
    for name, have, want in odd:
        tallies[name].compare(have, want, resend)
    found = []
    for name, tally in tallies.items():
        equal = declared[name] - tally.seen  # the channel's other desired offers
        tally.matched += equal
        tally.unchanged += equal
        present, channel = live.get(name, {}), channels[name]
        if tally.matched < len(present):
            for sku, have in present.items():
                if (name, sku) not in desired:
                    tally.remove(have, channel, manage)
        found.append((tally.changes, tally.summary(channel, len(present))))
    return found


def _keyed(field: str, value: Any) -> Any:
    """A nested list as a mapping, so deepdiff names entries by mode or start, not position."""
    if value is None:  # not returned by the marketplace: nothing to list entry by entry
        return value
    if field == "delivery":
        return {o.mode: {"cost": o.cost, "additional_cost": o.additional_cost} for o in value}
    if field == "discounts":
        return {
            f"{d.kind.value} from {d.start.isoformat()}": {
                "end": d.end.isoformat(),
                "percent": d.percent,
                "reference_price": d.reference_price,
            }
            for d in value
        }
    return value


def nested_changes(change: FieldChange) -> list[str]:
    """What moved inside a nested field (delivery, discounts), one readable line each."""
    before, after = _keyed(change.field, change.before), _keyed(change.field, change.after)
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    found = DeepDiff(before, after, view="tree")
    lines: list[str] = []
    for kind, items in sorted(found.items()):
        for item in sorted(items, key=lambda i: i.path()):
            path = " ".join(str(p) for p in item.path(output_format="list"))
            if kind == "dictionary_item_added":
                lines.append(f"{path} added: {_flat(item.t2)}")
            elif kind == "dictionary_item_removed":
                lines.append(f"{path} removed: {_flat(item.t1)}")
            else:
                lines.append(f"{path}: {_flat(item.t1)} -> {_flat(item.t2)}")
    return lines


def _flat(value: Any) -> str:
    """A value for a reader: a mapping as "key value" pairs, nothing shown as "None"."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
    return "(none)" if value is None else str(value)
