"""What the live side did not say, and how a seller's change to such a field still goes out.

A live offer states only the fields whose node the marketplace returned (`Offer.unknown` names
the rest); an offer whose condition the client cannot read is set aside, named and left alone.
The fields not compared are said once per channel. `--resend FIELD` sends fields whatever the
live side says; `--since REF` sends the not-returned fields that changed in git since REF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reconciler.catalog.model import Condition, Offer
from reconciler.plan.diff import COMPARED_FIELDS

OfferMap = Mapping[tuple[str, str], Offer]
RESENDABLE = frozenset(COMPARED_FIELDS)


@dataclass(frozen=True)
class Resend:
    """`fields`: sent on every targeted update; `previous`: the desired offers at --since REF."""

    fields: frozenset[str] = frozenset()
    previous: OfferMap | None = None
    since: str | None = None  # the ref `previous` was read at

    def __bool__(self) -> bool:
        return bool(self.fields) or self.previous is not None

    def as_dict(self) -> dict[str, list[str]]:
        """What the plan records of it (beside its target), so a saved plan says how it was made."""
        out: dict[str, list[str]] = {}
        if self.fields:
            out["resend"] = [f for f in COMPARED_FIELDS if f in self.fields]
        if self.since is not None:
            out["since"] = [self.since]
        return out


NO_RESEND = Resend()


def resend_fields(names: Iterable[str]) -> frozenset[str]:
    """The fields `--resend` names (`all` for every field); ValueError names a wrong one."""
    chosen = set(names)
    if "all" in chosen:
        return RESENDABLE
    wrong = sorted(chosen - RESENDABLE)
    if wrong:
        raise ValueError(
            f"--resend: unknown field(s) {', '.join(wrong)} "
            f"(fields: all, {', '.join(COMPARED_FIELDS)})"
        )
    return frozenset(chosen)


def set_aside(live: OfferMap) -> tuple[dict[tuple[str, str], Offer], dict[str, list[str]]]:
    """The live offers the plan may compare, and per channel those it leaves alone (named)."""
    kept: dict[tuple[str, str], Offer] = {}
    aside: dict[str, list[str]] = {}
    for key, offer in live.items():
        if isinstance(offer.condition, Condition):
            kept[key] = offer
        else:
            aside.setdefault(key[0], []).append(
                f"{offer.sku} (condition {offer.condition!r} is not one the client knows)"
            )
    return kept, aside


def not_compared(live: OfferMap) -> dict[str, tuple[str, ...]]:
    """Per channel, the catalog fields some live offer lacked, in the order a reviewer reads."""
    shapes: dict[str, set[frozenset[str]]] = {}
    for (channel, _), offer in live.items():
        if offer.unknown:
            shapes.setdefault(channel, set()).add(offer.unknown)  # few distinct sets
    return {
        channel: tuple(f for f in COMPARED_FIELDS if any(f in s for s in sets))
        for channel, sets in shapes.items()
    }


def resend_rule(
    resend: Resend, missing: Mapping[str, tuple[str, ...]]
) -> Callable[[Offer], frozenset[str]] | None:
    """For each desired offer, the fields to send whatever the live side says."""
    if not resend:
        return None
    if resend.previous is None:
        return lambda offer: resend.fields
    previous = resend.previous

    def since(offer: Offer) -> frozenset[str]:
        before = previous.get(offer.key)
        changed = {
            name
            for name in missing.get(offer.channel, ())
            if before is None or getattr(before, name) != getattr(offer, name)
        }
        return resend.fields | changed

    return since
