from __future__ import annotations

from collections.abc import Callable

import pytest
from apply_market import Market


@pytest.fixture
def start(sandbox_factory) -> Callable[..., Market]:
    """A sandbox of the test's own with config overrides, 400 products in its referential."""

    def make(**config) -> Market:
        config.setdefault("integration_delay", 0.05)
        market = Market.of(sandbox_factory(**config))
        market.products(400)
        return market

    return make


@pytest.fixture
def market(start) -> Market:
    return start()
