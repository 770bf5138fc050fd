"""The checks of `catalog doctor`, each a pass or a fail with what to do, and the read-back table.

Order matters: without a token nothing else can run; a channel the seller is not subscribed to
is not read. A mismatch between catalog.yaml and the account is located in catalog.yaml (exit
4); an unreachable or refusing marketplace or package store is exit 7.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from reconciler.catalog.load import load_yaml
from reconciler.catalog.model import Catalog, SalesChannel, Submission
from reconciler.channels.store import OfferPackageStore, public_url
from reconciler.doctor.capture import Recorder
from reconciler.errors import ExitCode, MarketplaceUnreachable, Problem, ReconcilerError
from reconciler.marketplace import wire
from reconciler.marketplace.auth import CLIENT_ID_VAR, CLIENT_SECRET_VAR
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.items import offer_from_wire
from reconciler.marketplace.live import configured_delivery_modes, unconfigured_delivery
from reconciler.plan.diff import COMPARED_FIELDS

READ_BACK_PAGE = 20
LIMIT_HEADERS = ("ratelimit", "rate-limit", "quota", "retry-after")


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str
    fix: str = ""
    problems: tuple[Problem, ...] = ()  # located in the catalog: exit 4
    unreachable: bool = False  # the marketplace or the store refused or did not answer: exit 7


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    # channel name -> [(catalog field, wire name it came back under, or "" when not returned)]
    read_back: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def exit_code(self) -> ExitCode:
        if any(c.unreachable for c in self.checks):
            return ExitCode.UNREACHABLE
        if any(not c.passed for c in self.checks):
            return ExitCode.INVALID_CATALOG
        return ExitCode.OK


def run_doctor(
    catalog: Catalog,
    client: MarketplaceClient,
    recorder: Recorder,
    store: Callable[[], OfferPackageStore] | None,
) -> Report:
    report = Report()
    credentials = _credentials(client, recorder)
    report.checks.append(credentials)
    if not credentials.passed:
        return report
    subscriptions = _subscriptions(client)
    if isinstance(subscriptions, Check):
        report.checks.append(subscriptions)
        return report
    channels = _channels(catalog, subscriptions)
    report.checks.append(channels)
    known = [c for c in catalog.channels.values() if c.id in subscriptions]
    report.checks.append(_delivery(client, catalog, known))
    for channel in known:
        check, rows = _read_back(client, channel)
        report.checks.append(check)
        report.read_back[channel.name] = rows
    if any(c.submission is Submission.XML for c in catalog.channels.values()):
        report.checks.append(_store(catalog, store))
    report.checks.append(_quota(recorder))
    return report


def _credentials(client: MarketplaceClient, recorder: Recorder) -> Check:
    fix = f"check {CLIENT_ID_VAR} / {CLIENT_SECRET_VAR} and the auth_url of catalog.yaml"
    try:
        client.tokens.bearer()
    except MarketplaceUnreachable as err:
        return Check("credentials", False, f"no token: {err}", fix, unreachable=True)
    lifetime = "not stated"
    for answer in recorder.answers:
        if answer.url.split("?")[0] == client.tokens.auth_url and answer.status == 200:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                lifetime = f"{int(json.loads(answer.body)['expires_in'])} s"
    return Check("credentials", True, f"token obtained, lifetime {lifetime}")


def _subscriptions(client: MarketplaceClient) -> dict[str, dict[str, Any]] | Check:
    """The seller's channels by id, or the failed check that says why there are none."""
    try:
        answer = client.request("GET", "/sellers/subscriptions")
    except MarketplaceUnreachable as err:
        return Check("seller", False, str(err), "check api_url in catalog.yaml", unreachable=True)
    if answer.status_code in (401, 403):
        return Check(
            "seller",
            False,
            f"seller {client.seller_id} refused: HTTP {answer.status_code} {answer.text[:200]}",
            "check seller_id in catalog.yaml and that the API client may act for it",
            unreachable=True,
        )
    try:
        items = wire.find(answer.json(), wire.ITEMS)
        found = {str(wire.find(i, *wire.SUBSCRIPTION_CHANNEL)): i for i in items}
    except (ValueError, TypeError):
        return Check(
            "seller",
            False,
            f"GET /sellers/subscriptions: HTTP {answer.status_code}, unreadable answer",
            "run with --capture DIR and file the capture",
            unreachable=True,
        )
    return found


def _channels(catalog: Catalog, subscriptions: dict[str, dict[str, Any]]) -> Check:
    settings = load_yaml(Path(catalog.root) / "catalog.yaml", "catalog.yaml")
    lines, problems = [], []
    for name, channel in sorted(catalog.channels.items()):
        item = subscriptions.get(channel.id)
        if item is None:
            problems.append(
                settings.problem(
                    ("channels", name, "id"),
                    f"the seller is not subscribed to sales channel {channel.id} "
                    f"(subscribed: {', '.join(sorted(subscriptions)) or 'none'})",
                )
            )
            continue
        state = wire.find(item, *wire.SUBSCRIPTION_STATE) or "state not stated"
        currency = wire.find(item, *wire.SUBSCRIPTION_CURRENCY) or "currency not stated"
        lines.append(f"{name} = {channel.id} ({state}, {currency})")
    if problems:
        return Check(
            "channels",
            False,
            "; ".join(str(p) for p in problems),
            "fix the channel id in catalog.yaml, or subscribe to it on the seller portal",
            tuple(problems),
        )
    return Check("channels", True, "; ".join(lines))


