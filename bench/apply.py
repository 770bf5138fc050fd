"""Apply cost: `python bench/apply.py --offers 100000 --changed 1000`.

A shop of N live offers on a json channel (seeded into an embedded sandbox), a catalog in which
`changed` of them have a new price. Prints, for the apply alone (the plan's read is shown apart):
- API calls made, by kind, against the API's minimum: uploads of 100, open + Ready + one state
  poll per package, the result pages (100 per page), plus the token; extra polls are waiting;
- bytes sent against the JSON size of the changed offers alone (their full offer JSON);
- wall time.
Beside them, the baseline measured in the same run: a full feed that re-sends every offer.
Then the XML side: rendering a 40,000-offer Full package (the largest allowed) against json.dumps
of the same offers.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconciler.apply.report import Progress  # noqa: E402
from reconciler.apply.run import ApplyOptions  # noqa: E402
from reconciler.apply.session import ApplyRequest, ApplySession  # noqa: E402
from reconciler.catalog.model import (  # noqa: E402
    Catalog,
    Condition,
    DeliveryOption,
    Guards,
    ManagePolicy,
    MarketplaceSettings,
    Offer,
    SalesChannel,
    Submission,
)
from reconciler.channels.json_packages import upsert_request  # noqa: E402
from reconciler.channels.outcome import OfferStatus  # noqa: E402
from reconciler.channels.pacing import Pacing  # noqa: E402
from reconciler.channels.xml_packages import XmlPackage, build_zip  # noqa: E402
from reconciler.marketplace.auth import Credentials  # noqa: E402
from reconciler.marketplace.client import MarketplaceClient  # noqa: E402
from reconciler.plan.model import Action, Change  # noqa: E402
from reconciler.sandbox.config import SandboxConfig  # noqa: E402
from reconciler.sandbox.embedded import run_embedded  # noqa: E402

CHANNEL = SalesChannel("zz", "SELLZZ", Submission.JSON)
_ID = re.compile(r"/[0-9a-f-]{36}")


class CountingClient(MarketplaceClient):
    """Counts every call by kind and the bytes of every request body."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.kinds: Counter[str] = Counter()
        self.body_bytes = 0
        self._http.event_hooks["request"].append(self._count)

    def _count(self, request: httpx.Request) -> None:
        path = _ID.sub("/{id}", request.url.path.replace("/seller/v2", ""))
        self.kinds[f"{request.method} {path}"] += 1
        self.body_bytes += len(request.content or b"")

    def reset(self) -> None:
        self.kinds.clear()
        self.body_bytes = 0


def ean13(number: int) -> str:
    body = f"376{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def make_offer(n: int) -> Offer:
    return Offer(
        channel="zz",
        sku=f"SKU-{n:06d}",
        gtin=ean13(n),
        price=Decimal("19.99") + n % 50,
        stock=5 + n % 7,
        condition=Condition.NEW,
        vat=Decimal("20.00"),
        eco_tax=Decimal("0.00"),
        dea_tax=Decimal("0.00"),
        preparation_days=2,
        delivery=(DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),),
    )


def wire_item(offer: Offer) -> dict:
    body = json.loads(json.dumps(upsert_request(offer)))
    return {
        "salesChannelId": CHANNEL.id,
        "sellerExternalReference": offer.sku,
        "product": body["product"],
        "price": body["price"]["price"],
        "taxes": body["price"]["taxes"],
        "deliveryModes": body["deliveryModes"],
        "preparationTime": body["preparationTime"],
        "quantity": body["quantity"],
    }


def seed(base_url: str, offers: list[Offer], chunk: int = 10_000) -> None:
    with httpx.Client(base_url=base_url, timeout=300) as admin:
        for start in range(0, len(offers), chunk):
            items = [wire_item(o) for o in offers[start : start + chunk]]
            admin.post("/sandbox/offers", json=items).raise_for_status()


