"""README is the user guide: every `catalog ...` it shows must exist with the options shown."""

from __future__ import annotations

import re
from pathlib import Path

from tests.examples.cli_calls import call_problems, catalog_calls

README = Path(__file__).resolve().parents[2] / "README.md"


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:sh|bash|shell)\n(.*?)```", text, flags=re.DOTALL)


def _readme_calls() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    return [call for block in _shell_blocks(text) for call in catalog_calls(block)]


def test_readme_opens_with_the_install_and_the_test_command() -> None:
    first = _shell_blocks(README.read_text(encoding="utf-8"))[0].strip().splitlines()
    assert len(first) == 2
    assert "pip install" in first[0] and first[0].endswith("catalog demo")
    assert "pytest" in first[1]


def test_every_catalog_call_in_readme_is_accepted_by_the_cli() -> None:
    calls = _readme_calls()
    assert len(calls) >= 15, calls  # the guide shows most commands: a parse bug would find none
    problems = {" ".join(call): call_problems(list(call)) for call in calls}
    assert {call: p for call, p in problems.items() if p} == {}


def test_ci_runs_the_test_command_of_readme() -> None:
    test_command = _shell_blocks(README.read_text(encoding="utf-8"))[0].strip().splitlines()[1]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.split()[0] in ci and "-m pytest -q" in ci
