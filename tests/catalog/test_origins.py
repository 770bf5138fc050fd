"""Places of files read back from the parse cache are made when asked (reconciler/catalog/
origins.py): each is the very Location a load without the cache gives, a sku split by channel
across files or inside one file included, and the clash messages that name them are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.catalog.cache import ParseCache
from reconciler.catalog.origins import Origins, ReadBack, arrays
from reconciler.errors import Location
from tests.catalog.test_catalog_cache_changes import DEMO

pytestmark = pytest.mark.usefixtures("own_cache_key")

ITEM = '  - sku: {sku}\n    gtin: "{gtin}"\n    price: {price}\n    stock: 3\n{more}'
# Offers files whose skus are declared for some channels only: in another file, or twice in one.
SPLIT = {
    "offers/a-split.yaml": "offers:\n"
    + ITEM.format(
        sku="SPLIT-1", gtin="3760452700992", price="10.00", more="    channels: [cdiscount]\n"
    )
    + ITEM.format(sku="ONLY-A", gtin="3760452701005", price="11.00", more="")
    + ITEM.format(
        sku="TWICE", gtin="3760452701012", price="12.00", more="    channels: [cdiscount]\n"
    )
    + ITEM.format(
        sku="TWICE", gtin="3760452701012", price="13.00", more="    channels: [marketplace-zz]\n"
    ),
    "offers/b-split.yaml": "offers:\n"
    + ITEM.format(
        sku="SPLIT-1", gtin="3760452700992", price="10.00", more="    channels: [marketplace-zz]\n"
    ),
}


@pytest.fixture
def split(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".catalog"))
    for name, text in SPLIT.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _places(catalog) -> dict:
    return {key: catalog.origins[key] for key in catalog.offers}


def test_a_place_read_back_is_the_place_a_parse_gives(split: Path, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setenv("CATALOG_NO_CACHE", "1")
        parsed, problems = check_catalog(split)
    assert parsed is not None, problems
    check_catalog(split)  # fills the cache
    warm, _ = check_catalog(split)
    assert warm is not None
    assert isinstance(warm.origins, Origins) and warm.origins._read  # really read back
    assert _places(warm) == _places(parsed)
    assert dict(warm.origins.items()) == dict(parsed.origins.items())
    assert len(warm.origins) == len(parsed.origins) == len(warm.offers)
    a, b = str(split / "offers/a-split.yaml"), str(split / "offers/b-split.yaml")
    assert warm.origins["cdiscount", "SPLIT-1"] == Location(a, 2, 5, "offers[0]")
    assert warm.origins["marketplace-zz", "SPLIT-1"] == Location(b, 2, 5, "offers[0]")
    assert warm.origins["cdiscount", "TWICE"] == Location(a, 11, 5, "offers[2]")
    assert warm.origins["marketplace-zz", "TWICE"] == Location(a, 16, 5, "offers[3]")
    assert warm.origins.get(("cdiscount", "NOT-DECLARED")) is None
    assert ("cdiscount", "NOT-DECLARED") not in warm.origins


def test_a_sku_declared_again_names_the_place_read_back(split: Path, monkeypatch):
    check_catalog(split)  # a-split.yaml cached; then a new file declares its sku again
    again = "offers:\n" + ITEM.format(sku="ONLY-A", gtin="3760452701005", price="1.00", more="")
    (split / "offers/c-again.yaml").write_text(again, encoding="utf-8")
    look_alike = again.replace("ONLY-A", "ONLY-\u200bA").replace("c-again", "d")
    (split / "offers/d-look.yaml").write_text(look_alike, encoding="utf-8")
    warm = [str(p) for p in check_catalog(split)[1]]
    monkeypatch.setenv("CATALOG_NO_CACHE", "1")
    assert warm == [str(p) for p in check_catalog(split)[1]]
    assert any("is declared twice" in p and "a-split.yaml:7" in p for p in warm)
    assert any("looks the same as sku 'ONLY-A' at" in p and "a-split.yaml:7" in p for p in warm)


def test_a_place_asked_again_is_equal_and_a_parsed_one_wins():
    read = ReadBack("offers/x.yaml", ["A", "B"], *arrays([0, 1], [2, 7], [5, 5]))
    offers = {("c", "A"): object(), ("c", "B"): object()}
    origins = Origins(offers)
    origins.read_back(read)
    assert origins["c", "B"] == origins["c", "B"] == Location("offers/x.yaml", 7, 5, "offers[1]")
    assert origins.setdefault(("c", "A"), Location("y.yaml", 1, 1)) == read.place(0)
    assert origins.setdefault(("z", "A"), Location("y.yaml", 1, 1)) == Location("y.yaml", 1, 1)
    assert list(origins) == [("c", "A"), ("c", "B"), ("z", "A")]
    with pytest.raises(KeyError):
        del origins["c", "A"]  # a place read back is never taken back alone


@pytest.mark.parametrize(
    "spoil",
    [
        lambda items: items.__setitem__(5, 99),  # a tag list the table does not have
        lambda items: items.__setitem__(1, "two"),  # a line that is not a number
        lambda items: items.__setitem__(1, 2**40),  # nor a line a file can have
    ],
    ids=["tag list", "line as text", "line too big"],
)
def test_an_entry_signed_here_but_malformed_is_parsed_instead_leaving_nothing(
    split: Path, monkeypatch, parsed: list[str], spoil
):
    """An entry this machine signed (a bug of the writer, say) whose items cannot be read
    back: the file is parsed, and none of its offers, places or tags stays twice."""
    monkeypatch.setenv("CATALOG_NO_CACHE", "1")
    expected, _ = check_catalog(split)
    monkeypatch.delenv("CATALOG_NO_CACHE")
    check_catalog(split)
    store = ParseCache.of(split, (split / "catalog.yaml").read_bytes())
    name = store.name_of((split / "offers/a-split.yaml").read_bytes())
    entry = store.get(name)
    assert entry is not None
    spoil(entry["items"])
    store.put(name, entry)
    parsed.clear()
    found, problems = check_catalog(split)
    assert parsed == ["a-split.yaml"]
    assert found is not None and expected is not None, problems
    assert found.offers == expected.offers and found.tags == expected.tags
    assert dict(found.origins.items()) == dict(expected.origins.items())
