"""The plan as data: what would change, per (channel, sku), and why.

A `Plan` is built by reconciler.plan.diff from desired and live offers, checked by guards,
saved as versioned JSON (format_version 1) and rendered by reconciler.render. Apply pushes its
changes and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.catalog.model import Offer
from reconciler.sources.model import SourceRecord

FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"  # json channels: the offer is deleted
    WITHDRAW = "withdraw"  # xml channels: stock set to 0, Cdiscount offers cannot be deleted


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an offer, before -> after, as normal-form values (Decimal, tuples, ...)."""

    field: str
    before: object
    after: object
    source: str = ""  # where a value from outside git came from: "erp-stock, row 1203"


@dataclass(frozen=True, slots=True)
class Change:
    """One offer to create, update, delete or withdraw on one channel.

    `after` is the whole offer as it must be once applied (None for a delete); `fields` names
    what differs from `before` (empty for create and delete). `fingerprint` identifies the live
    offer the change was computed from (None for a create), so a saved plan can tell when the
    marketplace moved on.
    """

    channel: str
    sku: str
    action: Action
    before: Offer | None
    after: Offer | None
    fields: tuple[FieldChange, ...] = ()
    fingerprint: str | None = None
    reason: str = ""

    @property
    def changed_fields(self) -> frozenset[str]:
        return frozenset(f.field for f in self.fields)


@dataclass(frozen=True, slots=True)
class GuardViolation:
    """A guard that blocks the plan, with the offers that trip it."""

    guard: str  # one of reconciler.plan.guards.GUARD_NAMES
    channel: str
    message: str
    skus: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChannelSummary:
    channel: str
    channel_id: str
    submission: str
    live_offers: int
    creates: int = 0
    updates: int = 0
    deletes: int = 0
    withdraws: int = 0
    unchanged: int = 0
    unmanaged: int = 0  # live offers left alone because manage is "listed"
    # catalog fields the marketplace did not return for this channel, so not compared
    not_compared: tuple[str, ...] = ()
    # live offers left alone because the client cannot read them: "sku (why)"
    set_aside: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    seller_id: int
    catalog_hash: str
    created_at: str  # ISO 8601, UTC
    channels: tuple[ChannelSummary, ...]
    changes: tuple[Change, ...]  # sorted by channel, then sku
    guards: tuple[GuardViolation, ...] = ()
    notes: tuple[str, ...] = ()  # said once per plan, e.g. XML-only fields not sent to json
    target: dict[str, list[str]] = field(default_factory=dict)  # --channel / --sku if given
    sources: tuple[SourceRecord, ...] = ()  # the feeds read, with fingerprints of what was read
    plan_hash: str = ""
    format_version: int = FORMAT_VERSION

    @property
    def blocked(self) -> bool:
        return bool(self.guards)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)
