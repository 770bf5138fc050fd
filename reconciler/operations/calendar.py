"""The calendar of commercial operations at a moment: which are past, running and upcoming, the
sale price of each offer they select, and the price every selected offer has at that moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from reconciler.catalog.model import Catalog, CommercialOperation, Discount, Offer
from reconciler.clock import PARIS
from reconciler.operations.discounts import discount_for, instant, sale_price
from reconciler.operations.omnibus import OmnibusCheck
from reconciler.operations.selection import OfferIndex


class Phase(StrEnum):
    PAST = "past"
    RUNNING = "running"
    UPCOMING = "upcoming"


@dataclass(frozen=True, slots=True)
class SalePrice:
    """One offer in one operation: its price, and the price buyers pay during the operation."""

    sku: str
    price: Decimal
    sale_price: Decimal
    reference_price: Decimal | None  # sales only


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    operation: CommercialOperation
    phase: Phase
    offers: tuple[SalePrice, ...]


@dataclass(frozen=True, slots=True)
class PriceAtMoment:
    """The price buyers see for one offer at the calendar's moment, and the operation behind it."""

    channel: str
    sku: str
    price: Decimal
    operation: str = ""  # the running operation's name, "" when none runs


@dataclass(frozen=True, slots=True)
class Calendar:
    at: datetime
    entries: tuple[CalendarEntry, ...]  # past, then running, then upcoming; each by start
    prices: tuple[PriceAtMoment, ...]  # offers any operation selects, by channel and sku
    omnibus: OmnibusCheck = OmnibusCheck()


def build_calendar(catalog: Catalog, at: datetime, omnibus: OmnibusCheck | None = None) -> Calendar:
    moment = instant(at)
    entries = []
    running: dict[tuple[str, str], tuple[Offer, Discount, str]] = {}
    selected: dict[tuple[str, str], Offer] = {}
    index = OfferIndex(catalog)
    for operation in catalog.operations:
        phase = phase_of(operation, moment)
        offers = []
        for offer in index.select(operation).offers:
            discount = discount_for(operation, offer)
            offers.append(
                SalePrice(
                    offer.sku, offer.price, sale_price(offer, discount), discount.reference_price
                )
            )
            selected[offer.key] = offer
            if phase is Phase.RUNNING:
                running.setdefault(offer.key, (offer, discount, operation.name))
        entries.append(CalendarEntry(operation, phase, tuple(offers)))
    order = list(Phase)
    entries.sort(key=lambda e: (order.index(e.phase), instant(e.operation.start), e.operation.name))
    prices = tuple(_price_at(key, offer, running) for key, offer in sorted(selected.items()))
    return Calendar(moment.astimezone(PARIS), tuple(entries), prices, omnibus or OmnibusCheck())


def phase_of(operation: CommercialOperation, moment: datetime) -> Phase:
    """Past once ended (the end is excluded), running from its start, upcoming before."""
    if instant(operation.end) <= moment:
        return Phase.PAST
    if instant(operation.start) <= moment:
        return Phase.RUNNING
    return Phase.UPCOMING


def _price_at(
    key: tuple[str, str], offer: Offer, running: dict[tuple[str, str], tuple[Offer, Discount, str]]
) -> PriceAtMoment:
    if key not in running:
        return PriceAtMoment(offer.channel, offer.sku, offer.price)
    _, discount, name = running[key]
    return PriceAtMoment(offer.channel, offer.sku, sale_price(offer, discount), name)


def calendar_text(calendar: Calendar) -> str:
    """The calendar as the terminal shows it."""
    lines = [f"Commercial operations at {_moment(calendar.at)} (Europe/Paris)"]
    if not calendar.entries:
        return lines[0] + "\n  no operation in this catalog\n"
    for phase in Phase:
        entries = [e for e in calendar.entries if e.phase is phase]
        if entries:
            lines += ["", f"{phase.value.capitalize()}:"]
            for entry in entries:
                lines += _entry_lines(entry)
    lines += ["", f"Prices at {_moment(calendar.at)}:"]
    width = max((len(p.sku) for p in calendar.prices), default=0)
    for price in calendar.prices:
        during = f"  during {price.operation}" if price.operation else ""
        lines.append(f"  {price.channel}  {price.sku:<{width}}  {price.price:>10}{during}")
    return "\n".join(lines + _omnibus_lines(calendar.omnibus)) + "\n"


def _omnibus_lines(check: OmnibusCheck) -> list[str]:
    if check.skipped:
        return ["", check.skipped]
    gaps = [f"  {gap.message()}" for gap in check.gaps]
    if check.findings or gaps:
        return ["", "Omnibus:", *gaps] + [f"  {finding.message()}" for finding in check.findings]
    if check.checked:
        return [
            "",
            f"Omnibus: {check.checked} offer(s) on sale checked against their git history, "
            "no reference price above the lowest price of the 30 days before",
        ]
    return []


def _entry_lines(entry: CalendarEntry) -> list[str]:
    op = entry.operation
    lines = [
        f"  {op.name}  {op.kind.value} -{op.discount_percent}%  on {op.channel}  "
        f"{_moment(op.start)} -> {_moment(op.end)}"
    ]
    width = max((len(o.sku) for o in entry.offers), default=0)
    for offer in entry.offers:
        base = (
            f"reference {offer.reference_price}"
            if offer.reference_price
            else f"price {offer.price}"
        )
        lines.append(f"    {offer.sku:<{width}}  {offer.sale_price:>10}  ({base})")
    if not entry.offers:
        lines.append("    (selects no offer)")
    return lines


def _moment(moment: datetime) -> str:
    return instant(moment).astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
