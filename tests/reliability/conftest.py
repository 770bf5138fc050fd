"""The reliability suite: the fault matrix and the crash suite (issue 8), marked `reliability`.

Both reuse the apply tests' view of the sandbox (tests/apply/apply_market.py), so that folder
is put on the import path here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

APPLY_TESTS = Path(__file__).resolve().parent.parent / "apply"
if str(APPLY_TESTS) not in sys.path:
    sys.path.insert(0, str(APPLY_TESTS))

from apply_market import Market  # noqa: E402
from apply_market import start_market as start_own_market  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: fault matrix and crash suite (issue 8); run by default"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def start_market(sandbox_factory) -> Callable[..., Market]:
    """A sandbox of the test's own with config overrides and 400 products in its referential."""
    return partial(start_own_market, sandbox_factory)
