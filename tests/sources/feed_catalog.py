"""A small catalog folder whose stock (or price) comes from a source, for the sources tests."""

from __future__ import annotations

from pathlib import Path

from reconciler.catalog import check_catalog

GTINS = ["3760452700015", "3760452700022", "3760452700039"]
SKUS = ["SKU-0", "SKU-1", "SKU-2"]


def write_catalog(root: Path, source: str, fields: str, offer_fields: str = ", stock: 5") -> Path:
    (root / "offers").mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(
        f"""seller_id: 98979
marketplace: {{sandbox: embedded}}
channels:
  cdiscount: {{id: CDISFR, submission: xml}}
  zz: {{id: SELLZZ, submission: json}}
defaults:
  vat: 20
  preparation_days: 2
  delivery: [{{mode: TRK, cost: 4.90, additional_cost: 1.00}}]
sources:
  erp:
{source}
fields: {fields}
""",
        encoding="utf-8",
    )
    offers = "offers:\n" + "".join(
        f'  - {{sku: {sku}, gtin: "{gtin}", price: 19.99{offer_fields}}}\n'
        for sku, gtin in zip(SKUS, GTINS, strict=True)
    )
    (root / "offers" / "shop.yaml").write_text(offers, encoding="utf-8")
    return root


def feed(root: Path, data: str | bytes, name: str = "stock.csv") -> Path:
    (root / "exports").mkdir(exist_ok=True)
    path = root / "exports" / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def checked(root: Path):
    """(catalog or None, error lines, warning lines), locations relative to `root`."""
    catalog, problems = check_catalog(root)
    lines = {"error": [], "warning": []}
    for problem in problems:
        lines[problem.severity].append(str(problem).replace(f"{root}/", ""))
    return catalog, lines["error"], lines["warning"]


def stocks(catalog, channel: str = "zz") -> dict[str, object]:
    return {sku: o.stock for (ch, sku), o in sorted(catalog.offers.items()) if ch == channel}
