"""The plan's live read asks only the nodes its diff compares (GET /offers `fields=`), against the
sandbox over HTTP: what is asked, what is said of what was not returned, the fallback when the
marketplace refuses or ignores `fields`, snapshots of fewer fields, and apply --plan's re-read."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from reconciler import clock
from reconciler.apply.report import Progress
from reconciler.apply.session import ApplyRequest, ApplySession
from reconciler.marketplace import snapshot
from reconciler.marketplace.live import read_live_offers
from reconciler.plan.build import build_plan, plan_against_marketplace
from reconciler.plan.readback import compared_fields
from tests.offers import DEMO_CHANNELS, catalog, offer

REQUIRED = {"sellerExternalReference", "product", "integrationPrice", "condition"}
JSON_NODES = REQUIRED | {
    "quantity", "taxes", "preparationTime", "deliveryModes", "commercialOperations",
}  # fmt: skip
XML_NODES = JSON_NODES | {"comment", "comments", "strikedPrice", "priceAlignment", "packaging"}


@pytest.fixture(autouse=True)
def _own_key(own_cache_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "CLOCK_MARGIN", timedelta(0))


def seeded(market, wire_offer, count: int = 6) -> None:
    market.seed_offers([wire_offer(n, ch) for n in range(count) for ch in ("CDISFR", "SELLZZ")])


def desired(wire_offer, count: int = 6, **changes):
    """The catalog's offers: the seeded ones, SKU-0001 at another price on both channels."""
    return [
        offer(
            sku=f"SKU-{n:04d}",
            channel=channel,
            gtin=wire_offer(n)["product"]["gtin"],
            stock=5,
            eco_tax=Decimal("0.10"),
            price=Decimal("24.99") if n == 1 else Decimal("19.99"),
            **changes,
        )
        for n in range(count)
        for channel in DEMO_CHANNELS
    ]


def recorded(client) -> list[httpx.URL]:
    """The URL of every GET /offers the client makes from now on."""
    urls: list[httpx.URL] = []
    client.on_response(
        lambda r: urls.append(r.request.url) if r.request.url.path.endswith("/offers") else None
    )
    return urls


def asked(urls: list[httpx.URL], channel: str) -> list[set[str] | None]:
    """Per GET /offers of `channel`, the nodes its `fields=` named (None: none sent)."""
    return [
        set(url.params["fields"].split(",")) if "fields" in url.params else None
        for url in urls
        if url.params.get("salesChannelId") == channel
    ]


def shape(plan) -> list[tuple]:
    return [(c.channel, c.sku, c.action, c.fields) for c in plan.changes]


def test_the_plan_asks_exactly_the_nodes_its_diff_compares(sandbox, connect, wire_offer):
    seeded(sandbox, wire_offer)
    client = connect(sandbox)
    urls = recorded(client)
    plan = plan_against_marketplace(catalog(desired(wire_offer)), client, clock.now())
    assert asked(urls, "SELLZZ") == [JSON_NODES]  # json: never the XML-only nodes
    assert asked(urls, "CDISFR") == [XML_NODES]
    assert [c.fields[0].field for c in plan.changes] == ["price", "price"]
    assert all(s.not_compared == () for s in plan.channels)


def test_a_plan_with_stock_unmanaged_does_not_ask_quantity(sandbox, connect, wire_offer):
    seeded(sandbox, wire_offer)
    client = connect(sandbox)
    urls = recorded(client)
    offers = [replace(o, unknown=frozenset({"stock"})) for o in desired(wire_offer)]
    plan = plan_against_marketplace(catalog(offers), client, clock.now())
    assert asked(urls, "SELLZZ") == [JSON_NODES - {"quantity"}]
    # an xml Full package sends the live stock of an offer the catalog does not stock
    assert asked(urls, "CDISFR") == [XML_NODES]
    # not asked is not "not returned by the marketplace"
    assert {s.channel: s.not_compared for s in plan.channels} == {
        "cdiscount": (),
        "marketplace-zz": (),
    }
    assert len(plan.changes) == 2


def test_not_compared_names_the_asked_fields_the_marketplace_did_not_return(
    sandbox_factory, connect, wire_offer
):
    market = sandbox_factory(offers_readback="documented")
    seeded(market, wire_offer)
    offers = [replace(o, unknown=frozenset({"stock"})) for o in desired(wire_offer)]
    plan = plan_against_marketplace(catalog(offers), connect(market), clock.now())
    said = {s.channel: s.not_compared for s in plan.channels}
    returned_none = ("vat", "eco_tax", "dea_tax", "preparation_days", "delivery")
    assert said["marketplace-zz"] == (*returned_none, "discounts")  # not stock, not comment
    assert said["cdiscount"] == (
        *returned_none,
        "comment",
        "striked_price",
        "price_alignment",
        "packaging",
        "discounts",
    )


