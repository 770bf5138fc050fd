from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from apply_market import Market, start_market


@pytest.fixture
def start(tmp_path) -> Iterator[Callable[..., Market]]:
    """Start a sandbox with config overrides; stopped at the end of the test."""
    started: list[Market] = []

    def make(**config) -> Market:
        # Updates carry no GTIN; the product referential is checked by the rejection test.
        config.setdefault("require_known_products", False)
        market = start_market(tmp_path / f"sandbox-{len(started)}", **config)
        market.products(400)
        started.append(market)
        return market

    yield make
    for market in started:
        market.server.should_exit = True


@pytest.fixture
def market(start) -> Market:
    return start()
