"""A loopback stand-in for the Octopia API that answers what the sandbox never would: a `Link`
to another origin, a body trickled a byte at a time, an endless body.

The stand-in serves the token endpoint and `GET /sellers/delivery-modes` as the real API does
(API.md), and `GET /offers` with whatever `offers` handler the test gives it. Every request it
receives is recorded with whether it carried an `Authorization` header.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TOKEN_PATH = "/auth/realms/maas/protocol/openid-connect/token"
TOKEN = "stand-in-bearer-token"
GTIN = "3760452700039"

Handler = Callable[["Exchange"], None]


@dataclass
class StandIn:
    base: str = ""
    offers: Handler | None = None
    seen: list[tuple[str, str, bool]] = field(default_factory=list)  # method, path, had token


class Exchange(BaseHTTPRequestHandler):
    """One request to the stand-in; handlers write through `answer` or the raw `wfile`."""

    protocol_version = "HTTP/1.1"
    stand_in: StandIn

    def log_message(self, *args: object) -> None:  # quiet test output
        return None

    def answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _serve(self) -> None:
        self.stand_in.seen.append(
            (self.command, self.path, "authorization" in {k.lower() for k in self.headers})
        )
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.partition("?")[0]
        if path == TOKEN_PATH:
            self.answer(200, {"access_token": TOKEN, "expires_in": 7200, "token_type": "Bearer"})
        elif path.endswith("/sellers/delivery-modes"):
            self.answer(200, {"count": 1, "items": [{"code": "TRK", "name": "Envoi Suivi"}]})
        elif path.endswith("/offers") and self.stand_in.offers is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.stand_in.offers(self)  # the client may hang up: what the test wanted
        else:
            self.answer(404, {"title": "Not Found", "status": 404})

    do_GET = do_POST = _serve


@contextmanager
def stand_in(offers: Handler | None = None) -> Iterator[StandIn]:
    state = StandIn(offers=offers)
    handler = type("StandInExchange", (Exchange,), {"stand_in": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True  # a handler still trickling must not hold the test's end
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def offer_item(sku: str = "SKU-1") -> dict[str, object]:
    return {
        "sellerExternalReference": sku,
        "salesChannelId": "SELLZZ",
        "offerId": f"98979_{GTIN}_New_SELLZZ",
        "offerState": "Active",
        "product": {"gtin": GTIN},
        "condition": "New",
        "integrationPrice": {"price": 19.9},
        "quantity": 3,
    }


def write_catalog(root: Path, base: str) -> Path:
    (root / "offers").mkdir(parents=True)
    (root / "catalog.yaml").write_text(
        f"""seller_id: 98979
marketplace:
  api_url: {base}/seller/v2
  auth_url: {base}{TOKEN_PATH}
channels:
  zz: {{id: SELLZZ, submission: json}}
defaults:
  condition: new
  vat: 20
  preparation_days: 2
  delivery:
    - {{mode: TRK, cost: 4.90, additional_cost: 1.00}}
""",
        encoding="utf-8",
    )
    (root / "offers" / "shop.yaml").write_text(
        f'offers:\n  - {{sku: SKU-1, gtin: "{GTIN}", price: 19.90, stock: 3}}\n', encoding="utf-8"
    )
    return root


def catalog(*args: str, budget: float = 60, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real CLI, with the sandbox's credentials (the stand-in takes any) and a time budget."""
    env = {
        **os.environ,
        "OCTOPIA_CLIENT_ID": "sandbox",
        "OCTOPIA_CLIENT_SECRET": "sandbox-secret",
        "CATALOG_TIME_BUDGET": str(budget),
    }
    command = [sys.executable, "-m", "reconciler.cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
