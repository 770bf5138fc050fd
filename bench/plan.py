"""How fast is `catalog plan` on a big shop? `python bench/plan.py --offers 100000`

A catalog of N offers (bench/generate.py, two channels) and a sandbox seeded with every one of
its offers as live, 1% of them with another price. The sandbox runs in its own process so the
figures are the client's. Printed side by side, all measured in this run:

- bare loop: plain httpx GETs over the same /offers pages (token, headers, cursor, no parsing),
  and the same loop decoding each page with json.loads, then with orjson.loads (fairer floors)
- plain load: PyYAML's CSafeLoader `yaml.load` of the catalog files (no checks, no positions),
  with Python's cycle collector on (as a plain script runs) and off (as validate and plan run)
- fetch: our client reading every live offer into the normal form (channels in parallel), paced
  as `catalog plan` is (the governor's 20 calls/s after a burst of 20) and with the pacing lifted
  (the client's own cost)
- plan: the whole `catalog plan DIR --out plan.json` command in a fresh process
Targets: fetch <= 1.2 x bare loop; plan <= bare loop + 1.5 x plain load; peak memory < 1 GB.
Each figure is the best of --repeat runs (default 3), runs interleaved.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
import orjson
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_catalog  # noqa: E402

from reconciler.catalog import load_catalog  # noqa: E402
from reconciler.catalog.model import Offer  # noqa: E402
from reconciler.catalog.normal import API_CONDITIONS  # noqa: E402
from reconciler.clock import now  # noqa: E402
from reconciler.marketplace.auth import Credentials  # noqa: E402
from reconciler.marketplace.client import MarketplaceClient  # noqa: E402
from reconciler.marketplace.governor import Limits  # noqa: E402
from reconciler.marketplace.live import check_delivery_modes, read_live_offers  # noqa: E402
from reconciler.operations.discounts import desired_offers  # noqa: E402
from reconciler.plan.build import build_plan  # noqa: E402
from reconciler.plan.serialize import save_plan  # noqa: E402

SANDBOX = """
import sys
from reconciler.sandbox.embedded import run_embedded
with run_embedded(sys.argv[1]) as market:
    print(market.base_url, market.client_id, market.client_secret, flush=True)
    sys.stdin.read()
