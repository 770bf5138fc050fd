"""Limits (429, the 403 quota) and each injected fault, all off by default."""

from __future__ import annotations

import re

import httpx
import pytest

from sandbox.support import GTIN, codes, new_package, request, run_package, wait_state

SUBSCRIPTIONS = "/sellers/subscriptions"


def test_rate_limit_answers_429_with_retry_after(sandbox_factory):
    market = sandbox_factory(rate_limit={"per_second": 0.5, "burst": 2})
    with market.client() as api:
        assert [api.get(SUBSCRIPTIONS).status_code for _ in range(2)] == [200, 200]
        refused = api.get(SUBSCRIPTIONS)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["traceId"]


def test_quota_answers_403_with_the_real_message(sandbox_factory):
    market = sandbox_factory(quota={"calls": 3, "window_seconds": 695})
    with market.client() as api:
        assert [api.get(SUBSCRIPTIONS).status_code for _ in range(3)] == [200, 200, 200]
        refused = api.get(SUBSCRIPTIONS)
    assert refused.status_code == 403
    body = refused.json()
    assert set(body) == {"statusCode", "message"} and body["statusCode"] == 403
    assert re.fullmatch(
        r"Out of call volume quota\. Quota will be replenished in 00:(11:35|11:34)\.",
        body["message"],
    )


def test_limits_are_off_by_default(sandbox):
    with sandbox.client() as api:
        assert {api.get(SUBSCRIPTIONS).status_code for _ in range(30)} == {200}


def test_error_next_gives_empty_503_then_recovers(sandbox):
    headers = sandbox.headers()
    sandbox.set_faults(error_next=2)
    with httpx.Client(base_url=sandbox.api_url, headers=headers) as api:
        first, second, third = (api.get(SUBSCRIPTIONS) for _ in range(3))
    assert (first.status_code, first.content) == (503, b"")
    assert second.status_code == 503
    assert third.status_code == 200


def test_error_share_applies_to_the_token_endpoint_too(sandbox):
    sandbox.set_faults(error_share=1.0)
    response = httpx.post(sandbox.auth_url, data={"grant_type": "client_credentials"})
    assert response.status_code == 503
    assert sandbox.admin.get("/sandbox/faults").status_code == 200  # admin stays reachable


def test_dropped_connection(sandbox):
    headers = sandbox.headers()
    sandbox.set_faults(drop_next=1)
    with httpx.Client(base_url=sandbox.api_url, headers=headers) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.get(SUBSCRIPTIONS)
        assert api.get(SUBSCRIPTIONS).status_code == 200


def test_drop_share(sandbox):
    headers = sandbox.headers()
    sandbox.set_faults(drop_share=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{sandbox.api_url}{SUBSCRIPTIONS}", headers=headers)


def test_added_latency_outlasts_a_short_client_timeout(sandbox):
    headers = sandbox.headers()
    url = f"{sandbox.api_url}{SUBSCRIPTIONS}"
    assert httpx.get(url, headers=headers, timeout=5).status_code == 200
    sandbox.set_faults(latency_ms=1500)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, headers=headers, timeout=0.2)


def test_slow_integration_keeps_the_package_pending_a_while(sandbox):
    sandbox.seed_products([GTIN])
    sandbox.set_faults(slow_integration_seconds=0.6)
    with sandbox.client("SELLZZ") as api:
        pid = new_package(api)
        api.post(f"/offer-packages/{pid}/offer-requests", json=[request()])
        api.patch(f"/offer-packages/{pid}", json={"state": "Ready"})
        assert api.get(f"/offer-packages/{pid}").json()["state"] in ("Ready", "IntegrationPending")
        assert wait_state(api, f"/offer-packages/{pid}")["state"] == "Integrated"


def test_package_rejected_whole(sandbox):
    sandbox.seed_products([GTIN])
    sandbox.set_faults(reject_packages=True)
    with sandbox.client("SELLZZ") as api:
        final, results = run_package(api, [request()])
    assert final["state"] == "Rejected"
    assert final["result"]["resultCode"] and final["result"]["message"]
    assert results == {}


def test_share_of_offers_rejected(sandbox):
    sandbox.seed_products([GTIN])
    sandbox.set_faults(offer_reject_share=1.0)
    with sandbox.client("SELLZZ") as api:
        final, results = run_package(api, [request("A"), request("B")])
    assert final["state"] == "Integrated"
    assert [codes(r) for r in results.values()] == [[9999], [9999]]


def test_unknown_fault_is_400(sandbox):
    response = sandbox.admin.post("/sandbox/faults", json={"meteor_strike": 1})
    assert response.status_code == 400


def test_faults_from_the_config_are_on_from_the_start(sandbox_factory):
    market = sandbox_factory(faults={"error_share": 1.0})
    assert httpx.post(market.auth_url, data={}).status_code == 503
