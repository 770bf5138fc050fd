"""What became of each offer an apply sent: integrated, rejected (code, meaning), not sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class JournalWriter(Protocol):
    """Where a channel announces each step of a package (reconciler.apply.journal.Journal)."""

    def record(self, event: str, **data: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class SentPackage:
    """A package the marketplace took: what to follow, and which offers it holds."""

    name: str  # ours, as the journal knows it
    package_id: str  # the marketplace's
    package_type: str
    actions: Mapping[str, str]  # sku -> action


class OfferStatus(StrEnum):
    INTEGRATED = "integrated"
    REJECTED = "rejected"
    NOT_SENT = "not_sent"  # never reached the marketplace (limit reached, store refused, ...)
    PENDING = "pending"  # sent, still integrating when the apply had to stop: followed next time


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    channel: str
    sku: str
    action: str  # create | update | delete | withdraw
    status: OfferStatus
    code: str = ""
    message: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "channel": self.channel,
            "sku": self.sku,
            "action": self.action,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class PackageOutcome:
    """One package as the marketplace finished it, with the fate of each offer it held."""

    channel: str
    submission: str  # json | xml
    package_id: str
    package_type: str
    state: str  # Integrated | Rejected | Abandoned | NotSent
    offers: tuple[OfferOutcome, ...] = ()
    message: str = ""
    resumed: bool = False  # submitted by an earlier, interrupted apply
    extra: dict[str, str] = field(default_factory=dict)

    def count(self, status: OfferStatus) -> int:
        return sum(1 for o in self.offers if o.status is status)

    def to_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "submission": self.submission,
            "package_id": self.package_id,
            "package_type": self.package_type,
            "state": self.state,
            "message": self.message,
            "resumed": self.resumed,
            "offers": len(self.offers),
            **self.extra,
        }


def not_sent(channel: str, sku: str, action: str, why: str) -> OfferOutcome:
    return OfferOutcome(channel, sku, action, OfferStatus.NOT_SENT, "", why)
