"""Old versions read item by item give exactly the prices a full parse gives, whatever the file
looks like; a version the cut cannot be sure of is parsed whole."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.catalog import cache as cache_module
from reconciler.catalog.cache import SignedStore
from reconciler.operations import old_versions
from reconciler.operations.history import PriceHistory, price_for
from reconciler.operations.old_versions import VersionReader, prices_in
from reconciler.operations.omnibus import check_omnibus

from .test_omnibus import NOW, Repo, sale_catalog

PLAIN = """\
offers:
  - sku: A
    gtin: "3760452700039"
    price: 10.00
    stock: 3
    tags: [winter]
  - sku: B
    price: 20
    overrides: {marketplace-zz: {price: 21.50}}
  - sku: C  # a comment
    price: 30.5   # another
    comment: "Livré sous 48h # pas un commentaire"
    delivery:
      - {mode: TRK, cost: 4.90, additional_cost: 1.00}
"""

# Each text differs from PLAIN in one way a line-based reading could get wrong.
TRICKY = {
    "channel override block": PLAIN.replace(
        "    overrides: {marketplace-zz: {price: 21.50}}",
        "    overrides:\n      marketplace-zz:\n        price: 22.00\n      cdiscount: {price: 19}",
    ),
    "quoted price": PLAIN.replace("price: 10.00", 'price: "10.10"'),
    "quoted sku": PLAIN.replace("sku: A", "sku: 'A'"),
    "numeric sku": PLAIN.replace("sku: A", "sku: 0012"),
    "octal-looking price": PLAIN.replace("price: 10.00", "price: 010"),
    "underscore price": PLAIN.replace("price: 10.00", "price: 1_000"),
    "hex price": PLAIN.replace("price: 10.00", "price: 0x10"),
    "boolean sku": PLAIN.replace("sku: A", "sku: yes"),
    "null price": PLAIN.replace("price: 10.00", "price: ~"),
    "text price": PLAIN.replace("price: 10.00", "price: ten"),
    "price on the next line": PLAIN.replace("price: 10.00", "price:\n      10.40"),
    "sku going on below": PLAIN.replace("sku: A\n", "sku: A\n      A2\n"),
    "price going on below": PLAIN.replace("price: 20\n", "price: 20\n      .5\n"),
    "price repeated": PLAIN.replace("price: 20\n", "price: 20\n    price: 25\n"),
    "sku repeated": PLAIN.replace("    price: 20\n", "    sku: Z\n    price: 20\n"),
    "sku spelled oddly": PLAIN.replace("    price: 20\n", "    sku : Z\n    price: 20\n"),
    "flow item": PLAIN + "  - {sku: D, price: 4.00}\n",
    "dash alone": PLAIN + "  -\n    sku: E\n    price: 5.00\n",
    "wide dash": PLAIN + "  -   sku: F\n      price: 6.00\n",
    "compact list": PLAIN.replace("\n  ", "\n"),
    "keys after the offers": PLAIN + "settings:\n  x: 1\n",
    "keys before the offers": "# head\nversion: 2\n" + PLAIN,
    "merge key": PLAIN.replace("    price: 20\n", "    <<: {price: 24}\n"),
    "anchors": PLAIN.replace("price: 10.00", "price: &p 10.00").replace("price: 20", "price: *p"),
    "tab": PLAIN.replace("    stock: 3", "    stock:\t3"),
    "two documents": PLAIN + "---\noffers: []\n",
    "a fake item inside a quoted text": PLAIN.replace(
        '"Livré sous 48h # pas un commentaire"', '"Livré\n  - sku: A\n    price: 1.00\n  fin"'
    ),
    "a fake item inside brackets": PLAIN.replace(
        "tags: [winter]", "tags: [winter,\n  - sku: B\n    price: 1.00\n  ]"
    ),
    "a block text": PLAIN.replace(
        "    stock: 3\n", "    notes: |\n      - sku: B\n        price: 1.00\n    stock: 3\n"
    ),
    "broken": PLAIN.replace("tags: [winter]", "tags: [winter"),
    "broken item far away": PLAIN + "  - sku: G\n    price: [\n",
    "bad indentation": PLAIN + "  - sku: H\n   price: 1\n",
    "a value where an item starts": PLAIN + "  -7\n",
    "offers twice": PLAIN + "offers: []\n",
    "no offers": "seller: 1\n",
    "not a list": "offers:\n  a: 1\n",
    "a list at the top": "- sku: A\n  price: 1\n",
    "empty": "",
    "only a comment": "# nothing\n",
    "byte-order mark": "\ufeff" + PLAIN,
    "control character": PLAIN.replace("Livré", "Liv\x07ré"),
    "deep": "offers:\n  - sku: A\n    price: 1\n    x: " + "[" * 400 + "]" * 400 + "\n",
}


@pytest.mark.parametrize("case", sorted(TRICKY))
@pytest.mark.parametrize("skus", [None, frozenset({"A", "B", "Z", "12", "True", "E", "F"})])
def test_read_item_by_item_equals_a_full_parse(case: str, skus: frozenset[str] | None) -> None:
    expected = {k: v for k, v in prices_in(TRICKY[case]).items() if skus is None or k[1] in skus}
    reader = VersionReader()
    assert reader.read(PLAIN, skus) == {
        k: v for k, v in prices_in(PLAIN).items() if skus is None or k[1] in skus
    }
    # read after PLAIN: most items come from what the reader saw of it
    assert reader.read(TRICKY[case], skus) == expected
    assert VersionReader().read(TRICKY[case], skus) == expected  # and on their own


def test_only_wanted_items_reach_the_loader_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    real = old_versions.prices_in
    monkeypatch.setattr(old_versions, "prices_in", lambda text: loaded.append(text) or real(text))
    reader = VersionReader()
    assert reader.read(PLAIN, frozenset({"A", "C"})) == {
        ("", "A"): Decimal("10.00"),
        ("", "C"): Decimal("30.50"),
    }
    assert len(loaded) == 2 and all("sku: B" not in text for text in loaded)
    loaded.clear()
    assert reader.read(PLAIN, frozenset({"B"})) == {
        ("", "B"): Decimal("20.00"),
        ("marketplace-zz", "B"): Decimal("21.50"),
    }
    # another version changing A only: B is not read again, A's new text is not wanted
    assert reader.read(PLAIN.replace("10.00", "11.00"), frozenset({"B"}))[("", "B")] == 20
    assert loaded == [
        "offers:\n  - sku: B\n    price: 20\n    overrides: {marketplace-zz: {price: 21.50}}\n"
    ]


def test_a_version_the_cut_cannot_trust_is_parsed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    real = old_versions.prices_in
    monkeypatch.setattr(old_versions, "prices_in", lambda text: loaded.append(text) or real(text))
    text = TRICKY["a fake item inside a quoted text"]
    assert VersionReader().read(text, frozenset({"A"})) == {("", "A"): Decimal("10.00")}
    assert loaded == [text]
    assert VersionReader().read(TRICKY["broken item far away"], frozenset({"A"})) == {}


def test_a_git_history_read_item_by_item_equals_full_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache_module._signing_key.cache_clear()
    repo = Repo(tmp_path)
    cases = ["channel override block", "quoted price", "broken", "compact list", "sku repeated"]
    texts = [PLAIN] + [TRICKY[case] for case in cases] + [PLAIN.replace("30.5", "29.90")]
    shop = tmp_path / "offers" / "main.yaml"
    shop.parent.mkdir()
    for day, text in enumerate(texts, 10):
        shop.write_text(text, encoding="utf-8")
        repo.git("add", "-A")
        repo.git("commit", "-q", "-m", f"day {day}", date=f"2026-12-{day}T09:00:00+01:00")
    history = PriceHistory(tmp_path, SignedStore.of(tmp_path))
    versions = list(history.versions(shop))
    assert len(versions) == len(texts)
    skus = frozenset({"A", "B", "C"})
    for version, prices in zip(versions, history.prices(versions, skus), strict=True):
        committed = repo.git("show", f"{version.commit}:offers/main.yaml")
        for (channel, sku), price in prices_in(committed).items():
            if sku in skus:
                assert price_for(prices, channel, sku) == price
        if committed == TRICKY["broken"]:
            assert prices == {}
    # the same blobs in another run, asked for fewer skus: from the cache, nothing read
    monkeypatch.setattr(VersionReader, "read", None)
    again = PriceHistory(tmp_path, SignedStore.of(tmp_path)).prices(versions, frozenset({"A"}))
    before = history.prices(versions, skus)
    assert [price_for(p, "", "A") for p in again] == [price_for(p, "", "A") for p in before]
    with pytest.raises(TypeError):  # more skus than were read: read again
        PriceHistory(tmp_path, SignedStore.of(tmp_path)).prices(versions, skus | {"D"})


def test_an_override_lower_in_the_history_is_found(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.commit_price("40.00", "2026-11-01T12:00:00+01:00")
    override = "{cdiscount: {price: 29.00}, marketplace-zz: {price: 19.00}}"
    repo.commit_price("40.00", "2026-12-10T09:30:00+01:00", overrides=override)
    repo.commit_price("40.00", "2026-12-15T09:30:00+01:00")
    (finding,) = check_omnibus(sale_catalog(repo.folder), NOW).findings
    assert finding.lowest.price == Decimal("29.00")  # the sale's channel, not the other one
