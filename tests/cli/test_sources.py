"""Stock from outside git, through the real CLI against the sandbox over HTTP: field ownership,
a CSV feed's values and rows in the plan, bad feeds blocking, the zeroed-stock guard, a saved
plan refused once its source moved, and stock-only runs sending only what changed."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.channels.json_packages import offer_request
from reconciler.cli.main import cli
from reconciler.plan.serialize import _change_from_dict

GTINS = ["3760452700015", "3760452700022", "3760452700039"]
SKUS = ["SKU-0", "SKU-1", "SKU-2"]


def write_catalog(root: Path, sandbox, fields: str = "", sources: str = "", stock=True) -> Path:
    (root / "offers").mkdir(parents=True, exist_ok=True)
    store = sandbox.base_url + "/sandbox/blobs/{name}"
    (root / "catalog.yaml").write_text(
        f"""seller_id: {sandbox.seller_id}
marketplace: {{api_url: "{sandbox.api_url}", auth_url: "{sandbox.auth_url}"}}
channels:
  cdiscount: {{id: CDISFR, submission: xml, publication_pools: [1]}}
  zz: {{id: SELLZZ, submission: json}}
defaults:
  vat: 20
  preparation_days: 2
  delivery: [{{mode: TRK, cost: 4.90, additional_cost: 1.00}}]
guards: {{min_existing_offers: 1, max_update_percent: 100}}
package_store: {{type: http-put, url: "{store}"}}
{sources}
{fields}
""",
        encoding="utf-8",
    )
    given = ", stock: 30" if stock else ""
    offers = "offers:\n" + "".join(
        f'  - {{sku: {sku}, gtin: "{gtin}", price: 19.99{given}}}\n'
        for sku, gtin in zip(SKUS, GTINS, strict=True)
    )
    (root / "offers" / "shop.yaml").write_text(offers, encoding="utf-8")
    return root


ERP = """sources:
  erp-stock:
    csv: exports/stock.csv
    key: sku
    columns: {stock: qty}
