"""Octopia offer packages (JSON): plan changes -> offer requests, grouped into packages.

Pure: the HTTP side is in json_channel.py. Creates go as Upsert (the full offer), updates as
Update (the reference plus what changed; the API wants the whole tax list or the whole delivery
list when either changes), deletes as Delete (the reference alone). XML-only fields never leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.catalog.model import Offer
from reconciler.catalog.normal import API_CONDITIONS
from reconciler.marketplace import wire
from reconciler.plan.model import Action, Change

MAX_OFFERS_PER_PACKAGE = 50_000
MAX_OFFERS_PER_UPLOAD = 100
UPSERT = "Upsert"
UPDATE = "Update"
DELETE = "Delete"

_TAX_FIELDS = frozenset({"vat", "eco_tax", "dea_tax"})


@dataclass(frozen=True, slots=True)
class JsonPackage:
    """One offer package to send: its type and the changes it carries, in upload order."""

    package_type: str  # Upsert | Update | Delete
    changes: tuple[Change, ...]

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(c.sku for c in self.changes)


def number(value: Decimal) -> int | float:
    """A JSON number as short as the value allows: 20, not 20.0; 4.9, exact to the cent."""
    return int(value) if value == value.to_integral_value() else float(value)


def taxes(offer: Offer) -> list[dict[str, object]]:
    """VAT and Ecotax always (the documented codes); DEA only when there is one: no source
    names its code for sure (`DEA`, `Deatax`, `deaTax` are all seen), so a zero is not risked."""
    listed: list[dict[str, object]] = [
        {wire.TAX_CODE: wire.TAX_VAT, wire.TAX_VALUE: number(offer.vat)},
        {wire.TAX_CODE: wire.TAX_ECO, wire.TAX_VALUE: number(offer.eco_tax)},
    ]
    if offer.dea_tax:
        listed.append({wire.TAX_CODE: wire.TAX_DEA, wire.TAX_VALUE: number(offer.dea_tax)})
    return listed


def delivery_modes(offer: Offer) -> list[dict[str, object]]:
    return [
        {
            wire.DELIVERY_CODE: d.mode,
            wire.DELIVERY_COST: number(d.cost),
            wire.DELIVERY_ADDITIONAL_COST: number(d.additional_cost),
        }
        for d in offer.delivery
    ]


def upsert_request(offer: Offer) -> dict[str, object]:
    return {
        wire.SKU: offer.sku,
        wire.PRODUCT: {wire.GTIN: offer.gtin},
        wire.CONDITION: API_CONDITIONS[offer.condition],
        wire.PRICE: _price(offer),
        wire.DELIVERY_MODES: delivery_modes(offer),
        wire.PREPARATION_TIME: offer.preparation_days,
        wire.QUANTITY: offer.stock,
    }


def _price(offer: Offer) -> dict[str, object]:
    return {wire.PRICE: number(offer.price), wire.TAXES: taxes(offer)}


def update_request(offer: Offer, fields: frozenset[str]) -> dict[str, object]:
    body: dict[str, object] = {wire.SKU: offer.sku}
    if "condition" in fields:
        body[wire.CONDITION] = API_CONDITIONS[offer.condition]
    if "price" in fields or fields & _TAX_FIELDS:
        # The price node travels whole: a price without its taxes is refused (sandbox code 1007,
        # and the API's own example never shows one alone).
        body[wire.PRICE] = _price(offer)
    if "delivery" in fields:
        body[wire.DELIVERY_MODES] = delivery_modes(offer)
    if "preparation_days" in fields:
        body[wire.PREPARATION_TIME] = offer.preparation_days
    if "stock" in fields:
        body[wire.QUANTITY] = offer.stock
    return body


def package_type(change: Change) -> str:
    if change.action is Action.CREATE:
        return UPSERT
    if change.action is Action.DELETE:
        return DELETE
    if "gtin" in change.changed_fields:
        return UPSERT  # an Update cannot change the product; the API decides on an Upsert
    return UPDATE


def offer_request(change: Change) -> dict[str, object]:
    """The body the API receives for one change, in its package's type."""
    kind = package_type(change)
    if kind == DELETE:
        return {wire.SKU: change.sku}
    if change.action is Action.WITHDRAW:  # not planned on json channels, but harmless: stock 0
        return {wire.SKU: change.sku, wire.QUANTITY: 0}
    assert change.after is not None, f"{change.sku}: a {change.action} needs the desired offer"
    if kind == UPSERT:
        return upsert_request(change.after)
    return update_request(change.after, change.changed_fields)


def split_packages(
    changes: Sequence[Change], max_offers: int = MAX_OFFERS_PER_PACKAGE
) -> list[JsonPackage]:
    """One channel's changes as packages: one type per package, at most max_offers each."""
    groups: dict[str, list[Change]] = {UPSERT: [], UPDATE: [], DELETE: []}
    for change in changes:
        groups[package_type(change)].append(change)
    packages: list[JsonPackage] = []
    for kind, group in groups.items():
        for start in range(0, len(group), max_offers):
            packages.append(JsonPackage(kind, tuple(group[start : start + max_offers])))
    return packages


def upload_batches(
    package: JsonPackage, size: int = MAX_OFFERS_PER_UPLOAD
) -> list[tuple[Change, ...]]:
    return [package.changes[i : i + size] for i in range(0, len(package.changes), size)]