@pytest.mark.parametrize("mode", ["refuse", "ignore"])
def test_a_marketplace_refusing_or_ignoring_fields_gives_the_same_plan(
    mode, sandbox_factory, connect, wire_offer
):
    offers = desired(wire_offer)
    trimming = sandbox_factory()
    seeded(trimming, wire_offer)
    expected = plan_against_marketplace(catalog(offers), connect(trimming), clock.now())
    other = sandbox_factory(offers_fields=mode)
    seeded(other, wire_offer)
    client = connect(other)
    urls = recorded(client)
    said: list[str] = []
    plan = plan_against_marketplace(catalog(offers), client, clock.now(), say=said.append)
    assert plan.changes == expected.changes  # the live offers as a trimmed read gives them
    assert plan.channels == expected.channels
    # and the changes a read of every field (no fields= at all) gives
    everything = read_live_offers(client, DEMO_CHANNELS.values())
    assert shape(plan) == shape(build_plan(catalog(offers), everything, clock.now()))
    if mode == "refuse":
        assert len(said) == 1 and "refused GET /offers with fields= (HTTP 400)" in said[0]
        # the first call of each channel tried fields= at most once, then never again
        sent = [a for ch in ("SELLZZ", "CDISFR") for a in asked(urls, ch)]
        assert sum(a is not None for a in sent) in (1, 2) and sent[-1] is None
        assert client.fields_refused
    else:
        assert said == [] and not client.fields_refused


def test_the_plan_right_after_an_apply_is_empty_with_fields_asked(sandbox, connect, wire_offer):
    seeded(sandbox, wire_offer)
    client = connect(sandbox)
    cat = catalog(desired(wire_offer))
    plan = plan_against_marketplace(cat, client, clock.now())
    assert len(plan.changes) == 2
    session = ApplySession(cat, client, Progress(lambda text: None))
    report = session.apply(session.plan())
    assert report.exit_code == 0
    again = plan_against_marketplace(cat, client, clock.now())
    assert again.changes == ()


def test_apply_plan_rereads_the_fields_the_plan_asked(sandbox, connect, wire_offer, tmp_path):
    seeded(sandbox, wire_offer)
    client = connect(sandbox)
    offers = [replace(o, unknown=frozenset({"stock"})) for o in desired(wire_offer)]
    cat = catalog(offers, root=str(tmp_path))
    saved = plan_against_marketplace(cat, client, clock.now())
    urls = recorded(client)
    request = ApplyRequest(saved_plan=saved)
    session = ApplySession(cat, client, Progress(lambda text: None), request)
    checked = session.plan()  # stale (exit 6) if the re-read saw the offers otherwise
    by_sku = [u for u in urls if "sellerExternalReferences" in u.params]
    assert [u.params["sellerExternalReferences"] for u in by_sku] == ["SKU-0001", "SKU-0001"]
    assert asked(by_sku, "SELLZZ") == [JSON_NODES - {"quantity"}]
    assert asked(by_sku, "CDISFR") == [XML_NODES]
    assert session.apply(checked).exit_code == 0


def plan_reads(cat, client, say=None):
    how: list = []
    made = plan_against_marketplace(cat, client, clock.now(), refresh="auto", reads=how, say=say)
    return made, [r.note() for r in how]


def test_a_snapshot_of_fewer_fields_forces_a_full_read(sandbox, connect, wire_offer, tmp_path):
    seeded(sandbox, wire_offer)
    time.sleep(1.1)  # updatedAt is to the second: the reads start a second after the seeding
    client = connect(sandbox)
    unstocked = [replace(o, unknown=frozenset({"stock"})) for o in desired(wire_offer)]
    _, notes = plan_reads(catalog(unstocked, root=str(tmp_path)), client)
    assert all("no snapshot yet" in n for n in notes)
    # the catalog takes its stock over: the snapshot holds no quantity of marketplace-zz
    owned = catalog(desired(wire_offer), root=str(tmp_path))
    plan, notes = plan_reads(owned, client)
    assert "full read (6 offers; snapshot read fewer fields)" in notes[1], notes
    assert "snapshot plus 0 offer(s)" in notes[0], notes  # cdiscount always asked quantity
    assert shape(plan) == shape(plan_against_marketplace(owned, client, clock.now()))
    # a snapshot of more fields serves a plan of fewer as a read of the fewer would
    fewer, notes = plan_reads(catalog(unstocked, root=str(tmp_path)), client)
    assert all("snapshot plus 0 offer(s)" in n for n in notes), notes
    fresh = plan_against_marketplace(catalog(unstocked, root=str(tmp_path)), client, clock.now())
    assert fewer.changes == fresh.changes and fewer.channels == fresh.channels


@pytest.mark.parametrize("fields", ["trim", "ignore", "refuse"])
def test_an_unchanged_offer_read_trimmed_equals_its_desired_offer(
    sandbox_factory, connect, wire_offer, fields
):
    """The two sides of an unchanged offer are equal as values (the diff's one-comparison fast
    path), on a json channel too, where the unasked comment is the catalog's neutral ""."""
    market = sandbox_factory(offers_fields=fields)
    seeded(market, wire_offer)
    wanted = catalog(desired(wire_offer))
    live = read_live_offers(
        connect(market), wanted.channels.values(), fields=compared_fields(wanted)
    )
    unchanged = [key for key in wanted.offers if key[1] != "SKU-0001"]
    assert {key[0] for key in unchanged} == {"cdiscount", "marketplace-zz"}
    assert all(live[key] == wanted.offers[key] for key in unchanged)
    assert live["marketplace-zz", "SKU-0000"].comment == ""
    assert "comment" in live["marketplace-zz", "SKU-0000"].unknown
