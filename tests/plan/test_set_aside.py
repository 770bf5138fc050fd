"""A live offer whose condition the client does not know (the XML codes 7, 8, 9 are graded
refurbished states; other channels may name more) does not abort the plan: it is reported,
named, and left alone; the other offers are planned as usual."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli

CATALOG = """\
seller_id: 98979
marketplace: {{api_url: "{api}", auth_url: "{auth}"}}
channels:
  zz: {{id: SELLZZ, submission: json}}
defaults:
  vat: 20
  preparation_days: 2
  delivery: [{{mode: TRK, cost: 4.90, additional_cost: 1.00}}]
manage: all
guards: {{min_existing_offers: 0, max_update_percent: 100, max_delete_percent: 100}}
"""
OFFERS = """\
offers:
  - {sku: GRADED, gtin: "3760452700039", price: 30, stock: 2}
  - {sku: PLAIN, gtin: "3760452700022", price: 12, stock: 5}
"""


def item(sku: str, gtin: str, condition: str) -> dict:
    return {
        "sellerExternalReference": sku,
        "salesChannelId": "SELLZZ",
        "product": {"gtin": gtin},
        "condition": condition,
        "integrationPrice": {"price": 19.99},
        "quantity": 5,
    }


def test_an_offer_of_an_unknown_condition_is_set_aside_and_named(
    sandbox, tmp_path: Path, monkeypatch
):
    sandbox.seed_offers(
        [item("GRADED", "3760452700039", "7"), item("OTHER", "3760452700046", "Grade B")]
    )
    root = tmp_path / "shop"
    (root / "offers").mkdir(parents=True)
    (root / "catalog.yaml").write_text(CATALOG.format(api=sandbox.api_url, auth=sandbox.auth_url))
    (root / "offers" / "shop.yaml").write_text(OFFERS)
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    result = CliRunner().invoke(cli, ["plan", str(root), "--detailed-exitcode"])
    assert result.exit_code == 2, result.output  # PLAIN is created: the plan went on
    assert "set aside, left alone: GRADED (condition '7'" in result.output
    assert "OTHER (condition 'Grade B'" in result.output
    assert "+ PLAIN" in result.output
    assert "GRADED  " not in result.output and "- OTHER" not in result.output  # left alone
