"""How offer fields and changes read to a seller; shared by every renderer so they agree."""

from __future__ import annotations

from decimal import Decimal

from reconciler.catalog.model import (
    XML_ONLY_FIELDS,
    DeliveryOption,
    Discount,
    Offer,
    Packaging,
    PriceAlignment,
)
from reconciler.operations.discounts import sale_price
from reconciler.plan.diff import nested_changes
from reconciler.plan.guards import price_change_percent
from reconciler.plan.model import Action, Change, FieldChange, Plan
from reconciler.sources.model import SourceRecord

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.WITHDRAW: "-"}


def value_text(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, tuple):
        return "; ".join(value_text(v) for v in value) if value else "(none)"
    if isinstance(value, DeliveryOption):
        return f"{value.mode} {value.cost} (+{value.additional_cost})"
    if isinstance(value, Discount):
        ref = f" of {value.reference_price}" if value.reference_price is not None else ""
        start = value.start.isoformat(timespec="minutes")
        end = value.end.isoformat(timespec="minutes")
        return f"{value.kind.value} -{value.percent}%{ref} {start} to {end}"
    if isinstance(value, PriceAlignment):
        floor = f" (min {value.minimum_price})" if value.minimum_price is not None else ""
        return ("align" if value.align else "don't align") + floor
    if isinstance(value, Packaging):
        return f"{value.value} {value.unit}"
    return str(value)


def discounts_text(offer: Offer) -> str:
    """An offer's operations with the price buyers will see during each."""
    return "; ".join(f"{value_text(d)}, buyers pay {sale_price(offer, d)}" for d in offer.discounts)


def field_change_text(fc: FieldChange) -> str:
    text = f"{fc.field} {value_text(fc.before)} -> {value_text(fc.after)}"
    if fc.field == "price" and isinstance(fc.before, Decimal) and isinstance(fc.after, Decimal):
        moved = price_change_percent(fc.before, fc.after)
        if moved is not None:
            sign = "+" if fc.after > fc.before else "-"
            text += f" ({sign}{moved.quantize(Decimal('0.1'))}%)"
    if fc.source:
        text += f" ({fc.source})"
    return text


def source_text(record: SourceRecord) -> str:
    """A source a plan read, in a line: where, how many rows, from when, what was read."""
    modified = f", from {record.modified}" if record.modified else ""
    return f"{record.where}, {record.rows} row(s){modified}, read {record.fingerprint}"


def is_nested(fc: FieldChange) -> bool:
    return fc.field in ("delivery", "discounts")


# What a create sends, in the order a reviewer checks it. A field with no value is left out
# (never printed as "None"), and so are the taxes at zero: no eco tax is no value to review.
_CREATE_FIELDS = (
    "price",
    "stock",
    "gtin",
    "condition",
    "vat",
    "eco_tax",
    "dea_tax",
    "preparation_days",
    "delivery",
    *XML_ONLY_FIELDS,
)
_ZERO_IS_NONE = ("eco_tax", "dea_tax")


def create_values(offer: Offer) -> list[tuple[str, str]]:
    """(field, text) of every field a create sends that has a value, discounts last."""
    found = []
    for name in _CREATE_FIELDS:
        value = getattr(offer, name)
        if value in ("", None) or (name in _ZERO_IS_NONE and not value):
            continue
        found.append((name, value_text(value)))
    if offer.discounts:
        found.append(("discounts", discounts_text(offer)))
    return found


def offer_summary(offer: Offer) -> str:
    """A created offer in one line: every field the create sends."""
    return ", ".join(
        text if name == "condition" else f"{name} {text}" for name, text in create_values(offer)
    )


def change_headline(change: Change) -> str:
    """The one line of a change, after its symbol and sku."""
    if change.action is Action.CREATE and change.after is not None:
        return f"create: {offer_summary(change.after)}"
    if change.action is Action.DELETE:
        return "delete"
    if change.action is Action.WITHDRAW and change.before is not None:
        return f"withdraw: stock {change.before.stock} -> 0"
    return ", ".join(
        field_change_text(fc) if not is_nested(fc) else f"{fc.field} changed"
        for fc in change.fields
    )


def nested_lines(change: Change) -> list[str]:
    if change.action is not Action.UPDATE:
        return []
    lines = [
        f"{fc.field}: {line}"
        for fc in change.fields
        if is_nested(fc)
        for line in nested_changes(fc) or [field_change_text(fc)]
    ]
    after = change.after
    if after is not None and after.discounts and change.changed_fields & {"discounts", "price"}:
        lines.append(f"operations after the change: {discounts_text(after)}")
    return lines


def totals(plan: Plan) -> dict[str, int]:
    counts = {"creates": 0, "updates": 0, "deletes": 0, "withdraws": 0}
    for summary in plan.channels:
        counts["creates"] += summary.creates
        counts["updates"] += summary.updates
        counts["deletes"] += summary.deletes
        counts["withdraws"] += summary.withdraws
    return counts


def totals_line(plan: Plan) -> str:
    t = totals(plan)
    if not plan.has_changes:
        return "No changes: the marketplace matches the catalog."
    return (
        f"Plan: {t['creates']} to create, {t['updates']} to update, "
        f"{t['deletes']} to delete, {t['withdraws']} to withdraw."
    )


def unacknowledged(plan: Plan, ack: str | None = None, allow: tuple[str, ...] = ()) -> list:
    """The guard violations still blocking once `--ack`/`--allow` are taken into account."""
    if ack and ack == plan.plan_hash:
        return []
    return [g for g in plan.guards if g.guard not in allow]


def acknowledge_hint(plan: Plan) -> str:
    guards = sorted({g.guard for g in plan.guards})
    allow = " ".join(f"--allow {g}" for g in guards)
    return (
        f"To apply it anyway, acknowledge this plan: catalog apply --ack {plan.plan_hash}, "
        f"or the guard(s): catalog apply {allow}"
    )


def read_back_lines(summary) -> list[str]:  # noqa: ANN001 - ChannelSummary
    """What the marketplace did not say for a channel: fields not compared, offers set aside."""
    lines = []
    if summary.not_compared:
        lines.append(
            "not returned by the marketplace, so not compared: "
            + ", ".join(summary.not_compared)
            + " (send them with --resend FIELD or --since REF)"
        )
    if summary.set_aside:
        lines.append("set aside, left alone: " + "; ".join(summary.set_aside))
    return lines
