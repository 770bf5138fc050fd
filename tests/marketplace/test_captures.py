"""Captured answers in the documented shapes (tests/fixtures/captures/), replayed over HTTP
through the client: the changelog's GET /offers item, odd live answers, SOAP-era and
snake_case XML integration logs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.catalog.model import Condition
from reconciler.channels.outcome import OfferStatus, SentPackage
from reconciler.channels.pacing import Pacing
from reconciler.channels.xml_channel import XmlChannel
from reconciler.cli.main import cli
from reconciler.marketplace.auth import CLIENT_ID_VAR, CLIENT_SECRET_VAR, Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.live import read_live_offers
from tests.offers import CDISCOUNT
from tests.replay import CAPTURES, Replay, replay

CATALOG = """\
seller_id: 98979
marketplace:
  api_url: {api}
  auth_url: {auth}
channels:
  cdiscount:
    id: CDISFR
    submission: json
defaults:
  condition: new
  vat: 20
  eco_tax: 0
  dea_tax: 0
  preparation_days: 2
  delivery:
    - {{mode: TRK, cost: 4.90, additional_cost: 1.00}}
manage: listed
"""
OFFERS = """\
offers:
  - {sku: REF1, gtin: "3499550358636", price: 19.90, stock: 4}
  - {sku: REF2, gtin: "3760452700039", price: 24.50, stock: 0, comment: "Expédié sous 48h"}
"""


def client_of(market: Replay) -> MarketplaceClient:
    return MarketplaceClient(market.api_url, market.auth_url, Credentials("id", "secret"), 98979)


def catalog_for(root: Path, market: Replay) -> Path:
    (root / "offers").mkdir(parents=True)
    (root / "catalog.yaml").write_text(CATALOG.format(api=market.api_url, auth=market.auth_url))
    (root / "offers" / "shop.yaml").write_text(OFFERS)
    return root


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIENT_ID_VAR, "replayed-client")
    monkeypatch.setenv(CLIENT_SECRET_VAR, "replayed-secret")


def test_the_changelog_item_is_read_with_what_it_does_not_say_unknown():
    with replay(CAPTURES / "changelog-offers") as market, client_of(market) as client:
        live = read_live_offers(client, [CDISCOUNT])
    first, second = live["cdiscount", "REF1"], live["cdiscount", "REF2"]
    assert (first.price, first.stock, first.condition) == (Decimal("19.90"), 4, Condition.NEW)
    assert first.vat is None and first.delivery is None and first.preparation_days is None
    assert first.unknown >= {"vat", "eco_tax", "dea_tax", "delivery", "preparation_days"}
    assert second.comment == "Expédié sous 48h" and "comment" not in second.unknown
    assert "comment" in first.unknown  # the first item has no comment node at all


def test_a_plan_against_the_changelog_shape_names_the_fields_not_compared(tmp_path, credentials):
    with replay(CAPTURES / "changelog-offers") as market:
        root = catalog_for(tmp_path / "shop", market)
        result = CliRunner().invoke(cli, ["plan", str(root), "--detailed-exitcode"])
    assert result.exit_code == 0, result.output
    assert (
        "not returned by the marketplace, so not compared: vat, eco_tax, dea_tax" in result.output
    )
    assert "No changes" in result.output


def test_doctor_against_the_changelog_shape_prints_the_read_back_table(tmp_path, credentials):
    with replay(CAPTURES / "changelog-offers") as market:
        root = catalog_for(tmp_path / "shop", market)
        result = CliRunner().invoke(cli, ["doctor", str(root)])
    assert result.exit_code == 0, result.output
    assert "PASS  channels: cdiscount = CDISFR (Active, EUR)" in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert "integrationPrice.price" in lines["price"]
    assert "(not returned)" in lines["vat"] and "(not returned)" in lines["delivery"]


@pytest.mark.parametrize(
    ("capture", "said"),
    [
        (
            "null-sku",
            "page 1, offer 2 (<seller-id>_TES3760452700039_6_CDISFR): "
            "sellerExternalReference is null",
        ),
        ("fractional-quantity", "page 1, offer 1 (REF1): quantity is 1.9, not a whole number"),
        ("sku-on-two-pages", "page 2, offer 1: sku REF1 was already listed"),
    ],
)
def test_odd_live_answers_are_unusable_naming_the_page_and_the_offer(
    tmp_path, credentials, capture, said
):
    with replay(CAPTURES / capture) as market:
        root = catalog_for(tmp_path / "shop", market)
        result = CliRunner().invoke(cli, ["plan", str(root)])
    assert result.exit_code == 7, result.output
    assert said in result.output


class _Journal:
    def record(self, event: str, **data: object) -> None:
        pass


@pytest.mark.parametrize(
    ("capture", "package_id"), [("soap-xml-log", "4242"), ("snake-xml-log", "4243")]
)
def test_xml_integration_logs_in_older_spellings_are_read(capture, package_id):
    with replay(CAPTURES / capture) as market, client_of(market) as client:
        channel = XmlChannel(client, CDISCOUNT, _Journal(), lambda: None, pacing=Pacing(first=0))
        sent = SentPackage("p-1", package_id, "Full", {"REF1": "create", "REF2": "create"})
        outcome = channel.follow(sent)
    by_sku = {o.sku: o for o in outcome.offers}
    assert outcome.state == "Integrated"
    assert by_sku["REF1"].status is OfferStatus.INTEGRATED
    assert by_sku["REF2"].status is OfferStatus.REJECTED
    assert by_sku["REF2"].code in ("1324", "4011") and by_sku["REF2"].message
