"""How fast bad input at scale is refused (issue 16 item 6), beside a plain read of the same files.

    python bench/hostile.py [--keys 20000] [--files 100000]

Two catalogs are made in a temporary folder: one offer with KEYS unknown keys, and FILES empty
offers files. For each it prints the seconds (wall and CPU) `check_catalog` takes to refuse it,
and the baseline measured in the same run: PyYAML's C loader reading the same files (what no
check can go below). Target: each refused within 5 s (it was 73 s and 19 s).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SETTINGS = """seller_id: 98979
marketplace: {sandbox: embedded}
channels:
  cdiscount: {id: CDISFR, submission: xml}
defaults: {vat: 20, preparation_days: 2, delivery: [{mode: TRK, cost: 4.90}]}
"""
OFFER = 'offers:\n  - sku: MUG-1\n    gtin: "3760452700015"\n    price: 12.50\n    stock: 4\n'


def unknown_keys(root: Path, keys: int) -> None:
    (root / "offers" / "mugs.yaml").write_text(
        OFFER + "".join(f"    k{i}: 1\n" for i in range(keys))
    )


def empty_files(root: Path, files: int) -> None:
    for i in range(files):
        (root / "offers" / f"empty-{i:06d}.yaml").touch()


def timed(work: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def plain_read(root: Path) -> None:
    import yaml

    for path in sorted((root / "offers").iterdir()):
        with path.open("rb") as stream:
            yaml.load(stream, Loader=yaml.CSafeLoader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    from reconciler.catalog import check_catalog

    cases = {
        f"one offer with {args.keys:,} unknown keys": lambda root: unknown_keys(root, args.keys),
        f"{args.files:,} empty offers files": lambda root: empty_files(root, args.files),
    }
    print(f"{'case':<40} {'refused in':>18} {'plain read':>18}  target")
    for name, make in cases.items():
        root = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
        try:
            (root / "offers").mkdir()
            (root / "catalog.yaml").write_text(SETTINGS)
            make(root)
            wall, cpu = timed(lambda root=root: check_catalog(root))
            base_wall, base_cpu = timed(lambda root=root: plain_read(root))
            refused = f"{wall:6.2f} s ({cpu:5.2f} cpu)"
            plain = f"{base_wall:6.2f} s ({base_cpu:5.2f} cpu)"
            print(f"{name:<40} {refused} {plain}  {'ok' if wall <= 5 else 'over'} (<= 5 s)")
        finally:
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
