"""Who will own the stock of an imported shop: the catalog (default), nobody, or a CSV export.

`catalog import --stock unmanaged` leaves stock out of the offers files and writes
`fields: {stock: unmanaged}`; `--stock csv:exports/stock.csv` declares that export as the source
`erp-stock` (columns `sku` and `stock`) and writes it with the live stock, the first export the
seller's ERP job then replaces. Either way a plan right after the import is empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.catalog.model import Offer
from reconciler.importing.yaml_style import Inline

SOURCE_NAME = "erp-stock"


class StockOwnerUnknown(ValueError):
    """A --stock value that is neither catalog, unmanaged nor csv:PATH."""


@dataclass(frozen=True)
class FieldOwners:
    settings: dict[str, object] = field(default_factory=dict)  # catalog.yaml additions
    left_out: frozenset[str] = frozenset()  # fields not written in the offers files
    files: dict[str, str] = field(default_factory=dict)  # extra files (the first export)


def stock_owners(spec: str, live: Mapping[tuple[str, str], Offer]) -> FieldOwners | None:
    if spec == "catalog":
        return None
    if spec == "unmanaged":
        return FieldOwners({"fields": {"stock": "unmanaged"}}, frozenset({"stock"}))
    kind, _, path = spec.partition(":")
    if kind != "csv" or not path or path.startswith("/") or ".." in path.split("/"):
        raise StockOwnerUnknown(
            f"--stock {spec!r}: give catalog, unmanaged or csv:PATH (a path inside the folder)"
        )
    source = Inline(csv=path, key="sku", columns=Inline(stock="stock"))
    settings = {
        "sources": {SOURCE_NAME: source},
        "fields": {"stock": Inline({"from": SOURCE_NAME})},
    }
    return FieldOwners(settings, frozenset({"stock"}), {path: _export(live)})


def _export(live: Mapping[tuple[str, str], Offer]) -> str:
    """The live stock as the export the source reads. A sku whose channels show different
    stocks is left out (an ERP has one stock per sku): `missing: keep` leaves each channel's
    live stock alone until the ERP's own export lists it."""
    stocks: dict[str, set[int]] = {}
    for (_, sku), offer in live.items():
        if offer.stock is not None:
            stocks.setdefault(sku, set()).add(offer.stock)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["sku", "stock"])
    writer.writerows((sku, *found) for sku, found in sorted(stocks.items()) if len(found) == 1)
    return out.getvalue()
