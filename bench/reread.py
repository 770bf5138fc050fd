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

Both as the CI recipes run them: the first run of a runner has no snapshot of the shop (a full
read, which keeps one: `--refresh auto`); the next run restores it from the CI cache, and its
`plan --out` reads only the offers updated since (`updatedAtMin`): there, the ones the last
apply changed. That second run changes another `changed` offers of the catalog. The clock
margin is 0 here (the sandbox shares this machine's clock; in production the default margin
re-reads 5 minutes of changes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
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
from reconciler.marketplace import snapshot  # noqa: E402
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
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{n / 1e6:.3f} MB"


def run(
    catalog: Catalog, client: CountingClient, saved: Path, reads: list | None = None
) -> dict[str, Any]:
    """One CI run: `plan --out` (with a snapshot kept in the catalog's state folder), then
    `apply --plan`; the bytes and calls of each part. The plan is checked against a plan of a
    full read of every node (its bytes not counted)."""
    client.take()
    made = plan_against_marketplace(catalog, client, clock.now(), refresh="auto", reads=reads)
    counted = {"plan": client.take()}
    every = read_live_offers(client, catalog.channels.values())
    assert _what(build_plan(catalog, every, clock.now())) == _what(made)
    del every
    client.take()
    saved.write_text(dump_plan(made))
    plan = load_plan(str(saved))
    options = ApplyOptions(pacing=Pacing(first=0.05, factor=1.5, cap=0.5))
    request = ApplyRequest(saved_plan=plan, options=options)
    session = ApplySession(catalog, client, Progress(lambda t: None), request)
    checked = session.plan()
    counted["check"] = client.take()
    report = session.apply(checked)
    counted["send"] = client.take()
    return {**counted, "plan_object": plan, "exit": report.exit_code}


def _what(plan: Any) -> list:
    return [(c.channel, c.sku, c.action, c.fields) for c in plan.changes]


def changed_by(offers: list, changed: int, offset: int) -> list:
    step = max(1, len(offers) // changed)
    desired = list(offers)
    for i in range(offset % step, step * changed, step):
        desired[i] = replace(offers[i], price=offers[i].price + 1)
    return desired


def bench(count: int, changed: int) -> None:
    snapshot.CLOCK_MARGIN = timedelta(0)
    offers = [make_offer(n) for n in range(count)]
    desired = changed_by(offers, changed, 0)
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig().with_overrides(integration_delay=0.0)
        with run_embedded(Path(tmp) / "sandbox", config) as sandbox:
            seed(sandbox.base_url, offers)
            time.sleep(1.1)  # updatedAt is to the second: the snapshot starts after the seeding
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
            Path(catalog.root).mkdir()
            credentials = Credentials(sandbox.client_id, sandbox.client_secret)
            saved = Path(tmp) / "plan.json"
            with CountingClient(
                sandbox.api_url, sandbox.auth_url, credentials, sandbox.seller_id
            ) as client:
                # the baseline, before anything is applied: the plan's read of every node, and
                # the full re-read the saved plan's check made before (the same read again)
                client.take()
                every = read_live_offers(client, catalog.channels.values())
                old_plan = client.take()
                before = len(build_plan(catalog, every, clock.now()).changes)
                del every
                read_live_offers(client, catalog.channels.values())
                full = client.take()
                first = run(catalog, client, saved)  # no snapshot yet: a full read keeps one
                assert len(first["plan_object"].changes) == before
                # the next run: the snapshot restored, another `changed` offers of the catalog
                later = replace(catalog, offers={o.key: o for o in changed_by(desired, changed, 1)})
                how: list = []
                second = run(later, client, saved, how)
                assert not any(r.full for r in how), [r.note() for r in how]
    print(
        f"{count:,} live offers, {len(first['plan_object'].changes):,} changed; apply exit "
        f"{first['exit']}, then {second['exit']}"
    )
    before_total = old_plan[0] + full[0] + first["send"][0]
    print(f"  baseline, the plan's read of every node: {mb(old_plan[0])} in {old_plan[1]} calls")
    print(f"  baseline, apply's full re-read:          {mb(full[0])} in {full[1]} calls")
    for name, measured in (
        ("first run of a runner, no snapshot (full read, fields=)", first),
        ("next run, snapshot kept (reads what changed since)", second),
    ):
        total = sum(measured[part][0] for part in ("plan", "check", "send"))
        print(f"{name}:")
        print(
            f"  plan --out read {mb(measured['plan'][0])} in {measured['plan'][1]} calls; "
            f"apply --plan check {mb(measured['check'][0])} in {measured['check'][1]} calls; "
            f"sending {mb(measured['send'][0])} in {measured['send'][1]} calls"
        )
        print(
            f"  plan --out + apply --plan: {mb(total)}; baseline {mb(before_total)} "
            f"({total / before_total:.3f}x; target <= 0.2x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=1_000)
    args = parser.parse_args()
    bench(args.offers, args.changed)


if __name__ == "__main__":
    main()
