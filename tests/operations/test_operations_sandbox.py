"""End to end against the embedded sandbox over real HTTP: an operation applied, read back and
planned again as no change; changed; ended; removed."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli.main import cli
from reconciler.sandbox.embedded import run_embedded

FIXTURES = Path(__file__).parent.parent / "fixtures" / "operations"
GTINS = ["3760452700039", "3760452700107", "3760452700114", "3760452700121", "3760452700138"]
OPERATIONS = "operations/valid-calendar.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURES / "base", tmp_path, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "valid-calendar", tmp_path, dirs_exist_ok=True)
    # The embedded sandbox keeps its state here; register the shop's products in its referential.
    with run_embedded(tmp_path / ".catalog" / "sandbox") as sandbox:
        products = [{"gtin": gtin, "title": gtin} for gtin in GTINS]
        httpx.post(f"{sandbox.base_url}/sandbox/products", json=products).raise_for_status()
    monkeypatch.setenv("CATALOG_NOW", "2026-12-01T10:00:00+01:00")
    return tmp_path


def applied(shop: Path) -> Result:
    result = run("apply", str(shop), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert " 0 rejected, 0 not sent, 0 pending" in result.output, result.output
    assert "rejected " not in result.output, result.output
    return result


def plan(shop: Path) -> Result:
    return run("plan", str(shop), "--detailed-exitcode")


def edit(shop: Path, old: str, new: str) -> None:
    file = shop / OPERATIONS
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_an_operation_goes_live_changes_ends_and_is_removed(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(shop)
    again = plan(shop)
    assert again.exit_code == 0, again.output  # read back, the same discounts: nothing to do

    edit(shop, "discount_percent: 30", "discount_percent: 40")
    changed = plan(shop)
    assert changed.exit_code == 2, changed.output
    assert "~ PULL-WINTER-L  discounts changed" in changed.output
    assert "sales from 2027-01-07T08:00:00+01:00 percent: 30 -> 40" in changed.output
    assert "TSHIRT-RED-M" not in changed.output  # the flash sale did not move
    applied(shop)
    assert plan(shop).exit_code == 0

    # Once the sales have ended they are neither sent again nor a change.
    monkeypatch.setenv("CATALOG_NOW", "2027-02-04T00:00:00+01:00")
    assert plan(shop).exit_code == 0

    monkeypatch.setenv("CATALOG_NOW", "2026-12-02T10:00:00+01:00")
    (shop / OPERATIONS).write_text(
        (shop / OPERATIONS).read_text(encoding="utf-8").split("  - name: flash-tshirts")[0],
        encoding="utf-8",
    )
    removed = plan(shop)
    assert removed.exit_code == 2, removed.output
    assert "~ TSHIRT-RED-M  discounts changed" in removed.output
    assert "flash_sale from 2027-02-10T08:00:00+01:00 removed" in removed.output
    assert "PULL-WINTER-L" not in removed.output
    applied(shop)
    assert plan(shop).exit_code == 0
