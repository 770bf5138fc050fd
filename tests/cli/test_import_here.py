"""`catalog import --out X` run inside a catalog folder takes that folder's settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG


def test_import_inside_a_catalog_folder_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(DEMO_CATALOG, shop, ignore=shutil.ignore_patterns(".catalog"))
    monkeypatch.chdir(shop)
    env = {"CATALOG_NOW": "2026-12-01T10:00:00+01:00", "OCTOPIA_CLIENT_ID": None}
    result = CliRunner().invoke(cli, ["import", "--out", str(tmp_path / "copy")], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported 0 sku(s), 0 live channel offer(s), from 2 channel(s)")
    settings = (tmp_path / "copy" / "catalog.yaml").read_text()
    assert "seller_id: 98979" in settings and "SELLZZ" in settings
