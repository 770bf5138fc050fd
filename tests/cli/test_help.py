"""Every command's --help shows examples, and each example is a call the CLI accepts."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from reconciler.cli.main import COMMANDS, cli
from tests.examples.cli_calls import call_problems, catalog_calls


def examples(help_text: str, name: str) -> list[list[str]]:
    """The `catalog NAME ...` calls of a help text (prose, with its apostrophes, skipped)."""
    lines: list[str] = []
    for line in help_text.splitlines():
        continued = bool(lines) and lines[-1].endswith("\\")
        if continued or line.strip().startswith(("catalog ", "cd ")):
            lines.append(line)
    return [call for call in catalog_calls("\n".join(lines)) if call[:1] == [name]]


def problems(call: list[str]) -> list[str]:
    command = cli.get_command(click.Context(cli), call[0])
    if isinstance(command, click.Group):  # its sub-command parses the rest: ask it
        result = CliRunner().invoke(cli, [*call, "--help"])
        return [] if result.exit_code == 0 else [result.output]
    return call_problems(list(call))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_shows_examples_the_cli_accepts(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    calls = examples(result.output, name)
    assert calls, result.output
    assert {" ".join(call): problems(call) for call in calls} == {
        " ".join(call): [] for call in calls
    }
