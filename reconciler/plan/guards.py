"""The guards of CATALOG_FORMAT.md, checked over a plan's changes. Pure.

`plan` reports violations and never fails on them; `apply` refuses a blocked plan unless the
plan (--ack PLAN_HASH) or the guard (--allow GUARD) is acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from reconciler.catalog.model import Guards
from reconciler.operations.discounts import sale_price
from reconciler.plan.model import Action, Change, ChannelSummary, GuardViolation

GUARD_NAMES = (
    "max_update_percent",
    "max_delete_percent",
    "max_price_change_percent",
    "max_stock_zeroed_percent",
)


def _percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    # Exact: a limit is compared with the true share, rounding is only for display.
    return Decimal(part) * 100 / Decimal(whole)


def _shown(percent: Decimal) -> Decimal:
    return percent.quantize(Decimal("0.1"))


def price_change_percent(before: Decimal, after: Decimal) -> Decimal | None:
    """How far a price moves, in percent of the old price (None when there was no old price)."""
    if before <= 0:
        return None
    return _percent(abs(after - before), before)


def _share_guard(
    guard: str, summary: ChannelSummary, changes: list[Change], limit: Decimal, what: str
) -> GuardViolation | None:
    if not changes:
        return None
    share = _percent(len(changes), summary.live_offers)
    if share <= limit:
        return None
    return GuardViolation(
        guard=guard,
        channel=summary.channel,
        message=(
            f"{len(changes)} of {summary.live_offers} live offers {what} ({_shown(share)}%), "
            f"more than {guard} {limit}%"
        ),
        skus=tuple(c.sku for c in changes),
    )


def buyer_prices(change: Change) -> list[tuple[str, Decimal, Decimal]]:
    """(what, from, to) for each price buyers would see that this change sets.

    Buyers pay the price after discount and read the striked and reference prices, so each is
    held against the offer's price before the change (its own price for a create): a 99%
    discount typed for 9% moves what buyers pay as much as a price typed 1.99 for 199.00.
    Discounts already live are not counted again."""
    after, before = change.after, change.before
    if after is None or after.price is None:
        return []
    base = before.price if before is not None and before.price is not None else after.price
    changed = change.changed_fields if before is not None else frozenset({"discounts"})
    moves: list[tuple[str, Decimal, Decimal]] = []
    if before is not None and "price" in changed:
        moves.append(("price", base, after.price))
    if "discounts" in changed:
        live = set(before.discounts or ()) if before is not None else set()
        for discount in after.discounts or ():
            if discount in live:
                continue
            moves.append((f"{discount.kind.value} price", base, sale_price(after, discount)))
            if discount.reference_price is not None:
                moves.append(("reference price", base, discount.reference_price))
    if "striked_price" in changed and after.striked_price is not None:
        moves.append(("striked price", base, after.striked_price))
    return moves


def _price_guard(channel: str, changes: list[Change], limit: Decimal) -> GuardViolation | None:
    moves: list[str] = []
    skus: list[str] = []
    for change in changes:
        tripped = False
        for what, before, after in buyer_prices(change):
            moved = price_change_percent(before, after)
            if moved is not None and moved > limit:
                tripped = True
                moves.append(f"{change.sku} {what} {before} -> {after} ({_shown(moved)}%)")
        if tripped:
            skus.append(change.sku)
    if not skus:
        return None
    shown = "; ".join(moves[:5]) + (f"; and {len(moves) - 5} more" if len(moves) > 5 else "")
    return GuardViolation(
        guard="max_price_change_percent",
        channel=channel,
        message=f"{len(skus)} offer(s) whose price buyers see moves by more than {limit}%: {shown}",
        skus=tuple(skus),
    )


def _zeroed_guard(
    summary: ChannelSummary, changes: list[Change], limit: Decimal
) -> GuardViolation | None:
    """A source setting too many offers to stock 0: an empty or broken export, not sales."""
    zeroed = [
        c
        for c in changes
        for fc in c.fields
        if fc.field == "stock" and fc.source and fc.after == 0 and (fc.before or 0) > 0
    ]
    violation = _share_guard(
        "max_stock_zeroed_percent", summary, zeroed, limit, "set to stock 0 by a source"
    )
    return violation


def check_guards(
    guards: Guards, summaries: Iterable[ChannelSummary], changes: Iterable[Change]
) -> tuple[GuardViolation, ...]:
    """Every guard the changes trip, channel by channel, in a stable order."""
    by_channel: dict[str, list[Change]] = {}
    for change in changes:
        by_channel.setdefault(change.channel, []).append(change)
    found: list[GuardViolation] = []
    for summary in summaries:
        mine = by_channel.get(summary.channel, [])
        updates = [c for c in mine if c.action is Action.UPDATE]
        removals = [c for c in mine if c.action in (Action.DELETE, Action.WITHDRAW)]
        if summary.live_offers and summary.live_offers >= guards.min_existing_offers:
            found.append(
                _share_guard(
                    "max_update_percent", summary, updates, guards.max_update_percent, "updated"
                )
            )
            found.append(
                _share_guard(
                    "max_delete_percent",
                    summary,
                    removals,
                    guards.max_delete_percent,
                    "deleted or withdrawn",
                )
            )
            found.append(_zeroed_guard(summary, updates, guards.max_stock_zeroed_percent))
        priced = [c for c in mine if c.action in (Action.UPDATE, Action.CREATE)]
        found.append(_price_guard(summary.channel, priced, guards.max_price_change_percent))
    return tuple(v for v in found if v is not None)
