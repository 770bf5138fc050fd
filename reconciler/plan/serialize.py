"""The plan as versioned JSON (format_version 1), and the hashes that identify plans and offers.

`plan_to_dict` / `plan_from_dict` round-trip exactly: Decimals travel as strings, datetimes as
ISO 8601 with their offset, so a saved plan read back equals the plan that was saved. Field
values of a `FieldChange` are encoded by the offer field they belong to, with the same codec as
whole offers, so `before`/`after` keep their normal-form types.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

from reconciler.catalog.model import (
    Condition,
    DeliveryOption,
    Discount,
    Offer,
    OperationKind,
    Packaging,
    PriceAlignment,
)
from reconciler.errors import ReconcilerError
from reconciler.plan.model import (
    FORMAT_VERSION,
    Action,
    Change,
    ChannelSummary,
    FieldChange,
    GuardViolation,
    Plan,
)
from reconciler.replace_file import replace_file
from reconciler.sources.model import SourceRecord


class PlanUnreadable(ReconcilerError):
    """A saved plan file that is not a plan this version understands."""


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _delivery_out(options: tuple[DeliveryOption, ...]) -> list[dict[str, str]]:
    return [
        {"mode": o.mode, "cost": str(o.cost), "additional_cost": str(o.additional_cost)}
        for o in options
    ]


def _delivery_in(raw: list[dict[str, str]]) -> tuple[DeliveryOption, ...]:
    return tuple(
        DeliveryOption(o["mode"], Decimal(o["cost"]), Decimal(o["additional_cost"])) for o in raw
    )


def _discounts_out(discounts: tuple[Discount, ...]) -> list[dict[str, Any]]:
    return [
        {
            "kind": d.kind.value,
            "start": d.start.isoformat(),
            "end": d.end.isoformat(),
            "percent": d.percent,
            "reference_price": _dec(d.reference_price),
        }
        for d in discounts
    ]


def _discounts_in(raw: list[dict[str, Any]]) -> tuple[Discount, ...]:
    return tuple(
        Discount(
            start=datetime.fromisoformat(d["start"]),
            end=datetime.fromisoformat(d["end"]),
            kind=OperationKind(d["kind"]),
            percent=int(d["percent"]),
            reference_price=_undec(d.get("reference_price")),
        )
        for d in raw
    )


def _alignment_out(value: PriceAlignment | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"align": value.align, "minimum_price": _dec(value.minimum_price)}


def _alignment_in(raw: dict[str, Any] | None) -> PriceAlignment | None:
    if raw is None:
        return None
    return PriceAlignment(bool(raw["align"]), _undec(raw.get("minimum_price")))


def _packaging_out(value: Packaging | None) -> dict[str, str] | None:
    return None if value is None else {"unit": value.unit, "value": str(value.value)}


def _packaging_in(raw: dict[str, str] | None) -> Packaging | None:
    return None if raw is None else Packaging(raw["unit"], Decimal(raw["value"]))


def _same(value: Any) -> Any:
    return value


# One codec per offer field: (to JSON, from JSON).
_FIELD_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "channel": (_same, str),
    "sku": (_same, str),
    "gtin": (_same, str),
    "price": (_dec, _undec),
    "stock": (_same, int),
    "condition": (lambda c: c.value, Condition),
    "vat": (_dec, _undec),
    "eco_tax": (_dec, _undec),
    "dea_tax": (_dec, _undec),
    "preparation_days": (_same, int),
    "delivery": (_delivery_out, _delivery_in),
    "comment": (_same, str),
    "striked_price": (_dec, _undec),
    "price_alignment": (_alignment_out, _alignment_in),
    "packaging": (_packaging_out, _packaging_in),
    "discounts": (_discounts_out, _discounts_in),
}
OFFER_FIELDS = tuple(_FIELD_CODECS)


def encode_field(name: str, value: Any) -> Any:
    """One offer field's normal-form value as JSON-ready data (None: a field not known)."""
    return None if value is None else _FIELD_CODECS[name][0](value)


def decode_field(name: str, raw: Any) -> Any:
    return None if raw is None else _FIELD_CODECS[name][1](raw)


def offer_to_dict(offer: Offer) -> dict[str, Any]:
    out = {name: encode_field(name, getattr(offer, name)) for name in OFFER_FIELDS}
    if offer.unknown:  # absent when empty: plans of fully known offers keep their old shape
        out["unknown"] = sorted(offer.unknown)
    return out


def offer_from_dict(raw: dict[str, Any]) -> Offer:
    # an unknown field keeps the value written (None, or the neutral one a side gives it)
    return Offer(
        **{name: decode_field(name, raw.get(name)) for name in OFFER_FIELDS},
        unknown=frozenset(raw.get("unknown") or ()),
    )


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def offer_fingerprint(offer: Offer) -> str:
    """A stable hash of a live offer's normal form: a saved plan's witness of what it saw."""
    return hashlib.sha256(canonical_json(offer_to_dict(offer)).encode()).hexdigest()[:16]


def _field_change_to_dict(fc: FieldChange) -> dict[str, Any]:
    out = {
        "field": fc.field,
        "before": encode_field(fc.field, fc.before),
        "after": encode_field(fc.field, fc.after),
    }
    if fc.source:  # absent for values from the catalog's files: plans keep their old shape
        out["source"] = fc.source
    return out


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "channel": change.channel,
        "sku": change.sku,
        "action": change.action.value,
        "reason": change.reason,
        "fingerprint": change.fingerprint,
        "fields": [_field_change_to_dict(f) for f in change.fields],
        "before": None if change.before is None else offer_to_dict(change.before),
        "after": None if change.after is None else offer_to_dict(change.after),
    }


