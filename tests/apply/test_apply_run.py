"""apply against the sandbox over real HTTP: both channel kinds, then the next plan is empty."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from apply_market import catalog, offer

from reconciler.apply.report import Progress
from reconciler.apply.run import ApplyOptions
from reconciler.apply.session import ApplyRequest, ApplySession
from reconciler.catalog.model import ManagePolicy
from reconciler.channels.outcome import OfferStatus
from reconciler.channels.pacing import Pacing
from reconciler.errors import ExitCode
from reconciler.plan.model import Action

QUICK = Pacing(first=0.02, factor=1.5, cap=0.1, timeout=30)


def run(cat, market, lines=None, **options):
    """Plan and apply the catalog once; return (plan, report)."""
    opts = ApplyOptions(pacing=QUICK, **options)
    echo = lines.append if lines is not None else (lambda text: None)
    with market.client() as client:
        session = ApplySession(cat, client, Progress(echo), ApplyRequest(options=opts))
        plan = session.plan()
        return plan, session.apply(plan)


def next_plan(cat, market):
    with market.client() as client:
        return ApplySession(cat, client, Progress(lambda t: None)).plan()


def test_json_create_update_delete_over_several_uploads_and_packages(tmp_path, market):
    offers = [offer("zz", n) for n in range(130)]
    cat = catalog(tmp_path, market, offers, manage=ManagePolicy.ALL)
    with market.client() as client:
        session = ApplySession(
            cat,
            client,
            Progress(lambda t: None),
            ApplyRequest(options=ApplyOptions(pacing=QUICK, json_package_size=120)),
        )
        plan = session.plan()
        report = session.apply(plan)
        calls = client.governor.calls
    assert report.exit_code is ExitCode.OK
    assert report.count(OfferStatus.INTEGRATED) == 130
    assert [len(p.offers) for p in report.packages] == [120, 10]
    # open + ready per package, 2 + 1 uploads of at most 100, a result page of 100 at least
    assert calls >= 2 * 2 + 3 + 3
    assert not next_plan(cat, market).has_changes

    changed = [replace(o, price=o.price + 1) if o.sku < "SKU-0010" else o for o in offers[:120]]
    cat = catalog(tmp_path, market, changed, manage=ManagePolicy.ALL)
    plan, report = run(cat, market)
    actions = sorted({c.action for c in plan.changes})
    assert actions == [Action.DELETE, Action.UPDATE]
    assert report.count(OfferStatus.INTEGRATED) == 10 + 10
    assert report.exit_code is ExitCode.OK
    assert not next_plan(cat, market).has_changes


def test_xml_full_stock_and_price_and_withdraw_over_several_packages(tmp_path, market):
    offers = [offer("cdiscount", n, comment='Livré <vite> & "bien"') for n in range(5)]
    cat = catalog(tmp_path, market, offers, manage=ManagePolicy.ALL)
    plan, report = run(cat, market, xml_package_size=2)
    assert report.exit_code is ExitCode.OK, report.to_dict()
    assert len(report.packages) == 3
    assert not next_plan(cat, market).has_changes

    changed = [
        replace(offers[0], price=Decimal("17.50")),  # light: StockAndPrice
        replace(offers[1], stock=0),  # light
        replace(offers[2], preparation_days=4),  # Full
        offers[3],
    ]  # offers[4] left the catalog: withdrawn (stock 0)
    cat = catalog(tmp_path, market, changed, manage=ManagePolicy.ALL)
    plan, report = run(cat, market)
    assert {(c.sku, c.action) for c in plan.changes} == {
        ("SKU-0000", Action.UPDATE),
        ("SKU-0001", Action.UPDATE),
        ("SKU-0002", Action.UPDATE),
        ("SKU-0004", Action.WITHDRAW),
    }
    assert sorted(p.package_type for p in report.packages) == ["Full", "StockAndPrice"]
    assert report.exit_code is ExitCode.OK, report.to_dict()
    assert not next_plan(cat, market).has_changes


def test_mixed_channels_and_rejections_are_reported_with_code_and_meaning(tmp_path, market):
    unknown = offer("zz", 999)  # a GTIN the product referential does not know
    bad_xml = offer("cdiscount", 998)
    offers = [offer("zz", 1), offer("cdiscount", 2), unknown, bad_xml]
    cat = catalog(tmp_path, market, offers)
    lines: list[str] = []
    plan, report = run(cat, market, lines)
    assert report.exit_code is ExitCode.PARTLY_FAILED
    rejected = {(o.channel, o.sku): o for o in report.offers if o.status is OfferStatus.REJECTED}
    assert set(rejected) == {("zz", "SKU-0999"), ("cdiscount", "SKU-0998")}
    for outcome in rejected.values():
        assert outcome.code.startswith("13"), outcome
        assert outcome.message
    # the next plan shows exactly what is still to do
    left = next_plan(cat, market)
    assert {(c.channel, c.sku) for c in left.changes} == set(rejected)
    assert any("integrating" in line for line in lines)


@pytest.mark.parametrize("channel", ["zz", "cdiscount"])
def test_a_package_rejected_whole_rejects_each_of_its_offers(tmp_path, market, channel):
    market.faults(reject_packages=True)
    cat = catalog(tmp_path, market, [offer(channel, 1), offer(channel, 2)])
    _, report = run(cat, market)
    assert report.exit_code is ExitCode.PARTLY_FAILED
    assert report.count(OfferStatus.REJECTED) == 2
    assert all("rejected" in o.message for o in report.offers)
    market.faults()
    _, report = run(cat, market)
    assert report.exit_code is ExitCode.OK
    assert not next_plan(cat, market).has_changes


def test_max_failures_stops_sending_and_says_what_was_not_sent(tmp_path, market):
    offers = [offer("zz", 900 + n) for n in range(3)] + [offer("zz", n) for n in range(4)]
    cat = catalog(tmp_path, market, offers)
    _, report = run(cat, market, json_package_size=2, max_failures=2)
    assert report.exit_code is ExitCode.PARTLY_FAILED
    assert "max-failures" in report.stopped
    assert report.count(OfferStatus.NOT_SENT) > 0
    assert report.count(OfferStatus.REJECTED) >= 2
    sent = report.count(OfferStatus.INTEGRATED) + report.count(OfferStatus.REJECTED)
    assert sent + report.count(OfferStatus.NOT_SENT) == 7
