"""The catalog folder as documents: relative path -> YAML text, nothing written yet.

Pure: the same settings and live offers always give the same texts, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
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
from reconciler.catalog.resolve import package_store_document
from reconciler.importing.operations import ImportedOperation, live_operations
from reconciler.importing.owners import FieldOwners
from reconciler.importing.previous import Previous
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
    previous: Previous | None = None,
    owners: FieldOwners | None = None,
) -> dict[str, str]:
    """Every file of the imported catalog folder, by path relative to the folder.

    With `previous` (a re-import over a catalog), catalog.yaml and every offers file whose
    offers did not change keep their text; see reconciler.importing.previous. `owners`
    (importing.owners, first imports only) leaves fields the catalog will not own out of the
    offers files and says who owns them in catalog.yaml.
    """
    channels = settings.channels
    header = f"# Imported by `catalog import` from the live offers of seller {settings.seller_id}\n"
    left_out = owners.left_out if owners else frozenset()
    if previous is None:
        defaults = lift_defaults(live.values())
        document = _settings_document(settings, defaults)
        document.update(owners.settings if owners else {})
        files = {"catalog.yaml": dump(document, header)}
    else:
        defaults = previous.defaults
        files = {"catalog.yaml": previous.text_of("catalog.yaml")}
    kept = previous.unchanged_files(live) if previous else set()
    entries = offer_entries(live, channels, defaults)
    for path, group in _group_offers(entries, split_by, previous).items():
        if path in kept:
            files[path] = previous.text_of(path)  # type: ignore[union-attr]
            continue
        offers = [
            _offer_document(
                e,
                all_channels=len(e.channels) == len(channels),
                tags=previous.tags_of(e.sku) if previous else [],
                left_out=left_out,
            )
            for e in group
        ]
        files[path] = dump({"offers": offers}, _header(previous, path, header))
    operations = live_operations(live, channels, now)
    for path, documents in _operation_documents(operations, split_by, previous).items():
        if isinstance(documents, str):
            files[path] = documents
        else:
            files[path] = dump({"operations": documents}, _header(previous, path, header))
    return dict(sorted(files.items()))


def _header(previous: Previous | None, path: str, default: str) -> str:
    return previous.header_of(path, default) if previous else default


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
        document["package_store"] = package_store_document(settings.package_store)
    return document


def _offer_document(
    entry: OfferEntry, all_channels: bool, tags: list[str], left_out: frozenset[str] = frozenset()
) -> dict:
    document: dict[str, object] = {"sku": entry.sku}
    document.update(
        (name, yaml_value(value)) for name, value in entry.fields if name not in left_out
    )
    if not all_channels:
        document["channels"] = InlineList(entry.channels)
    if tags:
        document["tags"] = InlineList(tags)
    overrides = {
        channel: Inline((name, yaml_value(value)) for name, value in fields if name not in left_out)
        for channel, fields in entry.overrides
    }
    if any(overrides.values()):
        document["overrides"] = {channel: o for channel, o in overrides.items() if o}
    return document


def _operation(op: ImportedOperation, selector: dict | None = None) -> dict:
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
    document["offers"] = selector or {"skus": list(op.skus)}
    return document


def _operation_documents(
    operations: list[ImportedOperation], split_by: SplitBy, previous: Previous | None
) -> dict[str, list[dict] | str]:
    """Operations by file. One the catalog already had keeps its name, its file and, while it
    still picks exactly these offers, its own selector (tags included). A file whose every
    operation is kept that way is kept as written (a str: its text)."""
    files: dict[str, list[dict]] = {}
    as_written: dict[str, int] = {}  # file -> operations kept exactly
    for op in operations:
        known = previous.operation_like(op) if previous else None
        if known is None or previous is None:
            name = op.channel if split_by is SplitBy.CHANNEL else "operations"
            files.setdefault(f"operations/{name}.yaml", []).append(_operation(op))
            continue
        selector = None
        path = (
            previous.relative(known.location.file)
            if known.location
            else "operations/operations.yaml"
        )
        if previous.tag_selector_holds(known, op.skus):
            chosen = known.selector
            selector = {"skus": InlineList(chosen.skus)} if chosen.skus else {}
            if chosen.tags:
                selector["tags"] = InlineList(chosen.tags)
            as_written[path] = as_written.get(path, 0) + 1
        files.setdefault(path, []).append(_operation(replace(op, name=known.name), selector))
    return {
        path: previous.text_of(path)
        if previous and as_written.get(path) == len(docs) == previous.operations_in(path)
        else docs
        for path, docs in files.items()
    }


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


def _group_offers(
    entries: list[OfferEntry], split_by: SplitBy, previous: Previous | None
) -> dict[str, list[OfferEntry]]:
    """Entries by offers file: the file that declared the sku before, else by `split_by`."""
    groups: dict[str, list[OfferEntry]] = {}
    for entry in entries:
        path = previous.file_of(entry.sku) if previous else None
        if path is None:
            if split_by is SplitBy.CHANNEL:
                name = "+".join(entry.channels)
            elif split_by is SplitBy.PREFIX:
                name = sku_prefix(entry.sku)
            else:
                name = "offers"
            path = f"offers/{name}.yaml"
        groups.setdefault(path, []).append(entry)
    return groups


def sku_prefix(sku: str) -> str:
    """The family part of a sku, fit for a file name: TSHIRT-RED-M -> tshirt."""
    head = re.split(r"[-_./ ]", sku.strip(), maxsplit=1)[0]
    name = re.sub(r"[^a-z0-9]+", "", head.lower())
    return name or "other"
