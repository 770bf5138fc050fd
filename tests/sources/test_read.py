"""Every bad-feed rule, and what French ERP exports look like, through check_catalog."""

from __future__ import annotations

import os
import time
from decimal import Decimal

import pytest
from feed_catalog import checked, feed, stocks, write_catalog

CSV = "    csv: exports/stock.csv\n    key: sku\n    columns: {stock: qty}\n"
FROM_ERP = "{stock: {from: erp}}"


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.delenv("CATALOG_NOW", raising=False)
    return write_catalog(tmp_path / "shop", CSV, FROM_ERP)


@pytest.mark.parametrize(
    "text",
    [
        "sku;qty\nSKU-0;1\nSKU-1;2\nSKU-2;3\n",
        "\ufeffsku;qty\r\nSKU-0;1\r\nSKU-1;2\r\nSKU-2;3\r\n",  # UTF-8 with BOM, CRLF
        "sku,qty\nSKU-0,1\nSKU-1,2\n\nSKU-2,3",  # commas, a blank line, no final newline
        'sku\tqty\n"SKU-0"\t1\nSKU-1\t2\nSKU-2\t" 3 "\n',  # tabs and quotes
    ],
)
def test_csv_dialects_and_encodings_are_read(shop, text):
    feed(shop, text)
    catalog, errors, _ = checked(shop)
    assert errors == []
    assert stocks(catalog) == {"SKU-0": 1, "SKU-1": 2, "SKU-2": 3}


def test_prices_take_decimal_commas(tmp_path):
    source = "    csv: exports/prices.csv\n    key: ref\n    columns: {price: prix_ttc}\n"
    shop = write_catalog(tmp_path / "shop", source, "{price: {from: erp}}")
    feed(shop, "ref;prix_ttc\nSKU-0;12,50\nSKU-1;1 234,00\nSKU-2;7.5\n", "prices.csv")
    catalog, errors, _ = checked(shop)
    assert errors == []
    prices = {sku: o.price for (ch, sku), o in catalog.offers.items() if ch == "zz"}
    assert prices == {
        "SKU-0": Decimal("12.50"),
        "SKU-1": Decimal("1234.00"),
        "SKU-2": Decimal("7.50"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sku;qty\nSKU-0;1\nSKU-1;12,5\n",
         'exports/stock.csv:3:2: qty: "12,5" is not a whole number'),
        ("sku;qty\nSKU-0;-2\n", 'exports/stock.csv:2:2: qty: "-2" is below 0'),
        ("sku;qty\nSKU-0;99999999999\n",
         "exports/stock.csv:2:2: qty: 99999999999 is beyond any stock (at most 2,147,483,647)"),
        ("sku;qty\nSKU-0;douze\n", 'exports/stock.csv:2:2: qty: "douze" is not a whole number'),
        ("sku;qty\nSKU-0;1\nSKU-0;2\n",
         "exports/stock.csv:3:1: sku: sku 'SKU-0' is already at row 2"),
        ("sku;qty\n;4\n", "exports/stock.csv:2:1: sku: no sku"),
        ("sku;qty\n", "exports/stock.csv: has no rows (header only): an empty export"),
        ("", "exports/stock.csv: is empty: no header, no rows"),
        ("ref;qty\nSKU-0;1\n", "exports/stock.csv:1:0: has no column 'sku' (columns: ref, qty)"),
        ("sku;qty;price\nSKU-0;1;2\nSKU-1;4", "exports/stock.csv:3:0: has 2 cell(s) where the "
         "header has 3: a truncated or malformed export"),
        ("sku;qty\nSKU-0;1\nSKU-1;", "exports/stock.csv:3:0: ends in the middle of its last row "
         "(an empty cell, no line end): truncated"),
        ('sku;qty\nSKU-0;"1\n', "exports/stock.csv:2:0: cannot be read as CSV: unexpected end of "
         "data"),
        (b"sku;qty\nSKU-\xe9;1\n", "exports/stock.csv:2:0: is not UTF-8 (byte 0xe9)"),
    ],
)  # fmt: skip
def test_a_bad_feed_is_an_error_naming_file_row_and_column(shop, text, expected):
    feed(shop, text)
    catalog, errors, _ = checked(shop)
    assert catalog is None
    assert errors == [expected]


