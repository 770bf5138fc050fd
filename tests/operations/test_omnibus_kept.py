"""The Omnibus check's kept result equals a fresh check after every kind of change: a new
commit, a changed working file, a changed feed, the clock moving past a sale's end, a deepened
shallow clone; a kept entry that was tampered with is not used."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.operations import history as history_module
from reconciler.operations.omnibus import OmnibusCheck, check_omnibus

from .builders import when
from .test_omnibus import Repo

FIXTURES = Path(__file__).parent.parent / "fixtures" / "operations"
NOW = when("2027-01-01T10:00")
# A second, short sale: its reference price is above every price TSHIRT-RED-M ever had, so
# its lowest price is the current one, seen "now".
SHORT_SALE = """  - name: soldes-courtes
    kind: sales
    channel: cdiscount
    start: 2027-01-07T08:00:00+01:00
    end: 2027-01-10T20:00:00+01:00
    discount_percent: 30
    reference_price: 25.00
    offers:
      skus: [TSHIRT-RED-M]
"""
FED = """sources:
  erp:
    csv: exports/prices.csv
    key: sku
    columns: {price: price}
    missing: keep
fields: {price: {from: erp}}
"""


@pytest.fixture(autouse=True)
def _own_key(own_cache_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATALOG_NO_CACHE", raising=False)
    monkeypatch.setenv("CATALOG_NOW", "2027-01-01T10:00:00+01:00")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the check asked of git and of the version reader ("read" per version read)."""
    seen: list[str] = []
    real_git, real_read = history_module._git, history_module.VersionReader.read
    monkeypatch.setattr(history_module, "_git", lambda f, *a: seen.append(a[0]) or real_git(f, *a))
    monkeypatch.setattr(
        history_module.VersionReader,
        "read",
        lambda self, text, skus=None: seen.append("read") or real_read(self, text, skus),
    )
    return seen


def shop(repo: Repo, fed: bool = False) -> Path:
    """The fixture shop with PULL-WINTER-L pulled to 29.99 for a week of the window."""
    shutil.copytree(FIXTURES / "base", repo.folder, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "valid-calendar", repo.folder, dirs_exist_ok=True)
    sales = repo.folder / "operations" / "valid-calendar.yaml"
    sales.write_text(sales.read_text(encoding="utf-8") + SHORT_SALE, encoding="utf-8")
    if fed:
        settings = repo.folder / "catalog.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + FED, encoding="utf-8")
        feed(repo.folder, "TSHIRT-RED-M;19.99")
    offers = repo.folder / "offers" / "shop.yaml"
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "the shop", date="2026-11-01T12:00:00+01:00")
    original = offers.read_text(encoding="utf-8")
    offers.write_text(original.replace("price: 39.99", "price: 29.99"), encoding="utf-8")
    repo.git("commit", "-q", "-am", "pull at 29.99", date="2026-12-20T18:30:00+01:00")
    offers.write_text(original, encoding="utf-8")
    repo.git("commit", "-q", "-am", "pull back at 39.99", date="2026-12-28T09:00:00+01:00")
    return repo.folder


def feed(root: Path, rows: str) -> None:
    (root / "exports").mkdir(exist_ok=True)
    (root / "exports" / "prices.csv").write_text(f"sku;price\n{rows}\n", encoding="utf-8")


def kept_and_fresh(
    root: Path, monkeypatch: pytest.MonkeyPatch, now: datetime = NOW
) -> tuple[OmnibusCheck, OmnibusCheck]:
    """The check as a run with the cache gives it, and worked out afresh with no cache."""
    catalog, _ = check_catalog(root)
    assert catalog is not None
    kept = check_omnibus(catalog, now)
    with monkeypatch.context() as fresh_env:
        fresh_env.setenv("CATALOG_NO_CACHE", "1")
        fresh = check_omnibus(catalog, now)
    return kept, fresh


def lowest(check: OmnibusCheck) -> dict[tuple[str, str], tuple[str, str, str]]:
    return {
        (f.operation.name, f.sku): (
            str(f.lowest.price),
            f.lowest.source[:6],
            str(f.reference_price),
        )
        for f in check.findings
    }


def test_an_unchanged_run_reads_nothing_and_finds_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[str]
) -> None:
    root = shop(Repo(tmp_path))
    first, fresh = kept_and_fresh(root, monkeypatch)
    assert first == fresh and "read" in calls
    assert lowest(first) == {
        ("soldes-hiver-2027", "PULL-WINTER-L"): ("29.99", "commit", "39.99"),
        ("soldes-courtes", "TSHIRT-RED-M"): ("19.99", "curren", "25.00"),
    }
    calls.clear()
    catalog, _ = check_catalog(root)
    assert catalog is not None
    again = check_omnibus(catalog, NOW)
    assert again == first
    assert calls == ["rev-parse"]  # HEAD only: no walk, no version read, no roots


