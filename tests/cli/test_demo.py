"""`catalog demo` on a copy of catalogs/demo: the whole job, twice."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG


def test_demo_applies_the_demo_catalog_and_works_when_run_twice(tmp_path, monkeypatch):
    monkeypatch.delenv("OCTOPIA_CLIENT_ID", raising=False)
    monkeypatch.delenv("OCTOPIA_CLIENT_SECRET", raising=False)
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, demo, ignore=shutil.ignore_patterns(".catalog"))
    first = CliRunner().invoke(cli, ["demo", "--catalog", str(demo)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    steps = [
        "1. Validate",
        "2. Start the sandbox",
        "3. Plan",
        "4. Apply",
        "5. Report",
        "6. Plan again",
    ]
    positions = [first.output.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "product referential" in first.output
    assert "0 rejected" in first.output and "rejected " not in first.output.replace(
        "0 rejected", ""
    )
    assert first.output.rstrip().count("No changes") == 1
    assert (demo / ".catalog" / "journal.jsonl").exists()

    second = CliRunner().invoke(cli, ["demo", "--catalog", str(demo)], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "the demo ran before" in second.output
    assert "4. Apply" not in second.output
    assert "No changes" in second.output