def test_many_bad_rows_are_counted_not_all_listed(shop):
    feed(shop, "sku;qty\n" + "".join(f"S{i};x\n" for i in range(30)))
    _, errors, _ = checked(shop)
    assert len(errors) == 21
    assert "exports/stock.csv: and 10 more problem(s)" in errors


def test_a_missing_export_blocks(shop):
    _, errors, _ = checked(shop)
    assert errors == ["exports/stock.csv: is missing: no export to read"]


def test_an_export_older_than_max_age_blocks(tmp_path):
    shop = write_catalog(tmp_path / "shop", CSV + "    max_age: 2h\n", FROM_ERP)
    path = feed(shop, "sku;qty\nSKU-0;1\n")
    _, errors, _ = checked(shop)
    assert errors == []
    old = time.time() - 2 * 3600 - 120
    os.utime(path, (old, old))
    _, errors, _ = checked(shop)
    assert len(errors) == 1
    assert errors[0].startswith("exports/stock.csv: is 2h 2m old (from ")
    assert errors[0].endswith("older than max_age 2h: refresh the export")


def test_a_json_export_is_read_and_its_errors_name_the_record(tmp_path):
    source = "    json: exports/stock.json\n    key: sku\n    columns: {stock: qty}\n"
    shop = write_catalog(tmp_path / "shop", source, FROM_ERP)
    feed(shop, '[{"sku": "SKU-0", "qty": 4}, {"sku": "SKU-1", "qty": 2.0}]', "stock.json")
    catalog, errors, _ = checked(shop)
    assert errors == []
    assert stocks(catalog) == {"SKU-0": 4, "SKU-1": 2, "SKU-2": 5}
    feed(shop, '[{"sku": "SKU-0", "qty": 4}, {"sku": "SKU-1", "qty": 2.5}]', "stock.json")
    assert checked(shop)[1] == ["exports/stock.json: row 2: qty: 2.5 is not a whole number"]
    feed(shop, '[{"sku": "SKU-0", "qty": 4}, {"sku": "SK', "stock.json")
    (error,) = checked(shop)[1]
    assert error.startswith("exports/stock.json:1:0: is not JSON (truncated?)")
    feed(shop, "[]", "stock.json")
    assert checked(shop)[1] == ["exports/stock.json: has no rows: an empty export"]


def test_unknown_skus_are_one_warning(shop):
    feed(shop, "sku;qty\nSKU-0;1\nNEW-2;3\nNEW-1;3\n")
    catalog, errors, warnings = checked(shop)
    assert errors == []
    assert warnings == ["exports/stock.csv: 2 sku(s) not in the catalog, ignored: NEW-1, NEW-2"]


def test_missing_keep_falls_back_to_the_files_then_to_the_live_value(tmp_path):
    shop = write_catalog(tmp_path / "shop", CSV, FROM_ERP)
    feed(shop, "sku;qty\nSKU-0;1\nSKU-1;\n")  # SKU-1: an empty cell, SKU-2 not listed
    catalog, errors, _ = checked(shop)
    assert stocks(catalog) == {"SKU-0": 1, "SKU-1": 5, "SKU-2": 5}
    assert not any(o.unknown for o in catalog.offers.values())
    shop = write_catalog(tmp_path / "new", CSV, FROM_ERP, offer_fields="")
    feed(shop, "sku;qty\nSKU-0;1\n")
    catalog, errors, _ = checked(shop)
    assert errors == []
    assert stocks(catalog) == {"SKU-0": 1, "SKU-1": None, "SKU-2": None}
    assert catalog.offers["zz", "SKU-1"].unknown == {"stock"}