def test_a_new_commit_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[str]
) -> None:
    repo = Repo(tmp_path)
    root = shop(repo)
    before, _ = kept_and_fresh(root, monkeypatch)
    offers = root / "offers" / "shop.yaml"
    original = offers.read_text(encoding="utf-8")
    offers.write_text(original.replace("price: 19.99", "price: 15.00"), encoding="utf-8")
    repo.git("commit", "-q", "-am", "t-shirt at 15", date="2026-12-29T09:00:00+01:00")
    offers.write_text(original, encoding="utf-8")
    repo.git("commit", "-q", "-am", "t-shirt back at 19.99", date="2026-12-30T09:00:00+01:00")
    after, fresh = kept_and_fresh(root, monkeypatch)
    assert after == fresh != before
    assert lowest(after)["soldes-courtes", "TSHIRT-RED-M"] == ("15.00", "commit", "25.00")


def test_a_changed_working_file_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shop(Repo(tmp_path))
    before, _ = kept_and_fresh(root, monkeypatch)
    offers = root / "offers" / "shop.yaml"
    text = offers.read_text(encoding="utf-8")
    offers.write_text(
        text.replace("price: 39.99", "price: 45.00"), encoding="utf-8"
    )  # not committed
    after, fresh = kept_and_fresh(root, monkeypatch)
    assert after == fresh != before
    assert lowest(after)["soldes-hiver-2027", "PULL-WINTER-L"] == ("29.99", "commit", "45.00")


def test_a_changed_feed_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shop(Repo(tmp_path), fed=True)
    before, fresh = kept_and_fresh(root, monkeypatch)
    assert before == fresh
    assert lowest(before)["soldes-courtes", "TSHIRT-RED-M"] == ("19.99", "curren", "25.00")
    feed(root, "TSHIRT-RED-M;18.50")  # the files did not change, the feed did
    after, fresh = kept_and_fresh(root, monkeypatch)
    assert after == fresh != before
    assert lowest(after)["soldes-courtes", "TSHIRT-RED-M"] == ("18.50", "curren", "25.00")


def test_the_clock_moving_on_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shop(Repo(tmp_path))
    kept_and_fresh(root, monkeypatch)
    later = when("2027-01-05T10:00")  # both sales to come: the current price is seen later
    after, fresh = kept_and_fresh(root, monkeypatch, later)
    assert after == fresh
    (current,) = [f for f in after.findings if f.lowest.source == "current catalog"]
    assert current.lowest.since == later
    ended = when("2027-01-11T10:00")  # the short sale is over: it is no longer checked
    after, fresh = kept_and_fresh(root, monkeypatch, ended)
    assert after == fresh
    assert set(lowest(after)) == {("soldes-hiver-2027", "PULL-WINTER-L")}
    assert after.checked == 2  # the two winter offers of the long sale


def test_a_tampered_entry_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shop(Repo(tmp_path))
    first, _ = kept_and_fresh(root, monkeypatch)
    (entry,) = (root / ".catalog" / "cache").glob("omnibus-*")
    raw = entry.read_bytes()
    # the same entry with no finding, its signature left as it was: a planted all-clear
    entry.write_bytes(raw[:32] + raw[32:].replace(b'"findings":[[', b'"findings":[],"x":[['))
    again, fresh = kept_and_fresh(root, monkeypatch)
    assert again == fresh == first
    assert len(again.findings) == 2


def test_a_deepened_shallow_clone_is_walked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "origin").mkdir()
    origin = Repo(tmp_path / "origin")
    shop(origin)
    clone = tmp_path / "clone"
    url = f"file://{origin.folder}"
    git = ["git", "-C", str(clone)]
    subprocess.run(["git", "clone", "-q", "--depth", "1", url, str(clone)], check=True)
    shallow, fresh = kept_and_fresh(clone, monkeypatch)
    assert shallow == fresh and shallow.gaps
    assert ("soldes-hiver-2027", "PULL-WINTER-L") not in lowest(shallow)
    subprocess.run([*git, "fetch", "-q", "--unshallow"], check=True)  # HEAD does not move
    deep, fresh = kept_and_fresh(clone, monkeypatch)
    assert deep == fresh and not deep.gaps
    assert lowest(deep)["soldes-hiver-2027", "PULL-WINTER-L"] == ("29.99", "commit", "39.99")
