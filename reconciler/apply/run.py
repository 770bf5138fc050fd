"""Applying a plan: follow what an interrupted apply left, send the packages, follow them all.

The order is what makes an apply safe to kill and re-run:
1. `resume()` follows every package the journal saw go out without seeing it end, so nothing
   is sent again while a package holding it may still integrate;
2. only then is the plan made (or a saved plan checked), from the live offers that result;
3. `apply(plan)` sends each channel's packages, then follows each to the end.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path

from reconciler import clock
from reconciler.apply.journal import Journal, PendingPackage
from reconciler.apply.report import ApplyReport, Progress
from reconciler.catalog.model import Catalog, SalesChannel, Submission
from reconciler.channels import json_channel, json_packages, xml_channel, xml_packages
from reconciler.channels.outcome import (
    OfferOutcome,
    OfferStatus,
    PackageOutcome,
    SentPackage,
    not_sent,
)
from reconciler.channels.pacing import Pacing
from reconciler.channels.store import OfferPackageStore
from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.live import read_live_offers
from reconciler.plan.model import Change, Plan

Channel = json_channel.JsonChannel | xml_channel.XmlChannel
Package = json_packages.JsonPackage | xml_packages.XmlPackage


@dataclass(frozen=True)
class ApplyOptions:
    max_failures: int | None = None  # stop sending once this many offers failed
    json_package_size: int = json_packages.MAX_OFFERS_PER_PACKAGE
    xml_package_size: int = xml_packages.MAX_OFFERS_PER_PACKAGE
    upload_size: int = json_packages.MAX_OFFERS_PER_UPLOAD
    pacing: Pacing = field(default_factory=Pacing)


class ApplyRun:
    def __init__(
        self,
        catalog: Catalog,
        client: MarketplaceClient,
        journal: Journal,
        store: Callable[[], OfferPackageStore],
        progress: Progress,
        options: ApplyOptions | None = None,
    ):
        self.catalog = catalog
        self.client = client
        self.journal = journal
        self.progress = progress
        self.options = options or ApplyOptions()
        self._store = store
        self._opened_store: OfferPackageStore | None = None
        self._sent_counts: dict[str, int] = {}
        # Offers of xml packages an interrupted apply published and maybe submitted, killed
        # before it learnt the package id: that package may still integrate them.
        self._maybe_integrating: set[tuple[str, str]] = set()
        self._totals: dict[str, int] = {}

    # -- channels ----------------------------------------------------------------------------
    def _open_store(self) -> OfferPackageStore:
        if self._opened_store is None:
            self._opened_store = self._store()
        return self._opened_store

    def _uploaded(self, channel: str) -> Callable[[int], None]:
        def count(n: int) -> None:
            self._sent_counts[channel] = self._sent_counts.get(channel, 0) + n
            total = self._totals.get(channel, self._sent_counts[channel])
            self.progress.uploaded(channel, self._sent_counts[channel], total)

        return count

    def channel(self, channel: SalesChannel) -> Channel:
        opts = self.options
        if channel.submission is Submission.JSON:
            return json_channel.JsonChannel(
                self.client,
                channel,
                self.journal,
                pacing=opts.pacing,
                upload_size=opts.upload_size,
                on_upload=self._uploaded(channel.name),
            )
        return xml_channel.XmlChannel(
            self.client,
            channel,
            self.journal,
            self._open_store,
            pacing=opts.pacing,
            on_upload=self._uploaded(channel.name),
        )

    # -- 1. what an interrupted apply left behind --------------------------------------------
    def resume(self) -> list[PackageOutcome]:
        """Follow every package the journal saw go out and not end; return how they ended."""
        outcomes = []
        for pending in self.journal.pending():
            sales_channel = self.catalog.channels.get(pending.channel)
            if sales_channel is None:  # the channel left the catalog; nothing to follow it with
                self.journal.record("finished", package=pending.package, state="Abandoned")
                continue
            self.progress.note(
                f"{pending.channel}: following package {pending.package_id or pending.package} "
                "left by an interrupted apply"
            )
            channel = self.channel(sales_channel)
            if pending.submission == "xml" and pending.package_id is None:
                self._maybe_integrating.update((pending.channel, s) for s in pending.skus)
            outcome = channel.resume(_sent(pending), pending.package)
            if outcome is not None:
                self.progress.finished(outcome)
                outcomes.append(outcome)
        return outcomes

    # -- 3. send and follow --------------------------------------------------------------------
    def apply(self, plan: Plan, already_done: set[tuple[str, str]] | None = None) -> ApplyReport:
        """Send the plan's changes (less those `already_done`) and follow them to the end."""
        report = ApplyReport(plan.plan_hash)
        done = already_done or set()
        # Package names a person can find in the store: catalog, channel, plan, time (UTC).
        moment = clock.now().astimezone(UTC)
        run_id = f"{plan.plan_hash[:10]}-{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
        queue = self._packages(plan, done, run_id)
        sent: list[tuple[Channel, SentPackage]] = []  # submitted, not yet followed to the end
        try:
            for index, (channel, package) in enumerate(queue):
                if self._limit_reached(report):
                    report.stopped = f"--max-failures {self.options.max_failures} reached"
                    self._not_sent(report, queue[index:], report.stopped)
                    break
                result = self._submit(channel, package, plan.plan_hash)
                if isinstance(result, PackageOutcome):
                    self._finished(report, result)
                    continue
                self.progress.submitted(
                    channel.channel.name, result.package_id, len(result.actions)
                )
                sent.append((channel, result))
                if self.options.max_failures is not None:  # must know the failures before more
                    self._follow_all(report, sent)
            self._follow_all(report, sent)
            self._settle_maybe_integrated(report, plan)
        except MarketplaceUnreachable as err:
            report.unreachable = True
            report.stopped = str(err)
            self._unfinished(report, queue, sent)
        return report

    def _packages(
        self, plan: Plan, done: set[tuple[str, str]], run_id: str
    ) -> list[tuple[Channel, Package]]:
        by_channel: dict[str, list[Change]] = {}
        for change in plan.changes:
            if (change.channel, change.sku) not in done:
                by_channel.setdefault(change.channel, []).append(change)
        queue: list[tuple[Channel, Package]] = []
        for name, changes in sorted(by_channel.items()):
            sales_channel = self.catalog.channels[name]
            channel = self.channel(sales_channel)
            self._totals[name] = len(changes)
            for package in self._split(sales_channel, changes, run_id):
                queue.append((channel, package))
        if any(isinstance(c, xml_channel.XmlChannel) for c, _ in queue):
            self._open_store()  # a catalog without a usable store fails before anything is sent
        return queue

    def _split(self, channel: SalesChannel, changes: Sequence[Change], run_id: str) -> list:
        if channel.submission is Submission.JSON:
            return json_packages.split_packages(changes, self.options.json_package_size)
        catalog = _safe(Path(self.catalog.root).resolve().name)
        prefix = f"{catalog}-{_safe(channel.name)}-{run_id}"
        return xml_packages.split_packages(changes, prefix, self.options.xml_package_size)

    def _submit(
        self, channel: Channel, package: Package, plan_hash: str
    ) -> SentPackage | PackageOutcome:
        if isinstance(channel, json_channel.JsonChannel):
            assert isinstance(package, json_packages.JsonPackage)
            name = f"{_safe(channel.channel.name)}-{secrets.token_hex(6)}"
            return channel.submit(package, name, plan_hash)
        assert isinstance(package, xml_packages.XmlPackage)
        return channel.submit(package, plan_hash)

    def _follow_all(self, report: ApplyReport, sent: list[tuple[Channel, SentPackage]]) -> None:
        while sent:
            channel, result = sent[0]
            self._finished(report, channel.follow(result))
            sent.pop(0)

    def _settle_maybe_integrated(self, report: ApplyReport, plan: Plan) -> None:
        """Offers refused as awaiting processing (28xx) because the package an interrupted
        apply sent without learning its id held them: if they are now live as this plan
        wants, that package did the work, and they are reported integrated."""
        suspects = {
            (o.channel, o.sku)
            for o in report.offers
            if o.status is OfferStatus.REJECTED
            and o.code.startswith("28")
            and (o.channel, o.sku) in self._maybe_integrating
        }
        if not suspects:
            return
        wanted = {(c.channel, c.sku): c.after for c in plan.changes}
        channels = [self.catalog.channels[name] for name in sorted({c for c, _ in suspects})]
        live = read_live_offers(self.client, channels)
        done = {key for key in suspects if live.get(key) == wanted.get(key)}
        why = "integrated by the package of the interrupted apply"
        for index, package in enumerate(report.packages):
            offers = tuple(
                replace(o, status=OfferStatus.INTEGRATED, code="", message=why)
                if (o.channel, o.sku) in done
                else o
                for o in package.offers
            )
            report.packages[index] = replace(package, offers=offers)

    def _finished(self, report: ApplyReport, outcome: PackageOutcome) -> None:
        report.packages.append(outcome)
        self.progress.finished(outcome)

    def _limit_reached(self, report: ApplyReport) -> bool:
        limit = self.options.max_failures
        return limit is not None and report.failures >= limit

    def _not_sent(self, report: ApplyReport, queue: Sequence[tuple[Channel, Package]], why: str):
        for channel, package in queue:
            for change in package.changes:
                report.not_sent.append(
                    not_sent(channel.channel.name, change.sku, change.action.value, why)
                )

    def _unfinished(
        self,
        report: ApplyReport,
        queue: Sequence[tuple[Channel, Package]],
        sent: Sequence[tuple[Channel, SentPackage]],
    ) -> None:
        """After losing the marketplace: say which offers are pending and which never left."""
        reported = {(o.channel, o.sku) for o in report.offers}
        pending = {(channel.channel.name, sku) for channel, s in sent for sku in s.actions}
        why = "the marketplace could not be reached; the next apply sends it"
        for channel, package in queue:
            for change in package.changes:
                key = (channel.channel.name, change.sku)
                if key in reported:
                    continue
                if key in pending:
                    report.not_sent.append(
                        OfferOutcome(
                            key[0],
                            change.sku,
                            change.action.value,
                            OfferStatus.PENDING,
                            "",
                            "sent and still integrating; the next apply follows it to the end",
                        )
                    )
                else:
                    report.not_sent.append(not_sent(key[0], change.sku, change.action.value, why))


def _sent(pending: PendingPackage) -> SentPackage | None:
    if pending.package_id is None:
        return None
    return SentPackage(pending.package, pending.package_id, pending.package_type, pending.actions)


def _safe(name: str) -> str:
    """A name fit for a blob store key and a journal: letters, digits, dot, dash, underscore."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in name)
    return cleaned.strip("-._") or "channel"


def done_in_journal(journal: Journal, plan: Plan) -> set[tuple[str, str]]:
    """Offers of this plan an earlier (interrupted) apply already sent and saw end."""
    return journal.finished_skus(plan.plan_hash)