"""


def write_feed(root: Path, text: str, name: str = "stock.csv") -> Path:
    (root / "exports").mkdir(exist_ok=True)
    path = root / "exports" / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def shop(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    monkeypatch.delenv("CATALOG_NOW", raising=False)
    sandbox.seed_products(GTINS)
    return tmp_path / "shop"


def catalog(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def sell(sandbox, sku: str, quantity: int, channel: str = "SELLZZ") -> None:
    """A buyer orders: the marketplace lowers the live stock (the sandbox's admin route)."""
    gtin = GTINS[SKUS.index(sku)]
    sandbox.seed_offers(
        [{"salesChannelId": channel, "sellerExternalReference": sku,
          "product": {"gtin": gtin}, "price": 19.99, "quantity": quantity,
          "taxes": [{"code": "VAT", "value": 20}, {"code": "Ecotax", "value": 0},
                    {"code": "DEA", "value": 0}],
          "deliveryModes": [{"code": "TRK", "cost": 4.90, "additionalCost": 1.00}]}]
    )  # fmt: skip


def test_unmanaged_stock_leaves_the_marketplace_sales_alone(shop, sandbox):
    write_catalog(shop, sandbox, fields="fields: {stock: unmanaged}")
    applied = catalog("apply", shop, "--auto-approve")
    assert applied.exit_code == 0, applied.output  # the creates send the files' stock
    sell(sandbox, "SKU-1", 0)
    sell(sandbox, "SKU-2", 12, channel="CDISFR")
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0
    # The same sale with the catalog owning the stock: the plan would undo it.
    write_catalog(shop, sandbox)
    undo = catalog("plan", shop, "--detailed-exitcode")
    assert undo.exit_code == 2
    assert "SKU-1  stock 0 -> 30" in undo.output
    assert "SKU-2  stock 12 -> 30" in undo.output


def test_stock_from_a_csv_feed_shows_its_values_and_rows(shop, sandbox):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;30\nSKU-2;30\n")
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_feed(shop, "\ufeffsku;qty\r\nSKU-0;30\r\nSKU-1;4\r\nSKU-2;30\r\nGONE-9;3\r\n")
    result = catalog("plan", shop, "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "SKU-1  stock 30 -> 4 (erp-stock, row 3)" in result.output
    assert "source erp-stock: exports/stock.csv, 4 row(s)" in result.output
    assert "1 sku(s) not in the catalog, ignored: GONE-9" in result.output
    markdown = catalog("plan", shop, "--format", "markdown").output
    assert "- source `erp-stock`: exports/stock.csv, 4 row(s)" in markdown
    assert "| stock | 30 | 4 (erp-stock, row 3) |" in markdown
    saved = json.loads(catalog("plan", shop, "--format", "json").output)
    assert [s["name"] for s in saved["sources"]] == ["erp-stock"]
    assert saved["sources"][0]["fingerprint"]
    fields = saved["changes"][0]["fields"]
    assert fields == [{"field": "stock", "before": 30, "after": 4, "source": "erp-stock, row 3"}]


def test_an_empty_feed_blocks_naming_the_file(shop, sandbox):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\n")
    result = catalog("plan", shop)
    assert result.exit_code == 4, result.output
    assert "exports/stock.csv: has no rows (header only): an empty export" in result.output


def test_a_bad_row_names_file_row_and_column(shop, sandbox):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;3\nSKU-1;12,5\nSKU-2;3\n")
    result = catalog("plan", shop)
    assert result.exit_code == 4, result.output
    assert 'exports/stock.csv:3:2: qty: "12,5" is not a whole number' in result.output


def test_a_missing_or_stale_feed_blocks(shop, sandbox):
    aged = ERP.replace("columns", "max_age: 2h\n    columns")
    write_catalog(shop, sandbox, aged + "fields: {stock: {from: erp-stock}}")
    result = catalog("plan", shop)
    assert result.exit_code == 4
    assert "exports/stock.csv: is missing: no export to read" in result.output
    feed = write_feed(shop, "sku;qty\nSKU-0;3\n")
    three_hours_ago = time.time() - 3 * 3600
    os.utime(feed, (three_hours_ago, three_hours_ago))
    result = catalog("plan", shop)
    assert result.exit_code == 4
    assert "older than max_age 2h: refresh the export" in result.output


def test_a_feed_zeroing_the_shop_is_held_by_the_guard(shop, sandbox):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;30\nSKU-2;30\n")
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_feed(shop, "sku;qty\nSKU-0;0\nSKU-1;0\nSKU-2;30\n")
    plan = catalog("plan", shop)
    assert "max_stock_zeroed_percent on zz: 2 of 3 live offers set to stock 0" in plan.output
    blocked = catalog("apply", shop, "--auto-approve")
    assert blocked.exit_code == 3, blocked.output
    allowed = catalog("apply", shop, "--auto-approve", "--allow", "max_stock_zeroed_percent")
    assert allowed.exit_code == 0, allowed.output


def test_a_saved_plan_is_refused_once_its_source_moved(shop, sandbox, tmp_path):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;30\nSKU-2;30\n")
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;4\nSKU-2;30\n")
    plan_file = tmp_path / "plan.json"
    assert catalog("plan", shop, "--out", plan_file).exit_code == 0
    # A new export with the same values (rows reordered, a sku the catalog lacks): still true.
    write_feed(shop, "sku;qty\nSKU-2;30\nSKU-1;4\nSKU-0;30\nNEW-1;8\n")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;3\nSKU-2;30\n")  # then a sale in the ERP
    stale = catalog("apply", shop, "--plan", plan_file, "--auto-approve")
    assert stale.exit_code == 6, stale.output
    assert "source erp-stock (exports/stock.csv) changed since the plan" in stale.output
    assert "zz/SKU-1 stock 4 in the plan, 3 now" in stale.output


def test_a_saved_plan_stays_true_when_the_export_only_reorders(shop, sandbox, tmp_path):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;30\nSKU-2;30\n")
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;4\nSKU-2;30\n")
    plan_file = tmp_path / "plan.json"
    assert catalog("plan", shop, "--out", plan_file).exit_code == 0
    write_feed(shop, "sku;qty\nSKU-2;30\nSKU-1;4\nSKU-0;30\nNEW-1;8\n")
    applied = catalog("apply", shop, "--plan", plan_file, "--auto-approve")
    assert applied.exit_code == 0, applied.output


def test_moving_stock_from_the_files_to_a_source_changes_nothing(shop, sandbox):
    write_catalog(shop, sandbox)
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    # The export agrees with the files but for one sku it does not list: the files' value stays.
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;30\n")
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0
    # A new catalog may leave stock out of the files: an offer the feed misses keeps its live one.
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}", stock=False)
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0


def test_stock_only_runs_send_stock_and_price_packages_and_partial_updates(shop, sandbox, tmp_path):
    write_catalog(shop, sandbox, ERP + "fields: {stock: {from: erp-stock}}")
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;30\nSKU-2;30\n")
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_feed(shop, "sku;qty\nSKU-0;30\nSKU-1;7\nSKU-2;30\n")
    out = tmp_path / "packages"
    assert catalog("package", shop, "--out", out).exit_code == 0
    (zip_path,) = out.glob("*.zip")
    assert zip_path.name.endswith("-stockandprice.zip")
    with zipfile.ZipFile(zip_path) as archive:
        xml = archive.read("Content/Offers.xml").decode("utf-8")
    assert 'Stock="7"' in xml and "Price=" not in xml
    plan = json.loads(catalog("plan", shop, "--format", "json").output)
    (change,) = [c for c in plan["changes"] if c["channel"] == "zz"]
    request = offer_request(_change_from_dict(change))
    assert {k for k in request if k not in ("sellerExternalReference", "salesChannelId")} == {
        "quantity"
    }, request
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0
