"""The shipped JSON Schemas: valid Draft 2020-12, documented, closed; and their messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from reconciler.catalog import check_catalog
from reconciler.catalog.load import load_yaml
from reconciler.catalog.resolve import NORMAL_FORM
from reconciler.catalog.schema import SCHEMA_NAMES, check_file, schema


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    document = schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _fields(node: object, where: str = ""):
    """Every (path, field schema) under `properties` in a schema, and every object schema."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, sub in node.items():
            yield from _fields(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            yield from _fields(sub, f"{where}[{index}]")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_field_has_a_description_and_examples(name: str) -> None:
    document = schema(name)
    for where, field in _fields(document):
        if "$ref" in field:
            field = document["$defs"][field["$ref"].rsplit("/", 1)[1]]
        assert field.get("description"), where
        assert field.get("examples"), where


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_object_is_closed(name: str) -> None:
    def objects(node: object):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for sub in node.values():
                yield from objects(sub)
        elif isinstance(node, list):
            for sub in node:
                yield from objects(sub)

    for node in objects(schema(name)):
        assert "additionalProperties" in node, node.get("description")
        assert node["additionalProperties"] is False or "$ref" in node["additionalProperties"]


def test_an_override_accepts_exactly_the_fields_resolution_knows() -> None:
    override = schema("offers")["$defs"]["override"]["properties"]
    assert set(override) == set(NORMAL_FORM)


def _offers(tmp_path: Path, text: str):
    path = tmp_path / "offers.yaml"
    path.write_text(text, encoding="utf-8")
    return check_file(load_yaml(path, "offers.yaml"), "offers")


def test_every_error_of_an_item_is_listed_and_good_items_stay(tmp_path: Path) -> None:
    check = _offers(
        tmp_path,
        "offers:\n"
        '  - {sku: A, gtin: "3760452700015", price: 1, stock: 1}\n'
        '  - {sku: "", gtin: "12", price: 0, stock: -2, condition: used, vat: 120, xyz: 1}\n'
        '  - {sku: C, gtin: "3760452700039", price: 1, stock: 1}\n',
    )
    assert check.usable and check.bad_items == {1}
    assert sorted(str(p) for p in check.problems) == [
        "offers.yaml:3:11: offers[1].sku: must not be empty",
        'offers.yaml:3:21: offers[1].gtin: must be a GTIN of 8, 12, 13 or 14 digits (got "12")',
        "offers.yaml:3:34: offers[1].price: must be greater than 0 (got 0)",
        "offers.yaml:3:44: offers[1].stock: must be at least 0 (got -2)",
        "offers.yaml:3:59: offers[1].condition: must be one of new, like_new, very_good, good, "
        'average, refurbished (got "used")',
        "offers.yaml:3:70: offers[1].vat: must be at most 100 (got 120)",
        "offers.yaml:3:75: offers[1].xyz: unknown field 'xyz' (allowed: channels, comment, "
        "condition, dea_tax, delivery, eco_tax, gtin, overrides, packaging, preparation_days, "
        "price, price_alignment, sku, status, stock, striked_price, tags, vat)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2]\n", "offers.yaml:1:1: must be a mapping of fields (got a list)"),
        ("offers: 3\n", "offers.yaml:1:9: offers: must be a list (got 3)"),
        ("offers: []\nmore: 1\n", "offers.yaml:2:1: more: unknown field 'more' (allowed: offers)"),
        ("offer: []\n", "offers.yaml:1:1: missing required field 'offers'"),
    ],
)
def test_a_wrong_top_level_makes_the_file_unusable(
    tmp_path: Path, text: str, expected: str
) -> None:
    check = _offers(tmp_path, text)
    assert not check.usable
    assert [str(p) for p in check.problems][-1] == expected


def test_one_run_reports_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "seller_id: 0\nchannels: {zz: {id: SELLZZ, submission: json, pools: [1]}}\n",
        encoding="utf-8",
    )
    (tmp_path / "offers").mkdir()
    (tmp_path / "offers" / "a.yaml").write_text("offers:\n  - {sku: A}\n", encoding="utf-8")
    catalog, problems = check_catalog(tmp_path)
    assert catalog is None
    assert [(Path(p.location.file).name, p.location.line, p.message) for p in problems] == [
        ("catalog.yaml", 1, "must be at least 1 (got 0)"),
        ("catalog.yaml", 2, "unknown field 'pools' (allowed: id, publication_pools, submission)"),
        ("a.yaml", 2, "missing required field 'gtin'"),
        # price and stock are required only where the catalog owns them (catalog.yaml `fields`),
        # which an invalid catalog.yaml cannot say.
    ]


def test_whole_numbers_written_with_a_dot_are_kept(tmp_path: Path) -> None:
    check = _offers(
        tmp_path,
        'offers:\n  - {sku: A, gtin: "3760452700015", price: 1, stock: 2.0,\n'
        "     preparation_days: 3.0}\n",
    )
    assert (check.problems, check.bad_items, check.usable) == ([], set(), True)


def test_an_amount_beyond_any_price_is_refused_before_it_is_normalized(tmp_path: Path) -> None:
    check = _offers(
        tmp_path,
        'offers:\n  - {sku: A, gtin: "3760452700015", price: 1.0e+30, stock: 1}\n'
        '  - {sku: B, gtin: "3760452700022", price: 100000000000000000000000000000000, stock: 1}\n',
    )
    assert [str(p) for p in check.problems] == [
        "offers.yaml:2:44: offers[0].price: must be at most 10000000 (got 1e+30)",
        "offers.yaml:3:44: offers[1].price: must be at most 10000000 "
        "(got 100000000000000000000000000000000)",
    ]
