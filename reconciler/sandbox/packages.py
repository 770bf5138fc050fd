"""Offer packages: the JSON life cycle (/offer-packages) and XML packages by URL
(/offer-integration-packages). Both are integrated by the worker of app.Market.

A JSON package settles for `ready_settle_seconds` after each upload: a Ready sent meanwhile is
refused with 409, as two clients say the real API does ("refuses the close if it is not time").
"""

from __future__ import annotations

import json
import math
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.sandbox import wire
from reconciler.sandbox.api import (
    cursor_of,
    guard,
    json_body,
    market_of,
    next_link,
    page_limit,
)
from reconciler.sandbox.integration import timestamp
from reconciler.sandbox.problems import ApiError

PACKAGE_TYPES = ("Upsert", "Update", "Delete")
MAX_PER_CALL = 100
MAX_PER_PACKAGE = 50_000
WAITING = "WaitingForCompletion"


def _package(request: Request, kind: str) -> dict[str, Any]:
    package = market_of(request).store.package(request.path_params["id"])
    if package is None or package["kind"] != kind:
        raise ApiError(404, f"no offer package {request.path_params['id']}")
    return package


def _view(market, package: dict[str, Any]) -> dict[str, Any]:
    view = {
        "id": package["id"],
        "packageType": package["package_type"],
        "salesChannelId": package["channel"],
        "state": package["state"],
        "createdAt": package["created_at"],
        "offerRequestsCount": package["request_count"],
    }
    if package["result"]:
        view["result"] = json.loads(package["result"])
    if package["state"] == "Integrated":
        counts = market.store.result_counts(package["id"])
        view["integratedCount"] = counts.get("Integrated", 0)
        view["rejectedCount"] = sum(n for s, n in counts.items() if s != "Integrated")
    return view


# -- JSON ------------------------------------------------------------------------------------
async def create_package(request: Request) -> Response:
    caller = guard(request, channel_needed=True)
    market = market_of(request)
    if "json" not in market.config.channel(caller.channel).submissions:
        raise ApiError(400, f"channel {caller.channel} does not take JSON offer packages")
    body = await json_body(request)
    ptype = body.get("packageType") if isinstance(body, dict) else None
    if ptype not in PACKAGE_TYPES:
        raise ApiError(
            400,
            "packageType must be Upsert, Update or Delete",
            {"packageType": list(PACKAGE_TYPES)},
        )
    pid = str(uuid.uuid4())
    market.store.create_package(
        id=pid,
        kind="json",
        channel=caller.channel,
        package_type=ptype,
        state=WAITING,
        created_at=timestamp(),
    )
    return Response(status_code=201, headers={"Content-Location": f"/offer-packages/{pid}"})


async def list_packages(request: Request) -> Response:
    """The seller's JSON packages of a channel, oldest first, filtered by `state`."""
    query = request.query_params
    channel = query.get("salesChannelId") or request.headers.get("saleschannelid")
    guard(request, channel=channel)
    states = [s for raw in query.getlist("state") for s in raw.split(",") if s]
    limit = page_limit(query.get("limit"), 100)
    after = cursor_of(query.get("cursor"))
    market = market_of(request)
    rows = market.store.list_packages("json", channel, states, after, limit + 1)
    items = [_view(market, package) for _, package in rows[:limit]]
    headers = {"Link": next_link(request, rows[limit - 1][0], limit)} if len(rows) > limit else {}
    return JSONResponse({"itemsPerPage": len(items), "items": items}, headers=headers)


async def add_requests(request: Request) -> Response:
    guard(request)
    package = _package(request, "json")
    body = await json_body(request)
    if package["state"] != WAITING:
        raise ApiError(409, f"the package is {package['state']}: offers can no longer be added")
    if not isinstance(body, list) or not body:
        raise ApiError(400, "the body is a JSON array of offer requests")
    if len(body) > MAX_PER_CALL:
        raise ApiError(400, f"{len(body)} offer requests: at most {MAX_PER_CALL} per call")
    if package["request_count"] + len(body) > MAX_PER_PACKAGE:
        raise ApiError(400, f"at most {MAX_PER_PACKAGE} offer requests per package")
    errors = {
        f"[{i}].sellerExternalReference": ["required, a string"]
        for i, req in enumerate(body)
        if not isinstance(req, dict) or not isinstance(req.get("sellerExternalReference"), str)
    }
    if errors:
        raise ApiError(400, "every offer request needs its sellerExternalReference", errors)
    rows = [(req["sellerExternalReference"], wire.dumps(req)) for req in body]
    market = market_of(request)
    total = market.store.add_package_offers(package["id"], rows)
    market.settling[package["id"]] = time.monotonic() + market.config.ready_settle_seconds
    return JSONResponse({"offerRequestsCount": total}, status_code=200)


