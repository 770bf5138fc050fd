"""GET /offers: cursor paging through the Link header, the limit, filters and the item shape."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from sandbox.support import GTIN, GTIN2, decoded

README_ITEM_KEYS = {
    "offerId", "sellerExternalReference", "salesChannelId", "offerState", "createdAt",
    "updatedAt", "product", "condition", "integrationPrice", "facialPrice", "quantity", "taxes",
    "deliveryModes", "preparationTime", "strikedPrice", "comment", "priceAlignment", "packaging",
    "commercialOperations",
}  # fmt: skip


def seed(sandbox, count: int, channel: str = "SELLZZ", **fields) -> None:
    sandbox.seed_offers(
        [
            {
                "sellerExternalReference": f"SKU-{i:03}",
                "salesChannelId": channel,
                "product": {"gtin": GTIN if i % 2 else GTIN2},
                "integrationPrice": {"price": Decimal("10.00") + i},
                "quantity": i % 3,
                **fields,
            }
            for i in range(count)
        ]
    )


def next_url(response: httpx.Response) -> str | None:
    match = re.match(r'<([^>]+)>;\s*rel="next"', response.headers.get("link", ""))
    return match.group(1) if match else None


def all_pages(api: httpx.Client, params: dict) -> tuple[list[dict], int]:
    items, pages = [], 0
    response = api.get("/offers", params=params)
    while True:
        assert response.status_code == 200, response.text
        pages += 1
        items.extend(decoded(response)["items"])
        url = next_url(response)
        if url is None:
            return items, pages
        response = api.get(url)


def test_pages_follow_the_link_header_to_the_last_page(sandbox):
    seed(sandbox, 25)
    with sandbox.client() as api:
        items, pages = all_pages(api, {"salesChannelId": "SELLZZ", "limit": 10})
    assert pages == 3
    skus = [i["sellerExternalReference"] for i in items]
    assert skus == [f"SKU-{i:03}" for i in range(25)]


def test_an_exact_multiple_of_the_limit_has_no_empty_last_page(sandbox):
    seed(sandbox, 20)
    with sandbox.client() as api:
        items, pages = all_pages(api, {"salesChannelId": "SELLZZ", "limit": 10})
    assert (len(items), pages) == (20, 2)


def test_the_next_link_keeps_the_filters(sandbox):
    seed(sandbox, 30)
    with sandbox.client() as api:
        items, pages = all_pages(
            api, {"salesChannelId": "SELLZZ", "limit": 4, "offerStates": "Inactive"}
        )
    assert pages == 3
    assert {i["offerState"] for i in items} == {"Inactive"}
    assert len(items) == 10


def test_limit_above_1000_is_400(sandbox):
    with sandbox.client() as api:
        response = api.get("/offers", params={"salesChannelId": "SELLZZ", "limit": 1001})
        assert response.status_code == 400
        assert api.get("/offers", params={"salesChannelId": "SELLZZ", "limit": 1000}).is_success
        assert (
            api.get("/offers", params={"salesChannelId": "SELLZZ", "limit": 0}).status_code == 400
        )


def test_sales_channel_is_mandatory(sandbox):
    with sandbox.client() as api:
        response = api.get("/offers")
    assert response.status_code == 400
    assert response.json()["traceId"]


def test_a_bad_cursor_is_400(sandbox):
    with sandbox.client() as api:
        response = api.get("/offers", params={"salesChannelId": "SELLZZ", "cursor": "!!"})
    assert response.status_code == 400


def test_channels_are_kept_apart(sandbox):
    seed(sandbox, 3, channel="CDISFR")
    with sandbox.client() as api:
        assert decoded(api.get("/offers", params={"salesChannelId": "SELLZZ"}))["items"] == []
        assert len(decoded(api.get("/offers", params={"salesChannelId": "CDISFR"}))["items"]) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sellerExternalReferences": "SKU-001,SKU-003"}, ["SKU-001", "SKU-003"]),
        ({"sellerExternalReferences": ["SKU-001", "SKU-004"]}, ["SKU-001", "SKU-004"]),
        ({"gtins": GTIN2}, ["SKU-000", "SKU-002", "SKU-004"]),
        ({"offerIds": f"98979_{GTIN}_New_SELLZZ"}, ["SKU-001", "SKU-003"]),
        ({"offerStates": "Active"}, ["SKU-001", "SKU-002", "SKU-004"]),
        ({"offerStates": "Active,Inactive"}, [f"SKU-{i:03}" for i in range(5)]),
    ],
)
def test_filters(sandbox, params, expected):
    seed(sandbox, 5)
    with sandbox.client() as api:
        body = decoded(api.get("/offers", params={"salesChannelId": "SELLZZ", **params}))
    assert [i["sellerExternalReference"] for i in body["items"]] == expected


def test_updated_at_min_filters_on_the_last_change(sandbox):
    seed(sandbox, 2, updatedAt="2026-01-01T10:00:00Z")
    sandbox.seed_offers(
        [{"sellerExternalReference": "NEW", "salesChannelId": "SELLZZ", "product": {"gtin": GTIN},
          "price": 3, "updatedAt": "2026-06-01T10:00:00Z"}]
    )  # fmt: skip
    with sandbox.client() as api:
        params = {"salesChannelId": "SELLZZ", "updatedAtMin": "2026-03-01T00:00:00+01:00"}
        body = decoded(api.get("/offers", params=params))
        assert [i["sellerExternalReference"] for i in body["items"]] == ["NEW"]
        bad = api.get("/offers", params={**params, "updatedAtMin": "yesterday"})
        assert bad.status_code == 400


def test_bad_offer_state_is_400(sandbox):
    with sandbox.client() as api:
        response = api.get("/offers", params={"salesChannelId": "SELLZZ", "offerStates": "Gone"})
    assert response.status_code == 400


def test_fields_trims_the_items(sandbox):
    seed(sandbox, 2)
    with sandbox.client() as api:
        params = {"salesChannelId": "SELLZZ", "fields": "sellerExternalReference,quantity"}
        items = decoded(api.get("/offers", params=params))["items"]
    assert items == [
        {"sellerExternalReference": "SKU-000", "quantity": 0},
        {"sellerExternalReference": "SKU-001", "quantity": 1},
    ]


def test_items_have_exactly_the_fields_the_readme_promises(sandbox):
    seed(sandbox, 1)
    with sandbox.client() as api:
        (item,) = decoded(api.get("/offers", params={"salesChannelId": "SELLZZ"}))["items"]
    assert set(item) == README_ITEM_KEYS
    assert item["offerId"] == f"98979_{GTIN2}_New_SELLZZ"
    assert item["integrationPrice"] == {"price": Decimal("10")}
    assert item["strikedPrice"] is None and item["comment"] == ""


CHANGELOG_KEYS = {
    "sellerExternalReference", "salesChannelId", "offerId", "offerState", "createdAt",
    "condition", "product", "integrationPrice", "quantity",
}  # fmt: skip


def test_documented_readback_returns_only_the_changelog_items_nodes(sandbox_factory):
    market = sandbox_factory(offers_readback="documented")
    seed(market, 3)
    with market.client("SELLZZ") as http:
        body = http.get("offers", params={"salesChannelId": "SELLZZ"}).json()
    [item, *_] = body["items"]
    assert set(item) == CHANGELOG_KEYS
    assert item["product"] == {"gtin": item["product"]["gtin"]}
    assert set(item["integrationPrice"]) == {"price"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000\+00:00", item["createdAt"])


def test_an_unknown_readback_mode_is_refused():
    from reconciler.sandbox.config import SandboxConfig

    with pytest.raises(ValueError, match="offers_readback"):
        SandboxConfig().with_overrides(offers_readback="everything")


def test_the_sandbox_imports_no_code_table_of_the_client():
    from pathlib import Path

    import reconciler.sandbox as sandbox_package

    folder = Path(sandbox_package.__file__).parent
    client_imports = [
        f"{path.name}: {line.strip()}"
        for path in folder.glob("*.py")
        for line in path.read_text().splitlines()
        if re.match(r"\s*(from|import) reconciler\.(catalog|marketplace|channels|plan)", line)
    ]
    assert client_imports == []
