"""How the diff alone grows: `python bench/diff.py --offers 10000 100000 1000000`.

For each size N, in its own child process (so one size's memory does not count against the
next): N desired offers on two channels (half each, in normal form, built in memory, no YAML),
the live side equal to them except 1% with another price, 0.5% missing (creates) and 0.5% more
(withdrawn or deleted under `manage: all`). Timed: `build_plan` (diff + guards + hash, as plan
runs it, without reading or saving), and `diff_offers` alone. Memory: the process's peak RSS
once the inputs exist, and the peak reached during the diff on top of it. Beside them, the
baseline measured in the same child: a dict comprehension comparing the two sides with `==`
(the least any diff must do). Figures are the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
from reconciler.plan.build import build_plan  # noqa: E402
from reconciler.plan.diff import diff_offers  # noqa: E402

CHANNELS = {
    "cdiscount": SalesChannel("cdiscount", "CDISFR", Submission.XML, (1,)),
    "marketplace-zz": SalesChannel("marketplace-zz", "SELLZZ", Submission.JSON),
}
NOW = datetime.fromisoformat("2026-11-25T10:00:00+01:00")
DELIVERY = (
    DeliveryOption("REG", Decimal("6.90"), Decimal("2.00")),
    DeliveryOption("TRK", Decimal("4.90"), Decimal("1.00")),
)


def offer(channel: str, n: int) -> Offer:
    return Offer(
        channel=channel,
        sku=f"SKU-{n:07d}",
        gtin=f"376{n:010d}",
        price=Decimal(500 + n % 49_500) / 100,
        stock=n % 200,
        condition=Condition.NEW,
        vat=Decimal("20.00"),
        eco_tax=Decimal("0.00"),
        dea_tax=Decimal("0.00"),
        preparation_days=2,
        delivery=DELIVERY,
        comment="Expédié sous 2 jours" if channel == "cdiscount" and n % 5 == 0 else "",
    )


def sides(offers: int) -> tuple[dict, dict]:
    desired, live = {}, {}
    per_channel = offers // len(CHANNELS)
    for name in CHANNELS:
        for n in range(per_channel):
            wanted = offer(name, n)
            if n % 200 != 1:  # 0.5% not live yet: creates
                seen = replace(wanted, price=wanted.price + 1) if n % 100 == 0 else wanted
                live[name, wanted.sku] = seen
            desired[name, wanted.sku] = wanted
        for n in range(per_channel, per_channel + per_channel // 200):  # 0.5% more: removals
            live[name, f"SKU-{n:07d}"] = offer(name, n)
    return desired, live


def catalog(desired: dict) -> Catalog:
    return Catalog(
        root=".",
        seller_id=98979,
        marketplace=MarketplaceSettings(),
        channels=CHANNELS,
        manage=ManagePolicy.ALL,
        guards=Guards(),
        package_store=None,
        offers=desired,
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(offers: int, repeat: int) -> dict:
    gc.disable()  # as plan runs its heavy steps; the figures are then the work, not the GC
    desired, live = sides(offers)
    shop = catalog(desired)
    inputs_mb = peak_mb()
    figures: dict[str, float] = {"baseline": 1e9, "diff": 1e9, "plan": 1e9}
    for _ in range(repeat):
        started = time.perf_counter()
        differ = {k: v for k, v in desired.items() if live.get(k) != v}
        figures["baseline"] = min(figures["baseline"], time.perf_counter() - started)
        del differ
        started = time.perf_counter()
        changes, _ = diff_offers(CHANNELS, desired, live, shop.manage)
        figures["diff"] = min(figures["diff"], time.perf_counter() - started)
        counts = {a.value: 0 for a in {c.action for c in changes}}
        for change in changes:
            counts[change.action.value] += 1
        del changes
        started = time.perf_counter()
        plan = build_plan(shop, live, NOW)
        figures["plan"] = min(figures["plan"], time.perf_counter() - started)
        del plan
    return {"offers": offers, "inputs_mb": inputs_mb, "peak_mb": peak_mb(), **figures, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return
    print(f"machine: {os.cpu_count()} cores; best of {args.repeat} runs; 1% updates, 0.5% creates,")
    print("0.5% removals; offers = desired channel offers, half on each channel (xml and json)")
    print(
        f"{'offers':>10} {'== loop':>9} {'diff':>8} {'plan':>8} {'diff/==':>8} "
        f"{'us/offer':>9} {'inputs':>8} {'peak':>8} {'diff mem':>9}  changes"
    )
    previous = None
    for size in args.offers:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        f = json.loads(out)
        kinds = ("update", "create", "withdraw", "delete")
        changes = ", ".join(f"{f.get(k, 0):,} {k}" for k in kinds)
        print(
            f"{size:>10,} {f['baseline']:8.3f}s {f['diff']:7.3f}s {f['plan']:7.3f}s "
            f"{f['diff'] / f['baseline']:7.1f}x {f['plan'] / size * 1e6:8.2f} "
            f"{f['inputs_mb']:6.0f}MB {f['peak_mb']:6.0f}MB {f['peak_mb'] - f['inputs_mb']:7.0f}MB"
            f"  {changes}"
        )
        if previous:
            grow = size / previous["offers"]
            print(
                f"{'':>10} x{grow:g} offers: plan time x{f['plan'] / previous['plan']:.1f}, "
                f"peak memory x{f['peak_mb'] / previous['peak_mb']:.1f}"
            )
        previous = f


if __name__ == "__main__":
    main()
