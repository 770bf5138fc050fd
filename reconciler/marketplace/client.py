"""The Octopia seller API client: authenticated calls through the one governor, and paging.

Every call carries Authorization, SellerId and (when given a channel) SalesChannelId, and goes
only to the API's own origin: a `Link` or any URL pointing elsewhere is never sent the token.
A call ends by its deadline and reads at most a capped answer (see bounded.py). A 401 gets
one fresh token and one retry. Answers are parsed with money as Decimal. Refusals (4xx) become a
MarketplaceRefused that shows the RFC 9457 `detail` and `traceId`, never the request's secrets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import orjson

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.auth import Credentials, TokenSource
from reconciler.marketplace.bounded import MAX_ANSWER_BYTES, exchange
from reconciler.marketplace.governor import Governor, Limits
from reconciler.scrub import scrub

OK = (200, 201, 202, 204)


class MarketplaceRefused(MarketplaceUnreachable):
    """The marketplace answered, and said no (4xx), with its problem details."""

    def __init__(self, call: str, response: httpx.Response):
        self.call = call
        self.status = response.status_code
        self.problem = _problem(response)
        self.trace_id = str(self.problem.get("traceId") or self.problem.get("traceid") or "")
        # A gateway may echo the request in its answer: the token it carried is never quoted.
        sent = response.request.headers.get("authorization", "")
        self._token = sent.partition(" ")[2].strip()
        super().__init__(self._describe())

    def _describe(self) -> str:
        p = self.problem
        what = p.get("detail") or p.get("message") or p.get("title") or ""
        title = p.get("title")
        text = f"{self.call} refused (HTTP {self.status})"
        if title and title != what:
            text += f": {title}"
        if what:
            text += f": {what}"
        errors = p.get("errors")
        if errors:
            text += f"; errors: {json.dumps(errors, ensure_ascii=False, default=str)}"
        if self.trace_id:
            text += f" [traceId {self.trace_id}]"
        return scrub(text, self._token)  # as sent, URL-encoded, base64, ...


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {"detail": response.text[:200]} if response.text else {}
    return body if isinstance(body, dict) else {"detail": str(body)[:200]}


def next_page(
    response: httpx.Response, path: str, params: Mapping[str, Any] | None
) -> tuple[str, Mapping[str, Any] | None] | None:
    """Where the page after `response` is: the same path and query plus the link's cursor (its
    spelling kept: `cursor` or `Cursor`); a link without a cursor, or to another origin, is
    followed as it is (and the latter refused by `request`)."""
    following = response.links.get("next", {}).get("url")
    if not following:
        return None
    link = response.url.join(following)
    if origin(link) != origin(response.url):
        return str(link), None  # elsewhere: `request` refuses it, naming where it pointed
    for spelling in ("cursor", "Cursor"):
        cursor = link.params.get(spelling)
        if cursor:
            return path, {**(params or {}), spelling: cursor}
    return str(link), None


def parse_json(response: httpx.Response, call: str) -> Any:
    """The answer's JSON with every number that has a fraction as an exact Decimal."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as err:
        raise MarketplaceUnreachable(f"unparseable answer to {call}: {err}") from None


def parse_json_floats(response: httpx.Response, call: str) -> Any:
    """The answer's JSON with fractions as floats, decoded by orjson (about 4x faster).

    Only for callers that bring every amount to two places through `normal.money`, whose
    float path is exact for the two-decimal amounts the API sends (no float arithmetic).
    """
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as err:
        raise MarketplaceUnreachable(f"unparseable answer to {call}: {err}") from None


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        # Money has two places; float's shortest repr prints those digits back exactly.
        return float(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def dump_json(body: object) -> bytes:
    return json.dumps(body, default=_encode, ensure_ascii=False).encode()


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port), the port written out when it is the scheme's default."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def _shown(where: tuple[str, str, int | None]) -> str:
    scheme, host, port = where
    return f"{scheme}://{host}:{port}"


