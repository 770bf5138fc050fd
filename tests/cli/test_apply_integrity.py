"""Apply never lies (issue 15): the live offers decide what is done, a saved plan is verified
against the catalog and the shop, one apply at a time. Through the real CLI, on the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from filelock import FileLock

from reconciler.plan.serialize import compute_plan_hash, plan_from_dict
from reconciler.state import StateFolder
from tests.cli.test_apply import GTINS, catalog, live_count, write_catalog


def prices(sandbox, channel: str) -> dict[str, float]:
    with sandbox.client(channel) as client:
        params = {"salesChannelId": channel, "limit": 1000}
        items = client.get("/offers", params=params).json()["items"]
    return {i["sellerExternalReference"]: i["integrationPrice"]["price"] for i in items}


def saved(shop: Path, plan_file: Path) -> dict:
    assert catalog("plan", shop, "--out", plan_file).exit_code == 0
    return json.loads(plan_file.read_text())


def resealed(plan: dict, plan_file: Path) -> None:
    """An edited plan whose plan_hash is recomputed, as a careful forger would."""
    plan["plan_hash"] = compute_plan_hash(plan_from_dict(plan))
    plan_file.write_text(json.dumps(plan))


@pytest.fixture
def fresh_shop(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    sandbox.seed_products(GTINS)
    return write_catalog(tmp_path / "shop", sandbox, prices=("10.50", "24.90", "9.50"))


# -- 1. the journal never decides that something is done ---------------------------------------
def test_a_plan_made_again_after_a_revert_is_sent_again(fresh_shop, sandbox, tmp_path):
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0
    write_catalog(fresh_shop, sandbox, prices=("12.00", "24.90", "9.50"))
    first = saved(fresh_shop, tmp_path / "p1.json")
    assert (
        catalog("apply", fresh_shop, "--plan", tmp_path / "p1.json", "--auto-approve").exit_code
        == 0
    )
    write_catalog(fresh_shop, sandbox, prices=("10.50", "24.90", "9.50"))
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0
    assert prices(sandbox, "SELLZZ")["SKU-0"] == 10.5
    write_catalog(fresh_shop, sandbox, prices=("12.00", "24.90", "9.50"))
    third = saved(fresh_shop, tmp_path / "p3.json")
    assert third["plan_hash"] == first["plan_hash"]
    result = catalog("apply", fresh_shop, "--plan", tmp_path / "p3.json", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert prices(sandbox, "SELLZZ")["SKU-0"] == 12.0
    assert prices(sandbox, "CDISFR")["SKU-0"] == 12.0
    assert catalog("plan", fresh_shop, "--detailed-exitcode").exit_code == 0


def test_offers_deleted_on_the_marketplace_are_created_again(fresh_shop, sandbox, tmp_path):
    plan_file = tmp_path / "plan.json"
    saved(fresh_shop, plan_file)
    assert catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve").exit_code == 0
    sandbox.reset()  # the shop loses its offers
    sandbox.seed_products(GTINS)
    result = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert live_count(sandbox, "SELLZZ") == 3
    assert catalog("plan", fresh_shop, "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_whose_packages_were_rejected_is_sent_again(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", sandbox.client_secret)
    shop = write_catalog(tmp_path / "shop", sandbox)  # products not in the referential yet
    plan_file = tmp_path / "plan.json"
    saved(shop, plan_file)
    assert catalog("apply", shop, "--plan", plan_file, "--auto-approve").exit_code == 5
    sandbox.seed_products(GTINS)
    result = catalog("apply", shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert live_count(sandbox, "SELLZZ") == 3
    assert catalog("plan", shop, "--detailed-exitcode").exit_code == 0


def test_a_crafted_journal_cannot_make_apply_skip_changes(fresh_shop, sandbox, tmp_path):
    plan_file = tmp_path / "plan.json"
    plan = saved(fresh_shop, plan_file)
    journal = StateFolder(fresh_shop).journal
    lines = []
    for change in plan["changes"]:  # every change claimed sent and integrated
        name = f"{change['channel']}-{change['sku']}"
        base = {"package": name, "channel": change["channel"], "plan_hash": plan["plan_hash"]}
        lines.append({"event": "opened", "submission": "json", "skus": [change["sku"]], **base})
        lines.append({"event": "finished", "state": "Integrated", **base})
    # and a package "still integrating" that the marketplace never had
    fake = {"package": "zz-fake", "channel": "zz", "submission": "json", "package_id": "nope"}
    lines.append({"event": "opened", "skus": ["SKU-0"], "actions": {"SKU-0": "create"}, **fake})
    lines.append({"event": "ready", **fake})
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert live_count(sandbox, "SELLZZ") == 3
    assert live_count(sandbox, "CDISFR") == 3


@pytest.mark.parametrize("line", ["[]", '"x"', '{"event": "opened", "package": "p1"}'])
def test_a_malformed_journal_is_set_aside_with_a_warning(fresh_shop, sandbox, line):
    StateFolder(fresh_shop).journal.write_text(line + "\n")
    result = catalog("apply", fresh_shop, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "journal.jsonl was set aside" in result.output
    assert live_count(sandbox, "SELLZZ") == 3
    write_catalog(fresh_shop, sandbox, prices=("12.00", "24.90", "9.50"))
    again = catalog("apply", fresh_shop, "--auto-approve")  # later applies work too
    assert again.exit_code == 0, again.output
    assert "set aside" not in again.output


# -- 2. an edited saved plan is refused -----------------------------------------------------------
def test_an_edited_price_is_refused_even_with_a_recomputed_hash(fresh_shop, sandbox, tmp_path):
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0
    write_catalog(fresh_shop, sandbox, prices=("12.00", "24.90", "9.50"))
    plan_file = tmp_path / "plan.json"
    plan = saved(fresh_shop, plan_file)
    change = next(c for c in plan["changes"] if c["channel"] == "zz")
    change["after"]["price"] = "0.01"
    plan_file.write_text(json.dumps(plan))
    edited = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert edited.exit_code == 6, edited.output
    assert "the plan file was edited" in edited.output
    resealed(plan, plan_file)
    forged = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert forged.exit_code == 6, forged.output
    assert "zz/SKU-0: update is not what the catalog asks: price 0.01 in the plan, 12.00" in (
        forged.output
    )
    assert prices(sandbox, "SELLZZ")["SKU-0"] == 10.5  # nothing was sent


def test_a_blocked_plan_without_its_guards_is_still_blocked(fresh_shop, sandbox, tmp_path):
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0
    write_catalog(fresh_shop, sandbox, prices=("1.99", "24.90", "9.50"))  # the typo
    plan_file = tmp_path / "plan.json"
    plan = saved(fresh_shop, plan_file)
    assert plan["guards"]
    plan["guards"] = []
    resealed(plan, plan_file)
    result = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 3, result.output
    assert "max_price_change_percent" in result.output
    assert prices(sandbox, "SELLZZ")["SKU-0"] == 10.5


def test_share_guards_are_recounted_from_the_shop_not_the_file(fresh_shop, sandbox, tmp_path):
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0
    write_catalog(fresh_shop, sandbox, prices=("11.50", "25.90", "9.50"))
    settings = fresh_shop / "catalog.yaml"
    settings.write_text(
        settings.read_text().replace("max_update_percent: 100", "max_update_percent: 30")
    )
    plan_file = tmp_path / "plan.json"
    plan = saved(fresh_shop, plan_file)
    assert {g["guard"] for g in plan["guards"]} == {"max_update_percent"}
    plan["guards"] = []
    for summary in plan["channels"]:
        summary["live_offers"] = 1000  # 2 updates of 1,000 offers would pass
    resealed(plan, plan_file)
    result = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 3, result.output
    assert "2 of 3 live offers updated" in result.output
    assert prices(sandbox, "SELLZZ")["SKU-0"] == 10.5


def test_a_delete_the_catalog_never_asks_for_is_refused(fresh_shop, sandbox, tmp_path):
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0
    # a manage: all copy of the catalog without SKU-2 gives a genuine delete to paste
    other = write_catalog(tmp_path / "all", sandbox, prices=("10.50", "24.90", "9.50"))
    (other / "catalog.yaml").write_text(
        (other / "catalog.yaml").read_text() + "manage: all\n", encoding="utf-8"
    )
    shop_file = other / "offers" / "shop.yaml"
    shop_file.write_text("\n".join(shop_file.read_text().splitlines()[:3]) + "\n")
    delete = next(
        c for c in saved(other, tmp_path / "all.json")["changes"] if c["action"] == "delete"
    )
    write_catalog(fresh_shop, sandbox, prices=("12.00", "24.90", "9.50"))
    plan_file = tmp_path / "plan.json"
    plan = saved(fresh_shop, plan_file)
    plan["changes"].append(delete)
    resealed(plan, plan_file)
    result = catalog("apply", fresh_shop, "--plan", plan_file, "--auto-approve")
    assert result.exit_code == 6, result.output
    assert "zz/SKU-2: delete is not what the catalog asks: it asks no change" in result.output
    assert live_count(sandbox, "SELLZZ") == 3


# -- 3. one apply at a time -------------------------------------------------------------------
def test_a_second_apply_while_one_holds_the_catalog_exits_75_sending_nothing(fresh_shop, sandbox):
    with FileLock(StateFolder(fresh_shop).lock, timeout=0):
        result = catalog("apply", fresh_shop, "--auto-approve")
    assert result.exit_code == 75, result.output
    assert "another catalog apply is running" in result.output
    assert live_count(sandbox, "SELLZZ") == 0
    assert catalog("apply", fresh_shop, "--auto-approve").exit_code == 0


# -- 5. the price guard sees the price buyers pay ----------------------------------------------
def sale(shop: Path, percent: int, start: str = "2027-01-13T08:00:00+01:00") -> None:
    (shop / "operations").mkdir(exist_ok=True)
    (shop / "operations" / "sale.yaml").write_text(
        f"""operations:
  - name: winter
    kind: sales
    channel: cdiscount
    start: {start}
    end: 2027-01-20T08:00:00+01:00
    discount_percent: {percent}
    offers: {{skus: [SKU-0]}}
