"""Peak memory of a whole `catalog plan` at a million offers: `python bench/million.py`

Issue 17: "at 1,000,000 offers the whole plan stays under 1.5 GB peak". A catalog of N offers
(bench/generate.py: two channels, so 2 N channel offers on each side of the diff) and a sandbox
(own process) seeded with every one of them live, 1% at another price. Then, each in a fresh
process whose own peak RSS is read with wait4 (not the sandbox's, not this script's):
- cold: `catalog plan --out` with the parse cache emptied and `--refresh full` (parses every file,
  reads every page, fills the cache and the snapshots);
- warm: the same command again (cache and snapshots from the cold run: incremental read).
Beside them, the floor measured in the same run: a process that only holds the desired offers
of the catalog (`desired_offers`), i.e. what any plan must keep of one side, loaded warm (each
run points catalog.yaml at a new sandbox port, which empties the parse cache's view: the floor
runs twice and the second, warm, is kept; the first, a cold parse, is printed beside it).
With `--warm` (a --dir whose last run left its cache and snapshots), only the floor and the warm
plan run: a quicker figure while working on the warm plan.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_catalog  # noqa: E402
from plan import point_catalog_at, start_sandbox, wire  # noqa: E402

from reconciler.catalog import load_catalog  # noqa: E402
from reconciler.clock import now  # noqa: E402
from reconciler.operations.discounts import desired_offers  # noqa: E402

FLOOR = """
import sys, resource
from reconciler import collector
from reconciler.catalog import load_catalog
from reconciler.clock import now
from reconciler.operations.discounts import desired_offers
with collector.paused():
    offers = desired_offers(load_catalog(sys.argv[1]), now())
print(len(offers))
"""


def seed(root: Path, base_url: str) -> int:
    """Every desired offer live, 1% at another price, posted 10,000 at a time (never all held)."""
    catalog = load_catalog(root)
    ids = {name: ch.id for name, ch in catalog.channels.items()}
    batch, count = [], 0
    with httpx.Client(base_url=base_url, timeout=600) as admin:
        for index, offer in enumerate(desired_offers(catalog, now()).values()):
            if index % 100 == 0:
                offer = replace(offer, price=offer.price + 1)
            batch.append(wire(offer, ids[offer.channel]))
            if len(batch) == 10_000:
                admin.post("/sandbox/offers", json=batch).raise_for_status()
                count, batch = count + len(batch), []
        if batch:
            admin.post("/sandbox/offers", json=batch).raise_for_status()
            count += len(batch)
    return count


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, this process's own peak RSS in MB, exit code)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, help="keep the catalog and sandbox here")
    parser.add_argument("--warm", action="store_true", help="no cold plan: the last run's kept")
    options = parser.parse_args()
    work = options.dir or Path(tempfile.mkdtemp(prefix="bench-million-"))
    root = work / "catalog"
    started = time.perf_counter()
    if not (root / "catalog.yaml").exists():
        write_catalog(options.offers, root, per_file=options.offers // 10)
    print(f"catalog of {options.offers:,} offers in {root} ({time.perf_counter() - started:.0f} s)")
    # a sandbox kept in --dir from an earlier run already holds every offer
    seeded = (work / "sandbox" / "sandbox.sqlite3").exists()
    sandbox, base_url, credentials = start_sandbox(work / "sandbox")
    try:
        settings = root / "catalog.yaml"  # a kept catalog names the last run's port: renamed
        text = re.sub(r"http://127\.0\.0\.1:\d+", base_url, settings.read_text())
        settings.write_text(text)
        point_catalog_at(root, base_url)
        started = time.perf_counter()
        live = 2 * options.offers if seeded else seed(root, base_url)
        seconds = time.perf_counter() - started
        print(f"sandbox seeded with {live:,} live channel offers ({seconds:.0f} s)")
        env = {
            **os.environ,
            "OCTOPIA_CLIENT_ID": credentials.client_id,
            "OCTOPIA_CLIENT_SECRET": credentials.client_secret,
            "CATALOG_REFRESH": "auto",
        }
        env.pop("CATALOG_NO_CACHE", None)
        cold_floor = run([sys.executable, "-c", FLOOR, str(root)], env)  # fills the cache
        floor = run([sys.executable, "-c", FLOOR, str(root)], env)
        catalog = [str(Path(sys.executable).parent / "catalog"), "plan", str(root)]
        out = ["--out", str(work / "plan.json"), "--format", "json"]
        cold = None
        if not options.warm:
            shutil.rmtree(root / ".catalog", ignore_errors=True)
            cold = run([*catalog, *out, "--refresh", "full"], env)
        warm = run([*catalog, *out], env)
    finally:
        sandbox.stdin.close()
        sandbox.wait()
    print(f"\n{options.offers:,} offers ({live:,} channel offers live, as many desired)")
    print(f"floor: desired offers held  {floor[0]:7.1f} s  peak {floor[1]:6.0f} MB (warm load)")
    print(f"  same, cold load           {cold_floor[0]:7.1f} s  peak {cold_floor[1]:6.0f} MB")
    for name, figures in (("cold plan (full read)", cold), ("warm plan", warm)):
        if figures is None:
            continue
        seconds, peak, code = figures
        verdict = "met" if peak < 1536 else "MISSED"
        print(
            f"{name:26s} {seconds:7.1f} s  peak {peak:6.0f} MB  exit {code}  "
            f"(target < 1,536 MB: {verdict}; {peak / floor[1]:.2f} x the floor)"
        )


if __name__ == "__main__":
    main()
