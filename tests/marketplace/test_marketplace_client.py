"""The client against the sandbox over real HTTP: paging, tokens, throttles, faults, errors."""

from __future__ import annotations

import pytest

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.client import MarketplaceRefused
from reconciler.marketplace.governor import BudgetExhausted


def skus_of(client, channel="CDISFR", limit=4):
    params = {"salesChannelId": channel, "limit": limit}
    return [
        item["sellerExternalReference"]
        for page in client.pages("/offers", channel=channel, params=params)
        for item in page
    ]


def test_pages_follow_the_link_cursor_to_the_end(sandbox, connect, wire_offer):
    sandbox.seed_offers([wire_offer(n) for n in range(10)])
    client = connect(sandbox)
    assert sorted(skus_of(client)) == [f"SKU-{n:04d}" for n in range(10)]
    # 10 offers by 4: three pages, one token for all of them
    assert client.governor.calls == 1 + 3
    assert client.tokens.fetched == 1


def test_money_is_read_as_decimal(sandbox, connect, wire_offer):
    sandbox.seed_offers([wire_offer(1, integrationPrice={"price": 0.1})])
    client = connect(sandbox)
    body = client.get_json("/offers", channel="CDISFR", params={"salesChannelId": "CDISFR"})
    assert str(body["items"][0]["integrationPrice"]["price"]) == "0.1"


def test_wrong_credentials_are_refused_naming_the_auth_url_not_the_secret(sandbox, connect):
    client = connect(sandbox, secret="not-the-secret-42")
    with pytest.raises(MarketplaceUnreachable) as caught:
        skus_of(client)
    message = str(caught.value)
    assert f"authentication refused by {sandbox.auth_url}" in message
    assert "not-the-secret-42" not in message
    assert caught.value.exit_code == 7


def test_secrets_never_show_in_reprs(sandbox, connect):
    client = connect(sandbox)
    skus_of(client)
    for shown in (repr(client), repr(client.tokens), str(client.tokens._credentials)):
        assert sandbox.client_secret not in shown
    token = client.tokens.bearer()
    assert token not in repr(client.tokens._token)


def test_refusals_show_detail_and_trace_id(sandbox, connect):
    client = connect(sandbox)
    with pytest.raises(MarketplaceRefused) as caught:
        client.get_json("/offers", channel="NOPE", params={"salesChannelId": "NOPE"})
    message = str(caught.value)
    assert "GET /offers (NOPE) refused (HTTP 400): Validation Failed" in message
    assert "has no sales channel NOPE" in message
    assert f"[traceId {caught.value.trace_id}]" in message and len(caught.value.trace_id) > 8


def test_an_answer_that_does_not_parse_names_the_call(sandbox, connect):
    sandbox.put_blob("offers", b"<html>maintenance</html>")
    client = connect(sandbox)
    client.api_url = sandbox.base_url  # point the calls at the blob store, auth stays real
    with pytest.raises(MarketplaceUnreachable, match=r"unparseable answer to GET "):
        list(client.pages(sandbox.blob_url("offers")))


def test_empty_503s_and_dropped_connections_are_retried(sandbox, connect, wire_offer):
    sandbox.seed_offers([wire_offer(n) for n in range(6)])
    client = connect(sandbox)
    client.tokens.bearer()
    sandbox.set_faults(error_next=2, drop_next=1)
    assert len(skus_of(client)) == 6
    assert client.governor.retries == 3


def test_a_marketplace_that_keeps_failing_stops_with_exit_7(sandbox, connect):
    client = connect(sandbox, max_attempts=3)
    client.tokens.bearer()
    sandbox.set_faults(error_next=5)  # more failures than the client will attempt
    with pytest.raises(
        MarketplaceUnreachable, match=r"gave up after 3 attempts \(HTTP 503, empty\)"
    ):
        skus_of(client)


def test_429_retry_after_is_honoured_and_every_page_read(sandbox_factory, connect, wire_offer):
    market = sandbox_factory(rate_limit={"per_second": 4, "burst": 2})
    market.seed_offers([wire_offer(n) for n in range(12)])
    client = connect(market, calls_per_second=100, burst=100)
    assert len(skus_of(client, limit=3)) == 12
    assert client.governor.retries >= 1


