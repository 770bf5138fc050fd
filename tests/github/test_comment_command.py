"""`catalog comment --github` end to end: the CLI, a saved plan, the GitHub stand-in over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

import httpx
from click.testing import CliRunner
from github_stand_in import PR_NUMBER, TOKEN, GitHubStandIn

from reconciler.catalog.model import (
    MarketplaceSettings,
    SalesChannel,
    Submission,
)
from reconciler.cli.main import cli
from reconciler.clock import PARIS
from reconciler.github.comments import PLAN_MARKER
from reconciler.plan.build import build_plan
from reconciler.plan.serialize import dump_plan
from reconciler.sandbox.embedded import run_embedded
from tests.offers import catalog as offers_catalog
from tests.offers import offer

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)
SHIRT = offer(sku="TSHIRT-RED-M", eco_tax=D("0.00"))


def saved_plan(tmp_path, desired_price: str, name: str) -> str:
    """A plan of one offer, live at 19.99, wanted at `desired_price`, saved as JSON."""
    wanted = replace(SHIRT, price=D(desired_price))
    catalog = offers_catalog(
        [wanted],
        root=str(tmp_path),
        marketplace=MarketplaceSettings(),
        channels={"cdiscount": SalesChannel("cdiscount", "CDISFR", Submission.XML)},
    )
    path = tmp_path / name
    path.write_text(dump_plan(build_plan(catalog, {SHIRT.key: SHIRT}, NOW)), encoding="utf-8")
    return str(path)


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, ["comment", *args], env=env, catch_exceptions=False)


def bodies(github: GitHubStandIn) -> list[str]:
    return [c["body"] for c in github.comments.get(PR_NUMBER, [])]


def test_create_then_update_then_skip_when_no_changes(github, actions_env, tmp_path):
    first = run(actions_env, "--github", "--plan", saved_plan(tmp_path, "17.99", "a.json"))
    assert first.exit_code == 0, first.output
    assert (
        "Plan comment created: https://github.com/octo/shop/pull/42#issuecomment-" in first.output
    )
    [body] = bodies(github)
    assert body.startswith(PLAN_MARKER) and "TSHIRT-RED-M" in body and "17.99" in body

    second = run(actions_env, "--github", "--plan", saved_plan(tmp_path, "18.49", "b.json"))
    assert second.exit_code == 0, second.output
    assert "Plan comment updated" in second.output
    [body] = bodies(github)  # still one comment, now the new plan
    assert "18.49" in body and "17.99" not in body

    github.comments.clear()  # a new pull request, whose plan changes nothing
    third = run(
        actions_env,
        "--github",
        "--plan",
        saved_plan(tmp_path, "19.99", "c.json"),
        "--on-no-changes",
        "skip",
    )
    assert third.exit_code == 0, third.output
    assert "no plan comment posted" in third.output
    assert bodies(github) == []


def test_no_changes_said_when_asked(github, actions_env, tmp_path):
    result = run(actions_env, "--github", "--plan", saved_plan(tmp_path, "19.99", "p.json"))
    assert result.exit_code == 0, result.output
    [body] = bodies(github)
    assert body.startswith(PLAN_MARKER) and "TSHIRT-RED-M" not in body


def test_a_refused_post_exits_1_with_githubs_message_and_no_token(github, actions_env, tmp_path):
    github.fail_writes_with = 403
    result = run(actions_env, "--github", "--plan", saved_plan(tmp_path, "17.99", "p.json"))
    assert result.exit_code == 1
    assert "Resource not accessible by integration" in result.output
    assert TOKEN not in result.output
    assert "Traceback" not in result.output


def test_plans_a_catalog_folder_against_the_sandbox_and_comments(github, actions_env, tmp_path):
    with run_embedded(tmp_path / "market") as market:
        live = {
            "salesChannelId": "CDISFR",
            "sellerExternalReference": "TSHIRT-RED-M",
            "product": {"gtin": "3760452700039"},
            "integrationPrice": {"price": 19.99},
            "quantity": 25,
            "taxes": [{"code": "VAT", "value": 20}],
            "deliveryModes": [{"code": "TRK", "cost": 4.90, "additionalCost": 1.00}],
        }
        assert httpx.post(f"{market.base_url}/sandbox/offers", json=[live]).status_code == 200
        shop = tmp_path / "shop"
        (shop / "offers").mkdir(parents=True)
        (shop / "catalog.yaml").write_text(
            f"seller_id: 98979\nmarketplace:\n  api_url: {market.api_url}\n"
            f"  auth_url: {market.auth_url}\n"
            "channels:\n  cdiscount: {id: CDISFR, submission: xml}\n",
            encoding="utf-8",
        )
        (shop / "offers" / "shirts.yaml").write_text(
            "offers:\n  - {sku: TSHIRT-RED-M, gtin: '3760452700039', price: 17.99, stock: 25,\n"
            "     condition: new, vat: 20, eco_tax: 0, dea_tax: 0, preparation_days: 2,\n"
            "     delivery: [{mode: TRK, cost: 4.90, additional_cost: 1.00}]}\n",
            encoding="utf-8",
        )
        env = {
            **actions_env,
            "OCTOPIA_CLIENT_ID": market.client_id,
            "OCTOPIA_CLIENT_SECRET": market.client_secret,
        }
        result = run(env, "--github", str(shop))
    assert result.exit_code == 0, result.output
    [body] = bodies(github)
    assert "TSHIRT-RED-M" in body and "17.99" in body


def test_an_invalid_catalog_folder_posts_nothing(github, actions_env, tmp_path):
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "catalog.yaml").write_text("seller_id: -1\n", encoding="utf-8")
    result = run(actions_env, "--github", str(shop))
    assert result.exit_code == 4, result.output
    assert bodies(github) == []