def apply_bench(count: int, changed: int) -> None:
    offers = [make_offer(n) for n in range(count)]
    step = max(1, count // changed)
    desired = list(offers)
    for i in range(0, step * changed, step):
        desired[i] = replace(offers[i], price=offers[i].price + 1)
    with tempfile.TemporaryDirectory() as tmp:
        # The seeded offers' products are not in the referential: costs, not rules, are measured.
        config = SandboxConfig().with_overrides(integration_delay=0.2)
        with run_embedded(Path(tmp) / "sandbox", config) as sandbox:
            started = time.perf_counter()
            seed(sandbox.base_url, offers)
            print(f"seeded {count:,} live offers in {time.perf_counter() - started:.1f}s")
            catalog = Catalog(
                root=str(Path(tmp) / "catalog"),
                seller_id=sandbox.seller_id,
                marketplace=MarketplaceSettings(api_url=sandbox.api_url, auth_url=sandbox.auth_url),
                channels={"zz": CHANNEL},
                manage=ManagePolicy.LISTED,
                guards=Guards(),
                package_store=None,
                offers={o.key: o for o in desired},
            )
            credentials = Credentials(sandbox.client_id, sandbox.client_secret)
            with CountingClient(
                sandbox.api_url, sandbox.auth_url, credentials, sandbox.seller_id
            ) as client:
                options = ApplyOptions(pacing=Pacing(first=0.1, factor=1.5, cap=1.0))
                session = ApplySession(
                    catalog, client, Progress(lambda t: None), ApplyRequest(options=options)
                )
                started = time.perf_counter()
                plan = session.plan()
                plan_time = time.perf_counter() - started
                plan_calls = sum(client.kinds.values())
                client.reset()
                started = time.perf_counter()
                report = session.apply(plan)
                apply_time = time.perf_counter() - started
            report_apply(
                plan, report, client, plan_calls, plan_time, apply_time, desired, step, changed
            )


def report_apply(plan, report, client, plan_calls, plan_time, apply_time, desired, step, changed):
    kinds = client.kinds
    packages = len(report.packages)
    uploads = kinds["POST /offer-packages/{id}/offer-requests"]
    polls = kinds["GET /offer-packages/{id}"]
    pages = kinds["GET /offer-packages/{id}/offer-requests-results"]
    minimum = math.ceil(changed / 100) + 3 * packages + math.ceil(changed / 100)
    made = sum(kinds.values())
    tokens = sum(n for k, n in kinds.items() if "token" in k)
    changed_json = sum(
        len(json.dumps(upsert_request(desired[i]), separators=(",", ":")))
        for i in range(0, step * changed, step)
    )
    print(
        f"plan: {len(plan.changes):,} change(s), read in {plan_time:.2f}s with {plan_calls} calls"
    )
    print(
        f"apply: {report.count(OfferStatus.INTEGRATED)} integrated in {apply_time:.2f}s, "
        f"exit {int(report.exit_code)}"
    )
    print("calls by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print(
        f"calls: {made} made; minimum {minimum} (uploads {math.ceil(changed / 100)}, "
        f"3 x {packages} package(s), result pages {math.ceil(changed / 100)}) "
        f"+ {polls - packages} extra poll(s) while integrating + {tokens} token"
    )
    ratio = client.body_bytes / changed_json
    print(
        f"bytes sent: {client.body_bytes:,}; JSON of the changed offers alone: {changed_json:,} "
        f"({ratio:.2f}x, target <= 1.2x)"
    )
    full_started = time.perf_counter()
    full_bytes = sum(len(json.dumps(upsert_request(o), separators=(",", ":"))) for o in desired)
    full_time = time.perf_counter() - full_started
    full_calls = (
        math.ceil(len(desired) / 100)
        + 3 * math.ceil(len(desired) / 50_000)
        + math.ceil(len(desired) / 100)
    )
    print(
        f"baseline, a full feed re-sending all {len(desired):,} offers: >= {full_calls} calls, "
        f"{full_bytes:,} bytes (serialized in {full_time:.2f}s)"
    )
    assert uploads and pages  # the apply really went through the API


def xml_bench(count: int) -> None:
    offers = [
        replace(make_offer(n), channel="cdiscount", comment="Livré <vite> & bien")
        for n in range(count)
    ]
    changes = tuple(Change("cdiscount", o.sku, Action.CREATE, None, o) for o in offers)
    channel = SalesChannel("cdiscount", "CDISFR", Submission.XML, (1,))
    started = time.perf_counter()
    data = build_zip(XmlPackage("bench", "Full", changes), channel)
    xml_time = time.perf_counter() - started
    started = time.perf_counter()
    size = len(json.dumps([upsert_request(o) for o in offers]).encode())
    json_time = time.perf_counter() - started
    print(
        f"xml: {count:,}-offer Full package rendered and zipped in {xml_time:.2f}s "
        f"({len(data):,} bytes zipped); baseline json.dumps of the same offers {json_time:.2f}s "
        f"({size:,} bytes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--xml-offers", type=int, default=40_000)
    args = parser.parse_args()
    apply_bench(args.offers, args.changed)
    xml_bench(args.xml_offers)


if __name__ == "__main__":
    main()
