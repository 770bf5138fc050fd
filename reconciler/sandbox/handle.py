"""A running sandbox as tests, benches and demos use it: its URLs and credentials, an
authenticated client, and the admin calls that seed products and live offers, inject faults and
store blobs."""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.sandbox import wire
from reconciler.sandbox.embedded import RunningSandbox


class SandboxHandle:
    """A running sandbox as tests use it."""

    def __init__(self, running: RunningSandbox):
        self.running = running
        self.base_url = running.base_url
        self.api_url = running.api_url
        self.auth_url = running.auth_url
        self.client_id = running.client_id
        self.client_secret = running.client_secret
        self.seller_id = running.seller_id
        self.config = running.config
        self.state_dir = running.state_dir
        self.admin = httpx.Client(base_url=running.base_url, timeout=30)

    def blob_url(self, name: str) -> str:
        return self.running.blob_url(name)

    def _post(self, path: str, body: Any) -> dict[str, Any]:
        # Decimal amounts travel as exact JSON numbers (wire.dumps), as the client sends them.
        response = self.admin.post(
            path, content=wire.dumps(body), headers={"Content-Type": "application/json"}
        )
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._post("/sandbox/reset", {})

    def seed_products(self, products: list[str | dict[str, str]]) -> int:
        """Products that exist on the marketplace: GTINs, or {"gtin": ..., "title": ...}."""
        body = [
            p if isinstance(p, dict) else {"gtin": p, "title": f"Product {p}"} for p in products
        ]
        return self._post("/sandbox/products", body)["count"]

    def seed_offers(self, offers: list[dict[str, Any]], chunk: int = 10_000) -> int:
        """Live offers in the GET /offers item shape (README); omitted fields get defaults."""
        for start in range(0, len(offers), chunk):
            self._post("/sandbox/offers", offers[start : start + chunk])
        return len(offers)

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace the injected faults (omitted ones are off); see README, Faults."""
        return self._post("/sandbox/faults", faults)

    def put_blob(self, name: str, data: bytes) -> str:
        self.admin.put(f"/sandbox/blobs/{name}", content=data).raise_for_status()
        return self.blob_url(name)

    def token(self) -> str:
        response = httpx.post(
            self.auth_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def headers(self, channel: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token()}", "SellerId": str(self.seller_id)}
        if channel:
            headers["SalesChannelId"] = channel
        return headers

    def client(self, channel: str | None = None) -> httpx.Client:
        """An httpx client on the API base URL with a token, SellerId and SalesChannelId."""
        return httpx.Client(base_url=self.api_url, headers=self.headers(channel), timeout=30)

    def close(self) -> None:
        self.admin.close()
