"""Answers lost after the marketplace did the work (the sandbox's `lost_answer_share`): the
client retries, and a retried upload must not leave an offer twice in a JSON package (every
copy would be rejected as Duplicated), nor a retried Ready be taken for a refusal."""

from __future__ import annotations

from apply_market import catalog, offer
from fault_shop import sent_twice, submissions
from test_apply_run import next_plan, run

from reconciler.apply.journal import Journal
from reconciler.channels.outcome import OfferStatus
from reconciler.errors import ExitCode


def test_json_uploads_whose_answers_are_lost_never_double_an_offer(tmp_path, start_market):
    market = start_market()
    market.faults(lost_answer_share=0.1, seed=5)
    cat = catalog(tmp_path, market, [offer("zz", n) for n in range(120)])
    _, report = run(cat, market, json_package_size=60, upload_size=20)
    assert report.exit_code is ExitCode.OK, report.to_dict()
    assert report.count(OfferStatus.INTEGRATED) == 120
    doubled = [
        e
        for e in Journal.for_catalog(tmp_path).entries()
        if e.get("state") == "Abandoned" and "went twice" in e.get("message", "")
    ]
    assert doubled, "the seed should make at least one retried upload land twice"
    market.faults()
    assert sent_twice(submissions(market)) == {}
    assert not next_plan(cat, market).has_changes
