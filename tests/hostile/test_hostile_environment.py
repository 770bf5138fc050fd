"""Bad input from around the catalog: unreadable files, pipes, a read-only folder, a token the
marketplace should not have sent, a reader that stops reading. A message and an exit code each,
never a traceback, never a hang.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
NOW = "2026-12-01T10:00:00+01:00"


def catalog(*args: object, env: dict[str, str | None] | None = None):
    env = {
        "CATALOG_NOW": NOW,
        "OCTOPIA_CLIENT_ID": None,
        "OCTOPIA_CLIENT_SECRET": None,
        **(env or {}),
    }
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    return root


def test_an_unreadable_offers_file_is_named(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, whom chmod 000 does not stop: reading the file fails as it would."""
    unreadable = shop / "offers" / "mugs.yaml"
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = catalog("validate", shop)
    assert result.exit_code == 4, result.output
    assert f"{unreadable}: cannot read the file: Permission denied" in result.output


def test_a_catalog_yaml_that_is_a_pipe_is_named_without_hanging(shop: Path) -> None:
    (shop / "catalog.yaml").unlink()
    os.mkfifo(shop / "catalog.yaml")
    result = catalog("validate", shop)  # opening a pipe with no writer would block forever
    assert result.exit_code == 4, result.output
    assert "catalog.yaml is not a regular file" in result.output
    assert "missing catalog.yaml" not in result.output


def test_an_offers_file_that_is_a_pipe_is_named_without_hanging(shop: Path) -> None:
    os.mkfifo(shop / "offers" / "more.yaml")
    result = catalog("validate", shop)
    assert result.exit_code == 4, result.output
    assert f"{shop}/offers/more.yaml: is not a regular file" in result.output


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    return root


def test_a_read_only_catalog_folder_stops_before_anything_is_sent(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root every folder is writable: the folder's check is told what a read-only mount says."""
    import reconciler.state

    access = os.access

    def read_only(path: str, mode: int) -> bool:
        if mode & os.W_OK and Path(path).is_relative_to(demo):
            return False
        return access(path, mode)

    monkeypatch.setattr(reconciler.state.os, "access", read_only)
    for command in (["plan", demo], ["apply", demo, "--auto-approve"]):
        result = catalog(*command)
        assert result.exit_code == 1, result.output
        assert f"cannot write .catalog/ in {demo}: read-only" in result.output
        assert "Traceback" not in result.output
    assert not (demo / ".catalog" / "sandbox").exists()  # no sandbox started, nothing sent


class _TokenServer(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps({"access_token": "jeton-\u00e9t\u00e9", "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def token_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_token_that_is_not_ascii_is_exit_7(shop: Path, token_server: str) -> None:
    settings = shop / "catalog.yaml"
    settings.write_text(
        settings.read_text().replace(
            "marketplace: {sandbox: embedded}",
            f"marketplace: {{api_url: {token_server}/api, auth_url: {token_server}/token}}",
        )
    )
    env = {"OCTOPIA_CLIENT_ID": "me", "OCTOPIA_CLIENT_SECRET": "s3cret"}
    result = catalog("plan", shop, env=env)
    assert result.exit_code == 7, result.output
    assert "answered a token that is not printable ASCII" in result.output
    assert "jeton" not in result.output


def test_a_reader_that_stops_reading_ends_the_output_quietly(tmp_path: Path, demo: Path) -> None:
    """`catalog show plan.json | head -1`: the pipe closes; exit 141 as a SIGPIPE'd tool, quiet."""
    plan_file = tmp_path / "plan.json"
    assert catalog("plan", demo, "--out", plan_file).exit_code == 0
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line: every write fails
    env = {**os.environ, "CATALOG_NOW": NOW}
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", "show", str(plan_file)],
            stdout=writer,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert shown.returncode == 141
    assert shown.stderr == b""
