"""`catalog --version`: the one version, pyproject's, as the installed metadata gives it."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_version_is_pyprojects():
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert version("catalog-reconciler") == declared
    result = CliRunner().invoke(cli, ["--version"], prog_name="catalog")
    assert result.exit_code == 0
    assert result.output == f"catalog, version {declared}\n"
