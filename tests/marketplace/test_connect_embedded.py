"""An embedded-sandbox catalog always talks to its sandbox with the sandbox's own client."""

from __future__ import annotations

import shutil
from pathlib import Path

from reconciler.catalog import load_catalog
from reconciler.marketplace.connect import open_marketplace
from reconciler.resources import DEMO_CATALOG


def test_exported_real_credentials_do_not_lock_the_seller_out_of_the_demo(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", "real-client")
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", "real-secret")
    shutil.copytree(DEMO_CATALOG, tmp_path / "demo", ignore=shutil.ignore_patterns(".catalog"))
    catalog = load_catalog(tmp_path / "demo")
    with open_marketplace(catalog) as client:
        body = client.get_json("/sellers/subscriptions", channel="CDISFR")
    assert "CDISFR" in str(body)