async def patch_package(request: Request) -> Response:
    guard(request)
    package = _package(request, "json")
    body = await json_body(request)
    if not isinstance(body, dict) or body.get("state") != "Ready":
        raise ApiError(400, 'the only change is {"state": "Ready"}', {"state": ["Ready"]})
    if package["state"] != WAITING:
        raise ApiError(409, f"the package is already {package['state']}")
    market = market_of(request)
    if market.settling.get(package["id"], 0.0) > time.monotonic() or market.refuse_ready():
        raise ApiError(409, "the package is still being completed: send Ready again later")
    market.settling.pop(package["id"], None)
    market.mark_ready(package["id"], "Ready", time.time())
    market.nudge()
    return JSONResponse(_view(market, market.store.package(package["id"])))


async def get_package(request: Request) -> Response:
    guard(request)
    return JSONResponse(_view(market_of(request), _package(request, "json")))


async def results(request: Request) -> Response:
    guard(request)
    package = _package(request, "json")
    limit = page_limit(request.query_params.get("limit"), 100)
    after = cursor_of(request.query_params.get("cursor"))
    rows = market_of(request).store.results_page(package["id"], after - 1, limit + 1)
    page = rows[:limit]
    items = [
        {"sellerExternalReference": sku, "integrationStatus": status, "results": wire.loads(res)}
        for _, sku, _, status, res in page
    ]
    body = wire.dumps({"itemsPerPage": len(page), "items": items})
    headers = {}
    if len(rows) > limit:
        headers["Link"] = next_link(request, page[-1][0] + 1, limit)
    return Response(body, media_type="application/json", headers=headers)


# -- XML -------------------------------------------------------------------------------------
async def submit_xml(request: Request) -> Response:
    market = market_of(request)
    caller = guard(request)
    channel = caller.channel or next(
        (c.id for c in market.config.channels if "xml" in c.submissions), None
    )
    if channel is None or "xml" not in market.config.channel(channel).submissions:
        raise ApiError(400, f"channel {channel} does not take XML offer packages")
    url = await json_body(request)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ApiError(400, "the body is the package's URL as a JSON string", {"url": ["http(s)"]})
    pid = str(uuid.uuid4())
    market.store.create_package(
        id=pid,
        kind="xml",
        channel=channel,
        package_type="Full",
        state="Downloading",
        created_at=timestamp(),
        url=url,
    )
    market.spawn(market.fetch_xml_package(pid, url))
    headers = {"Content-Location": f"/offer-integration-packages/{pid}"}
    return JSONResponse({"packageId": pid}, status_code=201, headers=headers)


async def xml_log(request: Request) -> Response:
    """The integration log, a page of offer lines at a time ($limit, $page from 1)."""
    guard(request)
    package = _package(request, "xml")
    market = market_of(request)
    limit = page_limit(request.query_params.get("$limit"), 100)
    page_text = request.query_params.get("$page", "1")
    if not page_text.isdigit() or int(page_text) < 1:
        raise ApiError(400, "$page starts at 1", {"$page": [">= 1"]})
    page = int(page_text)
    rows = market.store.results_page(package["id"], (page - 1) * limit - 1, limit)
    counts = market.store.result_counts(package["id"])
    total = sum(counts.values())
    log = {
        "packageId": package["id"],
        "packageName": package["name"],
        "packageType": package["package_type"],
        "purgeAndReplace": bool(package["purge"]),
        "publicationPools": json.loads(package["pools"]),
        "salesChannelId": package["channel"],
        "url": package["url"],
        "state": package["state"],
        "result": json.loads(package["result"]) if package["result"] else None,
        "offerCount": package["request_count"],
        "integratedCount": counts.get("Integrated", 0),
        "rejectedCount": total - counts.get("Integrated", 0),
        "page": page,
        "limit": limit,
        "pageCount": max(1, math.ceil(total / limit)),
        "offers": [
            {
                "sellerProductId": sku,
                "productEan": gtin,
                "integrationStatus": status,
                "results": wire.loads(res),
            }
            for _, sku, gtin, status, res in rows
        ],
    }
    return Response(wire.dumps(log), media_type="application/json")


def routes(prefix: str = "/seller/v2") -> list[Route]:
    return [
        Route(f"{prefix}/offer-packages", create_package, methods=["POST"]),
        Route(f"{prefix}/offer-packages", list_packages, methods=["GET"]),
        Route(f"{prefix}/offer-packages/{{id}}", get_package, methods=["GET"]),
        Route(f"{prefix}/offer-packages/{{id}}", patch_package, methods=["PATCH"]),
        Route(f"{prefix}/offer-packages/{{id}}/offer-requests", add_requests, methods=["POST"]),
        Route(f"{prefix}/offer-packages/{{id}}/offer-requests-results", results),
        Route(f"{prefix}/offer-integration-packages", submit_xml, methods=["POST"]),
        Route(f"{prefix}/offer-integration-packages/{{id}}", xml_log),
    ]
