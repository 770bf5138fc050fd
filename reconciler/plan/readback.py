"""What the live side did not say, and how a seller's change to such a field still goes out.

A live offer states only the fields whose node the marketplace returned (`Offer.unknown` names
the rest); an offer whose condition the client cannot read is set aside, named and left alone.
The fields not compared are said once per channel. `--resend FIELD` sends fields whatever the
live side says; `--since REF` sends the not-returned fields that changed in git since REF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reconciler.catalog.model import XML_ONLY_FIELDS, Catalog, Condition, Offer, Submission
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
            aside.setdefault(key[0], []).append(unreadable(offer))
    return kept, aside


def unreadable(offer: Offer) -> str:
    """A live offer set aside, named."""
    return f"{offer.sku} (condition {offer.condition!r} is not one the client knows)"


def compared_fields(catalog: Catalog, resend: Resend = NO_RESEND) -> dict[str, frozenset[str]]:
    """Per channel (catalog name), the catalog fields its plan compares: those the live read
    asks the marketplace for (GET /offers `fields=`), and the only ones whose absence from the
    answer is worth saying. A field is left out when no desired offer of the channel owns it
    (unmanaged, or fed without a value: `Offer.unknown`), and on a json channel the XML-only
    fields, which it never receives. Resent fields are kept: their live value is shown."""
    unowned: dict[str, set[frozenset[str]]] = {name: set() for name in catalog.channels}
    # few distinct (channel, set) pairs: gathered by a comprehension, the channel's sets after
    for channel, unknown in {(key[0], o.unknown) for key, o in catalog.offers.items()}:
        unowned.setdefault(channel, set()).add(unknown)
    compared: dict[str, frozenset[str]] = {}
    for name, channel in catalog.channels.items():
        sets = unowned.get(name) or {RESENDABLE}  # no desired offer: nothing to compare
        fields = RESENDABLE - frozenset.intersection(*sets)
        if channel.submission is Submission.JSON:
            fields -= frozenset(XML_ONLY_FIELDS)
        else:
            # A Full package sends the whole offer, an unowned stock as live has it, and a
            # withdrawal (manage: all) looks at the live stock: an xml plan needs it read.
            fields |= {"stock"}
        compared[name] = fields | resend.fields
    return compared


def lacking(
    shapes: Mapping[str, set[frozenset[str]]], asked: Mapping[str, frozenset[str]] | None = None
) -> dict[str, tuple[str, ...]]:
    """Per channel, the catalog fields some live offer lacked (`shapes`: the channel's distinct
    `Offer.unknown` sets), in the order a reviewer reads; with `asked` (per channel), only those
    the read asked for: a field not asked is not compared because the catalog does not own it,
    not because the marketplace kept it."""
    return {
        channel: tuple(
            f
            for f in COMPARED_FIELDS
            if any(f in s for s in sets) and (asked is None or f in asked.get(channel, ()))
        )
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
