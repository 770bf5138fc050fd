"""The rules a schema cannot say: GTIN check digits, cents, one sku per channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.catalog.rules import SkuRegister, gtin_check_digit
from reconciler.errors import Location

SETTINGS = """\
seller_id: 98979
marketplace: {sandbox: embedded}
channels:
  cdiscount: {id: CDISFR, submission: xml}
  zz: {id: SELLZZ, submission: json, publication_pools: [1]}
  yy: {id: SELLZZ, submission: json}
defaults:
  vat: 20
  preparation_days: 2
  eco_tax: 0.001
  delivery: [{mode: TRK, cost: 4.9, additional_cost: 1.005}]
"""


@pytest.mark.parametrize(
    "gtin",
    ["96385074", "036000291452", "4006381333931", "3760452700039", "10012345678902"],
)
def test_known_good_gtins(gtin: str) -> None:
    assert gtin_check_digit(gtin) == int(gtin[-1])


@pytest.mark.parametrize("gtin", ["96385075", "036000291453", "4006381333932", "10012345678903"])
def test_a_wrong_last_digit_is_caught(gtin: str) -> None:
    assert gtin_check_digit(gtin) != int(gtin[-1])


def test_settings_rules_and_defaults_are_located(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(SETTINGS, encoding="utf-8")
    catalog, problems = check_catalog(tmp_path)
    assert catalog is None
    assert [str(p).removeprefix(str(tmp_path) + "/") for p in problems] == [
        "catalog.yaml:5:57: channels.zz.publication_pools: publication_pools exist only in XML "
        "packages: this channel is json",
        "catalog.yaml:6:12: channels.yy.id: channel id 'SELLZZ' is already used by channel 'zz'",
        "catalog.yaml:10:12: defaults.eco_tax: money has at most 2 decimals (got 0.001)",
        "catalog.yaml:11:54: defaults.delivery[0].additional_cost: money has at most 2 decimals "
        "(got 1.005)",
        "offers: no offers/*.yaml: the catalog declares no offers",
    ]
    assert problems[-1].severity == "warning"


def test_sku_register_names_the_first_place() -> None:
    register = SkuRegister()
    first = Location("a.yaml", 3, 5, "offers[0]")
    assert register.clash("A", ["x", "y"], first) is None
    assert register.clash("A", ["z"], Location("b.yaml", 9, 5, "offers[2]")) is None
    message = register.clash("A", ["y", "z"], Location("c.yaml", 4, 5, "offers[0]"))
    assert message == (
        "sku 'A' is declared twice: for channel 'y' first at a.yaml:3 (offers[0]); "
        "for channel 'z' first at b.yaml:9 (offers[2])"
    )


def test_same_sku_on_different_channels_is_fine(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        SETTINGS.split("defaults:")[0]
        .replace("  zz: {id: SELLZZ, submission: json, publication_pools: [1]}\n", "")
        .replace("yy: {id: SELLZZ", "yy: {id: SELLYY")
        + "defaults: {vat: 20, preparation_days: 2, "
        "delivery: [{mode: TRK, cost: 4.9, additional_cost: 1}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "offers").mkdir()
    for name, channel, price in (("a", "cdiscount", 10), ("b", "yy", 11)):
        (tmp_path / "offers" / f"{name}.yaml").write_text(
            f'offers:\n  - {{sku: A, gtin: "3760452700015", price: {price}, stock: 1, '
            f"channels: [{channel}], tags: [{name}]}}\n",
            encoding="utf-8",
        )
    catalog, problems = check_catalog(tmp_path)
    assert problems == []
    assert catalog is not None
    assert catalog.offers["yy", "A"].price == 11
    assert catalog.tags["A"] == frozenset({"a", "b"})
