"""`catalog apply` with an s3 package store: the sandbox downloads each XML package from a
presigned link into a real S3-compatible server on loopback (tests/s3_server.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from tests.s3_server import KEY_ID, REGION, SECRET_KEY

GTINS = ["3760452700015", "3760452700022", "3760452700039"]


def write_catalog(root: Path, sandbox, s3, **store: str) -> Path:
    (root / "offers").mkdir(parents=True)
    settings = {"bucket": "shop", "prefix": "packages/", "region": REGION, **store}
    lines = "".join(f"  {name}: {value}\n" for name, value in settings.items())
    (root / "catalog.yaml").write_text(
        f"""seller_id: {sandbox.seller_id}
marketplace:
  api_url: {sandbox.api_url}
  auth_url: {sandbox.auth_url}
channels:
  cdiscount: {{id: CDISFR, submission: xml, publication_pools: [1]}}
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
package_store:
  type: s3
  endpoint_url: {s3.endpoint_url}
{lines}""",
        encoding="utf-8",
    )
    offers = "offers:\n" + "".join(
        f'  - {{sku: SKU-{i}, gtin: "{gtin}", price: 19.{i}0, stock: 5}}\n'
        for i, gtin in enumerate(GTINS)
    )
    (root / "offers" / "shop.yaml").write_text(offers, encoding="utf-8")
    return root


@pytest.fixture
def market(sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    sandbox.seed_products(GTINS)
    return sandbox


def catalog(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def xml_packages(sandbox) -> list[dict]:
    """What the marketplace was given: every XML package's log, its URL included."""
    with sandbox.client("CDISFR") as client:
        journal = []
        for entry in sandbox_submitted_ids(sandbox):
            journal.append(client.get(f"/offer-integration-packages/{entry}").json())
        return journal


def sandbox_submitted_ids(sandbox) -> list[str]:
    with sandbox.client() as client:
        rows = client.get(sandbox.base_url + "/sandbox/submissions").json()["items"]
    return sorted({row["packageId"] for row in rows if row["kind"] == "xml"})


def journal(shop: Path) -> list[dict]:
    path = shop / ".catalog" / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_apply_publishes_to_s3_the_sandbox_downloads_the_link_and_the_next_plan_is_empty(
    market, s3, tmp_path
):
    shop = write_catalog(tmp_path / "shop", market, s3)
    shown = []
    for args, codes in (
        (("plan", shop, "--out", tmp_path / "plan.json"), (0,)),
        (
            (
                "apply",
                shop,
                "--plan",
                tmp_path / "plan.json",
                "--auto-approve",
                "--report",
                tmp_path / "report.json",
            ),
            (0,),
        ),
        (("--debug", "plan", shop, "--detailed-exitcode"), (0,)),
    ):
        result = catalog(*args)
        shown.append(result.output)
        assert result.exit_code in codes, result.output
    assert "cdiscount: 3 integrated, 0 rejected" in shown[1]
    assert "No changes" in shown[2]

    (key,) = s3.keys("shop")
    plan_hash = json.loads((tmp_path / "plan.json").read_text())["plan_hash"]
    assert key.startswith(f"packages/shop-cdiscount-{plan_hash[:10]}-")  # findable by a person
    (log,) = xml_packages(market)
    link = log["url"]  # what the marketplace was given: a presigned link
    assert link.startswith(f"{s3.endpoint_url}/shop/{key}?") and "X-Amz-Signature=" in link
    signature = link.split("X-Amz-Signature=")[1].split("&")[0]
    query = link.split("?", 1)[1]
    published = [e for e in journal(shop) if e["event"] == "published"]
    assert published and published[0]["url"] == f"{s3.endpoint_url}/shop/{key}"
    written = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if _text_file(p)]
    assert len(written) >= 4  # plan, report, journal, catalog files
    for text in shown + written:
        for secret in (signature, query, KEY_ID, SECRET_KEY, "X-Amz-Credential"):
            assert secret not in text


def _text_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def test_a_link_that_expired_before_the_marketplace_fetched_it_is_reported_as_such(
    sandbox_factory, s3, tmp_path, monkeypatch
):
    # the marketplace fetches 2 s after the POST, the link lasts 1 s: expired, every time
    market = sandbox_factory(faults={"download_delay_seconds": 2.0})
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", market.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", market.client_secret)
    market.seed_products(GTINS)
    shop = write_catalog(tmp_path / "shop", market, s3, link_expiry="1s")
    result = catalog("apply", shop, "--auto-approve", "--report", tmp_path / "report.json")
    assert result.exit_code == 5, result.output
    assert "link expired before Cdiscount fetched it; raise package_store.link_expiry" in (
        result.output
    )
    assert "(now 1s)" in result.output
    assert "X-Amz-Signature" not in result.output + (tmp_path / "report.json").read_text()
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 2  # still to be sent


def test_wrong_credentials_exit_7_before_anything_is_sent(market, s3, tmp_path, monkeypatch):
    shop = write_catalog(tmp_path / "shop", market, s3)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SENTINEL-wrong-s3-secret")
    with s3.authenticating():
        result = catalog("apply", shop, "--auto-approve")
    assert result.exit_code == 7, result.output
    assert "credentials were refused (HTTP 403)" in result.output
    assert "SENTINEL-wrong-s3-secret" not in result.output
    assert sandbox_submitted_ids(market) == []
    assert [e for e in journal(shop) if e["event"] in ("published", "submitted")] == []


def test_a_missing_bucket_exits_7_before_anything_is_sent(market, s3, tmp_path):
    shop = write_catalog(tmp_path / "shop", market, s3, bucket="no-such-bucket")
    result = catalog("apply", shop, "--auto-approve")
    assert result.exit_code == 7, result.output
    assert "bucket 'no-such-bucket' does not exist; nothing was sent" in result.output
    assert sandbox_submitted_ids(market) == []


def test_an_upload_cut_by_the_network_submits_nothing(market, s3, tmp_path):
    shop = write_catalog(tmp_path / "shop", market, s3)
    s3.gate.cut_uploads = True
    result = catalog("apply", shop, "--auto-approve")
    assert result.exit_code == 5, result.output
    assert "not sent" in result.output and "unreachable" in result.output
    assert s3.gate.puts and s3.keys("shop") == []
    assert sandbox_submitted_ids(market) == []
    assert [e for e in journal(shop) if e["event"] in ("published", "submitted")] == []
    s3.gate.cut_uploads = False
    assert catalog("apply", shop, "--auto-approve").exit_code == 0  # the next apply sends it
