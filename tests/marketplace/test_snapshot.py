"""Incremental reads: a plan from the snapshot plus `updatedAtMin` equals a plan from a full read,
after every kind of change; deletions are seen by the full reads the rules call for."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler import clock
from reconciler.apply.journal import Journal
from reconciler.catalog import cache as cache_module
from reconciler.catalog.model import ManagePolicy
from reconciler.marketplace import snapshot
from reconciler.plan.build import plan_against_marketplace
from tests.offers import DEMO_CHANNELS, catalog, offer


@pytest.fixture(autouse=True)
def _own_key(own_cache_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sandbox runs on this machine's clock: no margin, so a read asks only for what the
    # test changed (the default margin would list every offer seeded a moment ago).
    monkeypatch.setattr(snapshot, "CLOCK_MARGIN", timedelta(0))


@pytest.fixture
def shop(tmp_path: Path, sandbox, connect, wire_offer):
    """A catalog of 12 offers on both channels; the live shop has 14 (two unknown to it)."""
    live = [wire_offer(n, channel) for n in range(14) for channel in ("CDISFR", "SELLZZ")]
    sandbox.seed_offers(live)
    time.sleep(1.1)  # updatedAt is to the second: the first read starts a second after these
    desired = [
        offer(sku=f"SKU-{n:04d}", channel=channel, gtin=live[2 * n]["product"]["gtin"], stock=5)
        for n in range(12)
        for channel in DEMO_CHANNELS
    ]
    cat = catalog(desired, manage=ManagePolicy.ALL, root=str(tmp_path))
    return cat, connect(sandbox)


def plan(cat, client, refresh="auto", **kw):
    """The plan, with how its live side was read as its `notes` (for these tests only)."""
    how: list = []
    made = plan_against_marketplace(cat, client, clock.now(), refresh=refresh, reads=how, **kw)
    return replace(made, notes=tuple(r.note() for r in how))


def plans(cat, client, **kw):
    """The plan read through the snapshot (auto), then the plan of a full read."""
    return plan(cat, client, **kw), plan(cat, client, "full")


def reads(plan) -> list[tuple[str, str]]:
    """(channel, "full" or how many offers the incremental read got) from the plan's notes."""
    found = [
        re.match(r"live offers of (\S+): (full|snapshot plus ([\d,]+))", n) for n in plan.notes
    ]
    return [(m[1], m[3] or "full") for m in found if m]


def same(auto, full) -> None:
    assert auto.changes == full.changes
    assert auto.channels == full.channels


def test_a_plan_from_the_snapshot_equals_a_full_read_after_each_change(shop, sandbox, wire_offer):
    cat, client = shop
    first = plan(cat, client)
    assert [n for n in first.notes if "full read" in n] == [
        "live offers of cdiscount: full read (14 offers; no snapshot yet)",
        "live offers of marketplace-zz: full read (14 offers; no snapshot yet)",
    ]
    sent: list = []
    client._http.event_hooks["request"].append(lambda r: sent.append(r.url))

    # nothing changed: two calls, one per channel, each answering nothing
    auto, full = plans(cat, client)
    same(auto, full)
    assert reads(auto) == [("cdiscount", "0"), ("marketplace-zz", "0")]
    offers_calls = [u for u in sent if u.path.endswith("/offers")]
    assert [u.params.get("updatedAtMin") is not None for u in offers_calls] == [True] * 2 + [
        False
    ] * 2

    # the live side changes outside the tool: a price, a stock, an offer created
    sandbox.seed_offers(
        [
            wire_offer(3, "CDISFR", integrationPrice={"price": 11.11}),
            wire_offer(4, "SELLZZ", quantity=0),
            wire_offer(20, "SELLZZ"),
        ]
    )
    auto, full = plans(cat, client)
    same(auto, full)
    assert {(c.channel, c.sku, c.action.value) for c in auto.changes} >= {
        ("cdiscount", "SKU-0003", "update"),
        ("marketplace-zz", "SKU-0004", "update"),
        ("marketplace-zz", "SKU-0020", "delete"),
    }
    assert reads(auto) == [("cdiscount", "1"), ("marketplace-zz", "2")]

    # the catalog changes: nothing to read again, the diff does the rest
    changed = catalog(
        [o if o.sku != "SKU-0001" else offer(**{**_fields(o), "price": Decimal("9.99")})
         for o in cat.offers.values()],
        manage=ManagePolicy.ALL,
        root=cat.root,
    )  # fmt: skip
    auto, full = plans(changed, client)
    same(auto, full)


def _fields(o) -> dict:
    return {name: getattr(o, name) for name in o.__slots__}


def test_deletions_need_the_full_read_and_the_rules_call_for_it(
    shop, sandbox, wire_offer, tmp_path: Path
):
    cat, client = shop
    plan(cat, client)  # the snapshot
    # SKU-0013 deleted outside the tool: no listing says so, only a full read shows it gone
    sandbox.reset()
    sandbox.seed_offers([wire_offer(n, ch) for n in range(13) for ch in ("CDISFR", "SELLZZ")])
    auto, full = plans(cat, client)
    assert ("marketplace-zz", "SKU-0013") in {(c.channel, c.sku) for c in auto.changes}
    assert ("marketplace-zz", "SKU-0013") not in {(c.channel, c.sku) for c in full.changes}
    # ... which a snapshot older than the age limit gives
    aged, full = plans(cat, client, max_age=timedelta(0))
    same(aged, full)
    assert any("full read (13 offers; snapshot older than 0 h)" in n for n in aged.notes)

    # a Delete package applied by this tool since the snapshot: the next read is full
    plan(cat, client)
    Journal.for_catalog(tmp_path).record(
        "opened",
        channel="marketplace-zz",
        submission="json",
        package="p1",
        plan_hash="h",
        package_type="Delete",
        skus=["SKU-0012"],
        actions={"SKU-0012": "delete"},
    )
    sandbox.reset()
    sandbox.seed_offers(
        [wire_offer(n, ch) for n in range(13) for ch in ("CDISFR", "SELLZZ") if n != 12]
    )
    auto, full = plans(cat, client)
    same(auto, full)
    assert any("offers were deleted by an apply since the snapshot" in n for n in auto.notes)


def test_a_planted_snapshot_is_not_trusted(shop, monkeypatch, tmp_path: Path):
    cat, client = shop
    plan(cat, client)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    cache_module._signing_key.cache_clear()
    auto = plan(cat, client)
    assert any(
        "full read (14 offers; snapshot not usable (corrupt, of another machine or an older "
        "format))" in n
        for n in auto.notes
    )


def test_catalog_plan_says_how_it_read_the_shop(tmp_path: Path):
    from click.testing import CliRunner

    from reconciler.cli.main import cli
    from reconciler.resources import DEMO_CATALOG

    folder = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, folder)
    runner = CliRunner()
    first = runner.invoke(cli, ["plan", str(folder), "--refresh", "auto"])
    assert first.exit_code == 0, first.output
    assert "live offers of cdiscount: full read (0 offers; no snapshot yet)" in first.output
    again = runner.invoke(cli, ["plan", str(folder), "--refresh", "auto"])
    assert "live offers of cdiscount: snapshot plus 0 offer(s) updated since " in again.output
    aged = runner.invoke(cli, ["plan", str(folder), "--refresh", "auto", "--snapshot-max-age", "0"])
    assert "full read (0 offers; snapshot older than 0 h)" in aged.output
