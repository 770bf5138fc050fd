"""A `.catalog` committed into the catalog folder (a link out of it, or a file) stops apply and
the embedded sandbox with a clear message, before anything is sent or written elsewhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"


@pytest.fixture
def shop(tmp_path: Path, sandbox) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    settings = root / "catalog.yaml"
    settings.write_text(
        settings.read_text().replace(
            "marketplace: {sandbox: embedded}",
            f"marketplace: {{api_url: {sandbox.api_url}, auth_url: {sandbox.auth_url}}}\n"
            f'package_store: {{type: http-put, url: "{sandbox.base_url}/sandbox/blobs/{{name}}"}}',
        )
    )
    sandbox.seed_products(["3760452700015"])
    return root


def apply(shop: Path, sandbox):
    env = {"OCTOPIA_CLIENT_ID": sandbox.client_id, "OCTOPIA_CLIENT_SECRET": sandbox.client_secret}
    args = ["apply", str(shop), "--auto-approve"]
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def live_skus(sandbox) -> list[str]:
    with sandbox.client("SELLZZ") as client:
        items = client.get("/offers", params={"salesChannelId": "SELLZZ"}).json()["items"]
    return [item["sellerExternalReference"] for item in items]


def test_a_state_folder_linked_outside_is_refused(shop: Path, sandbox, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (shop / ".catalog").symlink_to(elsewhere)
    result = apply(shop, sandbox)
    assert result.exit_code == 1
    assert ".catalog must be a folder of this catalog" in result.output
    assert "Traceback" not in result.output
    assert list(elsewhere.iterdir()) == []
    assert live_skus(sandbox) == []


def test_a_state_file_is_named_not_a_crash(shop: Path, sandbox) -> None:
    (shop / ".catalog").write_text("not a folder")
    result = apply(shop, sandbox)
    assert result.exit_code == 1
    assert ".catalog must be a folder of this catalog" in result.output
    assert "Unexpected error" not in result.output


def test_without_a_state_folder_apply_makes_one(shop: Path, sandbox) -> None:
    result = apply(shop, sandbox)
    assert result.exit_code == 0, result.output
    assert (shop / ".catalog" / "journal.jsonl").is_file()
    assert live_skus(sandbox) == ["MUG-1"]


@pytest.mark.parametrize("link", [".catalog", ".catalog/sandbox"])
def test_the_embedded_sandbox_never_keeps_state_through_a_link(tmp_path: Path, link: str) -> None:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / link).parent.mkdir(exist_ok=True)
    (root / link).symlink_to(elsewhere)
    env = {"OCTOPIA_CLIENT_ID": None, "OCTOPIA_CLIENT_SECRET": None}
    result = CliRunner().invoke(cli, ["plan", str(root)], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{link} must be a folder of this catalog" in result.output
    assert list(elsewhere.iterdir()) == []
