"""The parse cache with sources: an unchanged offers file is read back as the files give it and
the feeds' values are merged in again on every load, so a cached load is the cache-off load
(offers, unknown fields, places, tags, problems, the merge's account of skus) whatever the
feed says this hour; a fed value that breaks a rule is located as a parse locates it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.catalog.cache import ParseCache
from reconciler.state import StateFolder

SETTINGS = """seller_id: 98979
marketplace: {{sandbox: embedded}}
channels:
  cdiscount: {{id: CDISFR, submission: xml}}
  zz: {{id: SELLZZ, submission: json}}
defaults:
  vat: 20
  preparation_days: 2
  eco_tax: 0.50
  delivery: [{{mode: TRK, cost: 4.90, additional_cost: 1.00}}]
{sources}
fields: {fields}
"""
ERP = """sources:
  erp:
    csv: exports/stock.csv
    key: sku
    columns: {{stock: qty{price}}}
    missing: {missing}
"""
# an inactive offer (its stock stays 0), an override, a struck price, a sku on one channel,
# an offer giving no stock (fed, or unknown), and tags
FIRST = """offers:
  - {sku: SKU-0, gtin: "3760452700015", price: 19.99, stock: 5, tags: [summer]}
  - {sku: SKU-1, gtin: "3760452700022", price: 9.99, stock: 3, status: inactive}
  - sku: SKU-2
    gtin: "3760452700039"
    price: 20.00
    striked_price: 25.00
    stock: 1
    overrides:
      zz: {price: 18.00}
"""
SECOND = """offers:
  - {sku: SKU-3, gtin: "3760452700046", price: 5.00, stock: 2, channels: [zz], tags: [x]}
  - {sku: SKU-4, gtin: "3760452700053", price: 7.00}
