"""The rules of commercial operations, checked by `catalog validate` before anything is sent.

Errors stop the catalog (exit 4); warnings are printed and let it through. Each problem points at
the operation's place in its operations/*.yaml file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from reconciler.catalog.model import (
    Catalog,
    CommercialOperation,
    Discount,
    Offer,
    OperationKind,
    Submission,
)
from reconciler.clock import PARIS, aware
from reconciler.errors import Location, Problem, unknown_name
from reconciler.operations.discounts import discounts_of, instant, sale_price
from reconciler.operations.selection import OfferIndex, Selection

FLASH_SALE_MAX = timedelta(hours=72)
FLASH_SALE_GAP = timedelta(hours=48)
SALES_NOTICE = timedelta(hours=72)  # Cdiscount wants sales about 72 h before they start


def check_operations(catalog: Catalog, now: datetime) -> list[Problem]:
    """Every problem with the catalog's operations; `now` dates the "sent too late" warning."""
    return check_windows(catalog.operations, now) + check_selections(catalog)


def check_windows(operations: tuple[CommercialOperation, ...], now: datetime) -> list[Problem]:
    """The problems of the operations' time windows: the only ones that depend on `now`."""
    return [p for operation in operations for p in _check_window(operation, instant(now))]


def check_selections(catalog: Catalog) -> list[Problem]:
    """The problems that depend on the catalog alone (a caller may keep them while it does not
    change)."""
    index = OfferIndex(catalog)
    selected = [(operation, index.select(operation)) for operation in catalog.operations]
    problems: list[Problem] = []
    for operation, selection in selected:
        problems += _check_one(catalog, operation, selection)
    problems += _check_overlaps(selected)
    return problems


def _where(operation: CommercialOperation, name: str) -> Location:
    base = operation.location or Location(file="operations")
    field = f"{base.field}.{name}" if base.field else f"{operation.name}.{name}"
    return replace(base, field=field)


def _error(operation: CommercialOperation, name: str, message: str) -> Problem:
    return Problem(_where(operation, name), f"operation {operation.name}: {message}")


def _warning(operation: CommercialOperation, name: str, message: str) -> Problem:
    return Problem(_where(operation, name), f"operation {operation.name}: {message}", "warning")


def _check_one(
    catalog: Catalog, operation: CommercialOperation, selection: Selection
) -> list[Problem]:
    problems = _check_channel(catalog, operation)
    if not 1 <= operation.discount_percent <= 99:
        problems.append(
            _error(
                operation,
                "discount_percent",
                f"discount_percent {operation.discount_percent} must be a whole number "
                "from 1 to 99",
            )
        )
    if operation.kind is OperationKind.FLASH_SALE and operation.reference_price is not None:
        problems.append(
            _error(
                operation,
                "reference_price",
                "reference_price is for sales only: a flash sale's reference is the offer's price",
            )
        )
    if operation.channel in catalog.channels:
        problems += _check_selection(operation, selection)
    return problems


def _check_channel(catalog: Catalog, operation: CommercialOperation) -> list[Problem]:
    channel = catalog.channels.get(operation.channel)
    if channel is None:  # else the plan would quietly take the sale off every offer it had
        message = unknown_name("channel", operation.channel, catalog.channels)
        return [_error(operation, "channel", message)]
    if channel.submission is not Submission.XML:
        return [
            _error(
                operation,
                "channel",
                f"channel {operation.channel!r} uses json submission, which cannot carry "
                "commercial operations: they go only in XML packages (Cdiscount), so set "
                f"`submission: xml` for {operation.channel!r} in catalog.yaml",
            )
        ]
    return []


def _check_window(operation: CommercialOperation, now: datetime) -> list[Problem]:
    start, end = instant(operation.start), instant(operation.end)
    if end <= start:
        return [_error(operation, "end", f"end {_shown(end)} is not after start {_shown(start)}")]
    problems = []
    if operation.kind is OperationKind.FLASH_SALE and end - start > FLASH_SALE_MAX:
        problems.append(
            _error(
                operation,
                "end",
                f"a flash sale lasts at most 72 h, this one lasts {_hours(end - start)}",
            )
        )
    if operation.kind is OperationKind.SALES and now < start < now + SALES_NOTICE:
        problems.append(
            _warning(
                operation,
                "start",
                f"starts in {_hours(start - now)}: Cdiscount wants sales sent at least 72 h "
                "before they start",
            )
        )
    return problems