def test_quota_403_is_waited_out_within_the_budget(sandbox_factory, connect, wire_offer):
    market = sandbox_factory(quota={"calls": 3, "window_seconds": 1})
    market.seed_offers([wire_offer(n) for n in range(8)])
    client = connect(market)
    assert len(skus_of(client, limit=2)) == 8  # token + 4 pages + 1: one quota wait
    assert client.governor.retries >= 1


def test_quota_beyond_the_budget_gives_up_saying_why(sandbox_factory, connect, wire_offer):
    market = sandbox_factory(quota={"calls": 2, "window_seconds": 600})
    market.seed_offers([wire_offer(n) for n in range(8)])
    client = connect(market, time_budget=5)
    with pytest.raises(MarketplaceUnreachable, match="out of call volume quota.*time budget of 5s"):
        skus_of(client, limit=2)


@pytest.mark.parametrize("wording", ["timespan", "days"])
def test_a_quota_of_days_stops_at_once_saying_when_it_returns(
    sandbox_factory, connect, wire_offer, wording
):
    market = sandbox_factory(quota={"calls": 2, "window_seconds": 200_000, "wording": wording})
    market.seed_offers([wire_offer(n) for n in range(8)])
    client = connect(market, time_budget=600)
    with pytest.raises(BudgetExhausted, match=r"quota; it returns at .* UTC \(in 2 days, "):
        skus_of(client, limit=2)


def test_a_token_that_expires_during_paging_is_fetched_again_once(
    sandbox_factory, connect, wire_offer
):
    market = sandbox_factory(token_expires_in=1, faults={"latency_ms": 150})
    market.seed_offers([wire_offer(n) for n in range(16)])
    client = connect(market)
    client.tokens.clock = lambda: 0.0  # the client believes its token is still fresh
    assert len(skus_of(client, limit=2)) == 16  # 8 pages at >= 150 ms: the token dies midway
    assert client.tokens.fetched >= 2


def test_pages_after_the_first_keep_the_query_and_add_the_cursor(
    sandbox_factory, connect, wire_offer
):
    """A Link that carries only `?cursor=...&limit=...`, as the documentation's example: every
    page must still be asked for the channel and the filter."""
    sandbox = sandbox_factory(offers_link="cursor")
    sandbox.seed_offers([wire_offer(n, quantity=5 if n % 3 == 0 else 0) for n in range(20)])
    client = connect(sandbox)
    sent = []
    client._http.event_hooks["request"].append(lambda request: sent.append(request.url))
    params = {"salesChannelId": "CDISFR", "limit": 2, "offerStates": "Active"}
    skus = [
        item["sellerExternalReference"]
        for page in client.pages("/offers", channel="CDISFR", params=params)
        for item in page
    ]
    assert sorted(skus) == [f"SKU-{n:04d}" for n in range(0, 20, 3)]
    sent = [url for url in sent if url.path.endswith("/offers")]
    assert len(sent) == 4  # 7 active offers by 2
    assert [u.params.get("salesChannelId") for u in sent] == ["CDISFR"] * 4
    assert [u.params.get("offerStates") for u in sent] == ["Active"] * 4
    assert [bool(u.params.get("cursor")) for u in sent] == [False, True, True, True]


@pytest.mark.parametrize("spelling", ["cursor", "Cursor"])
def test_the_cursor_is_read_in_either_spelling(spelling):
    import httpx

    from reconciler.marketplace.client import next_page

    request = httpx.Request("GET", "https://api.example/seller/v2/offers?salesChannelId=X")
    link = f'</seller/v2/offers?{spelling}=abc&limit=2>; rel="next"'
    response = httpx.Response(200, headers={"Link": link}, request=request)
    query = {"salesChannelId": "X", "limit": 2}
    assert next_page(response, "/offers", query) == (
        "/offers",
        {"salesChannelId": "X", "limit": 2, spelling: "abc"},
    )
    assert next_page(httpx.Response(200, request=request), "/offers", query) is None
