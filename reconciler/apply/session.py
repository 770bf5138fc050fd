"""One apply from start to end, without the terminal: what `catalog apply` and `catalog demo` run.

resume what an interrupted apply left -> the plan (made now, or a saved one checked against the
live offers) -> guards -> confirmation (the caller's) -> send and follow -> the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler import clock
from reconciler.apply.checks import check_guards, check_saved_plan
from reconciler.apply.journal import Journal
from reconciler.apply.report import ApplyReport, Progress
from reconciler.apply.run import ApplyOptions, ApplyRun
from reconciler.catalog.model import Catalog
from reconciler.channels.store import OfferPackageStore, open_store
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.live import read_live_offers
from reconciler.plan.build import plan_against_marketplace
from reconciler.plan.model import Plan
from reconciler.plan.readback import NO_RESEND, Resend


@dataclass(frozen=True)
class ApplyRequest:
    saved_plan: Plan | None = None
    ack: str | None = None
    allow: tuple[str, ...] = ()
    options: ApplyOptions = field(default_factory=ApplyOptions)
    resend: Resend = field(default_factory=Resend)  # --resend / --since


def sandbox_root(client: MarketplaceClient) -> str:
    """The embedded sandbox serves its API under /seller/v2 and its blob store beside it."""
    url = client.api_url
    return url[: -len("/seller/v2")] if url.endswith("/seller/v2") else url


def store_opener(catalog: Catalog, client: MarketplaceClient) -> Callable[[], OfferPackageStore]:
    sandbox = sandbox_root(client) if catalog.marketplace.sandbox else None
    return lambda: open_store(catalog.package_store, sandbox)


def current_plan(catalog: Catalog, client: MarketplaceClient, resend: Resend = NO_RESEND) -> Plan:
    """The plan `catalog plan` would show now (delivery modes checked, every channel read)."""
    return plan_against_marketplace(catalog, client, clock.now(), resend=resend)


def checked_saved_plan(
    catalog: Catalog, client: MarketplaceClient, journal: Journal, plan: Plan
) -> set[tuple[str, str]]:
    """Check a saved plan against the live offers it touches; return the offers already done."""
    touched = {c.channel for c in plan.changes}
    channels = [catalog.channels[name] for name in sorted(touched) if name in catalog.channels]
    live = read_live_offers(client, channels)
    done = journal.finished_skus(plan.plan_hash)
    check_saved_plan(plan, catalog, live, clock.now(), done)
    return done


class ApplySession:
    """The steps of one apply; the caller shows the plan and asks between `plan` and `apply`."""

    def __init__(
        self,
        catalog: Catalog,
        client: MarketplaceClient,
        progress: Progress,
        request: ApplyRequest | None = None,
    ):
        self.catalog = catalog
        self.client = client
        self.request = request or ApplyRequest()
        self.journal = Journal.for_catalog(catalog.root)
        self.run = ApplyRun(
            catalog,
            client,
            self.journal,
            store_opener(catalog, client),
            progress,
            self.request.options,
        )
        self.resumed: list = []
        self.done: set[tuple[str, str]] = set()

    def plan(self) -> Plan:
        """Follow what an interrupted apply left, then the plan to apply, guards checked."""
        self.resumed = self.run.resume()
        saved = self.request.saved_plan
        if saved is None:
            plan = current_plan(self.catalog, self.client, self.request.resend)
        else:
            self.done = checked_saved_plan(self.catalog, self.client, self.journal, saved)
            plan = saved
        check_guards(plan, self.request.ack, self.request.allow)
        return plan

    def left_to_send(self, plan: Plan) -> int:
        """Changes of the plan an earlier apply of the same plan has not already sent."""
        return sum(1 for c in plan.changes if (c.channel, c.sku) not in self.done)

    def apply(self, plan: Plan) -> ApplyReport:
        report = self.run.apply(plan, self.done)
        report.packages[:0] = self.resumed
        return report
