"""Client-credentials tokens for the Octopia API: fetched, cached, renewed before they expire.

The secret and the token never leave this module in readable form: their holders print as
"***", and error messages name the auth URL, never what was sent to it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.bounded import exchange
from reconciler.marketplace.governor import Governor

CLIENT_ID_VAR = "OCTOPIA_CLIENT_ID"
CLIENT_SECRET_VAR = "OCTOPIA_CLIENT_SECRET"


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r}, client_secret='***')"

    __str__ = __repr__

    @classmethod
    def from_env(cls, fallback: Credentials | None = None) -> Credentials:
        """OCTOPIA_CLIENT_ID / OCTOPIA_CLIENT_SECRET, or `fallback` (an embedded sandbox's)."""
        client_id = os.environ.get(CLIENT_ID_VAR)
        secret = os.environ.get(CLIENT_SECRET_VAR)
        if client_id and secret:
            return cls(client_id, secret)
        if fallback is not None:
            return fallback
        raise MarketplaceUnreachable(
            f"no marketplace credentials: set {CLIENT_ID_VAR} and {CLIENT_SECRET_VAR}"
        )


class _Token:
    """A bearer token that never shows itself in a repr or a log line."""

    __slots__ = ("value", "expires_at")

    def __init__(self, value: str, expires_at: float):
        self.value = value
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return "_Token('***')"


class TokenSource:
    """The current access token: reused until shortly before `expires_in` runs out."""

    def __init__(
        self,
        auth_url: str,
        credentials: Credentials,
        http: httpx.Client,
        governor: Governor,
        timeout: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.auth_url = auth_url
        self.timeout = timeout
        self._credentials = credentials
        self._http = http
        self._governor = governor
        self.clock = clock  # replaceable: tests make a token outlive its real expiry
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self.fetched = 0  # tokens obtained, for tests and benches
        self.observers: list[Callable[[httpx.Response], None]] = []  # see MarketplaceClient

    def __repr__(self) -> str:
        return f"TokenSource({self.auth_url!r}, {self._credentials!r})"

    def bearer(self) -> str:
        with self._lock:
            token = self._token
            if token is None or self.clock() >= token.expires_at:
                token = self._token = self._fetch()
            return token.value

    def invalidate(self, used: str) -> None:
        """Forget the token `used` (answered 401), unless another thread already replaced it."""
        with self._lock:
            if self._token is not None and self._token.value == used:
                self._token = None

    def _send(self, form: dict[str, str], call: str) -> httpx.Response:
        request = self._http.build_request("POST", self.auth_url, data=form)
        seconds = min(self.timeout, self._governor.remaining())
        answer = exchange(self._http, request, seconds=seconds, max_bytes=1024 * 1024, call=call)
        for observe in self.observers:
            observe(answer)
        return answer

    def _fetch(self) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
        }
        call = f"POST {self.auth_url}"
        response = self._governor.call(call, lambda: self._send(form, call))
        if response.status_code in (400, 401, 403):
            raise MarketplaceUnreachable(
                f"authentication refused by {self.auth_url} (HTTP {response.status_code}): "
                f"check {CLIENT_ID_VAR} and {CLIENT_SECRET_VAR}"
            )
        if response.status_code != 200:
            raise MarketplaceUnreachable(f"{call}: unexpected HTTP {response.status_code}")
        try:
            body = json.loads(response.content)
            value = str(body["access_token"])
            lifetime = float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise MarketplaceUnreachable(f"unparseable answer to {call}") from None
        if not (value.isascii() and value.isprintable()):  # an HTTP header cannot carry it
            raise MarketplaceUnreachable(f"{call} answered a token that is not printable ASCII")
        self.fetched += 1
        # Renew early: a tenth of the lifetime, at most a minute, so no call carries a dying token.
        margin = min(60.0, lifetime / 10)
        return _Token(value, self.clock() + lifetime - margin)
