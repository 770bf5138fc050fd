"""Live discounts grouped back into commercial operations, one per channel and campaign.

Offers that share a channel, kind, start, end, percentage and reference price are one operation
selecting them by sku. A sale's reference price equal to the offer's own price is left out: the
catalog's "omitted = the offer's price" gives it back, and follows the price if it changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from reconciler.catalog.model import Offer, OperationKind, SalesChannel, Submission
from reconciler.clock import PARIS
from reconciler.operations.discounts import instant

_WORDS = {OperationKind.SALES: "sales", OperationKind.FLASH_SALE: "flash-sale"}


@dataclass(frozen=True, slots=True, order=True)
class ImportedOperation:
    channel: str
    kind: OperationKind
    start: datetime
    end: datetime
    discount_percent: int
    reference_price: Decimal | None
    skus: tuple[str, ...]
    name: str = ""


def live_operations(
    live: Mapping[tuple[str, str], Offer], channels: Mapping[str, SalesChannel], now: datetime
) -> list[ImportedOperation]:
    """The operations the live discounts still running or to come at `now` belong to."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for (channel, sku), offer in live.items():
        if channels[channel].submission is not Submission.XML:
            continue  # operations exist only in XML packages
        for d in offer.discounts:
            if instant(d.end) <= instant(now):
                continue  # ended: the plan ignores it as well
            reference = None if d.reference_price == offer.price else d.reference_price
            key = (channel, d.kind, instant(d.start), instant(d.end), d.percent, reference)
            groups[key].append(sku)
    found = sorted(
        ImportedOperation(
            channel,
            kind,
            start.astimezone(PARIS),
            end.astimezone(PARIS),
            percent,
            reference,
            tuple(sorted(skus)),
        )
        for (channel, kind, start, end, percent, reference), skus in groups.items()
    )
    return _named(found)


def _named(operations: list[ImportedOperation]) -> list[ImportedOperation]:
    """Names from kind, channel and start day; a second one that day gets -2, and so on."""
    seen: dict[str, int] = defaultdict(int)
    named = []
    for op in operations:
        base = f"{_WORDS[op.kind]}-{op.channel}-{op.start:%Y-%m-%d}"
        seen[base] += 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        named.append(replace(op, name=name))
    return named
