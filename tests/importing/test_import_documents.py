from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
import yaml
from live_shop import CHANNELS, SALE, live_shop, offer, settings

from reconciler.clock import PARIS
from reconciler.importing.documents import SplitBy, catalog_documents, sku_prefix
from reconciler.importing.operations import live_operations
from reconciler.importing.shape import lift_defaults, offer_entries

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


def documents(split_by=SplitBy.NONE, live=None):
    files = catalog_documents(settings(), live or live_shop(), NOW, split_by)
    return files, {path: yaml.safe_load(text) for path, text in files.items()}


def test_the_most_common_values_become_defaults():
    _, docs = documents()
    defaults = docs["catalog.yaml"]["defaults"]
    assert defaults == {
        "condition": "new",
        "vat": 20,
        "eco_tax": 0,
        "dea_tax": 0,
        "preparation_days": 2,
        "delivery": [
            {"mode": "REG", "cost": 6.9, "additional_cost": 2},
            {"mode": "TRK", "cost": 4.9, "additional_cost": 1},
        ],
    }


def test_an_offer_on_two_channels_is_one_entry_with_overrides_where_they_differ():
    _, docs = documents()
    entries = {e["sku"]: e for e in docs["offers/offers.yaml"]["offers"]}
    red = entries["TSHIRT-RED-M"]
    # a tie between 19.99 and 21.99: the first channel by name wins, the other is an override
    assert red["price"] == 19.99
    assert red["overrides"]["marketplace-zz"] == {"price": 21.99}
    # XML-only: an override of the xml channel, as the json channel never receives it
    assert "comment" not in red
    assert red["overrides"]["cdiscount"] == {"comment": "Livré sous 48h"}
    assert "channels" not in red  # on every channel of the catalog
    assert "vat" not in red and "delivery" not in red  # the defaults hold


def test_single_channel_offers_name_their_channel_and_only_what_differs():
    _, docs = documents()
    entries = {e["sku"]: e for e in docs["offers/offers.yaml"]["offers"]}
    assert entries["MUG-01"]["channels"] == ["cdiscount"]
    assert entries["MUG-01"]["vat"] == 5.5
    assert entries["MUG-01"]["delivery"] == [{"mode": "TRK", "cost": 4.9, "additional_cost": 1}]
    assert entries["CAP-9"] == {
        "sku": "CAP-9",
        "gtin": "9780201379624",
        "price": 19.99,
        "stock": 25,
        "preparation_days": 5,
        "channels": ["marketplace-zz"],
    }
    assert entries["TSHIRT-BLUE-L"]["stock"] == 0
    assert [e["sku"] for e in docs["offers/offers.yaml"]["offers"]] == sorted(entries)


def test_money_is_written_as_a_seller_writes_it():
    files, _ = documents()
    text = files["offers/offers.yaml"]
    assert "price: 19.99" in text and "price: 21.99" in text
    assert "{mode: REG, cost: 6.90, additional_cost: 2}" in files["catalog.yaml"]
    assert "gtin: '3760452700039'" in text  # a string: leading zeros survive


def test_the_sale_comes_back_as_an_operation():
    _, docs = documents()
    [operation] = docs["operations/operations.yaml"]["operations"]
    assert operation == {
        "name": "sales-cdiscount-2027-01-07",
        "kind": "sales",
        "channel": "cdiscount",
        "start": SALE.start,
        "end": SALE.end,
        "discount_percent": 30,
        "reference_price": 39.99,
        "offers": {"skus": ["TSHIRT-RED-M"]},
    }


def test_a_reference_price_equal_to_the_offer_price_is_left_to_the_default():
    sale = SALE.__class__(SALE.start, SALE.end, SALE.kind, 30, D("19.99"))
    live = {o.key: o for o in [offer("cdiscount", "A-1", discounts=(sale,))]}
    [op] = live_operations(live, CHANNELS, NOW)
    assert op.reference_price is None


def test_ended_discounts_are_not_imported():
    live = {o.key: o for o in [offer("cdiscount", "A-1", discounts=(SALE,))]}
    after = datetime(2027, 3, 1, tzinfo=PARIS)
    assert live_operations(live, CHANNELS, after) == []


def test_operations_of_one_campaign_group_their_skus_and_same_day_names_stay_unique():
    flash = SALE.__class__(SALE.start, SALE.start.replace(hour=20), SALE.kind.FLASH_SALE, 10)
    live = {
        o.key: o
        for o in [
            offer("cdiscount", "B", discounts=(SALE,)),
            offer("cdiscount", "A", discounts=(SALE,)),
            offer("cdiscount", "C", discounts=(flash,)),
        ]
    }
    ops = live_operations(live, CHANNELS, NOW)
    # sorted by channel, kind (flash_sale before sales), start
    assert [(op.name, op.skus) for op in ops] == [
        ("flash-sale-cdiscount-2027-01-07", ("C",)),
        ("sales-cdiscount-2027-01-07", ("A", "B")),
    ]


def test_same_shop_in_any_order_gives_the_same_bytes():
    live = live_shop()
    backwards = dict(reversed(list(live.items())))
    assert catalog_documents(settings(), live, NOW) == catalog_documents(settings(), backwards, NOW)


