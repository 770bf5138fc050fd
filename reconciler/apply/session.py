"""One apply from start to end, without the terminal: what `catalog apply` and `catalog demo` run.

resume what an interrupted apply left -> the plan (made now, or a saved one checked against the
live offers) -> guards -> confirmation (the caller's) -> send and follow -> the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from reconciler import clock
from reconciler.apply.checks import check_guards, check_plan_hash, verify_saved_plan
from reconciler.apply.journal import Journal
from reconciler.apply.report import ApplyReport, Progress
from reconciler.apply.reread import count_live, needed_count, read_touched
from reconciler.apply.run import ApplyOptions, ApplyRun
from reconciler.catalog.model import Catalog
from reconciler.channels.store import OfferPackageStore, open_store
from reconciler.marketplace.client import MarketplaceClient
from reconciler.plan.build import plan_against_marketplace
from reconciler.plan.diff import Target
from reconciler.plan.guards import check_guards as check_plan_guards
from reconciler.plan.model import Action, Change, ChannelSummary, GuardViolation, Plan
from reconciler.plan.readback import NO_RESEND, Resend, compared_fields


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
    catalog: Catalog, client: MarketplaceClient, plan: Plan
) -> tuple[Plan, frozenset[tuple[str, str]]]:
    """A saved plan verified against the catalog and the live offers it touches (exit 6 if it
    is not the reviewed one or no longer true): the plan left to send, and the offers of it
    already live as planned."""
    check_plan_hash(plan)
    keys = [(c.channel, c.sku) for c in plan.changes if c.channel in catalog.channels]
    # the fields the plan asked (the same catalog, or the plan is stale anyway)
    fields = compared_fields(catalog, Resend(frozenset(plan.target.get("resend", ()))))
    live = read_touched(client, catalog.channels, keys, fields)
    verified = verify_saved_plan(plan, catalog, live, clock.now())
    guards = recounted_guards(catalog, client, plan, verified.changes)
    return replace(plan, changes=verified.changes, guards=guards), verified.done


def recounted_guards(
    catalog: Catalog, client: MarketplaceClient, plan: Plan, changes: tuple[Change, ...]
) -> tuple[GuardViolation, ...]:
    """The guards of these changes, never read from the file: each channel's live offers are
    counted as far as its share guards need."""
    target = Target(tuple(plan.target.get("channels", ())), tuple(plan.target.get("skus", ())))
    summaries = []
    for name in sorted({c.channel for c in changes}):
        actions = [c.action for c in changes if c.channel == name]
        updates = actions.count(Action.UPDATE)
        removals = actions.count(Action.DELETE) + actions.count(Action.WITHDRAW)
        channel = catalog.channels[name]
        needed = needed_count(catalog.guards, updates, removals)
        summaries.append(
            ChannelSummary(
                name,
                channel.id,
                channel.submission.value,
                live_offers=count_live(client, channel, target, needed),
            )
        )
    return check_plan_guards(catalog.guards, summaries, changes)


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
        self.done: frozenset[tuple[str, str]] = frozenset()  # of a saved plan, already live

    def plan(self) -> Plan:
        """Follow what an interrupted apply left, then the plan to apply, guards checked."""
        self.resumed = self.run.resume()
        saved = self.request.saved_plan
        if saved is None:
            plan = current_plan(self.catalog, self.client, self.request.resend)
        else:
            plan, self.done = checked_saved_plan(self.catalog, self.client, saved)
        check_guards(plan, self.request.ack, self.request.allow)
        return plan

    def apply(self, plan: Plan) -> ApplyReport:
        report = self.run.apply(plan)
        report.packages[:0] = self.resumed
        return report
