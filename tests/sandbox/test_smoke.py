def test_sandbox_fixture_lists_the_seeded_offer(sandbox):
    sandbox.seed_offers(
        [
            {
                "sellerExternalReference": "A",
                "salesChannelId": "SELLZZ",
                "product": {"gtin": "3760452700039"},
                "integrationPrice": {"price": 9.99},
            }
        ]
    )
    with sandbox.client() as api:
        body = api.get("/offers", params={"salesChannelId": "SELLZZ"}).json()
    assert [i["sellerExternalReference"] for i in body["items"]] == ["A"]
