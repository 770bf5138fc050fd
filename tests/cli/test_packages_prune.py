"""`catalog packages prune`: old packages leave the s3 store, pending and recent ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from reconciler.apply.journal import Journal
from reconciler.cli.main import cli
from tests.s3_server import REGION


def shop(root: Path, store: str) -> Path:
    root.mkdir()
    (root / "catalog.yaml").write_text(
        "seller_id: 98979\nmarketplace: {sandbox: embedded}\n"
        "channels:\n  cdiscount: {id: CDISFR, submission: xml}\n"
        f"package_store:\n{store}",
        encoding="utf-8",
    )
    return root


def prune(root: Path, *args: str, days_later: int = 0):
    later = (datetime.now(UTC) + timedelta(days=days_later)).isoformat()
    return CliRunner(env={"CATALOG_NOW": later}).invoke(
        cli, ["packages", "prune", str(root), *args], catch_exceptions=False
    )


def test_packages_older_than_the_limit_are_removed_but_not_a_pending_one(s3, tmp_path):
    root = shop(
        tmp_path / "shop",
        f"  type: s3\n  bucket: shop\n  prefix: packages/\n  region: {REGION}\n"
        f"  endpoint_url: {s3.endpoint_url}\n",
    )
    client = s3.client()
    for key in ("packages/a-001-full.zip", "packages/b-001-full.zip", "elsewhere/c.zip"):
        client.put_object(Bucket="shop", Key=key, Body=b"PK")
    Journal.for_catalog(root).record(
        "published", channel="cdiscount", submission="xml", package="b-001-full", skus=["S"]
    )

    kept = prune(root, "--older-than", "7d", days_later=6)
    assert kept.exit_code == 0, kept.output
    assert "0 package(s) removed." in kept.output
    dry = prune(root, "--older-than", "7d", "--dry-run", days_later=8)
    assert "would remove a-001-full.zip\n1 package(s) would be removed." in dry.output
    assert len(s3.keys("shop")) == 3

    done = prune(root, "--older-than", "7d", days_later=8)
    assert done.exit_code == 0, done.output
    assert "removed a-001-full.zip\n1 package(s) removed." in done.output
    assert s3.keys("shop") == ["elsewhere/c.zip", "packages/b-001-full.zip"]


def test_an_http_put_store_is_left_to_lifecycle_rules(tmp_path):
    root = shop(tmp_path / "shop", "  type: http-put\n  url: http://127.0.0.1:9/{name}\n")
    result = prune(root, "--older-than", "7d")
    assert result.exit_code == 1
    assert "lifecycle rules" in result.output


def test_a_duration_that_is_not_one_is_refused(tmp_path):
    root = shop(tmp_path / "shop", "  type: http-put\n  url: http://127.0.0.1:9/{name}\n")
    result = prune(root, "--older-than", "a week")
    assert result.exit_code == 64 and "not a duration like 90s, 30m, 6h or 7d" in result.output
