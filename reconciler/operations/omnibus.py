"""The EU Omnibus check: a sale's reference price is at most the lowest price of the 30 days
before it starts, taken from the git history of the offers files and the current catalog.

A warning by default, an error with --strict. When the catalog is not in git, the check says it
was skipped rather than pass in silence; when git cannot see the whole window (a shallow clone,
no git program, a repository younger than the window), it says that, and how to fix it, and
--strict fails: an unseen price is not a price that was never lower.

Cheap by construction: only the offers a running or coming sale selects are looked up, and an
old version is read for those only; a committed version whose blob is the working file itself
is not read (its prices are the current ones, already counted); prices are kept per blob id
(reconciler.operations.history); the result itself is kept for the next run while the
catalog, the feeds, HEAD, the running sales and the tool are the same
(reconciler.operations.kept); `validate` has the versions read in a second process while the
catalog loads (reconciler.operations.early).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.catalog.cache import SignedStore
from reconciler.catalog.model import Catalog, CommercialOperation, Offer, OperationKind
from reconciler.clock import PARIS
from reconciler.errors import Location, Problem
from reconciler.operations import kept
from reconciler.operations.discounts import discounts_of, instant
from reconciler.operations.history import (
    NotARepository,
    PriceHistory,
    Prices,
    Version,
    price_for,
)
from reconciler.operations.selection import OfferIndex

if TYPE_CHECKING:
    from reconciler.operations.early import ReadAhead

WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PricePoint:
    """A price an offer had, from when (within the window) and where it was read."""

    price: Decimal
    since: datetime
    source: str  # a short commit id, or "current catalog"


@dataclass(frozen=True, slots=True)
class OmnibusFinding:
    """A sale whose reference price is above the offer's lowest price of the 30 days before."""

    operation: CommercialOperation
    sku: str
    reference_price: Decimal
    lowest: PricePoint

    def message(self) -> str:
        start = instant(self.operation.start).astimezone(PARIS)
        return (
            f"operation {self.operation.name}: offer {self.sku}: reference price "
            f"{self.reference_price} is above {self.lowest.price}, its lowest price in the 30 days "
            f"before {start.date().isoformat()} (on {self.lowest.since.astimezone(PARIS).date()}, "
            f"{self.lowest.source}); the Omnibus rule has the discount shown from that price"
        )


FULL_HISTORY = (
    "check out the full history (GitHub actions/checkout: `fetch-depth: 0`; GitLab: `GIT_DEPTH: 0`)"
)


@dataclass(frozen=True, slots=True)
class HistoryGap:
    """A sale whose 30-day window opens before the oldest commit git has here."""

    operation: CommercialOperation
    reaches: datetime  # the date of the oldest commit available
    shallow: bool  # a shallow clone (else the repository itself is that young)

    def message(self) -> str:
        opens = (instant(self.operation.start) - WINDOW).astimezone(PARIS).date()
        since = self.reaches.astimezone(PARIS).date()
        why = "this is a shallow clone" if self.shallow else "that is the repository's first commit"
        return (
            f"operation {self.operation.name}: Omnibus check incomplete: the git history here "
            f"starts on {since} ({why}), after {opens} when the 30 days before the sale open; "
            f"a lower price of those days cannot be seen: {FULL_HISTORY}"
        )


@dataclass(frozen=True, slots=True)
class OmnibusCheck:
    findings: tuple[OmnibusFinding, ...] = ()
    skipped: str = ""  # why the check did not run, if it did not
    checked: int = 0  # how many (sale, offer) pairs were compared with their history
    gaps: tuple[HistoryGap, ...] = ()  # sales whose window the history does not cover
    blind: bool = False  # skipped because git could not look (no git program): strict fails

    @property
    def complete(self) -> bool:
        """Whether every sale was compared with 30 days of history."""
        return not self.skipped and not self.gaps

    def problems(self, catalog: Catalog, strict: bool = False) -> list[Problem]:
        severity = "error" if strict else "warning"
        if self.skipped:
            return [
                Problem(Location(catalog.root), self.skipped, severity if self.blind else "warning")
            ]
        found = [Problem(_where(g.operation), g.message(), severity) for g in self.gaps]
        return found + [Problem(_where(f.operation), f.message(), severity) for f in self.findings]


def omnibus_problems(
    catalog: Catalog, now: datetime, strict: bool = False, ahead: ReadAhead | None = None
) -> list[Problem]:
    """For `catalog validate`: the Omnibus findings as warnings, or errors when `strict`."""
    return check_omnibus(catalog, now, ahead).problems(catalog, strict)


def check_omnibus(catalog: Catalog, now: datetime, ahead: ReadAhead | None = None) -> OmnibusCheck:
    """Check every sales operation not yet ended at `now` against the offers' price history
    (the result kept by the last run with the same inputs, if any); `ahead`: the versions
    read during the load (reconciler.operations.early)."""
    sales = [
        op
        for op in catalog.operations
        if op.kind is OperationKind.SALES and instant(op.end) > instant(now)
    ]
    if not sales:
        return OmnibusCheck()
    try:
        history = PriceHistory(catalog.root, SignedStore.of(catalog.root))
    except NotARepository as err:
        return _skipped(catalog, err)
    name = kept.entry_name(catalog, history, sales)
    found = kept.decode(history.store.get(name), catalog, now) if name else None
    if found is not None:
        return OmnibusCheck(
            findings=tuple(
                OmnibusFinding(op, sku, reference, PricePoint(price, since, source))
                for op, sku, reference, price, since, source in found["findings"]
            ),
            checked=found["checked"],
            gaps=tuple(HistoryGap(*gap) for gap in found["gaps"]),
        )
    check = _check(catalog, now, history, sales, ahead)
    if name:
        history.store.put(name, kept.encode(check, catalog))
    return check


