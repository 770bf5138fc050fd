from __future__ import annotations

from reconciler.apply.journal import Journal


def test_pending_packages_are_those_announced_and_not_finished(tmp_path):
    journal = Journal.for_catalog(tmp_path)
    base = dict(channel="zz", submission="json", plan_hash="p1", package_type="Upsert")
    journal.record(
        "opened", package="a", package_id="1", skus=["S1"], actions={"S1": "create"}, **base
    )
    journal.record("ready", package="a", package_id="1", channel="zz", submission="json")
    journal.record(
        "opened", package="b", package_id="2", skus=["S2"], actions={"S2": "create"}, **base
    )
    journal.record("finished", package="b", package_id="2", state="Integrated", channel="zz")
    with open(journal.path, "a") as stream:
        stream.write('{"event": "opened", "package": "c", "chan')  # a line cut by a kill
    pending = journal.pending()
    assert [(p.package, p.package_id, p.ready, p.skus) for p in pending] == [
        ("a", "1", True, ["S1"])
    ]
    assert journal.finished_skus("p1") == {("zz", "S2")}
    assert journal.finished_skus("other") == set()


def test_abandoned_packages_do_not_count_as_done(tmp_path):
    journal = Journal.for_catalog(tmp_path)
    journal.record(
        "opened",
        package="a",
        package_id="1",
        channel="zz",
        submission="json",
        plan_hash="p1",
        package_type="Upsert",
        skus=["S1"],
        actions={"S1": "create"},
    )
    journal.record("finished", package="a", package_id="1", state="Abandoned", channel="zz")
    assert journal.pending() == []
    assert journal.finished_skus("p1") == set()
    assert (tmp_path / ".catalog" / "journal.jsonl").exists()
