"""`catalog validate` inside a git repository (the Omnibus check reads the price history) beside
the same catalog outside git: `python bench/omnibus.py [--offers 20000] [--commits 20]`.

A catalog of N offers (bench/generate.py; its winter sale starts 2027-01-07) is committed once
long before, then `--commits` times within the sale's 30-day window, each commit changing 50
prices of one offers file. The clock is set to 2027-01-01 (CATALOG_NOW), so every sale offer's
history in the window is read. Each run is a fresh process doing what `catalog validate` does
(check_catalog + the Omnibus check, the history read ahead in a second process while the catalog
loads): cold (the parse cache, the history entries and the kept result emptied) and warm (a
second run, nothing changed). Target (issue 17): inside git <= 1.2 x outside.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_catalog  # noqa: E402

NOW = "2027-01-01T10:00:00+01:00"
PRICE = re.compile(r"^(    price: )(\d+\.\d\d)$", re.MULTILINE)


def _git(folder: Path, *args: str, date: str) -> None:
    env = {
        **os.environ,
        **{f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
           for what, value in (("NAME", "bench"), ("EMAIL", "b@example.com"), ("DATE", date))},
        "GIT_CONFIG_GLOBAL": os.devnull,
    }  # fmt: skip
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def build(root: Path, offers: int, commits: int) -> tuple[Path, Path]:
    inside, outside = root / "inside", root / "outside"
    write_catalog(offers, inside)
    _git(inside, "init", "-q", "-b", "main", date="2026-10-01T10:00:00+02:00")
    _git(inside, "add", "-A", date="2026-10-01T10:00:00+02:00")
    _git(inside, "commit", "-qm", "the shop", date="2026-10-01T10:00:00+02:00")
    rng = random.Random(3)
    files = sorted((inside / "offers").glob("*.yaml"))
    for number in range(commits):
        path = rng.choice(files)
        text = path.read_text(encoding="utf-8")
        spots = rng.sample(list(PRICE.finditer(text)), 50)
        for match in sorted(spots, key=lambda m: m.start(), reverse=True):
            cents = max(100, round(float(match[2]) * 100) + rng.choice((-300, 200)))
            text = text[: match.start(2)] + f"{cents / 100:.2f}" + text[match.end(2) :]
        path.write_text(text, encoding="utf-8")
        date = f"2026-12-{9 + number % 20:02d}T{8 + number // 20:02d}:00:00+01:00"
        _git(inside, "commit", "-qam", f"prices {number}", date=date)
    shutil.copytree(inside, outside, ignore=shutil.ignore_patterns(".git", ".catalog"))
    return inside, outside


def measure(folder: Path) -> dict[str, float]:
    from reconciler import clock
    from reconciler.catalog import check_catalog
    from reconciler.operations.early import read_ahead
    from reconciler.operations.omnibus import check_omnibus

    start = time.perf_counter()
    with read_ahead(folder, clock.now()) as ahead:  # as `catalog validate` does
        catalog, _ = check_catalog(folder)
        check = check_omnibus(catalog, clock.now(), ahead)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "checked": check.checked, "findings": len(check.findings)}


def _child(folder: Path, cold: bool) -> dict[str, float]:
    if cold:
        shutil.rmtree(folder / ".catalog", ignore_errors=True)
    env = {**os.environ, "CATALOG_NOW": NOW}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    with tempfile.TemporaryDirectory() as temporary:
        inside, outside = build(Path(temporary), args.offers, args.commits)
        runs: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.repeat):  # interleaved: a busy machine slows each alike
            for state in ("cold", "warm"):
                for where, folder in (("outside", outside), ("inside", inside)):
                    runs.setdefault(f"{where} {state}", []).append(_child(folder, state == "cold"))
    best = {kind: min(r["seconds"] for r in measured) for kind, measured in runs.items()}
    sample = runs["inside warm"][0]
    print(
        f"{args.offers:,} offers, {args.commits} commits in the window; the sale checks "
        f"{sample['checked']:,} offers, {sample['findings']:,} findings; best of {args.repeat}"
    )
    for kind, seconds in best.items():
        print(f"  validate {kind:12} {seconds:7.2f} s")
    for state in ("cold", "warm"):
        ratio = best[f"inside {state}"] / best[f"outside {state}"]
        verdict = "met" if ratio <= 1.2 else "missed"
        print(f"inside / outside git, {state}: {ratio:.2f} (target <= 1.2): {verdict}")
    for kind, measured in runs.items():
        print(f"runs of {kind} (s): " + " ".join(f"{r['seconds']:.2f}" for r in measured))


if __name__ == "__main__":
    main()
