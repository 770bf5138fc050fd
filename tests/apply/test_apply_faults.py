"""Faults during an apply: each ends with a truthful report and the right exit code."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from apply_market import catalog, offer
from test_apply_run import QUICK, next_plan, run

from reconciler.apply.report import Progress
from reconciler.apply.run import ApplyOptions
from reconciler.apply.session import ApplyRequest, ApplySession
from reconciler.catalog.model import Guards, PackageStore
from reconciler.channels.outcome import OfferStatus
from reconciler.errors import ExitCode, PlanBlocked, PlanStale


class Hook(Progress):
    """Plays a fault at a chosen moment of the apply (first upload, first submission)."""

    def __init__(self, on_upload=None, on_submit=None):
        super().__init__(lambda text: None)
        self.on_upload, self.on_submit = on_upload, on_submit

    def uploaded(self, channel, count, total):
        if self.on_upload:
            self.on_upload()
            self.on_upload = None

    def submitted(self, channel, package, offers):
        if self.on_submit:
            self.on_submit()
            self.on_submit = None


def apply_with(cat, market, progress, **options):
    with market.client() as client:
        request = ApplyRequest(options=ApplyOptions(pacing=QUICK, **options))
        session = ApplySession(cat, client, progress, request)
        report = session.apply(session.plan())
        return report, client


def test_a_channel_refusing_json_packages_is_reported_per_offer(tmp_path, market):
    cat = catalog(tmp_path, market, [offer("zz", 1)])
    wrong = replace(cat.channels["zz"], id="NOSUCH")
    cat = replace(cat, channels={**cat.channels, "zz": wrong})
    with market.client() as client:
        run_ = ApplySession(cat, client, Progress(lambda t: None)).run
        plan = next_plan(catalog(tmp_path, market, [offer("zz", 1)]), market)
        report = run_.apply(plan)
    assert report.exit_code is ExitCode.PARTLY_FAILED
    (refused,) = report.offers
    assert refused.status is OfferStatus.NOT_SENT and "refused" in refused.message


def test_503_in_the_middle_of_uploads_is_retried(tmp_path, market):
    cat = catalog(tmp_path, market, [offer("zz", n) for n in range(30)])
    hook = Hook(on_upload=lambda: market.faults(error_next=2))
    report, client = apply_with(cat, market, hook, upload_size=10)
    assert report.exit_code is ExitCode.OK
    assert client.governor.retries >= 2
    assert not next_plan(cat, market).has_changes


def test_token_expiring_between_uploads(tmp_path, start):
    market = start(token_expires_in=1)
    market.faults(latency_ms=150)
    cat = catalog(tmp_path, market, [offer("zz", n) for n in range(50)])
    report, client = apply_with(cat, market, Progress(lambda t: None), upload_size=10)
    assert report.exit_code is ExitCode.OK
    assert client.tokens.fetched >= 2  # a fresh token was fetched mid-way
    market.faults()
    assert not next_plan(cat, market).has_changes


@pytest.mark.parametrize("channel", ["zz", "cdiscount"])
def test_connection_lost_while_polling(tmp_path, market, channel):
    cat = catalog(tmp_path, market, [offer(channel, n) for n in range(3)])
    # more drops in a row than the client retries one call: the poll itself must carry on
    hook = Hook(on_submit=lambda: market.faults(drop_next=6))
    report, _ = apply_with(cat, market, hook)
    assert report.exit_code is ExitCode.OK, report.to_dict()
    assert report.count(OfferStatus.INTEGRATED) == 3
    assert not next_plan(cat, market).has_changes


def test_store_refusing_the_put_leaves_those_offers_not_sent(tmp_path, market):
    refusing = PackageStore("http-put", market.base + "/sandbox/no-such-store/{name}")
    offers = [offer("cdiscount", 1), offer("zz", 2)]
    cat = catalog(tmp_path, market, offers, store=refusing)
    _, report = run(cat, market)
    assert report.exit_code is ExitCode.PARTLY_FAILED
    (refused,) = [o for o in report.offers if o.status is OfferStatus.NOT_SENT]
    assert refused.sku == "SKU-0001"
    assert "package store refused" in refused.message
    assert report.count(OfferStatus.INTEGRATED) == 1
    left = next_plan(cat, market)
    assert [(c.channel, c.sku) for c in left.changes] == [("cdiscount", "SKU-0001")]


def test_marketplace_lost_mid_upload_is_exit_7_and_the_rerun_converges(tmp_path, market):
    cat = catalog(tmp_path, market, [offer("zz", n) for n in range(30)])
    hook = Hook(on_upload=lambda: market.faults(error_next=1000))
    report, _ = apply_with(cat, market, hook, upload_size=10)
    assert report.exit_code is ExitCode.UNREACHABLE
    assert report.count(OfferStatus.NOT_SENT) == 30  # the package never became Ready
    market.faults()
    _, report = run(cat, market)
    assert report.exit_code is ExitCode.OK
    assert report.count(OfferStatus.INTEGRATED) == 30
    assert not next_plan(cat, market).has_changes


def test_a_stale_saved_plan_is_refused_naming_the_offer_and_how(tmp_path, market):
    offers = [offer("zz", 1), offer("zz", 2)]
    run(catalog(tmp_path, market, offers), market)
    desired = catalog(tmp_path, market, [replace(offers[0], stock=9), offers[1]])
    saved = next_plan(desired, market)
    # the marketplace moves on: someone changes SKU-0001's price by hand
    run(catalog(tmp_path, market, [replace(offers[0], price=Decimal("25.00")), offers[1]]), market)
    with market.client() as client:
        session = ApplySession(
            desired, client, Progress(lambda t: None), ApplyRequest(saved_plan=saved)
        )
        with pytest.raises(PlanStale) as refused:
            session.plan()
    assert "zz/SKU-0001: price 19.99 -> 25.00" in str(refused.value)
    assert "SKU-0002" not in str(refused.value)

    changed = replace(desired, content_hash="catalog-v2")
    with market.client() as client:
        session = ApplySession(changed, client, Progress(lambda t: None), ApplyRequest(saved))
        with pytest.raises(PlanStale, match="catalog changed"):
            session.plan()


def test_a_guard_blocks_until_that_plan_or_that_guard_is_acknowledged(tmp_path, market):
    offers = [offer("zz", n) for n in range(3)]
    run(catalog(tmp_path, market, offers), market)
    typo = [replace(offers[0], price=Decimal("1.99")), *offers[1:]]
    cat = catalog(tmp_path, market, typo, guards=Guards(min_existing_offers=1_000_000))

    with market.client() as client:

        def attempt(**request):
            options = ApplyOptions(pacing=QUICK)
            return ApplySession(
                cat, client, Progress(lambda t: None), ApplyRequest(options=options, **request)
            )

        with pytest.raises(PlanBlocked) as blocked:
            attempt().plan()
        message = str(blocked.value)
        assert "max_price_change_percent on zz" in message
        plan_hash = re.search(r"--ack (\w+) \(this plan only\)", message).group(1)
        with pytest.raises(PlanBlocked, match="does not match"):
            attempt(ack="0000").plan()
        assert attempt(allow=("max_price_change_percent",)).plan().blocked
        session = attempt(ack=plan_hash)
        plan = session.plan()
        assert plan.plan_hash == plan_hash
        report = session.apply(plan)
    assert report.exit_code is ExitCode.OK
    assert not next_plan(cat, market).has_changes


def test_a_saved_plan_cut_short_is_finished_by_applying_it_again(tmp_path, market):
    cat = catalog(tmp_path, market, [offer("zz", n) for n in range(6)])
    saved = next_plan(cat, market)
    options = ApplyOptions(pacing=QUICK, json_package_size=3)
    hook = Hook(on_submit=lambda: market.faults(error_next=1000))
    with market.client() as client:
        session = ApplySession(cat, client, hook, ApplyRequest(saved, options=options))
        first = session.apply(session.plan())
    assert first.exit_code is ExitCode.UNREACHABLE
    assert first.count(OfferStatus.PENDING) == 3  # sent, not seen to the end
    assert first.count(OfferStatus.NOT_SENT) == 3
    market.faults()
    with market.client() as client:
        lines: list[str] = []
        session = ApplySession(
            cat, client, Progress(lines.append), ApplyRequest(saved, options=options)
        )
        plan = session.plan()  # the 3 offers sent before are not "drift": this plan sent them
        second = session.apply(plan)
    assert second.exit_code is ExitCode.OK, second.to_dict()
    assert [p.resumed for p in second.packages] == [True, False]
    assert [len(p.offers) for p in second.packages] == [3, 3]
    assert any("interrupted apply" in line for line in lines)
    assert not next_plan(cat, market).has_changes
