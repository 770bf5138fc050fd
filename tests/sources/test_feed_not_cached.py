"""The parse cache never serves a fed value: a catalog with sources is resolved every time."""

from __future__ import annotations

from feed_catalog import checked, feed, stocks, write_catalog

CSV = "    csv: exports/stock.csv\n    key: sku\n    columns: {stock: qty}\n"


def test_a_changed_feed_is_seen_by_the_next_validate(tmp_path, monkeypatch):
    monkeypatch.delenv("CATALOG_NOW", raising=False)
    shop = write_catalog(tmp_path / "shop", CSV, "{stock: {from: erp}}")
    feed(shop, "sku;qty\nSKU-0;1\nSKU-1;2\nSKU-2;3\n")
    first, errors, _ = checked(shop)
    assert errors == []
    assert stocks(first) == {"SKU-0": 1, "SKU-1": 2, "SKU-2": 3}
    feed(shop, "sku;qty\nSKU-0;7\nSKU-1;8\nSKU-2;9\n")
    second, errors, _ = checked(shop)
    assert errors == []
    assert stocks(second) == {"SKU-0": 7, "SKU-1": 8, "SKU-2": 9}