def _check(
    catalog: Catalog,
    now: datetime,
    history: PriceHistory,
    sales: list[CommercialOperation],
    ahead: ReadAhead | None,
) -> OmnibusCheck:
    findings, checked, gaps = [], 0, []
    index = OfferIndex(catalog)
    _want_on_sale(catalog, history, index, sales)
    if ahead is not None:
        wanted = history.wanted.items()
        history.adopt(ahead.prices({_path(catalog, f).resolve(): s for f, s in wanted}))
    for operation in sales:
        if history.reaches() > instant(operation.start) - WINDOW:
            gaps.append(HistoryGap(operation, history.reaches(), history.shallow))
        give = discounts_of(operation)  # worked out once per sale, not per offer
        for offer in index.select(operation).offers:
            checked += 1
            reference = give(offer).reference_price or offer.price
            lowest = lowest_price(catalog, history, offer, operation.start, now)
            if reference > lowest.price:
                findings.append(OmnibusFinding(operation, offer.sku, reference, lowest))
    return OmnibusCheck(findings=tuple(findings), checked=checked, gaps=tuple(gaps))


def _want_on_sale(
    catalog: Catalog, history: PriceHistory, index: OfferIndex, sales: list[CommercialOperation]
) -> None:
    """Tell the history which skus of each offers file are on sale: an old version is read for
    those only (every sale together, so one read of a version serves them all)."""
    wanted: dict[str, set[str]] = {}
    for operation in sales:
        for offer in index.select(operation).offers:
            origin = catalog.origins.get(offer.key)
            if origin is not None:
                wanted.setdefault(origin.file, set()).add(offer.sku)
    history.wanted.update({file: frozenset(skus) for file, skus in wanted.items()})


def _skipped(catalog: Catalog, err: NotARepository) -> OmnibusCheck:
    if err.no_git:
        return OmnibusCheck(
            skipped=f"Omnibus check skipped: git cannot run here ({err}), so the price history "
            f"of the offers cannot be read: install git and {FULL_HISTORY}",
            blind=True,
        )
    if err.no_commit:
        return OmnibusCheck(
            skipped=f"Omnibus check skipped: the git repository of {catalog.root} has no commit "
            "yet, so there is no price history to compare the reference prices with",
            blind=True,
        )
    return OmnibusCheck(
        skipped=f"Omnibus check skipped: {catalog.root} is not in a git repository, "
        "so there is no price history to compare the reference prices with"
    )


def lowest_price(
    catalog: Catalog, history: PriceHistory, offer: Offer, start: datetime, now: datetime
) -> PricePoint:
    """The lowest price `offer` had in the 30 days before `start`: the committed versions of its
    offers file in effect during that window, and the current catalog."""
    lowest = PricePoint(offer.price, instant(now), "current catalog")
    origin = catalog.origins.get(offer.key)
    if origin is None:
        return lowest
    start = instant(start)
    for version, prices in _window(catalog, history, origin.file, start):
        price = price_for(prices, offer.channel, offer.sku)
        if price is not None and price < lowest.price:
            since = max(version.date, start - WINDOW)
            lowest = PricePoint(price, since, f"commit {version.commit[:7]}")
    return lowest


def _window(
    catalog: Catalog, history: PriceHistory, file: str, start: datetime
) -> list[tuple[Version, Prices]]:
    """The versions of an offers file in the window before `start`, with their prices: worked
    out once per file and sale (every offer of the file on sale asks)."""
    memo = history.windows
    if (file, start) not in memo:
        path = _path(catalog, file)
        versions = [
            v
            for v in in_window(history.versions(path), start)
            if v.blob != history.working_blob(path)  # the working file: its prices are current
        ]
        prices = history.prices(versions, history.wanted.get(file))
        memo[file, start] = list(zip(versions, prices, strict=True))
    return memo[file, start]


def in_window(versions: tuple[Version, ...], start: datetime) -> list[Version]:
    """The versions in effect at some moment of [start - 30 days, start): those committed in the
    window, and the last one before it (in effect when the window opened)."""
    opens = start - WINDOW
    before = [v for v in versions if instant(v.date) <= opens]
    inside = [v for v in versions if opens < instant(v.date) < start]
    return before[-1:] + inside


def _path(catalog: Catalog, file: str) -> Path:
    """Where an offers file is: origins may name it from the catalog folder or from here."""
    path = Path(file)
    if path.is_absolute() or not (Path(catalog.root) / path).exists():
        return path
    return Path(catalog.root) / path


def _where(operation: CommercialOperation) -> Location:
    base = operation.location or Location(file="operations")
    field = f"{base.field}.reference_price" if base.field else f"{operation.name}.reference_price"
    return replace(base, field=field)
