"""The hostile input corpus (tests/fixtures/hostile/, README there).

Every case is run through the real `catalog validate` (click's runner, exceptions not caught),
which must end within 5 s with exit 4 and a message naming the file (and the line where there
is one), never a traceback. The `valid-*` cases are legitimately valid: `catalog package` must
then write well-formed XML (checked against Cdiscount's XSD) that carries the value unchanged.
"""

from __future__ import annotations

import shutil
import signal
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from reconciler.cli.main import cli

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
XSD = HOSTILE.parent / "cdiscount-xml" / "Offers.xsd"
TIMEOUT = 5  # seconds a case may take
# the embedded sandbox's own credentials, whatever the shell running the tests has set
ENV = {"OCTOPIA_CLIENT_ID": None, "OCTOPIA_CLIENT_SECRET": None}
NS = (
    "{clr-namespace:Cdiscount.Service.OfferIntegration.Pivot;"
    "assembly=Cdiscount.Service.OfferIntegration}"
)

# case -> (where the first error is: "file:line" or "file" when there is no line, what it says)
INVALID: dict[str, tuple[str, str]] = {
    # broken YAML
    "unclosed-double-quote": ("offers/mugs.yaml:3", "invalid YAML"),
    "unclosed-single-quote": ("offers/mugs.yaml:6", "found unexpected end of stream"),
    "unclosed-flow-sequence": ("offers/mugs.yaml:7", "did not find expected ',' or ']'"),
    "unclosed-flow-mapping": ("offers/mugs.yaml:7", "did not find expected ',' or ']'"),
    "bad-indentation": ("offers/mugs.yaml:4", "did not find expected key"),
    "dedented-key": ("offers/mugs.yaml:4", "did not find expected '-' indicator"),
    "two-documents": ("offers/mugs.yaml:6", "expected a single document"),
    "offers-is-a-mapping": ("offers/mugs.yaml:2", "offers: must be a list (got a mapping)"),
    "offer-is-a-list": ("offers/mugs.yaml:2", "must be a mapping of fields (got a list)"),
    "delivery-is-a-mapping": ("offers/mugs.yaml:6", "delivery: must be a list"),
    "channels-is-a-list": ("catalog.yaml:4", "channels: must be a mapping"),
    "lone-scalar": ("offers/mugs.yaml:1", "must be a mapping of fields"),
    "catalog-lone-scalar": ("catalog.yaml:1", "must be a mapping of fields (got 98979)"),
    "offers-file-is-a-list": ("offers/mugs.yaml:1", "must be a mapping of fields (got a list)"),
    "offers-null": ("offers/mugs.yaml:1", "offers: must be a list (got nothing)"),
    "complex-key": ("offers/mugs.yaml:2", "a key must be a plain name"),
    "integer-key": ("offers/mugs.yaml:6", "unknown field '1'"),
    "alias-as-key": ("offers/mugs.yaml:1", "unknown field 'k'"),
    "duplicate-key-in-catalog": ("catalog.yaml:11", "duplicate key 'seller_id'"),
    # aliases
    "alias-bomb-mappings": ("offers/mugs.yaml:1", "an alias bomb?"),
    "alias-bomb-merge-keys": ("offers/mugs.yaml:1", "an alias bomb?"),
    "alias-loop": ("offers/mugs.yaml:1", "a YAML alias refers to a part that contains it"),
    "undefined-alias": ("offers/mugs.yaml:4", "found undefined alias"),
    "merge-key-scalar": ("offers/mugs.yaml:2", "a merge key (<<) takes a mapping"),
    "operations-alias-bomb": ("operations/sales.yaml:1", "an alias bomb?"),
    # tags: only YAML's own scalar and collection tags; !!binary too is refused (no catalog
    # field holds bytes, and a base64 blob in a sku or comment is a mistake or an attack)
    "python-object": ("offers/mugs.yaml:4", "!!python/object:os.system is not allowed"),
    "python-name": ("offers/mugs.yaml:2", "!!python/name:os.system is not allowed"),
    "python-object-new-on-catalog": ("catalog.yaml:1", "!!python/object/new:int is not allowed"),
    "python-module-key": ("offers/mugs.yaml:2", "!!python/module:os is not allowed"),
    "operations-python-tag": ("operations/sales.yaml:5", "time.sleep is not allowed"),
    "tag-directive": ("offers/mugs.yaml:6", "!!python/object/apply:os.getcwd is not allowed"),
    "binary-tag": ("offers/mugs.yaml:6", "!!binary is not allowed"),
    "local-tag": ("offers/mugs.yaml:4", "!Ref is not allowed"),
    "set-tag": ("offers/mugs.yaml:6", "!!set is not allowed"),
    "verbatim-tag": ("offers/mugs.yaml:5", "tag:example.com,2024:stock is not allowed"),
    # nesting
    "deep-flow-nesting": ("offers/mugs.yaml:1", "exceeded maximum nesting depth"),
    "deep-block-nesting": ("offers/mugs.yaml:1000", "exceeded maximum nesting depth"),
    # bytes and encodings
    "bom-in-catalog": ("catalog.yaml:1", "byte-order mark"),
    "utf16": ("offers/mugs.yaml:1", "not UTF-8 (byte 0xff)"),
    "latin1-comment": ("offers/mugs.yaml:1", "not UTF-8 (byte 0xe9)"),
    "mixed-encodings": ("offers/mugs.yaml:7", "not UTF-8 (byte 0xe9)"),
    "nul-byte": ("offers/mugs.yaml:2", "control character (U+0000)"),
    "nul-byte-in-comment-line": ("offers/mugs.yaml:1", "control character (U+0000)"),
    "raw-control-character": ("offers/mugs.yaml:2", "control character (U+001B)"),
    "escaped-control-in-sku": ("offers/mugs.yaml:2", "control character (U+0007)"),
    "escaped-control-in-comment": ("offers/mugs.yaml:6", "control character (U+000C)"),
    "escaped-nul-in-comment": ("offers/mugs.yaml:6", "control character (U+0000)"),
    "lone-surrogate-escape": ("offers/mugs.yaml:6", "invalid Unicode character escape"),
    # numbers and types
    "price-as-string": ("offers/mugs.yaml:4", 'must be a number (got "12.50")'),
    "stock-as-string": ("offers/mugs.yaml:5", 'must be a whole number (got "4")'),
    "sku-as-number": ("offers/mugs.yaml:2", "must be text: write it in quotes"),
    "gtin-as-float": ("offers/mugs.yaml:3", "must be a GTIN"),
    "stock-as-bool": ("offers/mugs.yaml:5", "must be a whole number (got true)"),
    "price-as-bool": ("offers/mugs.yaml:4", "must be a number (got true)"),
    "stock-fractional": ("offers/mugs.yaml:5", "must be a whole number (got 4.5)"),
    "stock-negative": ("offers/mugs.yaml:5", "must be at least 0"),
    "stock-huge": ("offers/mugs.yaml:5", "must be at most 2147483647"),
    "price-huge": ("offers/mugs.yaml:4", "must be at most 10000000"),
    "price-overflows-float": ("offers/mugs.yaml:4", "must be finite"),
    "price-negative": ("offers/mugs.yaml:4", "must be greater than 0"),
    "price-nan": ("offers/mugs.yaml:4", "must be finite (got .nan)"),
    "price-inf": ("offers/mugs.yaml:4", "must be finite (got .inf)"),
    "eco-tax-negative-inf": ("offers/mugs.yaml:6", "must be finite (got -.Inf)"),
    "seller-id-as-string": ("catalog.yaml:1", "must be a whole number"),
    "seller-id-negative": ("catalog.yaml:1", "must be at least 1"),
    "vat-nan-in-defaults": ("catalog.yaml:7", "must be finite"),
    # Python's int() refuses more than 4,300 digits: a located error, not an unexpected one
    "stock-5000-digits": ("offers/mugs.yaml:5", "a number of 5,000 characters is far too long"),
    "price-5000-digits": ("offers/mugs.yaml:4", "a number of 5,000 characters is far too long"),
    "seller-id-5000-digits": ("catalog.yaml:1", "a number of 5,000 characters is far too long"),
    # operation dates (a date and time without offset is valid: Europe/Paris, see valid-*)
    "operation-date-only": ("operations/sales.yaml:5", "must be a date and time"),
    "operation-impossible-date": ("operations/sales.yaml:5", "is not a valid date and time"),
    "operation-date-as-number": ("operations/sales.yaml:5", "must be text"),
    "operation-date-garbage": ("operations/sales.yaml:5", "must be a date and time"),
    "operation-date-huge-year": ("operations/sales.yaml:5", "must be a date and time"),
    # datetime's edges (year 1, 9999) overflow once an offset or 30 days are applied
    "operation-date-year-1": ("operations/sales.yaml:5", "the year must be 1900 to 2999"),
    "operation-date-year-9999": ("operations/sales.yaml:5", "the year must be 1900 to 2999"),
    # silent skips: a sale on a channel the catalog lacks would quietly leave its offers
    "operation-channel-typo": ("operations/sales.yaml:2", "did you mean 'cdiscount'?"),
    "flash-sale-reference-price": ("operations/sales.yaml:2", "reference_price is for sales only"),
    # skus a person cannot tell apart: both places named
    "look-alike-sku-nfc": ("offers/mugs.yaml:6", "looks the same as sku 'CAF\\xc9-MUG' at"),
    "look-alike-sku-zero-width": (
        "offers/mugs.yaml:6",
        "'MUG-\\u200b1' looks the same as sku 'MUG-1'",
    ),
    # files and folders
    "catalog-yaml-is-a-directory": ("catalog.yaml", "catalog.yaml is a folder"),
    "offers-is-a-file": ("offers", "offers must be a folder"),
    "offers-file-is-a-directory": ("offers/mugs.yaml", "is not a regular file"),
}

