"""`catalog demo [DIR]`: the shipped demo copied into a working folder, the whole job, twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch):
    monkeypatch.delenv("OCTOPIA_CLIENT_ID", raising=False)
    monkeypatch.delenv("OCTOPIA_CLIENT_SECRET", raising=False)


def demo(*args: str):
    return CliRunner().invoke(cli, ["demo", *args], catch_exceptions=False)


def shipped_files() -> dict[str, bytes]:
    root = Path(str(DEMO_CATALOG))
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def copied_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".catalog" not in p.parts and p.name != ".gitignore"
    }


def test_demo_copies_the_demo_into_catalog_demo_and_works_when_run_twice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = demo()
    assert first.exit_code == 0, first.output
    folder = tmp_path / "catalog-demo"
    assert "Copied the demo catalog into catalog-demo" in first.output
    assert copied_files(folder) == shipped_files()
    assert (folder / ".gitignore").read_text() == ".catalog/\n"
    steps = ["1. Validate", "2. Start the sandbox", "3. Plan", "4. Apply", "5. Report"]
    positions = [first.output.index(step) for step in [*steps, "6. Plan again"]]
    assert positions == sorted(positions)
    assert "product referential" in first.output
    assert "0 rejected" in first.output and "rejected " not in first.output.replace(
        "0 rejected", ""
    )
    assert first.output.rstrip().count("No changes") == 1
    assert (folder / ".catalog" / "journal.jsonl").exists()
    # nothing of the run is written into the installed package
    assert not (Path(str(DEMO_CATALOG)) / ".catalog").exists()

    second = demo()
    assert second.exit_code == 0, second.output
    assert "Copied" not in second.output
    assert "the demo ran before" in second.output
    assert "4. Apply" not in second.output
    assert "No changes" in second.output


def test_reset_puts_back_the_files_and_the_sandbox(tmp_path):
    folder = tmp_path / "try"
    assert demo(str(folder)).exit_code == 0
    clothes = folder / "offers" / "clothes.yaml"
    clothes.write_text(clothes.read_text().replace("price: 44.90", "price: 39.90"))
    changed = CliRunner().invoke(cli, ["plan", str(folder), "--detailed-exitcode"])
    assert changed.exit_code == 2, changed.output
    applied = CliRunner().invoke(cli, ["apply", str(folder), "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    # the files alone put back: the sandbox still has the applied price, so a plan shows it
    clothes.write_bytes(shipped_files()["offers/clothes.yaml"])
    assert CliRunner().invoke(cli, ["plan", str(folder), "--detailed-exitcode"]).exit_code == 2

    clothes.write_text(clothes.read_text().replace("price: 44.90", "price: 1.00"))
    reset = demo(str(folder), "--reset")
    assert reset.exit_code == 0, reset.output
    assert "back as shipped, with an empty sandbox" in reset.output
    assert "4. Apply" in reset.output  # a new sandbox: the demo builds the shop again
    assert copied_files(folder) == shipped_files()
    after = CliRunner().invoke(cli, ["plan", str(folder), "--detailed-exitcode"])
    assert after.exit_code == 0, after.output


def test_reset_refuses_a_catalog_that_is_not_a_demo(tmp_path):
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "catalog.yaml").write_text("seller_id: 1\nmarketplace: {}\n")
    result = CliRunner().invoke(cli, ["demo", str(shop), "--reset"])
    assert result.exit_code != 0
    assert "not a demo catalog" in result.output
    assert (shop / "catalog.yaml").read_text() == "seller_id: 1\nmarketplace: {}\n"


def test_demo_refuses_a_folder_holding_something_else(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code != 0
    assert "not empty and holds no catalog.yaml" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
