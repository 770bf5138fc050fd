"""When git cannot see the whole 30-day window the Omnibus check says so, and what the check
reads: a blob once, never the working file again, nothing when HEAD did not move."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.operations import history as history_module
from reconciler.operations.omnibus import check_omnibus

from .test_omnibus import NOW, Repo, sale_catalog

FIXTURES = Path(__file__).parent.parent / "fixtures" / "operations"


pytestmark = pytest.mark.usefixtures("own_cache_key")


def _shop_with_a_pulled_price(repo: Repo) -> None:
    """The fixture shop: PULL-WINTER-L at 29.99 for a week in the window, back at 39.99."""
    shutil.copytree(FIXTURES / "base", repo.folder, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "valid-calendar", repo.folder, dirs_exist_ok=True)
    shop = repo.folder / "offers" / "shop.yaml"
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "the shop", date="2026-11-01T12:00:00+01:00")
    original = shop.read_text(encoding="utf-8")
    shop.write_text(original.replace("price: 39.99", "price: 29.99"), encoding="utf-8")
    repo.git("commit", "-q", "-am", "pull at 29.99", date="2026-12-20T18:30:00+01:00")
    shop.write_text(original, encoding="utf-8")
    repo.git("commit", "-q", "-am", "pull back at 39.99", date="2026-12-28T09:00:00+01:00")


def test_a_shallow_clone_fails_strict_and_says_the_history_is_too_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "origin").mkdir()
    repo = Repo(tmp_path / "origin")
    _shop_with_a_pulled_price(repo)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.folder}", str(clone)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("CATALOG_NOW", "2027-01-01T10:00:00+01:00")

    full = CliRunner().invoke(cli, ["validate", str(repo.folder), "--strict"])
    assert full.exit_code == 4
    assert "reference price 39.99 is above 29.99" in full.output

    shallow = CliRunner().invoke(cli, ["validate", str(clone), "--strict"])
    assert shallow.exit_code == 4, shallow.output
    assert "Omnibus check incomplete: the git history here starts on 2026-12-28 (this is a " in (
        shallow.output
    )
    assert "shallow clone), after 2026-12-08 when the 30 days before the sale open" in (
        shallow.output
    )
    assert "actions/checkout: `fetch-depth: 0`" in shallow.output
    assert "29.99" not in shallow.output  # what the clone cannot see is not made up

    relaxed = CliRunner().invoke(cli, ["validate", str(clone)])
    assert relaxed.exit_code == 0
    assert "warning: operation soldes-hiver-2027: Omnibus check incomplete" in relaxed.output

    calendar = CliRunner().invoke(cli, ["operations", str(clone)])
    assert calendar.exit_code == 0, calendar.output
    assert "Omnibus check incomplete" in calendar.output
    assert "checked against their git history" not in calendar.output
    assert CliRunner().invoke(cli, ["operations", str(clone), "--strict"]).exit_code == 4


def test_a_young_repository_says_so(tmp_path: Path) -> None:
    repo = Repo(tmp_path, young=True)
    repo.commit_price("40.00", "2026-12-15T09:30:00+01:00")
    check = check_omnibus(sale_catalog(repo.folder), NOW)
    (gap,) = check.gaps
    assert not gap.shallow
    assert "starts on 2026-12-15 (that is the repository's first commit)" in gap.message()
    assert [p.severity for p in check.problems(sale_catalog(repo.folder), strict=True)] == ["error"]


def test_without_a_git_program_strict_fails(repo_folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(repo_folder / "no-such-bin"))
    check = check_omnibus(sale_catalog(repo_folder), NOW)
    (problem,) = check.problems(sale_catalog(repo_folder), strict=True)
    assert problem.severity == "error"
    assert problem.message.startswith("Omnibus check skipped: git cannot run here")
    assert "install git" in problem.message
    (relaxed,) = check.problems(sale_catalog(repo_folder), strict=False)
    assert relaxed.severity == "warning"


@pytest.fixture
def repo_folder(tmp_path: Path) -> Path:
    repo = Repo(tmp_path)
    repo.commit_price("40.00", "2026-11-01T12:00:00+01:00")
    return repo.folder


def test_commits_within_one_second_keep_their_order(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    same = "2026-12-10T09:30:00+01:00"
    for price in ("50.00", "29.99", "45.00", "40.00"):
        repo.commit_price(price, same)
    versions = history_module.PriceHistory(repo.folder).versions(
        repo.folder / "offers" / "main.yaml"
    )
    history = history_module.PriceHistory(repo.folder)
    prices = [history_module.price_for(p, "", "A") for p in history.prices(list(versions))]
    assert prices == [Decimal(p) for p in ("50.00", "29.99", "45.00", "40.00")]


def test_a_blob_is_parsed_once_and_the_working_file_never(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path)
    repo.commit_price("40.00", "2026-11-01T12:00:00+01:00")
    repo.commit_price("29.99", "2026-12-10T09:30:00+01:00")
    repo.commit_price("40.00", "2026-12-15T09:30:00+01:00")  # the same blob as the first
    parsed: list[str] = []
    real = history_module.VersionReader.read
    monkeypatch.setattr(
        history_module.VersionReader,
        "read",
        lambda self, text, skus=None: parsed.append(text) or real(self, text, skus),
    )

    (finding,) = check_omnibus(sale_catalog(repo.folder), NOW).findings
    assert finding.lowest.price == Decimal("29.99")
    # the versions at 40.00 are the working file's blob: only the 29.99 one is read
    assert len(parsed) == 1 and "price: 29.99" in parsed[0]

    parsed.clear()
    logs: list[tuple[str, ...]] = []
    real_git = history_module._git
    monkeypatch.setattr(history_module, "_git", lambda f, *a: logs.append(a) or real_git(f, *a))
    (again,) = check_omnibus(sale_catalog(repo.folder), NOW).findings
    assert again == finding
    assert parsed == []  # the 29.99 blob's prices come from the cache
    assert [a[0] for a in logs] == ["rev-parse"]  # HEAD did not move: no walk of the history

    repo.commit_price("35.00", "2026-12-18T09:30:00+01:00")
    logs.clear()
    (moved,) = check_omnibus(sale_catalog(repo.folder, price="35.00"), NOW).findings
    assert moved.lowest.price == Decimal("29.99")
    assert any("log" in a for a in logs)  # HEAD moved: the history is walked again