# valid case -> the attributes its one offer must carry in the Offers.xml of the package
VALID: dict[str, dict[str, str]] = {
    "valid-xml-specials-in-comment": {
        "Comment": '<b>Tom & Jerry\'s "best" mug</b> ]]> &amp;',
    },
    "valid-xml-specials-in-sku": {"SellerProductId": "MUG<&>\"'1"},
    "valid-xml-specials-in-yaml-comment": {"SellerProductId": "MUG-1"},
    "valid-unicode-comment": {"Comment": "Tasse 日本 ☕ 𝄞 « café »"},
    # an XML parser turns a raw newline or tab in an attribute into a space: they go as &#10;
    "valid-multiline-comment": {"Comment": "Line one\nLine\ttwo\n"},
    "valid-bidi-override-in-sku": {"SellerProductId": "MUG-\u202e1"},
    "valid-crlf": {"SellerProductId": "MUG-1", "Stock": "4"},
    # YAML 1.1 integers are numbers, as PyYAML reads them: 0x1F is 31, 1:30 is 90
    "valid-stock-hex": {"Stock": "31"},
    "valid-stock-sexagesimal": {"Stock": "90"},
    # no offset means Europe/Paris, and the XML package speaks Paris time
    "valid-date-without-timezone": {"StartDate": "2099-01-07T08:00:00"},
    # offers/MUGS.YAML is read like mugs.yaml (left out, manage: all would delete its offers)
    "valid-upper-case-suffix": {"SellerProductId": "MUG-1", "Stock": "4"},
    # a file may list no offers: nothing to send, no package
    "valid-empty-offers-list": {},
}