def test_missing_zero_and_missing_error(tmp_path):
    shop = write_catalog(tmp_path / "zero", CSV + "    missing: zero\n", FROM_ERP)
    feed(shop, "sku;qty\nSKU-0;1\n")
    catalog, errors, _ = checked(shop)
    assert stocks(catalog) == {"SKU-0": 1, "SKU-1": 0, "SKU-2": 0}
    shop = write_catalog(tmp_path / "error", CSV + "    missing: error\n", FROM_ERP)
    feed(shop, "sku;qty\nSKU-0;1\n")
    catalog, errors, _ = checked(shop)
    assert catalog is None
    assert errors == [
        "exports/stock.csv: does not list 2 offer(s) of the catalog (missing: error): SKU-1, SKU-2"
    ]


def test_ownership_per_channel_and_unmanaged(tmp_path):
    fields = "{stock: {default: unmanaged, channels: {zz: {from: erp}}}}"
    shop = write_catalog(tmp_path / "shop", CSV, fields)
    feed(shop, "sku;qty\nSKU-0;1\nSKU-1;2\nSKU-2;3\n")
    catalog, errors, _ = checked(shop)
    assert errors == []
    assert stocks(catalog, "zz") == {"SKU-0": 1, "SKU-1": 2, "SKU-2": 3}
    unmanaged = catalog.offers["cdiscount", "SKU-0"]
    assert (unmanaged.stock, unmanaged.unknown) == (5, {"stock"})  # carried for a create


@pytest.mark.parametrize(
    ("source", "fields", "expected"),
    [
        (CSV, "{stock: {from: wms}}", "catalog.yaml:16:24: fields.stock.from: unknown source "
         "'wms' (sources: erp)"),
        (CSV, "{price: {from: erp}}", "catalog.yaml:16:24: fields.price.from: source 'erp' has "
         "no column for price (its columns: {price: COLUMN})"),
        (CSV, "{stock: {channels: {nope: unmanaged}}}", "catalog.yaml:16:29: "
         "fields.stock.channels.nope: unknown channel 'nope' (channels: cdiscount, zz)"),
        (CSV + "    url: https://erp.example.com/stock.csv\n", FROM_ERP,
         "catalog.yaml:12:5: sources.erp: needs exactly one of csv, json, url, sql (got csv, url)"),
        (CSV + "    headers: {Authorization: ERP_TOKEN}\n", FROM_ERP,
         "catalog.yaml:15:14: sources.erp.headers: headers is for url sources only"),
        ("    sql: {url_env: DB, query: select 1}\n    key: sku\n    columns: {stock: qty}\n"
         "    max_age: 1h\n", FROM_ERP, "catalog.yaml:15:14: sources.erp.max_age: max_age on an "
         "sql source needs age_column (a column of date-times)"),
        (CSV, "{stock: erp}", "catalog.yaml:16:17: fields.stock: must be an owner (catalog, "
         "unmanaged or {from: SOURCE}) or {default: OWNER, channels: {CHANNEL: OWNER}} "
         '(got "erp")'),
    ],
)  # fmt: skip
def test_ownership_and_source_settings_are_checked(tmp_path, source, fields, expected):
    shop = write_catalog(tmp_path / "shop", source, fields)
    feed(shop, "sku;qty\nSKU-0;1\n")
    catalog, errors, _ = checked(shop)
    assert catalog is None
    assert errors == [expected]


def test_price_and_stock_are_required_where_the_catalog_owns_them(tmp_path):
    shop = write_catalog(tmp_path / "shop", CSV, "{price: unmanaged}", offer_fields="")
    feed(shop, "sku;qty\nSKU-0;1\n")
    _, errors, _ = checked(shop)
    assert errors == [
        f"offers/shop.yaml:{line}:5: offers[{line - 2}]: missing required field 'stock'"
        for line in (2, 3, 4)
    ]
