"""Bytes an `apply --plan` reads back: `python bench/reread.py --offers 100000 --changed 1000`.

A shop of N live offers on a json channel (seeded into an embedded sandbox) and a catalog in
which `changed` of them have a new price. Measures the bytes received (response bodies) by
- `plan --out`: the plan's read of the shop, asking only the nodes its diff compares (`fields=`);
- `apply --plan` as it is now: the saved plan verified against the offers it touches only
  (`sellerExternalReferences` in batches of 100, the same `fields=`, plus counting as far as
  the share guards need), then the packages sent and followed;
and, measured in the same run as the baseline, the reads made before: the plan's read of every
node, and the full re-read `apply --plan` made (every page of every channel the plan touches).
Issue 17's target: plan --out + apply --plan <= 0.2x the baseline total (full plan read + full
re-read + the same sending).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apply import CHANNEL, make_offer, seed  # noqa: E402

from reconciler import clock  # noqa: E402
from reconciler.apply.report import Progress  # noqa: E402
from reconciler.apply.run import ApplyOptions  # noqa: E402
from reconciler.apply.session import ApplyRequest, ApplySession  # noqa: E402
from reconciler.catalog.model import Catalog, Guards, ManagePolicy, MarketplaceSettings  # noqa: E402
from reconciler.channels.pacing import Pacing  # noqa: E402
from reconciler.marketplace.auth import Credentials  # noqa: E402
from reconciler.marketplace.client import MarketplaceClient  # noqa: E402
from reconciler.marketplace.live import read_live_offers  # noqa: E402
from reconciler.plan.build import build_plan, plan_against_marketplace  # noqa: E402
from reconciler.plan.serialize import dump_plan, load_plan  # noqa: E402
from reconciler.sandbox.config import SandboxConfig  # noqa: E402
from reconciler.sandbox.embedded import run_embedded  # noqa: E402


class CountingClient(MarketplaceClient):
    """Counts the bytes of every answer body and the calls."""

    received = 0
    calls = 0

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        response = super().call(method, path, **kw)
        self.received += len(response.content)
        self.calls += 1
        return response

    def take(self) -> tuple[int, int]:
        counted = (self.received, self.calls)
        self.received = self.calls = 0
        return counted


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def bench(count: int, changed: int) -> None:
    offers = [make_offer(n) for n in range(count)]
    step = max(1, count // changed)
    desired = list(offers)
    for i in range(0, step * changed, step):
        desired[i] = replace(offers[i], price=offers[i].price + 1)
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig().with_overrides(integration_delay=0.0)
        with run_embedded(Path(tmp) / "sandbox", config) as sandbox:
            seed(sandbox.base_url, offers)
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
                client.take()
                made = plan_against_marketplace(catalog, client, clock.now())
                plan_bytes, plan_calls = client.take()
                saved = Path(tmp) / "plan.json"
                saved.write_text(dump_plan(made))
                plan = load_plan(str(saved))
                # the baseline: the plan's read of every node, and the full re-read the saved
                # plan's check made before (the same read again)
                every = read_live_offers(client, catalog.channels.values())
                old_plan_bytes, old_plan_calls = client.take()
                assert len(build_plan(catalog, every, clock.now()).changes) == len(plan.changes)
                read_live_offers(client, catalog.channels.values())
                full_bytes, full_calls = client.take()
                options = ApplyOptions(pacing=Pacing(first=0.05, factor=1.5, cap=0.5))
                request = ApplyRequest(saved_plan=plan, options=options)
                session = ApplySession(catalog, client, Progress(lambda t: None), request)
                checked = session.plan()
                check_bytes, check_calls = client.take()
                report = session.apply(checked)
                send_bytes, send_calls = client.take()
    now_total = plan_bytes + check_bytes + send_bytes
    untrimmed = old_plan_bytes + check_bytes + send_bytes  # touched-only check, no fields=
    before_total = old_plan_bytes + full_bytes + send_bytes
    print(f"{count:,} live offers, {len(plan.changes):,} changed; apply exit {report.exit_code}")
    print(f"plan --out read, fields=:        {mb(plan_bytes)} in {plan_calls} calls")
    print(f"  baseline, every node:          {mb(old_plan_bytes)} in {old_plan_calls} calls")
    print(f"apply --plan check, touched only: {mb(check_bytes)} in {check_calls} calls")
    print(f"  baseline, full re-read:        {mb(full_bytes)} in {full_calls} calls")
    print(f"apply sending and following:     {mb(send_bytes)} in {send_calls} calls")
    print(
        f"plan --out + apply --plan: {mb(now_total)}; baseline {mb(before_total)} "
        f"({now_total / before_total:.2f}x; target <= 0.2x; without fields= "
        f"{mb(untrimmed)}, {untrimmed / before_total:.2f}x); "
        f"the check alone {check_bytes / full_bytes:.3f}x its baseline"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=1_000)
    args = parser.parse_args()
    bench(args.offers, args.changed)


if __name__ == "__main__":
    main()