"""
PAGE = 1000


def wire(offer: Offer, channel_id: str) -> dict:
    """A live offer in the GET /offers item shape (reconciler/sandbox/README.md)."""

    def num(value: Decimal) -> float:
        return float(value)

    return {
        "sellerExternalReference": offer.sku,
        "salesChannelId": channel_id,
        "product": {"gtin": offer.gtin},
        "condition": API_CONDITIONS[offer.condition],
        "integrationPrice": {"price": num(offer.price)},
        "quantity": offer.stock,
        "taxes": [
            {"code": "VAT", "value": num(offer.vat)},
            {"code": "Ecotax", "value": num(offer.eco_tax)},
            {"code": "DEA", "value": num(offer.dea_tax)},
        ],
        "deliveryModes": [
            {"code": d.mode, "cost": num(d.cost), "additionalCost": num(d.additional_cost)}
            for d in offer.delivery
        ],
        "preparationTime": offer.preparation_days,
        "comment": offer.comment,
        "strikedPrice": {"price": num(offer.striked_price)} if offer.striked_price else None,
        "commercialOperations": [
            {
                "type": "Sales" if d.kind.value == "sales" else "FlashSale",
                "discountPercent": d.percent,
                "salesReferencePrice": num(d.reference_price) if d.reference_price else None,
                "startDate": d.start.isoformat(),
                "endDate": d.end.isoformat(),
            }
            for d in offer.discounts
        ],
    }


def start_sandbox(state: Path) -> tuple[subprocess.Popen, str, Credentials]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SANDBOX, str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url, client_id, secret = proc.stdout.readline().split()
    return proc, base_url, Credentials(client_id, secret)


def point_catalog_at(root: Path, base_url: str) -> None:
    path = root / "catalog.yaml"
    market = (
        f"marketplace:\n  api_url: {base_url}/seller/v2\n"
        f"  auth_url: {base_url}/auth/realms/maas/protocol/openid-connect/token\n"
    )
    path.write_text(re.sub(r"marketplace: \{sandbox: embedded\}\n", market, path.read_text()))


def seed(root: Path, base_url: str) -> tuple[int, int]:
    """Every desired offer live, 1% of them at another price; returns (live, differing)."""
    catalog = load_catalog(root)
    ids = {name: ch.id for name, ch in catalog.channels.items()}
    items, differing = [], 0
    for index, offer in enumerate(desired_offers(catalog, now()).values()):
        if index % 100 == 0:
            offer = replace(offer, price=offer.price + 1)
            differing += 1
        items.append(wire(offer, ids[offer.channel]))
    with httpx.Client(base_url=base_url, timeout=600) as admin:
        for start in range(0, len(items), 10_000):
            admin.post("/sandbox/offers", json=items[start : start + 10_000]).raise_for_status()
    return len(items), differing


UNPACED = Limits(calls_per_second=1e6, burst=1_000_000)
DECODERS = {"none": None, "json": json.loads, "orjson": orjson.loads}


def bare_loop(
    base_url: str,
    credentials: Credentials,
    channels: list[str],
    decode: str = "none",
    collect: bool = True,
    fields: dict[str, str] | None = None,
) -> tuple[float, int]:
    """The floor: GET every page with httpx (and decode it with DECODERS[decode]), nothing else.

    `collect=False` pauses the cycle collector meanwhile, as our client does while it reads;
    `fields` (channel id -> a `fields=` value): the same trimmed pages our client asks for."""
    loads = DECODERS[decode]
    if not collect:
        gc.disable()
    started = time.perf_counter()
    calls = 1
    with httpx.Client(base_url=f"{base_url}/seller/v2", timeout=120) as http:
        token = http.post(
            f"{base_url}/auth/realms/maas/protocol/openid-connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
        ).json()["access_token"]
        for channel in channels:
            headers = {"Authorization": f"Bearer {token}", "SellerId": "98979"}
            headers["SalesChannelId"] = channel
            url: str | None = "/offers"
            params: dict | None = {"salesChannelId": channel, "limit": PAGE}
            if fields and channel in fields:
                params["fields"] = fields[channel]
            while url:
                response = http.get(url, params=params, headers=headers)
                response.raise_for_status()
                calls += 1
                if loads:
                    loads(response.content)
                following = response.links.get("next", {}).get("url")
                url, params = (
                    (str(response.url.join(following)), None) if following else (None, None)
                )
    seconds = time.perf_counter() - started
    gc.enable()
    return seconds, calls


def plain_load(root: Path, collect: bool = True) -> float:
    """yaml.load of every catalog file; `collect=False` pauses the cycle collector meanwhile."""
    if not collect:
        gc.disable()
    started = time.perf_counter()
    for path in sorted(root.rglob("*.yaml")):
        if ".catalog" not in path.parts:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    seconds = time.perf_counter() - started
    gc.enable()
    gc.collect()
    return seconds


def fetch(base_url: str, credentials: Credentials, root: Path, limits: Limits) -> dict:
    """Our client reading every live offer, as plan does (delivery modes, then offers)."""
    catalog = load_catalog(root)
    api = f"{base_url}/seller/v2"
    auth = f"{base_url}/auth/realms/maas/protocol/openid-connect/token"
    with MarketplaceClient(api, auth, credentials, catalog.seller_id, limits=limits) as client:
        started = time.perf_counter()
        check_delivery_modes(client, catalog)
        live = read_live_offers(client, list(catalog.channels.values()))
        seconds = time.perf_counter() - started
        calls = client.governor.calls
    del live
    gc.collect()
    return {"seconds": seconds, "calls": calls}


def stages(root: Path, base_url: str, credentials: Credentials) -> dict[str, float | int]:
    """The plan's steps in this process, each timed: where the time of `plan` goes."""
    figures: dict[str, float | int] = {}
    started = time.perf_counter()
    catalog = load_catalog(root)
    figures["load"] = time.perf_counter() - started
    api = f"{base_url}/seller/v2"
    auth = f"{base_url}/auth/realms/maas/protocol/openid-connect/token"
    with MarketplaceClient(api, auth, credentials, catalog.seller_id) as client:
        started = time.perf_counter()
        check_delivery_modes(client, catalog)
        live = read_live_offers(client, list(catalog.channels.values()))
        figures["fetch"] = time.perf_counter() - started
        figures["calls"] = client.governor.calls
        figures["read"] = len(live)
    started = time.perf_counter()
    plan = build_plan(catalog, live, now())
    figures["diff"] = time.perf_counter() - started
    started = time.perf_counter()
    save_plan(plan, str(root / "plan-in-process.json"))
    figures["save"] = time.perf_counter() - started
    return figures