class MarketplaceClient:
    """One seller's session with the API. Thread-safe: channels may be read in parallel."""

    def __init__(
        self,
        api_url: str,
        auth_url: str,
        credentials: Credentials,
        seller_id: int,
        *,
        limits: Limits = Limits(),  # noqa: B008 - frozen, shared safely
        timeout: float = 120.0,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        accept_language: str | None = None,
    ):
        self.api_url = api_url.rstrip("/")
        self.seller_id = seller_id
        self.governor = Governor(limits)
        self.timeout = timeout  # the longest one call may take, all of it (the budget may cut)
        self.max_answer_bytes = max_answer_bytes
        self._origin = origin(httpx.URL(self.api_url))
        self._http = httpx.Client(
            base_url=self.api_url,
            timeout=timeout,
            limits=httpx.Limits(max_connections=limits.concurrency + 2),
        )
        self.tokens = TokenSource(auth_url, credentials, self._http, self.governor, timeout)
        self._language = accept_language
        # GET /offers answered 400 to `fields=` (marketplace/live.py): not asked again this run
        self.fields_refused = False

    def __repr__(self) -> str:
        return f"MarketplaceClient({self.api_url!r}, seller {self.seller_id})"

    def close(self) -> None:
        self._http.close()

    def on_response(self, hook: Callable[[httpx.Response], None]) -> None:
        """Call `hook` with every answer as read (within the deadline and the size cap), the
        token's included (`catalog doctor --capture`)."""
        self.tokens.observers.append(hook)

    def __enter__(self) -> MarketplaceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(self, token: str, channel: str | None, extra: Mapping[str, str] | None):
        headers = {
            "Authorization": f"Bearer {token}",
            "SellerId": str(self.seller_id),
            "Accept": "application/json",
        }
        if channel:
            headers["SalesChannelId"] = channel
        if self._language:
            headers["Accept-Language"] = self._language
        if extra:
            headers.update(extra)
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        channel: str | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: object = None,
        headers: Mapping[str, str] | None = None,
        resend: bool = True,
    ) -> httpx.Response:
        """One call, whatever its status below 500 (5xx and throttles are retried for you).

        `resend=False` for a call that must not take effect twice: an answer lost after the
        request went out raises AnswerLost rather than sending it again.

        `path` is relative to the API base ("/offers") or an absolute URL (a `Link` target).
        """
        call = f"{method} {httpx.URL(path).path or path}" + (f" ({channel})" if channel else "")
        self._check_origin(path, call)
        content = None if json_body is None else dump_json(json_body)
        extra = dict(headers or {})
        if content is not None:
            extra.setdefault("Content-Type", "application/json")
        for _attempt in range(2):
            token = self.tokens.bearer()

            def send(token: str = token) -> httpx.Response:
                request = self._http.build_request(
                    method,
                    path,
                    params=params,
                    content=content,
                    headers=self._headers(token, channel, extra),
                )
                seconds = min(self.timeout, self.governor.remaining())
                answer = exchange(
                    self._http, request, seconds=seconds, max_bytes=self.max_answer_bytes, call=call
                )
                for observe in self.tokens.observers:
                    observe(answer)
                return answer

            response = self.governor.call(call, send, resend=resend)
            if response.status_code != 401:
                return response
            self.tokens.invalidate(token)  # expired early or revoked: one fresh token, once
        raise MarketplaceUnreachable(
            f"{call}: the marketplace refused a fresh token from {self.tokens.auth_url} (HTTP 401)"
        )

    def _check_origin(self, path: str, call: str) -> None:
        """Only the API's own origin (scheme, host, port) ever gets the bearer token."""
        url = httpx.URL(path)
        if url.is_absolute_url and origin(url) != self._origin:
            raise MarketplaceUnreachable(
                f"{call}: the marketplace pointed to {_shown(origin(url))}, not the API's origin "
                f"{_shown(self._origin)}: not followed (the token is sent to the API only), "
                "the answer is unusable"
            )

    def call(
        self, method: str, path: str, *, ok: tuple[int, ...] = OK, **kw: Any
    ) -> httpx.Response:
        """Like `request`, but any status outside `ok` raises MarketplaceRefused."""
        response = self.request(method, path, **kw)
        if response.status_code not in ok:
            channel = kw.get("channel")
            name = f"{method} {httpx.URL(path).path}" + (f" ({channel})" if channel else "")
            raise MarketplaceRefused(name, response)
        return response

    def get_json(self, path: str, *, channel: str | None = None, **kw: Any) -> Any:
        response = self.call("GET", path, channel=channel, **kw)
        return parse_json(response, f"GET {path}" + (f" ({channel})" if channel else ""))

    def post_json(self, path: str, body: object, *, channel: str | None = None) -> httpx.Response:
        return self.call("POST", path, channel=channel, json_body=body)

    def patch_json(self, path: str, body: object, *, channel: str | None = None) -> httpx.Response:
        return self.call("PATCH", path, channel=channel, json_body=body)

    def pages(
        self,
        path: str,
        *,
        channel: str | None = None,
        params: Mapping[str, Any] | None = None,
        decode: Callable[[httpx.Response, str], Any] = parse_json,
    ) -> Iterator[list[Any]]:
        """The `items` of each page, following the `Link: <...>; rel="next"` cursor to the end.

        Every page is asked with the caller's own query (`salesChannelId`, `limit`, filters) plus
        the cursor the link gives: the documentation's links carry only `cursor` and `limit`.
        The next page's request leaves as soon as this page's headers are in, so the network
        works while this page's body is decoded (and while the caller reads its items).
        """
        name = f"GET {path}" + (f" ({channel})" if channel else "")

        def get(url: str, query: Mapping[str, Any] | None) -> httpx.Response:
            return self.call("GET", url, channel=channel, params=query)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="next-page") as ahead:
            pending: Future[httpx.Response] | None = ahead.submit(get, path, params)
            while pending is not None:
                response = pending.result()
                following = next_page(response, path, params)
                pending = ahead.submit(get, *following) if following else None
                try:
                    body = decode(response, name)
                    items = body.get("items") if isinstance(body, dict) else None
                    if not isinstance(items, list):
                        raise MarketplaceUnreachable(
                            f"unparseable answer to {name}: no 'items' list"
                        )
                    yield items
                except BaseException:
                    if pending is not None:
                        pending.cancel()
                    raise
