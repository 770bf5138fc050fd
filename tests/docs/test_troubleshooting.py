"""README's troubleshooting table quotes messages: each quote must match what the tool prints.

A quote may leave parts out (`...`) and name placeholders (`X`, `N`, `XYZ`, `<auth url>`,
`x.yaml`, numbers): each part left is looked for in a real run of the case it describes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.apply.checks import check_guards
from reconciler.cli.main import cli
from reconciler.errors import PlanBlocked
from reconciler.resources import DEMO_CATALOG
from tests.offers import make_plan, offer

README = Path(__file__).resolve().parents[2] / "README.md"
INVALID = Path(__file__).resolve().parents[1] / "fixtures" / "invalid"
NOW = "2026-12-01T10:00:00+01:00"


def quotes() -> list[str]:
    """The backticked quotes of the first column of the troubleshooting table."""
    text = README.read_text(encoding="utf-8").split("## Troubleshooting", 1)[1]
    table = text.split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    return [quote for row in rows for quote in re.findall(r"`([^`]+)`", row.split(" | ")[0])]


def pattern(quote: str) -> list[re.Pattern[str]]:
    """One pattern per part of a quote between its `...`, placeholders made wildcards."""
    parts = [part.strip() for part in quote.split("...") if part.strip(" .")]
    patterns = []
    for part in parts:
        regex = re.escape(part)
        regex = re.sub(r"x\\\.yaml", r"\\S+\\.yaml", regex)
        regex = re.sub(r"<[^>]*>", r"\\S+", regex)
        regex = re.sub(r"\b(?:X|N|XYZ)\b", r"\\S+", regex)
        regex = re.sub(r"\d+", r"\\d+", regex)
        patterns.append(re.compile(regex))
    return patterns


def catalog(*args: object, env: dict[str, str | None] | None = None) -> str:
    base = {"CATALOG_NOW": NOW, "OCTOPIA_CLIENT_ID": None, "OCTOPIA_CLIENT_SECRET": None}
    result = CliRunner().invoke(cli, [str(a) for a in args], env={**base, **(env or {})})
    return result.output


def validate(case: str) -> Callable[..., str]:
    return lambda tmp_path, sandbox_factory: catalog("validate", INVALID / case)


def blocked(tmp_path: Path, sandbox_factory) -> str:
    plan = make_plan([offer(price=Decimal("1.00"))], [offer(price=Decimal("20.00"))])
    with pytest.raises(PlanBlocked) as caught:
        check_guards(plan, None, ())
    return str(caught.value)


def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    return root


def no_terminal(tmp_path: Path, sandbox_factory) -> str:
    return catalog("apply", demo(tmp_path))


def stale(tmp_path: Path, sandbox_factory) -> str:
    root = demo(tmp_path)
    catalog("plan", root, "--out", tmp_path / "plan.json")
    offers = root / "offers" / "clothes.yaml"
    offers.write_text(offers.read_text() + "\n# edited after the plan\n")
    return catalog("apply", root, "--plan", tmp_path / "plan.json", "--auto-approve")


def shop(tmp_path: Path, market) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(INVALID.parent / "hostile" / "valid-crlf", root)
    settings = root / "catalog.yaml"
    settings.write_text(
        settings.read_text().replace(
            "marketplace: {sandbox: embedded}",
            f"marketplace: {{api_url: {market.api_url}, auth_url: {market.auth_url}}}",
        )
    )
    return root


def refused(tmp_path: Path, sandbox_factory) -> str:
    market = sandbox_factory()
    env = {"OCTOPIA_CLIENT_ID": market.client_id, "OCTOPIA_CLIENT_SECRET": "wrong"}
    return catalog("plan", shop(tmp_path, market), env=env)


def unconfigured(tmp_path: Path, sandbox_factory) -> str:
    market = sandbox_factory(delivery_modes=["STD"])
    env = {"OCTOPIA_CLIENT_ID": market.client_id, "OCTOPIA_CLIENT_SECRET": market.client_secret}
    return catalog("plan", shop(tmp_path, market), env=env)


def not_compared(tmp_path: Path, sandbox_factory) -> str:
    market = sandbox_factory(offers_readback="documented")  # the changelog item's nodes only
    item = {"sellerExternalReference": "MUG-1", "salesChannelId": "SELLZZ", "quantity": 4}
    item |= {"product": {"gtin": "3760452700015"}, "integrationPrice": {"price": 12.5}}
    market.seed_offers([item])
    env = {"OCTOPIA_CLIENT_ID": market.client_id, "OCTOPIA_CLIENT_SECRET": market.client_secret}
    return catalog("plan", shop(tmp_path, market), env=env)


def quota_slow(tmp_path: Path, sandbox_factory) -> str:
    from reconciler.marketplace import connect
    from reconciler.marketplace.governor import Limits

    market = sandbox_factory()
    small = Limits(quota_calls=1, quota_window=300)  # a window more than a 2-channel shop
    env = {"OCTOPIA_CLIENT_ID": market.client_id, "OCTOPIA_CLIENT_SECRET": market.client_secret}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connect, "limits_from_env", lambda: small)
        return catalog("plan", shop(tmp_path, market), env=env)


def fields_refused(tmp_path: Path, sandbox_factory) -> str:
    market = sandbox_factory(offers_fields="refuse")
    env = {"OCTOPIA_CLIENT_ID": market.client_id, "OCTOPIA_CLIENT_SECRET": market.client_secret}
    return catalog("plan", shop(tmp_path, market), env=env)


def unusable(tmp_path: Path, sandbox_factory) -> str:
    from tests.replay import CAPTURES, replay

    with replay(CAPTURES / "fractional-quantity") as market:
        env = {"OCTOPIA_CLIENT_ID": "someone", "OCTOPIA_CLIENT_SECRET": "secret"}
        return catalog("plan", shop(tmp_path, market), env=env)


def s3_apply(tmp_path: Path, market, **store: str) -> str:
    """An apply of the demo through a loopback S3 server (tests/s3_server.py)."""
    from tests.s3_server import REGION, env, serve_s3

    refused = store.pop("refused", None) is not None
    market.seed_products(["3760452700015"])
    root = shop(tmp_path, market)
    with serve_s3() as s3:
        s3.reset()  # moto keeps its buckets per process, not per server
        s3.bucket("shop")
        settings = {"bucket": "shop", "region": REGION, "endpoint_url": s3.endpoint_url, **store}
        lines = "".join(f"  {k}: {v}\n" for k, v in settings.items())
        with (root / "catalog.yaml").open("a") as stream:
            stream.write(f"\npackage_store:\n  type: s3\n{lines}")
        keys = {"OCTOPIA_CLIENT_ID": market.client_id}
        keys |= {"OCTOPIA_CLIENT_SECRET": market.client_secret, **env(s3)}
        if not refused:
            return catalog("apply", root, "--auto-approve", env=keys)
        with s3.authenticating():
            return catalog("apply", root, "--auto-approve", env=keys)


def s3_refused(tmp_path: Path, sandbox_factory) -> str:
    return s3_apply(tmp_path, sandbox_factory(), refused="yes")


def s3_no_bucket(tmp_path: Path, sandbox_factory) -> str:
    return s3_apply(tmp_path, sandbox_factory(), bucket="no-such-bucket")


def s3_expired(tmp_path: Path, sandbox_factory) -> str:
    market = sandbox_factory(faults={"download_delay_seconds": 2.0})
    return s3_apply(tmp_path, market, link_expiry="1s")


# the first words of a quote -> the case that prints it
CASES: dict[str, Callable[..., str]] = {
    "offers/x.yaml": validate("unknown-field"),
    "... must be text": validate("gtin-not-quoted"),
    "sku 'X' is declared twice": validate("duplicate-sku"),
    "delivery mode XYZ": unconfigured,
    "authentication refused": refused,
    "the plan is blocked": blocked,
    "the catalog changed": stale,
    "no terminal to confirm on": no_terminal,
    "not returned by the marketplace": not_compared,
    "reading about N pages": quota_slow,
    "the marketplace refused GET /offers with fields=": fields_refused,
    "unusable answer to GET /offers": unusable,
    "package store s3://": s3_refused,
    "bucket ... does not exist": s3_no_bucket,
    "link expired before Cdiscount fetched it": s3_expired,
}
# quotes no cheap run prints: a marketplace throttling, slow or huge over minutes or megabytes
NOT_RUN = {
    "... time budget ... exhausted",
    "Out of call volume quota",
    "out of call volume quota; it returns at 2026-12-22 19:58 UTC (in 20 days, ...)",
    "package ... still IntegrationPending when the time budget of Ns ran out",
    "the marketplace pointed to http://...:port, not the API's origin ...",
    "the answer is over 64 MB (the cap on one answer, ...)",
}


def test_every_quote_has_its_case() -> None:
    found = quotes()
    assert len(found) >= 9
    assert [q for q in found if q not in NOT_RUN and not q.startswith(tuple(CASES))] == []


@pytest.mark.parametrize("start", sorted(CASES))
def test_the_quote_is_what_the_tool_prints(start: str, tmp_path: Path, sandbox_factory) -> None:
    [quote] = [q for q in quotes() if q.startswith(start)]
    output = CASES[start](tmp_path, sandbox_factory)
    missing = [p.pattern for p in pattern(quote) if not p.search(output)]
    assert missing == [], output
