"""The integration of one submitted package (JSON or XML) into the live offers.

Runs in a worker thread, off the event loop: a 40,000-offer package must not stall the API.
Every offer gets a status and result codes; one bad offer never stops the others.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from reconciler import clock
from reconciler.sandbox import wire
from reconciler.sandbox.config import Faults, SandboxConfig
from reconciler.sandbox.offers import (
    draft_from_item,
    draft_from_request,
    draft_from_xml,
    item_from_draft,
)
from reconciler.sandbox.rules import (
    AWAITING,
    CREATED,
    INJECTED,
    NO_SUCH_OFFER,
    P_SKU,
    REFERENCE_REUSED,
    UPDATED,
    Context,
    Rejected,
    Result,
    check,
    code,
)
from reconciler.sandbox.store import Store

INTEGRATED, REJECTED, DUPLICATED = "Integrated", "Rejected", "Duplicated"


def timestamp() -> str:
    """Now, UTC, to the second: a fixed-width text, so updatedAtMin compares as text."""
    return clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Outcome:
    sku: str
    gtin: str
    status: str
    results: list[Result]
    item: dict[str, Any] | None = None  # to save
    delete: bool = False


def integrate(store: Store, config: SandboxConfig, faults: Faults, rng: random.Random, pid: str):
    """Integrate package `pid` now: write offers and per-offer results, set its final state."""
    package = store.package(pid)
    if package is None:
        return
    if faults.reject_packages:
        result = {"resultCode": "PackageRejected", "message": "package rejected (injected fault)"}
        store.update_package(pid, state=REJECTED, result=json.dumps(result))
        return
    channel = package["channel"]
    requests = [(sku, wire.loads(body)) for sku, body in store.package_offers(pid)]
    existing = {
        sku: wire.loads(item)
        for sku, item in store.offers_by_sku(channel, [s for s, _ in requests]).items()
    }
    known = None
    if config.require_known_products:
        lived = {item["product"]["gtin"] for item in existing.values()}
        known = frozenset(store.known_gtins(_gtins(requests) | lived))
    ctx = Context(config.delivery_codes_on(channel), known)
    seen = Counter(sku for sku, _ in requests)
    conflicts = set(json.loads(package["conflicts"]))
    now = timestamp()
    outcomes = []
    for sku, body in requests:
        if seen[sku] > 1:
            outcomes.append(_duplicate(sku, body, package["kind"]))
        elif sku in conflicts:
            outcomes.append(
                _rejected(
                    sku, body, code(AWAITING, P_SKU), "offer awaiting processing in another package"
                )
            )
        elif faults.offer_reject_share and rng.random() < faults.offer_reject_share:
            outcomes.append(_rejected(sku, body, code(INJECTED, 99), "rejected (injected fault)"))
        else:
            outcomes.append(_one(package, sku, body, existing.get(sku), ctx, config, now))
    _write(store, package, outcomes, now)
    store.update_package(pid, state=INTEGRATED)


def _gtins(requests: list[tuple[str, Any]]) -> set[str]:
    found = set()
    for _, body in requests:
        gtin = _gtin_of(body)
        if gtin:
            found.add(gtin)
    return found


def _gtin_of(body: Any) -> str:
    if isinstance(body, dict) and "attrs" in body:
        return str(body["attrs"].get("ProductEan", ""))
    if isinstance(body, dict) and isinstance(body.get("product"), dict):
        return str(body["product"].get("gtin", ""))
    return ""


def _duplicate(sku: str, body: Any, kind: str) -> Outcome:
    message = "the seller reference appears more than once in this package: all are rejected"
    status = DUPLICATED if kind == "json" else REJECTED
    return Outcome(sku, _gtin_of(body), status, [Result(code(REFERENCE_REUSED, P_SKU), message)])


def _rejected(sku: str, body: Any, result_code: int, message: str) -> Outcome:
    return Outcome(sku, _gtin_of(body), REJECTED, [Result(result_code, message)])


def _one(package, sku, body, live, ctx, config, now) -> Outcome:
    kind, ptype = package["kind"], package["package_type"]
    before = draft_from_item(live) if live else None
    try:
        if ptype == "Delete":
            if live is None:
                raise _no_offer(sku)
            return Outcome(
                sku, before["gtin"], INTEGRATED, [Result(UPDATED, "deleted")], None, True
            )
        full = ptype in ("Upsert", "Full")
        if not full and live is None:
            raise _no_offer(sku)
        if kind == "json":
            draft = draft_from_request(body, before, full)
        else:
            draft = draft_from_xml(body, before, full)
    except Rejected as err:
        return Outcome(sku, _gtin_of(body), REJECTED, [err.result])
    if before and (draft["gtin"], draft["condition"]) != (before["gtin"], before["condition"]):
        message = f"{sku} is already used for EAN {before['gtin']} / {before['condition']}"
        return Outcome(
            sku, draft["gtin"], REJECTED, [Result(code(REFERENCE_REUSED, P_SKU), message)]
        )
    problems = check(draft, ctx)
    if problems:
        return Outcome(sku, draft["gtin"], REJECTED, problems)
    created = live["createdAt"] if live else now
    item = item_from_draft(draft, package["channel"], config.seller_id, created, now)
    result = Result(UPDATED, "updated") if live else Result(CREATED, "created")
    return Outcome(sku, draft["gtin"], INTEGRATED, [result], item)


def _no_offer(sku: str) -> Rejected:
    message = f"offer {sku} does not exist and cannot be updated: use Upsert (or Full) first"
    return Rejected(Result(code(NO_SUCH_OFFER, P_SKU), message))


def _write(store: Store, package: dict[str, Any], outcomes: list[Outcome], now: str) -> None:
    channel = package["channel"]
    rows = [_row(o.item) for o in outcomes if o.item is not None]
    store.save_offers(channel, rows)
    store.delete_offers(channel, [o.sku for o in outcomes if o.delete])
    if package["purge"]:
        kept = {o.sku for o in outcomes}
        _withdraw(store, channel, store.channel_skus(channel) - kept, now)
    store.save_results(
        package["id"],
        [(o.sku, o.gtin, o.status, wire.dumps([r.to_dict() for r in o.results])) for o in outcomes],
    )


def _row(item: dict[str, Any]) -> tuple[str, str, str, int, str, str]:
    return (
        item["sellerExternalReference"],
        item["product"]["gtin"],
        item["offerId"],
        item["quantity"],
        item["updatedAt"],
        wire.dumps(item),
    )


def _withdraw(store: Store, channel: str, skus: set[str], now: str) -> None:
    """PurgeAndReplace: offers missing from the package stay, unpublished (stock 0)."""
    rows = []
    for item_text in store.offers_by_sku(channel, skus).values():
        item = wire.loads(item_text)
        if item["quantity"] != 0:
            item.update(quantity=0, offerState="Inactive", updatedAt=now)
            rows.append(_row(item))
    store.save_offers(channel, rows)
