"""`catalog sandbox serve`: a real process that prints where it listens and what to log in with."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
from click.testing import CliRunner

from reconciler.cli.main import cli


def test_serve_prints_urls_and_credentials_that_work(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "sandbox", "serve", "--port", "0",
         "--state", str(tmp_path / "state")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        banner = []
        while not banner or not banner[-1].startswith("Press Ctrl-C"):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            banner.append(line.rstrip())
        text = "\n".join(banner)
        token_url = re.search(r"Token URL:\s+(\S+)", text).group(1)
        client_id = re.search(r"OCTOPIA_CLIENT_ID=(\S+)", text).group(1)
        secret = re.search(r"OCTOPIA_CLIENT_SECRET=(\S+)", text).group(1)
        assert token_url.startswith("http://127.0.0.1:")
        answer = httpx.post(
            token_url,
            data={"grant_type": "client_credentials", "client_id": client_id,
                  "client_secret": secret},
            timeout=10,
        )  # fmt: skip
        assert answer.status_code == 200
        assert (tmp_path / "state" / "sandbox.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_bad_config_file_exits_4_with_its_name(tmp_path):
    config = tmp_path / "sandbox.yaml"
    config.write_text("faults: {error_shar: 1}\n")
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--config", str(config)])
    assert result.exit_code == 4
    assert "sandbox.yaml" in result.output and "error_shar" in result.output


def test_a_port_in_use_is_a_clear_error(tmp_path):
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(
            cli, ["sandbox", "serve", "--port", port, "--state", str(tmp_path)]
        )
    finally:
        taken.close()
    assert result.exit_code == 1
    assert "already in use" in result.output