""",
        encoding="utf-8",
    )


@pytest.fixture
def dear_shop(fresh_shop, sandbox, monkeypatch):
    monkeypatch.setenv("CATALOG_NOW", "2026-12-01T10:00:00+01:00")
    return write_catalog(fresh_shop, sandbox, prices=("199.00", "24.90", "9.50"))


def test_a_99_percent_discount_typed_for_9_is_blocked_on_an_update(dear_shop, sandbox):
    assert catalog("apply", dear_shop, "--auto-approve").exit_code == 0
    sale(dear_shop, 99)
    blocked = catalog("apply", dear_shop, "--auto-approve")
    assert blocked.exit_code == 3, blocked.output
    assert "SKU-0 sales price 199.00 -> 1.99 (99.0%)" in blocked.output
    sale(dear_shop, 9)
    meant = catalog("apply", dear_shop, "--auto-approve")
    assert meant.exit_code == 0, meant.output
    assert catalog("plan", dear_shop, "--detailed-exitcode").exit_code == 0


def test_a_99_percent_discount_is_blocked_on_a_create(dear_shop, sandbox):
    sale(dear_shop, 99)
    blocked = catalog("apply", dear_shop, "--auto-approve")
    assert blocked.exit_code == 3, blocked.output
    assert "max_price_change_percent on cdiscount" in blocked.output
    assert live_count(sandbox, "CDISFR") == 0


# -- 8. operations converge -------------------------------------------------------------------
def test_an_operation_starting_at_a_fraction_of_a_second_converges(dear_shop, sandbox):
    sale(dear_shop, 30, start="2027-01-13T08:00:00.5+01:00")
    result = catalog("apply", dear_shop, "--auto-approve")
    assert result.exit_code == 0, result.output
    again = catalog("plan", dear_shop, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_start_in_the_spring_gap_is_refused_located(dear_shop, sandbox):
    sale(dear_shop, 30, start="2027-03-28T02:30:00")
    (dear_shop / "operations" / "sale.yaml").write_text(
        (dear_shop / "operations" / "sale.yaml")
        .read_text()
        .replace("2027-01-20T08:00:00+01:00", "2027-04-02T08:00:00"),
        encoding="utf-8",
    )
    result = catalog("apply", dear_shop, "--auto-approve")
    assert result.exit_code == 4, result.output
    assert "operations/sale.yaml:5:" in result.output
    assert "2027-03-28T02:30:00 does not exist in Paris time" in result.output
    assert live_count(sandbox, "CDISFR") == 0
    with_offset = (dear_shop / "operations" / "sale.yaml").read_text()
    (dear_shop / "operations" / "sale.yaml").write_text(
        with_offset.replace("02:30:00", "02:30:00+01:00"), encoding="utf-8"
    )
    assert catalog("apply", dear_shop, "--auto-approve").exit_code == 0
    assert catalog("plan", dear_shop, "--detailed-exitcode").exit_code == 0
