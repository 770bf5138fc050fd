"""kill -9 an apply at some point, re-run it: it converges, nothing lost, nothing sent twice
while a package holding it still integrates (the marketplace would reject that with code 28)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apply_market import crash_catalog
from test_apply_run import next_plan, run

from reconciler.apply.journal import Journal
from reconciler.channels.outcome import OfferStatus
from reconciler.errors import ExitCode

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent


def awaiting_rejections(state_dir: Path) -> list[str]:
    """Offers the sandbox refused because another package holding them was still integrating."""
    with sqlite3.connect(state_dir / "sandbox.sqlite3") as db:
        rows = db.execute("SELECT sku, results FROM results").fetchall()
    return [
        sku
        for sku, results in rows
        if any(str(r.get("resultCode", "")).startswith("28") for r in json.loads(results))
    ]


def kill_after_journal_lines(child: subprocess.Popen, journal: Path, lines: int) -> int:
    """SIGKILL the child once the journal holds `lines` lines (or it ends); lines seen."""
    deadline = time.monotonic() + 60
    seen = 0
    while child.poll() is None and time.monotonic() < deadline:
        seen = journal.read_text().count("\n") if journal.exists() else 0
        if seen >= lines:
            break
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    return seen


@pytest.mark.parametrize("lines", [1, 2, 4, 7])
def test_an_apply_killed_at_any_point_is_rerun_safely(tmp_path, start, lines):
    market = start(integration_delay=0.2)
    market.faults(latency_ms=5)
    root = tmp_path / "catalog"
    root.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(PROJECT)])}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "crash_child.py"), market.base, str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    journal = Journal.for_catalog(root)
    kill_after_journal_lines(child, journal.path, lines)
    assert child.returncode == -signal.SIGKILL  # killed mid-way, not finished
    left = journal.pending()
    assert left, "the kill should leave packages that may still integrate"
    integrating = [p for p in left if p.ready or (p.submission == "xml" and p.package_id)]

    cat = crash_catalog(root, market)
    plan, report = run(cat, market)
    assert report.exit_code is ExitCode.OK, report.to_dict()
    assert report.count(OfferStatus.REJECTED) == 0
    followed = {p.package_id for p in report.packages if p.resumed}
    assert {p.package_id for p in integrating} <= followed
    assert journal.pending() == []
    assert not next_plan(cat, market).has_changes  # nothing lost
    assert awaiting_rejections(market.state_dir) == []  # nothing sent twice while integrating