class TooSlow(Exception):
    pass


def _too_slow(signum: int, frame: object) -> None:
    raise TooSlow(f"the command took more than {TIMEOUT} s")


def catalog(*args: str) -> Result:
    """The real command, failed (TooSlow) after TIMEOUT seconds; an exception is not caught."""
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(TIMEOUT)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=ENV)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_refused(folder: Path, where: str, says: str) -> None:
    result = catalog("validate", str(folder))
    output = result.output
    assert "Traceback" not in output
    assert result.exit_code == 4, output[:2000]
    lines = [line for line in result.stdout.splitlines() if ": warning: " not in line]
    prefix = f"{folder}/{where}:" if ":" in where else f"{folder}/{where}: "
    assert any(line.startswith(prefix) and says in line for line in lines), output[:2000]
    assert lines[-1].endswith("error(s): the catalog is invalid.")
    assert len(output) < 10_000  # a message quotes a value's size, never a huge value


def test_every_fixture_has_a_case() -> None:
    folders = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())
    assert folders == sorted([*INVALID, *VALID])
    assert len(INVALID) + len(GENERATED) >= 40


@pytest.mark.parametrize("case", sorted(INVALID))
def test_hostile_case_is_refused_with_its_location(case: str) -> None:
    assert_refused(HOSTILE / case, *INVALID[case])


