"""What apply checks before sending anything: guards acknowledged, a saved plan still true.

Pure functions over a plan, the catalog and the live offers read just now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from reconciler.catalog.model import Catalog, Offer
from reconciler.errors import PlanBlocked, PlanStale
from reconciler.operations.discounts import drop_ended
from reconciler.plan.diff import field_changes
from reconciler.plan.guards import GUARD_NAMES
from reconciler.plan.model import Change, Plan
from reconciler.plan.serialize import offer_fingerprint
from reconciler.plan.sourced import source_drift
from reconciler.render.fields import field_change_text

GUARDS = GUARD_NAMES


def check_guards(plan: Plan, ack: str | None, allow: Iterable[str]) -> None:
    """Refuse a blocked plan unless that exact plan or every tripped guard is acknowledged."""
    if not plan.blocked:
        return
    if ack and ack == plan.plan_hash:
        return
    allowed = set(allow)
    left = [g for g in plan.guards if g.guard not in allowed]
    if not left:
        return
    lines = [f"the plan is blocked by {len(left)} guard(s):"]
    lines += [f"  {g.guard} on {g.channel}: {g.message}" for g in left]
    if ack:
        lines.append(f"  --ack {ack} does not match this plan ({plan.plan_hash})")
    lines.append(
        f"Review it, then re-run with --ack {plan.plan_hash} (this plan only) "
        f"or --allow {left[0].guard} (that guard)."
    )
    raise PlanBlocked("\n".join(lines))


def drift(change: Change, live: Offer | None, now: datetime) -> str | None:
    """How the live offer moved since the plan saw it; None if it did not."""
    if change.fingerprint is None:  # a create: the offer must still be absent
        return None if live is None else "now exists on the marketplace"
    if live is None:
        return "no longer on the marketplace"
    if change.fingerprint in (offer_fingerprint(live), offer_fingerprint(drop_ended(live, now))):
        return None
    if change.before is None:
        return "changed on the marketplace"
    moved = field_changes(change.before, drop_ended(live, now))
    return ", ".join(field_change_text(fc) for fc in moved) or "changed on the marketplace"


def check_saved_plan(
    plan: Plan,
    catalog: Catalog,
    live: Mapping[tuple[str, str], Offer],
    now: datetime,
    already_done: set[tuple[str, str]],
) -> None:
    """Refuse (exit 6) a saved plan the world has moved away from, naming each offer and how.

    Offers an interrupted apply of this same plan already sent are expected to have moved.
    """
    problems = []
    if plan.seller_id != catalog.seller_id:
        problems.append(
            f"the plan is for seller {plan.seller_id}, the catalog for {catalog.seller_id}"
        )
    if plan.catalog_hash != catalog.content_hash:
        problems.append(
            "the catalog changed since the plan was made "
            f"({plan.catalog_hash[:12]} -> {catalog.content_hash[:12]})"
        )
    problems += source_drift(plan, catalog)
    for change in plan.changes:
        key = (change.channel, change.sku)
        if key in already_done:
            continue
        how = drift(change, live.get(key), now)
        if how:
            problems.append(f"{change.channel}/{change.sku}: {how} since the plan")
    if problems:
        lines = ["the saved plan is stale:"] + [f"  {p}" for p in problems]
        lines.append("Make a new plan (catalog plan) and review it.")
        raise PlanStale("\n".join(lines))
