"""A JSON channel against the sandbox over HTTP, when the marketplace answers awkwardly: a Ready
refused while the package settles, a package whose id was lost with the POST's answer, a package
that never ends integrating."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from reconciler.channels.json_channel import JsonChannel
from reconciler.channels.json_packages import split_packages
from reconciler.channels.outcome import OfferStatus, PackageOutcome, SentPackage
from reconciler.channels.pacing import Pacing
from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.governor import BudgetExhausted, Limits
from reconciler.plan.model import Action, Change
from tests import offers

QUICK = Pacing(first=0.02, factor=1.5, cap=0.1, timeout=30)
GTINS = ["3760452700039", "4006381333931"]


class Journal:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def record(self, event: str, **data: Any) -> None:
        self.events.append((event, data))


def creates() -> list[Change]:
    return [
        Change("zz", f"SKU-{n}", Action.CREATE, None, offers.offer(sku=f"SKU-{n}", gtin=gtin))
        for n, gtin in enumerate(GTINS)
    ]


@pytest.fixture
def connect():
    """connect(sandbox, **limits): a client on that sandbox, closed after the test."""
    made: list[MarketplaceClient] = []

    def make(market, **limits: Any) -> MarketplaceClient:
        quick = Limits(**{"backoff_base": 0.05, "time_budget": 30.0, **limits})
        credentials = Credentials(market.client_id, market.client_secret)
        made.append(
            MarketplaceClient(
                market.api_url, market.auth_url, credentials, market.seller_id, limits=quick
            )
        )
        return made[-1]

    yield make
    for client in made:
        client.close()


def channel_on(market, connect, **limits: Any) -> tuple[JsonChannel, Journal]:
    market.seed_products(GTINS)
    client = connect(market, **limits)
    client.tokens.bearer()  # the token first: injected faults then hit the API calls
    journal = Journal()
    return JsonChannel(client, offers.ZZ, journal, pacing=QUICK), journal


def packages(market) -> list[dict[str, Any]]:
    with market.client("SELLZZ") as api:
        return api.get("/offer-packages", params={"salesChannelId": "SELLZZ"}).json()["items"]


def submit_and_follow(channel: JsonChannel) -> PackageOutcome:
    (package,) = split_packages(creates())
    sent = channel.submit(package, "pkg-1", "plan-hash")
    assert isinstance(sent, SentPackage), sent
    return channel.follow(sent)


def test_a_ready_refused_while_the_package_settles_is_sent_again(sandbox_factory, connect):
    market = sandbox_factory(faults={"refuse_ready_next": 3})
    channel, _ = channel_on(market, connect)
    outcome = submit_and_follow(channel)
    assert outcome.state == "Integrated"
    assert outcome.count(OfferStatus.INTEGRATED) == 2
    assert channel.client.governor.calls >= 3 + 1  # three refusals, then the Ready that went


def test_ready_waits_out_a_settling_time_after_the_last_upload(sandbox_factory, connect):
    market = sandbox_factory(ready_settle_seconds=0.3)
    channel, _ = channel_on(market, connect)
    assert submit_and_follow(channel).count(OfferStatus.INTEGRATED) == 2


def test_a_package_whose_id_was_lost_is_found_again_not_opened_twice(sandbox_factory, connect):
    market = sandbox_factory(faults={"lose_next_post": 1})
    channel, journal = channel_on(market, connect)
    outcome = submit_and_follow(channel)
    assert outcome.count(OfferStatus.INTEGRATED) == 2
    (only,) = packages(market)  # before: a second package, the first left empty
    assert only["id"] == outcome.package_id
    opened = [data for event, data in journal.events if event == "opened"]
    assert [o["package_id"] for o in opened] == [outcome.package_id]


def test_a_package_stuck_integrating_stops_polling_at_the_budget(sandbox_factory, connect):
    market = sandbox_factory(faults={"slow_integration_seconds": 600})
    channel, _ = channel_on(market, connect, time_budget=3)
    channel.pacing = Pacing()  # the real schedule: polls climb 0.5, 0.75, 1.1 ... s
    (package,) = split_packages(creates())
    sent = channel.submit(package, "pkg-1", "plan-hash")
    assert isinstance(sent, SentPackage)
    started = time.monotonic()
    with pytest.raises(BudgetExhausted, match="still IntegrationPending when the time budget"):
        channel.follow(sent)
    assert time.monotonic() - started < 10


def test_eco_tax_zero_and_no_dea_integrate_as_zero(sandbox_factory, connect):
    market = sandbox_factory()
    channel, _ = channel_on(market, connect)
    assert submit_and_follow(channel).count(OfferStatus.INTEGRATED) == 2
    with market.client("SELLZZ") as api:
        items = api.get("/offers", params={"salesChannelId": "SELLZZ"}).json()["items"]
    taxes = {t["code"]: Decimal(str(t["value"])) for t in items[0]["taxes"]}
    assert taxes["DEA"] == 0
