"""The diff: desired offers against live offers, per (channel, sku). Pure: no HTTP, no clock.

Both sides arrive in the normal form of reconciler.catalog.normal, so comparing is field by
field equality. Only fields of `Offer` are compared, and `Offer` holds nothing that only the
marketplace sets (facial price, timestamps, offer ids), so those never cause a change.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from deepdiff import DeepDiff

from reconciler.catalog.model import (
    XML_ONLY_FIELDS,
    ManagePolicy,
    Offer,
    SalesChannel,
    Submission,
)
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


def diff_channel(
    channel: SalesChannel,
    desired: Mapping[str, Offer],
    live: Mapping[str, Offer],
    manage: ManagePolicy,
    resend: Resend | None = None,
) -> tuple[list[Change], ChannelSummary]:
    """The changes of one channel, sorted by sku, and its summary counts.

    Linear in the offers: each side is walked once in its own order and only the changes (a
    few percent) are sorted; sorting every sku of a million-offer shop cost more than the diff.
    """
    # A json channel cannot receive the XML-only fields: a live value there (a comment set
    # elsewhere) is not a change the catalog could ever make.
    unsendable = (
        frozenset(XML_ONLY_FIELDS) if channel.submission is Submission.JSON else frozenset()
    )
    changes: list[Change] = []
    unchanged = unmanaged = 0
    have_of = live.get
    for sku, want in desired.items():
        have = have_of(sku)
        if have is None:
            changes.append(_create(want))
        elif have == want:  # the common case, settled in one comparison
            unchanged += 1
        else:
            again = resend(want) if resend else frozenset()
            change = _update(have, want, again, unsendable)
            if change is None:
                unchanged += 1
            else:
                changes.append(change)
    for sku, have in live.items():
        if sku in desired:
            continue
        if manage is ManagePolicy.ALL:
            change = _removal(have, channel)
            if change is None:
                unchanged += 1
            else:
                changes.append(change)
        else:
            unmanaged += 1
    changes.sort(key=_sku)
    counts = {action: 0 for action in Action}
    for change in changes:
        counts[change.action] += 1
    summary = ChannelSummary(
        channel=channel.name,
        channel_id=channel.id,
        submission=channel.submission.value,
        live_offers=len(live),
        creates=counts[Action.CREATE],
        updates=counts[Action.UPDATE],
        deletes=counts[Action.DELETE],
        withdraws=counts[Action.WITHDRAW],
        unchanged=unchanged,
        unmanaged=unmanaged,
    )
    return changes, summary


def diff_offers(
    channels: Mapping[str, SalesChannel],
    desired: OfferMap,
    live: OfferMap,
    manage: ManagePolicy,
    target: Target = EVERYTHING,
    resend: Resend | None = None,
) -> tuple[tuple[Change, ...], tuple[ChannelSummary, ...]]:
    """Every change needed to bring `live` to `desired`, within `target`, channel by channel."""
    wanted = _by_channel(desired, target)
    present = _by_channel(live, target)
    changes: list[Change] = []
    summaries: list[ChannelSummary] = []
    for name in sorted(channels):
        if target.channels and name not in target.channels:
            continue
        channel_changes, summary = diff_channel(
            channels[name], wanted.get(name, {}), present.get(name, {}), manage, resend
        )
        changes.extend(channel_changes)
        summaries.append(summary)
    return tuple(changes), tuple(summaries)


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
