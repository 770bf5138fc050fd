"""The price history read ahead while the catalog loads: the check finds exactly what it finds
without it, whatever the early process guessed, failed or was never asked; the load still
runs without another thread (its parallel fill may fork); no process is left behind."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime
from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.operations import early
from reconciler.operations import history as history_module
from reconciler.operations.omnibus import OmnibusCheck, check_omnibus

from .builders import when
from .test_omnibus import Repo
from .test_omnibus_kept import NOW, lowest, shop

ALONE = early._alone


@pytest.fixture(autouse=True)
def _own_key(own_cache_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATALOG_NO_CACHE", raising=False)
    monkeypatch.setenv("CATALOG_NOW", "2027-01-01T10:00:00+01:00")
    # A test process may keep other tests' idle server threads: the fork is wanted here all
    # the same (what it copies of them is never used by the early process).
    monkeypatch.setattr(early, "_alone", lambda: True)


@pytest.fixture
def read_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The versions this process (not the early one: it has its own copy) reads."""
    texts: list[str] = []
    real = history_module.VersionReader.read
    monkeypatch.setattr(
        history_module.VersionReader,
        "read",
        lambda self, text, skus=None: texts.append(text) or real(self, text, skus),
    )
    return texts


def with_and_without(
    root: Path, monkeypatch: pytest.MonkeyPatch, now: datetime = NOW
) -> tuple[OmnibusCheck, OmnibusCheck]:
    """The check with the history read ahead (cold cache), and afresh without."""
    with early.read_ahead(root, now) as ahead:
        assert ahead is not None
        catalog, _ = check_catalog(root)
        assert catalog is not None
        ahead_check = check_omnibus(catalog, now, ahead)
    with monkeypatch.context() as fresh_env:
        fresh_env.setenv("CATALOG_NO_CACHE", "1")
        fresh = check_omnibus(catalog, now)
    return ahead_check, fresh


def commit_more(repo: Repo) -> None:
    """Three more commits in the window: the t-shirt's price down and up, a new offer."""
    offers = repo.folder / "offers" / "shop.yaml"
    original = offers.read_text(encoding="utf-8")
    offers.write_text(original.replace("price: 19.99", "price: 15.00"), encoding="utf-8")
    repo.git("commit", "-q", "-am", "t-shirt at 15", date="2026-12-29T09:00:00+01:00")
    offers.write_text(original.replace("price: 12.00", "price: 11.00"), encoding="utf-8")
    repo.git("commit", "-q", "-am", "bonnet at 11", date="2026-12-30T09:00:00+01:00")
    offers.write_text(original, encoding="utf-8")
    repo.git("commit", "-q", "-am", "back", date="2026-12-31T09:00:00+01:00")


def test_the_versions_read_ahead_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path)
    shop(repo)
    commit_more(repo)
    ahead, fresh = with_and_without(repo.folder, monkeypatch)
    assert ahead == fresh
    assert lowest(ahead) == {
        ("soldes-hiver-2027", "PULL-WINTER-L"): ("29.99", "commit", "39.99"),
        ("soldes-hiver-2027", "BONNET-WINTER"): ("11.00", "commit", "12.00"),
        ("soldes-courtes", "TSHIRT-RED-M"): ("15.00", "commit", "25.00"),
    }


def test_this_process_reads_no_version_the_early_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_here: list[str]
) -> None:
    repo = Repo(tmp_path)
    shop(repo)
    commit_more(repo)
    monkeypatch.setenv("CATALOG_NO_CACHE", "1")  # nothing kept: every version is read once
    with early.read_ahead(repo.folder, NOW) as ahead:
        catalog, _ = check_catalog(repo.folder)
        assert catalog is not None
        check = check_omnibus(catalog, NOW, ahead)
    assert read_here == []
    assert check == check_omnibus(catalog, NOW)
    assert len(read_here) == 3  # without it: the three versions that are not the working file


def test_a_wrong_guess_is_made_up_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_here: list[str]
) -> None:
    repo = Repo(tmp_path)
    shop(repo)
    commit_more(repo)
    # the early process believes in one sale starting long after the real ones, naming
    # nothing: it reads other versions, and items of no sku on sale
    monkeypatch.setattr(early, "_sales", lambda paths, now: [(when("2027-06-01T00:00"), [], [])])
    ahead, fresh = with_and_without(repo.folder, monkeypatch)
    assert ahead == fresh and len(lowest(ahead)) == 3
    assert read_here  # what it missed was read here


def test_skus_the_guess_missed_are_read_by_the_early_process_once_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_here: list[str]
) -> None:
    repo = Repo(tmp_path)
    shop(repo)
    commit_more(repo)
    real = early._sales

    def named_otherwise(paths: list[Path], now: datetime) -> list:
        # the right windows, but a sku and a tag no offer has: the skus guessed are wrong
        return [(start, ["NO-SUCH-SKU"], ["no-such-tag"]) for start, _, _ in real(paths, now)]

    monkeypatch.setattr(early, "_sales", named_otherwise)
    monkeypatch.setenv("CATALOG_NO_CACHE", "1")
    with early.read_ahead(repo.folder, NOW) as ahead:
        catalog, _ = check_catalog(repo.folder)
        assert catalog is not None
        check = check_omnibus(catalog, NOW, ahead)
    assert read_here == []  # read over there, for the skus asked
    assert check == check_omnibus(catalog, NOW) and len(lowest(check)) == 3


def test_an_early_process_that_fails_is_made_up_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_here: list[str]
) -> None:
    repo = Repo(tmp_path)
    shop(repo)

    def broken(*_: object) -> None:
        raise RuntimeError("the early process fails")

    monkeypatch.setattr(early, "_windows", broken)
    ahead, fresh = with_and_without(repo.folder, monkeypatch)
    assert ahead == fresh and len(lowest(ahead)) == 2
    assert read_here


def test_the_load_runs_with_no_other_thread_and_no_process_is_left(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    shop(repo)
    threads = threading.active_count()
    with early.read_ahead(repo.folder, NOW) as ahead:
        assert ahead is not None
        assert threading.active_count() == threads  # the catalog's parallel fill may still fork
        process = ahead.process
    assert not process.is_alive()  # never asked: it was told to stop
    with pytest.raises(ValueError, match="boom"), early.read_ahead(repo.folder, NOW) as ahead:
        assert ahead is not None
        process = ahead.process
        raise ValueError("boom")
    assert not process.is_alive()


def test_outside_git_nothing_is_read_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo")
    shop(repo)
    outside = tmp_path / "outside"
    shutil.copytree(repo.folder, outside, ignore=shutil.ignore_patterns(".git"))
    with early.read_ahead(outside, NOW) as ahead:
        catalog, _ = check_catalog(outside)
        assert catalog is not None
        check = check_omnibus(catalog, NOW, ahead)
    assert check.skipped.startswith("Omnibus check skipped:")
    assert "is not in a git repository" in check.skipped


def test_with_another_thread_running_nothing_is_forked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early, "_alone", ALONE)  # as it is: another thread is seen
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with early.read_ahead(tmp_path, NOW) as ahead:
            assert ahead is None
    finally:
        stop.set()
        other.join()


def test_nothing_is_written_where_there_is_no_catalog(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "catalog"
    Repo(tmp_path)  # a git repository, but no catalog in it
    for folder in (missing, tmp_path):
        with early.read_ahead(folder, NOW) as ahead:
            assert ahead is not None
            ahead.process.join(5)  # it looked, found no catalog and ended
        assert not ahead.process.is_alive()
    assert not (tmp_path / "missing").exists()
    assert not (tmp_path / ".catalog").exists()
