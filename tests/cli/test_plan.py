"""`catalog plan` end to end: the demo catalog against the sandbox, over real HTTP.

Golden files: tests/cli/golden/demo_plan.{txt,md}, the demo plan against a seeded live state at
a fixed clock, without colour. Regenerate after a deliberate change with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.catalog import load_catalog
from reconciler.catalog.model import DeliveryOption, Offer
from reconciler.catalog.normal import API_CONDITIONS
from reconciler.cli.main import cli
from reconciler.operations.discounts import desired_offers
from reconciler.resources import DEMO_CATALOG
from reconciler.sandbox.embedded import run_embedded

NOW = "2026-11-25T10:00:00+01:00"
GOLDEN = Path(__file__).parent / "golden"
CHANNEL_IDS = {"cdiscount": "CDISFR", "marketplace-zz": "SELLZZ"}


def wire(offer: Offer) -> dict:
    """A desired offer as the marketplace would list it once applied (sandbox README names)."""
    item = {
        "sellerExternalReference": offer.sku,
        "salesChannelId": CHANNEL_IDS[offer.channel],
        "product": {"gtin": offer.gtin},
        "condition": API_CONDITIONS[offer.condition],
        "integrationPrice": {"price": str(offer.price)},
        "quantity": offer.stock,
        "taxes": [
            {"code": "VAT", "value": str(offer.vat)},
            {"code": "Ecotax", "value": str(offer.eco_tax)},
            {"code": "DEA", "value": str(offer.dea_tax)},
        ],
        "deliveryModes": [
            {"code": d.mode, "cost": str(d.cost), "additionalCost": str(d.additional_cost)}
            for d in offer.delivery
        ],
        "preparationTime": offer.preparation_days,
        "comment": offer.comment,
        "strikedPrice": {"price": str(offer.striked_price)} if offer.striked_price else None,
        "priceAlignment": (
            {
                "align": offer.price_alignment.align,
                "minimumPrice": offer.price_alignment.minimum_price
                and str(offer.price_alignment.minimum_price),
            }
            if offer.price_alignment
            else None
        ),
        "packaging": (
            {"unit": offer.packaging.unit, "value": str(offer.packaging.value)}
            if offer.packaging
            else None
        ),
        "commercialOperations": [
            {
                "type": "Sales" if d.kind.value == "sales" else "FlashSale",
                "discountPercent": d.percent,
                "salesReferencePrice": str(d.reference_price) if d.reference_price else None,
                "startDate": d.start.isoformat(),
                "endDate": d.end.isoformat(),
            }
            for d in offer.discounts
        ],
    }
    return item


def numbers(item: dict) -> dict:
    """Money as JSON numbers, as the marketplace writes it."""
    text = json.dumps(item)
    return json.loads(re.sub(r'"(-?\d+\.\d+)"', r"\1", text))


def seed(root: Path, offers: list[Offer]) -> None:
    import httpx

    with run_embedded(root / ".catalog" / "sandbox") as market:
        items = [numbers(wire(o)) for o in offers]
        httpx.post(f"{market.base_url}/sandbox/offers", json=items).raise_for_status()


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    monkeypatch.setenv("CATALOG_NOW", NOW)
    for var in (
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "OCTOPIA_CLIENT_ID",
        "OCTOPIA_CLIENT_SECRET",
    ):
        monkeypatch.delenv(var, raising=False)
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def seeded_demo(root: Path, change=None) -> None:
    """The demo's live state: its desired offers as applied, a few of them drifted."""
    from reconciler.clock import now

    catalog = load_catalog(root)
    live = dict(desired_offers(catalog, now()))
    drifted = {
        ("cdiscount", "TSHIRT-RED-M"): {"price": Decimal("24.99")},
        ("cdiscount", "HOODIE-GREY-M"): {"stock": 3},
        ("marketplace-zz", "SOCKS-PACK-5"): {
            "delivery": (DeliveryOption("TRK", Decimal("3.50"), Decimal("0.50")),)
        },
        **(change or {}),
    }
    for key, fields in drifted.items():
        live[key] = replace(live[key], **fields)
    del live["cdiscount", "BEANIE-WOOL-NAVY"]
    extra = replace(live["cdiscount", "LAMP-DESK-LED"], sku="POSTER-OLD", gtin="3760452700220")
    seed(root, [*live.values(), extra])


def masked(text: str) -> str:
    """Hashes depend on the demo's bytes; the golden pins everything else."""
    return re.sub(r"\b[0-9a-f]{16}\b", "<hash>", text)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(masked(text), encoding="utf-8")
    assert masked(text) == path.read_text(encoding="utf-8")


def test_demo_against_an_empty_marketplace_creates_every_offer(demo):
    code, out = run("plan", str(demo), "--detailed-exitcode")
    assert code == 2
    assert "Plan: 40 to create, 0 to update, 0 to delete, 0 to withdraw." in out
    code, _ = run("plan", str(demo))
    assert code == 0


def test_demo_plan_text_golden(demo):
    seeded_demo(demo)
    code, out = run("plan", str(demo), "--detailed-exitcode")
    assert code == 2
    check_golden("demo_plan.txt", out)


def test_demo_plan_markdown_golden(demo):
    seeded_demo(demo)
    code, out = run("plan", str(demo), "--format", "markdown")
    assert code == 0
    check_golden("demo_plan.md", out)


