"""What a stock feed adds to loading a catalog: a 100,000-row CSV merged into 100,000 offers.

    python bench/feed.py [--offers 100000] [--repeat 3] [--dir D]

Writes the generated catalog (bench/generate.py) twice: as it is, and with `fields: {stock:
{from: erp-stock}}` and a CSV export (`;` separated, UTF-8 with BOM, one row per sku, a few
unknown skus) giving every offer a new stock. Prints `check_catalog` of each side by side, warm
(the parse cache filled by an untimed first run: the hourly stock sync, issue 17) and with the
cache off, the merge alone (reading the export, filling every offer) and the gc-off CSafeLoader
load of the same YAML files (bench/validate.py's floor), each run in its own child process,
interleaved, best of N, and the merge's cost as a share of the plain validate (the difference
of the two validates is printed too; on a busy machine it is noisier than the merge itself).
Target (issue 12): the merge adds at most 0.3 x the time of validate.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_catalog  # noqa: E402

SOURCE = """
sources:
  erp-stock:
    csv: exports/stock.csv
    key: sku
    columns: {stock: qty}
    max_age: 1d
fields:
  stock: {from: erp-stock}
"""


def write_fed(plain: Path, fed: Path, offers: int) -> None:
    shutil.copytree(plain, fed)
    with (fed / "catalog.yaml").open("a", encoding="utf-8") as settings:
        settings.write(SOURCE)
    rng = random.Random(12)
    rows = [f"SKU-{n:07d};{rng.randint(0, 200)}" for n in range(offers)]
    rows += [f"GONE-{n:04d};1" for n in range(20)]  # skus the catalog lacks: one warning
    (fed / "exports").mkdir()
    text = "\ufeffsku;qty\r\n" + "\r\n".join(rows) + "\r\n"
    (fed / "exports" / "stock.csv").write_text(text, encoding="utf-8")


def measure(root: Path) -> dict[str, float]:
    from reconciler.catalog import check_catalog

    start = time.perf_counter()
    catalog, problems = check_catalog(root)
    seconds = time.perf_counter() - start
    assert catalog is not None, [str(p) for p in problems if p.severity == "error"][:5]
    return {"seconds": seconds, "channel_offers": len(catalog.offers)}


def measure_merge(root: Path) -> dict[str, float]:
    """The merge alone: reading the export, then filling every offer's stock from it (what
    check_catalog does for a fed catalog beyond the plain one)."""
    from reconciler import clock
    from reconciler.catalog import check_catalog
    from reconciler.sources import Merge, read_feeds

    catalog, _ = check_catalog(root)
    gc.disable()  # as check_catalog runs it: the collector would walk the loaded offers
    merge = catalog.merge
    sources = {name: feed.source for name, feed in merge.feeds.items()}
    values = {"stock": 5, "price": 1}
    start = time.perf_counter()
    feeds, problems = read_feeds(sources, merge.ownership, root, clock.now())
    fresh = Merge(merge.ownership, feeds)
    for channel, sku in catalog.offers:
        fresh.fill(channel, sku, values)
    fresh.unknown_skus({sku for _, sku in catalog.offers})
    return {"seconds": time.perf_counter() - start, "channel_offers": len(catalog.offers)}


def measure_uncached(root: Path) -> dict[str, float]:
    import os

    os.environ["CATALOG_NO_CACHE"] = "1"
    return measure(root)


def measure_floor(root: Path) -> dict[str, float]:
    from validate import measure_plain_no_gc

    return measure_plain_no_gc(root)


MEASURES = {
    "validate": measure,
    "uncached": measure_uncached,
    "merge": measure_merge,
    "floor": measure_floor,
}


def _child(root: Path, kind: str = "validate") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(root), "--kind", kind],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="where to write the catalogs (default: temp)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="validate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(MEASURES[args.kind](args.child)))
        return
    base = args.dir or Path(tempfile.mkdtemp(prefix="feed-bench-"))
    plain, fed = base / "plain", base / "fed"
    if not plain.exists():
        write_catalog(args.offers, plain)
        write_fed(plain, fed, args.offers)
    _child(plain), _child(fed)  # fill the parse caches: "validate" is a warm run
    kinds = {  # label: (catalog, measure)
        "validate": (plain, "validate"),
        "validate + feed": (fed, "validate"),
        "no cache": (plain, "uncached"),
        "no cache + feed": (fed, "uncached"),
        "merge": (fed, "merge"),
        "yaml.load gc-off": (plain, "floor"),
    }
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for _ in range(args.repeat):  # interleaved: a busy machine slows each alike
        for kind, (root, measured) in kinds.items():
            runs[kind].append(_child(root, measured))
    best = {kind: min(r["seconds"] for r in measured) for kind, measured in runs.items()}
    print(f"catalog: {args.offers} offers ({runs['validate'][0]['channel_offers']} channel offers)")
    for kind, seconds in best.items():
        spread = " ".join(f"{r['seconds']:.2f}" for r in runs[kind])
        print(f"{kind:16} {seconds:7.2f} s   (runs: {spread})")
    floor = best["yaml.load gc-off"]
    for kind in ("validate", "validate + feed", "no cache", "no cache + feed"):
        print(f"{kind} / gc-off yaml.load: {best[kind] / floor:.3f}")
    added = best["validate + feed"] - best["validate"]
    print(f"difference of the two warm validates: {added:.2f} s = {added / best['validate']:.2f} x")
    share = best["merge"] / best["validate"]
    verdict = "met" if share <= 0.3 else "NOT met"
    print(
        f"the merge alone (read + fill every offer): {best['merge']:.2f} s = {share:.2f} x "
        f"validate (target <= 0.30: {verdict})"
    )
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
