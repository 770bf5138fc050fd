"""Messages that say what a mistake usually is and where to look, once, at the place to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
OFFERS = """\
offers:
  - sku: MUG-{n}
    gtin: "{gtin}"
    price: 12.50
    stock: 4
"""


def validate(root: Path):
    return CliRunner().invoke(cli, ["validate", str(root)])


def shop(tmp_path: Path, offers: str) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    (root / "offers" / "mugs.yaml").write_text(offers)
    return root


def test_an_unquoted_colon_in_a_value_says_to_quote_it(tmp_path: Path) -> None:
    root = shop(tmp_path, OFFERS.format(n=1, gtin="3760452700015") + "    comment: Note: fragile\n")
    result = validate(root)
    assert result.exit_code == 4
    assert (
        f"{root}/offers/mugs.yaml:6:18: invalid YAML: mapping values are not allowed in this "
        "context (usually a value holding ': ' that needs quotes (comment: \"Note: fragile\"), "
        "this line indented deeper than the one above, or a ':' missing on line 5)"
    ) in result.output


def test_a_line_indented_wrongly_says_which_line_to_line_up(tmp_path: Path) -> None:
    text = OFFERS.format(n=1, gtin="3760452700015").replace("    stock", "   stock")
    result = validate(shop(tmp_path, text))
    assert result.exit_code == 4
    assert "mugs.yaml:5:4: invalid YAML: " in result.output
    assert "usually line 5 is indented differently from the fields above it" in result.output


def test_a_quote_never_closed_says_where_it_opened(tmp_path: Path) -> None:
    text = OFFERS.format(n=1, gtin="3760452700015") + '    comment: "fragile\n'
    result = validate(shop(tmp_path, text))
    assert result.exit_code == 4
    assert "the quote opened on line 6 is never closed" in result.output


def test_a_delivery_mode_from_the_defaults_is_reported_once_at_catalog_yaml(
    tmp_path: Path, sandbox_factory
) -> None:
    market = sandbox_factory(delivery_modes=["STD"])  # the defaults say TRK
    root = shop(tmp_path, OFFERS.format(n=1, gtin="3760452700015"))
    (root / "offers" / "more.yaml").write_text(OFFERS.format(n=2, gtin="3760452700022"))
    settings = root / "catalog.yaml"
    settings.write_text(
        settings.read_text().replace(
            "marketplace: {sandbox: embedded}",
            f"marketplace: {{api_url: {market.api_url}, auth_url: {market.auth_url}}}",
        )
    )
    env = {"OCTOPIA_CLIENT_ID": market.client_id, "OCTOPIA_CLIENT_SECRET": market.client_secret}
    result = CliRunner().invoke(cli, ["plan", str(root)], env=env)
    assert result.exit_code == 4, result.output
    problems = [line for line in result.output.splitlines() if "not configured" in line]
    [problem] = problems
    assert problem.startswith(
        f"{settings}:10:5: defaults.delivery: delivery mode TRK is not configured for seller "
        f"{market.seller_id} on channels cdiscount, marketplace-zz (configured: STD); used by MUG-"
    )
    assert problem.endswith(" on cdiscount (and 3 more offer(s) that take the defaults)")


def test_yaml_1_1_spellings_are_read_as_before_and_told_where(tmp_path: Path) -> None:
    text = OFFERS.format(n=1, gtin="3760452700015").replace("12.50", "19_99")
    text = text.replace("stock: 4", "stock: 1:20") + "    preparation_days: 02\n"
    root = shop(tmp_path, text)
    result = validate(root)
    assert result.exit_code == 0, result.output  # still valid: what it means did not change
    where = f"{root}/offers/mugs.yaml"
    assert result.output.splitlines()[:3] == [
        f"{where}:4:12: offers[0].price: warning: 19_99 is read as 1999 (YAML 1.1 ignores _ in "
        'numbers): write 1999 if that is meant, or "19_99" in quotes for text',
        f"{where}:5:12: offers[0].stock: warning: 1:20 is read as 80 (base 60 in YAML 1.1, as "
        'for times): write 80 if that is meant, or "1:20" in quotes for text',
        f"{where}:6:23: offers[0].preparation_days: warning: 02 is read as 2 (a leading 0 makes "
        'it octal in YAML 1.1): write 2 if that is meant, or "02" in quotes for text',
    ]


def test_yes_no_on_off_are_told_as_booleans(tmp_path: Path) -> None:
    root = shop(tmp_path, OFFERS.format(n=1, gtin="3760452700015") + "    comment: on\n")
    result = validate(root)
    assert result.exit_code == 4
    assert "offers[0].comment: must be text (got true)" in result.output
    assert (
        "offers[0].comment: warning: on is read as true (a YAML 1.1 boolean): write true if "
        'that is meant, or "on" in quotes for text'
    ) in result.output


def test_spellings_yaml_1_2_reads_alike_are_not_told(tmp_path: Path) -> None:
    text = OFFERS.format(n=1, gtin="3760452700015").replace("stock: 4", "stock: 0x1F")
    result = validate(shop(tmp_path, text + "    eco_tax: 0.5\n    dea_tax: 0\n"))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
