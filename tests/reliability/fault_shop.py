"""The shop the reliability suite applies under fire, and the checks that hold the report to
the truth: what the sandbox really holds (GET /offers) and every offer request it received
(GET /sandbox/submissions).

The shop has both channel kinds and every action: on `zz` (json) creates, price updates and
deletes; on `cdiscount` (xml) creates with a comment, stock-only updates (StockAndPrice), a
preparation-time update (Full) and withdrawals (stock 0). Offers left alone must stay so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from apply_market import CHANNELS, Market, catalog, offer

from reconciler.catalog.model import Catalog, ManagePolicy, Offer
from reconciler.marketplace.live import read_live_offers
from reconciler.plan.diff import field_changes
from reconciler.plan.model import Action, Plan
from reconciler.plan.readback import compared_fields

JSON_LIVE, XML_LIVE = range(60), range(40)  # the shop before the apply
ZZ_ID, CDIS_ID = CHANNELS["zz"].id, CHANNELS["cdiscount"].id


def seed_item(o: Offer) -> dict[str, Any]:
    """A live offer in the GET /offers item shape, equal in normal form to `o`."""
    return {
        "sellerExternalReference": o.sku,
        "salesChannelId": CHANNELS[o.channel].id,
        "product": {"gtin": o.gtin},
        "integrationPrice": {"price": float(o.price)},
        "quantity": o.stock,
        "taxes": [{"code": "VAT", "value": float(o.vat)}],
        "deliveryModes": [
            {"code": d.mode, "cost": float(d.cost), "additionalCost": float(d.additional_cost)}
            for d in o.delivery
        ],
        "preparationTime": o.preparation_days,
    }


def seeded_offers() -> list[Offer]:
    return [offer("zz", n) for n in JSON_LIVE] + [offer("cdiscount", n) for n in XML_LIVE]


def seed_shop(market: Market) -> None:
    market.admin("/sandbox/offers", [seed_item(o) for o in seeded_offers()])


def desired_offers() -> list[Offer]:
    zz = [replace(offer("zz", n), price=Decimal("21.99")) for n in range(20)]  # updates
    zz += [offer("zz", n) for n in range(20, 40)]  # unchanged; 40-59 deleted
    zz += [offer("zz", n) for n in range(60, 200)]  # creates
    cd = [replace(offer("cdiscount", n), stock=7) for n in range(10)]  # StockAndPrice
    cd += [replace(offer("cdiscount", n), preparation_days=3) for n in range(10, 15)]  # Full
    cd += [offer("cdiscount", n) for n in range(15, 20)]  # unchanged; 20-39 withdrawn
    cd += [offer("cdiscount", n, comment="Livré <vite> & bien") for n in range(40, 140)]
    return zz + cd


def desired_catalog(root: Path, market: Market) -> Catalog:
    return catalog(root, market, desired_offers(), manage=ManagePolicy.ALL)


def live_offers(
    market: Market, cat: Catalog, as_planned: bool = False
) -> dict[tuple[str, str], Offer]:
    """The live offers, every node; `as_planned`: as the plan reads them (its fields=), to
    compare with the `before` of its changes."""
    fields = compared_fields(cat) if as_planned else None
    with market.client() as client:
        return read_live_offers(client, cat.channels.values(), fields=fields)


def submissions(market: Market) -> list[dict[str, Any]]:
    answer = httpx.get(market.base + "/sandbox/submissions", timeout=30)
    answer.raise_for_status()
    return answer.json()["items"]


def name_of(channel_id: str) -> str:
    return next(name for name, ch in CHANNELS.items() if ch.id == channel_id)


def report_mismatches(
    plan: Plan,
    report: dict[str, Any],
    before: dict[tuple[str, str], Offer],
    after: dict[tuple[str, str], Offer],
    sent: list[dict[str, Any]],
) -> list[str]:
    """Every way the report (its JSON) disagrees with the shop and with what the sandbox got.

    `before`/`after`: the live offers around the apply; `sent`: the offer requests the sandbox
    received during it. Empty when the report tells the truth, offer by offer.
    """
    wrong: list[str] = []
    told = {(o["channel"], o["sku"]): o for o in report["offers"]}
    if len(told) != len(report["offers"]):
        wrong.append("an offer appears twice in the report")
    changes = {(c.channel, c.sku): c for c in plan.changes}
    if set(told) != set(changes):
        missing, extra = set(changes) - set(told), set(told) - set(changes)
        wrong.append(f"report offers != plan changes: missing {missing}, extra {extra}")
    fates = defaultdict(list)
    for row in sent:
        fates[(name_of(row["salesChannelId"]), row["sellerExternalReference"])].append(row)
    for key, change in changes.items():
        said = told.get(key)
        if said is not None:
            wrong += _offer_mismatch(key, change, said["status"], after.get(key), fates[key])
    for key, live in before.items():  # offers the plan did not touch are left as they were
        if key not in changes and after.get(key) != live:
            wrong.append(f"{key}: not in the plan, yet changed on the marketplace")
    return wrong


def _same(live: Offer | None, other: Offer | None) -> bool:
    """Equal in every field both state: a live offer read with the plan's fields= leaves the
    others unknown."""
    if live is None or other is None:
        return live is other
    return not field_changes(live, other)


def _offer_mismatch(key, change, status: str, live: Offer | None, fates: list) -> list[str]:
    expected_after = None if change.action is Action.DELETE else change.after
    integrated = [f for f in fates if f["status"] == "Integrated"]
    if status == "integrated":
        ok = _same(live, expected_after) and len(integrated) == 1
    elif status in ("rejected", "not_sent"):
        ok = _same(live, change.before) and not integrated
        if status == "rejected":
            refused = [
                f
                for f in fates
                if f["state"] == "Rejected" or f["status"] in ("Rejected", "Duplicated")
            ]
            ok = ok and bool(refused)
    elif status == "pending":  # sent, its end not seen (still integrating, answer lost)
        ok = (_same(live, change.before) or _same(live, expected_after)) and len(integrated) <= 1
    else:
        ok = False
    if ok:
        return []
    return [f"{key}: report says {status} ({change.action.value}); live {live}; sandbox {fates}"]


def sent_twice(rows: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Offers sent again while an earlier request for them had integrated or could integrate,
    by (salesChannelId, sku), with the fate of each request.

    A request may only be followed by another for the same offer if it ended badly (rejected,
    its package rejected whole) or its package never became Ready (json WaitingForCompletion).
    """
    by_offer = defaultdict(list)
    for row in rows:
        by_offer[(row["salesChannelId"], row["sellerExternalReference"])].append(row)
    found = {}
    for key, fates in by_offer.items():
        # its package never became Ready, or was refused whole; or the offer was refused
        harmless = [
            f["state"] in ("WaitingForCompletion", "Rejected") or f["status"] == "Rejected"
            for f in fates[:-1]
        ]
        twice_in_one = any(f["status"] == "Duplicated" for f in fates)
        if not all(harmless) or twice_in_one:
            found[key] = str([(f["packageId"], f["state"], f["status"]) for f in fates])
    return found


def integrated_twice(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Offers the marketplace integrated from more than one request."""
    count: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["status"] == "Integrated":
            count[(row["salesChannelId"], row["sellerExternalReference"])] += 1
    return sorted(key for key, n in count.items() if n > 1)
