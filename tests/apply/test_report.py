from __future__ import annotations

import io
import json

from rich.console import Console

from reconciler.apply.report import ApplyReport, RichProgress, summary_lines, write_report
from reconciler.channels.outcome import OfferOutcome, OfferStatus, PackageOutcome
from reconciler.channels.xml_channel import meaning
from reconciler.errors import ExitCode


def outcome(sku: str, status: OfferStatus, code: str = "", message: str = "") -> OfferOutcome:
    return OfferOutcome("cdiscount", sku, "create", status, code, message)


def package(*offers: OfferOutcome) -> PackageOutcome:
    return PackageOutcome("cdiscount", "xml", "p1", "Full", "Integrated", offers)


def test_exit_code_says_all_integrated_partly_failed_or_unreachable():
    ok = ApplyReport("h", [package(outcome("A", OfferStatus.INTEGRATED, "8000"))])
    assert ok.exit_code is ExitCode.OK
    partly = ApplyReport("h", [package(outcome("A", OfferStatus.REJECTED, "1324", "no product"))])
    assert partly.exit_code is ExitCode.PARTLY_FAILED
    lost = ApplyReport("h", [], unreachable=True, stopped="gave up")
    assert lost.exit_code is ExitCode.UNREACHABLE


def test_summary_names_every_offer_not_integrated_and_the_json_report_matches(tmp_path):
    report = ApplyReport(
        "h",
        [
            package(
                outcome("A", OfferStatus.INTEGRATED, "8000"),
                outcome("B", OfferStatus.REJECTED, "4011", "mode"),
            )
        ],
        [outcome("C", OfferStatus.NOT_SENT, "", "--max-failures 1 reached")],
        stopped="--max-failures 1 reached",
    )
    lines = summary_lines(report)
    assert lines[0] == "cdiscount: 1 integrated, 1 rejected, 1 not sent, 0 pending"
    assert "  rejected B (create) [4011]: mode" in lines
    assert "  not_sent C (create): --max-failures 1 reached" in lines
    assert lines[-1] == "Stopped early: --max-failures 1 reached"
    write_report(report, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["exit_code"] == 5
    assert data["channels"]["cdiscount"] == {
        "integrated": 1,
        "rejected": 1,
        "not_sent": 1,
        "pending": 0,
    }
    assert [o["sku"] for o in data["offers"]] == ["A", "B", "C"]


def test_result_codes_carry_their_meaning():
    assert meaning("1324") == "product does not exist in the Cdiscount catalogue"
    assert meaning("4011") == "delivery mode not configured for the seller"
    assert meaning("8000") == ""


def test_rich_progress_draws_bars_and_package_lines_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with RichProgress(console) as progress:
        progress.uploaded("cdiscount", 50, 100)
        progress.submitted("cdiscount", "p1", 100)
        progress.finished(package(outcome("A", OfferStatus.INTEGRATED)))
    text = out.getvalue()
    assert "cdiscount: offers sent" in text
    assert "package p1 Integrated, 1/1 offer(s) integrated" in text


def test_rich_progress_shows_elapsed_time_and_a_spinner_while_a_package_integrates():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140)
    with RichProgress(console) as progress:
        progress.uploaded("cdiscount", 100, 100)
        progress.submitted("cdiscount", "p1", 100)
        waiting = progress.bars.tasks[progress.packages["p1"]]
        assert "package p1 (100 offer(s)) integrating" in waiting.description
        assert waiting.total is None  # a spinner: the marketplace gives no progress figure
        progress.bars.refresh()
        progress.finished(package(outcome("A", OfferStatus.INTEGRATED)))
        assert waiting.finished and "p1 Integrated" in waiting.description
        assert progress.packages == {}
    text = out.getvalue()
    assert "0:00:0" in text  # the elapsed-time column (h:mm:ss)
