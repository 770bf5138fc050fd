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


def _catalog(tmp_path: Path, offers: str, operations: dict[str, str] | None = None):
    (tmp_path / "catalog.yaml").write_text(
        "seller_id: 1\nmarketplace: {sandbox: embedded}\n"
        "channels: {cdiscount: {id: CDISFR, submission: xml}, zz: {id: SELLZZ, submission: json}}\n"
        "defaults: {vat: 20, preparation_days: 2, "
        "delivery: [{mode: TRK, cost: 4.9, additional_cost: 1}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "offers").mkdir()
    (tmp_path / "offers" / "a.yaml").write_text(offers, encoding="utf-8")
    for name, text in (operations or {}).items():
        (tmp_path / "operations").mkdir(exist_ok=True)
        (tmp_path / "operations" / name).write_text(text, encoding="utf-8")
    return check_catalog(tmp_path)


def test_an_override_for_a_channel_the_offer_leaves_out_is_a_warning(tmp_path: Path) -> None:
    catalog, problems = _catalog(
        tmp_path,
        'offers:\n  - {sku: A, gtin: "3760452700015", price: 5, stock: 1, channels: [cdiscount],\n'
        "     overrides: {zz: {price: 6}}}\n",
    )
    assert catalog is not None
    assert list(catalog.offers) == [("cdiscount", "A")]
    assert [(str(p), p.severity) for p in problems] == [
        (
            f"{tmp_path}/offers/a.yaml:3:18: offers[0].overrides.zz: an override for channel "
            "'zz', which this offer's channels leave out",
            "warning",
        )
    ]


def test_an_operation_name_is_used_once(tmp_path: Path) -> None:
    operation = (
        "operations:\n  - {name: soldes, kind: sales, channel: cdiscount, discount_percent: 10,\n"
        "     start: 2027-01-13T08:00:00+01:00, end: 2027-01-20T08:00:00+01:00,\n"
        "     offers: {skus: [A]}}\n"
    )
    catalog, problems = _catalog(
        tmp_path,
        'offers:\n  - {sku: A, gtin: "3760452700015", price: 5, stock: 1}\n',
        {"a.yaml": operation, "b.yaml": operation.replace("2027-01", "2027-03")},
    )
    assert catalog is None
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == [
        f"{tmp_path}/operations/b.yaml:2:12: operations[0].name: operation name 'soldes' is "
        f"already used at {tmp_path}/operations/a.yaml:2"
    ]


def test_operation_rules_wait_for_the_offers_to_be_right(tmp_path: Path) -> None:
    operation = (
        "operations:\n  - {name: soldes, kind: sales, channel: cdiscount, discount_percent: 10,\n"
        "     start: 2027-01-13T08:00:00+01:00, end: 2027-01-20T08:00:00+01:00,\n"
        "     offers: {skus: [A]}}\n"
    )
    _, problems = _catalog(
        tmp_path,
        'offers:\n  - {sku: A, gtin: "3760452700016", price: 5, stock: 1}\n',
        {"a.yaml": operation},
    )
    assert [p.message for p in problems] == [
        'the GTIN check digit is wrong: it should end in 5 (got "3760452700016")'
    ]
    fixed = tmp_path / "offers" / "a.yaml"
    fixed.write_text(fixed.read_text().replace("016", "015"))
    (tmp_path / "operations" / "a.yaml").write_text(operation.replace("[A]", "[B]"))
    _, problems = check_catalog(tmp_path)
    assert problems and all("soldes" in p.message for p in problems)
