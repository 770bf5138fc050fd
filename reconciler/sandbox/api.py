"""The seller API: the token endpoint, the checks every call passes, the referential and offers.

Offer packages (JSON and XML) are in packages.py; both share `guard`.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.sandbox import auth, wire
from reconciler.sandbox.limits import quota_message
from reconciler.sandbox.problems import ApiError

PREFIX = "/seller/v2"
MAX_LIMIT = 1000
OFFER_STATES = ("Active", "Inactive")


@dataclass(frozen=True, slots=True)
class Caller:
    seller_id: int
    channel: str | None


def market_of(request: Request):  # -> app.Market (not imported: app imports this module)
    return request.app.state.market


def guard(request: Request, channel_needed: bool = False, channel: str | None = None) -> Caller:
    """Token (401), SellerId (400/403), rate limit (429), quota (403), SalesChannelId (400)."""
    market = market_of(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    prefix = market.config.token_prefix
    token = token.strip()
    client_id = auth.verify(market.key, token[len(prefix) :]) if token.startswith(prefix) else None
    client = market.config.client(client_id) if client_id else None
    if client is None:
        raise ApiError(401, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"})
    seller_text = request.headers.get("sellerid", "")
    if not seller_text.strip().isdigit():
        raise ApiError(400, "the SellerId header (numeric) is required", {"SellerId": ["required"]})
    seller = int(seller_text)
    if seller not in client.seller_ids or seller != market.config.seller_id:
        raise ApiError(403, f"client {client.client_id} may not act for seller {seller}")
    wait = market.rate.wait_needed(seller)
    if wait:
        raise ApiError(
            429, "rate limit exceeded", headers={"Retry-After": str(max(1, math.ceil(wait)))}
        )
    left = market.quota.exhausted_for(seller)
    if left:
        body = {"statusCode": 403, "message": quota_message(left, market.config.quota.wording)}
        raise ApiError(403, body["message"], body=body)
    channel = channel or request.headers.get("saleschannelid")
    if channel_needed and not channel:
        raise ApiError(
            400, "the SalesChannelId header is required", {"SalesChannelId": ["required"]}
        )
    if channel and market.config.channel(channel) is None:
        raise ApiError(400, f"seller {seller} has no sales channel {channel}")
    return Caller(seller, channel)


async def json_body(request: Request) -> Any:
    """The request's JSON, property names matched without regard to case (as ASP.NET does)."""
    try:
        return wire.canonical(wire.loads(await request.body()))
    except ValueError:
        raise ApiError(400, "the body is not valid JSON") from None


