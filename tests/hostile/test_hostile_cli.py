"""Hostile command lines: every usage error exits 64 (never 2, which means "changes present"),
a declined apply does not exit 0, and bad settings in the environment are named.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import COMMANDS, cli
from reconciler.resources import DEMO_CATALOG

USAGE = 64


def catalog(*args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    return root


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_option_is_a_usage_error_in_every_command(command: str) -> None:
    result = catalog(command, "--no-such-option")
    assert result.exit_code == USAGE, result.output
    assert "No such option" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--detailed-exitcode", "/no/such/catalog"],
        ["plan", "--detailed-exitcode", "--format", "yaml"],
        ["plna", "--detailed-exitcode"],
        ["--no-such-option", "plan"],
        ["validate", "/no/such/catalog"],
        ["apply", "/no/such/catalog", "--max-failures", "0"],
        ["operations", "/no/such/catalog"],
        ["package", "/no/such/catalog"],
    ],
)
def test_usage_errors_do_not_read_as_changes(args: list[str]) -> None:
    result = catalog(*args)
    assert result.exit_code == USAGE, result.output
    assert "Traceback" not in result.output


def test_an_unknown_channel_is_a_usage_error_with_a_suggestion(demo: Path) -> None:
    result = catalog("plan", demo, "--detailed-exitcode", "--channel", "cdiscont")
    assert result.exit_code == USAGE, result.output
    assert "--channel cdiscont: no channel 'cdiscont': did you mean 'cdiscount'?" in result.output


def test_a_wrong_catalog_now_names_the_variable(demo: Path) -> None:
    result = catalog("validate", demo, env={"CATALOG_NOW": "yesterday"})
    assert result.exit_code == USAGE, result.output
    assert "CATALOG_NOW='yesterday' is not a date and time" in result.output


def test_declining_at_the_prompt_is_not_success(demo: Path) -> None:
    """On a real terminal (a pty), answering no sends nothing and exits 8 (cancelled)."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "CATALOG_NOW": "2026-12-01T10:00:00+01:00"}
    for name in ("OCTOPIA_CLIENT_ID", "OCTOPIA_CLIENT_SECRET", "GITHUB_OUTPUT"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "apply", str(demo)],
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    os.close(secondary)
    os.write(primary, b"n\n")
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        os.close(primary)
    text = output.decode()
    assert "Apply cancelled: nothing was sent." in text, text[-2000:]
    assert process.returncode == 8, text[-2000:]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-05:00"])
def test_operations_at_datetimes_edges_is_a_usage_error(demo: Path, moment: str) -> None:
    result = catalog("operations", demo, "--at", moment)
    assert result.exit_code == USAGE, result.output
    assert "the year must be 1900 to 2999" in result.output


def test_a_sku_glob_that_matches_nothing_says_so(demo: Path) -> None:
    env = {"CATALOG_NOW": "2026-12-01T10:00:00+01:00"}
    result = catalog("plan", demo, "--detailed-exitcode", "--sku", "NOPE-*", env=env)
    assert result.exit_code == USAGE, result.output
    assert "--sku NOPE-*: matches no sku of the catalog nor any change of the live shop" in (
        result.output
    )
    matched = catalog("plan", demo, "--sku", "TSHIRT-*", env=env)
    assert matched.exit_code == 0, matched.output
