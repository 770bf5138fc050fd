"""`catalog doctor` through the real CLI against the sandbox (both read-back modes), a channel
the seller is not subscribed to (exit 4, located), an unreachable API (exit 7), and --capture
(every raw answer written, secrets and the seller's identifiers redacted)."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.marketplace.connect import SANDBOX_CONFIG_VAR
from reconciler.resources import DEMO_CATALOG


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def demo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> Path:
    config = tmp_path / "sandbox.yaml"
    config.write_text(f"offers_readback: {mode}\nintegration_delay: 0\n")
    monkeypatch.setenv(SANDBOX_CONFIG_VAR, str(config))
    for var in ("OCTOPIA_CLIENT_ID", "OCTOPIA_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    return root


def table(out: str) -> dict[str, list[str]]:
    start = out.index("catalog field")
    rows = [line.split() for line in out[start:].splitlines()[2:] if line.strip()]
    return {row[0]: [" ".join(row[1:])] for row in rows if not row[0].startswith("-")}


@pytest.mark.parametrize("mode", ["full", "documented"])
def test_doctor_passes_against_the_sandbox_and_prints_the_read_back_table(
    tmp_path, monkeypatch, mode
):
    root = demo_copy(tmp_path, monkeypatch, mode)
    assert run("demo", str(root))[0] == 0
    code, out = run("doctor", str(root))
    assert code == 0, out
    assert "PASS  credentials: token obtained, lifetime 7200 s" in out
    assert "PASS  channels: cdiscount = CDISFR (Active, EUR)" in out
    assert "PASS  package store: probe published and fetched back" in out
    rows = table(out)
    assert rows["price"] == ["integrationPrice.price integrationPrice.price"]
    if mode == "full":
        assert rows["vat"] == ["taxes[VAT] taxes[VAT]"]
    else:
        assert rows["vat"] == ["(not returned) (not returned)"]
        assert rows["delivery"] == ["(not returned) (not returned)"]


def test_a_channel_the_seller_is_not_subscribed_to_is_located_in_catalog_yaml(
    tmp_path, monkeypatch
):
    root = demo_copy(tmp_path, monkeypatch, "full")
    settings = root / "catalog.yaml"
    settings.write_text(settings.read_text().replace("id: SELLZZ", "id: SELLXX"))
    code, out = run("doctor", str(root))
    assert code == 4, out
    line = next(
        n for n, text in enumerate(settings.read_text().splitlines(), 1) if "SELLXX" in text
    )
    assert f"catalog.yaml:{line}:" in out
    assert "not subscribed to sales channel SELLXX" in out
    assert "FAIL  channels" in out and "what to do:" in out


def test_an_unreachable_marketplace_is_exit_7(tmp_path, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = tmp_path / "shop"
    root.mkdir()
    (root / "catalog.yaml").write_text(
        "seller_id: 98979\n"
        f"marketplace: {{api_url: 'http://127.0.0.1:{port}/seller/v2', "
        f"auth_url: 'http://127.0.0.1:{port}/token'}}\n"
        "channels: {zz: {id: SELLZZ, submission: json}}\n"
    )
    monkeypatch.setenv("OCTOPIA_CLIENT_ID", "someone")
    monkeypatch.setenv("OCTOPIA_CLIENT_SECRET", "s3cret-of-the-seller")
    monkeypatch.setenv("CATALOG_TIME_BUDGET", "5")
    code, out = run("doctor", str(root))
    assert code == 7, out
    assert "FAIL  credentials" in out and "s3cret-of-the-seller" not in out


def test_capture_writes_every_answer_with_secrets_and_seller_redacted(tmp_path, monkeypatch):
    root = demo_copy(tmp_path, monkeypatch, "documented")
    assert run("demo", str(root))[0] == 0
    captured = tmp_path / "capture"
    code, out = run("doctor", str(root), "--capture", str(captured))
    assert code == 0, out
    files = sorted(captured.glob("*.json"))
    answers = [json.loads(f.read_text()) for f in files]
    assert {"request", "status", "headers", "body"} <= set(answers[0])
    assert any("/offers" in a["request"]["url"] for a in answers)
    text = "".join(f.read_text() for f in files)
    assert "98979" not in text and "sandbox-secret" not in text
    token = next(a for a in answers if a["request"]["url"].endswith("/token"))
    assert json.loads(token["body"])["access_token"] == "<redacted>"
    assert "<seller-id>_" in text  # offer ids keep their shape, not the seller's id
