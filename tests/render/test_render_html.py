"""The HTML plan: a self-contained page for price reviewers, checked in a real headless browser
(Chromium) whose screenshot is read back by OCR (Tesseract) for the counts (issue 18, item 6)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from reconciler.catalog.model import Guards
from reconciler.render.html import price_moves, render_html
from tests.offers import make_plan, offer


def _plan():
    desired = [offer(sku=f"S{i}", price=Decimal("19.99") + i) for i in range(7)] + [
        offer(sku="NEW<script>alert(1)</script>")
    ]
    live = [offer(sku=f"S{i}", price=Decimal("19.99")) for i in range(1, 7)]
    live.append(offer(sku="S0", price=Decimal("30.00")))
    return make_plan(desired, live)


def test_price_changes_are_sorted_by_how_far_they_move():
    moves = price_moves(_plan())
    assert [m.sku for m in moves][:3] == ["S0", "S6", "S5"]
    assert moves[0].percent == Decimal("-33.4") and moves[1].percent == Decimal("30.0")


def test_the_page_is_self_contained_and_escapes_catalog_text():
    sku = "MUG<script>alert(1)</script>"
    moved = render_html(make_plan([offer(sku=sku, price=Decimal("9.99"))], [offer(sku=sku)]))
    assert "<script>" not in moved and "MUG&lt;script&gt;" in moved
    page = render_html(_plan())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "Plan: 1 to create, 7 to update, 0 to delete, 0 to withdraw." in page
    assert 'id="chart"' in page


def test_a_blocked_plan_names_its_guards():
    plan = make_plan(
        [offer(price=Decimal("1.00"))], [offer(price=Decimal("20.00"))], guards=Guards()
    )
    page = render_html(plan)
    assert "BLOCKED" in page and "max_price_change_percent" in page


def _tools() -> tuple[str, str]:
    chromium, tesseract = shutil.which("chromium"), shutil.which("tesseract")
    if not (chromium and tesseract):
        if os.environ.get("CI"):  # .ci/run installs both: missing there is a failure
            pytest.fail("chromium and tesseract must be installed (.ci/system-packages)")
        pytest.skip("chromium or tesseract not installed (see .ci/system-packages)")
    return chromium, tesseract


def test_a_headless_browser_shows_the_counts(tmp_path):
    chromium, tesseract = _tools()
    page = tmp_path / "plan.html"
    page.write_text(render_html(_plan()), encoding="utf-8")
    shot = tmp_path / "plan.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
         f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert shot.stat().st_size > 10_000  # a real picture, not an empty page
    read = subprocess.run(
        [tesseract, str(shot), "-"], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    text = " ".join(read.split())
    assert "Plan: 1 to create, 7 to update, 0 to delete, 0 to withdraw." in text, text
    assert "Price changes (7)" in text, text
