"""The Omnibus check on a git repository built commit by commit with back-dated commits."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.errors import Location
from reconciler.operations.history import PriceHistory, prices_in
from reconciler.operations.omnibus import check_omnibus, omnibus_problems

from .builders import catalog, offer, operation, when

NOW = when("2026-12-20T10:00")
# The sale starts 2027-01-07 08:00 Paris: its window opens 2026-12-08 08:00 Paris.
SALE = operation(
    "soldes", "2027-01-07T08:00", "2027-02-03T23:59", skus=("A",), reference_price="40.00"
)


class Repo:
    def __init__(self, folder: Path, young: bool = False):
        self.folder = folder
        self.git("init", "-q", "-b", "main")
        if not young:  # a shop in git for long: its history covers every window here
            self.git("commit", "-q", "--allow-empty", "-m", "start", date="2025-06-01T12:00:00")

    def git(self, *args: str, date: str = "2026-01-01T12:00:00+01:00") -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Seller",
            "GIT_AUTHOR_EMAIL": "seller@example.com",
            "GIT_COMMITTER_NAME": "Seller",
            "GIT_COMMITTER_EMAIL": "seller@example.com",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        done = subprocess.run(
            ["git", *args], cwd=self.folder, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def commit_price(
        self, price: str, date: str, path: str = "offers/main.yaml", **extra: str
    ) -> None:
        file = self.folder / path
        file.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            "offers:",
            "  - sku: A",
            '    gtin: "3760452700039"',
            f"    price: {price}",
            "    stock: 3",
        ]
        lines += [f"    {key}: {value}" for key, value in extra.items()]
        lines += ["  - sku: B", '    gtin: "3760452700039"', "    price: 5.00", "    stock: 1"]
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", f"price {price}", date=date)


def sale_catalog(root: Path, price: str = "40.00", reference: str = "40.00"):  # noqa: ANN201
    sale = operation(
        "soldes", "2027-01-07T08:00", "2027-02-03T23:59", skus=("A",), reference_price=reference
    )
    return catalog([offer("A", price), offer("B", "5.00")], [sale], root=str(root))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def test_a_lower_price_in_the_window_is_reported_with_its_date(repo: Repo) -> None:
    repo.commit_price("40.00", "2026-11-01T12:00:00+01:00")
    repo.commit_price("29.99", "2026-12-10T09:30:00+01:00")
    repo.commit_price("40.00", "2026-12-15T09:30:00+01:00")
    (problem,) = omnibus_problems(sale_catalog(repo.folder), NOW)
    assert problem.severity == "warning"
    assert "offer A: reference price 40.00 is above 29.99" in problem.message
    assert "30 days before 2027-01-07 (on 2026-12-10, commit " in problem.message
    assert str(problem.location) == "operations/sales.yaml:2:5: soldes.reference_price"


def test_strict_makes_it_an_error(repo: Repo) -> None:
    repo.commit_price("29.99", "2026-12-10T09:30:00+01:00")
    repo.commit_price("40.00", "2026-12-15T09:30:00+01:00")
    (problem,) = omnibus_problems(sale_catalog(repo.folder), NOW, strict=True)
    assert problem.severity == "error"


def test_a_lower_price_before_the_window_does_not_count(repo: Repo) -> None:
    repo.commit_price("29.99", "2026-11-01T12:00:00+01:00")
    repo.commit_price("40.00", "2026-12-08T08:00:00+01:00")  # exactly when the window opens
    assert check_omnibus(sale_catalog(repo.folder), NOW).findings == ()


def test_a_lower_price_still_in_effect_when_the_window_opens_counts(repo: Repo) -> None:
    repo.commit_price("29.99", "2026-11-01T12:00:00+01:00")
    repo.commit_price("40.00", "2026-12-08T08:01:00+01:00")  # a minute after the window opens
    (finding,) = check_omnibus(sale_catalog(repo.folder), NOW).findings
    assert finding.lowest.price == Decimal("29.99")
    assert finding.lowest.since == when("2026-12-08T08:00")


def test_the_current_catalog_price_counts(repo: Repo) -> None:
    repo.commit_price("40.00", "2026-11-01T12:00:00+01:00")
    (finding,) = check_omnibus(sale_catalog(repo.folder, price="35.00"), NOW).findings
    assert finding.lowest.price == Decimal("35.00")
    assert finding.lowest.source == "current catalog"


def test_a_reference_at_the_lowest_price_passes(repo: Repo) -> None:
    repo.commit_price("44.00", "2026-11-01T12:00:00+01:00")
    repo.commit_price("40.00", "2026-12-10T12:00:00+01:00")
    assert omnibus_problems(sale_catalog(repo.folder), NOW) == []


def test_channel_overrides_are_the_price_of_that_channel(repo: Repo) -> None:
    repo.commit_price("40.00", "2026-12-10T12:00:00+01:00", overrides="{cdiscount: {price: 31.00}}")
    repo.commit_price(
        "40.00", "2026-12-12T12:00:00+01:00", overrides="{marketplace-zz: {price: 20.00}}"
    )
    (finding,) = check_omnibus(sale_catalog(repo.folder), NOW).findings
    assert finding.lowest.price == Decimal("31.00")


def test_history_follows_a_renamed_offers_file(repo: Repo) -> None:
    repo.commit_price("29.99", "2026-12-10T12:00:00+01:00", path="offers/old.yaml")
    repo.git("mv", "offers/old.yaml", "offers/main.yaml")
    repo.git("commit", "-q", "-m", "rename", date="2026-12-11T12:00:00+01:00")
    repo.commit_price("40.00", "2026-12-12T12:00:00+01:00")
    (finding,) = check_omnibus(sale_catalog(repo.folder), NOW).findings
    assert finding.lowest.price == Decimal("29.99")


def test_ended_sales_and_flash_sales_are_not_checked(repo: Repo) -> None:
    repo.commit_price("10.00", "2026-12-10T12:00:00+01:00")
    flash = operation("f", "2027-01-07T08:00", "2027-01-08T08:00", kind="flash_sale", skus=("A",))
    assert check_omnibus(catalog([offer("A")], [flash], root=str(repo.folder)), NOW).findings == ()
    assert check_omnibus(sale_catalog(repo.folder), when("2027-02-04T00:00")).findings == ()


def test_outside_git_the_check_says_it_was_skipped(tmp_path: Path) -> None:
    (problem,) = omnibus_problems(sale_catalog(tmp_path), NOW)
    assert problem.severity == "warning"
    assert problem.message.startswith("Omnibus check skipped:")
    assert "not in a git repository" in problem.message


def test_a_version_that_does_not_parse_holds_no_price(repo: Repo) -> None:
    assert prices_in("offers: [\n  - {sku: A, price: 1") == {}
    assert prices_in("offers:\n  - {sku: A, price: oops}\n  - {sku: B, price: 2.5}") == {
        ("", "B"): Decimal("2.50")
    }
    repo.commit_price("40.00", "2026-12-10T12:00:00+01:00")
    versions = PriceHistory(repo.folder).versions(repo.folder / "offers" / "main.yaml")
    assert [v.path for v in versions] == ["offers/main.yaml"]


def test_catalog_operations_shows_the_omnibus_warning(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures = Path(__file__).parent.parent / "fixtures" / "operations"
    shutil.copytree(fixtures / "base", repo.folder, dirs_exist_ok=True)
    shutil.copytree(fixtures / "valid-calendar", repo.folder, dirs_exist_ok=True)
    shop = repo.folder / "offers" / "shop.yaml"
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "the shop", date="2026-11-01T12:00:00+01:00")
    original = shop.read_text(encoding="utf-8")
    shop.write_text(original.replace("price: 39.99", "price: 29.99"), encoding="utf-8")
    repo.git("commit", "-q", "-am", "pull at 29.99", date="2026-12-20T18:30:00+01:00")
    shop.write_text(original, encoding="utf-8")
    repo.git("commit", "-q", "-am", "pull back at 39.99", date="2026-12-28T09:00:00+01:00")
    monkeypatch.setenv("CATALOG_NOW", "2027-01-01T10:00:00+01:00")

    result = CliRunner().invoke(cli, ["operations", str(repo.folder)])
    assert result.exit_code == 0, result.output
    assert (
        "  operation soldes-hiver-2027: offer PULL-WINTER-L: reference price 39.99 is above 29.99, "
        "its lowest price in the 30 days before 2027-01-07 (on 2026-12-20, commit "
    ) in result.output
    assert "BONNET-WINTER: reference" not in result.output  # its price never moved


def test_a_catalog_in_a_subfolder_called_by_a_relative_path(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = repo.folder / "catalogs" / "shop"
    fixtures = Path(__file__).parent.parent / "fixtures" / "operations"
    shutil.copytree(fixtures / "base", shop)
    shutil.copytree(fixtures / "valid-calendar", shop, dirs_exist_ok=True)
    offers = shop / "offers" / "shop.yaml"
    original = offers.read_text(encoding="utf-8")
    offers.write_text(original.replace("price: 12.00", "price: 9.00"), encoding="utf-8")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "bonnet at 9.00", date="2026-12-15T12:00:00+01:00")
    offers.write_text(original, encoding="utf-8")  # back at 12.00, not even committed yet
    monkeypatch.setenv("CATALOG_NOW", "2027-01-01T10:00:00+01:00")
    monkeypatch.chdir(repo.folder)

    result = CliRunner().invoke(cli, ["operations", "catalogs/shop"])
    assert result.exit_code == 0, result.output
    assert "offer BONNET-WINTER: reference price 12.00 is above 9.00" in result.output
    assert "(on 2026-12-15, commit " in result.output
    assert "PULL-WINTER-L: reference" not in result.output

    strict = CliRunner().invoke(cli, ["operations", "catalogs/shop", "--strict"])
    assert strict.exit_code == 4
    assert (
        "catalogs/shop/operations/valid-calendar.yaml:2:5: operations[0].reference_price: "
        in strict.output
    )


def test_an_offers_file_with_an_accented_name(repo: Repo) -> None:
    repo.commit_price("29.99", "2026-12-10T12:00:00+01:00", path="offers/été.yaml")
    repo.commit_price("40.00", "2026-12-12T12:00:00+01:00", path="offers/été.yaml")
    cat = sale_catalog(repo.folder)
    cat.origins[("cdiscount", "A")] = Location("offers/été.yaml", 2, 5)
    (finding,) = check_omnibus(cat, NOW).findings
    assert finding.lowest.price == Decimal("29.99")
