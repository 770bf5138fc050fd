"""One file of a cached catalog changes: whatever depends on more than that file (a sku declared
twice, skus that look alike, the operations' rules over offers of other files) comes out exactly
as a load without the cache says, located errors included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.resources import DEMO_CATALOG
from reconciler.state import StateFolder

DEMO = Path(str(DEMO_CATALOG))
PANTRY = """offers:
  - sku: OIL-1L
    gtin: "3760452700992"
    price: 12.50
    stock: 3
    tags: [pantry]
"""
SETTINGS = (DEMO / "catalog.yaml").read_text()
WINTER = (DEMO / "operations" / "soldes-hiver-2027.yaml").read_text()
# What each change writes, by file: each touches one file of the catalog.
CHANGES = {
    "a sku of home.yaml declared again": {
        "offers/pantry.yaml": PANTRY + '  - sku: CUSHION-LINEN-SAND\n    gtin: "3760452700190"\n'
        "    price: 18.90\n    stock: 1\n"
    },
    "declared again in a file read before home.yaml": {
        "offers/a-first.yaml": PANTRY.replace("OIL-1L", "MUG-STONEWARE-4")
    },
    "a sku that looks like one of home.yaml": {
        "offers/pantry.yaml": PANTRY.replace("OIL-1L", "CUSHION-LINEN-SAN\u200bD")
    },
    "an operation now selects an offer priced under its taxes on sale": {
        "offers/pantry.yaml": PANTRY.replace("tags: [pantry]", "tags: [winter]\n    eco_tax: 11.00")
    },
    "a tag the operation selects taken off": {
        "offers/home.yaml": (DEMO / "offers" / "home.yaml").read_text().replace("winter", "autumn")
    },
    "an offer's price changed": {"offers/pantry.yaml": PANTRY.replace("12.50", "12.00")},
    "catalog.yaml no longer passes its schema": {
        "catalog.yaml": SETTINGS.replace("vat: 20", "vat: twenty")
    },
    "the operation selects a tag no cached offer carries": {
        "operations/soldes-hiver-2027.yaml": WINTER.replace("[winter]", "[winter, autumn]")
    },
}


pytestmark = pytest.mark.usefixtures("own_cache_key")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".catalog"))
    (root / "offers" / "pantry.yaml").write_text(PANTRY, encoding="utf-8")
    return root


def _without_cache(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    with monkeypatch.context() as patch:
        patch.setenv("CATALOG_NO_CACHE", "1")
        return check_catalog(root)


def _same(found: tuple, expected: tuple) -> None:
    catalog, problems = found
    assert [str(p) for p in problems] == [str(p) for p in expected[1]]
    assert problems == expected[1]
    assert (catalog is None) == (expected[0] is None)
    if catalog is not None:
        assert catalog.offers == expected[0].offers
        assert catalog.origins == expected[0].origins
        assert catalog.tags == expected[0].tags


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_file_gives_what_a_load_without_cache_gives(demo: Path, change: str, monkeypatch):
    check_catalog(demo)  # every file cached
    for name, text in CHANGES[change].items():
        (demo / name).write_text(text, encoding="utf-8")
    expected = _without_cache(demo, monkeypatch)
    _same(check_catalog(demo), expected)
    _same(check_catalog(demo), expected)  # and once the changed file is cached too


def test_the_changes_are_the_cases_they_say(demo: Path, monkeypatch):
    """Each change above does show the cross-file problem it is named for."""
    shown = {}
    for change, files in CHANGES.items():
        for name, text in files.items():
            (demo / name).write_text(text, encoding="utf-8")
        shown[change] = [str(p) for p in _without_cache(demo, monkeypatch)[1]]
        for name in files:
            source = DEMO / name
            text = source.read_text() if source.exists() else PANTRY
            (demo / name).write_text(text, encoding="utf-8")
        (demo / "offers" / "a-first.yaml").unlink(missing_ok=True)
    assert any(
        "pantry.yaml:7:10: offers[1].sku: sku 'CUSHION-LINEN-SAND' is declared twice" in p
        for p in shown["a sku of home.yaml declared again"]
    )
    assert any(
        "home.yaml" in p and "declared twice" in p
        for p in shown["declared again in a file read before home.yaml"]
    )
    assert any("looks the same" in p for p in shown["a sku that looks like one of home.yaml"])
    assert any(
        "is not above eco_tax + dea_tax" in p
        for p in shown["an operation now selects an offer priced under its taxes on sale"]
    )
    assert any(
        "is tagged autumn" in p and "soldes-hiver-2027.yaml" in p
        for p in shown["the operation selects a tag no cached offer carries"]
    )
    assert not any("error" in p for p in shown["an offer's price changed"])
    assert any(
        "catalog.yaml" in p and "vat" in p
        for p in shown["catalog.yaml no longer passes its schema"]
    )


@pytest.mark.parametrize("offset", [0, 31, 32, 100, -2])
def test_an_entry_with_one_byte_changed_is_ignored(demo: Path, offset: int, monkeypatch):
    check_catalog(demo)
    entries = [p for p in StateFolder(demo).cache.iterdir() if not p.name.startswith(".")]
    assert entries
    for entry in entries:
        raw = bytearray(entry.read_bytes())
        raw[offset % len(raw)] ^= 0x01
        entry.write_bytes(bytes(raw))
    _same(check_catalog(demo), _without_cache(demo, monkeypatch))


def test_the_operations_rules_run_again_only_when_an_input_changed(demo: Path, monkeypatch):
    from reconciler.operations import rules

    runs: list[int] = []
    real = rules.check_selections
    monkeypatch.setattr(rules, "check_selections", lambda c: runs.append(1) or real(c))
    winter = demo / "operations" / "soldes-hiver-2027.yaml"
    winter.write_text(WINTER.replace("[winter]", "[winter, autumn]"), encoding="utf-8")
    first = check_catalog(demo)
    second = check_catalog(demo)
    assert len(runs) == 1
    _same(second, first)
    assert any("is tagged autumn" in p.message for p in second[1])
    winter.write_text(WINTER, encoding="utf-8")
    check_catalog(demo)
    assert len(runs) == 2