def _delivery(client: MarketplaceClient, catalog: Catalog, channels: list[SalesChannel]) -> Check:
    lines = []
    try:
        configured = {c.name: configured_delivery_modes(client, c) for c in channels}
    except ReconcilerError as err:
        return Check("delivery modes", False, str(err), "", unreachable=True)
    for name, modes in configured.items():
        lines.append(f"{name}: {', '.join(sorted(modes)) or 'none'}")
    problems = unconfigured_delivery(catalog, configured)
    if problems:
        return Check(
            "delivery modes",
            False,
            "; ".join(str(p) for p in problems),
            "configure these modes for the channel on the seller portal, or change the catalog",
            tuple(problems),
        )
    return Check("delivery modes", True, "configured per channel: " + "; ".join(lines))


def _read_back(client: MarketplaceClient, channel: SalesChannel) -> tuple[Check, list]:
    name = f"read-back {channel.name}"
    try:
        answer = client.call(
            "GET",
            "/offers",
            channel=channel.id,
            params={"salesChannelId": channel.id, "limit": READ_BACK_PAGE},
        )
        items = wire.find(answer.json(), wire.ITEMS)
    except (ReconcilerError, ValueError) as err:
        return Check(name, False, str(err), "", unreachable=True), []
    if not isinstance(items, list):
        return Check(name, False, "GET /offers: no items list", "", unreachable=True), []
    if not items:
        return Check(name, True, "no live offer yet: nothing to read back"), []
    unusable = []
    for index, item in enumerate(items, start=1):
        try:
            offer_from_wire(item, channel.name)
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as err:
            unusable.append(f"offer {index}: {err}")
    rows = table_rows(items)
    missing = [f for f, wire_name in rows if not wire_name]
    detail = f"{len(items)} offer(s) read" + (
        f"; not returned: {', '.join(missing)}" if missing else "; every field returned"
    )
    if unusable:
        fix = "run with --capture DIR and file the capture: the client cannot read these"
        return Check(name, False, detail + "; " + "; ".join(unusable), fix, unreachable=True), rows
    return Check(name, True, detail), rows


def table_rows(items: list[Any]) -> list[tuple[str, str]]:
    """For each catalog field, the wire name it came back under in these items ("" if none)."""
    found: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        keys = {wire.fold(k): k for k in item}
        for catalog_field in ("sku", *COMPARED_FIELDS):
            if catalog_field in found:
                continue
            nodes = wire.OFFER_FIELD_NODES.get(catalog_field, (wire.SKU,))
            suffix = wire.OFFER_FIELD_PATHS[catalog_field][len(nodes[0]) :]  # ".price", "[VAT]"
            for node in nodes:
                actual = keys.get(wire.fold(node))
                if actual is not None and _tax_present(catalog_field, item[actual]):
                    found[catalog_field] = actual + suffix
                    break
    return [(f, found.get(f, "")) for f in ("sku", *COMPARED_FIELDS)]


def _tax_present(catalog_field: str, node: Any) -> bool:
    code = {"vat": "vat", "eco_tax": "eco_tax", "dea_tax": "dea_tax"}.get(catalog_field)
    if code is None:
        return True
    codes = {
        wire.TAX_CODE_ALIASES.get(wire.fold(str(wire.find(t, wire.TAX_CODE) or "")))
        for t in node or ()
    }
    return code in codes


def _store(catalog: Catalog, store: Callable[[], OfferPackageStore] | None) -> Check:
    xml = [n for n, c in sorted(catalog.channels.items()) if c.submission is Submission.XML]
    try:
        if store is None:
            raise ReconcilerError("no package_store in catalog.yaml")
        detail = _publish_and_fetch(store())
    except (ReconcilerError, httpx.HTTPError) as err:
        fix = (
            f"xml channels ({', '.join(xml)}) need a package_store the marketplace can download "
            "from without credentials"
        )
        return Check("package store", False, str(err), fix, unreachable=True)
    return Check("package store", True, detail)


def _publish_and_fetch(store: OfferPackageStore) -> str:
    """The store's probe, fetched from the link the marketplace would get, then removed."""
    probe = store.probe()
    url, data = probe.url, probe.content  # a presigned link: shown without its query
    try:
        fetched = httpx.get(url, timeout=30, follow_redirects=True)
    finally:
        with contextlib.suppress(ReconcilerError):  # a store that cannot delete keeps it
            store.remove(probe.name)
    if fetched.status_code != 200 or fetched.content != data:
        raise ReconcilerError(
            f"the probe published at {public_url(url)} came back as HTTP {fetched.status_code}"
            f"{'' if fetched.content == data else ' with other content'}"
        )
    return f"probe published and fetched back from {public_url(url)}"


def _quota(recorder: Recorder) -> Check:
    said = sorted(
        {
            f"{k}: {v}"
            for a in recorder.answers
            for k, v in a.headers.items()
            if any(word in k.lower() for word in LIMIT_HEADERS)
        }
        | {a.body[:200] for a in recorder.answers if a.status in (403, 429) and "quota" in a.body}
    )
    return Check("quota", True, "; ".join(said) if said else "the answers said nothing of limits")
