"""The operation rules through the catalog loader: each fixture case is the shared shop
(tests/fixtures/operations/base) plus one operations file, checked at a fixed clock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.catalog import check_catalog
from reconciler.cli.main import cli

FIXTURES = Path(__file__).parent.parent / "fixtures" / "operations"
NOW = "2026-12-01T10:00:00+01:00"


def assemble(case: str, folder: Path) -> Path:
    shutil.copytree(FIXTURES / "base", folder, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / case, folder, dirs_exist_ok=True)
    return folder


def problems_of(case: str, folder: Path) -> list[str]:
    _, problems = check_catalog(assemble(case, folder))
    # files are named from the folder given; say them from the catalog's own root
    prefix = f"{folder}/"
    return [
        f"{p.severity}: {p}".replace(prefix, "")
        for p in problems
        if "operations/" in p.location.file
    ]


# case -> (severity, line of the operation, words of the message); None = no problem at all
CASES = {
    "valid-calendar": None,
    "flash-72h-exactly": None,
    "flash-gap-48h": None,
    "flash-72h-and-a-minute": (
        "error",
        2,
        "a flash sale lasts at most 72 h, this one lasts 72 h 01 min",
    ),
    "flash-gap-47h59": ("error", 10, "the same offer waits 48 h between two flash sales"),
    "overlap": ("error", 10, "offer BONNET-WINTER is already in operation soldes-hiver-2027"),
    "empty-selector": ("error", 2, "selects no offer of channel 'cdiscount'"),
    "partial-selector": ("warning", 2, "no offer PULL-WINTER-XXL on channel 'cdiscount'"),
    "percent-0": ("error", 7, "discount_percent: must be at least 1 (got 0)"),
    "percent-100": ("error", 7, "discount_percent: must be at most 99 (got 100)"),
    "reference-below-sale-price": ("error", 2, "reference price 29.99 is below the offer's price"),
    "sale-below-eco-tax": ("error", 2, "LAMPE-LED: sale price 1.98 is not above eco_tax + dea_tax"),
    "json-channel": ("error", 2, "json submission, which cannot carry commercial operations"),
    "end-before-start": ("error", 2, "is not after start"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_case(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_NOW", NOW)
    found = problems_of(case, tmp_path)
    expected = CASES[case]
    if expected is None:
        assert found == []
        return
    severity, line, words = expected
    assert len(found) == 1, found
    (problem,) = found
    assert problem.startswith(f"{severity}: operations/{case}.yaml:{line}:"), problem
    assert words in problem


@pytest.mark.parametrize(
    ("now", "warned"), [("2027-01-04T08:00", False), ("2027-01-04T08:01", True)]
)
def test_sales_notice_at_its_edge(
    now: str, warned: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_NOW", now)
    found = problems_of("sales-notice", tmp_path)
    if not warned:
        assert found == []
        return
    (problem,) = found
    assert problem.startswith("warning: operations/sales-notice.yaml:3:")
    assert problem.endswith(
        "operation soldes-late: starts in 71 h 59 min: "
        "Cdiscount wants sales sent at least 72 h before they start"
    )


def test_operations_command_shows_the_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_NOW", NOW)
    folder = assemble("valid-calendar", tmp_path)
    result = CliRunner().invoke(cli, ["operations", str(folder), "--at", "2027-01-10T12:00"])
    assert result.exit_code == 0, result.output
    running = "Running:\n  soldes-hiver-2027  sales -30%  on cdiscount  "
    assert running + "2027-01-07 08:00 -> 2027-02-03 23:59" in result.output
    assert "    BONNET-WINTER        8.40  (reference 12.00)" in result.output
    assert "Upcoming:\n  flash-tshirts  flash_sale -20%" in result.output
    assert "  cdiscount  PULL-WINTER-L       27.99  during soldes-hiver-2027" in result.output
    assert "  cdiscount  TSHIRT-RED-M        19.99\n" in result.output
    assert "Omnibus check skipped" in result.output


def test_operations_command_refuses_an_invalid_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_NOW", NOW)
    folder = assemble("overlap", tmp_path)
    result = CliRunner().invoke(cli, ["operations", str(folder)])
    assert result.exit_code == 4
    assert "operations/overlap.yaml:10:" in result.output


def test_operations_command_refuses_a_bad_moment(tmp_path: Path) -> None:
    folder = assemble("valid-calendar", tmp_path)
    result = CliRunner().invoke(cli, ["operations", str(folder), "--at", "next tuesday"])
    assert result.exit_code == 64
    assert "is not a date and time" in result.output
