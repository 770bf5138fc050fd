"""The parse cache: an unchanged offers file is read back from `.catalog/cache/`, never trusted
when corrupt or foreign, and a file with an error is found again with its exact places."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from reconciler.catalog import check_catalog
from reconciler.catalog import load as load_module
from reconciler.resources import DEMO_CATALOG
from reconciler.state import StateFolder

DEMO = Path(str(DEMO_CATALOG))
EXTRA = """offers:
  - sku: OIL-1L
    gtin: "3760452700992"
    price: 12.50
    stock: 3
    status: inactive
    packaging: {unit: Liter, value: 1.50}
    price_alignment: {align: false}
    overrides:
      cdiscount: {price: 12.40, comment: "Bio"}
  - sku: OIL-5L
    gtin: "3760452700985"
    price: 49.00
    stock: 7
    channels: [cdiscount]
    packaging: {unit: Liter, value: 5}
"""


pytestmark = pytest.mark.usefixtures("own_cache_key")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".catalog"))
    (root / "offers" / "pantry.yaml").write_text(EXTRA, encoding="utf-8")
    return root


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in StateFolder(root).cache.iterdir() if not p.name.startswith("."))


def test_a_warm_load_gives_the_same_catalog_and_parses_nothing(demo: Path, parsed: list[str]):
    cold, cold_problems = check_catalog(demo)
    assert sorted(parsed) == ["clothes.yaml", "electronics.yaml", "home.yaml", "pantry.yaml"]
    # and what the operations' rules found of the offers, and that catalog.yaml passes its schema
    assert len(_entries(demo)) == 6
    parsed.clear()
    warm, warm_problems = check_catalog(demo)
    assert parsed == []
    assert cold is not None and warm is not None
    assert warm.offers == cold.offers
    assert {k: o.unknown for k, o in warm.offers.items()} == {
        k: o.unknown for k, o in cold.offers.items()
    }

    def shown(offers):  # the same decimal is not enough: 1.5 and 1.50 print differently
        return [str(o.packaging.value) for o in offers.values() if o.packaging]

    assert shown(warm.offers) == shown(cold.offers)
    assert "5" in shown(warm.offers)
    assert warm.origins == cold.origins
    assert warm.tags == cold.tags
    assert warm.operations == cold.operations
    assert warm_problems == cold_problems


def test_only_the_changed_file_is_parsed_again(demo: Path, parsed: list[str]):
    check_catalog(demo)
    parsed.clear()
    pantry = demo / "offers" / "pantry.yaml"
    pantry.write_text(EXTRA.replace("price: 49.00", "price: 47.00"), encoding="utf-8")
    catalog, _ = check_catalog(demo)
    assert parsed == ["pantry.yaml"]
    assert catalog is not None
    assert str(catalog.offers["cdiscount", "OIL-5L"].price) == "47.00"


def test_a_changed_catalog_yaml_invalidates_every_entry(demo: Path, parsed: list[str]):
    check_catalog(demo)
    parsed.clear()
    settings = demo / "catalog.yaml"
    settings.write_text(settings.read_text().replace("vat: 20", "vat: 5.5"), encoding="utf-8")
    catalog, _ = check_catalog(demo)
    assert len(parsed) == 4
    assert catalog is not None
    assert str(catalog.offers["cdiscount", "OIL-5L"].vat) == "5.50"


def test_a_corrupt_or_planted_entry_is_ignored(demo: Path, parsed: list[str]):
    cold, _ = check_catalog(demo)
    for entry in _entries(demo):
        # A planted entry: valid JSON, every amount changed, the signature left as it was.
        raw = entry.read_bytes()
        body = orjson.loads(raw[32:])
        if isinstance(body, list):
            continue  # what the operations' rules found
        body["tables"]["decimals"] = ["0.01" for _ in body["tables"]["decimals"]]
        entry.write_bytes(raw[:32] + orjson.dumps(body))
    (_entries(demo)[0]).write_bytes(b"\x00" * 10)  # and one truncated to nothing useful
    parsed.clear()
    warm, _ = check_catalog(demo)
    assert sorted(parsed) == ["clothes.yaml", "electronics.yaml", "home.yaml", "pantry.yaml"]
    assert warm is not None and cold is not None
    assert warm.offers == cold.offers


def test_an_entry_signed_elsewhere_is_not_trusted(demo: Path, tmp_path: Path, monkeypatch):
    """The cache folder can arrive with a pull request: only this machine's key signs it."""
    from reconciler.catalog import cache

    check_catalog(demo)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    cache._signing_key.cache_clear()
    calls: list[str] = []
    real = load_module.load_yaml
    monkeypatch.setattr(
        "reconciler.catalog.load_yaml", lambda p, n, *r: calls.append(p.name) or real(p, n, *r)
    )
    check_catalog(demo)
    assert "pantry.yaml" in calls


def test_a_file_with_an_error_is_not_cached_and_stays_located(demo: Path, parsed: list[str]):
    pantry = demo / "offers" / "pantry.yaml"
    pantry.write_text(EXTRA.replace("stock: 7", "stock: -7"), encoding="utf-8")
    _, first = check_catalog(demo)
    parsed.clear()
    _, second = check_catalog(demo)
    assert parsed == ["pantry.yaml"]
    errors = [p for p in second if p.severity == "error"]
    assert errors == [p for p in first if p.severity == "error"]
    assert errors and errors[0].location.file.endswith("pantry.yaml")
    assert (errors[0].location.line, errors[0].location.field) == (14, "offers[1].stock")


def test_a_sku_declared_again_in_a_cached_file_is_located(demo: Path):
    check_catalog(demo)  # every file cached
    (demo / "offers" / "zz-again.yaml").write_text(
        EXTRA.split("  - sku: OIL-5L")[0].replace("offers:", "offers:", 1), encoding="utf-8"
    )
    _, problems = check_catalog(demo)
    clash = [p for p in problems if "declared twice" in p.message]
    assert len(clash) == 1
    assert clash[0].location.file.endswith("zz-again.yaml")
    assert (clash[0].location.line, clash[0].location.field) == (2, "offers[0].sku")
    assert "pantry.yaml:2" in clash[0].message


def test_no_cache_when_the_state_folder_is_unusable(demo: Path, parsed: list[str]):
    (demo / ".catalog").write_text("not a folder", encoding="utf-8")
    first, _ = check_catalog(demo)
    parsed.clear()
    second, _ = check_catalog(demo)
    assert len(parsed) == 4
    assert first is not None and second is not None and first.offers == second.offers


def test_a_key_given_by_the_ci_signs_instead_of_the_file(
    demo: Path, parsed: list[str], monkeypatch
):
    from reconciler.catalog import cache

    monkeypatch.setenv("CATALOG_CACHE_KEY", "a CI secret")
    cache._signing_key.cache_clear()
    check_catalog(demo)
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent/elsewhere")  # no key file needed
    cache._signing_key.cache_clear()
    parsed.clear()
    check_catalog(demo)
    assert parsed == []
    monkeypatch.setenv("CATALOG_CACHE_KEY", "another secret")
    cache._signing_key.cache_clear()
    check_catalog(demo)
    assert len(parsed) == 4
