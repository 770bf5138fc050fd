"""The benchmark's generated catalog is a valid one, so the bench measures the happy path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reconciler.catalog import load_catalog

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the repository these tests come from


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate", PROJECT_ROOT / "bench" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_catalog_is_valid_and_complete(tmp_path: Path) -> None:
    _generator().write_catalog(250, tmp_path, per_file=100)
    assert sorted(p.name for p in (tmp_path / "offers").iterdir()) == [
        "part-000.yaml",
        "part-001.yaml",
        "part-002.yaml",
    ]
    catalog = load_catalog(tmp_path)
    assert len({sku for _, sku in catalog.offers}) == 250
    assert len(catalog.offers) == 500  # every offer on both channels
    assert catalog.offers["marketplace-zz", "SKU-0000010"].price != (
        catalog.offers["cdiscount", "SKU-0000010"].price
    )  # every tenth offer has its own price on the json channel