async def token(request: Request) -> Response:
    """Client credentials, form-encoded, as Keycloak answers them."""
    market = market_of(request)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        try:
            pair = base64.b64decode(basic[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            pair = ":"
        form.setdefault("client_id", pair.partition(":")[0])
        form.setdefault("client_secret", pair.partition(":")[2])
    if form.get("grant_type") != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    client = market.config.client(form.get("client_id", ""))
    if client is None or form.get("client_secret") != client.client_secret:
        body = {"error": "invalid_client", "error_description": "Invalid client credentials"}
        return JSONResponse(body, status_code=401)
    expires = market.config.token_expires_in
    return JSONResponse(
        {
            "access_token": market.config.token_prefix
            + auth.issue(market.key, client.client_id, expires),
            "expires_in": expires,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        }
    )


async def sellers(request: Request) -> Response:
    """The seller the caller acts for (its shape is not documented: id and name assumed)."""
    caller = guard(request)
    return JSONResponse(
        {"sellerId": caller.seller_id, "name": market_of(request).config.seller_name}
    )


async def subscriptions(request: Request) -> Response:
    guard(request)
    channels = market_of(request).config.channels
    items = [
        {
            "salesChannelId": c.id,
            "name": c.name,
            "status": "Active",
            "currency": c.currency,
            "submissions": list(c.submissions),
        }
        for c in channels
    ]
    return JSONResponse({"count": len(items), "items": items})


async def delivery_modes(request: Request) -> Response:
    caller = guard(request)
    config = market_of(request).config
    channel = config.channel(caller.channel) if caller.channel else None
    modes = config.delivery_modes
    if channel is not None and channel.delivery_modes:  # the list depends on the channel
        modes = tuple(m for m in modes if m.code in channel.delivery_modes)
    items = [{"code": m.code, "name": m.name} for m in modes]
    return JSONResponse({"count": len(items), "items": items})


def _values(request: Request, name: str) -> list[str]:
    """A list filter, given repeated (?a=1&a=2) or comma-separated (?a=1,2)."""
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


def page_limit(text: str | None, default: int, maximum: int = MAX_LIMIT) -> int:
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise ApiError(400, f"limit must be 1 to {maximum}", {"limit": [f"1 to {maximum}"]})
    return int(text)


def cursor_of(text: str | None) -> int:
    if not text:
        return 0
    try:
        return int(base64.urlsafe_b64decode(text.encode() + b"==").decode())
    except (ValueError, binascii.Error):
        raise ApiError(400, "invalid cursor", {"cursor": ["invalid"]}) from None


def make_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")


def next_link(request: Request, seq: int, limit: int, bare: bool = False) -> str:
    """The next page's link: the request's query with the cursor, or (`bare`, as in the
    documentation's example) only `cursor` and `limit`, the client keeping the rest."""
    cursor = make_cursor(seq)
    if bare:
        url = request.url.replace(query=urlencode({"cursor": cursor, "limit": limit}))
    else:
        url = request.url.include_query_params(cursor=cursor, limit=limit)
    return f'<{url}>; rel="next"'


async def offers(request: Request) -> Response:
    query = request.query_params
    channel = query.get("salesChannelId") or request.headers.get("saleschannelid")
    if not channel:
        guard(request)
        raise ApiError(400, "salesChannelId is required", {"salesChannelId": ["required"]})
    guard(request, channel_needed=True, channel=channel)
    limit = page_limit(query.get("limit"), 100)
    after = cursor_of(query.get("cursor"))
    filters = _filters(request)
    rows = market_of(request).store.list_offers(channel, after, limit + 1, filters)
    page = rows[:limit]
    fields = _fields(request)
    if market_of(request).config.offers_readback == "documented":
        trimmed = (_documented(wire.loads(item)) for _, item in page)
        items = ",".join(wire.dumps(_trim(i, fields) if fields else i) for i in trimmed)
    elif fields:
        items = ",".join(wire.dumps(_trim(wire.loads(item), fields)) for _, item in page)
    else:
        items = ",".join(item for _, item in page)
    body = f'{{"itemsPerPage":{len(page)},"items":[{items}]}}'
    bare = market_of(request).config.offers_link == "cursor"
    more = len(rows) > limit
    headers = {"Link": next_link(request, page[-1][0], limit, bare)} if more else {}
    return Response(body, media_type="application/json", headers=headers)


def _filters(request: Request) -> dict[str, Any]:
    states = _values(request, "offerStates")
    bad = [s for s in states if s not in OFFER_STATES]
    if bad:
        raise ApiError(400, f"offerStates: {', '.join(bad)}", {"offerStates": ["Active, Inactive"]})
    updated = request.query_params.get("updatedAtMin")
    if updated:
        try:
            moment = datetime.fromisoformat(updated.replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(400, "updatedAtMin: ISO 8601 expected") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        updated = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "skus": _values(request, "sellerExternalReferences"),
        "gtins": _values(request, "gtins"),
        "offer_ids": _values(request, "offerIds"),
        "states": states,
        "updated_min": updated,
    }


def _documented(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the one Octopia's changelog shows: its nodes only, its timestamp format."""
    created = datetime.fromisoformat(item["createdAt"].replace("Z", "+00:00")).astimezone(UTC)
    return {
        "sellerExternalReference": item["sellerExternalReference"],
        "salesChannelId": item["salesChannelId"],
        "offerId": item["offerId"],
        "offerState": item["offerState"],
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.0000000+00:00"),
        "condition": item["condition"],
        "product": {"gtin": item["product"]["gtin"]},
        "integrationPrice": {"price": item["integrationPrice"]["price"]},
        "quantity": item["quantity"],
    }


def _fields(request: Request) -> list[str]:
    """The nodes `fields=` asks, as the sandbox's `offers_fields` setting treats the parameter."""
    fields = _values(request, "fields")
    mode = market_of(request).config.offers_fields
    if fields and mode == "refuse":
        raise ApiError(400, "fields: unknown query parameter", {"fields": ["not supported"]})
    return [] if mode == "ignore" else fields


def _trim(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in fields}


ROUTES = [
    Route(auth.TOKEN_PATH, token, methods=["POST"]),
    Route(f"{PREFIX}/sellers", sellers),
    Route(f"{PREFIX}/sellers/subscriptions", subscriptions),
    Route(f"{PREFIX}/sellers/delivery-modes", delivery_modes),
    Route(f"{PREFIX}/offers", offers),
]
