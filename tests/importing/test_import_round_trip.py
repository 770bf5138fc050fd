"""Import a live sandbox shop over real HTTP, then plan on the result: no change, ever."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.sandbox.embedded import run_embedded

NOW = "2026-11-25T10:00:00+01:00"
TRK = {"code": "TRK", "cost": 4.90, "additionalCost": 1.00}
REG = {"code": "REG", "cost": 6.90, "additionalCost": 2.00}
SALE = {
    "type": "Sales",
    "discountPercent": 30,
    "salesReferencePrice": 39.99,
    "startDate": "2027-01-07T08:00:00+01:00",
    "endDate": "2027-02-03T23:59:00+01:00",
}
FLASH = {
    "type": "FlashSale",
    "discountPercent": 15,
    "salesReferencePrice": None,
    "startDate": "2026-12-01T08:00:00+01:00",
    "endDate": "2026-12-02T20:00:00+01:00",
}


def item(channel: str, sku: str, gtin: str, price: float, **fields) -> dict:
    return {
        "salesChannelId": channel,
        "sellerExternalReference": sku,
        "product": {"gtin": gtin},
        "integrationPrice": {"price": price},
        "quantity": 25,
        "condition": "New",
        "taxes": [{"code": "VAT", "value": 20}, {"code": "Ecotax", "value": 0}],
        "deliveryModes": [TRK, REG],
        "preparationTime": 2,
        **fields,
    }


# Two channels; offers on both with different prices and stock, XML-only fields on Cdiscount,
# a sale and a flash sale, an offer withdrawn (stock 0), offers on one channel only.
LIVE_SHOP = [
    item(
        "CDISFR",
        "TSHIRT-RED-M",
        "3760452700039",
        19.99,
        comment="Livré sous 48h",
        strikedPrice={"price": 24.99},
        commercialOperations=[SALE],
    ),
    item("SELLZZ", "TSHIRT-RED-M", "3760452700039", 21.99),
    item("CDISFR", "TSHIRT-BLUE-L", "4006381333931", 19.99, quantity=0),
    item("SELLZZ", "TSHIRT-BLUE-L", "4006381333931", 19.99, quantity=3),
    item(
        "CDISFR",
        "MUG-01",
        "5901234123457",
        9.50,
        taxes=[{"code": "VAT", "value": 5.5}, {"code": "Ecotax", "value": 0.10}],
        deliveryModes=[TRK],
        priceAlignment={"align": True, "minimumPrice": 8.00},
        packaging={"unit": "Liter", "value": 0.33},
        commercialOperations=[FLASH],
    ),
    item("CDISFR", "MUG-02", "9780201379624", 12, commercialOperations=[SALE]),
    item("SELLZZ", "CAP-9", "4012345678901", 15, preparationTime=5, condition="LikeNew"),
]


@pytest.fixture
def market(tmp_path: Path):
    with run_embedded(tmp_path / "market") as running:
        answer = httpx.post(f"{running.base_url}/sandbox/offers", json=LIVE_SHOP)
        assert answer.status_code == 200, answer.text
        yield running


@pytest.fixture
def env(market) -> dict[str, str]:
    return {
        "OCTOPIA_CLIENT_ID": market.client_id,
        "OCTOPIA_CLIENT_SECRET": market.client_secret,
        "CATALOG_NOW": NOW,
    }


def import_args(market, out: Path, *extra: str) -> list[str]:
    return [
        "import",
        "--seller-id",
        str(market.seller_id),
        "--sales-channel",
        "cdiscount=CDISFR:xml",
        "--sales-channel",
        "marketplace-zz=SELLZZ:json",
        "--api-url",
        market.api_url,
        "--auth-url",
        market.auth_url,
        "--out",
        str(out),
        *extra,
    ]


def run(env: dict[str, str], args: list[str]):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def folder(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*.yaml"))
        if ".catalog" not in p.parts
    }


@pytest.mark.parametrize("split_by", ["none", "channel", "prefix"])
def test_plan_on_the_imported_catalog_shows_no_change(market, env, tmp_path, split_by):
    shop = tmp_path / "shop"
    imported = run(env, import_args(market, shop, "--split-by", split_by))
    assert imported.exit_code == 0, imported.output
    assert "Imported 5 sku(s), 7 live channel offer(s), from 2 channel(s)" in imported.output
    assert (shop / ".gitignore").read_text(encoding="utf-8") == ".catalog/\n"

    planned = run(env, ["plan", str(shop), "--detailed-exitcode", "--format", "json"])
    assert planned.exit_code == 0, planned.output


def test_a_price_edited_after_the_import_is_a_change(market, env, tmp_path):
    shop = tmp_path / "shop"
    assert run(env, import_args(market, shop)).exit_code == 0
    offers = shop / "offers" / "offers.yaml"
    text = offers.read_text(encoding="utf-8")
    offers.write_text(text.replace("price: 21.99", "price: 22.49"), encoding="utf-8")
    planned = run(env, ["plan", str(shop), "--detailed-exitcode", "--format", "json"])
    assert planned.exit_code == 2, planned.output
    [change] = json.loads(planned.output)["changes"]
    assert (change["channel"], change["sku"], change["action"]) == (
        "marketplace-zz",
        "TSHIRT-RED-M",
        "update",
    )


def test_the_imported_catalog_lifts_defaults_and_keeps_channel_differences(market, env, tmp_path):
    shop = tmp_path / "shop"
    assert run(env, import_args(market, shop)).exit_code == 0
    catalog = yaml.safe_load((shop / "catalog.yaml").read_text(encoding="utf-8"))
    assert catalog["defaults"]["vat"] == 20 and catalog["defaults"]["preparation_days"] == 2
    offers = yaml.safe_load((shop / "offers" / "offers.yaml").read_text(encoding="utf-8"))
    entries = {e["sku"]: e for e in offers["offers"]}
    assert entries["TSHIRT-RED-M"]["overrides"] == {
        "cdiscount": {"comment": "Livré sous 48h", "striked_price": 24.99},
        "marketplace-zz": {"price": 21.99},
    }
    assert entries["MUG-01"]["packaging"] == {"unit": "Liter", "value": 0.33}
    assert entries["TSHIRT-BLUE-L"]["overrides"] in (
        {"cdiscount": {"stock": 0}},
        {"marketplace-zz": {"stock": 3}},
    )
    assert entries["CAP-9"]["channels"] == ["marketplace-zz"]
    operations = yaml.safe_load((shop / "operations" / "operations.yaml").read_text("utf-8"))
    sale = next(op for op in operations["operations"] if op["kind"] == "sales")
    assert sale["offers"] == {"skus": ["MUG-02", "TSHIRT-RED-M"]}


def test_importing_twice_gives_identical_files(market, env, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(env, import_args(market, first, "--split-by", "channel")).exit_code == 0
    assert run(env, import_args(market, second, "--split-by", "channel")).exit_code == 0
    assert folder(first) == folder(second)

    again = run(env, import_args(market, first, "--split-by", "channel", "--replace"))
    assert again.exit_code == 0, again.output
    assert folder(first) == folder(second)


def test_a_catalog_folder_gives_the_settings_and_channel_limits_the_import(market, env, tmp_path):
    shop = tmp_path / "shop"
    assert run(env, import_args(market, shop)).exit_code == 0
    only_zz = tmp_path / "zz"
    result = run(env, ["import", str(shop), "--channel", "marketplace-zz", "--out", str(only_zz)])
    assert result.exit_code == 0, result.output
    catalog = yaml.safe_load((only_zz / "catalog.yaml").read_text(encoding="utf-8"))
    assert list(catalog["channels"]) == ["marketplace-zz"]
    assert catalog["marketplace"]["api_url"] == market.api_url
    assert not (only_zz / "operations").exists()  # operations live on xml channels only
    planned = run(env, ["plan", str(only_zz), "--detailed-exitcode"])
    assert planned.exit_code == 0, planned.output


def test_an_existing_catalog_is_never_overwritten_silently(market, env, tmp_path):
    shop = tmp_path / "shop"
    assert run(env, import_args(market, shop)).exit_code == 0
    before = folder(shop)
    again = run(env, import_args(market, shop))
    assert again.exit_code == 1
    assert "already holds a catalog" in again.output and "--replace" in again.output
    assert folder(shop) == before


def test_an_embedded_sandbox_shop_comes_along_with_the_import(tmp_path):
    demo = tmp_path / "demo"
    (demo / "offers").mkdir(parents=True)
    (demo / "catalog.yaml").write_text(
        "seller_id: 98979\nmarketplace: {sandbox: embedded}\n"
        "channels:\n  cdiscount: {id: CDISFR, submission: xml}\n"
        "  marketplace-zz: {id: SELLZZ, submission: json}\n",
        encoding="utf-8",
    )
    with run_embedded(demo / ".catalog" / "sandbox") as running:
        answer = httpx.post(f"{running.base_url}/sandbox/offers", json=LIVE_SHOP)
        assert answer.status_code == 200, answer.text
    env = {"CATALOG_NOW": NOW}
    shop = tmp_path / "shop"
    imported = run(env, ["import", str(demo), "--out", str(shop)])
    assert imported.exit_code == 0, imported.output
    assert "Copied the embedded sandbox's shop" in imported.output
    planned = run(env, ["plan", str(shop), "--detailed-exitcode"])
    assert planned.exit_code == 0, planned.output
    assert "No changes" in planned.output


@pytest.mark.parametrize("stock", ["unmanaged", "csv:exports/stock.csv"])
def test_stock_imported_unmanaged_or_from_an_export_plans_no_change(market, env, tmp_path, stock):
    shop = tmp_path / "shop"
    imported = run(env, import_args(market, shop, "--stock", stock))
    assert imported.exit_code == 0, imported.output
    settings = (shop / "catalog.yaml").read_text(encoding="utf-8")
    assert "stock:" not in (shop / "offers" / "offers.yaml").read_text(encoding="utf-8")
    planned = run(env, ["plan", str(shop), "--detailed-exitcode"])
    assert planned.exit_code == 0, planned.output
    if stock == "unmanaged":
        assert "fields:\n  stock: unmanaged\n" in settings
        return
    assert "erp-stock: {csv: exports/stock.csv, key: sku, columns: {stock: stock}}" in settings
    export = (shop / "exports" / "stock.csv").read_text(encoding="utf-8").splitlines()
    # The shop's skus but TSHIRT-BLUE-L, whose two channels show two stocks (left live).
    assert export[0] == "sku;stock" and len(export) == 5
    sku, _ = export[1].split(";")
    export[1] = f"{sku};0"  # the ERP sells one out: the plan follows the export
    (shop / "exports" / "stock.csv").write_text("\n".join(export) + "\n", encoding="utf-8")
    planned = run(env, ["plan", str(shop), "--detailed-exitcode"])
    assert planned.exit_code == 2, planned.output
    assert f"{sku}  stock " in planned.output and "-> 0 (erp-stock, row 2)" in planned.output


def test_an_unknown_stock_owner_is_a_usage_mistake(market, env, tmp_path):
    result = run(env, import_args(market, tmp_path / "shop", "--stock", "erp"))
    assert result.exit_code != 0
    assert "--stock 'erp': give catalog, unmanaged or csv:PATH" in result.output
