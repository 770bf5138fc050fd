"""The URL source against a small HTTP server on loopback: CSV or JSON bodies, a header whose
value comes from the environment, Last-Modified as the data's age, failures named."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from feed_catalog import checked, stocks, write_catalog

TOKEN = "Bearer erp-t0ken-value"


class Export(BaseHTTPRequestHandler):
    bodies: dict[str, tuple[str, bytes]] = {}  # path -> (content type, body)
    modified: datetime | None = None

    def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
        path = self.path.split("?", 1)[0]
        if self.headers.get("Authorization") != TOKEN:
            self.send_response(401)
            self.end_headers()
            return
        if path not in self.bodies:
            self.send_response(404)
            self.end_headers()
            return
        content_type, body = self.bodies[path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if self.modified is not None:
            self.send_header("Last-Modified", format_datetime(self.modified, usegmt=True))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def erp(monkeypatch) -> Iterator[str]:
    monkeypatch.delenv("CATALOG_NOW", raising=False)
    monkeypatch.setenv("ERP_AUTHORIZATION", TOKEN)
    Export.bodies, Export.modified = {}, None
    server = ThreadingHTTPServer(("127.0.0.1", 0), Export)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def source(url: str, extra: str = "") -> str:
    return (
        f"    url: {url}\n    headers: {{Authorization: ERP_AUTHORIZATION}}\n"
        f"    key: sku\n    columns: {{stock: qty}}\n{extra}"
    )


def test_a_csv_and_a_json_export_over_http(erp, tmp_path):
    Export.bodies = {
        "/stock": ("text/csv; charset=utf-8", b"sku;qty\nSKU-0;7\n"),
        "/stock.json": ("application/json", b'[{"sku": "SKU-1", "qty": 2}]'),
    }
    shop = write_catalog(tmp_path / "csv", source(f"{erp}/stock?key=abc"), "{stock: {from: erp}}")
    catalog, errors, _ = checked(shop)
    assert errors == []
    assert stocks(catalog) == {"SKU-0": 7, "SKU-1": 5, "SKU-2": 5}
    shop = write_catalog(tmp_path / "json", source(f"{erp}/stock.json"), "{stock: {from: erp}}")
    catalog, errors, _ = checked(shop)
    assert stocks(catalog) == {"SKU-0": 5, "SKU-1": 2, "SKU-2": 5}


def test_http_failures_and_age_are_named_without_the_query_or_the_token(erp, tmp_path, monkeypatch):
    url = f"{erp}/stock?key=abc"
    shop = write_catalog(
        tmp_path / "shop", source(url, "    max_age: 1h\n"), "{stock: {from: erp}}"
    )
    assert checked(shop)[1] == [f"{erp}/stock: answered HTTP 404 Not Found"]
    Export.bodies = {"/stock": ("text/csv", b"sku;qty\nSKU-0;7\n")}
    assert checked(shop)[1] == [f"{erp}/stock: max_age 1h needs its Last-Modified header"]
    Export.modified = datetime.now(UTC) - timedelta(minutes=10)
    assert checked(shop)[1] == []
    Export.modified = datetime.now(UTC) - timedelta(hours=3)
    (error,) = checked(shop)[1]
    assert error.startswith(f"{erp}/stock: is 3h old (from ")
    monkeypatch.setenv("ERP_AUTHORIZATION", "Bearer wrong")
    assert checked(shop)[1] == [f"{erp}/stock: answered HTTP 401 Unauthorized"]
    monkeypatch.delenv("ERP_AUTHORIZATION")
    assert checked(shop)[1] == [
        f"{erp}/stock: needs the Authorization header in the environment variable ERP_AUTHORIZATION"
    ]
    monkeypatch.setenv("ERP_AUTHORIZATION", TOKEN)
    closed = write_catalog(
        tmp_path / "closed", source("http://127.0.0.1:9/x"), "{stock: {from: erp}}"
    )
    assert checked(closed)[1] == ["http://127.0.0.1:9/x: cannot be reached (ConnectError)"]