def test_demo_plan_json_is_the_saved_plan(demo, tmp_path):
    seeded_demo(demo)
    saved = tmp_path / "plan.json"
    code, out = run("plan", str(demo), "--format", "json", "--out", str(saved))
    assert code == 0
    data = json.loads(out)
    assert data == json.loads(saved.read_text())
    assert data["format_version"] == 1 and data["has_changes"] is True
    actions = {(c["channel"], c["sku"]): c["action"] for c in data["changes"]}
    assert actions == {
        ("cdiscount", "BEANIE-WOOL-NAVY"): "create",
        ("cdiscount", "HOODIE-GREY-M"): "update",
        ("cdiscount", "TSHIRT-RED-M"): "update",
        ("marketplace-zz", "SOCKS-PACK-5"): "update",
    }
    code, shown = run("show", str(saved))
    assert code == 0
    code, planned = run("plan", str(demo))
    assert masked(shown) == masked(planned)


def test_a_95_percent_price_drop_is_shown_blocked_but_plan_exits_0(demo):
    seeded_demo(demo, {("cdiscount", "SOFA-3P-LINEN"): {"price": Decimal("15980.00")}})
    code, out = run("plan", str(demo))
    assert code == 0
    assert "BLOCKED" in out
    assert "SOFA-3P-LINEN 15980.00 -> 799.00 (95.0%)" in out
    assert re.search(r"catalog apply --ack [0-9a-f]{16}", out)
    code, md = run("plan", str(demo), "--format", "markdown")
    assert "[!CAUTION]" in md


def test_targeting_by_channel_and_sku(demo):
    seeded_demo(demo)
    code, out = run("plan", str(demo), "--channel", "cdiscount", "--sku", "TSHIRT-*")
    assert code == 0
    assert "TSHIRT-RED-M" in out and "HOODIE" not in out and "marketplace-zz" not in out
    assert "Plan: 0 to create, 1 to update" in out
    code, out = run("plan", str(demo), "--channel", "cdiscont")
    assert code == 64
    assert "--channel cdiscont: no channel 'cdiscont': did you mean 'cdiscount'?" in out


def test_github_outputs_are_written(demo, tmp_path, monkeypatch):
    seeded_demo(demo)
    output, summary = tmp_path / "out", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run("plan", str(demo))[0] == 0
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values["has_changes"] == "true" and values["creates"] == "1"
    assert values["updates"] == "3" and values["deletes"] == "0"
    assert "| Channel |" in summary.read_text()


def test_an_invalid_catalog_stops_before_any_call(demo):
    text = (demo / "catalog.yaml").read_text()
    text = text.replace(
        "sandbox: embedded",
        "api_url: http://127.0.0.1:9/seller/v2\n  auth_url: http://127.0.0.1:9/token",
    )
    (demo / "catalog.yaml").write_text(text)
    (demo / "offers" / "broken.yaml").write_text("offers:\n  - sku: X\n    price: -1\n")
    code, out = run("plan", str(demo))
    assert code == 4
    assert "broken.yaml" in out


def _real_api_catalog(demo: Path, sandbox) -> None:
    text = (demo / "catalog.yaml").read_text()
    text = text.replace(
        "sandbox: embedded", f"api_url: {sandbox.api_url}\n  auth_url: {sandbox.auth_url}"
    )
    (demo / "catalog.yaml").write_text(text)


def test_wrong_credentials_exit_7_naming_the_auth_url(demo, sandbox, monkeypatch):
    _real_api_catalog(demo, sandbox)
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", "wrong-secret-xyz")
    code, out = run("plan", str(demo))
    assert code == 7
    assert f"authentication refused by {sandbox.auth_url}" in out
    assert "wrong-secret-xyz" not in out and "Traceback" not in out


def test_missing_credentials_for_the_real_api_exit_7(demo, sandbox):
    _real_api_catalog(demo, sandbox)
    code, out = run("plan", str(demo))
    assert code == 7 and "OCTOPIA_CLIENT_ID" in out


def test_an_unreachable_marketplace_exits_7_within_the_budget(demo, monkeypatch):
    text = (
        (demo / "catalog.yaml")
        .read_text()
        .replace(
            "sandbox: embedded",
            "api_url: http://127.0.0.1:9/seller/v2\n  auth_url: http://127.0.0.1:9/token",
        )
    )
    (demo / "catalog.yaml").write_text(text)
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", "x")
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", "y")
    monkeypatch.setenv("CATALOG_TIME_BUDGET", "2")
    code, out = run("plan", str(demo))
    assert code == 7
    assert "connection failed" in out and "Traceback" not in out


def test_a_delivery_mode_the_seller_lacks_exits_4_in_the_catalog(
    demo, sandbox_factory, monkeypatch
):
    market = sandbox_factory(delivery_modes=["TRK", "REG", "STD"])  # no LV2 for the sofa
    _real_api_catalog(demo, market)
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", market.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", market.client_secret)
    code, out = run("plan", str(demo))
    assert code == 4
    assert re.search(r"home\.yaml:\d+:\d+: delivery: delivery mode LV2 is not configured", out)


def test_a_plan_right_after_an_apply_is_empty(demo):
    import httpx

    catalog = load_catalog(demo)
    with run_embedded(demo / ".catalog" / "sandbox") as market:  # the demo's products exist
        products = [{"gtin": o.gtin, "title": o.sku} for o in catalog.offers.values()]
        httpx.post(f"{market.base_url}/sandbox/products", json=products).raise_for_status()
    code, out = run("apply", str(demo), "--auto-approve")
    assert code == 0, out
    code, out = run("plan", str(demo), "--detailed-exitcode")
    assert code == 0, out
    assert "No changes: the marketplace matches the catalog." in out
