"""Tokens, SellerId and SalesChannelId: who may call what, and the shape of refusals."""

from __future__ import annotations

import time

import httpx


def token_response(sandbox, **form):
    data = {
        "grant_type": "client_credentials",
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        **form,
    }
    return httpx.post(sandbox.auth_url, data=data)


def test_client_credentials_give_a_bearer_token(sandbox):
    body = token_response(sandbox).json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 7200
    assert body["access_token"]


def test_basic_auth_credentials_are_accepted(sandbox):
    response = httpx.post(
        sandbox.auth_url,
        data={"grant_type": "client_credentials"},
        auth=(sandbox.client_id, sandbox.client_secret),
    )
    assert response.status_code == 200


def test_wrong_secret_is_refused(sandbox):
    response = token_response(sandbox, client_secret="nope")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "nope" not in response.text


def test_unknown_grant_type_is_refused(sandbox):
    response = token_response(sandbox, grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_token_is_401_problem_details_with_trace_id(sandbox):
    response = httpx.get(f"{sandbox.api_url}/sellers/subscriptions", headers={"SellerId": "98979"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["traceId"]


def test_forged_token_is_401(sandbox):
    token = sandbox.token()
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    headers = {"Authorization": f"Bearer {forged}", "SellerId": "98979"}
    assert httpx.get(f"{sandbox.api_url}/sellers/subscriptions", headers=headers).status_code == 401


def test_expired_token_is_401_and_a_new_one_works(sandbox_factory):
    market = sandbox_factory(token_expires_in=1)
    assert token_response(market).json()["expires_in"] == 1
    headers = market.headers()
    url = f"{market.api_url}/sellers/subscriptions"
    assert httpx.get(url, headers=headers).status_code == 200
    time.sleep(1.1)  # let the one-second token run out
    assert httpx.get(url, headers=headers).status_code == 401
    assert httpx.get(url, headers=market.headers()).status_code == 200


def test_missing_seller_id_is_400(sandbox):
    headers = {"Authorization": f"Bearer {sandbox.token()}"}
    response = httpx.get(f"{sandbox.api_url}/sellers/subscriptions", headers=headers)
    assert response.status_code == 400
    assert response.json()["title"] == "Validation Failed"


def test_seller_the_client_may_not_act_for_is_403(sandbox):
    headers = {"Authorization": f"Bearer {sandbox.token()}", "SellerId": "12345"}
    response = httpx.get(f"{sandbox.api_url}/sellers/subscriptions", headers=headers)
    assert response.status_code == 403
    assert "12345" in response.json()["detail"]


def test_missing_sales_channel_is_400_where_needed(sandbox):
    with sandbox.client() as api:
        response = api.post("/offer-packages", json={"packageType": "Upsert"})
    assert response.status_code == 400
    assert "SalesChannelId" in response.json()["errors"]


def test_unknown_sales_channel_is_400(sandbox):
    with sandbox.client("NOPE") as api:
        response = api.post("/offer-packages", json={"packageType": "Upsert"})
    assert response.status_code == 400
