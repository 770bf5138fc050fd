"""Live offers shaped into catalog entries, the way a seller would write them by hand.

The most common value of each default-able field becomes `defaults`; an offer sold on several
channels is one entry whose fields hold its most common value, with `overrides` for the channels
that differ. Ties are broken by a fixed order, so the same shop always gives the same files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.catalog.model import XML_ONLY_FIELDS, Offer, SalesChannel, Submission

# The fields catalog.yaml `defaults` may set, in the order the format shows them.
DEFAULT_FIELDS = ("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery")
# Every field of an offer entry, in the order a seller reads them.
OFFER_FIELDS = (
    "gtin",
    "price",
    "stock",
    *DEFAULT_FIELDS,
    *XML_ONLY_FIELDS,
)
_NEUTRAL = {"comment": "", "striked_price": None, "price_alignment": None, "packaging": None}


@dataclass(frozen=True, slots=True)
class OfferEntry:
    """One sku as it will be written: its own fields, the channels it is on, what differs."""

    sku: str
    fields: tuple[tuple[str, object], ...]  # normal-form values, in OFFER_FIELDS order
    channels: tuple[str, ...]  # sorted; every channel it is live on
    overrides: tuple[tuple[str, tuple[tuple[str, object], ...]], ...]  # channel -> fields


def lift_defaults(offers: Iterable[Offer]) -> dict[str, object]:
    """The most common value of each default-able field over all live offers."""
    offers = list(offers)
    if not offers:
        return {}
    return {name: _most_common([getattr(o, name) for o in offers]) for name in DEFAULT_FIELDS}


def offer_entries(
    live: Mapping[tuple[str, str], Offer],
    channels: Mapping[str, SalesChannel],
    defaults: Mapping[str, object],
) -> list[OfferEntry]:
    """One entry per sku and gtin, sorted by sku, then channels.

    A gtin cannot be overridden per channel (the marketplace ties an offer to its product), so
    a sku sold as different products on two channels is two entries, each naming its channels.
    """
    groups: dict[tuple[str, str], dict[str, Offer]] = {}
    for (channel, sku), offer in live.items():
        groups.setdefault((sku, offer.gtin), {})[channel] = offer
    entries = [_entry(sku, group, channels, defaults) for (sku, _), group in groups.items()]
    return sorted(entries, key=lambda e: (e.sku, e.channels))


def _entry(
    sku: str,
    per_channel: dict[str, Offer],
    channels: Mapping[str, SalesChannel],
    defaults: Mapping[str, object],
) -> OfferEntry:
    names = sorted(per_channel)
    xml = [n for n in names if channels[n].submission is Submission.XML]
    base = _base(per_channel, names, xml, defaults)
    own = tuple(
        (f, v)
        for f, v in base.items()
        if v != _NEUTRAL.get(f, _NO_VALUE) and (f not in defaults or v != defaults[f])
    )
    overrides = []
    for name in names:
        # json channels never carry the XML-only fields: overriding them there is an error
        fields = [f for f in OFFER_FIELDS if f not in _NEUTRAL or name in xml]
        values = [(f, getattr(per_channel[name], f)) for f in fields]
        differ = tuple((f, v) for f, v in values if v != base[f])
        if differ:
            overrides.append((name, differ))
    return OfferEntry(sku, own, tuple(names), tuple(overrides))


def _base(
    per_channel: dict[str, Offer],
    names: list[str],
    xml: list[str],
    defaults: Mapping[str, object],
) -> dict[str, object]:
    """The entry's own value of each field: what most of its channels have."""
    base: dict[str, object] = {}
    for field in OFFER_FIELDS:
        if field in _NEUTRAL:
            # on an offer also sold on a json channel the XML-only values go to the xml
            # channels' overrides: the json channel would not receive them anyway
            shared = len(xml) == len(names)
            values = [getattr(per_channel[n], field) for n in xml] if shared else []
            base[field] = _xml_only_base(field, values)
        else:
            values = [getattr(per_channel[n], field) for n in names]
            base[field] = _most_common(values, prefer=defaults.get(field, _NO_VALUE))
    return base


def _xml_only_base(field: str, values: list[object]) -> object:
    # Neutral whenever one xml channel lacks the field, so every override sets a value and none
    # has to "unset" one (an override of null would not be a valid catalog).
    if not values or _NEUTRAL[field] in values:
        return _NEUTRAL[field]
    return _most_common(values)


_NO_VALUE = object()


def _most_common(values: list[object], prefer: object = _NO_VALUE) -> object:
    """The most frequent value; on a tie `prefer`, else the one whose repr sorts first."""
    first = values[0]
    if all(v == first for v in values):  # most skus: one channel, or channels that agree
        return first
    counts = Counter(values)
    top = max(counts.values())
    tied = [v for v, n in counts.items() if n == top]
    if prefer in tied:
        return prefer
    return min(tied, key=repr)
