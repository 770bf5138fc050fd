from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from apply_market import Market, start_market


@pytest.fixture
def start(sandbox_factory) -> Callable[..., Market]:
    """A sandbox of the test's own with config overrides, 400 products in its referential."""
    return partial(start_market, sandbox_factory)


@pytest.fixture
def market(start) -> Market:
    return start()
