"""Admin endpoints: products, seeded offers, reset, blobs, and the body size limit."""

from __future__ import annotations

import httpx

from sandbox.support import GTIN, live_offers


def test_blobs_round_trip_and_are_served_without_auth(sandbox):
    url = sandbox.put_blob("pkg-1.zip", b"PK\x03\x04data")
    assert httpx.get(url).content == b"PK\x03\x04data"
    assert sandbox.admin.put("/sandbox/blobs/pkg-1.zip", content=b"new").status_code == 200


def test_blob_names_cannot_escape_the_store(sandbox):
    assert sandbox.admin.put("/sandbox/blobs/..secret", content=b"x").status_code == 400
    assert sandbox.admin.get("/sandbox/blobs/nothing.zip").status_code == 404


def test_products_need_gtins(sandbox):
    response = sandbox.admin.post("/sandbox/products", json=[{"gtin": "12ab"}])
    assert response.status_code == 400
    assert sandbox.seed_products([GTIN, {"gtin": "4006381333931", "title": "Mug"}]) == 2


def test_seeded_offers_get_defaults_and_a_bad_one_is_400(sandbox):
    sandbox.seed_offers(
        [{"sellerExternalReference": "S", "salesChannelId": "SELLZZ", "product": {"gtin": GTIN},
          "price": 12.5}]
    )  # fmt: skip
    with sandbox.client() as api:
        offer = live_offers(api)["S"]
    assert offer["quantity"] == 10 and offer["condition"] == "New"
    assert offer["taxes"][0] == {"code": "VAT", "value": 20}
    bad = sandbox.admin.post("/sandbox/offers", json=[{"sellerExternalReference": "S"}])
    assert bad.status_code == 400
    assert "offer [0]" in bad.json()["detail"]


def test_reset_empties_the_market(sandbox):
    sandbox.seed_offers(
        [{"sellerExternalReference": "S", "salesChannelId": "SELLZZ", "product": {"gtin": GTIN},
          "price": 1}]
    )  # fmt: skip
    sandbox.set_faults(latency_ms=5)
    sandbox.reset()
    with sandbox.client() as api:
        assert live_offers(api) == {}
    assert sandbox.admin.get("/sandbox/faults").json()["latency_ms"] == 0


def test_bodies_over_the_limit_are_413(sandbox_factory):
    market = sandbox_factory(max_body_bytes=1000)
    assert market.admin.put("/sandbox/blobs/big.zip", content=b"x" * 1001).status_code == 413

    def chunks():
        yield b"x" * 800
        yield b"x" * 800

    response = market.admin.put("/sandbox/blobs/big.zip", content=chunks())
    assert response.status_code == 413


def test_subscriptions_and_delivery_modes(sandbox):
    with sandbox.client() as api:
        channels = api.get("/sellers/subscriptions").json()
        modes = api.get("/sellers/delivery-modes").json()
    assert [c["salesChannelId"] for c in channels["items"]] == ["CDISFR", "SELLZZ"]
    assert channels["count"] == 2
    assert [m["code"] for m in modes["items"]] == ["STD", "TRK", "REG", "LV1", "LV2", "LV3"]
