"""How fast `catalog validate` is, beside a plain PyYAML C-loader read of the same files.

    python bench/validate.py DIR [--repeat N]

Prints offers/s and peak memory of check_catalog(DIR), the time of `yaml.load(f,
Loader=yaml.CSafeLoader)` over the same YAML files (the baseline, measured in the same run), and
the ratios. Targets (issue 17): warm validate (parse cache filled, catalog unchanged) <= 0.1 x
the gc-off load; cold (empty cache) <= 1.0 x. Each side is measured in its own child process,
so one's memory does not count against the other.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def _files(root: Path) -> list[Path]:
    parts = [root / "catalog.yaml"]
    for folder in ("offers", "operations"):
        parts += sorted((root / folder).glob("*.yaml"))
    return [p for p in parts if p.is_file()]


def measure_plain(root: Path) -> dict[str, float]:
    import yaml

    start = time.perf_counter()
    for path in _files(root):
        with path.open("rb") as stream:
            yaml.load(stream, Loader=yaml.CSafeLoader)
    return {"seconds": time.perf_counter() - start}


def measure_plain_no_gc(root: Path) -> dict[str, float]:
    """The same plain load with Python's cycle collector paused, as validate runs: the fair
    comparison of the work itself (the collector is most of the plain load's time)."""
    import gc

    gc.disable()
    return measure_plain(root)


def measure_cold(root: Path) -> dict[str, float]:
    """validate with an empty parse cache (it fills it: what a first run pays)."""
    import shutil

    from reconciler.state import StateFolder

    shutil.rmtree(StateFolder(root).cache)
    return measure_validate(root)


def measure_uncached(root: Path) -> dict[str, float]:
    """validate with the parse cache off (CATALOG_NO_CACHE=1): the parse alone."""
    import os

    os.environ["CATALOG_NO_CACHE"] = "1"
    return measure_validate(root)


MEASURES = {
    "plain": measure_plain,
    "plain-no-gc": measure_plain_no_gc,
    "cold": measure_cold,
    "uncached": measure_uncached,
}


def measure_validate(root: Path) -> dict[str, float]:
    from reconciler.catalog import check_catalog

    start = time.perf_counter()
    catalog, problems = check_catalog(root)
    seconds = time.perf_counter() - start
    errors = sum(1 for p in problems if p.severity == "error")
    declared = len({sku for _, sku in catalog.offers}) if catalog else 0
    return {
        "seconds": seconds,
        "offers": declared,
        "channel_offers": len(catalog.offers) if catalog else 0,
        "errors": errors,
    }


def _child(kind: str, root: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, str(root), "--child", kind],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    parser.add_argument("--child", choices=(*MEASURES, "validate"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = MEASURES.get(args.child, measure_validate)(args.dir)
        figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return
    # "validate" runs right after "cold", so it reads an unchanged catalog from the cache
    kinds = ("plain", "plain-no-gc", "uncached", "cold", "validate")
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for _ in range(args.repeat):  # interleaved, so a busy machine slows each alike
        for kind, measured in runs.items():
            measured.append(_child(kind, args.dir))
    best = {kind: min(measured, key=lambda f: f["seconds"]) for kind, measured in runs.items()}
    offers = best["validate"]["offers"]
    per_channel = best["validate"]["channel_offers"]
    print(f"catalog: {args.dir} ({offers} offers, {per_channel} channel offers)")
    print(f"errors found: {best['validate']['errors']}")
    labels = {
        "validate": "validate, warm",
        "plain": "yaml.load (C)",
        "plain-no-gc": "  same, gc off",
        "uncached": "validate, no cache",
        "cold": "validate, cold",
    }
    for kind, run in best.items():
        rate = offers / run["seconds"]
        print(
            f"{labels[kind]:19} {run['seconds']:7.2f} s {rate:9.0f} offers/s "
            f"peak {run['peak_mb']:5.0f} MB"
        )
    floor = best["plain-no-gc"]["seconds"]
    targets = {"validate": 0.1, "cold": 1.0, "uncached": 1.0}
    for kind, target in targets.items():
        ratio = best[kind]["seconds"] / floor
        verdict = "met" if ratio <= target else "missed"
        print(f"{labels[kind]} / gc-off yaml.load: {ratio:.3f} (target <= {target}): {verdict}")
    for kind, measured in runs.items():
        print(f"runs of {kind} (s): " + " ".join(f"{f['seconds']:.2f}" for f in measured))


if __name__ == "__main__":
    main()
