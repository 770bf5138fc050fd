"""What apply checks before sending anything: a saved plan is the reviewed one and still true,
guards acknowledged.

A saved plan is a file anyone could edit, so nothing in it is taken on trust: its `plan_hash`
is recomputed from its content, each change must be the one the catalog and the live offers
give now (the change sent is that recomputed one), and guards are recomputed from those
changes. Pure functions over a plan, the catalog and the live offers read just now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from reconciler.catalog.model import Catalog, Offer
from reconciler.errors import PlanBlocked, PlanStale
from reconciler.operations.discounts import desired_offers, drop_ended
from reconciler.plan.diff import Target, diff_channel, field_changes
from reconciler.plan.guards import GUARD_NAMES
from reconciler.plan.model import Change, Plan
from reconciler.plan.serialize import (
    OFFER_FIELDS,
    compute_plan_hash,
    offer_fingerprint,
    offer_to_dict,
)
from reconciler.plan.sourced import source_drift
from reconciler.render.fields import field_change_text

GUARDS = GUARD_NAMES

Key = tuple[str, str]


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


def check_plan_hash(plan: Plan) -> None:
    """Refuse (exit 6) a plan file whose content is not what its plan_hash was computed from."""
    content = compute_plan_hash(plan)
    if content != plan.plan_hash:
        raise PlanStale(
            f"the plan file was edited after it was made: its content hashes to {content}, "
            f"not to the plan_hash {plan.plan_hash} it carries.\n"
            "Make a new plan (catalog plan --out) and review it."
        )


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


def as_planned(change: Change, live: Offer | None, now: datetime) -> bool:
    """The live offer already shows what the change was to do: nothing left to send for it."""
    if change.after is None:
        return live is None
    return live is not None and not field_changes(drop_ended(live, now), change.after)


@dataclass(frozen=True)
class Verified:
    changes: tuple[Change, ...]  # as the catalog and the live offers give them now
    done: frozenset[Key]  # offers already live as planned: nothing to send


def verify_saved_plan(
    plan: Plan, catalog: Catalog, live: Mapping[Key, Offer], now: datetime
) -> Verified:
    """Refuse (exit 6) a saved plan that is not the one the catalog and the shop give now,
    naming each offer and why; return its changes recomputed, and those already done."""
    problems = _head_problems(plan, catalog)
    desired = desired_offers(catalog, now)
    target = Target(tuple(plan.target.get("channels", ())), tuple(plan.target.get("skus", ())))
    changes: list[Change] = []
    done: set[Key] = set()
    seen: set[Key] = set()
    for change in plan.changes:
        key = (change.channel, change.sku)
        name = f"{change.channel}/{change.sku}"
        if key in seen:
            problems.append(f"{name}: listed twice in the plan")
            continue
        seen.add(key)
        if change.channel not in catalog.channels:
            problems.append(f"{name}: the catalog has no channel {change.channel!r}")
            continue
        have = live.get(key)
        if as_planned(change, have, now):
            done.add(key)
            continue
        how = drift(change, have, now)
        if how:
            problems.append(f"{name}: {how} since the plan")
            continue
        expected = _expected(catalog, target, key, desired.get(key), have, now)
        why = _not_asked(change, expected)
        if why:
            problems.append(f"{name}: {change.action.value} is not what the catalog asks: {why}")
            continue
        assert expected is not None
        changes.append(expected)
    if problems:
        lines = ["the saved plan is stale or not the reviewed one:"]
        lines += [f"  {p}" for p in problems]
        lines.append("Make a new plan (catalog plan --out) and review it.")
        raise PlanStale("\n".join(lines))
    return Verified(tuple(changes), frozenset(done))


def _head_problems(plan: Plan, catalog: Catalog) -> list[str]:
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
    return problems


def _expected(
    catalog: Catalog,
    target: Target,
    key: Key,
    want: Offer | None,
    have: Offer | None,
    now: datetime,
) -> Change | None:
    """The change the plan's diff makes for this one offer now (None: the catalog asks none)."""
    channel, sku = key
    if not target.covers(channel, sku):
        return None
    current = None if have is None else drop_ended(have, now)
    found, _ = diff_channel(
        catalog.channels[channel],
        {} if want is None else {sku: want},
        {} if current is None else {sku: current},
        catalog.manage,
    )
    return found[0] if found else None


def _not_asked(change: Change, expected: Change | None) -> str:
    """Why a plan's change differs from the one the catalog asks for ("" when it does not)."""
    if expected is None:
        return "it asks no change to this offer"
    if expected.action is not change.action:
        return f"it asks {expected.action.value}"
    if change.after is not None and expected.after is not None:
        wrong = _differing(change.after, expected.after)
        if wrong:
            return "; ".join(wrong)
    if _values(change) != _values(expected):  # not where a value came from (a source's row)
        return "the plan's list of changed fields was altered"
    return ""


def _values(change: Change) -> list[tuple[str, object, object]]:
    return [(f.field, f.before, f.after) for f in change.fields]


def _differing(planned: Offer, asked: Offer) -> list[str]:
    a, b = _comparable(planned), _comparable(asked)
    return [
        f"{n} {a.get(n)} in the plan, {b.get(n)} in the catalog"
        for n in sorted(a.keys() | b.keys())
        if a.get(n) != b.get(n)
    ]


def _comparable(offer: Offer) -> dict:
    """The offer as a saved plan carries it: a field the side does not state has no value."""
    out = offer_to_dict(offer)
    for name in offer.unknown:
        out[name] = None
    return {k: v for k, v in out.items() if k in OFFER_FIELDS or k == "unknown"}
