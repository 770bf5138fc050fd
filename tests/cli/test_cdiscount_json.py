"""`submission: json` on Cdiscount (documented since 2025): offers go as JSON offer packages;
commercial operations stay XML-only, and `catalog validate` says so where the operation is."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli

GTINS = ["3760452700015", "3760452700022"]


def catalog(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def shop(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    sandbox.seed_products(GTINS)
    root = tmp_path / "shop"
    (root / "offers").mkdir(parents=True)
    (root / "catalog.yaml").write_text(
        f"""seller_id: {sandbox.seller_id}
marketplace:
  api_url: {sandbox.api_url}
  auth_url: {sandbox.auth_url}
channels:
  cdiscount: {{id: CDISFR, submission: json}}
defaults:
  condition: new
  vat: 20
  preparation_days: 2
  delivery:
    - {{mode: TRK, cost: 4.90, additional_cost: 1.00}}
guards:
  min_existing_offers: 1
""",
        encoding="utf-8",
    )
    (root / "offers" / "shop.yaml").write_text(
        "offers:\n"
        + "".join(
            f'  - {{sku: CD-{i}, gtin: "{g}", price: 19.90, stock: 4}}\n'
            for i, g in enumerate(GTINS)
        ),
        encoding="utf-8",
    )
    return root


def test_offers_go_to_cdiscount_as_json_packages(shop, sandbox):
    assert catalog("validate", shop).exit_code == 0
    applied = catalog("apply", shop, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    with sandbox.client("CDISFR") as api:
        items = api.get("/offers", params={"salesChannelId": "CDISFR"}).json()["items"]
    assert sorted(i["sellerExternalReference"] for i in items) == ["CD-0", "CD-1"]
    sent = sandbox.admin.get("/sandbox/submissions").json()["items"]
    assert {(s["salesChannelId"], s["kind"]) for s in sent} == {("CDISFR", "json")}
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0


def test_an_operation_on_a_json_cdiscount_channel_is_refused_where_it_is(shop):
    (shop / "operations").mkdir()
    (shop / "operations" / "sales.yaml").write_text(
        """operations:
  - name: soldes
    kind: sales
    channel: cdiscount
    start: 2027-01-13T08:00:00+01:00
    end: 2027-02-09T23:59:00+01:00
    discount_percent: 30
    offers: {skus: [CD-0]}
""",
        encoding="utf-8",
    )
    checked = catalog("validate", shop)
    assert checked.exit_code == 4, checked.output
    assert "operations/sales.yaml:2:5: operations[0].channel:" in checked.output
    assert "submission: xml" in checked.output