def whole_plan(root: Path, credentials: Credentials) -> tuple[float, float, dict]:
    env = {
        **os.environ,
        "OCTOPIA_CLIENT_ID": credentials.client_id,
        "OCTOPIA_CLIENT_SECRET": credentials.client_secret,
    }
    out = root / "plan.json"
    catalog_cli = Path(sys.executable).parent / "catalog"
    started = time.perf_counter()
    subprocess.run(
        [str(catalog_cli), "plan", str(root), "--out", str(out), "--format", "json"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, json.loads(out.read_text())


def _best(runs: list[float]) -> float:
    return min(runs)


def measure(root: Path, base_url: str, credentials: Credentials, repeat: int) -> dict:
    """Every figure `repeat` times, interleaved, so a busy machine slows each alike."""
    channels = ["CDISFR", "SELLZZ"]
    bare_loop(base_url, credentials, channels)  # warm the sandbox's page cache
    runs: dict[str, list] = {}
    for _ in range(repeat):
        for decode in DECODERS:
            runs.setdefault(f"bare-{decode}", []).append(
                bare_loop(base_url, credentials, channels, decode)[0]
            )
        runs.setdefault("bare-orjson-no-gc", []).append(
            bare_loop(base_url, credentials, channels, "orjson", collect=False)[0]
        )
        runs.setdefault("load", []).append(plain_load(root))
        runs.setdefault("load-no-gc", []).append(plain_load(root, collect=False))
        runs.setdefault("fetch", []).append(fetch(base_url, credentials, root, Limits()))
        runs.setdefault("fetch-unpaced", []).append(fetch(base_url, credentials, root, UNPACED))
        runs.setdefault("plan", []).append(whole_plan(root, credentials))
    best = {k: _best(v) for k, v in runs.items() if not k.startswith(("fetch", "plan"))}
    for kind in ("fetch", "fetch-unpaced"):
        best[kind] = min(runs[kind], key=lambda f: f["seconds"])
    best["plan"] = min(runs["plan"], key=lambda r: r[0])
    best["runs"] = runs
    return best


def report(best: dict, steps: dict) -> None:
    bare, decoded, fast = best["bare-none"], best["bare-json"], best["bare-orjson"]
    print(f"bare httpx GET loop      : {bare:7.2f} s")
    print(f"  same + json.loads      : {decoded:7.2f} s")
    print(f"  same + orjson.loads    : {fast:7.2f} s  (gc off: {best['bare-orjson-no-gc']:.2f} s)")
    print(f"plain CSafeLoader load   : {best['load']:7.2f} s  (gc off: {best['load-no-gc']:.2f} s)")
    paced, own = best["fetch"], best["fetch-unpaced"]
    limits = Limits()
    floor = max(0, paced["calls"] - limits.burst) / limits.calls_per_second
    print(
        f"fetch, paced as plan is  : {paced['seconds']:7.2f} s  ({paced['calls']} calls; the "
        f"governor's pace alone takes {floor:.2f} s)"
    )
    print(
        f"fetch, pacing lifted     : {own['seconds']:7.2f} s  = {own['seconds'] / bare:.2f} x bare "
        f"loop (target <= 1.2), {own['seconds'] / decoded:.2f} x bare + json.loads, "
        f"{own['seconds'] / fast:.2f} x bare + orjson.loads, "
        f"{own['seconds'] / best['bare-orjson-no-gc']:.2f} x the same gc off"
    )
    plan_s, peak_mb, plan = best["plan"]
    updates = sum(s["updates"] for s in plan["channels"])
    for name, load in (("plain load", best["load"]), ("plain load gc off", best["load-no-gc"])):
        budget = bare + 1.5 * load
        verdict = "met" if plan_s <= budget else "MISSED"
        print(
            f"whole catalog plan       : {plan_s:7.2f} s  ({updates:,} updates)  target <= "
            f"{budget:.2f} s (bare + 1.5 x {name}): {verdict}"
        )
    print(
        f"  in process: load {steps['load']:.2f} s, fetch {steps['fetch']:.2f} s, "
        f"diff {steps['diff']:.2f} s, save {steps['save']:.2f} s"
    )
    print(f"peak memory of plan      : {peak_mb:7.0f} MB (target < 1024)")
    for kind, measured in best["runs"].items():
        values = [m["seconds"] if isinstance(m, dict) else m for m in measured]
        values = [v[0] if isinstance(v, tuple) else v for v in values]
        print(f"runs of {kind} (s): " + " ".join(f"{v:.2f}" for v in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = parser.parse_args()
    root = (args.dir or Path(tempfile.mkdtemp(prefix="bench-plan-"))) / "catalog"
    os.environ.setdefault("CATALOG_NOW", "2026-11-25T10:00:00+01:00")
    write_catalog(args.offers, root)
    proc, base_url, credentials = start_sandbox(root / ".catalog" / "sandbox-bench")
    try:
        point_catalog_at(root, base_url)
        live, differing = seed(root, base_url)
        print(f"catalog: {args.offers:,} offers; sandbox: {live:,} live, {differing:,} differ")
        best = measure(root, base_url, credentials, args.repeat)
        steps = stages(root, base_url, credentials)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    report(best, steps)


if __name__ == "__main__":
    main()
