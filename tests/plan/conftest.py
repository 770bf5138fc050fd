from __future__ import annotations

import pytest

from reconciler.catalog.model import SalesChannel
from tests.offers import CHANNELS, offer


@pytest.fixture
def make_offer():
    return offer


@pytest.fixture
def channels() -> dict[str, SalesChannel]:
    return dict(CHANNELS)
