"""`catalog import` usage mistakes: named, exit 1, before any call to a marketplace."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["import", *args], catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x"], "say whose shop to import"),
        (["--out", "x", "--seller-id", "98979"], "say whose shop to import"),
        (
            ["--out", "x", "--seller-id", "1", "--sales-channel", "cdiscount=CDISFR"],
            "write NAME=ID:xml or NAME=ID:json",
        ),
        (
            ["--out", "x", "--seller-id", "1", "--sales-channel", "cdiscount=CDISFR:soap"],
            "write NAME=ID:xml or NAME=ID:json",
        ),
        (
            ["--out", "x", "--seller-id", "1", "--sales-channel", "a=A:xml", "--channel", "b"],
            "unknown channel(s) b; known: a",
        ),
    ],
)
def test_usage_mistakes_are_named(tmp_path, args, message):
    result = run(*[str(tmp_path / a) if a == "x" else a for a in args])
    assert result.exit_code == 64, result.output
    assert message in result.output
    assert not (tmp_path / "x").exists()


def test_a_folder_and_the_options_together_are_refused(tmp_path):
    result = run(str(tmp_path), "--seller-id", "1", "--out", str(tmp_path / "x"))
    assert result.exit_code == 64
    assert "give a catalog folder or the" in result.output


def test_an_invalid_source_catalog_stops_with_its_errors(tmp_path):
    (tmp_path / "catalog.yaml").write_text("seller_id: nope\n", encoding="utf-8")
    result = run(str(tmp_path), "--out", str(tmp_path / "x"))
    assert result.exit_code == 4
    assert "catalog.yaml" in result.output


def test_out_is_required():
    result = run("--seller-id", "1")
    assert result.exit_code == 64
    assert "--out" in result.output


def test_an_unreachable_marketplace_is_exit_7_and_writes_nothing(tmp_path):
    out = tmp_path / "shop"
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "--seller-id",
            "98979",
            "--sales-channel",
            "cdiscount=CDISFR:xml",
            "--api-url",
            "http://127.0.0.1:9/seller/v2",
            "--auth-url",
            "http://127.0.0.1:9/token",
            "--out",
            str(out),
        ],
        env={
            "OCTOPIA_CLIENT_ID": "id",
            "OCTOPIA_CLIENT_SECRET": "s3cret-value",
            "CATALOG_TIME_BUDGET": "1",
        },
        catch_exceptions=False,
    )
    assert result.exit_code == 7, result.output
    assert "s3cret-value" not in result.output
    assert not out.exists()
