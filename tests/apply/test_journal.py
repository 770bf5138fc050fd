from __future__ import annotations

import pytest

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


def test_an_abandoned_package_is_not_pending(tmp_path):
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
    assert (tmp_path / ".catalog" / "journal.jsonl").exists()


@pytest.mark.parametrize(
    "line",
    ["[]", '"x"', '{"event": "opened", "package": "a", "submission": "json"}', "42"],
)
def test_a_journal_with_a_line_that_is_no_event_is_set_aside_with_a_warning(tmp_path, line):
    journal = Journal.for_catalog(tmp_path)
    journal.record("opened", package="a", channel="zz", submission="json", skus=["S1"])
    with open(journal.path, "a") as stream:
        stream.write(line + "\n")
    assert journal.pending() == []
    assert "set aside" in journal.warnings[0]
    assert not journal.path.exists()
    assert list(journal.path.parent.glob("journal.jsonl.set-aside-*"))
    journal.record("opened", package="b", channel="zz", submission="json", skus=["S2"])
    assert [p.package for p in journal.pending()] == ["b"]
