"""`catalog validate` on one small catalog per error case: exact location, message and exit 4."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG

INVALID = Path(__file__).resolve().parent.parent / "fixtures" / "invalid"

# case -> the problem lines, each `relative/file.yaml:LINE:COL: field: message`
CASES: dict[str, list[str]] = {
    "malformed-yaml": [
        "offers/mugs.yaml:5:10: invalid YAML: while parsing a flow sequence, "
        "did not find expected ',' or ']'"
    ],
    "tab-indentation": [
        "offers/mugs.yaml:3:1: a tab is used for indentation: YAML indents with spaces only"
    ],
    "duplicate-key": [
        "offers/mugs.yaml:6:5: offers[0].price: duplicate key 'price' (first at line 4)"
    ],
    "wrong-type": ['offers/mugs.yaml:5:12: offers[0].stock: must be a whole number (got "many")'],
    "unknown-field": [
        # The typo alone: price is required only where the catalog owns it, judged once the
        # offer is readable.
        "offers/mugs.yaml:4:5: offers[0].prise: unknown field 'prise': did you mean 'price'? "
        "(allowed: channels, comment, condition, dea_tax, delivery, eco_tax, gtin, overrides, "
        "packaging, preparation_days, price, price_alignment, sku, status, stock, "
        "striked_price, tags, vat)",
    ],
    "empty-file": ["offers/mugs.yaml:1:1: the file is empty"],
    "not-utf8": ["offers/mugs.yaml:2:17: the file is not UTF-8 (byte 0xc9): save it as UTF-8"],
    "bom": [
        "offers/mugs.yaml:1:1: the file starts with a byte-order mark (BOM): "
        "save it as UTF-8 without BOM"
    ],
    "missing-catalog-yaml": [
        "catalog.yaml: missing catalog.yaml: a catalog folder starts with one (seller_id, channels)"
    ],
    "duplicate-sku": [
        "offers/b-more-mugs.yaml:6:10: offers[1].sku: sku 'MUG-1' is declared twice: for channels "
        "'cdiscount', 'marketplace-zz' first at {dir}/offers/a-mugs.yaml:2 (offers[0])"
    ],
    "bad-gtin": [
        "offers/mugs.yaml:3:11: offers[0].gtin: the GTIN check digit is wrong: "
        'it should end in 5 (got "3760452700016")'
    ],
    "gtin-not-quoted": [
        "offers/mugs.yaml:3:11: offers[0].gtin: must be text: write it in quotes "
        "(got 3760452700015)"
    ],
    "price-not-positive": [
        "offers/mugs.yaml:4:12: offers[0].price: must be greater than 0 (got -1)"
    ],
    "price-below-ecotax": [
        "offers/mugs.yaml:4:12: offers[0].price: price 1.00 is below eco_tax + dea_tax (1.30)"
    ],
    "striked-not-above-price": [
        "offers/mugs.yaml:6:20: offers[0].striked_price: striked_price must be above price 12.50 "
        "(got 12.50)"
    ],
    "three-decimals": [
        "offers/mugs.yaml:4:12: offers[0].price: money has at most 2 decimals (got 12.499)"
    ],
    "preparation-days-out-of-range": [
        "offers/mugs.yaml:6:23: offers[0].preparation_days: must be at least 1 (got 0)",
        "offers/mugs.yaml:11:23: offers[1].preparation_days: must be at most 10 (got 11)",
    ],
    "unknown-channel": [
        "offers/mugs.yaml:6:27: offers[0].channels[1]: unknown channel 'marketplace-yy': "
        "did you mean 'marketplace-zz'? (catalog.yaml declares: cdiscount, marketplace-zz)"
    ],
    "unknown-channel-type": [
        "catalog.yaml:5:44: channels.marketplace-zz.submission: must be one of xml, json "
        "(got \"jsn\"); did you mean 'json'?"
    ],
    "xml-only-field-in-json-override": [
        "offers/mugs.yaml:7:38: offers[0].overrides.marketplace-zz.comment: comment exists only "
        "in XML packages: channel 'marketplace-zz' uses json submission and cannot receive it"
    ],
    "python-tag": [
        "offers/mugs.yaml:4:12: offers[0].price: the YAML tag "
        "!!python/object/apply:os.system is not allowed"
    ],
    "alias-bomb": [
        "offers/mugs.yaml:1:1: YAML aliases expand 20 nodes to 2345679011: refused (an alias bomb?)"
    ],
    "unknown-delivery-mode": [
        "offers/mugs.yaml:7:16: offers[0].delivery[0].mode: unknown delivery mode 'XYZ' "
        "(known: EXP, FST, LV1, LV2, LV3, MAG, RCO, REG, REL, RIM, SO1, STD, TNT, TRK)"
    ],
    "missing-required-field": ["offers/mugs.yaml:2:5: offers[0]: missing required field 'gtin'"],
    "operation-wrong-kind": [
        "operations/sales.yaml:3:11: operations[0].kind: must be one of sales, flash_sale "
        "(got \"sale\"); did you mean 'sales'?"
    ],
}


def validate(*args: str):
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def test_every_fixture_has_a_case() -> None:
    assert sorted(p.name for p in INVALID.iterdir() if p.is_dir()) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_catalog_is_reported_with_its_location(case: str) -> None:
    folder = INVALID / case
    result = validate(str(folder))
    expected = [f"{folder}/{line.format(dir=folder)}" for line in CASES[case]]
    count = len(expected)
    assert result.stdout.splitlines() == [*expected, f"{count} error(s): the catalog is invalid."]
    assert result.exit_code == 4
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", ["duplicate-sku", "preparation-days-out-of-range"])
def test_json_format_gives_the_same_problems_as_objects(case: str) -> None:
    folder = INVALID / case
    result = validate(str(folder), "--format", "json")
    problems = json.loads(result.stdout)
    assert result.exit_code == 4
    lines = [f"{folder}/{line.format(dir=folder)}" for line in CASES[case]]
    assert [
        f"{p['file']}:{p['line']}:{p['column']}: {p['field']}: {p['message']}" for p in problems
    ] == lines
    assert {p["severity"] for p in problems} == {"error"}


def test_demo_catalog_is_valid() -> None:
    result = validate(str(DEMO_CATALOG))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"{DEMO_CATALOG}: valid: 21 sku(s), 40 channel offer(s) on 2 channel(s), 1 operation(s)"
    )


def test_missing_folder_is_a_usage_error() -> None:
    result = validate("/nonexistent/catalog")
    assert result.exit_code == 64
    assert result.stderr.splitlines()[0] == (
        "Error: /nonexistent/catalog: no catalog here: the folder does not exist "
        "(give the folder that holds catalog.yaml)"
    )


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    offers = DEMO_CATALOG / "offers" / "clothes.yaml"
    result = validate(str(offers))
    assert result.exit_code == 64
    assert result.stderr.splitlines()[0] == (
        f"Error: {offers}: no catalog here: the folder is a file "
        "(give the folder that holds catalog.yaml)"
    )
    named = validate(str(DEMO_CATALOG / "catalog.yaml"))  # its own folder is meant
    assert named.exit_code == 0, named.output


def test_warnings_are_printed_and_the_catalog_still_valid(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "seller_id: 1\nchannels:\n  cdiscount: {id: CDISFR, submission: xml}\n", encoding="utf-8"
    )
    result = validate(str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{tmp_path}/catalog.yaml:1:1: warning: xml channel(s) cdiscount need a package_store "
        "to apply (or marketplace: {sandbox: embedded})",
        f"{tmp_path}/offers: warning: no offers/*.yaml: the catalog declares no offers",
        f"{tmp_path}: valid: 0 sku(s), 0 channel offer(s) on 1 channel(s), 0 operation(s)",
    ]


def _git(folder: Path, *args: str, date: str = "2026-11-20T10:00:00+01:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def test_omnibus_is_a_warning_and_an_error_with_strict(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CATALOG_NOW", "2026-11-25T12:00:00+01:00")
    base = INVALID / "operation-wrong-kind"
    (tmp_path / "catalog.yaml").write_bytes((base / "catalog.yaml").read_bytes())
    (tmp_path / "offers").mkdir()
    (tmp_path / "operations").mkdir()
    offers = (base / "offers" / "mugs.yaml").read_text(encoding="utf-8")
    (tmp_path / "offers" / "mugs.yaml").write_text(offers, encoding="utf-8")  # price 12.50
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "mugs at 12.50", date="2026-10-20T10:00:00+02:00")
    raised = offers.replace("price: 12.50", "price: 20.00")
    (tmp_path / "offers" / "mugs.yaml").write_text(raised, encoding="utf-8")
    (tmp_path / "operations" / "sales.yaml").write_text(
        "operations:\n  - name: soldes\n    kind: sales\n    channel: cdiscount\n"
        "    start: 2026-12-01T08:00:00+01:00\n    end: 2026-12-20T20:00:00+01:00\n"
        "    discount_percent: 30\n    reference_price: 20.00\n    offers: {skus: [MUG-1]}\n",
        encoding="utf-8",
    )
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "raise", date="2026-11-22T10:00:00+01:00")

    relaxed = validate(str(tmp_path))
    assert relaxed.exit_code == 0, relaxed.output
    [warning] = [line for line in relaxed.stdout.splitlines() if "warning:" in line]
    assert warning.startswith(f"{tmp_path}/operations/sales.yaml:2:5: operations[0]")
    assert "reference price 20.00 is above 12.50" in warning

    strict = validate(str(tmp_path), "--strict")
    assert strict.exit_code == 4
    assert strict.stdout.splitlines()[-1] == "1 error(s): the catalog is invalid."


def test_outside_git_the_omnibus_check_says_it_was_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, folder)
    for args in ([], ["--strict"]):
        result = validate(str(folder), *args)
        assert result.exit_code == 0
        assert result.stdout.splitlines()[0] == (
            f"{folder}: warning: Omnibus check skipped: {folder} is not in a git repository, "
            "so there is no price history to compare the reference prices with"
        )


def test_default_folder_is_here_and_json_of_a_valid_catalog(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(DEMO_CATALOG, tmp_path / "demo", ignore=shutil.ignore_patterns(".catalog"))
    (tmp_path / "demo" / "operations" / "soldes-hiver-2027.yaml").unlink()
    monkeypatch.chdir(tmp_path / "demo")
    result = validate()
    assert result.exit_code == 0
    assert (
        result.stdout
        == ".: valid: 21 sku(s), 40 channel offer(s) on 2 channel(s), 0 operation(s)\n"
    )
    as_json = validate("--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == []
