"""The plan's changes completed for fields the catalog does not own (unmanaged or fed by sources).

The diff never compares an `unknown` field; what is sent still needs a value:
- an update sends the live value back for such a field where a whole offer travels (an XML Full
  package), never a value the catalog does not have;
- a create sends what the files (or the source) carry; a create with no price is an error
  located at the offer (exit 4), one with no stock is created at stock 0 and the plan says so
  (0 never oversells; the owner of the stock raises it).
Each changed value taken from a feed names its row: `stock 12 -> 4 (erp-stock, row 1203)`.
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.catalog.model import Catalog, Offer
from reconciler.errors import CatalogInvalid, Location, Problem
from reconciler.plan.model import Action, Change, Plan
from reconciler.sources import origin, source_records, unknown_sku_warnings


def complete(catalog: Catalog, changes: tuple[Change, ...]) -> tuple[tuple[Change, ...], list[str]]:
    """The changes with every value they send, annotated with sources; notes for the plan."""
    if catalog.merge is None:
        return changes, []
    done: list[Change] = []
    unpriced: list[Problem] = []
    zero_stock: list[str] = []
    for change in changes:
        if change.action is Action.CREATE and change.after is not None:
            after = change.after
            if after.price is None:
                unpriced.append(_unpriced(catalog, change))
                continue
            if after.stock is None:
                zero_stock.append(change.sku)
                after = replace(after, stock=0)
            reason = change.reason + _fed_text(catalog, after)
            done.append(replace(change, after=replace(after, unknown=frozenset()), reason=reason))
        elif change.action is Action.UPDATE:
            done.append(_annotated(catalog, change))
        else:
            done.append(change)
    if unpriced:
        raise CatalogInvalid(unpriced)
    notes = [str(w) for w in unknown_sku_warnings(catalog.merge, _skus(catalog))]
    if zero_stock:
        shown = ", ".join(sorted(set(zero_stock))[:10])
        notes.append(
            f"{len(zero_stock)} offer(s) created with stock 0: neither a source nor the offers "
            f"files give their stock ({shown}{', ...' if len(set(zero_stock)) > 10 else ''})"
        )
    return tuple(done), notes


def _annotated(catalog: Catalog, change: Change) -> Change:
    after, before = change.after, change.before
    if after is None or before is None:
        return change
    if after.unknown:
        after = _with_live_values(after, before)
    fields = tuple(
        replace(fc, source=origin(catalog.merge, change.channel, change.sku, fc.field))
        for fc in change.fields
    )
    return replace(change, after=after, fields=fields)


def _with_live_values(after: Offer, live: Offer) -> Offer:
    """The fields the catalog does not own, as the marketplace has them."""
    taken = {name: getattr(live, name) for name in after.unknown if name not in live.unknown}
    return replace(after, **taken, unknown=after.unknown - taken.keys())


def _fed_text(catalog: Catalog, offer: Offer) -> str:
    parts = [
        f"{name} from {where}"
        for name in ("stock", "price")
        if (where := origin(catalog.merge, offer.channel, offer.sku, name))
    ]
    return "; " + ", ".join(parts) if parts else ""


def _unpriced(catalog: Catalog, change: Change) -> Problem:
    where = catalog.origins.get((change.channel, change.sku), Location("offers"))
    message = (
        f"{change.sku} is not on {change.channel} yet and has no price to be created with: "
        "the catalog does not own its price (unmanaged, or a source without a value for it) "
        "and the offers file gives none"
    )
    return Problem(where, message)


def source_drift(plan: Plan, catalog: Catalog) -> list[str]:
    """How the sources moved since `plan` was made in a way that changes it; [] if they did not.

    A source whose values for the catalog's offers are the same (a new timestamp, rows of skus
    the catalog does not have) leaves the plan true. Any other move may add or change an
    offer's change, so it makes the saved plan stale (apply --plan, exit 6).
    """
    then = {record.name: record for record in plan.sources}
    now = {record.name: record for record in source_records(catalog.merge, _skus(catalog))}
    problems: list[str] = []
    for name in sorted(then.keys() | now.keys()):
        old, new = then.get(name), now.get(name)
        if old is None or new is None:
            state = "is read now but was not" if old is None else "was read but is not used now"
            problems.append(f"source {name} {state} when the plan was made")
        elif old.values_fingerprint != new.values_fingerprint:
            moved = _moved_values(plan, catalog, name)
            shown = "; ".join(moved[:5]) + ("; ..." if len(moved) > 5 else "")
            detail = shown or "values of offers the plan leaves unchanged moved"
            problems.append(f"source {name} ({new.where}) changed since the plan: {detail}")
    return problems


def _skus(catalog: Catalog) -> set[str]:
    return {sku for _, sku in catalog.offers}


def _moved_values(plan: Plan, catalog: Catalog, source: str) -> list[str]:
    moved = []
    for change in plan.changes:
        desired = catalog.offers.get((change.channel, change.sku))
        if change.after is None or desired is None:
            continue
        for fc in change.fields:
            fresh = getattr(desired, fc.field)
            if fc.source.startswith(f"{source},") and fresh != fc.after:
                moved.append(
                    f"{change.channel}/{change.sku} {fc.field} {fc.after} in the plan, {fresh} now"
                )
    return moved