def _check_selection(operation: CommercialOperation, selection: Selection) -> list[Problem]:
    if not selection.offers:
        return [_error(operation, "offers", f"selects no offer of channel {operation.channel!r}")]
    problems = []
    if selection.unknown_skus:
        names = ", ".join(selection.unknown_skus)
        problems.append(
            _warning(operation, "offers.skus", f"no offer {names} on channel {operation.channel!r}")
        )
    if selection.unused_tags:
        names = ", ".join(selection.unused_tags)
        problems.append(
            _warning(
                operation,
                "offers.tags",
                f"no offer of channel {operation.channel!r} is tagged {names}",
            )
        )
    if 1 <= operation.discount_percent <= 99:  # else the percent error says it all
        discount = discounts_of(operation)
        for offer in selection.offers:
            problems += _check_prices(operation, offer, discount(offer))
    return problems


def _check_prices(
    operation: CommercialOperation, offer: Offer, discount: Discount
) -> list[Problem]:
    price = sale_price(offer, discount)
    problems = []
    floor = offer.eco_tax + offer.dea_tax
    if price <= floor:
        problems.append(
            _error(
                operation,
                "discount_percent",
                f"offer {offer.sku}: sale price {price} is not above eco_tax + dea_tax ({floor})",
            )
        )
    if price >= offer.price:
        problems.append(
            _warning(
                operation,
                "reference_price",
                f"offer {offer.sku}: sale price {price} is not below its price {offer.price}: "
                "buyers would pay as much or more during the sale",
            )
        )
    reference = discount.reference_price
    if operation.kind is OperationKind.SALES and reference is not None and reference < offer.price:
        problems.append(
            _error(
                operation,
                "reference_price",
                f"offer {offer.sku}: reference price {reference} is below the offer's price "
                f"{offer.price}; a sale's reference price must be above the price it is sold at",
            )
        )
    return problems


def _check_overlaps(selected: list[tuple[CommercialOperation, Selection]]) -> list[Problem]:
    """One offer, one operation at a time; and 48 h between two flash sales of one offer."""
    by_offer: dict[tuple[str, str], list[CommercialOperation]] = defaultdict(list)
    for operation, selection in selected:
        if instant(operation.end) <= instant(operation.start):
            continue  # already an error; its window means nothing
        for offer in selection.offers:
            by_offer[offer.key].append(operation)
    found: dict[tuple[int, int], Problem] = {}
    for (_, sku), operations in sorted(by_offer.items()):
        ordered = sorted(operations, key=lambda op: (instant(op.start), op.name))
        for i, later in enumerate(ordered):
            for earlier in ordered[:i]:
                problem = _clash(earlier, later, sku)
                key = (id(earlier), id(later))
                if problem and key not in found:
                    found[key] = problem
    return list(found.values())


def _clash(earlier: CommercialOperation, later: CommercialOperation, sku: str) -> Problem | None:
    gap = instant(later.start) - instant(earlier.end)
    if gap < timedelta(0):
        return _error(
            later,
            "start",
            f"offer {sku} is already in operation {earlier.name} until "
            f"{_shown(earlier.end)}: "
            "an offer is in at most one operation at a time",
        )
    both_flash = earlier.kind is OperationKind.FLASH_SALE and later.kind is OperationKind.FLASH_SALE
    if both_flash and gap < FLASH_SALE_GAP:
        return _error(
            later,
            "start",
            f"offer {sku} had flash sale {earlier.name} until {_shown(earlier.end)}, "
            f"only {_hours(gap)} before: the same offer waits 48 h between two flash sales",
        )
    return None


def _shown(moment: datetime) -> str:
    return aware(moment).astimezone(PARIS).isoformat()


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