def test_split_by_channel_and_by_prefix():
    files, _ = documents(SplitBy.CHANNEL)
    assert sorted(files) == [
        "catalog.yaml",
        "offers/cdiscount+marketplace-zz.yaml",
        "offers/cdiscount.yaml",
        "offers/marketplace-zz.yaml",
        "operations/cdiscount.yaml",
    ]
    files, docs = documents(SplitBy.PREFIX)
    assert sorted(p for p in files if p.startswith("offers/")) == [
        "offers/cap.yaml",
        "offers/mug.yaml",
        "offers/tshirt.yaml",
    ]
    assert [e["sku"] for e in docs["offers/tshirt.yaml"]["offers"]] == [
        "TSHIRT-BLUE-L",
        "TSHIRT-RED-M",
    ]
    assert sku_prefix("--") == "other"
    assert sku_prefix("Mug_01") == "mug"


def test_xml_only_values_that_differ_between_xml_channels_are_overrides_never_nulls():
    channels = {
        **CHANNELS,
        "cdiscount-be": CHANNELS["cdiscount"].__class__(
            "cdiscount-be", "CDISBE", CHANNELS["cdiscount"].submission, (14,)
        ),
    }
    live = {
        o.key: o
        for o in [
            offer("cdiscount", "A", striked_price=D("24.99")),
            offer("cdiscount-be", "A"),
        ]
    }
    defaults = lift_defaults(live.values())
    [entry] = offer_entries(live, channels, defaults)
    assert dict(entry.fields).get("striked_price") is None
    assert entry.overrides == (("cdiscount", (("striked_price", D("24.99")),)),)


def test_an_empty_shop_gives_a_catalog_without_defaults():
    files = catalog_documents(settings(), {}, NOW)
    assert list(files) == ["catalog.yaml"]
    assert "defaults" not in yaml.safe_load(files["catalog.yaml"])


def test_the_pure_python_dumper_writes_the_same_bytes_as_libyaml(monkeypatch):
    from functools import partial

    from reconciler.importing import documents as module
    from reconciler.importing.yaml_style import dump, seller_dumper

    expected = catalog_documents(settings(), live_shop(), NOW, SplitBy.CHANNEL)
    monkeypatch.setattr(module, "dump", partial(dump, dumper=seller_dumper(yaml.SafeDumper)))
    assert catalog_documents(settings(), live_shop(), NOW, SplitBy.CHANNEL) == expected


def test_written_files_load_back_to_exactly_the_live_offers(tmp_path):
    from reconciler.catalog import load_catalog
    from reconciler.catalog.model import Guards, ManagePolicy, PackageStore
    from reconciler.importing.folder import write_folder
    from reconciler.operations.discounts import desired_offers

    source = settings(
        manage=ManagePolicy.ALL,
        guards=Guards(max_update_percent=D(50), min_existing_offers=3),
        package_store=PackageStore("http-put", "https://storage.example.com/p/{name}"),
    )
    write_folder(tmp_path, catalog_documents(source, live_shop(), NOW, SplitBy.PREFIX))

    catalog = load_catalog(tmp_path)

    assert desired_offers(catalog, NOW) == live_shop()
    assert (catalog.manage, catalog.guards, catalog.package_store) == (
        source.manage,
        source.guards,
        source.package_store,
    )
    assert catalog.channels == CHANNELS


def test_replace_removes_the_data_files_of_the_earlier_import(tmp_path):
    from reconciler.catalog import load_catalog
    from reconciler.importing.folder import ImportRefused, write_folder

    write_folder(tmp_path, catalog_documents(settings(), live_shop(), NOW, SplitBy.PREFIX))
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    again = catalog_documents(settings(), live_shop(), NOW, SplitBy.NONE)
    with pytest.raises(ImportRefused, match="--replace"):
        write_folder(tmp_path, again)

    write_folder(tmp_path, again, replace=True)

    assert sorted(p.name for p in (tmp_path / "offers").iterdir()) == ["offers.yaml"]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert len(load_catalog(tmp_path).offers) == len(live_shop())  # no sku twice


def test_a_sku_sold_as_two_products_is_two_entries_as_a_gtin_has_no_override(tmp_path):
    from reconciler.catalog import load_catalog
    from reconciler.importing.folder import write_folder
    from reconciler.operations.discounts import desired_offers

    live = {
        o.key: o
        for o in [
            offer("cdiscount", "A", gtin="3760452700039", comment="Livré sous 48h"),
            offer("marketplace-zz", "A", gtin="4006381333931", price=D("9.99")),
        ]
    }
    files = catalog_documents(settings(), live, NOW)
    entries = yaml.safe_load(files["offers/offers.yaml"])["offers"]
    assert [(e["sku"], e["gtin"], e["channels"]) for e in entries] == [
        ("A", "3760452700039", ["cdiscount"]),
        ("A", "4006381333931", ["marketplace-zz"]),
    ]
    write_folder(tmp_path, files)
    assert desired_offers(load_catalog(tmp_path), NOW) == live
