"""The apply tests' view of a sandbox marketplace over real HTTP, and catalogs built in Python.

The sandbox (tests/conftest.py, `sandbox_factory`) runs in a thread of the test process, so a
child process killed with SIGKILL leaves it running, integrating, as the real marketplace would.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from reconciler.catalog.model import (
    Catalog,
    Guards,
    ManagePolicy,
    MarketplaceSettings,
    Offer,
    PackageStore,
)
from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.governor import Limits
from reconciler.sandbox.auth import TOKEN_PATH
from tests import offers
from tests.offers import CDISCOUNT, ZZ

FAST = Limits(backoff_base=0.01, backoff_cap=0.05, max_attempts=4, time_budget=120)
CHANNELS = {"zz": ZZ, "cdiscount": CDISCOUNT}


def gtin(n: int) -> str:
    """A valid EAN-13 (check digit computed) for product number n."""
    body = f"376{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass
class Market:
    """A running sandbox seen from its base URL (a child process can rebuild one from it)."""

    base: str
    state_dir: Path

    @classmethod
    def of(cls, handle: Any) -> Market:
        """From the shared `sandbox_factory` fixture's handle (tests/conftest.py)."""
        return cls(handle.base_url, Path(handle.state_dir))

    @property
    def api_url(self) -> str:
        return self.base + "/seller/v2"

    @property
    def auth_url(self) -> str:
        return self.base + TOKEN_PATH

    def admin(self, path: str, body: Any) -> Any:
        answer = httpx.post(self.base + path, json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def faults(self, **faults: Any) -> None:
        self.admin("/sandbox/faults", faults)

    def products(self, count: int) -> None:
        self.admin("/sandbox/products", [{"gtin": gtin(n), "title": f"P{n}"} for n in range(count)])

    def client(self, limits: Limits = FAST) -> MarketplaceClient:
        credentials = Credentials("sandbox", "sandbox-secret")
        return MarketplaceClient(self.api_url, self.auth_url, credentials, 98979, limits=limits)

    def store(self) -> PackageStore:
        return PackageStore("http-put", self.base + "/sandbox/blobs/{name}")


def start_market(sandbox_factory: Any, **config: Any) -> Market:
    """A sandbox of the test's own with config overrides, 400 products in its referential."""
    config.setdefault("integration_delay", 0.05)
    market = Market.of(sandbox_factory(**config))
    market.products(400)
    return market


def offer(channel: str, n: int, **fields: Any) -> Offer:
    numbered = offers.offer(
        channel=channel, sku=f"SKU-{n:04d}", gtin=gtin(n), stock=5, eco_tax=Decimal("0.00")
    )
    return replace(numbered, **fields)


def catalog(
    root: Path,
    market: Market,
    offers: list[Offer],
    *,
    manage: ManagePolicy = ManagePolicy.LISTED,
    guards: Guards | None = None,
    store: PackageStore | None = None,
    content_hash: str = "catalog-v1",
) -> Catalog:
    return Catalog(
        root=str(root),
        seller_id=98979,
        marketplace=MarketplaceSettings(api_url=market.api_url, auth_url=market.auth_url),
        channels=dict(CHANNELS),
        manage=manage,
        guards=guards or Guards(min_existing_offers=1_000_000),
        package_store=store or market.store(),
        offers={o.key: o for o in offers},
        content_hash=content_hash,
    )


def crash_catalog(root: Path, market: Market) -> Catalog:
    """The catalog of the crash test: several packages on both channel kinds."""
    offers = [offer("zz", n) for n in range(120)] + [offer("cdiscount", n) for n in range(80)]
    return catalog(root, market, offers)
