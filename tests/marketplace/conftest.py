from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.governor import Limits


def ean13(number: int) -> str:
    body = f"376{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _wire_offer(n: int, channel: str = "CDISFR", **fields) -> dict:
    """A live offer in the GET /offers item shape of the sandbox README."""
    return {
        "sellerExternalReference": f"SKU-{n:04d}",
        "salesChannelId": channel,
        "product": {"gtin": ean13(n)},
        "condition": "New",
        "integrationPrice": {"price": 19.99},
        "quantity": 5,
        "taxes": [{"code": "VAT", "value": 20}, {"code": "Ecotax", "value": 0.1}],
        "deliveryModes": [{"code": "TRK", "cost": 4.9, "additionalCost": 1.0}],
        "preparationTime": 2,
        **fields,
    }


@pytest.fixture
def wire_offer():
    """wire_offer(n, channel="CDISFR", **fields): a live offer item to seed."""
    return _wire_offer


@pytest.fixture
def connect() -> Iterator:
    """connect(sandbox, secret=..., **limits): a client on that sandbox, closed after the test."""
    with ExitStack() as stack:

        def make(handle, secret: str | None = None, **limits) -> MarketplaceClient:
            credentials = Credentials(handle.client_id, secret or handle.client_secret)
            quick = {"backoff_base": 0.05, "time_budget": 30.0, **limits}
            client = MarketplaceClient(
                handle.api_url,
                handle.auth_url,
                credentials,
                handle.seller_id,
                limits=Limits(**quick),
            )
            return stack.enter_context(client)

        yield make