def _field_change_from_dict(raw: dict[str, Any]) -> FieldChange:
    name = raw["field"]
    before, after = decode_field(name, raw["before"]), decode_field(name, raw["after"])
    return FieldChange(name, before, after, raw.get("source", ""))


def _change_from_dict(raw: dict[str, Any]) -> Change:
    return Change(
        channel=raw["channel"],
        sku=raw["sku"],
        action=Action(raw["action"]),
        before=None if raw["before"] is None else offer_from_dict(raw["before"]),
        after=None if raw["after"] is None else offer_from_dict(raw["after"]),
        fields=tuple(_field_change_from_dict(f) for f in raw["fields"]),
        fingerprint=raw["fingerprint"],
        reason=raw["reason"],
    )


def _summary_to_dict(s: ChannelSummary) -> dict[str, Any]:
    # Written only when there is something to say, so plans of fully known offers keep their shape.
    said = {"not_compared": list(s.not_compared), "set_aside": list(s.set_aside)}
    return {**_summary_counts(s), **{k: v for k, v in said.items() if v}}


def _summary_from_dict(raw: dict[str, Any]) -> ChannelSummary:
    return ChannelSummary(
        **{
            **raw,
            "not_compared": tuple(raw.get("not_compared") or ()),
            "set_aside": tuple(raw.get("set_aside") or ()),
        }
    )


def _summary_counts(s: ChannelSummary) -> dict[str, Any]:
    return {
        "channel": s.channel,
        "channel_id": s.channel_id,
        "submission": s.submission,
        "live_offers": s.live_offers,
        "creates": s.creates,
        "updates": s.updates,
        "deletes": s.deletes,
        "withdraws": s.withdraws,
        "unchanged": s.unchanged,
        "unmanaged": s.unmanaged,
    }


def _guard_to_dict(g: GuardViolation) -> dict[str, Any]:
    return {"guard": g.guard, "channel": g.channel, "message": g.message, "skus": list(g.skus)}


def _head(plan: Plan) -> dict[str, Any]:
    """Everything a plan says but its changes, when it was made and its own hash."""
    head = {
        "format_version": plan.format_version,
        "seller_id": plan.seller_id,
        "catalog_hash": plan.catalog_hash,
        "target": {k: list(v) for k, v in sorted(plan.target.items())},
        "channels": [_summary_to_dict(s) for s in plan.channels],
        "guards": [_guard_to_dict(g) for g in plan.guards],
        "notes": list(plan.notes),
    }
    if plan.sources:  # absent without sources: plans of all-git catalogs keep their shape
        head["sources"] = [asdict(record) for record in plan.sources]
    return head


def plan_content(plan: Plan) -> dict[str, Any]:
    """What plan_hash covers: the whole plan but its creation time and the hash itself."""
    return {**_head(plan), "changes": [_change_to_dict(c) for c in plan.changes]}


def compute_plan_hash(plan: Plan) -> str:
    # Hashed change by change: a 200,000-offer plan never exists as one string in memory.
    digest = hashlib.sha256(canonical_json(_head(plan)).encode())
    for change in plan.changes:
        digest.update(b"\n" + canonical_json(_change_to_dict(change)).encode())
    return digest.hexdigest()[:16]


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {**_top(plan), **plan_content(plan)}


def _top(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": plan.format_version,
        "plan_hash": plan.plan_hash,
        "created_at": plan.created_at,
        "blocked": plan.blocked,
        "has_changes": plan.has_changes,
    }


def write_plan(plan: Plan, out: TextIO) -> None:
    """The plan's JSON written change by change (one line each), so size never costs memory."""
    head = json.dumps({**_top(plan), **_head(plan)}, indent=2, ensure_ascii=False)
    out.write(head[: -len("\n}")] + ',\n  "changes": [')
    for index, change in enumerate(plan.changes):
        out.write(",\n    " if index else "\n    ")
        out.write(json.dumps(_change_to_dict(change), ensure_ascii=False))
    out.write("\n  ]\n}\n" if plan.changes else "]\n}\n")


def plan_from_dict(raw: Any) -> Plan:
    """A plan read back from its JSON form; a file of another version or shape is refused."""
    if not isinstance(raw, dict) or raw.get("format_version") != FORMAT_VERSION:
        version = raw.get("format_version") if isinstance(raw, dict) else None
        raise PlanUnreadable(
            f"not a plan of format_version {FORMAT_VERSION} (found format_version {version!r})"
        )
    try:
        return Plan(
            seller_id=int(raw["seller_id"]),
            catalog_hash=raw["catalog_hash"],
            created_at=raw["created_at"],
            channels=tuple(_summary_from_dict(s) for s in raw["channels"]),
            changes=tuple(_change_from_dict(c) for c in raw["changes"]),
            guards=tuple(
                GuardViolation(g["guard"], g["channel"], g["message"], tuple(g["skus"]))
                for g in raw["guards"]
            ),
            notes=tuple(raw["notes"]),
            target={k: list(v) for k, v in raw["target"].items()},
            sources=tuple(SourceRecord(**record) for record in raw.get("sources", ())),
            plan_hash=raw["plan_hash"],
            format_version=raw["format_version"],
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as err:
        raise PlanUnreadable(f"the plan file is damaged: {type(err).__name__}: {err}") from None


def dump_plan(plan: Plan) -> str:
    out = io.StringIO()
    write_plan(plan, out)
    return out.getvalue()


def save_plan(plan: Plan, path: str) -> None:
    replace_file(path, dump_plan(plan))  # a plan saved earlier stays whole if this one fails


def load_plan(path: str) -> Plan:
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except OSError as err:
        raise PlanUnreadable(f"cannot read plan {path}: {err.strerror}") from None
    except ValueError as err:
        raise PlanUnreadable(f"{path} is not JSON: {err}") from None
    return plan_from_dict(raw)
