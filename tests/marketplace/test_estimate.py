"""The note said before a full read the call quota slows down: a pure estimate, and the CLI line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.marketplace import connect
from reconciler.marketplace.estimate import duration, pages_needed, quota_wait, slow_read_note
from reconciler.marketplace.governor import Limits
from reconciler.resources import DEMO_CATALOG

PRODUCTION = Limits()  # about 600 calls per 5 minutes, budget 15 minutes


def test_pages_are_the_offers_over_the_page_size_rounded_up():
    assert pages_needed(1_002_000, 1000) == 1002
    assert pages_needed(1_001, 1000) == 2
    assert pages_needed(0, 1000) == 1  # an empty channel still costs its call


def test_the_wait_counts_the_windows_beyond_the_calls_left():
    assert quota_wait(600, PRODUCTION, 0) == 0
    assert quota_wait(601, PRODUCTION, 0) == 300
    assert quota_wait(2004, PRODUCTION, 0) == 3 * 300
    assert quota_wait(500, PRODUCTION, 200) == 300  # 400 left in this window


def test_a_read_within_the_quota_says_nothing():
    offers = {"cdiscount": 100_000, "zz": 100_000}
    assert slow_read_note(offers, PRODUCTION, 0, 900, 1000) is None


def test_a_read_beyond_the_quota_says_how_long_before_it_starts():
    offers = {"cdiscount": 1_002_000, "zz": 1_002_000}
    note = slow_read_note(offers, PRODUCTION, 0, 3600, 1000)
    assert note == (
        "reading about 2,004 pages of live offers on 2 channels: the call quota (about 600 "
        "calls per 5 min, measured, not published) makes this take about 15 min; an "
        "incremental read next time needs a snapshot (kept in .catalog/snapshots)"
    )


def test_a_wait_past_the_time_budget_says_the_read_will_stop():
    note = slow_read_note({"cdiscount": 1_002_000}, PRODUCTION, 0, 120, 1000, snapshots=False)
    assert note is not None
    assert note.endswith(
        "about 5 min; that is more than the time left in the run's budget (2 min, "
        "CATALOG_TIME_BUDGET): the read will stop (exit 7)"
    )


def test_durations_read_as_a_person_says_them():
    assert [duration(s) for s in (45, 300, 1020, 9000)] == ["45 s", "5 min", "17 min", "2.5 h"]


def test_plan_says_the_slow_read_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With a quota of 1 call per 5 minutes, the demo shop's 2 channels need a window more."""
    for var in ("OCTOPIA_CLIENT_ID", "OCTOPIA_CLIENT_SECRET", "GITHUB_OUTPUT"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    small = Limits(quota_calls=1, quota_window=300, time_budget=120)
    monkeypatch.setattr(connect, "limits_from_env", lambda: small)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    result = CliRunner().invoke(cli, ["plan", str(root), "--refresh", "auto"])
    assert result.exit_code == 0, result.output
    line = next(s for s in result.stderr.splitlines() if s.startswith("reading about"))
    assert line.startswith(
        "reading about 2 pages of live offers on 2 channels: the call quota (about 1 calls "
        "per 5 min, measured, not published) makes this take about 10 min; that is more than "
        "the time left in the run's budget"
    ), line
    assert "the read will stop (exit 7)" in line and ".catalog/snapshots" in line
    # said before reading: the notes of how each channel was read come after
    assert result.stderr.index("reading about") < result.stderr.index("live offers of")