"""
STOCK = "sku;qty\nSKU-0;10\nSKU-1;40\nSKU-2;0\nSKU-3;4\nSKU-4;6\nGONE-1;1\n"


@pytest.fixture(autouse=True)
def _own_key(own_cache_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATALOG_NO_CACHE", raising=False)
    monkeypatch.delenv("CATALOG_NOW", raising=False)


def write_catalog(
    root: Path, fields: str, missing: str = "keep", price: bool = False, fed: bool = True
) -> Path:
    (root / "offers").mkdir(parents=True)
    erp = ERP.format(price=", price: price" if price else "", missing=missing) if fed else ""
    settings = SETTINGS.format(sources=erp, fields=fields)
    (root / "catalog.yaml").write_text(settings, encoding="utf-8")
    (root / "offers" / "first.yaml").write_text(FIRST, encoding="utf-8")
    (root / "offers" / "second.yaml").write_text(SECOND, encoding="utf-8")
    if fed:
        feed(root, STOCK)
    return root


def feed(root: Path, text: str) -> None:
    (root / "exports").mkdir(exist_ok=True)
    (root / "exports" / "stock.csv").write_text(text, encoding="utf-8")


def loaded(root: Path) -> dict[str, object]:
    """Everything a load says, in plain comparable values."""
    catalog, problems = check_catalog(root)
    said = [(str(p).replace(f"{root}/", ""), p.severity) for p in problems]
    if catalog is None:
        return {"problems": said}
    merge = catalog.merge
    return {
        "offers": catalog.offers,
        "unknown": {key: offer.unknown for key, offer in catalog.offers.items()},
        "origins": catalog.origins,
        "tags": catalog.tags,
        "problems": said,
        "not listed": {k: sorted(set(v)) for k, v in merge.not_listed.items()} if merge else {},
    }


def uncached(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    with monkeypatch.context() as off:
        off.setenv("CATALOG_NO_CACHE", "1")
        return loaded(root)


def test_a_warm_fed_load_parses_nothing_and_is_the_uncached_load(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
):
    shop = write_catalog(tmp_path / "shop", "{stock: {from: erp}}")
    cold = loaded(shop)
    assert sorted(parsed) == ["first.yaml", "second.yaml"]
    parsed.clear()
    warm = loaded(shop)
    assert parsed == []
    assert warm == cold == uncached(shop, monkeypatch)
    offers = warm["offers"]
    assert offers["zz", "SKU-0"].stock == 10
    assert offers["zz", "SKU-1"].stock == 0  # inactive: 0 whatever the feed says
    assert offers["zz", "SKU-2"].price == 18 and offers["cdiscount", "SKU-2"].price == 20
    assert [p for p, _ in warm["problems"] if "GONE-1" in p] == [
        "exports/stock.csv: 1 sku(s) not in the catalog, ignored: GONE-1"
    ]


@pytest.mark.parametrize(
    ("missing", "stock"),
    [
        ("keep", "sku;qty\nSKU-0;11\nSKU-1;0\nSKU-2;12\nSKU-3;13\n"),  # new values, SKU-4 gone
        ("error", "sku;qty\nSKU-0;11\nSKU-2;12\nSKU-4;1\n"),  # SKU-1 and SKU-3 not listed
        ("zero", "sku;qty\nSKU-0;11\nSKU-3;2\n"),
    ],
)
def test_a_changed_feed_is_merged_into_cached_files_as_into_parsed_ones(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch, missing: str, stock: str
):
    shop = write_catalog(tmp_path / "shop", "{stock: {from: erp}}", missing)
    loaded(shop)
    feed(shop, stock)
    parsed.clear()
    warm = loaded(shop)
    assert parsed == []
    assert warm == uncached(shop, monkeypatch)
    if missing == "error":
        assert warm["problems"] == [
            (
                "exports/stock.csv: does not list 2 offer(s) of the catalog (missing: error): "
                "SKU-1, SKU-3",
                "error",
            )
        ]


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (
            "SKU-0;1;0.10\n",
            "offers/first.yaml:2:48: offers[0].price: price 0.10 is below eco_tax + dea_tax (0.50)",
        ),
        (
            "SKU-2;1;30.00\n",
            "offers/first.yaml:7:20: offers[2].striked_price: striked_price must be above price "
            "30.00 (got 25.00)",
        ),
    ],
)
def test_a_fed_price_breaking_a_rule_is_located_as_a_parse_locates_it(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch, prices: str, message: str
):
    fields = "{stock: {from: erp}, price: {from: erp}}"
    shop = write_catalog(tmp_path / "shop", fields, "error", price=True)
    good = "sku;qty;price\nSKU-0;1;19.99\nSKU-1;1;9.99\nSKU-2;1;20.00\nSKU-3;1;5\nSKU-4;1;7\n"
    feed(shop, good)
    assert loaded(shop)["offers"]
    # a bad price, and skus not listed (missing: error): SKU-0, filled before SKU-2 breaks a
    # rule, is told once, as without the cache (a replay given up half way and the parse)
    feed(shop, "sku;qty;price\nSKU-1;1;9.99\nSKU-4;1;7\n" + prices)
    parsed.clear()
    warm = loaded(shop)
    assert parsed == ["first.yaml"]  # the file the feed broke; the other is read back
    assert warm == uncached(shop, monkeypatch)
    errors = [p for p, severity in warm["problems"] if severity == "error"]
    assert message in errors
    assert any("does not list" in p for p in errors)


def test_an_unmanaged_stock_is_cached_and_stays_unknown(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
):
    shop = write_catalog(tmp_path / "shop", "{stock: unmanaged}", fed=False)
    loaded(shop)
    parsed.clear()
    warm = loaded(shop)
    assert parsed == []
    assert warm == uncached(shop, monkeypatch)
    assert warm["unknown"]["zz", "SKU-0"] == {"stock"}
    assert warm["unknown"]["zz", "SKU-1"] == frozenset()  # inactive: its stock is 0


def test_an_entry_without_its_inactive_offers_is_not_used(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
):
    """A fed catalog's entry must say which offers are inactive (entries of a catalog without
    sources do not): one that does not is parsed again, not replayed with live stock."""
    shop = write_catalog(tmp_path / "shop", "{stock: {from: erp}}")
    loaded(shop)
    store = ParseCache.of(shop, (shop / "catalog.yaml").read_bytes())
    for path in StateFolder(shop).cache.iterdir():
        entry = store.get(path.name)
        if entry is not None and "inactive" in entry:
            del entry["inactive"]
            store.put(path.name, entry)  # signed with this machine's key: only its form is wrong
    parsed.clear()
    warm = loaded(shop)
    assert sorted(parsed) == ["first.yaml", "second.yaml"]
    assert warm == uncached(shop, monkeypatch)


SALE = """operations:
  - name: winter-sale
    kind: sales
    channel: cdiscount
    start: 2030-01-10T08:00:00
    end: 2030-01-20T08:00:00
    discount_percent: 10
    reference_price: 25.00
    offers:
      skus: [SKU-0]
"""


def test_the_operations_rules_judge_the_fed_prices_of_this_hour(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
):
    """What the operations' rules found is kept for a catalog read back whole: a fed price
    is part of what they judge, so a changed feed finds them again."""
    fields = "{stock: {from: erp}, price: {from: erp}}"
    shop = write_catalog(tmp_path / "shop", fields, price=True)
    (shop / "operations").mkdir()
    (shop / "operations" / "sales.yaml").write_text(SALE, encoding="utf-8")
    feed(shop, "sku;qty;price\nSKU-0;1;19.99\n")
    assert loaded(shop)["offers"]
    loaded(shop)  # every file read back: the rules' findings are kept
    feed(shop, "sku;qty;price\nSKU-0;1;26.00\n")
    parsed.clear()
    warm = loaded(shop)
    assert parsed == []
    assert warm == uncached(shop, monkeypatch)
    assert [p for p, _ in warm["problems"] if "winter-sale" in p] == [
        "operations/sales.yaml:2:5: operations[0].reference_price: operation winter-sale: "
        "offer SKU-0: reference price 25.00 is below the offer's price 26.00; a sale's "
        "reference price must be above the price it is sold at"
    ]
