"""`catalog comment --gitlab`: one note per merge request and catalog, edited in place, against
the GitLab stand-in over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

from click.testing import CliRunner
from gitlab_stand_in import MR_IID, TOKEN, GitLabStandIn

from reconciler.catalog.model import MarketplaceSettings, SalesChannel, Submission
from reconciler.cli.main import cli
from reconciler.clock import PARIS
from reconciler.plan.build import build_plan
from reconciler.plan.serialize import dump_plan
from tests.offers import catalog as offers_catalog
from tests.offers import offer

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)
SHIRT = offer(sku="TSHIRT-RED-M", eco_tax=D("0.00"))


def saved_plan(tmp_path, desired_price: str, name: str) -> str:
    """A plan of one offer, live at 19.99, wanted at `desired_price`, saved as JSON."""
    catalog = offers_catalog(
        [replace(SHIRT, price=D(desired_price))],
        root=str(tmp_path),
        marketplace=MarketplaceSettings(),
        channels={"cdiscount": SalesChannel("cdiscount", "CDISFR", Submission.XML)},
    )
    path = tmp_path / name
    path.write_text(dump_plan(build_plan(catalog, {SHIRT.key: SHIRT}, NOW)), encoding="utf-8")
    return str(path)


def comment(env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, ["comment", "--gitlab", *args], env=env)


def bodies(gitlab: GitLabStandIn) -> list[str]:
    return [n["body"] for n in gitlab.notes.get(MR_IID, [])]


def test_one_note_per_catalog_edited_in_place(gitlab, ci_env, tmp_path):
    gitlab.add(MR_IID, "added 1 commit", system=True)
    for i in range(120):  # our note ends up on the second page
        gitlab.add(MR_IID, f"remark {i}")
    first = comment(ci_env, "catalogs/a", "--plan", saved_plan(tmp_path, "17.99", "a.json"))
    assert first.exit_code == 0, first.output
    assert (
        "Plan comment created: https://gitlab.example.com/octo/shop/-/merge_requests/12#note_"
        in (first.output)
    )
    other = comment(ci_env, "catalogs/b", "--plan", saved_plan(tmp_path, "16.99", "b.json"))
    assert other.exit_code == 0, other.output

    again = comment(ci_env, "./catalogs/a/", "--plan", saved_plan(tmp_path, "18.49", "c.json"))
    assert again.exit_code == 0, again.output
    assert "Plan comment updated" in again.output
    ours = [b for b in bodies(gitlab) if b.startswith("<!-- catalog-reconciler plan")]
    assert len(ours) == 2
    assert ours[0].startswith(
        "<!-- catalog-reconciler plan: catalogs/a -->\n### Catalog `catalogs/a`"
    )
    assert "18.49" in ours[0] and "17.99" not in ours[0]
    assert ours[1].startswith("<!-- catalog-reconciler plan: catalogs/b -->") and "16.99" in ours[1]
    assert [m for m, _ in gitlab.requests].count("PUT") == 1
    assert [m for m, _ in gitlab.requests].count("POST") == 2

    same = comment(ci_env, "catalogs/a", "--plan", saved_plan(tmp_path, "18.49", "d.json"))
    assert "Plan comment unchanged" in same.output


def test_a_refused_token_is_named_and_never_shown(gitlab, ci_env, tmp_path):
    env = {**ci_env, "GITLAB_API_TOKEN": "glpat-wrongWrongWrong"}
    result = comment(env, "catalogs/a", "--plan", saved_plan(tmp_path, "17.99", "a.json"))
    assert result.exit_code == 1
    assert "GitLab answered 401" in result.output and "401 Unauthorized" in result.output
    assert "glpat-wrongWrongWrong" not in result.output and TOKEN not in result.output
    assert bodies(gitlab) == []


def test_outside_a_merge_request_pipeline_it_says_what_is_missing(tmp_path, ci_env):
    no_mr = {k: v for k, v in ci_env.items() if k != "CI_MERGE_REQUEST_IID"}
    result = comment(no_mr, "catalogs/a", "--plan", saved_plan(tmp_path, "17.99", "a.json"))
    assert result.exit_code == 1 and "CI_MERGE_REQUEST_IID is not set" in result.output
    no_token = {**ci_env, "GITLAB_API_TOKEN": ""}
    result = comment(no_token, "--plan", saved_plan(tmp_path, "17.99", "a.json"))
    assert result.exit_code == 1 and "GITLAB_API_TOKEN is not set" in result.output
