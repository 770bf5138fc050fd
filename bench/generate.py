"""An N-offer catalog for the benchmarks: `python bench/generate.py --offers 100000 --out DIR`.

The offers are spread over several files (as a big seller would split them by category), with
valid EAN-13s, two channels, some per-channel overrides and tags, and one sales operation.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CATALOG = """\
# yaml-language-server: $schema=https://example.invalid/catalog.schema.json
seller_id: 98979
marketplace: {sandbox: embedded}
channels:
  cdiscount: {id: CDISFR, submission: xml, publication_pools: [1]}
  marketplace-zz: {id: SELLZZ, submission: json}
defaults:
  condition: new
  vat: 20
  eco_tax: 0
  dea_tax: 0
  preparation_days: 2
  delivery:
    - {mode: TRK, cost: 4.90, additional_cost: 1.00}
    - {mode: REG, cost: 6.90, additional_cost: 2.00}
"""

OPERATION = """\
operations:
  - name: soldes-hiver-2027
    kind: sales
    channel: cdiscount
    start: 2027-01-07T08:00:00+01:00
    end: 2027-02-03T23:59:00+01:00
    discount_percent: 20
    offers:
      tags: [winter]
"""

CATEGORIES = ("tshirts", "jeans", "shoes", "winter", "kitchen", "garden", "toys", "books")


def ean13(number: int) -> str:
    body = f"376{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def offer_yaml(n: int, rng: random.Random) -> str:
    price = rng.randint(500, 50000) / 100
    tag = CATEGORIES[n % len(CATEGORIES)]
    lines = [
        f"  - sku: SKU-{n:07d}",
        f'    gtin: "{ean13(n)}"',
        f"    price: {price:.2f}",
        f"    stock: {rng.randint(0, 200)}",
        f"    tags: [{tag}]",
    ]
    if n % 3 == 0:
        lines.append(f"    eco_tax: {rng.randint(1, 50) / 100:.2f}")
    if n % 5 == 0:
        lines.append(f'    comment: "Expédié sous {rng.randint(1, 3)} jours"')
        lines.append(f"    striked_price: {price + 5:.2f}")
    if n % 7 == 0:
        lines.append("    delivery:")
        lines.append("      - {mode: TRK, cost: 5.90, additional_cost: 1.50}")
    if n % 10 == 0:
        lines.append(f"    overrides: {{marketplace-zz: {{price: {price + 1:.2f}}}}}")
    return "\n".join(lines)


def write_catalog(offers: int, out: Path, per_file: int = 10_000, seed: int = 7) -> None:
    rng = random.Random(seed)
    (out / "offers").mkdir(parents=True, exist_ok=True)
    (out / "operations").mkdir(exist_ok=True)
    (out / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (out / "operations" / "sales.yaml").write_text(OPERATION, encoding="utf-8")
    for number, start in enumerate(range(0, offers, per_file)):
        stop = min(start + per_file, offers)
        body = "\n".join(offer_yaml(n, rng) for n in range(start, stop))
        path = out / "offers" / f"part-{number:03d}.yaml"
        path.write_text(f"offers:\n{body}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-file", type=int, default=10_000)
    args = parser.parse_args()
    write_catalog(args.offers, args.out, args.per_file)


if __name__ == "__main__":
    main()
