"""`catalog show PLAN.json`: a saved plan rendered without the catalog or the marketplace."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from click.testing import CliRunner

from reconciler.catalog.model import ManagePolicy
from reconciler.cli.main import cli
from reconciler.plan.diff import diff_offers
from reconciler.plan.model import Plan
from reconciler.plan.serialize import compute_plan_hash, dump_plan
from tests.offers import ZZ, offer

OFFER = offer(channel="zz", sku="MUG", price=Decimal("9.90"), stock=4, eco_tax=Decimal("0.00"))


def saved_plan(tmp_path):
    channels = {"zz": ZZ}
    live = {OFFER.key: OFFER, ("zz", "OLD"): replace(OFFER, sku="OLD")}
    desired = {OFFER.key: replace(OFFER, price=Decimal("8.90"))}
    changes, summaries = diff_offers(channels, desired, live, ManagePolicy.ALL)
    plan = Plan(98979, "c" * 64, "2026-11-25T09:00:00Z", summaries, changes)
    plan = replace(plan, plan_hash=compute_plan_hash(plan))
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(plan))
    return path, plan


def test_show_renders_each_format(tmp_path):
    path, plan = saved_plan(tmp_path)
    runner = CliRunner()
    text = runner.invoke(cli, ["show", str(path)])
    assert text.exit_code == 0
    assert "~ MUG  price 9.90 -> 8.90 (-10.1%)" in text.output
    assert "- OLD  delete" in text.output
    md = runner.invoke(cli, ["show", str(path), "--format", "markdown"])
    assert "[!WARNING]" in md.output and f"`{plan.plan_hash}`" in md.output
    js = runner.invoke(cli, ["show", str(path), "--format", "json"])
    assert json.loads(js.output)["plan_hash"] == plan.plan_hash


def test_show_refuses_a_file_that_is_not_a_plan(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": 9}')
    result = CliRunner().invoke(cli, ["show", str(path)])
    assert result.exit_code == 1
    assert "not a plan of format_version 1 (found format_version 9)" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["show", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "cannot read plan" in missing.output
