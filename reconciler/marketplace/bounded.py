"""One HTTP exchange that ends by a deadline and never reads more than a cap.

httpx's timeouts bound each socket operation, not the exchange: a server sending one byte
every two seconds never trips a 60 s read timeout and can hold a call for ever, and an endless
body is read until memory runs out. Here the body is streamed, the deadline checked at every
chunk (and each read waits at most until the deadline), and the size counted as it comes.
"""

from __future__ import annotations

import time

import httpx

from reconciler.errors import MarketplaceUnreachable

# Answers are JSON pages of at most 1000 offers (a few MB): 64 MB is far beyond any real one.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
# Headers that describe the bytes on the wire, not the decoded body kept in the answer.
_WIRE_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


class AnswerTooLarge(MarketplaceUnreachable):
    """An answer longer than the cap: unusable, and never read to the end."""


def exchange(
    http: httpx.Client,
    request: httpx.Request,
    *,
    seconds: float,
    max_bytes: int = MAX_ANSWER_BYTES,
    call: str = "",
) -> httpx.Response:
    """Send `request` and read its whole answer within `seconds`, at most `max_bytes` of it.

    Past the deadline: httpx.ReadTimeout, a transport failure the governor knows (retried
    if the call may be sent again and the budget allows). Past the cap: AnswerTooLarge.
    """
    seconds = max(seconds, 0.001)
    deadline = time.monotonic() + seconds
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
    response = http.send(request, stream=True)
    # The body's reads start waiting only when it is iterated: they get what is left.
    left = max(deadline - time.monotonic(), 0.001)
    request.extensions["timeout"] = httpx.Timeout(left).as_dict()
    try:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise AnswerTooLarge(
                    f"{call or request.method}: the answer is over {max_bytes / 2**20:g} MB"
                    " (the cap on one answer, CATALOG_MAX_ANSWER_MB): unusable, not read further"
                )
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(
                    f"the answer took longer than {seconds:.0f}s to arrive", request=request
                )
    finally:
        response.close()
    headers = [(k, v) for k, v in response.headers.multi_items() if k not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=bytes(body),
        request=request,
    )
