"""`catalog apply` and `catalog package` on a catalog folder, against the sandbox over HTTP."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from reconciler.cli.main import cli

XSD = Path(__file__).resolve().parent.parent / "fixtures" / "cdiscount-xml" / "Offers.xsd"
GTINS = ["3760452700015", "3760452700022", "3760452700039"]


def write_catalog(root: Path, sandbox, prices=("19.99", "24.90", "9.50"), api_url=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "offers").mkdir(exist_ok=True)
    store = sandbox.base_url + "/sandbox/blobs/{name}"
    (root / "catalog.yaml").write_text(
        f"""seller_id: {sandbox.seller_id}
marketplace:
  api_url: {api_url or sandbox.api_url}
  auth_url: {sandbox.auth_url}
channels:
  cdiscount: {{id: CDISFR, submission: xml, publication_pools: [1]}}
  zz: {{id: SELLZZ, submission: json}}
defaults:
  condition: new
  vat: 20
  eco_tax: 0
  dea_tax: 0
  preparation_days: 2
  delivery:
    - {{mode: TRK, cost: 4.90, additional_cost: 1.00}}
guards:
  min_existing_offers: 1
  max_update_percent: 100
package_store:
  type: http-put
  url: "{store}"
""",
        encoding="utf-8",
    )
    offers = "offers:\n" + "".join(
        f'  - {{sku: SKU-{i}, gtin: "{gtin}", price: {price}, stock: 5, '
        f'comment: "Livré <vite> & \\"bien\\""}}\n'
        for i, (gtin, price) in enumerate(zip(GTINS, prices, strict=True))
    )
    (root / "offers" / "shop.yaml").write_text(offers, encoding="utf-8")
    return root


@pytest.fixture
def shop(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    sandbox.seed_products(GTINS)
    return write_catalog(tmp_path / "shop", sandbox)


def catalog(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def live_count(sandbox, channel: str) -> int:
    with sandbox.client(channel) as client:
        params = {"salesChannelId": channel, "limit": 1000}
        return len(client.get("/offers", params=params).json()["items"])


def test_without_a_terminal_apply_needs_auto_approve_and_sends_nothing(shop, sandbox):
    result = catalog("apply", shop)
    assert result.exit_code == 64  # a usage error: the call needs --auto-approve
    assert "no terminal to confirm on" in result.output
    assert "--auto-approve" in result.output
    assert live_count(sandbox, "SELLZZ") == 0


def test_apply_reports_offer_by_offer_then_the_next_apply_has_nothing_to_do(
    shop, sandbox, tmp_path
):
    report_file = tmp_path / "apply-report.json"
    result = catalog("apply", shop, "--auto-approve", "--report", report_file)
    assert result.exit_code == 0, result.output
    assert "cdiscount: 3 integrated, 0 rejected" in result.output
    report = json.loads(report_file.read_text())
    assert report["channels"]["zz"]["integrated"] == 3
    assert {o["sku"] for o in report["offers"] if o["channel"] == "cdiscount"} == {
        "SKU-0",
        "SKU-1",
        "SKU-2",
    }
    assert "secret" not in report_file.read_text()
    again = catalog("apply", shop, "--auto-approve")
    assert again.exit_code == 0
    assert "No changes" in again.output


def test_rejected_offers_exit_5_with_sku_code_and_meaning(shop, sandbox, tmp_path):
    unknown = write_catalog(tmp_path / "other", sandbox)
    text = (unknown / "offers" / "shop.yaml").read_text().replace(GTINS[2], "3760452700046")
    (unknown / "offers" / "shop.yaml").write_text(text)
    result = catalog("apply", unknown, "--auto-approve")
    assert result.exit_code == 5, result.output
    assert re.search(r"rejected SKU-2 \(create\) \[13\d\d\]: product 3760452700046", result.output)


def test_a_guard_blocks_with_exit_3_until_the_plan_is_acknowledged(shop, sandbox):
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_catalog(shop, sandbox, prices=("1.99", "24.90", "9.50"))  # the typo guards exist for
    blocked = catalog("apply", shop, "--auto-approve")
    assert blocked.exit_code == 3, blocked.output
    plan_hash = re.search(r"--ack (\w+) \(this plan only\)", blocked.output).group(1)
    acked = catalog("apply", shop, "--auto-approve", "--ack", plan_hash)
    assert acked.exit_code == 0, acked.output


def test_a_stale_saved_plan_exits_6_naming_the_offer(shop, sandbox, tmp_path):
    assert catalog("apply", shop, "--auto-approve").exit_code == 0
    write_catalog(shop, sandbox, prices=("19.99", "24.90", "9.90"))
    plan_file = tmp_path / "plan.json"
    assert catalog("plan", shop, "--out", plan_file).exit_code == 0
    sandbox.seed_offers(  # someone edits SKU-2 in the back office meanwhile
        [{"salesChannelId": "SELLZZ", "sellerExternalReference": "SKU-2",
          "product": {"gtin": GTINS[2]}, "price": 9.70, "quantity": 5,
          "taxes": [{"code": "VAT", "value": 20}, {"code": "Ecotax", "value": 0},
                    {"code": "DEA", "value": 0}],
          "deliveryModes": [{"code": "TRK", "cost": 4.90, "additionalCost": 1.00}]}]
    )  # fmt: skip
    result = catalog("apply", shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 6, result.output
    stale = result.output.split("stale")[1]
    assert "zz/SKU-2: price 9.50 -> 9.70 (+2.1%) since the plan" in stale
    assert "cdiscount/SKU-2" not in stale  # only the offer that moved is named


def test_an_unreachable_marketplace_exits_7_without_a_traceback(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    monkeypatch.setenv("CATALOG_TIME_BUDGET", "2")
    root = write_catalog(tmp_path / "shop", sandbox, api_url="http://127.0.0.1:9/seller/v2")
    result = catalog("apply", root, "--auto-approve")
    assert result.exit_code == 7, result.output
    assert "Traceback" not in result.output


def test_package_writes_the_zips_the_plan_would_send(shop, sandbox, tmp_path):
    out = tmp_path / "packages"
    result = catalog("package", shop, "--out", out)
    assert result.exit_code == 0, result.output
    (zip_path,) = out.glob("*.zip")
    with zipfile.ZipFile(io.BytesIO(zip_path.read_bytes())) as archive:
        root = etree.fromstring(archive.read("Content/Offers.xml"))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    comments = {o.get("Comment") for o in root.iter("{*}Offer")}
    assert comments == {'Livré <vite> & "bien"'}
    assert live_count(sandbox, "CDISFR") == 0  # nothing was sent

    plan_file = tmp_path / "plan.json"
    assert catalog("plan", shop, "--out", plan_file).exit_code == 0
    saved = catalog("package", shop, "--out", tmp_path / "from-plan", "--plan", plan_file)
    assert saved.exit_code == 0, saved.output
    assert [p.name for p in (tmp_path / "from-plan").glob("*.zip")] == [zip_path.name]


def test_a_saved_plan_is_applied_as_reviewed(shop, sandbox, tmp_path):
    plan_file = tmp_path / "plan.json"
    assert catalog("plan", shop, "--out", plan_file).exit_code == 0
    result = catalog("apply", shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "zz: 3 integrated" in result.output
    assert live_count(sandbox, "SELLZZ") == 3
    # applying it again is harmless: the live offers show every change done
    again = catalog("apply", shop, "--plan", plan_file, "--auto-approve")
    assert again.exit_code == 0, again.output
    assert "6 change(s) of this plan are already live" in again.output
    assert "submitted" not in again.output


def test_the_apply_command_killed_mid_way_is_finished_by_running_it_again(shop, sandbox):
    import os
    import signal
    import subprocess
    import sys
    import time

    gtins = [f"376045{n:06d}" for n in range(150)]
    gtins = [g + str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(g)) % 10) % 10)
             for g in gtins]  # fmt: skip
    sandbox.seed_products(gtins)
    offers = "".join(f'  - {{sku: BIG-{i}, gtin: "{g}", price: 9.99, stock: 1}}\n'
                     for i, g in enumerate(gtins))  # fmt: skip
    (shop / "offers" / "big.yaml").write_text("offers:\n" + offers, encoding="utf-8")
    journal = shop / ".catalog" / "journal.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "apply", str(shop), "--auto-approve"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while child.poll() is None and time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count("\n") >= 3:
            break
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    rerun = catalog("apply", shop, "--auto-approve")
    assert rerun.exit_code == 0, rerun.output
    assert "left by an interrupted apply" in rerun.output
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0  # converged
    assert live_count(sandbox, "SELLZZ") == 153