# Cases made at test time: too big to commit, or links that only mean something on this disk.
def ten_megabyte_sku(root: Path) -> None:
    text = "offers:\n  - sku: " + "Y" * 10_000_000 + '\n    gtin: "3760452700015"\n'
    (root / "offers" / "mugs.yaml").write_text(text + "    price: 12.50\n    stock: 4\n")


def ten_megabyte_comment(root: Path) -> None:
    path = root / "offers" / "mugs.yaml"
    path.write_text(path.read_text() + '    comment: "' + "x" * 10_000_000 + '"\n')


def link_to_a_file_outside(root: Path) -> None:
    outside = root.parent / "elsewhere.yaml"
    outside.write_text("offers: []\n")
    (root / "offers" / "evil.yaml").symlink_to(outside)


def link_to_a_device(root: Path) -> None:
    (root / "offers" / "zero.yaml").symlink_to("/dev/zero")


def offers_folder_linked_outside(root: Path) -> None:
    shutil.move(root / "offers", root.parent / "elsewhere")
    (root / "offers").symlink_to(root.parent / "elsewhere")


def catalog_yaml_linked_outside(root: Path) -> None:
    shutil.move(root / "catalog.yaml", root.parent / "settings.yaml")
    (root / "catalog.yaml").symlink_to(root.parent / "settings.yaml")


def link_loop(root: Path) -> None:
    (root / "offers" / "loop.yaml").symlink_to("loop.yaml")


GENERATED: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "10mb-sku": (ten_megabyte_sku, "offers/mugs.yaml:2", "at most 50 characters (got 10000000)"),
    "10mb-comment": (ten_megabyte_comment, "offers/mugs.yaml:6", "at most 200 characters"),
    "link-out": (link_to_a_file_outside, "offers/evil.yaml", "points outside the catalog"),
    "link-device": (link_to_a_device, "offers/zero.yaml", "points outside the catalog"),
    "offers-link-out": (offers_folder_linked_outside, "offers", "points outside the catalog"),
    "catalog-link-out": (catalog_yaml_linked_outside, "catalog.yaml", "points outside"),
    "link-loop": (link_loop, "offers/loop.yaml", "is not a regular file"),
}


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_generated_hostile_case_is_refused(case: str, tmp_path: Path) -> None:
    make, where, says = GENERATED[case]
    root = tmp_path / case
    shutil.copytree(HOSTILE / "valid-crlf", root)
    (root / "offers" / "mugs.yaml").write_text(
        'offers:\n  - sku: MUG-1\n    gtin: "3760452700015"\n    price: 12.50\n    stock: 4\n'
    )
    make(root)
    assert_refused(root, where, says)


def test_a_link_inside_the_catalog_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    (root / "shared").mkdir()
    shutil.move(root / "offers" / "mugs.yaml", root / "shared" / "mugs.yaml")
    (root / "offers" / "mugs.yaml").symlink_to(root / "shared" / "mugs.yaml")
    result = catalog("validate", str(root))
    assert result.exit_code == 0, result.output
    assert "valid: 1 sku(s), 2 channel offer(s)" in result.stdout


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_case_packages_well_formed_xml_that_round_trips(case: str, tmp_path: Path) -> None:
    root = tmp_path / case
    shutil.copytree(HOSTILE / case, root)
    checked = catalog("validate", str(root))
    assert checked.exit_code == 0, checked.output
    packaged = catalog("package", str(root), "--out", str(tmp_path / "out"))
    assert packaged.exit_code == 0, packaged.output
    assert "Traceback" not in packaged.output
    zips = sorted((tmp_path / "out").glob("*.zip"))
    if not VALID[case]:
        assert zips == []
        return
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as package:
        document = etree.fromstring(package.read("Content/Offers.xml"))  # raises if malformed
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(document)
    offers = document.findall(f".//{NS}Offer")
    assert len(offers) == 1
    attributes = dict(offers[0].attrib)
    for discount in document.iter(f"{NS}DiscountComponent"):
        attributes.update(discount.attrib)
    for name, value in VALID[case].items():
        assert attributes[name] == value
