"""Admin endpoints, outside /seller/v2 and without auth: for tests, benches and the demo.

The sandbox binds to 127.0.0.1 by default, which is what keeps these to the local machine.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from reconciler.sandbox import wire
from reconciler.sandbox.api import json_body, market_of
from reconciler.sandbox.config import faults_from_dict, to_dict
from reconciler.sandbox.integration import timestamp
from reconciler.sandbox.offers import draft_from_item, item_from_draft
from reconciler.sandbox.problems import ApiError


async def add_products(request: Request) -> Response:
    body = await json_body(request)
    if not isinstance(body, list):
        raise ApiError(400, 'the body is a JSON array of {"gtin": ..., "title": ...}')
    rows = []
    for i, product in enumerate(body):
        gtin = str(product.get("gtin", "")) if isinstance(product, dict) else ""
        if not gtin.isdigit() or not 8 <= len(gtin) <= 14:
            raise ApiError(400, f"product [{i}]: gtin of 8 to 14 digits expected")
        rows.append((gtin, str(product.get("title", ""))))
    count = market_of(request).store.add_products(rows)
    return JSONResponse({"count": count})


def _seed_item(raw: Any, seller_id: int, now: str) -> tuple[str, dict[str, Any]]:
    """A live offer from an item in the GET /offers shape; what it omits gets a plain default."""
    if not isinstance(raw, dict):
        raise ValueError("an offer is a JSON object")
    channel = raw.get("salesChannelId")
    gtin = (raw.get("product") or {}).get("gtin")
    price = (raw.get("integrationPrice") or {}).get("price", raw.get("price"))
    if not (channel and raw.get("sellerExternalReference") and gtin and price is not None):
        raise ValueError(
            "salesChannelId, sellerExternalReference, product.gtin and price are needed"
        )
    item = {
        "condition": "New",
        "quantity": 10,
        "taxes": [{"code": "VAT", "value": 20}],
        "deliveryModes": [],
        "preparationTime": 2,
        **raw,
        "product": {"gtin": str(gtin)},
        "integrationPrice": {"price": Decimal(str(price))},
    }
    draft = draft_from_item(item)
    return channel, item_from_draft(
        draft, channel, seller_id, raw.get("createdAt", now), raw.get("updatedAt", now)
    )


async def add_offers(request: Request) -> Response:
    """Live offers inserted as they are, without a package: a shop that already sells."""
    market = market_of(request)
    body = await json_body(request)
    if not isinstance(body, list):
        raise ApiError(400, "the body is a JSON array of offers in the GET /offers item shape")
    now = timestamp()
    by_channel: dict[str, list[tuple]] = {}
    gtins = set()
    for i, raw in enumerate(body):
        try:
            channel, item = _seed_item(raw, market.config.seller_id, now)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as err:
            raise ApiError(400, f"offer [{i}]: {err}") from None
        if market.config.channel(channel) is None:
            raise ApiError(400, f"offer [{i}]: no sales channel {channel}")
        gtins.add(item["product"]["gtin"])
        by_channel.setdefault(channel, []).append(
            (
                item["sellerExternalReference"],
                item["product"]["gtin"],
                item["offerId"],
                item["quantity"],
                item["updatedAt"],
                wire.dumps(item),
            )
        )
    known = market.store.known_gtins(gtins)
    market.store.add_products((g, "") for g in gtins - known)
    for channel, rows in by_channel.items():
        market.store.save_offers(channel, rows)
    return JSONResponse({"count": len(body)})


async def submissions(request: Request) -> Response:
    """Read-only: every offer request received, so a test can tell an offer sent twice."""
    names = ("salesChannelId", "sellerExternalReference", "packageId", "kind", "state", "status")
    rows = market_of(request).store.submissions()
    return JSONResponse({"items": [dict(zip(names, row, strict=True)) for row in rows]})


async def reset(request: Request) -> Response:
    market_of(request).reset()
    return JSONResponse({"reset": True})


async def faults(request: Request) -> Response:
    market = market_of(request)
    if request.method == "POST":
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "the body is a JSON object of faults (see README)")
        # Shares and delays are plain floats; JSON read them as exact Decimals.
        body = {k: float(v) if isinstance(v, Decimal) else v for k, v in body.items()}
        try:
            market.set_faults(faults_from_dict(body))
        except (TypeError, ValueError) as err:
            raise ApiError(400, str(err)) from None
    return JSONResponse(to_dict(market.config.with_overrides(faults=market.faults))["faults"])


async def blob(request: Request) -> Response:
    market = market_of(request)
    path = market.store.blob_path(request.path_params["name"])
    if path is None:
        raise ApiError(400, "a blob name is letters, digits, '.', '_' and '-'")
    if request.method == "PUT":
        existed = path.exists()
        path.write_bytes(await request.body())
        return Response(status_code=200 if existed else 201)
    if not path.exists():
        raise ApiError(404, f"no blob {path.name}")
    return FileResponse(path, media_type="application/zip")


ADMIN_ROUTES = [
    Route("/sandbox/products", add_products, methods=["POST"]),
    Route("/sandbox/offers", add_offers, methods=["POST"]),
    Route("/sandbox/reset", reset, methods=["POST"]),
    Route("/sandbox/submissions", submissions, methods=["GET"]),
    Route("/sandbox/faults", faults, methods=["GET", "POST"]),
    Route("/sandbox/blobs/{name}", blob, methods=["GET", "PUT"]),
]
