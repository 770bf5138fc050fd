"""The catalog folder as documents: relative path -> YAML text, nothing written yet.

Pure: the same settings and live offers always give the same texts, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from reconciler.catalog.model import (
    Catalog,
    DeliveryOption,
    Guards,
    ManagePolicy,
    MarketplaceSettings,
    Offer,
    Packaging,
    PriceAlignment,
)
from reconciler.importing.operations import ImportedOperation, live_operations
from reconciler.importing.shape import OfferEntry, lift_defaults, offer_entries
from reconciler.importing.yaml_style import Inline, InlineList, dump


class SplitBy(StrEnum):
    NONE = "none"  # offers/offers.yaml
    CHANNEL = "channel"  # offers/<channel>.yaml (cdiscount+marketplace-zz.yaml when on both)
    PREFIX = "prefix"  # offers/<sku prefix>.yaml: TSHIRT-RED-M goes to offers/tshirt.yaml


def catalog_documents(
    settings: Catalog,
    live: Mapping[tuple[str, str], Offer],
    now: datetime,
    split_by: SplitBy = SplitBy.NONE,
) -> dict[str, str]:
    """Every file of the imported catalog folder, by path relative to the folder."""
    channels = settings.channels
    defaults = lift_defaults(live.values())
    header = f"# Imported by `catalog import` from the live offers of seller {settings.seller_id}\n"
    files = {"catalog.yaml": dump(_settings_document(settings, defaults), header)}
    entries = offer_entries(live, channels, defaults)
    for name, group in _group_offers(entries, split_by).items():
        offers = [_offer_document(e, all_channels=len(e.channels) == len(channels)) for e in group]
        files[f"offers/{name}.yaml"] = dump({"offers": offers}, header)
    operations = live_operations(live, channels, now)
    for name, ops in _group_operations(operations, split_by).items():
        document = {"operations": [_operation(op) for op in ops]}
        files[f"operations/{name}.yaml"] = dump(document, header)
    return dict(sorted(files.items()))


def _settings_document(settings: Catalog, defaults: Mapping[str, object]) -> dict:
    document: dict[str, object] = {"seller_id": settings.seller_id}
    if settings.marketplace != MarketplaceSettings():
        m = settings.marketplace
        document["marketplace"] = (
            {"sandbox": m.sandbox} if m.sandbox else {"api_url": m.api_url, "auth_url": m.auth_url}
        )
    document["channels"] = {}
    for name, ch in sorted(settings.channels.items()):
        channel: dict[str, object] = {"id": ch.id, "submission": ch.submission.value}
        if ch.publication_pools:
            channel["publication_pools"] = InlineList(ch.publication_pools)
        document["channels"][name] = channel
    if defaults:
        document["defaults"] = {name: yaml_value(value) for name, value in defaults.items()}
    if settings.manage is not ManagePolicy.LISTED:
        document["manage"] = settings.manage.value
    if settings.guards != Guards():
        g = settings.guards
        document["guards"] = {
            "max_update_percent": g.max_update_percent,
            "max_delete_percent": g.max_delete_percent,
            "min_existing_offers": g.min_existing_offers,
            "max_price_change_percent": g.max_price_change_percent,
        }
    if settings.package_store:
        document["package_store"] = {
            "type": settings.package_store.type,
            "url": settings.package_store.url,
        }
    return document


def _offer_document(entry: OfferEntry, all_channels: bool) -> dict:
    document: dict[str, object] = {"sku": entry.sku}
    document.update((name, yaml_value(value)) for name, value in entry.fields)
    if not all_channels:
        document["channels"] = InlineList(entry.channels)
    if entry.overrides:
        document["overrides"] = {
            channel: Inline((name, yaml_value(value)) for name, value in fields)
            for channel, fields in entry.overrides
        }
    return document


def _operation(op: ImportedOperation) -> dict:
    document: dict[str, object] = {
        "name": op.name,
        "kind": op.kind.value,
        "channel": op.channel,
        "start": op.start,
        "end": op.end,
        "discount_percent": op.discount_percent,
    }
    if op.reference_price is not None:
        document["reference_price"] = op.reference_price
    document["offers"] = {"skus": list(op.skus)}
    return document


def yaml_value(value: object) -> object:
    """A normal-form value in the catalog's words."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple) and all(isinstance(v, DeliveryOption) for v in value):
        return [Inline(mode=o.mode, cost=o.cost, additional_cost=o.additional_cost) for o in value]
    if isinstance(value, PriceAlignment):
        shown = Inline(align=value.align)
        if value.minimum_price is not None:
            shown["minimum_price"] = value.minimum_price
        return shown
    if isinstance(value, Packaging):
        return Inline(unit=value.unit, value=value.value)
    return value


def _group_offers(entries: list[OfferEntry], split_by: SplitBy) -> dict[str, list[OfferEntry]]:
    groups: dict[str, list[OfferEntry]] = {}
    for entry in entries:
        if split_by is SplitBy.CHANNEL:
            name = "+".join(entry.channels)
        elif split_by is SplitBy.PREFIX:
            name = sku_prefix(entry.sku)
        else:
            name = "offers"
        groups.setdefault(name, []).append(entry)
    return groups


def _group_operations(
    operations: list[ImportedOperation], split_by: SplitBy
) -> dict[str, list[ImportedOperation]]:
    groups: dict[str, list[ImportedOperation]] = {}
    for op in operations:
        name = op.channel if split_by is SplitBy.CHANNEL else "operations"
        groups.setdefault(name, []).append(op)
    return groups


def sku_prefix(sku: str) -> str:
    """The family part of a sku, fit for a file name: TSHIRT-RED-M -> tshirt."""
    head = re.split(r"[-_./ ]", sku.strip(), maxsplit=1)[0]
    name = re.sub(r"[^a-z0-9]+", "", head.lower())
    return name or "other"
