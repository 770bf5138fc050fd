"""The apply report: per channel what was integrated, rejected (sku, code, meaning) or not sent.

The same report is shown as text and written as JSON (`--report apply-report.json`); progress
while applying goes through a `Progress`, a live rich display on a terminal, plain lines in CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.channels.outcome import OfferOutcome, OfferStatus, PackageOutcome
from reconciler.errors import ExitCode
from reconciler.replace_file import replace_file

REPORT_VERSION = 1


@dataclass
class ApplyReport:
    plan_hash: str
    packages: list[PackageOutcome] = field(default_factory=list)
    not_sent: list[OfferOutcome] = field(default_factory=list)
    stopped: str = ""  # why the apply ended before sending everything
    unreachable: bool = False

    @property
    def offers(self) -> list[OfferOutcome]:
        found = [o for p in self.packages for o in p.offers]
        return found + self.not_sent

    def count(self, status: OfferStatus, channel: str | None = None) -> int:
        return sum(
            1
            for o in self.offers
            if o.status is status and (channel is None or o.channel == channel)
        )

    @property
    def failures(self) -> int:
        return self.count(OfferStatus.REJECTED) + self.count(OfferStatus.NOT_SENT)

    @property
    def exit_code(self) -> ExitCode:
        if self.unreachable or self.count(OfferStatus.PENDING):  # the end was not seen
            return ExitCode.UNREACHABLE
        if self.failures:
            return ExitCode.PARTLY_FAILED
        return ExitCode.OK

    def channels(self) -> list[str]:
        return sorted({o.channel for o in self.offers} | {p.channel for p in self.packages})

    def to_dict(self) -> dict[str, object]:
        return {
            "report_version": REPORT_VERSION,
            "plan_hash": self.plan_hash,
            "exit_code": int(self.exit_code),
            "stopped": self.stopped,
            "channels": {
                name: {status.value: self.count(status, name) for status in OfferStatus}
                for name in self.channels()
            },
            "packages": [p.to_dict() for p in self.packages],
            "offers": [o.to_dict() for o in self.offers],
        }


def write_report(report: ApplyReport, path: str | Path) -> None:
    replace_file(path, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")


def summary_lines(report: ApplyReport) -> list[str]:
    """The end-of-apply summary, one channel at a time, every rejected offer named."""
    lines: list[str] = []
    for name in report.channels():
        counts = ", ".join(
            f"{report.count(status, name)} {status.value.replace('_', ' ')}"
            for status in OfferStatus
        )
        lines.append(f"{name}: {counts}")
        for offer in report.offers:
            if offer.channel != name or offer.status is OfferStatus.INTEGRATED:
                continue
            code = f" [{offer.code}]" if offer.code else ""
            lines.append(
                f"  {offer.status.value} {offer.sku} ({offer.action}){code}: {offer.message}"
            )
    resumed = [p for p in report.packages if p.resumed]
    if resumed:
        lines.append(
            f"{len(resumed)} package(s) from an interrupted apply were followed to the end"
        )
    if report.stopped:
        lines.append(f"Stopped early: {report.stopped}")
    if not lines:
        lines.append("Nothing was sent.")
    return lines


class Progress:
    """Plain progress lines (CI, pipes); RichProgress draws the same events live."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def note(self, text: str) -> None:
        self.echo(text)

    def uploaded(self, channel: str, count: int, total: int) -> None:
        """`count` of the `total` offers of a channel have now gone out."""

    def submitted(self, channel: str, package: str, offers: int) -> None:
        self.echo(f"{channel}: package {package} submitted ({offers} offer(s)), integrating")

    def finished(self, outcome: PackageOutcome) -> None:
        integrated = outcome.count(OfferStatus.INTEGRATED)
        message = f": {outcome.message}" if outcome.message else ""
        self.echo(
            f"{outcome.channel}: package {outcome.package_id} {outcome.state}, "
            f"{integrated}/{len(outcome.offers)} offer(s) integrated{message}"
        )


class RichProgress(Progress):
    """Live on a terminal: a bar per channel (offers uploaded, elapsed, time left), then a
    spinner per submitted package with its elapsed time until it ends, and a line when it does.
    """

    def __init__(self, console: object):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bars

        assert isinstance(console, Console)
        self.console = console
        super().__init__(lambda text: console.print(text, markup=False, highlight=False))
        self.bars = Bars(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, int] = {}
        self.packages: dict[str, int] = {}

    def __enter__(self) -> RichProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def uploaded(self, channel: str, count: int, total: int) -> None:
        if channel not in self.tasks:
            self.tasks[channel] = self.bars.add_task(f"{channel}: offers sent", total=total)
        self.bars.update(self.tasks[channel], completed=count, total=total)

    def submitted(self, channel: str, package: str, offers: int) -> None:
        # No total: the marketplace says when it is done, not how far it got.
        self.packages[package] = self.bars.add_task(
            f"{channel}: package {package} ({offers} offer(s)) integrating", total=None
        )

    def finished(self, outcome: PackageOutcome) -> None:
        task = self.packages.pop(outcome.package_id, None)
        if task is not None:
            self.bars.update(
                task,
                total=1,
                completed=1,
                description=f"{outcome.channel}: package {outcome.package_id} {outcome.state}",
            )
        super().finished(outcome)
