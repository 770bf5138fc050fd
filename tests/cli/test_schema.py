"""`catalog schema [NAME] [--out DIR]`: the shipped schemas, printed or written."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import SCHEMAS_DIR

NAMES = ("catalog", "offers", "operations")


def run(*args: str):
    return CliRunner().invoke(cli, ["schema", *args], catch_exceptions=False)


def test_prints_every_schema_as_one_json_document() -> None:
    result = run()
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert sorted(printed) == [f"{n}.schema.json" for n in NAMES]
    for name in NAMES:
        shipped = json.loads((SCHEMAS_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert printed[f"{name}.schema.json"] == shipped


def test_prints_one_schema_by_name() -> None:
    result = run("offers")
    assert result.exit_code == 0
    assert result.stdout == (SCHEMAS_DIR / "offers.schema.json").read_text(encoding="utf-8")


def test_writes_the_schemas_into_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = run("--out", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.schema.json" for n in NAMES]
    for name in NAMES:
        written = (out / f"{name}.schema.json").read_bytes()
        assert written == (SCHEMAS_DIR / f"{name}.schema.json").read_bytes()
    assert result.stdout.splitlines() == [f"wrote {out / f'{n}.schema.json'}" for n in NAMES]


def test_an_unknown_name_is_refused() -> None:
    result = run("offer")
    assert result.exit_code == 64
    assert "'offer' is not one of" in result.output
