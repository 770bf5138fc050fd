"""apply --plan reads back only the offers its plan touches, over HTTP against the sandbox."""

from __future__ import annotations

import httpx
from apply_market import CHANNELS, offer

from reconciler.apply.reread import count_live, needed_count, read_touched
from reconciler.catalog.model import Guards
from reconciler.plan.diff import EVERYTHING, Target


def seed(market, count: int) -> None:
    items = [
        {
            "sellerExternalReference": o.sku,
            "salesChannelId": CHANNELS["zz"].id,
            "product": {"gtin": o.gtin},
            "integrationPrice": {"price": float(o.price)},
            "quantity": o.stock,
        }
        for o in (offer("zz", n) for n in range(count))
    ]
    market.admin("/sandbox/offers", items)


def test_only_the_touched_offers_are_read_in_batches(market):
    seed(market, 250)
    skus = [offer("zz", n).sku for n in range(0, 250, 2)] + ["NOT-LIVE"]
    sent: list[httpx.URL] = []
    with market.client() as client:
        client._http.event_hooks["request"].append(lambda request: sent.append(request.url))
        found = read_touched(client, CHANNELS, [("zz", sku) for sku in skus])
    assert sorted(sku for _, sku in found) == sorted(skus[:-1])
    reads = [url for url in sent if url.path.endswith("/offers")]
    assert len(reads) == 2  # 126 skus asked, 100 a call
    assert all("sellerExternalReferences" in url.params for url in reads)


def test_a_channel_is_counted_as_far_as_its_share_guards_need(market):
    seed(market, 250)
    with market.client() as client:
        assert count_live(client, CHANNELS["zz"], EVERYTHING, 0) == 0
        assert count_live(client, CHANNELS["zz"], EVERYTHING, 5000) == 250  # exact below it
        sku = offer("zz", 7).sku
        assert count_live(client, CHANNELS["zz"], Target(skus=(sku,)), 5000) == 1
    guards = Guards()  # 30% updates (20% set to stock 0 by a source), 10% deletes, from 10 on
    assert needed_count(guards, updates=30, removals=0) == 150
    assert needed_count(guards, updates=1, removals=5) == 50
    assert needed_count(guards, updates=0, removals=0) == 0
